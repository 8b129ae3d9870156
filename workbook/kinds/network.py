"""Kind `network`: backpropagation through a 2-h-1 network, the XOR capstone among its families.

The gradients come from the backpropagation formulas (δ at the output, passed back through the
weights and the activation's slope); the check perturbs every weight and bias of a separate
NumPy forward pass (complex step), so a transposed matrix or a missing activation slope fails.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from pydantic import Field, model_validator

from workbook.family import Family
from workbook.kinds._transition import legacy  # TRANSITION
from workbook import expr as E
from workbook.generate import Degenerate, fill
from workbook.kinds.common import decimal_latex as d
from workbook.verify import VerifyError

ACT = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "relu": lambda z: np.where(np.real(z) > 0, z, 0 * z)}
SLOPE = {"sigmoid": lambda a, z: a * (1 - a), "tanh": lambda a, z: 1 - a**2, "relu": lambda a, z: (z > 0) * 1.0}
ACT_TEX = {"sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{ReLU}"}


class NetworkFamily(Family):
    """Backpropagation through a small network (2 inputs, 2 or 3 hidden units, 1 output): the forward
    table, the loss, every weight's gradient, and one gradient step."""

    kind: Literal["network"] = Field(description="`network` for this kind.")
    hidden: int = Field(2, ge=2, le=3, description="Hidden units: 2 or 3.")
    activation: list[Literal["sigmoid", "tanh", "relu"]] = Field(["sigmoid"], min_length=1,
                                                                 description="The hidden activation; one is drawn.")
    output: Literal["sigmoid", "linear"] = Field("sigmoid", description="The output unit.")
    loss: Literal["bce", "mse"] = Field("bce", description="Binary cross-entropy or squared error, averaged "
                                                           "over the examples.")
    w1: list[str] = Field(description="Hidden weights, row by row (hidden × 2).")
    b1: list[str] = Field(description="Hidden biases.")
    w2: list[str] = Field(description="Output weights (one per hidden unit).")
    b2: str = Field("0", description="Output bias.")
    data: list[list[str]] = Field(min_length=1, max_length=4, description="Examples [x1, x2, y].")
    lr: str = Field("0.5", description="The learning rate of the gradient step.")

    @model_validator(mode="after")
    def _shapes(self):
        h = self.hidden
        if len(self.w1) != 2 * h or len(self.b1) != h or len(self.w2) != h:
            raise ValueError(f"with hidden = {h}: w1 needs {2 * h} entries, b1 and w2 {h} each")
        if any(len(row) != 3 for row in self.data):
            raise ValueError("each example is [x1, x2, y]")
        return self

    def formulas(self):
        params = set(self.params)
        out = [(f"{k}[{i}]", t, params, set()) for k in ("w1", "b1", "w2") for i, t in enumerate(getattr(self, k))]
        out += [("b2", self.b2, params, set()), ("lr", self.lr, params, set())]
        out += [(f"data[{i}][{j}]", t, params, set()) for i, row in enumerate(self.data) for j, t in enumerate(row)]
        return out



def loss_of(params: dict, X, Y, act: str, output: str, loss: str):
    """The mean loss of the network on (X, Y): the check's own forward pass (works on complex numbers)."""
    Z1 = X @ params["W1"].T + params["b1"]
    A1 = ACT[act](Z1)
    z2 = A1 @ params["W2"] + params["b2"]
    yhat = 1 / (1 + np.exp(-z2)) if output == "sigmoid" else z2
    if loss == "bce":
        return np.mean(-(Y * np.log(yhat) + (1 - Y) * np.log(1 - yhat)))
    return np.mean((yhat - Y) ** 2)


