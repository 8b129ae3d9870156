"""The claims records of kind `loss`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import sympy as sp

from tests.checkers.common import close


def loss(check):
    """Differentiate each loss symbolically with plain SymPy and compare."""
    r = sp.sympify
    ask = check["ask"]
    xs = [r(v) for v in check.get("inputs", [])]
    if ask == "mse_linear":
        w, b = sp.symbols("w b", real=True)
        ys = [r(v) for v in check["targets"]]
        L = sum((w * x + b - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
        at = {w: r(check["weights"][0]), b: r(check["bias"][0])}
        close(r(check["gradient"]["w"]), sp.diff(L, w).subs(at))
        close(r(check["gradient"]["b"]), sp.diff(L, b).subs(at))
    elif ask == "bce_sigmoid":
        ws = sp.symbols(f"w1:{len(xs) + 1}", real=True)
        b = sp.Symbol("b", real=True)
        y = r(check["targets"][0])
        s = 1 / (1 + sp.exp(-(sum(w * x for w, x in zip(ws, xs)) + b)))
        L = -(y * sp.log(s) + (1 - y) * sp.log(1 - s))
        at = {**{w: r(v) for w, v in zip(ws, check["weights"])}, b: r(check["bias"][0])}
        claimed = list(check["gradient"].values())
        for sym, value in zip(list(ws) + [b], claimed):
            close(value, sp.N(sp.diff(L, sym).subs(at), 20), tol=1e-8)
    elif ask == "softmax_ce":
        zs = sp.symbols(f"z1:{len(xs) + 1}", real=True)
        k = int(check["targets"][0])
        L = -sp.log(sp.exp(zs[k]) / sum(sp.exp(z) for z in zs))
        at = dict(zip(zs, xs))
        for sym, value in zip(zs, check["gradient"].values()):
            close(value, sp.N(sp.diff(L, sym).subs(at), 20), tol=1e-8)
    else:
        n, m = len(xs), len(check["upstream"])
        W = sp.Matrix(m, n, [r(v) for v in check["weights"]])
        delta = sp.Matrix([r(v) for v in check["upstream"]])
        x = sp.Matrix(xs)
        assert sp.Matrix(check["gradient"]["W"]).applyfunc(r) == delta * x.T
        assert sp.Matrix([r(v) for v in check["gradient"]["x"]]) == W.T * delta
        assert [r(v) for v in check["gradient"]["b"]] == list(delta)


CHECKERS = {"loss": loss}
