"""The claims records of kind `gradient`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import numpy as np
import sympy as sp

from tests.checkers.common import close, read_with, same_function


def gradient(check):
    symbols, read = read_with(check, check["variables"])
    xs = [symbols[n] for n in check["variables"]]
    f = read(check["function"])
    for v, d in zip(xs, check["partials"]):
        same_function(read(d), sp.diff(f, v), xs)
    for key, d in check.get("second_partials", {}).items():
        a, b = key.split(",")
        same_function(read(d), sp.diff(f, symbols[a], symbols[b]), xs)
    if "gradient" in check:
        at = {v: read(p) for v, p in zip(xs, check["at"])}
        grad = [sp.diff(f, v).subs(at) for v in xs]
        for claimed, true in zip(check["gradient"], grad):
            close(read(claimed), true)
        if "directional" in check:
            u = np.array([float(read(c)) for c in check["direction"]])
            u = u / np.linalg.norm(u)
            close(read(check["directional"]), float(np.dot([float(g) for g in grad], u)))
        if "rate" in check:
            g = np.array([float(c) for c in grad])
            close(read(check["rate"]), np.linalg.norm(g))
            for claimed, true in zip(check["descent_direction"], -g / np.linalg.norm(g)):
                close(read(claimed), true)


CHECKERS = {"gradient": gradient}
