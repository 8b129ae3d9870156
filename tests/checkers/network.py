"""The claims records of kind `network`, recomputed with plain SymPy and NumPy."""

from __future__ import annotations

import numpy as np

from tests.checkers.common import close


def network(check):
    """Central differences of a plain forward pass, written once more."""
    act = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.maximum(z, 0)}[
        check["activation"]]
    data = np.array(check["data"], dtype=float)
    X, Y = data[:, :2], data[:, 2]

    def loss(p):
        a = act(X @ np.array(p["W1"]).T + np.array(p["b1"]))
        z = a @ np.array(p["W2"]) + p["b2"]
        yhat = 1 / (1 + np.exp(-z)) if check["output"] == "sigmoid" else z
        if check["loss"] == "bce":
            return float(np.mean(-(Y * np.log(yhat) + (1 - Y) * np.log(1 - yhat))))
        return float(np.mean((yhat - Y) ** 2))

    base = {k: np.array(check[k], dtype=float) for k in ("W1", "b1", "W2", "b2")}
    close(check["value"], loss(base), tol=1e-9)
    for key, grad in check["gradients"].items():
        flat = base[key].ravel()
        for i, claimed in enumerate(np.ravel(grad)):
            up, down = flat.copy(), flat.copy()
            up[i] += 1e-6
            down[i] -= 1e-6
            trial_up = {**base, key: up.reshape(base[key].shape)}
            trial_down = {**base, key: down.reshape(base[key].shape)}
            close(claimed, (loss(trial_up) - loss(trial_down)) / 2e-6, tol=1e-5)


CHECKERS = {"network": network}
