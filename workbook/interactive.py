"""What the interactive practice page needs for each problem, computed by the build.

The page judges a learner's answer in the browser, offline, with no SymPy: for a derivative it is
handed the right values at sample points (the learner's expression is evaluated there by the page's
own small evaluator of the expression language, ``templates/interactive.js``); for numbers, the
numbers. For gradient descent and optimizer problems on one variable it is handed the paths the
iterates take at a range of learning rates, drawn in the picture's coordinates, and what each does
(converges, oscillates, diverges), for the descent visualizer's slider.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import sympy as sp

from workbook import expr as E
from workbook import judge, verify

WIDTH, HEIGHT, PAD = 320.0, 200.0, 14.0  # the visualizer's picture, in SVG units
SHOWN = 12  # iterates drawn for each rate
WATCHED = 60  # iterates that decide whether a rate converges


def page_data(problem: dict) -> dict | None:
    """The answer box's data for one problem (None: the page offers the solution only), with the
    descent visualizer's where the problem has one."""
    want = judge.expected(problem)
    data: dict | None = None
    if want is not None and want.expression is not None:
        data = _expression(want, problem["claims"].get("function"))
    elif want is not None and want.words:
        data = {"kind": "words", "what": want.what, "words": list(want.words), "names": list(want.names)}
    elif want is not None:
        data = {"kind": "numbers", "what": want.what, "values": list(want.numbers), "names": list(want.names)}
    viz = visualizer(problem["claims"])
    if viz is not None:
        data = {**(data or {"kind": "none"}), "viz": viz}
    return data


def _expression(want: judge.Expected, function: str | None) -> dict | None:
    """The derivative's values at points spread over -3..3 where it and the function are finite real
    numbers (a learner's 1/|x| for ln x is right where ln x is defined). The points' decimals do not
    end early, so a term such as sin(10000 pi x) is not zero at all of them."""
    var = E.symbol(want.variable)
    others = want.expression.free_symbols - {var}
    if others:
        return None
    points = [round(float(p) + 1 / 9973, 9) for p in verify.sample_points(-3.0, 3.0, 24)]
    grid = np.array(points, dtype=float)
    values = verify.evaluate(verify.numeric(want.expression, [var]), grid)
    defined = np.ones(len(points), dtype=bool)
    if function is not None:
        f = E.parse(function)
        if not f.free_symbols - {var}:
            defined = np.isfinite(verify.evaluate(verify.numeric(f, [var]), grid))
    usable = [(p, float(v)) for p, v, ok in zip(points, values, defined) if ok and np.isfinite(v) and abs(v) < 1e12]
    if len(usable) < 5:
        return None
    return {"kind": "expression", "what": want.what, "variable": want.variable,
            "points": [p for p, _ in usable], "values": [v for _, v in usable]}


# ---------------------------------------------------------------- the descent visualizer


def visualizer(claims: dict) -> dict | None:
    """Paths of the iterates at several learning rates, for a one-variable descent or optimizer."""
    kind = claims.get("type")
    if kind == "gradient_descent" and len(claims["variables"]) == 1:
        text, name, start, own = claims["function"], claims["variables"][0], claims["start"][0], [claims["rate"]]
        method = "gradient descent"
    elif kind == "descent_convergence":
        text, name, start, own = claims["function"], claims["variable"], claims["start"], claims["rates"]
        method = "gradient descent"
    elif kind == "optimizer" and claims.get("loss"):
        text, name, start, own = claims["loss"], claims["variable"], claims["start"], [claims["hyper"]["lr"]]
        method = claims["optimizer"]
    else:
        return None
    var = E.symbol(name)
    f = E.parse(text, variables=[name])
    x0 = float(sp.Rational(start))
    rates = _rates(f, var, [float(sp.Rational(r)) for r in own], method)
    paths = {r: _path(f, var, x0, r, method, claims) for r in rates}
    return _drawn(f, var, x0, paths, [float(sp.Rational(r)) for r in own], method)


def _rates(f: sp.Expr, var: sp.Symbol, own: list[float], method: str) -> list[float]:
    """The slider's rates: for gradient descent on a quadratic, fractions of the largest rate that
    still converges (2/f''); else multiples of the problem's own rate, from an eighth to sixteen
    times; the problem's own rates always among them."""
    curvature = sp.diff(f, var, 2)
    if method == "gradient descent" and curvature.is_number and curvature > 0:
        critical = 2 / float(curvature)
        grid = [critical * k for k in (0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25)]
    else:
        grid = [own[0] * k for k in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16)]
    rates = sorted({round(r, 6) for r in grid} | {round(r, 6) for r in own})
    return rates


