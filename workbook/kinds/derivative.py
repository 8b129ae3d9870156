"""Kind `derivative`: f'(x) (or a higher derivative), its value at a point, or a tangent line.

Checks: the derivative against one measured from f alone (complex step, else Richardson-
extrapolated central differences) over the domain; a value against the slope measured at the
point; a tangent line against the curve's own value there.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook import explain, functions, marking, school, steps, verify
from workbook import expr as E
from workbook.family import NAME, FunctionFamily, for_asks
from workbook.functions import written_out
from workbook.kind import Ask, Kind
from workbook.kinds.common import draw_function, exact_at, given, shape, whole_around
from workbook.numbers import latex, number_latex
from workbook.problem import Degenerate, Math, Problem, Step, Text, fill, param_math, with_params, words

_PRIMES = {1: "'", 2: "''", 3: "'''"}


class DerivativeFamily(FunctionFamily):
    """A derivative of a function of one variable: the function, its value at a point, or a tangent line."""

    kind: Literal["derivative"] = Field(description="`derivative` for this kind.")
    variable: str = Field("x", pattern=NAME, description="The variable to differentiate with respect to.")
    order: int = Field(1, ge=1, le=4, description="1 for f', 2 for f'', ...")
    ask: Literal["derivative", "value", "tangent"] = Field(
        "derivative", description="What to find: the derivative, its value at `at`, or the tangent line at `at`.")
    at: str | None = Field(None, max_length=100, description="The point, an expression over the params.",
                           json_schema_extra=for_asks("value", "tangent"))
    derive: bool = Field(False, description=(
        "Derive the rule of each sigmoid and tanh the function holds from the function's definition, before "
        "using it: for a prompt that asks to show why σ' = σ(1 - σ) or tanh' = 1 - tanh²."))

    @model_validator(mode="after")
    def _consistent(self):
        if self.ask != "derivative" and self.at is None:
            raise ValueError(f"ask = {self.ask!r} needs a point: at = ...")
        if self.ask == "tangent" and self.variable == "y":  # the line is y = ...: its own y would be the variable
            raise ValueError("ask = 'tangent' writes the line as y = ...: give the function another variable than y")
        if self.ask == "tangent" and self.order != 1:
            raise ValueError("a tangent line needs order = 1")
        written = [self.expression] if self.expression else list(self.expressions or [])
        if self.derive and not any(re.search(r"\b(sigmoid|tanh)\b", text) for text in written):
            raise ValueError("derive: no expression holds sigmoid or tanh, whose rule it derives; remove it")
        bare = next((text for text in written if self.derive and self.ask == "derivative"
                     and re.fullmatch(rf"\s*(sigmoid|tanh)\(\s*{re.escape(self.variable)}\s*\)\s*", text)), None)
        if bare is not None:  # its answer is the rule the cover's table prints beside it (read33)
            raise ValueError(f"derive: the derivative of {bare.strip()} is the rule the book's table of derivatives "
                             "prints, which gives the answer away; scale or compose it (tanh(a*x), tanh(x)^2)")
        return self

    def names(self) -> list[str]:
        return [self.variable]

    def formulas(self):
        extra = [("at", self.at, set(self.params), set())] if self.at is not None else []
        return super().formulas() + extra


# ---------------------------------------------------------------- rules derived from a definition

U = sp.Symbol("u")
_E = sp.exp(-U)


@dataclass(frozen=True)
class Derivation:
    """A function's derivative rule worked out from its definition, for a "show that" prompt: each
    step's display is a chain of equal expressions in u, given here as (LaTeX, SymPy) pairs, so that
    every equality printed is checked (``check_derivation``). ``derived`` marks the step whose first
    expression is the derivative of the definition's last (measured, not assumed)."""

    function: type
    steps: tuple[tuple[str, tuple[str | Math, ...], tuple[tuple[str, sp.Expr | None], ...]], ...]  # (rule, words, chain)
    derived: int  # the step that differentiates
    always: bool = False  # not a rule of the usual table (softplus): derived wherever it is used


