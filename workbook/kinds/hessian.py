"""Kind `hessian`: Jacobians, Hessians, and critical points classified by the second-derivative test.

Checks: every matrix entry (and, for a scalar function, every first partial) against the partial
derivative measured from the function alone over the family's box; each critical point against the
gradient measured there (it must vanish), and its type against the signs of the eigenvalues of the
Hessian measured there, which must also match the Hessian the table shows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook import expr as E
from workbook import steps, verify
from workbook.family import Domain, FunctionFamily
from workbook.kind import Ask, Kind
from workbook.kinds.common import (
    contour_data,
    draw_function,
    given,
    most_of,
    partial,
    second_derivative_test,
    solved_together,
)
from workbook.numbers import latex, matrix_latex, point_latex
from workbook.problem import Degenerate, Math, Problem, Step, Table, Text, fill, words


class HessianFamily(FunctionFamily):
    """Jacobians of vector functions, Hessians of scalar ones, and critical points classified by the
    second-derivative test."""

    kind: Literal["hessian"] = Field(description="`hessian` for this kind.")
    variables: list[str] = Field(["x", "y"], min_length=2, max_length=3, description="The variables.")
    ask: Literal["jacobian", "hessian", "classify"] = Field(
        "hessian", description="jacobian: the matrix of first partials of `components`; hessian: the matrix "
                               "of second partials; classify: find the critical points and say which are "
                               "minima, maxima or saddles.")
    components: list[str] | None = Field(None, min_length=2, max_length=3,
                                         description="For a Jacobian: the vector function's components.")
    expression: str | None = Field(None, max_length=400, description="The scalar function (hessian, classify).")
    domain: Domain = Field((-2.0, 2.0), description="Where the check samples each variable.")

    @model_validator(mode="after")
    def _one_expression(self):
        if self.ask == "jacobian":
            if self.components is None or self.expression is not None or self.expressions is not None:
                raise ValueError("a Jacobian needs components = [...] and no expression")
        elif self.components is not None:  # the key at fault named, not the expression (attack25)
            raise ValueError(f"components: ask = {self.ask!r} takes a scalar expression; components are for "
                             "ask = 'jacobian'")
        elif (self.expression is None) == (self.expressions is None):
            raise ValueError(f"ask = {self.ask!r} needs exactly one of expression or expressions")
        return self

    def templates(self) -> list[str]:
        if self.components is not None:
            return ["; ".join(self.components)]
        return super().templates()

    def names(self) -> list[str]:
        return list(self.variables)

    def formulas(self):
        if self.components is None:
            return super().formulas()
        params = set(self.params) | set(self.variables)
        return [(f"components[{i}]", t, params, set()) for i, t in enumerate(self.components)]


@dataclass
class Hessian:
    """One solved draw: for a Jacobian the components of F and their matrix of first partials; for a
    scalar f its first partials and Hessian, and for a classification the critical points, sorted,
    with the type of each."""

    family: HessianFamily
    variables: list[sp.Symbol]
    f: sp.Expr | None = None
    gradient: list[sp.Expr] = field(default_factory=list)
    hessian: sp.Matrix | None = None
    components: list[sp.Expr] = field(default_factory=list)
    jacobian: list[list[sp.Expr]] = field(default_factory=list)
    points: list[list[sp.Expr]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)

    def hessian_at(self, point: list[sp.Expr]) -> sp.Matrix:
        return self.hessian.xreplace(dict(zip(self.variables, point, strict=True)))

    @property
    def args(self) -> str:
        return ", ".join(latex(v) for v in self.variables)


# ---------------------------------------------------------------- the exact mathematics


def solve_jacobian(family: HessianFamily, params: dict, rng: np.random.Generator) -> Hessian:
    """The components with the drawn parameters put in, and each one's partials by the step engine."""
    variables = [E.symbol(n) for n in family.variables]
    comps = [given(t, params, family.variables) for t in family.components]
    J = [[steps.tidy(partial(c, v)) for v in variables] for c in comps]
    if all(d == 0 for row in J for d in row):
        raise Degenerate("the Jacobian is zero")
    return Hessian(family, variables, components=comps, jacobian=J)


