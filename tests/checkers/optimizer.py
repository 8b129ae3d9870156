"""The claims records of kind `optimizer`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import sympy as sp

from tests.checkers.common import close


def optimizer(check):
    """torch.optim's rules, written out once more."""
    read = sp.sympify
    h = {k: float(read(v)) for k, v in check["hyper"].items()}
    eps = float(read(check["eps"]))
    if "loss" in check:
        x = sp.Symbol(check["variable"], real=True)
        dloss = sp.lambdify(x, sp.diff(read(check["loss"], locals={check["variable"]: x}), x))
        grad = lambda t, theta: float(dloss(theta))
    else:
        gs = [float(read(g)) for g in check["gradients"]]
        grad = lambda t, theta: gs[t - 1]
    theta, state = float(read(check["start"])), {"b": 0.0, "m": 0.0, "v": 0.0, "s": 0.0}
    for t in range(1, check["steps"] + 1):
        g = grad(t, theta)
        name = check["optimizer"]
        if name in ("momentum", "nesterov"):
            state["b"] = g if t == 1 else h["momentum"] * state["b"] + g
            step = g + h["momentum"] * state["b"] if name == "nesterov" else state["b"]
            theta -= h["lr"] * step
        elif name == "adagrad":
            state["s"] += g * g
            theta -= h["lr"] * g / (state["s"] ** 0.5 + eps)
        elif name == "rmsprop":
            state["v"] = h["alpha"] * state["v"] + (1 - h["alpha"]) * g * g
            theta -= h["lr"] * g / (state["v"] ** 0.5 + eps)
        else:
            state["m"] = h["beta1"] * state["m"] + (1 - h["beta1"]) * g
            state["v"] = h["beta2"] * state["v"] + (1 - h["beta2"]) * g * g
            m_hat = state["m"] / (1 - h["beta1"] ** t)
            v_hat = state["v"] / (1 - h["beta2"] ** t)
            theta -= h["lr"] * m_hat / (v_hat ** 0.5 + eps)
        close(check["thetas"][t - 1], theta, tol=1e-9)


CHECKERS = {"optimizer": optimizer}
