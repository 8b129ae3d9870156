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
import re

import numpy as np
import sympy as sp

from workbook import expr as E
from workbook import judge, solver, verify

WIDTH, HEIGHT, PAD = 320.0, 200.0, 14.0  # the visualizer's picture, in SVG units
SHOWN = 12  # iterates drawn for each rate
GREEK = {"theta": "θ", "alpha": "α", "beta": "β", "eta": "η", "lambda": "λ", "mu": "μ", "sigma": "σ", "omega": "ω",
         "phi": "φ", "psi": "ψ", "tau": "τ", "rho": "ρ", "gamma": "γ", "delta": "δ", "epsilon": "ε"}  # as the page shows them
WATCHED = 60  # iterates that decide whether a rate converges


def page_data(problem: dict) -> dict | None:
    """The answer box's data for one problem (None: the page offers the solution only), with the
    descent visualizer's where the problem has one."""
    with E.own_record():  # the problem's own answer and function, however many digits they have
        return _page_data(problem)


def _page_data(problem: dict) -> dict | None:
    want = judge.expected(problem)
    data: dict | None = None
    if want is not None and want.expression is not None:
        data = _expression(want, problem["claims"].get("function"))
        if data is not None and want.noun == "the tangent line" and "function" in data:
            # where a line it cannot weigh is judged: workbook solve "F" --at A --check "y = ..." (attack45 F8)
            data["at"] = str(problem["claims"]["at"])[:40]
    elif want is not None and want.expressions:
        data = _expressions(want)
    elif want is not None and want.points:
        data = {"kind": "points", "what": want.what, "variables": list(want.variables),
                "points": [list(p) for p in want.points], "kinds": list(want.kinds)}
    elif want is not None and want.words:
        data = {"kind": "words", "what": want.what, "words": list(want.words), "names": list(want.names)}
    elif want is not None:
        data = {"kind": "numbers", "what": want.what, "values": list(want.numbers), "names": list(want.names),
                "exact": want.exact, "figures": list(want.figures),
                "whole": [w is not None and solver._short(w) for w in want.whole] or [False] * len(want.numbers)}
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
    data = {"kind": "expression", "what": want.what, "noun": want.noun, "order": want.order, "variable": want.variable,
            "points": [p for p, _ in usable], "values": [v for _, v in usable]}
    # the answer and the function themselves, in the language the page reads, so that it can compare the
    # learner's at thousands of points and beside every corner of theirs (a narrow sliver added to a
    # right answer is caught); each is written out only if, read back, it gives the values above
    # (a step with no value at its corner, relu's slope Heaviside(x, nan), as the page reads a step: at a corner the
    # page compares an answer only where it goes on smoothly)
    bare = _corners_bare(want.expression)
    truth = _written(bare, var, grid, values)
    if truth is not None:
        data["truth"] = truth
        if bare != want.expression:
            data["bare"] = True  # its steps have no value at their corners: the page reads them so
        if function is not None:
            written = _written(E.parse(function), var, grid, verify.evaluate(verify.numeric(E.parse(function), [var]),
                                                                           grid))
            if written is not None:
                data["function"] = written
    return data


def _corners_bare(e: sp.Expr) -> sp.Expr:
    """e with each step that has a value of its own at its corner, Heaviside(u, nan) or Heaviside(u, 1), written
    Heaviside(u), which the page reads as having none there: its written form drops the value, and the page read it as
    1/2, judging max(x/4, x)'s slope at 0 against 5/8, neither the prompt's 1/4 nor either side (user52 F5). At a
    corner, as the terminal does, the page judges nothing."""
    return e.replace(lambda n: isinstance(n, sp.Heaviside) and len(n.args) == 2, lambda n: sp.Heaviside(n.args[0]))


def _written(e: sp.Expr, var: sp.Symbol | list[sp.Symbol], grid: np.ndarray, values: np.ndarray) -> str | None:
    """e in school notation if that reads back as e (the same values at the points); else None. For
    several variables, ``var`` is their list and ``grid`` has one row a variable."""
    from workbook import school

    text = school.text(e)
    names = var if isinstance(var, list) else [var]
    try:
        back = E.parse(text, variables=[str(v) for v in names])
    except E.ExprError:
        return None
    again = _at(back, names, grid) if isinstance(var, list) else verify.evaluate(verify.numeric(back, [var]), grid)
    same = np.isnan(values) & np.isnan(again) | np.isclose(again, values, rtol=1e-9, atol=1e-12)
    return text if bool(np.all(same)) else None


