"""Kind `optimization`: applied optimization, the best price or price and advertising together.

Checks: a grid search around the optimum (41 points a side: f there must be the claimed value and no
grid point may do better), and the gradient measured at the optimum, which must vanish.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field

from workbook import explain, steps, verify
from workbook import expr as E
from workbook.family import Domain, FunctionFamily
from workbook.kind import Ask, Kind
from workbook.kinds.common import (
    contour_data,
    draw_function,
    exact_at,
    partial,
    second_derivative_test,
    solved_together,
)
from workbook.numbers import as_written, decimal_places, latex, matrix_latex, money
from workbook.problem import Degenerate, Math, Problem, Step, Text, fill, param_math, with_params, words


class OptimizationFamily(FunctionFamily):
    """Applied optimization: the best price, or price and advertising together, justified by the
    first- and second-derivative (Hessian) tests."""

    kind: Literal["optimization"] = Field(description="`optimization` for this kind.")
    variables: list[str] = Field(["p"], min_length=1, max_length=2, description="The decision variables.")
    goal: Literal["maximize", "minimize"] = Field("maximize", description="What to do with the function.")
    quantity: str = Field("profit", max_length=40, pattern=r"^[A-Za-z][A-Za-z '-]*$",
                          description="What the function measures, for the wording: words, e.g. `profit`. The "
                                      "key gives it at the best point, and `show --try`, Moodle and Canvas ask for it "
                                      "beside the point: a `prompt` of your own asks for both.")
    domain: Domain = Field((0.0, 50.0), description="Where the optimum must lie (each variable).")

    def names(self) -> list[str]:
        return list(self.variables)


@dataclass
class Optimum:
    """One solved draw: f, its first partials, the one critical point (the optimum, in cents), the
    Hessian (symbolic; at the optimum it decides the test) and the best value."""

    family: OptimizationFamily
    params: dict
    variables: list[sp.Symbol]
    f: sp.Expr
    gradient: list[sp.Expr]
    best: list[sp.Expr]
    hessian: sp.Matrix
    value: sp.Expr
    trees: list[list]  # each first derivative's rule trees, as the solution works them

    @property
    def wanted(self) -> str:
        return "maximum" if self.family.goal == "maximize" else "minimum"

    @property
    def names(self) -> list[str]:
        return [latex(v) for v in self.variables]

    @property
    def hessian_at_best(self) -> sp.Matrix:
        return self.hessian.xreplace(dict(zip(self.variables, self.best, strict=True)))


# ---------------------------------------------------------------- the exact mathematics


def solve(family: OptimizationFamily, params: dict, rng: np.random.Generator) -> Optimum:
    """Draw f; its one critical point must lie in the domain, be a price in cents and be the optimum
    wanted by the second-derivative test."""
    variables = [E.symbol(n) for n in family.variables]
    f = draw_function(family, params, rng, family.variables)
    worked = [steps.differentiate(f, v, 1) for v in variables]
    grad = [steps.tidy(d) for _, d in worked]
    try:
        sols = sp.solve(grad, variables, dict=True)
    except (NotImplementedError, ValueError):  # as for critical points (attack24's D2)
        raise Degenerate("a critical point SymPy cannot solve for") from None
    if len(sols) != 1 or len(sols[0]) != len(variables):
        raise Degenerate("needs exactly one critical point")
    best = [sols[0][v] for v in variables]
    lo, hi = family.domain
    if not all(c.is_real and lo < c < hi for c in best):
        raise Degenerate("the optimum is outside the sensible range")
    # a whole price is in cents too: "or 9" took its 0 places for none (attack25)
    if not all(c.is_Rational and (places := decimal_places(c)) is not None and places <= 2 for c in best):
        raise Degenerate("the optimum is not a price in cents: draw rounder numbers")
    at = dict(zip(variables, best, strict=True))
    H = sp.Matrix([[steps.tidy(partial(g, b)) for b in variables] for g in grad])
    work = Optimum(family, params, variables, f, grad, best, H, exact_at(f, at), [t for t, _ in worked])
    kind = second_derivative_test(work.hessian_at_best)
    if kind != work.wanted:
        raise Degenerate(f"the critical point is a {kind}")
    return work


# ---------------------------------------------------------------- the independent checks


def check(work: Optimum) -> list[verify.Check]:
    """A grid search around the optimum, and the gradient measured there."""
    best = [float(c) for c in work.best]
    shown = ", ".join(f"{v} = {sp.sstr(c)}" for v, c in zip(work.variables, work.best, strict=True))
    return [verify.check_optimum(work.f, work.variables, best, float(work.value), work.family.goal)
            .of(f"no grid point does better than {shown}"),
            verify.check_stationary(work.f, work.variables, best).of(f"the gradient vanishes at {shown}")]


# ---------------------------------------------------------------- what the page shows




def _choice(work: Optimum) -> str:
    return ",\\ ".join(f"{n} = {money(c)}" for n, c in zip(work.names, work.best, strict=True))


def _test_step(work: Optimum) -> Step:
    """The second-derivative test: f'' for one variable, the Hessian and its determinant for two."""
    if len(work.variables) == 1:
        return Step("Second-derivative test", f"f''({work.names[0]}) = {latex(work.hessian[0, 0])}",
                    words("Negative, so the graph bends down and the point is a maximum."
                          if work.wanted == "maximum" else "Positive, so the point is a minimum."))
    H = work.hessian_at_best
    sign = "negative" if work.wanted == "maximum" else "positive"
    return Step("Hessian test", rf"H = {matrix_latex(H.tolist())},\ \det H = {latex(H.det())}",
                words(f"det H > 0 and the diagonal is {sign}: a {work.wanted}."))


def _test_said(work: Optimum) -> str:
    """The test's numbers as the key gives them, beside the answer: the prompt asks the learner to justify, and a
    key of the choice and the value alone gave the teacher nothing to mark the justification by (read44 F5)."""
    H = work.hessian_at_best
    sign = "<" if work.wanted == "maximum" else ">"
    if len(work.variables) == 1:
        return f"f''({work.names[0]}) = {latex(H[0, 0])} {sign} 0"
    first = latex(work.variables[0])
    return rf"\det H = {latex(H.det())} > 0,\ f_{{{first}{first}}} = {latex(H[0, 0])} {sign} 0"


def _steps(work: Optimum) -> list[Step]:
    return _derivatives(work) + _conclusion(work)


def _derivatives(work: Optimum) -> list[Step]:
    """Each first derivative, worked one level below its line (a product of price and demand needs
    the product rule: the solution shows it rather than state the result)."""
    out = []
    for v, g, trees in zip(work.variables, work.gradient, work.trees, strict=True):
        name = latex(v)
        if len(work.variables) == 1:
            out.append(Step("The derivative", f"f'({name}) = {latex(g)}", words("Differentiate the formula.")))
            out += explain.worked_steps(trees, depth=1)
        else:
            out.append(Step(f"Partial derivative with respect to {v}",
                            rf"\frac{{\partial f}}{{\partial {name}}} = {latex(g)}",
                            words("Differentiate, holding the other variable constant.")))
            out += explain.as_partials(explain.worked_steps(trees, depth=1), work.variables)
    return out


def _conclusion(work: Optimum) -> list[Step]:
    several = len(work.variables) > 1
    first = r",\quad ".join(
        rf"\frac{{\partial f}}{{\partial {n}}} = {latex(g)} = 0" if several else f"f'({n}) = {latex(g)} = 0"
        for n, g in zip(work.names, work.gradient, strict=True))
    q = work.family.quantity
    return [Step("Critical point", first, words(
                f"At the best choice the {q} stops changing: set the derivative" + ("s" if several else "")
                + " to zero.")),
            Step("Solve", r",\quad ".join(solved_together(work.gradient, work.variables, [work.best], money)
                                           or [_choice(work)]),
                 words("This is the only critical point.")),
            _test_step(work),
            Step("The best value", _value_at(work), words(f"The {q} at the optimum: its numbers put into the formula."))]


def _value_at(work: Optimum) -> str:
    """f at the optimum, its numbers put in: f(30.5, 23.5) = -2 (30.5)^2 + … = 552.25."""
    # a number in brackets only where it is negative, and a dot for each product: ((11.5) - 5) and -3 (11.5)
    # had doubled their brackets (read22)
    put = sp.latex(as_written(work.f), ln_notation=True, mul_symbol="dot",
                   symbol_names={v: f"({money(c)})" if c < 0 else money(c)
                                 for v, c in zip(work.variables, work.best, strict=True)})
    # and a number under a power in brackets too: -22^2 for -s^2 read as (-22)^2 to a student (read46 F12)
    put = re.sub(r"(?<![\w.)}])(\d+(?:\.\d+)?)\^\{", r"(\1)^{", put)
    at = ", ".join(money(c) for c in work.best)
    return f"f({at}) = {put} = {money(work.value)}"


def _check_record(work: Optimum) -> dict:
    return {"type": "optimum", "function": sp.sstr(work.f), "variables": [str(v) for v in work.variables],
            "goal": work.family.goal, "at": [sp.sstr(c) for c in work.best], "value": sp.sstr(work.value),
            "quantity": work.family.quantity}


def present(work: Optimum) -> Problem:
    """Which choice is best, justified by the first- and second-derivative tests, with its graph."""
    q, one = work.family.quantity, len(work.variables) == 1
    default = f"The {q} is {{f}}. Which " + ("value" if one else "values") + \
        f" {'maximize' if work.wanted == 'maximum' else 'minimize'} it, and what is the {q} there? Justify with the " \
        "second-derivative test."
    # each variable by its name too, set as the formula sets it
    prompt = fill(work.family.prompt or default,
                  with_params({"f": Math(f"f({', '.join(work.names)}) = {latex(work.f)}")},
                              param_math(work.params), later=())
                  | {str(v): Math(latex(v)) for v in work.variables if str(v) not in work.params})
    return Problem(identity=str(work.f), prompt=prompt,
                   # each thing asked for its own part (a ruled line each on the worksheet: render.answer_lines)
                   answer=[*_parted([Math(f"{n} = {money(c)}") for n, c in zip(work.names, work.best, strict=True)]),
                           Text(f"; {q} "), Math(money(work.value)), Text(" ("), Math(_test_said(work)), Text(")")],
                   answer_text=f"{[sp.sstr(c) for c in work.best]} -> {sp.sstr(work.value)}",
                   steps=_steps(work), claims=_check_record(work),
                   figure=_curve(work) if one else _contour(work))  # judged as the point and the value there


def _parted(segments: list) -> list:
    """Segments with the key's part mark between them: "p = 12; s = 4; profit 112" asks for three things."""
    return [piece for i, seg in enumerate(segments) for piece in ([Text("; ")] if i else []) + [seg]]


