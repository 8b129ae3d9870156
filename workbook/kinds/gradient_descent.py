"""Kind `gradient_descent`: steps by hand, and which learning rates converge.

The iterates are computed exactly (the parameters are exact), from the gradient the step engine
worked. Checks: the gradient against one measured from the function alone; the iterates against a
plain NumPy loop that measures the gradient from the function itself by finite differences, so it
shares nothing with the symbolic path. For the learning rates: each step's factor 1 - Lη against
the measured slope of the loop's own step, and each verdict against what 60 steps of the loop do.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, field_validator, model_validator

from workbook import explain, marking, steps, verify
from workbook import expr as E
from workbook.errors import excerpt
from workbook.family import FunctionFamily, for_asks
from workbook.kind import Ask, Kind
from workbook.kinds.common import (
    constant,
    contour_data,
    draw_function,
    given,
    in_range,
    most_of,
    refuse_constant,
    second_derivative_test,
    shape,
)
from workbook.numbers import (
    caption_number,
    caption_said,
    decimal_latex,
    decimal_places,
    exact_decimal,
    latex,
    point_latex,
)
from workbook.problem import Degenerate, Math, Problem, Step, Table, Text, fill, param_math, with_params, words


class DescentFamily(FunctionFamily):
    """Gradient descent by hand: k steps from a start with a learning rate, or which rates converge."""

    kind: Literal["gradient_descent"] = Field(description="`gradient_descent` for this kind.")
    variables: list[str] = Field(["x"], min_length=1, max_length=2, description="One or two variables.")
    start: list[str] = Field(description="The starting point, one expression over the params per variable.")
    rate: str = Field("0.1", max_length=100, description="The learning rate, an expression over the params: a "
                                                         "fraction or a decimal above 0.",
                      json_schema_extra=for_asks("iterate"))
    steps: int = Field(3, ge=1, le=6, description="How many steps to take by hand.",
                       json_schema_extra=for_asks("iterate"))
    ask: Literal["iterate", "converge"] = Field(
        "iterate", description="Take the steps and fill the iterates table, or decide for each of `rates` "
                               "whether descent converges (a quadratic in one variable).")
    rates: list[str] = Field(default_factory=list, max_length=6,
                             description="For ask = \"converge\": the learning rates to judge, each above 0 "
                                         "and no two alike.",
                             json_schema_extra=for_asks("converge"))
    rate_order: Literal["as written", "drawn"] = Field(
        "as written", description="For ask = \"converge\": judge `rates` in the order written, or in an order drawn for "
                                  "each problem, so that their verdicts fall in no order a learner could learn.",
        json_schema_extra=for_asks("converge"))
    decimals: int = Field(4, ge=0, le=6, description="Iterates may need at most this many decimal places.",
                          json_schema_extra=for_asks("iterate"))
    function: Literal["f", "L"] = Field(
        "f", description="The function's name on the page: `f`, or `L` where it is a loss (a model's error on "
                         "data), which the page then calls the loss; `L` names a loss and nothing else.",
        json_schema_extra=for_asks("iterate"))

    @model_validator(mode="after")
    def _consistent(self):
        if len(self.start) != len(self.variables):
            raise ValueError(f"start needs {len(self.variables)} coordinates")
        if self.ask == "converge" and (len(self.variables) != 1 or len(self.rates) < 2):
            raise ValueError("ask = 'converge' needs one variable and at least two rates")
        written = [constant(text) for text in self.rates]  # checked as the file loads; with params, at each draw
        for i, (text, value) in enumerate(zip(self.rates, written, strict=True)):
            why = exact_rate(value) if value is not None else None
            if why:
                raise ValueError(f"rates[{i}]: {why} (got {excerpt(text)})")
            if value is not None and value in written[:i]:
                raise ValueError(f"rates[{i}]: the same rate as rates[{written.index(value)}]: each rate is judged once")
        return self

    @field_validator("rate")
    @classmethod
    def _rate_descends(cls, text: str) -> str:
        """A rate written out is checked as the file loads; one with params, at each draw."""
        return refuse_constant(text, exact_rate)

    def names(self) -> list[str]:
        return list(self.variables)

    def formulas(self):
        extra = [(f"start[{i}]", t, set(self.params), set()) for i, t in enumerate(self.start)]
        extra.append(("rate", self.rate, set(self.params), set()))
        extra += [(f"rates[{i}]", t, set(self.params), set()) for i, t in enumerate(self.rates)]
        return super().formulas() + extra


@dataclass
class Descent:
    """One solved draw: f, its gradient worked by the step engine (one tree per variable), the start
    and the rate. For ask = "iterate": the exact path (start first) and the gradient at each point
    stepped from. For ask = "converge": f'' (L), the minimum, and each rate's factor and verdict."""

    family: DescentFamily
    params: dict
    f: sp.Expr
    variables: list[sp.Symbol]
    trees: list[list]
    grads: list[sp.Expr]
    start: list[sp.Expr]
    rate: sp.Expr
    path: list[list[sp.Expr]] = field(default_factory=list)
    gradients: list[list[sp.Expr]] = field(default_factory=list)
    curvature: sp.Rational | None = None
    minimum: sp.Rational | None = None
    rates: list[sp.Expr] = field(default_factory=list)
    factors: list[sp.Rational] = field(default_factory=list)
    verdicts: list[str] = field(default_factory=list)

    def loss_at(self, point: list[sp.Expr]) -> sp.Expr:
        return self.f.xreplace(dict(zip(self.variables, point, strict=True)))