def _expressions(want: judge.Expected) -> dict | None:
    """Each part's values at points spread over [-3, 3] in every variable (each coordinate a
    different walk through the interval), kept where every part is a finite real number."""
    names = list(want.variables)
    symbols = [E.symbol(v) for v in names]
    n = 24
    grid = np.stack([np.round(verify.sample_points(-3.0, 3.0, n + 7 * k)[7 * k:] + (k + 1) / 9973, 9)
                     for k in range(len(names))])
    values = np.stack([_at(e, symbols, grid) for e in want.expressions], axis=1)
    # where the function they are derivatives of has a value (not NaN: past a double is one), as judge.py compares
    inside = _at(want.within, symbols, grid) if want.within is not None else np.zeros(n)
    usable = [k for k in range(n) if np.all(np.isfinite(values[k])) and np.all(np.abs(values[k]) < 1e12)
              and not np.isnan(inside[k])]
    if len(usable) < 5:
        return None
    data = {"kind": "expressions", "what": want.what, "variables": names, "names": list(want.names),
            "points": [[float(grid[j, k]) for j in range(len(names))] for k in usable],
            "values": [[float(v) for v in values[k]] for k in usable]}
    if want.columns:
        data["columns"] = want.columns  # a matrix: typed as rows, the rows must be its own
    if want.within is not None:  # the page compares only where it has a value (attack46 F3)
        function = _written(want.within, symbols, grid, inside)
        if function is not None:
            data["function"] = function
        elif len(usable) < n:  # not in the page's language, and without a value somewhere: the page would judge
            return None  # where it has none, a wrong verdict (a box with a value everywhere is judged everywhere)
    # each expression itself, in the page's language, so that the page compares the learner's at thousands
    # of points of the box (a bump off the sampled points is caught); only if each reads back the same
    truths = [_written(e, symbols, grid, values[:, i]) for i, e in enumerate(want.expressions)]
    if all(t is not None for t in truths):
        data["truths"] = truths
    return data


def _at(e: sp.Expr, symbols: list[sp.Symbol], grid: np.ndarray) -> np.ndarray:
    """e at each column of grid (one row a variable); NaN where it is not a finite real number."""
    with np.errstate(all="ignore"):
        try:
            out = np.asarray(verify.numeric(e, symbols)(*grid), dtype=complex)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return np.full(grid.shape[1], np.nan)
    out = np.broadcast_to(out, (grid.shape[1],))
    return np.where(out.imag == 0, out.real, np.nan)


# ---------------------------------------------------------------- the descent visualizer


def visualizer(claims: dict) -> dict | None:
    """Paths of the iterates at several learning rates, for a one-variable descent or optimizer."""
    kind = claims.get("type")
    if kind == "gradient_descent" and len(claims["variables"]) == 2:
        return _plane(claims)
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
    x0 = float(_number(start))
    rates = _rates(f, var, [float(_number(r)) for r in own], method)
    paths = {r: _path(f, var, x0, r, method, claims) for r in rates}
    return _drawn(f, var, x0, paths, [float(_number(r)) for r in own], method)


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:/\d+)?(?:e-?\d+)?")