def _curve(work: Optimum) -> dict:
    """The data for the curve with its flat tangent at the optimum."""
    x0, q = float(work.best[0]), work.family.quantity
    half = max(5, abs(x0) * 0.8)
    start = max(x0 - half, float(work.family.domain[0]))  # no price below the family's domain (a negative one)
    xs = np.linspace(start, start + 2 * half, 200)
    ys = verify.evaluate(verify.numeric(work.f, work.variables), xs)
    return {"kind": "tangent", "x": [round(float(v), 5) for v in xs], "y": [float(f"{v:.6g}") for v in ys],
            # named as the prompt names it, f(p); the axis says what it is (read23: "profit = ..." beside f(p))
            "x0": x0, "y0": float(work.value), "slope": 0.0, "label": f"f({latex(work.variables[0])}) = {latex(work.f)}",
            "tangent_label": r"\mathrm{slope\ 0\ at\ the\ optimum}",  # mathtext drops plain spaces
            "xlabel": str(work.variables[0]), "ylabel": q,  # the problem's own names: price and profit
            "alt": f"The {q} curve with its {work.wanted} at {work.names[0]} = {x0:.4g}, where the tangent is flat."}


def _contour(work: Optimum) -> dict:
    """The data for the contour plot with the optimum marked."""
    best = [float(c) for c in work.best]
    half = max(3.0, 0.6 * max(abs(c) for c in best))
    # the window moved, not cut, to start at the domain's floor: a budget of -4 is no budget (read48 F4)
    centre = [max(c, float(work.family.domain[0]) + half) for c in best]
    return {"kind": "contour", **contour_data(work.f, work.variables, (centre[0], centre[1]), half_width=half),
            "point": None, "marks": [{"at": best, "label": work.wanted}],
            "xlabel": str(work.variables[0]), "ylabel": str(work.variables[1]),
            "alt": f"Contour plot of the {work.family.quantity} with the {work.wanted} marked at "
                   f"({best[0]:.4g}, {best[1]:.4g})."}


KIND = Kind("optimization", OptimizationFamily, {"optimization": Ask(solve, check, present)})