# ---------------------------------------------------------------- the exact mathematics


def exact_rate(value: sp.Expr) -> str | None:
    """Why a rate is not one a learner steps with exactly, or None: a fraction or a decimal above 0."""
    if value.is_Rational and value > 0:
        return None
    return ("must be above 0, a fraction or a decimal such as 0.1, as a step at a rate of 0 or less does not go "
            "downhill")


def _draw(family: DescentFamily, params: dict, rng: np.random.Generator) -> Descent:
    """f, its gradient by the step engine (equal to sympy.diff), the start and the rate."""
    variables = [E.symbol(n) for n in family.variables]
    f = draw_function(family, params, rng, family.variables)
    start = [given(t, params) for t in family.start]
    rate = in_range("rate", given(family.rate, params), exact_rate)
    trees, grads = [], []
    for v in variables:
        tree, d = steps.differentiate(f, v, 1)
        trees.append(tree)
        grads.append(d)
    return Descent(family, params, f, variables, trees, grads, start, rate, path=[list(start)])


def _step(work: Descent) -> None:
    """One exact step from the last point of the path, which must stay workable by hand."""
    point = work.path[-1]
    at = dict(zip(work.variables, point, strict=True))
    g = [sp.nsimplify(d.xreplace(at)) for d in work.grads]
    if not all(c.is_Rational for c in g):
        raise Degenerate("the gradient is not a plain number here")
    nxt = [p - work.rate * c for p, c in zip(point, g, strict=True)]
    for value in nxt:
        places = decimal_places(value)
        if places is None or places > work.family.decimals or abs(value) > 1000:
            raise Degenerate(f"iterate {value} is not workable by hand")
    work.gradients.append(g)
    work.path.append(nxt)


def solve_iterate(family: DescentFamily, params: dict, rng: np.random.Generator) -> Descent:
    """The family's number of exact steps, each against the exact gradient; the loss must fall."""
    work = _draw(family, params, rng)
    for _ in range(family.steps):
        _step(work)
    if all(c == 0 for c in work.gradients[0]):
        raise Degenerate("the start is already a critical point")
    if any(all(c == 0 for c in g) for g in work.gradients[1:]):
        raise Degenerate("descent reached the minimum before the last step: the rest of the table would be zeros")
    if len(work.variables) > 1 and any(c == 0 for g in work.gradients for c in g):
        # x² + 2y² at η = 0.25 sent y to 0 in one step, and half the table stood at zeros (read26)
        raise Degenerate("one coordinate stands still at a step (its partial is 0): the table would be half zeros")
    if work.loss_at(work.path[-1]) >= work.loss_at(work.start):
        raise Degenerate("the loss did not fall: leave divergence to the learning-rate problems")
    return work


def _verdict(factor: sp.Rational) -> tuple[str, str]:
    """What descent on a quadratic does when each step multiplies the distance by `factor`."""
    if factor == 0:
        return "lands on the minimum in one step", "converges"
    if abs(factor) < 1:
        return ("converges, zig-zagging across the minimum" if factor < 0 else "converges steadily"), "converges"
    if factor == -1:
        return "bounces between two points forever", "oscillates"
    return ("diverges, overshooting further each step" if factor < 0 else "diverges"), "diverges"