def _path(f: sp.Expr, var: sp.Symbol, x0: float, rate: float, method: str, claims: dict) -> list[float]:
    if method == "gradient descent":
        return [float(p) for p in verify.descent_path(f, [var], [x0], rate, WATCHED)[:, 0]]
    measure = verify.gradient_measurer(f, [var])
    hyper = {k: float(sp.Rational(v)) for k, v in claims["hyper"].items() if k != "lr"}
    with np.errstate(all="ignore"):
        thetas = verify.optimizer_reference(method, lambda t, theta: measure([theta])[0], x0, WATCHED, lr=rate,
                                            eps=float(sp.Rational(claims["eps"])), **hyper)
    return [float(t) for t in thetas]


def behaviour(path: list[float]) -> str:
    """What the iterates do, from how their steps change over the path: they grow (or leave the
    numbers: diverges), die away (converges, however slowly), or neither (oscillates: the iterates
    keep bouncing between the same places)."""
    steps = [abs(b - a) for a, b in itertools.pairwise(path)]
    if not all(math.isfinite(s) for s in steps):
        return "diverges"
    if steps[0] < 1e-12 or steps[-1] < 1e-9:
        return "converges"
    ratio = steps[-1] / steps[0]
    return "diverges" if ratio > 2 else "converges" if ratio < 0.5 else "oscillates"


def zigzags(path: list[float]) -> bool:
    """Whether the iterates cross back and forth (each step the other way from the one before)."""
    moves = [b - a for a, b in itertools.pairwise(path[:SHOWN + 1]) if abs(b - a) > 1e-12]
    return len(moves) >= 3 and all(m1 * m2 < 0 for m1, m2 in itertools.pairwise(moves))


def _drawn(f: sp.Expr, var: sp.Symbol, x0: float, paths: dict[float, list[float]], own: list[float],
           method: str) -> dict:
    """The curve and each rate's first iterates in the picture's coordinates (a point outside the
    window is drawn on its edge and marked), with each rate's behaviour."""
    settled = [p[-1] for p in paths.values() if behaviour(p) == "converges"]
    # every converging or bouncing path whole, and a diverging one's first step, so that it is seen to leave
    xs = [x0, *settled] + [x for p in paths.values() for x in (p[:SHOWN] if behaviour(p) != "diverges" else p[:2])
                           if math.isfinite(x)]
    lo, hi = min(xs), max(xs)
    span = max(hi - lo, 1.0)
    lo, hi = lo - 0.15 * span, hi + 0.15 * span
    fn = verify.numeric(f, [var])
    grid = np.linspace(lo, hi, 121)
    ys = verify.evaluate(fn, grid)
    finite = ys[np.isfinite(ys)]
    ymin, ymax = float(finite.min()), float(finite.max())
    ypad = 0.08 * max(ymax - ymin, 1e-9)
    ymin, ymax = ymin - ypad, ymax + ypad

    def sx(x: float) -> float:
        return round(PAD + (x - lo) / (hi - lo) * (WIDTH - 2 * PAD), 2)

    def sy(y: float) -> float:
        return round(HEIGHT - PAD - (y - ymin) / (ymax - ymin) * (HEIGHT - 2 * PAD), 2)

    curve = "M" + " L".join(f"{sx(x)},{sy(y)}" for x, y in zip(grid, ys) if np.isfinite(y))
    rates = []
    for rate, path in paths.items():
        shown = []
        for x in path[:SHOWN + 1]:
            y = float(verify.evaluate(fn, np.array([x]))[0]) if math.isfinite(x) else math.nan
            inside = math.isfinite(x) and lo <= x <= hi and math.isfinite(y) and ymin <= y <= ymax
            cx = sx(min(max(x, lo), hi)) if math.isfinite(x) else (WIDTH - PAD)
            cy = sy(min(max(y, ymin), ymax)) if math.isfinite(y) else PAD
            shown.append([cx, cy, int(inside)])
        rates.append({"rate": _short(rate), "behaviour": behaviour(path), "zigzag": zigzags(path), "points": shown,
                      "last": _short(path[SHOWN]) if math.isfinite(path[SHOWN]) else "not a number",
                      "own": any(rate == round(r, 6) for r in own)})
    first = next(i for i, r in enumerate(rates) if r["own"])
    return {"method": method, "variable": str(var), "width": WIDTH, "height": HEIGHT, "curve": curve,
            "rates": rates, "start": first, "steps": SHOWN}


def _short(x: float) -> str:
    return f"{x:.4g}"