DERIVATIONS = (
    Derivation(functions.sigmoid, (
        ("The sigmoid rule, from the definition", ("Write ", Math(r"\sigma"), " as a power of ", Math(r"1 + e^{-u}"), ", so that the chain rule applies."),
         ((r"\sigma(u)", functions.sigmoid(U)), (r"\frac{1}{1 + e^{-u}}", 1 / (1 + _E)),
          (r"\left(1 + e^{-u}\right)^{-1}", (1 + _E) ** -1))),
        ("Chain rule", ("The power rule on the outside, times the derivative of the inside, ", Math(r"-e^{-u}"), "."),
         ((r"\sigma'(u)", None), (r"-\left(1 + e^{-u}\right)^{-2}\cdot\left(-e^{-u}\right)", -((1 + _E) ** -2) * -_E),
          (r"\frac{e^{-u}}{\left(1 + e^{-u}\right)^{2}}", _E / (1 + _E) ** 2))),
        ("Split the fraction", ("The first factor is ", Math(r"\sigma(u)"), "; the second is ", Math(r"1 - \sigma(u)"), ", since ",
          Math(r"e^{-u} = \left(1 + e^{-u}\right) - 1"), "."),
         ((r"\sigma'(u)", None), (r"\frac{1}{1 + e^{-u}}\cdot\frac{e^{-u}}{1 + e^{-u}}", 1 / (1 + _E) * (_E / (1 + _E))),
          (r"\sigma(u)\,\bigl(1 - \sigma(u)\bigr)", functions.sigmoid(U) * (1 - functions.sigmoid(U))))),
    ), derived=1),
    # from exponentials, whose rule the table gives: a derivation through sinh and cosh used their derivatives,
    # which no table of the book's gives (read27)
    Derivation(sp.tanh, (
        ("The tanh rule, from the definition", ("Write tanh with exponentials, so that the quotient rule applies.",),
         ((r"\tanh u", sp.tanh(U)), (r"\frac{e^{u} - e^{-u}}{e^{u} + e^{-u}}", (sp.exp(U) - _E) / (sp.exp(U) + _E)))),
        ("Quotient rule", ("The top's derivative is ", Math(r"e^{u} + e^{-u}"), " and the bottom's ", Math(r"e^{u} - e^{-u}"),
                           " (the exponential rule, and the chain rule for ", Math(r"e^{-u}"),
                           ("): the bottom times the top's derivative, less the top times the bottom's derivative, "
                            "over the bottom squared.")),
         ((r"\frac{d}{du}\tanh u", None),
          (r"\frac{\left(e^{u} + e^{-u}\right)^{2} - \left(e^{u} - e^{-u}\right)^{2}}{\left(e^{u} + e^{-u}\right)^{2}}",
           ((sp.exp(U) + _E) ** 2 - (sp.exp(U) - _E) ** 2) / (sp.exp(U) + _E) ** 2))),
        ("Split the fraction", ("The first part is 1; the second is the square of the quotient that defines ",
                                Math(r"\tanh u"), "."),
         ((r"\frac{d}{du}\tanh u", None),
          (r"1 - \left(\frac{e^{u} - e^{-u}}{e^{u} + e^{-u}}\right)^{2}", 1 - ((sp.exp(U) - _E) / (sp.exp(U) + _E)) ** 2),
          (r"1 - \tanh^{2} u", 1 - sp.tanh(U) ** 2))),
    ), derived=1),
    # softplus' = σ is in no table a learner has: a solution that quoted "the softplus rule" used a σ the
    # prompt had not defined (read22)
    Derivation(functions.softplus, (
        ("The softplus rule, from the definition", ("Write softplus out, so that the chain rule applies.",),
         ((r"\operatorname{softplus}(u)", functions.softplus(U)), (r"\ln\left(1 + e^{u}\right)", sp.log(1 + sp.exp(U))))),
        ("Chain rule", ("One over the logarithm's argument, times the derivative of the inside, ", Math(r"e^{u}"),
                        "; then the top and the bottom times ", Math(r"e^{-u}"), ", which gives the sigmoid."),
         ((r"\frac{d}{du}\operatorname{softplus}(u)", None), (r"\frac{e^{u}}{1 + e^{u}}", sp.exp(U) / (1 + sp.exp(U))),
          (r"\frac{1}{1 + e^{-u}}", 1 / (1 + _E)), (r"\sigma(u)", functions.sigmoid(U)))),
    ), derived=1, always=True),
)


