"""The claims records of kind `hessian`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import numpy as np
import sympy as sp

from tests.checkers.common import read_with, same_function


def jacobian(check):
    symbols, read = read_with(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    comps = [read(c) for c in check["components"]]
    J = check["jacobian"]
    assert len(J) == len(comps) and all(len(row) == len(xs) for row in J)
    for c, row in zip(comps, J):
        for v, d in zip(xs, row):
            same_function(read(d), sp.diff(c, v), xs)


def hessian(check):
    symbols, read = read_with(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    for a, row in zip(xs, check["hessian"]):
        for b, d in zip(xs, row):
            same_function(read(d), sp.diff(f, a, b), xs)


def critical_points(check):
    hessian(check)
    symbols, read = read_with(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    H = sp.hessian(f, xs)
    truth = sp.solve([sp.diff(f, v) for v in xs], xs, dict=True)
    assert len(truth) == len(check["points"])
    for point, kind in zip(check["points"], check["kinds"]):
        at = {v: read(c) for v, c in zip(xs, point)}
        assert all(sp.diff(f, v).subs(at) == 0 for v in xs)
        eig = np.linalg.eigvalsh(np.array(H.subs(at).tolist(), dtype=float))
        seen = "minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle point"
        assert seen == kind, (point, seen, kind)


CHECKERS = {"jacobian": jacobian, "hessian": hessian, "critical_points": critical_points}