def solve_converge(family: DescentFamily, params: dict, rng: np.random.Generator) -> Descent:
    """On an upward quadratic each step multiplies the distance to the minimum by 1 - η f''."""
    work = _draw(family, params, rng)
    x = work.variables[0]
    poly = sp.Poly(work.f, x)
    if poly.degree() != 2 or poly.LC() <= 0:
        raise Degenerate("converge problems need an upward quadratic")
    work.curvature = sp.Rational(poly.LC() * 2)
    work.minimum = sp.Rational(-poly.all_coeffs()[1] / (2 * poly.LC()))
    work.rates = [in_range(f"rates[{i}]", given(t, params), exact_rate) for i, t in enumerate(family.rates)]
    if work.start[0] == work.minimum:  # every rate "converges" from there: nothing to judge (after the rates'
        raise Degenerate("the start is the minimum")  # own checks, which name a key that is never in range)
    if len(set(work.rates)) < len(work.rates):
        raise Degenerate("rates must be distinct")
    if family.rate_order == "drawn":  # (read46 F6: every draw read converges, converges, oscillates, diverges)
        work.rates = [work.rates[i] for i in rng.permutation(len(work.rates))]
    work.factors = [1 - rate * work.curvature for rate in work.rates]
    work.verdicts = [_verdict(factor)[1] for factor in work.factors]
    if len(set(work.verdicts)) < 2:
        raise Degenerate("the rates should not all behave alike")
    return work


# ---------------------------------------------------------------- the independent checks


def _check_gradient(work: Descent) -> list[verify.Check]:
    """Each derivative (or partial), measured from f alone over the family's domain."""
    fam, f, variables = work.family, work.f, work.variables
    if len(variables) == 1:
        return [verify.check_derivative(f, variables[0], 1, work.grads[0], domain=fam.domain).of(f"f'({variables[0]})")]
    return [verify.check_partial(f, variables, [v], d, domain=fam.domain).of(f"∂f/∂{v}")
            for v, d in zip(variables, work.grads, strict=True)]


def check_iterate(work: Descent) -> list[verify.Check]:
    """The gradient, and the iterates against a plain NumPy descent loop from the same start."""
    iterates = [[float(c) for c in p] for p in work.path[1:]]
    loop = verify.check_descent(work.f, work.variables, [float(c) for c in work.start], float(work.rate), iterates)
    return _check_gradient(work) + [loop]


def check_converge(work: Descent) -> list[verify.Check]:
    """The derivative; each factor against the loop's measured step; each verdict against 60 steps."""
    x, start, rates = work.variables[0], float(work.start[0]), [float(r) for r in work.rates]
    factors = verify.check_step_factors(work.f, x, rates, [float(c) for c in work.factors], at=start)
    behaviours = verify.check_behaviours(work.f, x, start, float(work.minimum), rates, work.verdicts)
    return _check_gradient(work) + [factors, behaviours]


# ---------------------------------------------------------------- what the page shows


def _gradient_steps(work: Descent) -> list[Step]:
    """Each derivative, worked one level below its line."""
    out = []
    one, fn = len(work.variables) == 1, work.family.function
    for v, d, trees in zip(work.variables, work.grads, work.trees, strict=True):
        name = f"{fn}'({latex(v)})" if one else rf"\frac{{\partial {fn}}}{{\partial " + latex(v) + "}"
        if one:
            out.append(Step("The derivative", f"{name} = {latex(d)}", words("Differentiate once; every step uses it.")))
        else:  # one heading a partial, as Module 2 writes them, not "The gradient" twice
            out.append(Step(f"Partial derivative with respect to {v}", f"{name} = {latex(d)}",
                            words("Differentiate once, holding the other variable", "s" * (len(work.variables) > 2),
                                  " constant; every step uses it.")))
        worked = explain.worked_steps(trees, depth=1)
        out += worked if one else explain.as_partials(worked, work.variables)
    return out


def _placeholders(work: Descent) -> dict:
    fx = latex(work.f)
    args = ", ".join(latex(v) for v in work.variables)
    start = point_latex(work.start) if len(work.start) > 1 else f"{latex(work.variables[0])}_0 = {exact_decimal(work.start[0])}"
    return with_params({"f": Math(f"{work.family.function}({args}) = {fx}"), "fx": Math(fx), "rate": Math(r"\eta = " + exact_decimal(work.rate)),
                        "start": Math(start), "steps": Text(str(work.family.steps))},
                       param_math(work.params), later=("rates",))


def _iterates_head(names: list[str], fn: str) -> list[str]:
    slope = [f"{fn}'({names[0]}_k)"] if len(names) == 1 else [rf"\partial {fn}/\partial " + n for n in names]
    return ["k"] + [f"{n}_k" for n in names] + slope + [f"{n}_{{k+1}}" for n in names]