def generate(family: NetworkFamily, params: dict, rng: np.random.Generator) -> dict:
    values = {E.symbol(k): v for k, v in params.items()}

    def num(t):
        return float(E.parse(t, variables=set(params)).xreplace(values))

    act = family.activation[int(rng.integers(len(family.activation)))]
    h = family.hidden
    W1 = np.array([num(t) for t in family.w1]).reshape(h, 2)
    b1 = np.array([num(t) for t in family.b1])
    W2 = np.array([num(t) for t in family.w2])
    b2 = num(family.b2)
    data = np.array([[num(t) for t in row] for row in family.data])
    X, Y = data[:, :2], data[:, 2]
    lr = num(family.lr)
    if family.loss == "bce" and (family.output != "sigmoid" or not set(Y) <= {0.0, 1.0}):
        raise Degenerate("cross-entropy needs a sigmoid output and labels 0 or 1")

    # forward
    Z1 = X @ W1.T + b1
    A1 = ACT[act](Z1)
    z2 = A1 @ W2 + b2
    yhat = 1 / (1 + np.exp(-z2)) if family.output == "sigmoid" else z2
    if family.output == "sigmoid" and (yhat.min() < 0.01 or yhat.max() > 0.99):
        raise Degenerate("a saturated output")
    if act == "relu" and np.any(Z1 == 0):
        raise Degenerate("ReLU exactly at its corner")
    n = len(Y)
    L = float(loss_of({"W1": W1, "b1": b1, "W2": W2, "b2": b2}, X, Y, act, family.output, family.loss))
    # backward: delta at the output, then through W2 and the activation's slope
    if family.loss == "bce":
        delta2 = (yhat - Y) / n
    else:
        delta2 = 2 * (yhat - Y) / n * (yhat * (1 - yhat) if family.output == "sigmoid" else 1)
    dW2 = A1.T @ delta2
    db2 = float(delta2.sum())
    delta1 = np.outer(delta2, W2) * SLOPE[act](A1, Z1)
    dW1 = delta1.T @ X
    db1 = delta1.sum(axis=0)
    grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": np.array(db2)}
    if max(np.abs(g).max() for g in grads.values()) < 1e-9:
        raise Degenerate("every gradient is zero")
    _check(grads, {"W1": W1, "b1": b1, "W2": W2, "b2": np.array(b2)}, X, Y, act, family)

    head = ["x_1", "x_2"] + [f"z_{{{j + 1}}}" for j in range(h)] + [f"a_{{{j + 1}}}" for j in range(h)] + \
        [r"\hat y", "y"]
    rows = [[d(X[i, 0]), d(X[i, 1])] + [d(v) for v in Z1[i]] + [d(v) for v in A1[i]] + [d(yhat[i]), d(Y[i])]
            for i in range(n)]
    names = [(f"w^{{(1)}}_{{{j + 1}{k + 1}}}", W1[j, k], dW1[j, k]) for j in range(h) for k in range(2)] + \
        [(f"b^{{(1)}}_{{{j + 1}}}", b1[j], db1[j]) for j in range(h)] + \
        [(f"w^{{(2)}}_{{{j + 1}}}", W2[j], dW2[j]) for j in range(h)] + [("b^{(2)}", b2, db2)]
    grad_rows = [[name, d(w), d(g), d(w - lr * g)] for name, w, g in names]
    out_tex = r"\sigma" if family.output == "sigmoid" else ""
    loss_tex = (r"L = -\frac{1}{n}\sum \left[y \ln \hat y + (1 - y)\ln(1 - \hat y)\right]" if family.loss == "bce"
                else r"L = \frac{1}{n}\sum (\hat y - y)^{2}")
    shown = [
        {"depth": 0, "rule": "Forward pass", "math": r"z = W^{(1)}x + b^{(1)},\ a = %s(z),\ \hat y = %s(w^{(2)}\cdot a"
                                                     r" + b^{(2)})" % (ACT_TEX[act], out_tex),
         "say": [{"table": {"head": head, "rows": rows}}]},
        {"depth": 0, "rule": "Loss", "math": f"{loss_tex} = {d(L)}", "say": [{"text": f"Averaged over the {n} "
                                                                                         f"example{'s' if n > 1 else ''}."}]},
        {"depth": 0, "rule": "Output error", "math": (r"\delta^{(2)} = \frac{\hat y - y}{n}" if family.loss == "bce"
                                                      else r"\delta^{(2)} = \frac{2(\hat y - y)}{n}" +
                                                      (r"\,\hat y(1 - \hat y)" if family.output == "sigmoid" else "")),
         "say": [{"text": "With a sigmoid output and cross-entropy the sigmoid's slope cancels: the error is just "
                          "prediction minus label." if family.loss == "bce" else
                          "The derivative of the squared error, times the output unit's slope."}]},
        {"depth": 0, "rule": "Output layer", "math": r"\frac{\partial L}{\partial w^{(2)}_j} = \sum \delta^{(2)} a_j,"
                                                     r"\quad \frac{\partial L}{\partial b^{(2)}} = \sum \delta^{(2)}",
         "say": [{"text": "Each output weight's gradient is the error times the activation it multiplies."}]},
        {"depth": 0, "rule": "Hidden layer", "math": r"\delta^{(1)}_j = \delta^{(2)}\, w^{(2)}_j\, %s,\quad "
                                                     r"\frac{\partial L}{\partial w^{(1)}_{jk}} = \sum \delta^{(1)}_j x_k"
                                                     % {"sigmoid": "a_j(1 - a_j)", "tanh": "(1 - a_j^{2})",
                                                        "relu": r"[z_j > 0]"}[act],
         "say": [{"text": "Send the error back through each output weight and the hidden unit's slope, then "
                          "multiply by the input that weight sees."}]},
        {"depth": 0, "rule": f"Gradients and one step (η = {lr:g})", "math": "",
         "say": [{"table": {"head": [r"\text{parameter}", r"\text{value}", r"\partial L/\partial\,\cdot",
                                     r"\text{after the step}"], "rows": grad_rows}}]},
    ]
    nodes = [{"id": "x1", "label": "x₁"}, {"id": "x2", "label": "x₂"}] + \
        [{"id": f"h{j + 1}", "label": f"h{j + 1}", "value": f"a={d(A1[0, j])}", "grad": f"δ={d(delta1[0, j])}"}
         for j in range(h)] + [{"id": "y", "label": "ŷ", "value": d(yhat[0]), "grad": f"δ={d(delta2[0])}"}]
    edges = [{"from": f"x{k + 1}", "to": f"h{j + 1}", "label": d(W1[j, k])} for j in range(h) for k in range(2)] + \
        [{"from": f"h{j + 1}", "to": "y", "label": d(W2[j])} for j in range(h)]
    figure = {"kind": "graph", "nodes": nodes, "edges": edges, "layers": [["x1", "x2"], [f"h{j + 1}" for j in range(h)],
                                                                          ["y"]],
              "alt": f"The 2-{h}-1 network with each weight on its arrow; the hidden and output units show their "
                     "activation and error signal for the first example."}
    placeholders = {"act": {"math": ACT_TEX[act]}, "lr": {"math": r"\eta = " + d(lr)}, "h": {"text": str(h)},
                    "weights": {"math": r"W^{(1)} = %s,\ b^{(1)} = %s,\ w^{(2)} = %s,\ b^{(2)} = %s" % (
                        _mat(W1), _mat(b1[:, None]), _mat(W2[None, :]), d(b2))},
                    "data": {"math": ",\\ ".join(f"(({d(r[0])}, {d(r[1])}), {d(r[2])})" for r in data)}}
    default = ("A 2-{h}-1 network with hidden activation {act} has {weights}. For the data {data}, run the "
               "forward pass, find the loss and the gradient of every weight and bias, and take one gradient step "
               "with {lr}.")
    check = {"type": "network", "activation": act, "output": family.output, "loss": family.loss,
             "W1": W1.tolist(), "b1": b1.tolist(), "W2": W2.tolist(), "b2": b2, "data": data.tolist(),
             "value": L, "gradients": {k: np.asarray(v).tolist() for k, v in grads.items()}, "lr": lr}
    return {"key": f"net {act} {W1.tolist()} {b1.tolist()} {W2.tolist()} {b2} {data.tolist()}", "steps": shown, "figure": figure, "check": check,
            "prompt": fill(family.prompt or default, placeholders),
            "answer": [{"math": f"L = {d(L)}"}, {"text": "; "},
                       {"math": r"\partial L/\partial b^{(2)} = %s" % d(db2)},
                       {"text": "; every gradient and the step: see the worked solution"}],
            "answer_text": f"L = {L:.4f}; " + ", ".join(f"{n}: {g:.4f}" for n, _, g in names),
            "verified": {"method": "complex-step on a NumPy forward pass", "points": len(names), "max_error": 0.0}}