def solve_hessian(family: HessianFamily, params: dict, rng: np.random.Generator) -> Hessian:
    """Draw f; its first partials and its second partials, each by the step engine."""
    variables = [E.symbol(n) for n in family.variables]
    f = draw_function(family, params, rng, family.variables)
    H = sp.Matrix([[steps.tidy(partial(partial(f, a), b)) for b in variables] for a in variables])
    grad = [steps.tidy(partial(f, v)) for v in variables]
    if H == sp.zeros(len(variables)):
        raise Degenerate("the Hessian is zero")
    return Hessian(family, variables, f=f, gradient=grad, hessian=H)


def solve_classify(family: HessianFamily, params: dict, rng: np.random.Generator) -> Hessian:
    """The Hessian, then the critical points (1 to 4, all rational) and the test's verdict at each."""
    work = solve_hessian(family, params, rng)
    points = []
    try:
        found = sp.solve(work.gradient, work.variables, dict=True)
    except (NotImplementedError, ValueError):  # exp(y) beside a cubic: SymPy's own words were a build's end
        raise Degenerate("critical points SymPy cannot solve for") from None  # (attack24's D2)
    for sol in found:
        if len(sol) != len(work.variables) or not all(sol[v].is_real and sol[v].is_Rational for v in work.variables):
            raise Degenerate("critical points that are not plain numbers")
        points.append([sol[v] for v in work.variables])
    if not 1 <= len(points) <= 4:
        raise Degenerate("too few or too many critical points")
    work.points = sorted(points, key=lambda p: [float(c) for c in p])
    work.kinds = [second_derivative_test(work.hessian_at(p)) for p in work.points]
    if "inconclusive" in work.kinds:
        raise Degenerate("the test is inconclusive at a critical point")
    return work


# ---------------------------------------------------------------- the independent checks


def check_jacobian(work: Hessian) -> list[verify.Check]:
    """Each entry against the partial of its component measured over the box."""
    return [verify.check_partial(c, work.variables, [v], d, domain=work.family.domain).of(f"dF{i}/d{v}")
            for i, (c, row) in enumerate(zip(work.components, work.jacobian, strict=True), start=1)
            for v, d in zip(work.variables, row, strict=True)]


def check_hessian(work: Hessian) -> list[verify.Check]:
    """Each second partial, then each first partial, against the one measured from f over the box."""
    f, xs, domain = work.f, work.variables, work.family.domain
    second = [verify.check_partial(f, xs, [a, b], work.hessian[i, j], domain=domain).of(f"f_{a}{b}")
              for i, a in enumerate(xs) for j, b in enumerate(xs)]
    first = [verify.check_partial(f, xs, [v], g, domain=domain).of(f"f_{v}")
             for v, g in zip(xs, work.gradient, strict=True)]
    return second + first


def check_classify(work: Hessian) -> list[verify.Check]:
    """The matrices as for a Hessian; at each critical point the measured gradient vanishes and the
    measured Hessian's eigenvalues have the signs the verdict claims."""
    checks = check_hessian(work)
    for p, kind in zip(work.points, work.kinds, strict=True):
        at, shown = [float(c) for c in p], "(" + ", ".join(sp.sstr(c) for c in p) + ")"
        Hp = [[float(c) for c in row] for row in work.hessian_at(p).tolist()]
        checks += [verify.check_stationary(work.f, work.variables, at).of(f"grad f = 0 at {shown}"),
                   verify.check_classification(work.f, work.variables, at, Hp, kind).of(f"{shown} is a {kind}")]
    return checks


# ---------------------------------------------------------------- what the page shows