def _iterate_steps(work: Descent, names: list[str], head: list[str]) -> list[Step]:
    """The update rule, the table of iterates, and what the loss did."""
    rows = [[str(k)] + [exact_decimal(c) for c in p] + [exact_decimal(c) for c in g] + [exact_decimal(c) for c in n]
            for k, (p, g, n) in enumerate(zip(work.path, work.gradients, work.path[1:], strict=False))]
    fn = work.family.function
    slope = f"{fn}'({names[0]}_k)" if len(names) == 1 else rf"\frac{{\partial {fn}}}{{\partial " + names[0] + "}"
    update = f"{names[0]}_{{k+1}} = {names[0]}_k - " + r"\eta\, " + slope
    f_start, f_end = work.loss_at(work.start), work.loss_at(work.path[-1])
    trend = "fell" if f_end < f_start else "rose"
    return [
        Step("Step", update, words("Each step moves against the gradient by the learning rate times its size"
                                   + (" (for each variable the same way)." if len(names) > 1 else "."))),
        Step("The iterates", "", [Table(head, rows, exact=[
            [""] + [repr(float(c)) for c in (*p, *g, *n)]
            for p, g, n in zip(work.path, work.gradients, work.path[1:], strict=False)])]),
        Step("What happened", "", words(*(["The loss ", Math("L")] if fn == "L" else ["The value of ", Math("f")]),
                                        f" {trend} from ", *_loss_said(f_start), " to ", *_loss_said(f_end), ".")),
    ]


def _loss_said(value: sp.Expr) -> list:
    """A loss in a sentence: "about −3.9403" where only its rounding is given ("to ≈ −3.9403" read oddly: read24)."""
    shown = _loss_shown(value)
    return ["about ", Math(shown.removeprefix("\\approx ").strip())] if shown.startswith("\\approx") else [Math(shown)]


def _loss_shown(value: sp.Expr) -> str:
    """A loss as the page gives a value: exact, and where that takes more than 4 decimal places (0.492992, or
    e^-2) with its value to 4 places beside it, as the worksheet asks an answer to be given."""
    exact = exact_decimal(value) if value.is_Rational else latex(value)
    places = decimal_places(value) if value.is_Rational else None
    if places is not None and places > 8:  # 1.0368⁴/4 + ... ends at the 16th place: its digits tell no one anything
        return rf"\approx {decimal_latex(value)}"
    if value.is_Rational and places is None and value.q > 100:  # nor does −262991683/11718750 beside −22.4420
        return rf"\approx {decimal_latex(value)}"
    return exact if places is not None and places <= 4 else f"{exact} \\approx {decimal_latex(value)}"


def present_iterate(work: Descent) -> Problem:
    """Take the steps and fill in the table of iterates."""
    fam, names, path = work.family, [latex(v) for v in work.variables], work.path
    head = _iterates_head(names, fam.function)
    blank = [[str(k)] + [""] * (len(head) - 1) for k in range(fam.steps)]
    default = ("Take {steps} steps of gradient descent on {f} from {start} with learning rate {rate}. "
               "Fill in the table.")
    prompt = fill(fam.prompt or default, _placeholders(work)) + [Table(head, blank, blank=True)]
    final = _tuple(exact_decimal(c) for c in path[-1]) if len(names) > 1 else exact_decimal(path[-1][0])
    # (x_2, y_2), each coordinate its own subscript as the notation writes iterates, not (x, y)_2 (read24)
    answer_name = _tuple(f"{n}_{{{fam.steps}}}" for n in names) if len(names) > 1 else f"{names[0]}_{{{fam.steps}}}"
    check = {"type": "gradient_descent", "function": sp.sstr(work.f), "variables": [str(v) for v in work.variables],
             "start": [sp.sstr(c) for c in work.start], "rate": sp.sstr(work.rate), "steps": fam.steps,
             "iterates": [[sp.sstr(c) for c in p] for p in path]}
    figure = _figure(work.f, work.variables, [[float(c) for c in p] for p in path], [], float(work.rate),
                     _bowl_minimum(work) if len(work.variables) == 2 else None, fam.function)
    return Problem(identity=f"{work.f} from {work.start} at {work.rate}", prompt=prompt,
                   likeness=f"descent {shape(work.f, work.variables)}",
                   # x^2 and (x + 2)^2 from x = 5 at 0.1 are two forms worked alike (seed 2027's problem 24 and its example)
                   setting=f"descent from {work.start} at {work.rate}, {fam.steps} steps",
                   course=_columns(work),
                   answer=[Math(f"{answer_name} = {final}")],
                   answer_text=" -> ".join(str([sp.sstr(c) for c in p]) for p in path),
                   steps=_gradient_steps(work) + _iterate_steps(work, names, head), claims=check, figure=figure,
                   worksheet_figure=_for_students(figure),
                   numeric=float(path[-1][0]) if len(names) == 1 else None)


