"""Pieces the kinds share: drawing a function, exact numbers shown well, figure data."""

from __future__ import annotations

import numpy as np
import sympy as sp

from workbook import expr as E
from workbook import verify
from workbook.explain import latex
from workbook.generate import Degenerate


def draw_function(family, params: dict, rng: np.random.Generator, names: list[str]) -> sp.Expr:
    """Pick one of the family's expressions and put the drawn parameters in."""
    templates = family.templates()
    template = templates[int(rng.integers(len(templates)))]
    values = {E.symbol(k): v for k, v in params.items()}
    return E.parse(template, variables=set(params) | set(names)).xreplace(values)


def exact_at(expr: sp.Expr, subs: dict) -> sp.Expr:
    """The exact value at a point; Degenerate if undefined or not real there."""
    from workbook.steps import tidy

    value = tidy(expr.xreplace(subs))
    if not (value.is_number and value.is_real is True and value.is_finite is True):
        raise Degenerate(f"undefined at {subs}")
    return value


def number_latex(value: sp.Expr, digits: int = 4) -> str:
    """An exact number, with a decimal beside it when it is not a short decimal or a fraction."""
    shown = latex(value)
    if value.is_Rational:
        return shown
    return r"%s \approx %s" % (shown, f"{float(value):.{digits}g}")


def decimal_latex(value, places: int = 4) -> str:
    """A number rounded for a table a learner fills in by hand."""
    v = float(value)
    text = f"{v:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "-")


def vector_latex(values) -> str:
    return r"\left(" + ",\\ ".join(latex(v) for v in values) + r"\right)"


def point_latex(values) -> str:
    return "(" + ", ".join(latex(v) for v in values) + ")"


def contour_data(function: sp.Expr, variables: list[sp.Symbol], center: tuple[float, float],
                 half_width: float = 2.5, n: int = 48) -> dict:
    """A grid of f around the centre, for a contour plot (rounded to keep the record small)."""
    xs = np.linspace(center[0] - half_width, center[0] + half_width, n)
    ys = np.linspace(center[1] - half_width, center[1] + half_width, n)
    gx, gy = np.meshgrid(xs, ys)
    f = verify.numeric(function, variables)
    with np.errstate(all="ignore"):
        z = np.asarray(f(gx, gy), dtype=float) * np.ones_like(gx)
    z = np.where(np.isfinite(z), z, np.nan)
    return {
        "x": [round(float(v), 5) for v in xs],
        "y": [round(float(v), 5) for v in ys],
        "z": [[None if np.isnan(v) else float(f"{v:.5g}") for v in row] for row in z],
    }
