"""The claims records of kind `gradient_descent`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import numpy as np
import sympy as sp

from tests.checkers.common import close, read_with


def gradient_descent(check):
    symbols, read = read_with(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    grads = [sp.lambdify(xs, sp.diff(f, v), "numpy") for v in xs]
    point = np.array([float(read(c)) for c in check["start"]])
    rate = float(read(check["rate"]))
    path = [point]
    for _ in range(check["steps"]):
        point = point - rate * np.array([float(g(*point)) for g in grads])
        path.append(point)
    claimed = np.array([[float(read(c)) for c in p] for p in check["iterates"]])
    assert np.allclose(claimed, np.array(path), rtol=1e-9, atol=1e-12), (claimed, path)


def descent_convergence(check):
    symbols, read = read_with(check, [check["variable"]])
    x = symbols[check["variable"]]
    f = read(check["function"])
    g = sp.lambdify(x, sp.diff(f, x))
    minimum = float(sp.solve(sp.diff(f, x), x)[0])
    for rate, verdict in zip(check["rates"], check["verdicts"]):
        p, r = float(read(check["start"])), float(read(rate))
        if p == minimum:
            p += 1.0
        start = abs(p - minimum)
        for _ in range(200):
            p = p - r * g(p)
        end = abs(p - minimum)
        seen = "converges" if end < 1e-6 * start else "diverges" if end > 2 * start else "oscillates"
        assert seen == verdict, (rate, seen, verdict)
    close(read(check["threshold"]), 2 / float(sp.diff(f, x, 2)))


CHECKERS = {"gradient_descent": gradient_descent, "descent_convergence": descent_convergence}