def _number(value) -> sp.Rational:
    """A number a record holds, as SymPy's exact rational: only a number or the text of one (SymPy's Rational
    of anything else, a list say, goes through sympify, which evaluates the text in it)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return sp.Rational(value)
    if isinstance(value, str) and len(value) <= 100 and _NUMBER.fullmatch(value.strip()):
        return sp.Rational(value.strip())
    raise ValueError(f"not a number: {str(value)[:40]!r}")


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
    hyper = {k: float(_number(v)) for k, v in claims["hyper"].items() if k != "lr"}
    with np.errstate(all="ignore"):
        thetas = verify.optimizer_reference(method, lambda t, theta: measure([theta])[0], x0, WATCHED, lr=rate,
                                            eps=float(_number(claims["eps"])), **hyper)
    return [float(t) for t in thetas]


def behaviour(path) -> str:
    """What the iterates do, from how their steps change over the path: they grow (or leave the
    numbers: diverges), die away (converges, however slowly), or neither (oscillates: the iterates
    keep bouncing between the same places). Iterates are numbers or points."""
    steps = [float(np.linalg.norm(np.subtract(b, a))) for a, b in itertools.pairwise(path)]
    if not all(math.isfinite(s) for s in steps):
        return "diverges"
    if steps[0] < 1e-12 or steps[-1] < 1e-9:
        return "converges"
    ratio = steps[-1] / steps[0]
    return "diverges" if ratio > 2 else "converges" if ratio < 0.5 else "oscillates"


def zigzags(path) -> bool:
    """Whether the iterates cross back and forth (each step turning back against the one before)."""
    moves = [np.atleast_1d(np.subtract(b, a)) for a, b in itertools.pairwise(path[:SHOWN + 1])]
    moves = [m for m in moves if np.linalg.norm(m) > 1e-12]
    return len(moves) >= 3 and all(float(np.dot(m1, m2)) < 0 for m1, m2 in itertools.pairwise(moves))


def _drawn(f: sp.Expr, var: sp.Symbol, x0: float, paths: dict[float, list[float]], own: list[float],
           method: str) -> dict:
    """For each rate, the curve and its first iterates in the picture's coordinates, the window fitted
    to that rate's own iterates (a rate that runs far does not shrink the others' to a dot; a point
    outside the window is drawn on its edge and marked), with the rate's behaviour."""
    fn = verify.numeric(f, [var])
    rates = []
    for rate, path in paths.items():
        goes = behaviour(path)
        shown_path = path[:SHOWN + 1] if goes != "diverges" else path[:2]  # a diverging one: its first step
        xs = [x0] + [x for x in shown_path if math.isfinite(x)] + ([path[-1]] if goes == "converges" else [])
        lo, hi = min(xs), max(xs)
        span = max(hi - lo, 1.0)
        lo, hi = lo - 0.15 * span, hi + 0.15 * span
        grid = np.linspace(lo, hi, 121)
        ys = verify.evaluate(fn, grid)
        finite = ys[np.isfinite(ys)]
        ymin, ymax = float(finite.min()), float(finite.max())
        ypad = 0.08 * max(ymax - ymin, 1e-9)
        ymin, ymax = ymin - ypad, ymax + ypad

        def sx(x: float, lo=lo, hi=hi) -> float:
            return round(PAD + (x - lo) / (hi - lo) * (WIDTH - 2 * PAD), 2)

        def sy(y: float, ymin=ymin, ymax=ymax) -> float:
            return round(HEIGHT - PAD - (y - ymin) / (ymax - ymin) * (HEIGHT - 2 * PAD), 2)

        shown = []
        for x in path[:SHOWN + 1]:
            y = float(verify.evaluate(fn, np.array([x]))[0]) if math.isfinite(x) else math.nan
            inside = math.isfinite(x) and lo <= x <= hi and math.isfinite(y) and ymin <= y <= ymax
            cx = sx(min(max(x, lo), hi)) if math.isfinite(x) else (WIDTH - PAD)
            cy = sy(min(max(y, ymin), ymax)) if math.isfinite(y) else PAD
            shown.append([cx, cy, int(inside)])
        rates.append({"rate": _short(rate), "behaviour": goes, "zigzag": zigzags(path), "points": shown,
                      "curve": "M" + " L".join(f"{sx(x)},{sy(y)}" for x, y in zip(grid, ys) if np.isfinite(y)),
                      "last": _last_said(path),
                      "own": any(rate == round(r, 6) for r in own)})
    first = next(i for i, r in enumerate(rates) if r["own"])
    return {"method": method, "variable": GREEK.get(str(var), str(var)), "width": WIDTH, "height": HEIGHT,
            "curve": rates[first]["curve"],
            "rates": rates, "start": first, "steps": SHOWN}


