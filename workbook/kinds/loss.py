"""Kind `loss`: the loss derivatives that train a model.

Answers are computed from the closed forms a course teaches (2/n Σ r x, (ŷ - y) x, p - y, δ xᵀ);
the check differentiates the loss itself numerically (complex step on a NumPy loss), so a wrong
formula cannot pass.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook.family import Family
from workbook.kinds._transition import legacy  # TRANSITION
from workbook import expr as E
from workbook.explain import latex
from workbook.functions import sigmoid
from workbook.generate import Degenerate, fill
from workbook.kinds.common import decimal_latex
from workbook.verify import VerifyError


class LossFamily(Family):
    """Loss derivatives that train a model: MSE for a line, binary cross-entropy with a sigmoid, softmax
    with cross-entropy, and a linear layer's weight gradient."""

    kind: Literal["loss"] = Field(description="`loss` for this kind.")
    ask: Literal["mse_linear", "bce_sigmoid", "softmax_ce", "linear_layer"] = Field(
        description="mse_linear: dL/dw and dL/db of the mean squared error of y = w x + b on a data set; "
                    "bce_sigmoid: dL/dw and dL/db of binary cross-entropy with y-hat = sigma(w.x + b); "
                    "softmax_ce: dL/dz of cross-entropy after softmax of logits z; linear_layer: dL/dW, "
                    "dL/db and dL/dx of y = W x + b given dL/dy.")
    inputs: list[str] = Field(default_factory=list, max_length=6,
                              description="mse_linear: the data's x values; bce_sigmoid: the features; "
                                          "softmax_ce: the logits; linear_layer: the vector x.")
    targets: list[str] = Field(default_factory=list, max_length=6,
                               description="mse_linear: the data's y values; bce_sigmoid: the label (0 or 1); "
                                           "softmax_ce: the index of the true class (0-based).")
    weights: list[str] = Field(default_factory=list, max_length=12,
                               description="mse_linear: [w]; bce_sigmoid: one weight per feature; "
                                           "linear_layer: W row by row.")
    bias: list[str] = Field(default_factory=lambda: ["0"], max_length=4,
                            description="The bias (one entry, or one per output of a linear layer).")
    upstream: list[str] = Field(default_factory=list, max_length=4,
                                description="linear_layer: the gradient dL/dy arriving from above.")

    @model_validator(mode="after")
    def _shapes(self):
        n = len(self.inputs)
        if n == 0:
            raise ValueError("inputs must not be empty")
        if self.ask == "mse_linear" and (len(self.targets) != n or len(self.weights) != 1):
            raise ValueError("mse_linear needs as many targets as inputs and one weight")
        if self.ask == "bce_sigmoid" and (len(self.targets) != 1 or len(self.weights) != n):
            raise ValueError("bce_sigmoid needs one target and one weight per input")
        if self.ask == "softmax_ce" and (len(self.targets) != 1 or n < 2):
            raise ValueError("softmax_ce needs at least two logits and one target index")
        if self.ask == "linear_layer":
            m = len(self.upstream)
            if m == 0 or len(self.weights) != m * n or len(self.bias) != m:
                raise ValueError("linear_layer needs upstream (m entries), weights (m x n, row by row) and m biases")
        return self

    def formulas(self):
        params = set(self.params)
        return [(f"{key}[{i}]", t, params, set()) for key in ("inputs", "targets", "weights", "bias", "upstream")
                for i, t in enumerate(getattr(self, key))]



def numeric_gradient(loss, params: np.ndarray) -> np.ndarray:
    """Complex-step gradient of a NumPy loss with respect to every entry of params."""
    out = np.empty(params.size)
    flat = params.astype(complex).ravel()
    for i in range(flat.size):
        h = 1e-20
        probe = flat.copy()
        probe[i] += 1j * h
        out[i] = np.imag(loss(probe.reshape(params.shape))) / h
    return out.reshape(params.shape)


def _agree(claimed, measured, what: str) -> float:
    claimed, measured = np.asarray(claimed, dtype=float), np.asarray(measured, dtype=float)
    if not np.allclose(claimed, measured, rtol=1e-8, atol=1e-10):
        raise VerifyError(f"{what}: the formula gives {claimed.tolist()} but the loss measures {measured.tolist()}")
    return float(np.max(np.abs(claimed - measured)))


