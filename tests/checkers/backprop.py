"""The claims records of kind `backprop`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import sympy as sp

from tests.checkers.common import close


def backprop(check):
    """Build the graph as one SymPy expression and differentiate it."""
    ops = {"add": lambda a, b: a + b, "mul": lambda a, b: a * b, "max": lambda a, b: sp.Max(a, b),
           "exp": sp.exp, "log": sp.log, "square": lambda a: a**2, "sigmoid": lambda a: 1 / (1 + sp.exp(-a)),
           "tanh": sp.tanh, "relu": lambda a: sp.Max(a, 0)}
    leaves = {k: sp.Symbol(k, real=True) for k in check["leaves"]}
    nodes = dict(leaves)
    for name, op, *args in check["graph"]:
        nodes[name] = ops[op](*[nodes[a] for a in args])
    out = nodes[check["output"]]
    at = {leaves[k]: sp.sympify(v) for k, v in check["leaves"].items()}
    for k, claimed in check["gradients"].items():
        slope = sp.diff(out, leaves[k]).replace(sp.Heaviside, lambda a, *h0: sp.Heaviside(a, 0))  # ReLU'(0) = 0
        truth = sp.N(slope.subs(at), 20)
        close(claimed, truth, tol=1e-8)


CHECKERS = {"backprop": backprop}