def derivations_for(f: sp.Expr, derive: bool = True) -> list[Derivation]:
    """The derivations of the functions f holds, in the table's order: every one where the prompt asks to
    derive, else those of rules no table gives."""
    return [d for d in DERIVATIONS if f.atoms(d.function) and (derive or d.always)]


def derivation_steps(f: sp.Expr, derive: bool = True) -> list[Step]:
    """The steps that derive each rule f needs, before the worked solution uses them."""
    return [step for d in derivations_for(f, derive) for step in steps_of(d)]


def steps_of(d: Derivation) -> list[Step]:
    """One derivation's steps, as a worked solution prints them (and the end of the solutions book: workbook.quoted)."""
    return [Step(rule, " = ".join(tex for tex, _ in chain), words(*said), depth=int(k > 0))
            for k, (rule, said, chain) in enumerate(d.steps)]


def check_derivation(d: Derivation) -> list[verify.Check]:
    """Every equality a derivation prints, at points over [-3, 3]; the step that differentiates against
    the derivative measured from the definition (complex step); its last line against the rule the
    step engine uses."""
    definition = d.steps[0][2][-1][1]
    points = [[float(t)] for t in verify.sample_points(-3.0, 3.0, 16)]
    checks = []
    for k, (rule, _, chain) in enumerate(d.steps):
        exprs = [e for _, e in chain if e is not None]
        for a, b in itertools.pairwise(exprs):
            checks.append(verify.check_values(a, b, [U], points, what=f"{d.function.__name__}: {rule}"))
        if k == d.derived:
            checks.append(verify.check_derivative(definition, U, 1, exprs[0]).of(f"{d.function.__name__}: {rule}"))
    rule_used = functions.CHAIN[d.function.__name__][1](U)
    last = d.steps[-1][2][-1][1]
    checks.append(verify.check_values(last, rule_used, [U], points, what=f"{d.function.__name__}: the rule used"))
    return checks


def prime(order: int) -> str:
    """f', f'', f''' then f^{(4)}."""
    return _PRIMES.get(order, "^{(%d)}" % order)


@dataclass
class Derivative:
    """One solved draw: f and its derivative of the family's order worked by the step engine; for a
    value or a tangent, the point x0 with f(x0) and the derivative's value there."""

    family: DerivativeFamily
    params: dict
    f: sp.Expr
    x: sp.Symbol
    trees: list
    answer: sp.Expr
    x0: sp.Expr | None = None
    y0: sp.Expr | None = None
    value: sp.Expr | None = None

    @property
    def line(self) -> sp.Expr:
        """The tangent line at x0."""
        return sp.expand(self.value * (self.x - self.x0) + self.y0)


# ---------------------------------------------------------------- the exact mathematics


def solve(family: DerivativeFamily, params: dict, rng: np.random.Generator) -> Derivative:
    """Draw f and differentiate it with the step engine, whose result must equal sympy.diff."""
    x = E.symbol(family.variable)
    f = draw_function(family, params, rng, [family.variable])
    if not f.has(x):
        raise Degenerate(f"the function {f} does not depend on {x}")
    trees, answer = steps.differentiate(f, x, family.order)
    if answer == 0:
        raise Degenerate("the derivative is 0")
    return Derivative(family, params, f, x, trees, at_the_corners(answer, x, left=_from_the_left(family)))


def _from_the_left(family: DerivativeFamily) -> bool:
    """Whether the prompt takes the slope from the left at a corner (as deep-learning libraries do)."""
    return "from the left" in (family.prompt or "") or "{corner}" in (family.prompt or "")


def at_the_corners(answer: sp.Expr, x: sp.Symbol, *, left: bool) -> sp.Expr:
    """The answer with each unit step's value at its switch given, H(u, H0), and each sign(u) written
    2 H(u, H0) - 1, so a record never leaves it to SymPy's H(0) = 1/2, which no convention gives:
    the value from the left where the prompt takes that convention, or where the derivative does not
    jump there (any value then gives the same answer); where it jumps without one, undefined (nan)."""
    swaps = {}
    for atom in answer.atoms(sp.Heaviside, sp.sign):
        u = atom.args[0]
        roots = sorted(school.real_roots(u, x) or (), key=float)
        value = _left_value(u, x, roots)
        if not left and (not roots or any(_jumps(answer, x, r) for r in roots)):
            value = sp.nan
        step = sp.Heaviside(u, value)
        swaps[atom] = step if isinstance(atom, sp.Heaviside) else 2 * step - 1
    return answer.xreplace(swaps) if swaps else answer


