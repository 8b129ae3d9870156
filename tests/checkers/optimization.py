"""The claims records of kind `optimization`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import numpy as np
import sympy as sp

from tests.checkers.common import close, read_with


def optimum(check):
    symbols, read = read_with(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    at = {v: read(c) for v, c in zip(xs, check["at"])}
    assert all(sp.diff(f, v).subs(at) == 0 for v in xs)
    close(read(check["value"]), f.subs(at))
    eig = np.linalg.eigvalsh(np.array(sp.hessian(f, xs).subs(at).tolist(), dtype=float))
    assert (eig.max() < 0) if check["goal"] == "maximize" else (eig.min() > 0)


CHECKERS = {"optimum": optimum}
