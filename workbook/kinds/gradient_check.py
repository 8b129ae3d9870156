"""Kind `gradient_check`: test a gradient the way a network's backward pass is tested, by comparing
the analytic partials with centred differences and reporting the relative error of each.

Checks: each analytic partial against one measured from f alone over the domain; the centred
differences recomputed in floating point from f; the relative errors recomputed from those.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, field_validator, model_validator

from workbook import expr as E
from workbook import steps, verify
from workbook.family import Domain, FunctionFamily
from workbook.kind import Ask, Kind
from workbook.kinds.common import draw_function, exact_at, given, in_range, partial, refuse_constant
from workbook.numbers import decimal_places, exact_decimal, latex, point_latex, scientific_latex, significant
from workbook.problem import Degenerate, Math, Problem, Step, Table, Text, fill, maths_and, words


class GradientCheckFamily(FunctionFamily):
    """A gradient check: the analytic partials of a function at a point, their centred-difference
    estimates with step h, and the relative error of each, as a learner checks a backward pass."""

    kind: Literal["gradient_check"] = Field(description="`gradient_check` for this kind.")
    variables: list[str] = Field(["x", "y"], min_length=1, max_length=3, description="The function's variables.")
    point: list[str] = Field(description="The point, one expression over the params per variable.")
    h: str = Field("0.01", max_length=50, description="The step of the centred differences, e.g. 0.01: from "
                                                       "10^-6 up to (not including) 1.")
    domain: Domain = Field((-2.0, 2.0), description="Where the check samples each variable.")

    @model_validator(mode="after")
    def _consistent(self):
        if len(self.point) != len(self.variables):
            raise ValueError(f"point needs {len(self.variables)} coordinates")
        return self

    @field_validator("h")
    @classmethod
    def _step_comparable(cls, text: str) -> str:
        """A step written out is checked as the file loads; one with params, at each draw."""
        return refuse_constant(text, step_allowed)

    def names(self) -> list[str]:
        return list(self.variables)

    def formulas(self):
        extra = [(f"point[{i}]", t, set(self.params), set()) for i, t in enumerate(self.point)]
        return super().formulas() + extra + [("h", self.h, set(self.params), set())]


@dataclass
class GradientCheck:
    """One solved draw: f, its partials, and at the point their values, the centred differences
    (f(p + h e_i) - f(p - h e_i)) / 2h and the relative errors |g - ĝ| / max(|g|, |ĝ|), all exact."""

    family: GradientCheckFamily
    f: sp.Expr
    variables: list[sp.Symbol]
    point: list[sp.Expr]
    h: sp.Expr
    partials: list[sp.Expr]
    analytic: list[sp.Expr]
    nudged: list[tuple[sp.Expr, sp.Expr]]  # f(p + h e_i) and f(p - h e_i) for each variable
    estimates: list[sp.Expr]
    errors: list[sp.Expr]


# ---------------------------------------------------------------- the exact mathematics


def solve(family: GradientCheckFamily, params: dict, rng: np.random.Generator) -> GradientCheck:
    """The partials by the step engine, then both gradients and the relative errors at the point."""
    variables = [E.symbol(n) for n in family.variables]
    f = draw_function(family, params, rng, family.variables)
    point = [given(t, params) for t in family.point]
    h = in_range("h", given(family.h, params), step_allowed)
    partials = [steps.tidy(partial(f, v)) for v in variables]
    at = dict(zip(variables, point))
    analytic = [exact_at(d, at) for d in partials]
    # a corner within h of the point, along a nudged variable: the centred difference straddles it, and "halve h and
    # the error drops about fourfold" was false (attack36b)
    for u in verify.switches(f):
        for v in variables:
            ends = [u.xreplace({**at, v: at[v] + side * h}) for side in (-1, 0, 1)]
            signs = {sp.sign(sp.N(e, 30)) for e in ends if e.is_number}
            if len(signs) > 1 or 0 in signs:
                raise Degenerate(f"a corner of the function lies within h of the point along {v}: the centred difference "
                                 "straddles it; choose a point or an h that keeps clear of it")
    nudged = [(exact_at(f, {**at, v: at[v] + h}), exact_at(f, {**at, v: at[v] - h})) for v in variables]
    estimates = [steps.tidy((up - down) / (2 * h)) for up, down in nudged]
    errors = []
    for a, n in zip(analytic, estimates):
        if a == 0:  # against 0 a relative error is 0/0, or 1 at every h: "halve h and the error drops about
            # fourfold if the derivative is right" was false for a right ∂f/∂x = 0 (read40)
            raise Degenerate("a partial is 0 at the point: a relative error against 0 says nothing")
        errors.append(steps.tidy(sp.Abs(a - n) / sp.Max(sp.Abs(a), sp.Abs(n))))
    if all(e == 0 for e in errors):
        raise Degenerate("the centred differences are exact here: nothing to compare")
    for v, a, e in zip(variables, analytic, errors):  # the verdict says halving h cuts the error about fourfold
        if e == 0:
            continue
        up, down = exact_at(f, {**at, v: at[v] + h / 2}), exact_at(f, {**at, v: at[v] - h / 2})
        halved = sp.Abs(a - (up - down) / h) / sp.Max(sp.Abs(a), sp.Abs((up - down) / h))
        if not 3 <= sp.N(e / halved, 30) <= 5:
            raise Degenerate(f"halving h does not cut the error in {v} about fourfold here: h is too large for its "
                             "h² term to lead; choose a smaller h")
    return GradientCheck(family, f, variables, point, h, partials, analytic, nudged, estimates, errors)


# ---------------------------------------------------------------- the independent checks


def check(work: GradientCheck) -> list[verify.Check]:
    """Each partial measured from f; the centred differences and relative errors recomputed in floats."""
    out = [verify.check_partial(work.f, work.variables, [v], d, domain=work.family.domain).of(f"df/d{v}")
           for v, d in zip(work.variables, work.partials)]
    point = [[float(c) for c in work.point]]
    for v, d, n, e in zip(work.variables, work.partials, work.estimates, work.errors):
        # the centred difference and the relative error as functions of the point, evaluated there in floats
        def relative(step: sp.Expr, v=v, d=d) -> sp.Expr:
            centred = (work.f.xreplace({v: v + step}) - work.f.xreplace({v: v - step})) / (2 * step)
            return sp.Abs(d - centred) / sp.Max(sp.Abs(d), sp.Abs(centred))

        centred = (work.f.xreplace({v: v + work.h}) - work.f.xreplace({v: v - work.h})) / (2 * work.h)
        out.append(verify.check_values(n, centred, work.variables, point, what=f"the centred difference in {v}"))
        out.append(verify.check_values(e, relative(work.h), work.variables, point, what=f"the relative error in {v}"))
        if e != 0:  # the verdict's promise: what is left is the centred difference's own error, and halving h cuts
            # it about fourfold (read40: a right ∂f/∂x = 0 had a relative error of 1 at every h)
            # (to 40 digits: at h = 10^-6 a double's rounding is larger than the error itself)
            point_at = dict(zip(work.variables, work.point))
            ratio = float(sp.N(relative(work.h).xreplace(point_at), 40) / sp.N(relative(work.h / 2).xreplace(point_at), 40))
            out.append(verify.agree([4.0], [ratio], f"the relative error in {v} at h, four times its value at h/2",
                                    "centred differences at h/2", rtol=0.25))
    return out


# ---------------------------------------------------------------- what the page shows


def _derivatives(work: GradientCheck) -> list[str]:
    """How each derivative is written: f'(x) in one variable, the partials in several."""
    if len(work.variables) == 1:
        return [f"f'({latex(work.variables[0])})"]
    return [r"\frac{\partial f}{\partial %s}" % latex(v) for v in work.variables]