def _course(work: Descent) -> str | None:
    """The iterates' distances from the minimum of a quadratic (exact), where it has one: two descents with
    the same distances are worked alike whatever their functions and starts."""
    x = work.variables
    # polynomial first: sp.degree raises for abs(x) or exp(10x), a loss any family may give (attack23's D9)
    if not work.f.is_polynomial(*x) or any(sp.degree(work.f, v) != 2 for v in x):
        return None
    least = sp.solve([sp.diff(work.f, v) for v in x], x, dict=True)
    if len(least) != 1:
        return None
    return "descent course " + "; ".join(",".join(sp.sstr(sp.Abs(c - least[0][v])) for c, v in zip(p, x, strict=True))
                                          for p in work.path)


def _columns(work: Descent) -> str | None:
    """Its courses: the distances from the minimum (_course), and with two variables each variable's column of
    iterates and partials on its own, half the table a student fills in (read55 F2: two versions' line fits had one
    b column, ∂L/∂b = 2b - 4 alike, their w columns apart)."""
    # and its first row, the start and the gradient there, whatever the rate (read57 F2: two versions on one curve from
    # one start filled in the same row 0, the rate alone apart)
    courses = [_course(work), f"descent first row {work.f} from {[sp.sstr(c) for c in work.start]}"]
    if len(work.variables) > 1:
        for k, v in enumerate(work.variables):
            column = [sp.sstr(p[k]) for p in work.path] + [sp.sstr(g[k]) for g in work.gradients]
            courses.append(f"descent column {v}: " + ", ".join(column))
    return "\n".join(c for c in courses if c) or None


def _tuple(entries) -> str:
    return r"\left(" + ", ".join(entries) + r"\right)"


def _distance(name: str, minimum) -> str:
    """name - minimum as it should print: x_k + 1 for a minimum at -1, x_k alone for one at 0."""
    if minimum == 0:
        return name
    return f"{name} + {exact_decimal(-minimum)}" if minimum < 0 else f"{name} - {exact_decimal(minimum)}"


def _bracket(text: str) -> str:
    return f"({text})" if " " in text else text


def _converge_steps(work: Descent) -> list[Step]:
    """One step's factor, the rule 0 < η < 2/f'', and each rate's behaviour (L is the loss elsewhere: the
    curvature is written f'')."""
    minimum, curvature = work.minimum, work.curvature
    rows = [[rate, factor, r"\text{" + _verdict(f)[0] + "}"]
            for rate, factor, f in zip(_alike(work.rates), _alike(work.factors), work.factors, strict=True)]
    after, before = _distance("x_{k+1}", minimum), _bracket(_distance("x_k", minimum))
    one = f"{after} = (1 - {exact_decimal(curvature)}" + r"\,\eta)\," + before
    return [
        Step("One step", one, words("For a quadratic the gradient is ", Math(r"f''\cdot(x - x^*)"),
                                    ", so each step multiplies the distance to the minimum ",
                                    Math("x^* = " + exact_decimal(minimum)), " by the same factor.")),
        Step("The rule", r"0 < \eta < \frac{2}{f''} = " + exact_decimal(2 / curvature),
             words("Descent converges exactly when the factor lies between \u22121 and 1, i.e. when the learning "
                   "rate is below ", Math("2/f''"), ", with ", Math("f'' = " + exact_decimal(curvature)),
                   ". Between ", Math("1/f''"), " and ", Math("2/f''"), " it overshoots but still settles.")),
        Step("Each rate", "", [Table([r"\eta", r"1 - f''\,\eta", r"\text{behaviour}"], rows)]),
    ]


def _alike(values) -> list[str]:
    """Numbers set side by side, one way for all: decimals, unless one of them never ends (1/12, 0.25 and
    5/12 read as a muddle, so all are fractions)."""
    ending = all(decimal_places(sp.Rational(v)) is not None for v in values)
    # a fraction in a table's cell written on its line, 1/12: set as a stacked fraction it printed at 5 pt (read47 F4)
    return [exact_decimal(v) if ending else sp.latex(sp.Rational(v), fold_short_frac=True) for v in values]


