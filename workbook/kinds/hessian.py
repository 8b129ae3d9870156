"""Kinds `hessian` (Jacobians, Hessians, classifying critical points) and `optimization`
(the best price, or price and advertising together).

Checks: every matrix entry against finite differences of the function; a classification
against the signs of the eigenvalues of a Hessian measured numerically and the gradient
measured at the point; an optimum against a numeric search over a grid around it.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from workbook import expr as E
from workbook import steps, verify
from workbook.bank import HessianFamily, OptimizationFamily
from workbook.explain import latex
from workbook.generate import Degenerate, fill
from workbook.kinds.common import contour_data, draw_function, exact_at, number_latex, point_latex


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


def generate_optimization(family: OptimizationFamily, params: dict, rng: np.random.Generator) -> dict:
    variables = [E.symbol(n) for n in family.variables]
    f = draw_function(family, params, rng, family.variables)
    grad = [steps.tidy(_partial(f, v)) for v in variables]
    sols = sp.solve(grad, variables, dict=True)
    if len(sols) != 1 or len(sols[0]) != len(variables):
        raise Degenerate("needs exactly one critical point")
    best = [sols[0][v] for v in variables]
    lo, hi = family.domain
    if not all(c.is_real and lo < c < hi for c in best):
        raise Degenerate("the optimum is outside the sensible range")
    from workbook.kinds.gradient_descent import decimal_places

    if not all(c.is_Rational and (decimal_places(c) or 9) <= 2 for c in best):
        raise Degenerate("the optimum is not a price in cents: draw rounder numbers")
    at = dict(zip(variables, best))
    H = sp.Matrix([[steps.tidy(_partial(g, b)) for b in variables] for g in grad])
    kind = classify(H.xreplace(at))
    wanted = "maximum" if family.goal == "maximize" else "minimum"
    if kind != wanted:
        raise Degenerate(f"the critical point is a {kind}")
    value = exact_at(f, at)
    _grid_check(f, variables, [float(c) for c in best], float(value), family.goal)
    names = [latex(v) for v in variables]
    q = family.quantity
    shown = [{"depth": 0, "rule": "First-derivative test", "math": r",\quad ".join(
        r"\frac{\partial %s}{\partial %s} = %s = 0" % ("f", n, latex(g)) if len(variables) > 1 else
        r"f'(%s) = %s = 0" % (n, latex(g)) for n, g in zip(names, grad)),
        "say": [{"text": f"At the best choice the {q} stops changing: set the derivative"
                         + ("s" if len(variables) > 1 else "") + " to zero."}]},
        {"depth": 0, "rule": "Solve", "math": ",\\ ".join(f"{n} = {_money(c)}" for n, c in zip(names, best)),
         "say": [{"text": "This is the only critical point."}]}]
    if len(variables) == 1:
        shown.append({"depth": 0, "rule": "Second-derivative test", "math": f"f''({names[0]}) = {latex(H[0, 0])}",
                      "say": [{"text": "Negative, so the graph bends down and the point is a maximum."
                                       if wanted == "maximum" else "Positive, so the point is a minimum."}]})
    else:
        shown.append({"depth": 0, "rule": "Hessian test", "math": r"H = %s,\ \det H = %s" % (
            _matrix(H.xreplace(at).tolist()), latex(H.xreplace(at).det())),
            "say": [{"text": f"det H > 0 and the diagonal is {'negative' if wanted == 'maximum' else 'positive'}: "
                             f"a {wanted}."}]})
    shown.append({"depth": 0, "rule": "The best value", "math": f"f = {_money(value)}",
                  "say": [{"text": f"The {q} at the optimum."}]})
    args = ", ".join(names)
    default = f"The {q} is {{f}}. Which " + ("value" if len(variables) == 1 else "values") + \
        f" {'maximize' if wanted == 'maximum' else 'minimize'} it? Justify with the second-derivative test."
    check = {"type": "optimum", "function": sp.sstr(f), "variables": [str(v) for v in variables],
             "goal": family.goal, "at": [sp.sstr(c) for c in best], "value": sp.sstr(value)}
    if len(variables) == 1:
        xs = np.linspace(float(best[0]) - max(5, abs(float(best[0])) * 0.8), float(best[0]) + max(5, abs(float(best[0])) * 0.8), 200)
        ys = verify.evaluate(verify.numeric(f, variables), xs)
        figure = {"kind": "tangent", "x": [round(float(v), 5) for v in xs], "y": [float(f"{v:.6g}") for v in ys],
                  "x0": float(best[0]), "y0": float(value), "slope": 0.0, "label": f"{q} = {latex(f)}",
                  "tangent_label": r"\mathrm{slope\ 0\ at\ the\ optimum}",  # mathtext drops plain spaces
                  "alt": f"The {q} curve with its {wanted} at {names[0]} = {float(best[0]):.4g}, where the tangent is flat."}
    else:
        figure = {"kind": "contour", **contour_data(f, variables, (float(best[0]), float(best[1])),
                                                    half_width=max(3.0, 0.6 * max(abs(float(c)) for c in best))),
                  "point": None, "marks": [{"at": [float(c) for c in best], "label": wanted}],
                  "xlabel": str(variables[0]), "ylabel": str(variables[1]),
                  "alt": f"Contour plot of the {q} with the {wanted} marked at "
                         f"({float(best[0]):.4g}, {float(best[1]):.4g})."}
    return {"key": str(f), "steps": shown, "check": check, "figure": figure,
            "prompt": fill(family.prompt or default, {"f": {"math": f"f({args}) = {latex(f)}"},
                                                      **{k: {"math": latex(v)} for k, v in params.items()}}),
            "answer": [{"math": ",\\ ".join(f"{n} = {_money(c)}" for n, c in zip(names, best))},
                       {"text": f", {q} "}, {"math": _money(value)}],
            "answer_text": f"{[sp.sstr(c) for c in best]} -> {sp.sstr(value)}",
            "verified": {"method": "grid search", "points": 41 ** len(variables), "max_error": 0.0}}


def _money(value: sp.Rational) -> str:
    """19/2 as 9.5: decisions like prices read as decimals."""
    from workbook.kinds.gradient_descent import show

    return show(value) if value.is_Rational else number_latex(value)


def _grid_check(f, variables, best: list[float], value: float, goal: str) -> None:
    """No point of a fine grid around the claimed optimum does better, and it is where f peaks."""
    fn = verify.numeric(f, variables)
    spans = [np.linspace(c - max(1.0, abs(c) * 0.5), c + max(1.0, abs(c) * 0.5), 41) for c in best]
    grids = np.meshgrid(*spans)
    with np.errstate(all="ignore"):
        z = np.asarray(fn(*grids), dtype=float) * np.ones_like(grids[0])
    here = float(np.asarray(fn(*best), dtype=float))
    if not verify.close(here, value):
        raise verify.VerifyError(f"the optimum's value is {here}, not {value}")
    better = np.nanmax(z) > here + 1e-9 * max(1, abs(here)) if goal == "maximize" else \
        np.nanmin(z) < here - 1e-9 * max(1, abs(here))
    if better:
        raise verify.VerifyError("a grid point does better than the claimed optimum")
    if np.max(np.abs(verify.measured_gradient(f, variables, best))) > 1e-6:
        raise verify.VerifyError("the gradient is not zero at the claimed optimum")