def _at_point(work: GradientCheck) -> list[str]:
    """Each analytic value's name: f'(x0) in one variable, g_x, g_y ... in several (g and its estimate ĝ:
    not a and n, which a network's problem on the same page uses for an activation and the examples' number)."""
    if len(work.variables) == 1:
        return [f"g = f'({latex(work.point[0])})"]
    return [f"g_{{{latex(v)}}}" for v in work.variables]


def _point(work: GradientCheck) -> str:
    if len(work.variables) == 1:
        return f"{latex(work.variables[0])} = {latex(work.point[0])}"
    return point_latex(work.point)


LEAST_H = sp.Rational(1, 10**6)  # a centred difference a learner works by hand or in float64


def step_allowed(h: sp.Expr) -> str | None:
    """Why h is no step to check with, or None (a step of 10^-200 left numbers no check can compare)."""
    if h.is_Rational and LEAST_H <= h < 1:
        return None
    return "must be a number from 10^-6 up to (not including) 1, a fraction or a decimal such as 0.01"


def _steps(work: GradientCheck) -> list[Step]:
    """The partials, the centred differences and their table, the relative errors and theirs, the verdict."""
    h, one = significant(work.h), len(work.variables) == 1
    i = "" if one else "_i"  # one derivative, or one entry for each variable
    partial = [f"f'({latex(work.point[0])})"] if one else [
        f"\\partial f/\\partial {latex(v)}" for v in work.variables]
    nudge = (r"f(x_0 + h)", r"f(x_0 - h)") if one else (r"f(p + h\,e_i)", r"f(p - h\,e_i)")
    first = r"\text{derivative}" if one else r"\text{partial}"
    estimates = Table([first, *nudge, rf"\hat{{g}}{i}"], [[d, _value(up), _value(down), significant(e)]
                                               for d, (up, down), e in zip(partial, work.nudged, work.estimates)])
    errors = Table([first, f"g{i}", rf"\hat{{g}}{i}", f"r{i}"], [[d, latex(a), significant(e), scientific_latex(err)]
                                                      for d, a, e, err in zip(partial, work.analytic, work.estimates,
                                                                              work.errors)])
    worst = max(work.errors, key=float)
    where = words("the input ", Math(_point(work).replace(latex(work.variables[0]), "x_0", 1))) if one else words(
        "one coordinate of ", Math("p = " + _point(work)), " at a time")
    return [
        Step("The derivative" if one else "Analytic partials",
             r",\quad ".join(f"{n} = {latex(d)}" for n, d in zip(_derivatives(work), work.partials)),
             words("Differentiate." if one else "Differentiate once in each variable, holding the others constant.")),
        Step("At the point", r",\quad ".join(f"{n} = {latex(a)}" for n, a in zip(_at_point(work), work.analytic)),
             words("The analytic value", "" if one else "s", " ", Math(f"g{i}"), " at ", Math(_point(work)), ".")),
        Step("Centred differences", r"\hat{g}%s = \frac{%s - %s}{2h},\quad h = %s" % (i, *nudge, h),
             words("Nudge ", *where, " up and down by ", Math(f"h = {h}"), " and divide the change in ", Math("f"),
                   " by the distance between the two points, ", Math("2h"), ".")),
        Step("The estimates", "", [estimates]),
        Step("Rounding", "", _rounding(work)),
        Step("Relative error", r"r%s = \frac{|g%s - \hat{g}%s|}{\max(|g%s|, |\hat{g}%s|)}" % (i, i, i, i, i),
             words("With ", Math(f"g{i}"), " the analytic value and ", Math(rf"\hat{{g}}{i}"), " the estimate.")),
        Step("The errors", "", [errors]),
        Step("Verdict", (r"r" if one else r"\max_i r_i") + r" \approx %s" % scientific_latex(worst),
             _verdict(worst, one) + _exact(work)),
    ]


