"""The claims records of kind `derivative`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import sympy as sp

from tests.checkers.common import close, read_with, same_function


def derivative(check):
    symbols, read = read_with(check, [check["variable"]])
    x = symbols[check["variable"]]
    f, answer = read(check["function"]), read(check["answer"])
    truth = sp.diff(f, x, check["order"])
    same_function(answer, truth, [x])
    if "value" in check:
        close(read(check["value"]), truth.subs(x, read(check["at"])))
    if "tangent" in check:
        line, at = read(check["tangent"]), read(check["at"])
        close(line.subs(x, at), f.subs(x, at))
        close(sp.diff(line, x), truth.subs(x, at))


CHECKERS = {"derivative": derivative}