def _left_value(u: sp.Expr, x: sp.Symbol, roots: list) -> sp.Expr:
    """H(u) just left of each of its switches, if it is the same at every one (else nan)."""
    sides = set()
    for i, r in enumerate(roots):
        probe = (roots[i - 1] + r) / 2 if i else r - 1
        sides.add(sp.Integer(1) if u.xreplace({x: probe}) > 0 else sp.Integer(0))
    return sides.pop() if len(sides) == 1 else sp.nan


def _jumps(answer: sp.Expr, x: sp.Symbol, at: sp.Expr) -> bool:
    """Whether the answer's values just left and just right of ``at`` differ (measured)."""
    g = verify.numeric(answer, [x])
    a, b = verify.evaluate(g, np.array([float(at) - 1e-7, float(at) + 1e-7]))
    return not (np.isfinite(a) and np.isfinite(b)) or abs(a - b) > 1e-5 * max(1.0, abs(a))


def solve_at(family: DerivativeFamily, params: dict, rng: np.random.Generator) -> Derivative:
    """The derivative, then f and the derivative at the family's point, exactly."""
    work = solve(family, params, rng)
    work.x0 = given(family.at, params)
    work.value = exact_at(work.answer, {work.x: work.x0})
    work.y0 = exact_at(work.f, {work.x: work.x0})
    whole_around(work.f, {work.x: work.x0})
    if family.ask == "value" and work.value == 0:
        raise Degenerate("the value at the point is 0")
    if family.ask == "tangent" and work.value == 0:  # at a vertex the tangent is y = c: no lean for the primer's
        raise Degenerate("the tangent is level there (slope 0)")  # tilt to show, no point-slope to work (read35)
    return work


# ---------------------------------------------------------------- the independent checks


def check(work: Derivative) -> list[verify.Check]:
    """The derivative, measured from f alone over the family's domain; and at each corner of f there,
    its value against the slope measured from the left (where the prompt takes that convention) or
    from both sides (where they agree; where they do not, the answer must say undefined)."""
    name = f"f{prime(work.family.order)}({work.x})"
    checks = [verify.check_derivative(work.f, work.x, work.family.order, work.answer, domain=work.family.domain,
                                      gaps=_pieces(work) is not None).of(name)]
    corners = verify.check_corners(work.f, work.x, work.family.order, work.answer, domain=work.family.domain,
                                   left=_from_the_left(work.family))
    derived = [c for d in derivations_for(work.f, work.family.derive) for c in check_derivation(d)]
    return (checks + ([corners.of(f"{name} at the corners")] if corners is not None else []) + derived
            + _check_pieces(work))


def _pieces(work: Derivative):
    """The derivative in pieces as the key prints it: each the derivative of f's own formula there."""
    return school.derivative_pieces(work.f, work.x, work.family.order)


def _check_pieces(work: Derivative) -> list[verify.Check]:
    """Each printed piece against the derivative measured from f alone (verify.check_pieces)."""
    found = _pieces(work)
    return verify.check_pieces(work.f, work.x, work.family.order, found and found[0],
                               tuple(float(v) for v in work.family.domain))


def check_at(work: Derivative) -> list[verify.Check]:
    """The derivative, and its value at the point against the slope measured there."""
    name = f"f{prime(work.family.order)}({work.x0})"
    return check(work) + [verify.check_value_at(work.f, work.x, work.family.order, float(work.x0),
                                                float(work.value)).of(name)]


def check_tangent(work: Derivative) -> list[verify.Check]:
    """The slope as for a value; and the line must touch the curve at x0."""
    touches = verify.check_values(work.line, work.f, [work.x], [[float(work.x0)]],
                                  what="the tangent touches the curve")
    return check_at(work) + [touches]


# ---------------------------------------------------------------- what the page shows