def _mat(a) -> str:
    return r"\begin{pmatrix}" + r" \\ ".join(" & ".join(d(v) for v in row) for row in a) + r"\end{pmatrix}"


def _check(grads: dict, params: dict, X, Y, act: str, family) -> None:
    """Perturb every parameter of a separate forward pass; the gradients must match."""
    for key, value in params.items():
        flat = np.atleast_1d(value).astype(float).ravel()
        measured = np.empty(flat.size)
        for i in range(flat.size):
            h = 1e-7 if act == "relu" else 1e-20
            probe = flat.astype(complex)
            probe[i] += 1j * h if act != "relu" else h
            trial = {k: (probe.reshape(np.shape(value)) if k == key else v) for k, v in params.items()}
            if act == "relu":
                minus = flat.copy()
                minus[i] -= h
                low = {k: (minus.reshape(np.shape(value)) if k == key else v) for k, v in params.items()}
                measured[i] = (loss_of(trial, X, Y, act, family.output, family.loss).real -
                               loss_of(low, X, Y, act, family.output, family.loss)) / (2 * h)
            else:
                measured[i] = np.imag(loss_of(trial, X, Y, act, family.output, family.loss)) / h
        claimed = np.atleast_1d(grads[key]).ravel()
        if not np.allclose(claimed, measured, rtol=1e-6, atol=1e-9):
            raise VerifyError(f"dL/d{key}: backprop gives {claimed.tolist()}, the forward pass measures "
                              f"{measured.tolist()}")


KIND = legacy('network', NetworkFamily, generate)  # TRANSITION