def present(work: GradientCheck) -> Problem:
    """Find the partials, their estimates and the relative errors; the steps show every number."""
    names = [latex(v) for v in work.variables]
    default = ("A gradient check compares a derivative you worked out with a centred difference. For {f} at "
               "{point}, find the derivative, its centred-difference estimate with {h}, and the relative error."
               if len(names) == 1 else
               "A gradient check compares a gradient you derived with centred differences. For {f} at "
               "{point}, find the analytic partials, their centred-difference estimates with {h}, and the "
               "relative error of each.")
    default += (" The relative error of a worked value {g} against an estimate {ghat} is {relative}. Give each "
                "estimate to 8 significant figures (zeros at its end may be left off) and each relative error to 2, "
                "written like {example}.")
    prompt = fill(work.family.prompt or default, {"f": Math(f"f({', '.join(names)}) = {latex(work.f)}"),
                                                  "point": Math(_point(work)),
                                                  "h": Math(f"h = {significant(work.h)}"),
                                                  "g": Math("g"), "ghat": Math(r"\hat{g}"),
                                                  "example": Math(_example(work.errors)),
                                                  "a": Math("g"), "n": Math(r"\hat{g}"),  # their first names
                                                  "relative": Math(r"|g - \hat{g}| / \max(|g|, |\hat{g}|)")})
    answer = []
    names_at = [f"f'({latex(work.point[0])})"] if len(names) == 1 else _derivatives(work)
    for n, a, e, err in zip(names_at, work.analytic, work.estimates, work.errors):
        answer += words(Math(f"{n} = {latex(a)}"), ", estimate ",
                        Math(significant(e)), ", relative error ", Math(scientific_latex(err)), "; ")
    answer[-1] = Text(".")
    claims = {"type": "gradient_check", "function": sp.sstr(work.f), "variables": [str(v) for v in work.variables],
              "point": [sp.sstr(c) for c in work.point], "h": sp.sstr(work.h),
              "gradient": [sp.sstr(a) for a in work.analytic], "estimate": [sp.sstr(e) for e in work.estimates],
              "relative_error": [sp.sstr(e) for e in work.errors]}
    answer_text = "; ".join(f"{v}: {sp.sstr(a)}, {float(e):.8g}, {float(err):.3g}"
                            for v, a, e, err in zip(work.variables, work.analytic, work.estimates, work.errors))
    # each row a difference estimates away from its derivative is a course: two versions' ∂f/∂x = 4, estimate 4.0001,
    # relative error 2.5 × 10^-5 alike was the one row of work the problem is about (read57 F4, read55 F8)
    rows = [f"gradient check row {sp.sstr(a)}, {sp.sstr(e)}" for a, e, err in
            zip(work.analytic, work.estimates, work.errors) if err != 0]
    rows.append(f"function {sp.sstr(work.f)}")  # and its function: two versions' at two points shared its partials (read59 F3)
    return Problem(identity=f"{work.f} at {work.point} h={work.h}", prompt=prompt, answer=answer,
                   answer_text=answer_text, steps=_steps(work), claims=claims, course="\n".join(rows) or None)