def _placeholders(work: Derivative) -> dict:
    # the function is the problem's one given: a quotient is set full size (inline, e^{2x}/(x^2 + 8) printed its
    # exponent at about 5 pt), unless the fraction is a power's (its exponent stays an exponent's size)
    fx, x = _full_size_fractions(latex(work.f)), latex(work.x)
    return with_params({"f": Math(f"f({x}) = {fx}"), "fx": Math(fx), "x": Math(x), "order": Text(str(work.family.order)),
                        "corner": Text(CORNER if has_corner(work.f) else "")},
                       param_math(work.params), later=("dfx", "at"))


# what {corner} says, where the function has one: the slope from the left, as deep-learning libraries take it. Printed
# for every draw of a family, it sent a learner looking for a corner in x σ(2x) or GELU (read50 F1)
CORNER = (" Where the formula has a corner the derivative is undefined; as deep-learning libraries do, take the slope "
          "there to be the one from the left (so ReLU\u2032(0) = 0).")


def has_corner(f: sp.Expr) -> bool:
    """Whether f has a corner or a jump: a max, a min, |u|, relu, a step or a sign."""
    return f.has(sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, functions.relu)


# what a prompt says of a function a learner may not have met yet, where its f holds one
DEFINED = ((functions.sigmoid, r"\sigma(u) = 1/\left(1 + e^{-u}\right)"), (functions.softplus, r"\operatorname{softplus}(u) = \ln\left(1 + e^{u}\right)"),
           (functions.relu, r"\operatorname{relu}(u) = \max(0, u)"))


# what a problem that derives a rule from its definition starts from, when the function is one a prompt names without
# defining (tanh): "starting from the definition below" had none below (read30)
DERIVED_FROM = ((sp.tanh, r"\tanh u = \left(e^{u} - e^{-u}\right)/\left(e^{u} + e^{-u}\right)"),)


def _definitions(f: sp.Expr, answer: sp.Expr | None = None, derive: bool = False) -> list:
    """" Here σ(u) = 1/(1 + e^(-u))." for each such function f or its answer holds: a prompt never names one
    undefined, nor a key (softplus' = σ: read22); where the prompt asks to derive a rule, tanh's too."""
    said = [tex for cls, tex in DEFINED + (DERIVED_FROM if derive else ()) if f.atoms(cls)]
    said += [tex for cls, tex in DEFINED if answer is not None and answer.atoms(cls) and tex not in said]
    if not said:
        return []
    parts: list = [Text(" Here ")]
    for k, tex in enumerate(said):
        parts += ([Text(" and ")] if k else []) + [Math(tex)]
    return parts + [Text(".")]


def _check_record(work: Derivative, **extra) -> dict:
    record = {"type": "derivative", "function": sp.sstr(written_out(work.f)), "variable": str(work.x),
              "order": work.family.order, "answer": sp.sstr(written_out(work.answer)), **extra}
    if written_out(work.f) != work.f:  # σ, softplus, ReLU as the prompt names them: a quiz's slips are a learner's
        # working with σ' = σ(1 - σ), not with 1/(1 + e^-u) (user50 F6: 5σ(-x) without its chain factor was called
        # a power-rule slip, which solve --check calls the chain factor dropped)
        record["shown"] = {"function": sp.sstr(work.f)}
    return record


def present(work: Derivative) -> Problem:
    """Find f'(x)."""
    name = f"f{prime(work.family.order)}({latex(work.x)})"
    default = {1: "Find {dfx} for {f}.", 2: "Find the second derivative {dfx} for {f}."}.get(
        work.family.order, "Find the derivative {dfx} of order {order} for {f}.")
    prompt = fill(work.family.prompt or default, {**_placeholders(work), "dfx": Math(name)}) + _definitions(work.f, work.answer,
                                                                                           work.family.derive)
    # a derivative made of steps is shown in pieces, its value where it jumps said: the slope from the left
    # when the prompt takes that convention, else undefined (never a Heaviside left to the reader)
    left = _from_the_left(work.family)
    shown = school.latex_cases(work.answer, work.x, latex, left=left, found=_pieces(work)) or latex(work.answer)
    if work.answer.has(sp.nan) and "cases" not in shown:  # θ(sin x, NaN) in a key (attack25): relu(sin x) switches
        raise Degenerate("its derivative jumps at points the page cannot name in pieces (not the roots of a "
                         "polynomial): draw a function whose steps switch where a polynomial is 0")
    return Problem(identity=str(work.f), likeness=f"derivative {shape(work.f, [work.x])}", prompt=prompt, answer=[Math(f"{name} = {shown}")],
                   answer_text=sp.sstr(work.answer), steps=_worked(work), claims=_check_record(work),
                   setting=_activation(work.f),
                   # a polynomial is the power rule alone, once a derivative: a second derivative of -3x^4 + 2x^3 + 2x
                   # was ★★★ and 6 points beside a three-level chain's ★★ (read56 F5), never more than the family says
                   difficulty=min(work.family.difficulty, work.family.order)
                   if work.f.is_polynomial(work.x) and work.family.order < work.family.difficulty else None)