def _matrix(rows) -> str:
    return r"\begin{pmatrix}" + r" \\ ".join(" & ".join(latex(c) for c in row) for row in rows) + r"\end{pmatrix}"


def _column(values) -> str:
    return _matrix([[v] for v in values])


def generate(family: LossFamily, params: dict, rng: np.random.Generator) -> dict:
    values = {E.symbol(k): v for k, v in params.items()}

    def read(texts):
        return [E.parse(t, variables=set(params)).xreplace(values) for t in texts]

    data = {key: read(getattr(family, key)) for key in ("inputs", "targets", "weights", "bias", "upstream")}
    return ASKS[family.ask](family, data)


def _mse(family, d) -> dict:
    xs, ys, (w,), (b,) = d["inputs"], d["targets"], d["weights"], d["bias"][:1]
    n = len(xs)
    preds = [w * x + b for x, y in zip(xs, ys)]
    res = [p - y for p, y in zip(preds, ys)]
    dw = sp.Rational(2, n) * sum(r * x for r, x in zip(res, xs))
    db = sp.Rational(2, n) * sum(res)
    if dw == 0 and db == 0:
        raise Degenerate("the line already fits")
    xa, ya = np.array(xs, dtype=float), np.array(ys, dtype=float)
    measured = numeric_gradient(lambda p: np.mean((p[0] * xa + p[1] - ya) ** 2), np.array([float(w), float(b)]))
    err = _agree([float(dw), float(db)], measured, "MSE gradient")
    table = [[str(i + 1), latex(x), latex(y), latex(p), latex(r), latex(r * x)]
             for i, (x, y, p, r) in enumerate(zip(xs, ys, preds, res))]
    shown = [
        {"depth": 0, "rule": "The loss", "math": r"L(w, b) = \frac{1}{n}\sum_{i=1}^{n}\left(w x_i + b - y_i\right)^{2}",
         "say": [{"text": "Mean squared error of the line over the data, here with "}, {"math": f"n = {n}"}, {"text": "."}]},
        {"depth": 0, "rule": "Chain rule inside the sum",
         "math": r"\frac{\partial L}{\partial w} = \frac{2}{n}\sum r_i x_i,\quad \frac{\partial L}{\partial b} = "
                 r"\frac{2}{n}\sum r_i,\quad r_i = \hat y_i - y_i",
         "say": [{"text": "Each squared residual differentiates to twice the residual times the residual's own "
                          "derivative: x for w, 1 for b."}]},
        {"depth": 0, "rule": "Residuals", "math": "",
         "say": [{"table": {"head": ["i", "x_i", "y_i", r"\hat y_i", "r_i", "r_i x_i"], "rows": table}}]},
        {"depth": 0, "rule": "Sum up", "math": r"\frac{\partial L}{\partial w} = \frac{2}{%d}\cdot %s = %s,\quad "
                                                r"\frac{\partial L}{\partial b} = \frac{2}{%d}\cdot %s = %s" % (
            n, latex(sum(r * x for r, x in zip(res, xs))), latex(dw), n, latex(sum(res)), latex(db)),
         "say": [{"text": "A negative derivative means increasing that parameter lowers the loss."}]},
    ]
    data_tex = ", ".join(f"({latex(x)}, {latex(y)})" for x, y in zip(xs, ys))
    default = ("A line {model} is fitted to the points {data} with the mean squared error. "
               "Find the partial derivatives of the loss with respect to w and b.")
    prompt = fill(family.prompt or default, {"model": {"math": r"\hat y = " + latex(w * E.symbol("x") + b)},
                                             "data": {"math": data_tex}})
    figure = {"kind": "residuals", "x": [float(x) for x in xs], "y": [float(y) for y in ys], "w": float(w), "b": float(b),
              "alt": f"The {n} data points, the line y = {float(w):g}x + {float(b):g} and the vertical residual from "
                     "each point to the line."}
    check = {"type": "loss", "ask": "mse_linear", "inputs": [sp.sstr(x) for x in xs], "targets": [sp.sstr(y) for y in ys],
             "weights": [sp.sstr(w)], "bias": [sp.sstr(b)], "gradient": {"w": sp.sstr(dw), "b": sp.sstr(db)}}
    return {"key": f"mse {xs} {ys} {w} {b}", "steps": shown, "figure": figure, "check": check, "prompt": prompt,
            "answer": [{"math": r"\frac{\partial L}{\partial w} = %s,\quad \frac{\partial L}{\partial b} = %s" % (
                latex(dw), latex(db))}],
            "answer_text": f"dL/dw = {dw}, dL/db = {db}",
            "verified": {"method": "complex-step", "points": 2, "max_error": err}}