def _converge_paths(work: Descent) -> list[tuple[float, list[float]]]:
    """Up to five steps at each rate for the figure, smallest first, a diverging path stopped once it is 2.5 times as far
    out as it started (or its loss would dwarf the converging one's)."""
    x, d, minimum = work.variables[0], work.grads[0], float(work.minimum)
    paths = []
    for rate in sorted(work.rates):  # the smallest first, whatever order the prompt asks them in
        path = [float(work.start[0])]
        reach = 2.5 * abs(path[0] - minimum)
        for _ in range(5):
            path.append(path[-1] - float(rate) * float(d.xreplace({x: sp.Float(path[-1])})))
            if abs(path[-1] - minimum) > reach:
                break
        paths.append((rate, path))
    return paths


def _rate_texts(rates) -> list[str]:
    """Learning rates as the prompt gives them, in plain text: 0.25 as a decimal, or every one a fraction
    where one of them never ends (1/12, 1/4, 1/3)."""
    qs = [sp.Rational(r) for r in rates]
    ending = all(sp.factorint(q.q).keys() <= {2, 5} for q in qs)
    return [f"{float(q):g}" if ending else sp.sstr(q) for q in qs]


def present_converge(work: Descent) -> Problem:
    """Say for each rate whether descent converges, oscillates or diverges."""
    x, rates, verdicts = work.variables[0], work.rates, work.verdicts
    shown, factors = _alike(rates), _alike(work.factors)
    placeholders = {**_placeholders(work), "rates": Math(r"\eta = " + ", ".join(shown))}  # named, as the key names it (read30)
    default = ("Gradient descent on {f} starts at {start}. For each learning rate {rates}, does it converge, "
               "oscillate forever or diverge? Explain with the factor each step multiplies the distance to the minimum "
               "by.")  # "the error", which the prompt never defined (read23)
    check = {"type": "descent_convergence", "function": sp.sstr(work.f), "variable": str(x),
             "start": sp.sstr(work.start[0]), "rates": [sp.sstr(r) for r in rates], "verdicts": verdicts,
             "threshold": sp.sstr(2 / work.curvature)}
    paths = _converge_paths(work)
    answer = []
    for text, factor, v in zip(shown, factors, verdicts, strict=True):  # the factor the prompt asks to explain with
        answer += [Math(r"\eta = " + text), Text(": factor "), Math(r"1 - f''\eta = " + factor), Text(f", {v}; ")]
    answer[-1] = Text(answer[-1].text.rstrip("; "))
    return Problem(identity=f"{work.f} rates {rates}", prompt=fill(work.family.prompt or default, placeholders),
                   # the rates, and the factors they make (read56 F11, read55 F1: two versions on other curvatures
                   # and rates multiplied by the same four factors, the same verdicts, only reordered)
                   course=most_of("converge rates", sorted(rates)) + "\n" + most_of(
                       "converge factors", sorted(sp.Rational(f) for f in work.factors)),
                   answer=answer, answer_text="; ".join(f"{r}: {v}" for r, v in zip(rates, verdicts, strict=True)),
                   steps=_gradient_steps(work) + _converge_steps(work), claims=check,
                   figure=(figure := _figure(work.f, [x], None, paths, None, float(work.minimum))),
                   worksheet_figure=_for_students(figure))


MARK = "Mark each iterate you compute, starting from the black point, and join them in order."


def _for_students(figure: dict) -> dict:
    """The worksheet's figure: the loss (its curve, or its contours) and the start, the iterates left to mark."""
    if figure["kind"] == "contour":
        return marking.contour(figure, MARK)
    run = figure["runs"][0]
    return marking.descent(figure, [run["points"][0], run["values"][0]],
                           MARK if len(figure["runs"]) == 1 else "Mark the first iterates of each rate, starting "
                           "from the black point (one that lands off the plot: write where, at its edge), to see "
                           "which settle, which bounce and which run away.")


