"""Kind `optimization`: applied optimization, the best price or price and advertising together.

Checks: the optimum against a numeric search over a grid around it.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field

from workbook import expr as E
from workbook import steps, verify
from workbook.explain import latex
from workbook.family import FunctionFamily
from workbook.generate import Degenerate, fill  # TRANSITION
from workbook.kinds._transition import legacy  # TRANSITION
from workbook.kinds.common import contour_data, draw_function, exact_at, number_latex
from workbook.kinds.hessian import _matrix, _partial, classify


class OptimizationFamily(FunctionFamily):
    """Applied optimization: the best price, or price and advertising together, justified by the
    first- and second-derivative (Hessian) tests."""

    kind: Literal["optimization"] = Field(description="`optimization` for this kind.")
    variables: list[str] = Field(["p"], min_length=1, max_length=2, description="The decision variables.")
    goal: Literal["maximize", "minimize"] = Field("maximize", description="What to do with the function.")
    quantity: str = Field("profit", max_length=40, description="What the function measures, for the wording.")
    domain: tuple[float, float] = Field((0.0, 50.0), description="Where the optimum must lie (each variable).")

    def names(self) -> list[str]:
        return list(self.variables)


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


KIND = legacy('optimization', OptimizationFamily, generate_optimization)  # TRANSITION
