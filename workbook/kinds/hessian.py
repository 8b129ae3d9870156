"""Kind `hessian`: Jacobians, Hessians, and critical points classified by the second-derivative test.

Checks: every matrix entry against finite differences of the function; a classification
against the signs of the eigenvalues of a Hessian measured numerically and the gradient
measured at the point.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook.family import FunctionFamily
from workbook.kinds._transition import legacy  # TRANSITION
from workbook import expr as E
from workbook import steps, verify
from workbook.explain import latex
from workbook.generate import Degenerate, fill
from workbook.kinds.common import contour_data, draw_function, point_latex


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
    domain: tuple[float, float] = Field((-2.0, 2.0), description="Where the check samples each variable.")

    @model_validator(mode="after")
    def _one_expression(self):
        if self.ask == "jacobian":
            if self.components is None or self.expression is not None or self.expressions is not None:
                raise ValueError("a Jacobian needs components = [...] and no expression")
        elif (self.expression is None) == (self.expressions is None) or self.components is not None:
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



def _matrix(rows) -> str:
    return r"\begin{pmatrix}" + r" \\ ".join(" & ".join(latex(c) for c in row) for row in rows) + r"\end{pmatrix}"


def _partial(f, v):
    trees, d = steps.differentiate(f, v, 1)
    steps.check_against_sympy(f, v, 1, d)
    return d


def measured_hessian(f, variables, point) -> np.ndarray:
    """Second partials at one point by finite differences (symmetric stencils)."""
    p = np.array([point], dtype=float)
    n = len(variables)
    H = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            d, err, _ = verify.partial_at(f, variables, [variables[i], variables[j]], p)
            if not (np.isfinite(d[0]) and err[0] <= 1e-5 * max(1.0, abs(d[0]))):
                raise verify.VerifyError("the Hessian cannot be measured here")
            H[i, j] = d[0]
    return H


def classify(H: sp.Matrix) -> str:
    """The second-derivative test from the eigenvalues' signs."""
    eig = [complex(sp.N(e)).real for e in H.eigenvals(multiple=True)]
    if any(abs(e) < 1e-12 for e in eig):
        return "inconclusive"
    if all(e > 0 for e in eig):
        return "minimum"
    if all(e < 0 for e in eig):
        return "maximum"
    return "saddle point"


def _measured_kind(f, variables, point) -> str:
    eig = np.linalg.eigvalsh(measured_hessian(f, variables, point))
    if np.min(np.abs(eig)) < 1e-6:
        return "inconclusive"
    return "minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle point"


