"""The claims records of kind `chain`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import sympy as sp

from tests.checkers.common import read_with, same_function


def chain_multivariable(check):
    names = check["parameters"] + ["x", "y"]
    symbols, read = read_with(check, names)
    x, y = symbols["x"], symbols["y"]
    ps = [symbols[n] for n in check["parameters"]]
    z = read(check["outer"]).subs({x: read(check["inner"][0]), y: read(check["inner"][1])})
    for p, answer in zip(ps, check["answers"]):
        same_function(read(answer), sp.diff(z, p), ps)


CHECKERS = {"chain_multivariable": chain_multivariable}