def present_jacobian(work: Hessian) -> Problem:
    """Find the Jacobian matrix, worked one row (one output) at a time."""
    m, n = len(work.components), len(work.variables)
    shown = [Step("Row by row", r"J_{ij} = \frac{\partial f_i}{\partial x_j}",
                  words(f"One row per output ({m}), one column per input ({n}): a {m}×{n} matrix."))]
    for i, (c, row) in enumerate(zip(work.components, work.jacobian, strict=True), start=1):
        entries = ",\\ ".join(rf"\frac{{\partial f_{{{i}}}}}{{\partial {latex(v)}}} = {latex(d)}"
                              for v, d in zip(work.variables, row, strict=True))
        shown.append(Step(f"Row {i}", rf"f_{{{i}}} = {latex(c)}:\quad " + entries,
                          words("Differentiate this output with respect to each input."), depth=1))
    vec = r"\left(" + ",\\ ".join(latex(c) for c in work.components) + r"\right)"
    check = {"type": "jacobian", "components": [sp.sstr(c) for c in work.components],
             "variables": [str(v) for v in work.variables],
             "jacobian": [[sp.sstr(d) for d in row] for row in work.jacobian]}
    prompt = fill(work.family.prompt or "Find the Jacobian matrix of {F}.", {"F": Math(f"F({work.args}) = {vec}")})
    # a row shared is an output copied: two rows each a course, three any two of them
    rows = [sp.sstr(c) for c in work.components]
    course = "\n".join(f"jacobian row {row}" for row in rows) if len(rows) < 3 else most_of("jacobian rows", rows)
    return Problem(identity=str(work.components), prompt=prompt, course=course,
                   answer=[Math(f"J = {matrix_latex(work.jacobian)}"), Text(f" ({m}×{n})")],
                   answer_text=sp.sstr(work.jacobian), steps=shown, claims=check)


def _partials_steps(work: Hessian) -> list[Step]:
    # ∂ for partials, as everywhere (notation.md): f_x read as a coordinate's subscript (read22)
    first = r",\quad ".join(rf"\frac{{\partial f}}{{\partial {latex(v)}}} = {latex(g)}"
                            for v, g in zip(work.variables, work.gradient, strict=True))
    return [Step("First partials", first,
                 words("Differentiate once with respect to each variable, holding the others constant.")),
            Step("Second partials", "H = " + matrix_latex(work.hessian.tolist()),
                 words("Differentiate each first partial again; row i, column j holds ",
                       Math(r"\partial^2 f / \partial x_i \partial x_j"), ", and the mixed entries agree."))]


def _hessian_record(work: Hessian) -> dict:
    return {"type": "hessian", "function": sp.sstr(work.f), "variables": [str(v) for v in work.variables],
            "hessian": [[sp.sstr(c) for c in row] for row in work.hessian.tolist()]}


def _prompt(work: Hessian, default: str) -> list:
    return fill(work.family.prompt or default, {"f": Math(f"f({work.args}) = {latex(work.f)}")})


def present_hessian(work: Hessian) -> Problem:
    """Find the Hessian matrix."""
    return Problem(identity=str(work.f), prompt=_prompt(work, "Find the Hessian matrix of {f}."),
                   answer=[Math("H = " + matrix_latex(work.hessian.tolist()))],
                   answer_text=sp.sstr(work.hessian.tolist()), steps=_partials_steps(work),
                   claims=_hessian_record(work))


def _test_step(work: Hessian) -> Step:
    """The second-derivative test, with a table of each point's Hessian, determinant and type."""
    rows = [[point_latex(p), matrix_latex(work.hessian_at(p).tolist()), latex(work.hessian_at(p).det()),
             rf"\text{{{kind}}}"] for p, kind in zip(work.points, work.kinds, strict=True)]
    first = latex(work.variables[0])
    curve = rf"\frac{{\partial^2 f}}{{\partial {first}^2}}"
    return Step("Second-derivative test", "", words(
        "At each point: both eigenvalues of H positive means a minimum, both negative a maximum, mixed signs "
        "a saddle. For two variables: ", Math(r"\det H > 0"), " with ", Math(curve + " > 0"),
        " is a minimum, with ", Math(curve + " < 0"), " a maximum; ", Math(r"\det H < 0"), " is a saddle.",
        Table(["\\text{point}", "H", r"\det H", r"\text{type}"], rows)))