def _figure(f, variables, path2d, paths1d, rate, minimum=None, name: str = "f") -> dict:
    """The loss curve with every rate's iterates on it and its minimum marked (for two variables, the
    contour plot); the caption says what each drawn path does, measured from its own points."""
    if len(variables) == 2:
        return _contour_figure(f, variables, path2d, rate, minimum, name)
    runs = ([{"points": p, "label": f"η = {text}"} for (_, p), text in zip(paths1d, _rate_texts(r for r, _ in paths1d),
                                                                           strict=True)] if paths1d else
            [{"points": [p[0] for p in path2d], "label": f"η = {rate:g}"}])
    fn = verify.numeric(f, variables)
    pts = [v for run in runs for v in run["points"]]
    lo, hi = min(pts), max(pts)
    if minimum is None:
        minimum = _exactly(f, variables[0], _lowest(fn, lo, hi))
    far: list[float] = []
    if minimum is not None:
        lo, hi = min(lo, minimum), max(hi, minimum)
        # rates compared: the plot frames the start, the minimum and what stays near them; a rate that runs
        # away leaves it (at seed 7 its jump to x = 19, a loss of 1600, squashed the other rates into a line)
        reach = OFF_PLOT * abs(pts[0] - minimum)
        if len(runs) > 1:
            far = [v for v in pts if abs(v - minimum) > reach]
        if far:
            near = [v for v in pts if abs(v - minimum) <= reach] + [minimum]
            lo, hi = min(near), max(near)
    pad = max(1.0, 0.25 * (hi - lo))
    if far:  # an iterate left off is well off, never half drawn at the frame
        pad = min(pad, 0.8 * min(min(abs(v - lo), abs(v - hi)) for v in far))
    xs = np.linspace(lo - pad, hi + pad, 200)
    ys = verify.evaluate(fn, xs)
    for run in runs:
        run["values"] = [float(v) for v in verify.evaluate(fn, np.array(run["points"], dtype=float))]
    spec = {"kind": "descent1d", "x": [round(float(v), 5) for v in xs], "y": [float(f"{v:.6g}") for v in ys],
            "runs": runs, "label": f"{name}({variables[0]}) = {latex(f)}", "xlabel": str(variables[0]),
            "ylabel": f"{name}({variables[0]})"}  # the problem's own f, not "loss": L is for a loss alone (read27)
    said = f"The curve of {name}({variables[0]}) with the iterates of gradient descent marked and joined in order"
    if minimum is None:
        return spec | {"alt": said + "."}
    m = float(minimum)
    spec["minimum"] = [m, float(verify.evaluate(fn, np.array([m]))[0])]
    # x³/3 − 9x falls without end: its dip at 3 is a local minimum, not the minimum (read23)
    width = max(1.0, float(xs[-1] - xs[0]))
    far_out = verify.evaluate(fn, np.array([m - 100 * width, m + 100 * width]))
    local = bool(np.any(~np.isfinite(far_out) | (far_out < spec["minimum"][1])))
    if local:
        spec["minimum_label"] = "local minimum"
    off = [(run["label"], [(k, p) for k, p in enumerate(run["points"]) if not xs[0] <= p <= xs[-1]]) for run in runs]
    beyond = "".join(f" Off the plot, {label} reaches " + _and([f"{variables[0]} = {p:g} at step {k}" for k, p in out]) + "."
                     for label, out in off if out)
    return spec | {"alt": f"{said}, and its {'local ' * local}minimum at {variables[0]} {caption_said(m)}: "
                          + "; ".join(f"{run['label']} {_path_said(run['points'], m)}".replace(
                              "the minimum", "the local minimum" if local else "the minimum") for run in runs)
                          + "." + beyond}


OFF_PLOT = 1.25  # times the start's distance from the minimum, past which a compared rate's iterate is off the plot


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _lowest(fn, lo: float, hi: float) -> float | None:
    """The lowest point of the curve near the iterates, if it has one inside the window searched: found
    on a grid, then at the vertex of the parabola through it and its neighbours (so a minimum at -1 is
    said to be at -1, not -0.999; exact for a quadratic, and no SymPy in a draw's path)."""
    width = max(1.0, hi - lo)
    xs = np.linspace(lo - 2 * width, hi + 2 * width, 4001)
    ys = verify.evaluate(fn, xs)
    if not np.isfinite(ys).any():
        return None
    i = int(np.nanargmin(ys))
    if not 0 < i < len(xs) - 1:
        # lowest at the window's edge (x³/3 + x²/2 - 12x falls without end to the left): the lowest dip inside it, a
        # local minimum, which the figure stars and names so (read48 F5: the iterates stepped past x = 3, unmarked)
        with np.errstate(invalid="ignore"):
            dips = np.flatnonzero((ys[1:-1] < ys[:-2]) & (ys[1:-1] <= ys[2:])) + 1
        if not dips.size:
            return None
        i = int(dips[np.argmin(ys[dips])])
    before, here, after = ys[i - 1], ys[i], ys[i + 1]
    bend = before - 2 * here + after
    if not (np.isfinite(bend) and bend > 0):
        return float(xs[i])
    vertex = float(xs[i] + (xs[1] - xs[0]) * (before - after) / (2 * bend))
    # the vertex in floating point: x² has it at -1.93e-16, which a caption printed; 9 places is far finer
    # than the grid's step, and -0.0 is 0
    return round(vertex, 9) + 0.0