def _bce(family, d) -> dict:
    xs, (y,), ws, (b,) = d["inputs"], d["targets"], d["weights"], d["bias"][:1]
    if y not in (0, 1):
        raise Degenerate("the label must be 0 or 1")
    z = sp.Add(*[w * x for w, x in zip(ws, xs)]) + b
    yhat = sigmoid(z)
    yv = float(yhat.rewrite(sp.exp).evalf(30))
    if not 0.02 < yv < 0.98:
        raise Degenerate("the sigmoid is saturated")
    grads = [(yv - float(y)) * float(x) for x in xs] + [yv - float(y)]
    xa, wa, yy = np.array(xs, dtype=float), np.array(ws + [b], dtype=float), float(y)

    def loss(p):
        zz = np.dot(p[:-1], xa) + p[-1]
        s = 1 / (1 + np.exp(-zz))
        return -(yy * np.log(s) + (1 - yy) * np.log(1 - s))

    err = _agree(grads, numeric_gradient(loss, wa), "BCE gradient")
    names = [f"w_{i + 1}" for i in range(len(ws))] if len(ws) > 1 else ["w"]
    shown = [
        {"depth": 0, "rule": "Forward pass", "math": r"z = %s = %s,\quad \hat y = \sigma(z) \approx %s" % (
            " + ".join(f"{n}\\,x_{{{i + 1}}}" if len(ws) > 1 else "w\\,x" for i, n in enumerate(names)) + " + b",
            latex(z), decimal_latex(yv)),
         "say": [{"text": "Compute the neuron's output first; the backward pass reuses it."}]},
        {"depth": 0, "rule": "Loss", "math": r"L = -\left[y \ln \hat y + (1 - y)\ln(1 - \hat y)\right]",
         "say": [{"text": "Binary cross-entropy with the label "}, {"math": f"y = {latex(y)}"}, {"text": "."}]},
        {"depth": 0, "rule": "Chain rule", "math": r"\frac{\partial L}{\partial z} = \frac{\partial L}{\partial \hat y}"
                                                   r"\cdot\frac{d\hat y}{dz} = \left(-\frac{y}{\hat y} + \frac{1 - y}"
                                                   r"{1 - \hat y}\right)\hat y(1 - \hat y) = \hat y - y",
         "say": [{"text": "The sigmoid's slope "}, {"math": r"\hat y(1 - \hat y)"},
                 {"text": " cancels the denominators: the error signal is just prediction minus label."}]},
        {"depth": 0, "rule": "Back to the parameters",
         "math": r"\frac{\partial L}{\partial w_j} = (\hat y - y)\,x_j,\quad \frac{\partial L}{\partial b} = \hat y - y"
                 r" \approx %s" % decimal_latex(yv - float(y)),
         "say": [{"text": "Since "}, {"math": r"\partial z/\partial w_j = x_j"}, {"text": " and "},
                 {"math": r"\partial z / \partial b = 1"}, {"text": ". Rounded to 4 decimal places."}]},
    ]
    answer = ",\\quad ".join(r"\frac{\partial L}{\partial %s} \approx %s" % (n, decimal_latex(g))
                              for n, g in zip(names + ["b"], grads))
    feats = ", ".join(latex(x) for x in xs)
    default = ("A neuron computes {model} on the input {x} with label {y} and is trained with binary "
               "cross-entropy. Find the gradient of the loss with respect to each weight and the bias.")
    weights_tex = ", ".join(f"{n} = {latex(w)}" for n, w in zip(names, ws)) + f", b = {latex(b)}"
    prompt = fill(family.prompt or default, {"model": {"math": r"\hat y = \sigma(w \cdot x + b)"},
                                             "x": {"math": f"x = ({feats})" if len(xs) > 1 else f"x = {feats}"},
                                             "y": {"math": f"y = {latex(y)}"}})
    prompt += [{"text": " The parameters are "}, {"math": weights_tex}, {"text": "."}]
    zf = float(z)
    figure = {"kind": "sigmoid", "z": zf, "yhat": yv, "label": float(y),
              "alt": f"The sigmoid curve with the neuron's pre-activation z = {zf:g} marked at output {yv:.4f}, "
                     f"against the label {int(y)}; the gap between them is the error signal."}
    check = {"type": "loss", "ask": "bce_sigmoid", "inputs": [sp.sstr(x) for x in xs], "targets": [sp.sstr(y)],
             "weights": [sp.sstr(w) for w in ws], "bias": [sp.sstr(b)],
             "gradient": {n: f"{g:.12g}" for n, g in zip(names + ["b"], grads)}}
    return {"key": f"bce {xs} {y} {ws} {b}", "steps": shown, "figure": figure, "check": check, "prompt": prompt,
            "answer": [{"math": answer}], "answer_text": ", ".join(f"{n}: {g:.4f}" for n, g in zip(names + ["b"], grads)),
            "verified": {"method": "complex-step", "points": len(grads), "max_error": err}}