EXAMPLES = (r"1.5 \times 10^{-9}", r"1.5 \times 10^{-8}")  # the form a relative error is written in


def _example(errors) -> str:
    """A relative error's written form, by an example no error of this problem can be: its power of ten is none
    of theirs. "as 2.5 × 10⁻⁵" was the answer itself at seed 11 (read23)."""
    powers = {scientific_latex(e).rpartition("10^")[2] for e in errors}
    return next(ex for ex in EXAMPLES if ex.rpartition("10^")[2] not in powers)


def _value(value: sp.Expr) -> str:
    """f at a nudged point: the decimal it ends in, else to ten significant figures."""
    return exact_decimal(value) if value.is_Rational and decimal_places(value) is not None else significant(value, 10)


def _rounding(work: GradientCheck) -> list:
    """Why this table is not at 4 places (a teacher's read: 8.100602 beside 8.0501, with no word why): the
    estimate divides a small difference of f by 2h, so f is given as it ends and the estimate to 8 figures."""
    values = [v for pair in work.nudged for v in pair]
    ending = [v.is_Rational and decimal_places(v) is not None for v in values]
    f_said = ("exactly, as its decimal ends" if all(ending) else "to 10 significant figures" if not any(ending)
              else "exactly where its decimal ends, else to 10 significant figures")
    return words("Here ", Math("f"), f" is given {f_said}, and each estimate to 8 significant figures, not to 4 "
                 "places: the estimate divides a small difference of ", Math("f"), " by ", Math("2h"),
                 ", which would magnify a rounding.")


def _exact(work: GradientCheck) -> list:
    """Why a relative error is exactly 0, where one is: f has no third derivative in that variable at the point (it
    is quadratic in it), so its centred difference has no h² term to leave. Unsaid, a student suspected a slip, or
    took centred differences for exact, beside a primer that says a right gradient leaves a small error (read41)."""
    exact = [v for v, e in zip(work.variables, work.errors) if e == 0]
    if not exact or len(work.variables) == 1:
        return []
    at = dict(zip(work.variables, work.point))
    third = [v for v in exact if sp.diff(work.f, v, 3).xreplace(at) == 0]
    names = [latex(v) for v in exact]
    if third != exact:  # an exact centred difference for another reason: said as it is, no reason claimed
        return words(" The relative error in ", Math(names[0]), " is 0: its centred difference is exact here.")
    quadratic = all(work.f.is_polynomial(v) and sp.degree(work.f, v) <= 2 for v in exact)
    return words(" The relative error in ", *maths_and(names), " is 0: ", Math("f"),
                 " is quadratic in " if quadratic else " has a third derivative of 0 here in ", *maths_and(names), " (",
                 *maths_and([rf"\partial^3 f/\partial {n}^3 = 0" for n in names]),
                 "), so the centred difference leaves no ", Math("h^2"), " term there.")


def _verdict(worst: sp.Expr, one: bool) -> list:
    """Below 1e-4 a gradient passes: what is left is the centred difference's own error, of order h^2."""
    error = "The relative error is" if one else "Every relative error is"
    if float(worst) < 1e-4:
        # one that prints as 1.0 × 10^-4 to the two figures the table gives is said to be under it, to five (read55
        # F15: "below 10^-4" beside a printed 1.0 × 10^-4 puzzled)
        close = (words(" (the largest, ", Math(scientific_latex(worst, 5)), ", prints as ", Math(scientific_latex(worst, 2)),
                       " to two figures)") if float(worst) >= 0.95e-4 else [])
        return words(f"{error} below ", Math(r"10^{-4}"), *close, ": the analytic ", "derivative" if one else "gradient",
                     " passes. What is left is the centred difference's own error, which shrinks like ", Math("h^2"),
                     ".")
    return words("The relative error is" if one else "The largest relative error is", " above ", Math(r"10^{-4}"),
                 ": with so large a step the centred difference itself is off by a term of order ", Math("h^2"),
                 "; halve ", Math("h"), " and the error drops about fourfold if the derivative is right.")


def givens(claims: dict) -> dict[str, list[str]]:
    """The point and the step h."""
    return {"point": list(claims["point"]), "h": [claims["h"]]}


KIND = Kind("gradient_check", GradientCheckFamily, {"gradient_check": Ask(solve, check, present)}, givens)
