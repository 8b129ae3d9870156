"""The claims records of kind `gradient_check`, recomputed with plain SymPy."""

from __future__ import annotations

import sympy as sp

from tests.checkers.common import read_with


def gradient_check(check):
    symbols, read = read_with(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f, h = read(check["function"]), read(check["h"])
    at = {v: read(c) for v, c in zip(xs, check["point"])}
    for v, a, n, e in zip(xs, check["gradient"], check["estimate"], check["relative_error"]):
        assert sp.simplify(read(a) - sp.diff(f, v).subs(at)) == 0, (v, a)
        centred = (f.subs({**at, v: at[v] + h}) - f.subs({**at, v: at[v] - h})) / (2 * h)
        assert sp.simplify(read(n) - centred) == 0, (v, n, centred)
        true = sp.Abs(read(a) - read(n)) / sp.Max(sp.Abs(read(a)), sp.Abs(read(n)))
        assert sp.simplify(read(e) - true) == 0, (v, e, true)
        # the verdict's promise: a right partial's error is the centred difference's own, a quarter of it at h/2
        # (a right ∂f/∂x = 0 had an error of 1 at every h: read40)
        assert read(a) != 0, (v, "a relative error against 0")
        if true != 0:
            half = (f.subs({**at, v: at[v] + h / 2}) - f.subs({**at, v: at[v] - h / 2})) / h
            ratio = sp.N(true / (sp.Abs(read(a) - half) / sp.Max(sp.Abs(read(a)), sp.Abs(half))), 30)
            assert 3 <= ratio <= 5, (v, ratio)


CHECKERS = {"gradient_check": gradient_check}