def _softmax(family, d) -> dict:
    zs, (k,) = d["inputs"], d["targets"]
    if not (k.is_Integer and 0 <= int(k) < len(zs)):
        raise Degenerate("the class index is out of range")
    k = int(k)
    za = np.array(zs, dtype=float)
    p = np.exp(za - za.max()) / np.exp(za - za.max()).sum()
    onehot = np.eye(len(zs))[k]
    grad = p - onehot
    err = _agree(grad, numeric_gradient(lambda z: -(z[k] - np.log(np.sum(np.exp(z)))), za), "softmax gradient")
    n = len(zs)
    rows = [[str(i + 1), latex(zs[i]), decimal_latex(np.exp(za[i])), decimal_latex(p[i]), str(int(onehot[i])),
             decimal_latex(grad[i])] for i in range(n)]
    shown = [
        {"depth": 0, "rule": "Softmax", "math": r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
         "say": [{"text": "Turn the logits into probabilities."}]},
        {"depth": 0, "rule": "Cross-entropy", "math": r"L = -\ln p_{%d} = -z_{%d} + \ln\sum_j e^{z_j}" % (k + 1, k + 1),
         "say": [{"text": "Only the true class's probability enters the loss."}]},
        {"depth": 0, "rule": "Differentiate", "math": r"\frac{\partial L}{\partial z_i} = p_i - y_i",
         "say": [{"text": "The log-sum-exp term differentiates to "}, {"math": "p_i"},
                 {"text": "; the first term gives -1 for the true class only. So the gradient is the predicted "
                          "probabilities minus the one-hot label."}]},
        {"depth": 0, "rule": "The numbers", "math": "",
         "say": [{"table": {"head": ["i", "z_i", "e^{z_i}", "p_i", "y_i", r"\partial L/\partial z_i"], "rows": rows}}]},
    ]
    default = ("A classifier outputs the logits {z}; the true class is number {k}. With softmax and cross-entropy, "
               "find the gradient of the loss with respect to each logit.")
    prompt = fill(family.prompt or default, {"z": {"math": "z = " + r"\left(" + ", ".join(latex(z) for z in zs) + r"\right)"},
                                             "k": {"math": str(k + 1)}})
    figure = {"kind": "bars", "labels": [f"class {i + 1}" for i in range(n)],
              "series": [{"label": "p (softmax)", "values": [float(v) for v in p]},
                         {"label": "y (one-hot)", "values": [float(v) for v in onehot]}],
              "alt": "Bars of the softmax probabilities beside the one-hot label; each gradient entry is the gap "
                     "between the two bars of its class."}
    check = {"type": "loss", "ask": "softmax_ce", "inputs": [sp.sstr(z) for z in zs], "targets": [str(k)],
             "gradient": {f"z{i + 1}": f"{g:.12g}" for i, g in enumerate(grad)}}
    return {"key": f"softmax {zs} {k}", "steps": shown, "figure": figure, "check": check, "prompt": prompt,
            "answer": [{"math": r"\nabla_z L \approx \left(" + ", ".join(decimal_latex(g) for g in grad) + r"\right)"}],
            "answer_text": ", ".join(f"{g:.4f}" for g in grad),
            "verified": {"method": "complex-step", "points": n, "max_error": err}}