def _plane(claims: dict) -> dict:
    """Gradient descent on a function of two variables: the level curves (contourpy, matplotlib's own
    contouring) and each rate's iterates on them, the picture's scale the same in both directions so
    that a zigzag across a valley looks as it is."""
    names = claims["variables"]
    symbols = [E.symbol(v) for v in names]
    f = E.parse(claims["function"], variables=names)
    start = [float(_number(v)) for v in claims["start"]]
    own = float(_number(claims["rate"]))
    hessian = sp.hessian(f, symbols)
    rates = [own * k for k in (0.125, 0.25, 0.5, 1, 2, 4, 8, 16)]
    minimum = None
    if all(e.is_number for e in hessian):
        eigen = np.linalg.eigvalsh(np.array(hessian.tolist(), dtype=float))
        if eigen.min() > 0:  # a bowl: the largest rate that converges is 2 over the steepest curvature
            critical = 2 / float(eigen.max())
            rates = [critical * k for k in (0.05, 0.1, 0.2, 0.35, 0.5, 0.75, 0.9, 1.0, 1.1, 1.25)]
            gradient = [sp.diff(f, s) for s in symbols]
            solved = sp.solve(gradient, symbols, dict=True)
            minimum = [float(solved[0][s]) for s in symbols] if len(solved) == 1 else None
    rates = sorted({round(r, 6) for r in rates} | {round(own, 6)})
    paths = {r: verify.descent_path(f, symbols, start, r, WATCHED) for r in rates}
    # the window: the start, the minimum and every path that does not leave, square in the picture's units
    seen = [start] + ([minimum] if minimum else [])
    for path in paths.values():
        keep = path[:SHOWN + 1] if behaviour(path) != "diverges" else path[:2]
        seen += [list(p) for p in keep if np.all(np.isfinite(p))]
    seen = np.array(seen)
    centre = (seen.min(axis=0) + seen.max(axis=0)) / 2
    half = np.maximum((seen.max(axis=0) - seen.min(axis=0)) / 2 * 1.15, 0.5)
    unit = min((WIDTH - 2 * PAD) / (2 * half[0]), (HEIGHT - 2 * PAD) / (2 * half[1]))
    half = np.array([(WIDTH - 2 * PAD) / 2 / unit, (HEIGHT - 2 * PAD) / 2 / unit])
    lo, hi = centre - half, centre + half

    def sx(x: float) -> float:
        return round(PAD + (x - lo[0]) * unit, 2)

    def sy(y: float) -> float:
        return round(HEIGHT - PAD - (y - lo[1]) * unit, 2)

    import contourpy

    gx, gy = np.meshgrid(np.linspace(lo[0], hi[0], 81), np.linspace(lo[1], hi[1], 61))
    with np.errstate(all="ignore"):
        z = np.broadcast_to(np.asarray(verify.numeric(f, symbols)(gx, gy), dtype=float), gx.shape)
    z = np.where(np.isfinite(z), z, np.nan)
    levels = np.unique(np.nanquantile(z, [0.02, 0.06, 0.13, 0.22, 0.34, 0.5, 0.7]))
    lines = contourpy.contour_generator(gx, gy, z).lines
    contours = []
    for level in levels:
        for line in lines(float(level)):
            if len(line) > 1:
                contours.append("M" + " L".join(f"{sx(a)},{sy(b)}" for a, b in line))
    drawn = []
    for rate, path in paths.items():
        shown = []
        for point in path[:SHOWN + 1]:
            finite = bool(np.all(np.isfinite(point)))
            inside = finite and bool(np.all(point >= lo) and np.all(point <= hi))
            cx = sx(min(max(point[0], lo[0]), hi[0])) if np.isfinite(point[0]) else WIDTH - PAD
            cy = sy(min(max(point[1], lo[1]), hi[1])) if np.isfinite(point[1]) else PAD
            shown.append([cx, cy, int(inside)])
        drawn.append({"rate": _short(rate), "behaviour": behaviour(path), "zigzag": zigzags(path), "points": shown,
                      "last": _last_said(path),
                      "own": rate == round(own, 6)})
    first = next(i for i, r in enumerate(drawn) if r["own"])
    return {"method": "gradient descent", "variable": f"({', '.join(names)})", "width": WIDTH, "height": HEIGHT,
            "curve": "", "contours": contours, "minimum": [float(sx(minimum[0])), float(sy(minimum[1]))] if minimum else None,
            "rates": drawn, "start": first, "steps": SHOWN}


def _short(x: float) -> str:
    return f"{x:.4g}"


def _last_said(path) -> str:
    """The iterate after the steps shown, as the slider's sentence ends: "= 1.275", or where a diverging run left
    every number a double holds, the step and the last it reached ("x = not a number" was said: user48 F17)."""
    def said(point) -> str:
        return _short(point) if np.ndim(point) == 0 else f"({', '.join(_short(v) for v in point)})"

    finite = [bool(np.all(np.isfinite(point))) for point in path]
    if finite[SHOWN]:
        return "= " + said(path[SHOWN])
    gone = finite.index(False)
    return (f"is past every number a computer holds (about 10^308) from step {gone} on, having reached "
            f"{said(path[gone - 1])} at step {gone - 1}")
