"""What the checkers share: reading a record's expressions with plain SymPy, comparing values."""

from __future__ import annotations

import random

import sympy as sp


def read_with(check, names):
    symbols = {n: sp.Symbol(n, real=True) for n in names}
    return symbols, lambda text: sp.sympify(text, locals=symbols)


def same_function(a, b, symbols, box=(-3, 3), tries=60):
    """a and b agree wherever both are real and finite, at enough random points."""
    rng = random.Random(1)
    agreed = 0
    for _ in range(tries):
        point = {s: sp.Rational(rng.randint(int(box[0] * 100), int(box[1] * 100)), 100) for s in symbols}
        va, vb = sp.N(a.subs(point), 20), sp.N(b.subs(point), 20)
        if va.is_real and vb.is_real and va.is_finite and vb.is_finite:
            assert abs(va - vb) <= 1e-10 * max(1, abs(vb)), (a, b, point)
            agreed += 1
    assert agreed >= 5, (a, b)


def close(a, b, tol=1e-9):
    assert abs(float(a) - float(b)) <= tol * max(1.0, abs(float(b))), (a, b)