def _linear(family, d) -> dict:
    x, delta, b = d["inputs"], d["upstream"], d["bias"]
    n, m = len(x), len(delta)
    W = [d["weights"][i * n:(i + 1) * n] for i in range(m)]
    dW = [[delta[i] * x[j] for j in range(n)] for i in range(m)]
    dx = [sum(W[i][j] * delta[i] for i in range(m)) for j in range(n)]
    if all(v == 0 for row in dW for v in row):
        raise Degenerate("the weight gradient is zero")
    Wa, xa, ba, da = (np.array(v, dtype=float) for v in (W, x, b, delta))
    err = max(
        _agree(np.array(dW, dtype=float), numeric_gradient(lambda w: np.dot(da, w @ xa + ba), Wa), "dL/dW"),
        _agree(np.array(delta, dtype=float), numeric_gradient(lambda bb: np.dot(da, Wa @ xa + bb), ba), "dL/db"),
        _agree(np.array(dx, dtype=float), numeric_gradient(lambda xx: np.dot(da, Wa @ xx + ba), xa), "dL/dx"))
    shown = [
        {"depth": 0, "rule": "Shapes", "math": r"W \in \mathbb{R}^{%d\times %d},\ x \in \mathbb{R}^{%d},\ "
                                               r"b,\ y,\ \delta = \frac{\partial L}{\partial y} \in \mathbb{R}^{%d}" % (m, n, n, m),
         "say": [{"text": "A gradient always has the shape of the thing it is taken with respect to."}]},
        {"depth": 0, "rule": "One entry at a time", "math": r"y_i = \sum_j W_{ij} x_j + b_i \Rightarrow "
                                                            r"\frac{\partial L}{\partial W_{ij}} = \delta_i\, x_j",
         "say": [{"text": "Weight "}, {"math": "W_{ij}"}, {"text": " only affects output "}, {"math": "y_i"},
                 {"text": ", and does so in proportion to "}, {"math": "x_j"}, {"text": "."}]},
        {"depth": 0, "rule": "As matrices", "math": r"\frac{\partial L}{\partial W} = \delta\, x^{\top} = %s,\quad "
                                                    r"\frac{\partial L}{\partial b} = \delta = %s,\quad "
                                                    r"\frac{\partial L}{\partial x} = W^{\top}\delta = %s" % (
            _matrix(dW), _column(delta), _column(dx)),
         "say": [{"text": "An outer product for the weights, the upstream gradient itself for the bias, and the "
                          "transpose for the input (what the layer below receives)."}]},
    ]
    default = ("A linear layer computes {layer} with {W}, {x} and {b}. The gradient arriving from above is {delta}. "
               "Find the gradients of the loss with respect to W, b and x, and give their shapes.")
    prompt = fill(family.prompt or default, {"layer": {"math": "y = Wx + b"}, "W": {"math": "W = " + _matrix(W)},
                                             "x": {"math": "x = " + _column(x)}, "b": {"math": "b = " + _column(b)},
                                             "delta": {"math": r"\frac{\partial L}{\partial y} = " + _column(delta)}})
    check = {"type": "loss", "ask": "linear_layer", "inputs": [sp.sstr(v) for v in x],
             "weights": [sp.sstr(v) for row in W for v in row], "bias": [sp.sstr(v) for v in b],
             "upstream": [sp.sstr(v) for v in delta],
             "gradient": {"W": [[sp.sstr(v) for v in row] for row in dW], "b": [sp.sstr(v) for v in delta],
                          "x": [sp.sstr(v) for v in dx]}}
    return {"key": f"linear {W} {x} {delta}", "steps": shown, "figure": None, "check": check, "prompt": prompt,
            "answer": [{"math": r"\frac{\partial L}{\partial W} = %s\ (%d\times %d),\ \frac{\partial L}{\partial b} = %s,"
                                r"\ \frac{\partial L}{\partial x} = %s" % (_matrix(dW), m, n, _column(delta), _column(dx))}],
            "answer_text": f"dW = {dW}, db = {delta}, dx = {dx}",
            "verified": {"method": "complex-step", "points": m * n + m + n, "max_error": err}}


ASKS = {"mse_linear": _mse, "bce_sigmoid": _bce, "softmax_ce": _softmax, "linear_layer": _linear}


KIND = legacy('loss', LossFamily, generate)  # TRANSITION