def _activation(f: sp.Expr) -> str | None:
    """The activation f applies (tanh(2x) in tanh²(2x)), where it applies one: two problems on a sheet never
    apply the same one, since the first one's worked solution holds the second one's answer as a step (tanh²(2x)
    and tanh(2x) on one sheet: read26), whatever its coefficient (tanh²(2x) in Module 1 and tanh(5x) to derive in
    Module 3: read41, and again once a problem deriving σ' kept clear of an example that uses it)."""
    applied = sorted(f"{type(a).__name__}({a.args[0].as_coeff_Mul()[1]})"
                     for a in f.atoms(sp.tanh, functions.sigmoid, functions.softplus))
    return f"activation {applied[0]}" if applied else None


def _worked(work: Derivative) -> list[Step]:
    """The derivative's steps, after the derivation of each rule they use that the prompt asks to derive or
    no table gives (softplus'), whatever the problem then does with the derivative."""
    worked = explain.worked_steps(work.trees)
    derived = derivation_steps(work.f, work.family.derive)
    if derived:  # the rule is no longer quoted from the table: it was just derived
        worked = [replace(step, say=[Text("By the rule derived above, "), *step.say[1:]])
                  if step.say and step.say[0] == Text("From the table of derivatives, ") else step for step in worked]
    return derived + worked


def _substituted(answer: sp.Expr, x: sp.Symbol, x0: sp.Expr) -> str:
    """The derivative with the point put in, not yet worked, and "=": "2 (2 + 2) e^{2 - 2} = " before f'(2) = 8 (the
    value alone skipped the substitution: read41). Empty where it is too long to be worth writing out."""
    if sp.count_ops(answer) > 14:
        return ""
    with sp.evaluate(False):
        put = answer.xreplace({x: sp.Symbol(r"\left(%s\right)" % latex(x0)) if x0.could_extract_minus_sign()
                               else sp.Symbol(latex(x0))})
    return sp.latex(put, mul_symbol="dot", ln_notation=True, inv_trig_style="full") + " = "  # numbers side by side: ·


def present_value(work: Derivative) -> Problem:
    """Find f'(x0)."""
    at_name = f"f{prime(work.family.order)}({latex(work.x0)})"
    evaluate = Step("Evaluate at the point", f"{at_name} = {_substituted(work.answer, work.x, work.x0)}"
                    f"{number_latex(work.value)}",
                    words("Substitute ", Math(f"{latex(work.x)} = {latex(work.x0)}"), " into the derivative."))
    prompt = fill(work.family.prompt or "Let {f}. Find {dfx}.",
                  {**_placeholders(work), "at": Math(latex(work.x0)), "dfx": Math(at_name)}) + _definitions(work.f, work.answer,
                                                                                                work.family.derive)
    return Problem(identity=f"{work.f} at {work.x0}", likeness=f"derivative {shape(work.f, [work.x])}", prompt=prompt,
                   answer=[Math(f"{at_name} = {number_latex(work.value)}")], answer_text=sp.sstr(work.value),
                   steps=_worked(work) + [evaluate],
                   claims=_check_record(work, at=sp.sstr(work.x0), value=sp.sstr(work.value)),
                   numeric=float(work.value))