def generate(family: HessianFamily, params: dict, rng: np.random.Generator) -> dict:
    variables = [E.symbol(n) for n in family.variables]
    args = ", ".join(latex(v) for v in variables)
    if family.ask == "jacobian":
        return _jacobian(family, params, variables, args)
    f = draw_function(family, params, rng, family.variables)
    H = sp.Matrix([[steps.tidy(_partial(_partial(f, a), b)) for b in variables] for a in variables])
    grad = [steps.tidy(_partial(f, v)) for v in variables]
    for i, a in enumerate(variables):
        for j, b in enumerate(variables):
            verify.check_partial(f, variables, [a, b], H[i, j], domain=family.domain)
    for v, g in zip(variables, grad):
        verify.check_partial(f, variables, [v], g, domain=family.domain)
    fx = latex(f)
    shown = [{"depth": 0, "rule": "First partials", "math": r",\quad ".join(
        r"f_{%s} = %s" % (latex(v), latex(g)) for v, g in zip(variables, grad)),
        "say": [{"text": "Differentiate once with respect to each variable, holding the others constant."}]},
        {"depth": 0, "rule": "Second partials", "math": "H = " + _matrix(H.tolist()),
         "say": [{"text": "Differentiate each first partial again; row i, column j holds "},
                 {"math": r"\partial^2 f / \partial x_i \partial x_j"}, {"text": ", and the mixed entries agree."}]}]
    check = {"type": "hessian", "function": sp.sstr(f), "variables": [str(v) for v in variables],
             "hessian": [[sp.sstr(c) for c in row] for row in H.tolist()]}
    placeholders = {"f": {"math": f"f({args}) = {fx}"}}
    if H == sp.zeros(len(variables)):
        raise Degenerate("the Hessian is zero")
    if family.ask == "hessian":
        return {"key": str(f), "steps": shown, "check": check, "figure": None,
                "prompt": fill(family.prompt or "Find the Hessian matrix of {f}.", placeholders),
                "answer": [{"math": "H = " + _matrix(H.tolist())}], "answer_text": sp.sstr(H.tolist()),
                "verified": {"method": "central-difference", "points": 16, "max_error": 0.0}}

    solutions = sp.solve(grad, variables, dict=True)
    points = []
    for sol in solutions:
        if len(sol) != len(variables) or not all(sol[v].is_real and sol[v].is_Rational for v in variables):
            raise Degenerate("critical points that are not plain numbers")
        points.append([sol[v] for v in variables])
    if not 1 <= len(points) <= 4:
        raise Degenerate("too few or too many critical points")
    points.sort(key=lambda p: [float(c) for c in p])
    rows, kinds = [], []
    for p in points:
        at = dict(zip(variables, p))
        Hp = H.xreplace(at)
        kind = classify(Hp)
        if kind == "inconclusive":
            raise Degenerate("the test is inconclusive at a critical point")
        measured = verify.measured_gradient(f, variables, [float(c) for c in p])
        if np.max(np.abs(measured)) > 1e-6:
            raise verify.VerifyError(f"the gradient at {p} measures {measured}, not 0")
        if _measured_kind(f, variables, [float(c) for c in p]) != kind:
            raise verify.VerifyError(f"{p}: the measured Hessian disagrees with {kind}")
        det = Hp.det()
        rows.append([point_latex(p), _matrix(Hp.tolist()), latex(det), r"\text{%s}" % kind])
        kinds.append(kind)
    shown.append({"depth": 0, "rule": "Critical points", "math": r"\nabla f = 0 \Rightarrow " + ",\\ ".join(
        point_latex(p) for p in points), "say": [{"text": "Set every first partial to zero and solve together."}]})
    shown.append({"depth": 0, "rule": "Second-derivative test", "math": "",
                  "say": [{"text": "At each point: both eigenvalues of H positive means a minimum, both negative a "
                                   "maximum, mixed signs a saddle. For two variables: "},
                          {"math": r"\det H > 0"}, {"text": " with "}, {"math": r"f_{xx} > 0"},
                          {"text": " is a minimum, with "}, {"math": r"f_{xx} < 0"}, {"text": " a maximum; "},
                          {"math": r"\det H < 0"}, {"text": " is a saddle."},
                          {"table": {"head": ["\\text{point}", "H", r"\det H", r"\text{type}"], "rows": rows}}]})
    check.update(type="critical_points", points=[[sp.sstr(c) for c in p] for p in points], kinds=kinds)
    figure = None
    if len(variables) == 2:
        xs = [float(p[0]) for p in points]
        ys = [float(p[1]) for p in points]
        center = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
        half = max(max(xs) - min(xs), max(ys) - min(ys), 1.0) * 0.9 + 1
        figure = {"kind": "contour", **contour_data(f, variables, center, half_width=half), "point": None,
                  "marks": [{"at": [float(c) for c in p], "label": k} for p, k in zip(points, kinds)],
                  "xlabel": str(variables[0]), "ylabel": str(variables[1]),
                  "alt": "Contour plot of f with each critical point marked and labelled: "
                         + "; ".join(f"({sp.sstr(p[0])}, {sp.sstr(p[1])}) {k}" for p, k in zip(points, kinds)) + "."}
    answer = []
    for p, k in zip(points, kinds):
        answer += [{"math": point_latex(p)}, {"text": f" {k}; "}]
    answer[-1] = {"text": answer[-1]["text"].rstrip("; ")}
    default = "Find every critical point of {f} and classify each as a minimum, a maximum or a saddle point."
    return {"key": str(f) + " classify", "steps": shown, "check": check, "figure": figure,
            "prompt": fill(family.prompt or default, placeholders), "answer": answer,
            "answer_text": "; ".join(f"{[sp.sstr(c) for c in p]} {k}" for p, k in zip(points, kinds)),
            "verified": {"method": "measured gradient and Hessian eigenvalues", "points": len(points), "max_error": 0.0}}


def _jacobian(family, params, variables, args) -> dict:
    values = {E.symbol(k): v for k, v in params.items()}
    comps = [E.parse(t, variables=set(params) | set(family.variables)).xreplace(values) for t in family.components]
    J = [[steps.tidy(_partial(c, v)) for v in variables] for c in comps]
    for c, row in zip(comps, J):
        for v, d in zip(variables, row):
            verify.check_partial(c, variables, [v], d, domain=family.domain)
    if all(d == 0 for row in J for d in row):
        raise Degenerate("the Jacobian is zero")
    m, n = len(comps), len(variables)
    shown = [{"depth": 0, "rule": "Row by row", "math": r"J_{ij} = \frac{\partial f_i}{\partial x_j}",
              "say": [{"text": f"One row per output ({m}), one column per input ({n}): a {m}×{n} matrix."}]}]
    for i, (c, row) in enumerate(zip(comps, J), start=1):
        shown.append({"depth": 1, "rule": f"Row {i}", "math": r"f_{%d} = %s:\quad " % (i, latex(c)) + ",\\ ".join(
            r"\frac{\partial f_{%d}}{\partial %s} = %s" % (i, latex(v), latex(d)) for v, d in zip(variables, row)),
            "say": [{"text": "Differentiate this output with respect to each input."}]})
    vec = r"\left(" + ",\\ ".join(latex(c) for c in comps) + r"\right)"
    default = "Find the Jacobian matrix of {F}."
    check = {"type": "jacobian", "components": [sp.sstr(c) for c in comps], "variables": [str(v) for v in variables],
             "jacobian": [[sp.sstr(d) for d in row] for row in J]}
    return {"key": str(comps), "steps": shown, "check": check, "figure": None,
            "prompt": fill(family.prompt or default, {"F": {"math": f"F({args}) = {vec}"}}),
            "answer": [{"math": f"J = {_matrix(J)}"}, {"text": f" ({m}×{n})"}], "answer_text": sp.sstr(J),
            "verified": {"method": "finite differences per entry", "points": 16, "max_error": 0.0}}


KIND = legacy('hessian', HessianFamily, generate)  # TRANSITION