def present_classify(work: Hessian) -> Problem:
    """Find and classify every critical point; a contour plot marks them when there are two variables."""
    points = r"\nabla f = 0 \Rightarrow " + ",\\ ".join(point_latex(p) for p in work.points)
    solving = solved_together(work.gradient, work.variables, work.points)
    shown = _partials_steps(work) + [
        Step("Critical points", r",\quad ".join([*(solving or []), points]),
             words("Set every first partial to zero and solve together"
                   + (": each equation alone, or one solved for a variable and put into the other." if solving
                      else "."))),
        _test_step(work)]
    answer = []
    for p, k in zip(work.points, work.kinds, strict=True):
        answer += [Math(point_latex(p)), Text(f" {k}")]
        if len(work.variables) == 2:  # the test's numbers the classification rests on, for the key (read44 F5): a
            H = work.hessian_at(p)  # minimum or a maximum by the curvature along the first name too (read46 F5)
            tested = [Math(rf"\det H = {latex(H.det())}")]
            if H.det() > 0:
                tested += [Text(", "), Math(rf"f_{{{latex(work.variables[0])}{latex(work.variables[0])}}} = {latex(H[0, 0])}")]
            answer += [Text(" ("), *tested, Text(")")]
        answer.append(Text("; "))
    answer.pop()
    check = {**_hessian_record(work), "type": "critical_points",
             "points": [[sp.sstr(c) for c in p] for p in work.points], "kinds": work.kinds}
    default = "Find every critical point of {f} and classify each as a minimum, a maximum or a saddle point."
    # the critical values of each variable, a course each: versions alike in x's found half the points alike
    course = "\n".join(f"critical {v}: {sorted({sp.sstr(p[k]) for p in work.points})}"
                       for k, v in enumerate(work.variables))
    return Problem(identity=str(work.f) + " classify", prompt=_prompt(work, default), answer=answer, course=course,
                   answer_text="; ".join(f"{[sp.sstr(c) for c in p]} {k}"
                                         for p, k in zip(work.points, work.kinds, strict=True)),
                   steps=shown, claims=check, figure=(figure := _contour(work) if len(work.variables) == 2 else None),
                   worksheet_figure=figure and _sheet_contour(work, figure) | {"alt": (
                       "The plane around the critical points, on a grid. Mark each critical point you find and write "
                       "beside it: minimum, maximum or saddle.")})


def _sheet_contour(work: Hessian, figure: dict) -> dict:
    """The worksheet's plot: the plane about the origin on a grid, its half-width a whole number past every
    critical point, and no contour line. Contour lines gave the answer away whatever their levels: rings round
    each extremum, rising or falling inwards, and the cross of a saddle (read20, read22, read23)."""
    reach = max(abs(float(c)) for p in work.points for c in p)
    half = float(math.ceil(reach + 1.5))
    return {"kind": "contour", "x": [-half, half], "y": [-half, half], "z": [[None, None], [None, None]],
            "point": None, "grid": True, "xlabel": figure["xlabel"], "ylabel": figure["ylabel"]}


def _contour(work: Hessian) -> dict:
    """The data the contour plot with the critical points marked is drawn from."""
    points, kinds = work.points, work.kinds
    xs, ys = [float(p[0]) for p in points], [float(p[1]) for p in points]
    center = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
    half = max(max(xs) - min(xs), max(ys) - min(ys), 1.0) * 0.9 + 1
    return {"kind": "contour", **contour_data(work.f, work.variables, center, half_width=half), "point": None,
            "marks": [{"at": [float(c) for c in p], "label": k} for p, k in zip(points, kinds, strict=True)],
            "xlabel": str(work.variables[0]), "ylabel": str(work.variables[1]),
            # contour lines about the values at the critical points: over the sheet's wider window x^3 - 3x ran
            # to ±125 and no line came near the maximum's 11 or the saddle's 7
            "levels_near": (values := [float(work.f.subs(dict(zip(work.variables, p, strict=True)))) for p in points]),
            # a ring close round each extremum, inside it (figures.contour_levels)
            "levels_rings": [[v, 1 if k == "minimum" else -1] for v, k in zip(values, kinds, strict=True)
                             if k in ("minimum", "maximum")],
            "alt": "Contour plot of f with each critical point marked and labelled: " + "; ".join(
                f"({sp.sstr(p[0])}, {sp.sstr(p[1])}) {k}" for p, k in zip(points, kinds, strict=True)) + "."}


KIND = Kind("hessian", HessianFamily, {
    "jacobian": Ask(solve_jacobian, check_jacobian, present_jacobian),
    "hessian": Ask(solve_hessian, check_hessian, present_hessian),
    "classify": Ask(solve_classify, check_classify, present_classify),
})