def present_tangent(work: Derivative) -> Problem:
    """Find the tangent line at x0, drawn with the curve."""
    x, x0, line = latex(work.x), latex(work.x0), _slope_intercept(work.value, work.y0 - work.value * work.x0, work.x)
    shown = _worked(work) + [
        Step("Slope at the point", f"f'({x0}) = {number_latex(work.value)}",
             words("The slope of the tangent is the derivative at ", Math(f"{x} = {x0}"), ".")),
        Step("Point on the curve", f"f({x0}) = {number_latex(work.y0)}",
             words("The tangent touches the graph at ", Math(r"\left(%s,\ f(%s)\right)" % (x0, x0)), ".")),
        Step("Point-slope form", f"y = {line}",
             words("Write ", Math(r"y = f(x_0) + f'(x_0)\,(x - x_0)"), " and collect terms.")),
    ]
    default = "Find the equation of the tangent line to the graph of {f} at {x} = {at}."
    prompt = fill(work.family.prompt or default, {**_placeholders(work), "at": Math(x0),
                                                  "dfx": Math(f"f'({x0})")})
    check = _check_record(work, at=sp.sstr(work.x0), value=sp.sstr(work.value),
                          tangent=sp.sstr(written_out(work.line)))
    return Problem(identity=f"{work.f} at {work.x0}", likeness=f"derivative {shape(work.f, [work.x])}", prompt=prompt,
                   answer=[Math(f"y = {line}")],
                   answer_text=f"y = {sp.sstr(work.line)}", steps=shown, claims=check,
                   figure=(figure := _tangent_figure(work)), worksheet_figure=marking.tangent(figure))


def _slope_intercept(slope, intercept, x) -> str:
    """y = mx + c as a textbook writes it, the slope first: -4x + 1, not SymPy's 1 - 4x (read22)."""
    intercept = sp.simplify(intercept)
    if slope == 0:
        return latex(intercept)
    lead = latex(slope * x)
    if intercept == 0:
        return lead
    # a negated sum in brackets: "- 1 - ln(2)" for −(1 − ln 2) printed the line 2 ln 2 too low (attack27); a
    # sum's own signs are printed term by term, so only a single negated term is pulled out
    if intercept.is_Add:
        text = latex(intercept)
        return f"{lead} - {text[1:].lstrip()}" if text.startswith("-") else f"{lead} + {text}"
    return f"{lead} - {latex(-intercept)}" if intercept.could_extract_minus_sign() else f"{lead} + {latex(intercept)}"


def _tangent_figure(work: Derivative) -> dict:
    """The data the tangent-line diagram is drawn from."""
    x0, y0, slope = float(work.x0), float(work.y0), float(work.value)
    xs = np.linspace(x0 - 3, x0 + 3, 241)
    ys = verify.evaluate(verify.numeric(work.f, [work.x]), xs)
    ys = np.where(np.isfinite(ys), ys, np.nan)
    return {
        "kind": "tangent",
        "alt": (f"Graph of the function near x = {x0:g} with its tangent line of slope {slope:.4g} "
                f"touching the curve at ({x0:g}, {y0:.4g})."),
        "x": [round(float(v), 6) for v in xs],
        "y": [None if np.isnan(v) else round(float(v), 6) for v in ys],
        "x0": x0, "y0": y0, "slope": slope, "label": f"f(x) = {latex(work.f)}",
        # as the answer writes it, the slope first: the legend read y = 1 − 4x beside the key's y = −4x + 1 (read25)
        "tangent_label": f"y = {_slope_intercept(work.value, work.y0 - work.value * work.x0, work.x)}",
    }


def givens(claims: dict) -> dict[str, list[str]]:
    """The point, for a value or a tangent."""
    return {"at": [claims["at"]]} if "at" in claims else {}


KIND = Kind("derivative", DerivativeFamily, {
    "derivative": Ask(solve, check, present),
    "value": Ask(solve_at, check_at, present_value),
    "tangent": Ask(solve_at, check_tangent, present_tangent),
}, givens)


def _full_size_fractions(text: str) -> str:
    r"""\frac as \dfrac where it is not inside a group (an exponent's, a root's): the fractions of the function
    itself, not those of its parts' scripts."""
    out, depth, i = [], 0, 0
    while i < len(text):
        if text.startswith(r"\frac", i) and depth == 0:
            out.append(r"\dfrac")
            i += len(r"\frac")
            continue
        depth += (text[i] == "{") - (text[i] == "}")
        out.append(text[i])
        i += 1
    return "".join(out)