def _exactly(f, x, found: float | None) -> float | None:
    """The minimum found in floats, put on the fraction of small denominator beside it where f' is 0 exactly: the
    parabola through x³/3 − 9x's lowest points has its vertex a hair off 3, and a caption said "x ≈ 3.0000" (read42)."""
    if found is None:
        return None
    slope = sp.diff(f, x)
    for q in range(1, 13):
        r = sp.Rational(round(found * q), q)
        if abs(float(r) - found) <= 1e-6 * max(1.0, abs(found)) and slope.xreplace({x: r}) == 0:
            return float(r)
    return found


def _path_said(points: list[float], minimum: float) -> str:
    """What a drawn path does, from its points: closes in on the minimum, or moves away, with or
    without jumping across it."""
    off = [p - minimum for p in points]
    across = sum(1 for a, b in itertools.pairwise(off) if a * b < 0)
    first, last = abs(off[0]), abs(off[-1])
    jumping = ", jumping across it" if across else ""
    if last < 0.5 * first:
        return "closes in on the minimum" + jumping
    if last > 1.5 * first:
        return ("jumps across the minimum further out each time" if across else "moves away from the minimum")
    if across:  # measured from the drawn points: exactly as far only where every jump lands as far out
        same = all(abs(abs(o) - first) <= 1e-9 * max(1.0, first) for o in off)
        return f"jumps across the minimum and stays {'exactly' if same else 'about'} as far from it"
    return "moves towards the minimum" if last < first else "moves away from the minimum"


def _bowl_minimum(work: Descent) -> tuple[float, float] | None:
    """Where a loss of two variables is least: its one critical point, from the gradient the draw derived,
    where the second-derivative test says minimum (a bowl); None for any other surface."""
    try:
        found = sp.solve(work.grads, work.variables, dict=True)
    except (NotImplementedError, ValueError):
        return None
    if len(found) != 1 or any(not found[0].get(v, sp.nan).is_real for v in work.variables):
        return None
    if second_derivative_test(sp.hessian(work.f, work.variables).subs(found[0])) != "minimum":
        return None
    return float(found[0][work.variables[0]]), float(found[0][work.variables[1]])


def _contour_figure(f, variables, path2d, rate, minimum, name: str = "f") -> dict:
    """The contours, the path and, for a bowl, its minimum starred: framed to hold them all, so the plot shows
    where the steps are heading (seed 2026's problem 25 left the minimum off the plot)."""
    xs = [p[0] for p in path2d] + ([minimum[0]] if minimum else [])
    ys = [p[1] for p in path2d] + ([minimum[1]] if minimum else [])
    center = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    half = max(max(xs) - min(xs), max(ys) - min(ys), 2.0) * 0.75
    where = f", its minimum at ({caption_number(minimum[0])}, {caption_number(minimum[1])}) starred" if minimum else ""
    return {"kind": "contour", **contour_data(f, variables, center, half_width=half),
            "point": path2d[0], "paths": [{"points": path2d, "label": f"η = {rate:g}", "numbered": True}],
            **({"minimum": list(minimum)} if minimum else {}),
            "xlabel": str(variables[0]), "ylabel": str(variables[1]), "of": "the loss L" if name == "L" else "f",
            "alt": f"Contour plot of {'the loss ' * (name == 'L')}{name}({variables[0]}, {variables[1]}) with the gradient descent path of {len(path2d) - 1} steps "
                   f"from ({caption_number(path2d[0][0])}, {caption_number(path2d[0][1])}) to ({caption_number(path2d[-1][0])}, "
                   f"{caption_number(path2d[-1][1])}){where}."}


def givens(claims: dict) -> dict[str, list[str]]:
    """The start and the rate (or every rate compared)."""
    rates = claims["rates"] if "rates" in claims else [claims["rate"]]
    start = claims["start"] if isinstance(claims["start"], list) else [claims["start"]]
    return {"start": start, "rate": rates}


KIND = Kind("gradient_descent", DescentFamily, {
    "iterate": Ask(solve_iterate, check_iterate, present_iterate),
    "converge": Ask(solve_converge, check_converge, present_converge),
}, givens)
