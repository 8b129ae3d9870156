"""Kind `loss`: the loss derivatives that train a model.

Answers are computed from the closed forms a course teaches (2/n Σ r x, (ŷ - y) x, p - y, δ xᵀ).
Checks: each gradient against the complex-step gradient of the loss itself, written out
separately in NumPy (verify.py): the mean squared error of the line, binary cross-entropy of the
sigmoid neuron, cross-entropy after softmax, and L = δ·(W x + b) for a linear layer, measured once
for each of W, b and x. A wrong formula, a swapped or transposed entry cannot pass.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook import verify
from workbook.family import Family, for_asks
from workbook.functions import sigmoid
from workbook.kind import Ask, Kind
from workbook.kinds.common import given, in_range, label, refuse_constant
from workbook.numbers import caption_number, decimal_latex, equal_or_about, exact_decimal, matrix_latex, multiplying
from workbook.problem import Degenerate, Math, Problem, Step, Table, Text, fill, words

KEYS = ("inputs", "targets", "weights", "bias", "upstream")


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
                                           "softmax_ce: the index of the true class (0-based, below the number "
                                           "of logits).",
                               json_schema_extra=for_asks("mse_linear", "bce_sigmoid", "softmax_ce"))
    weights: list[str] = Field(default_factory=list, max_length=12,
                               description="mse_linear: [w]; bce_sigmoid: one weight per feature; "
                                           "linear_layer: W row by row.",
                               json_schema_extra=for_asks("mse_linear", "bce_sigmoid", "linear_layer"))
    bias: list[str] = Field(default_factory=lambda: ["0"], min_length=1, max_length=4,
                            description="The bias (one entry, or one per output of a linear layer).",
                            json_schema_extra=for_asks("mse_linear", "bce_sigmoid", "linear_layer"))
    upstream: list[str] = Field(default_factory=list, max_length=4,
                                description="linear_layer: the gradient dL/dy arriving from above.",
                                json_schema_extra=for_asks("linear_layer"))

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
        if self.ask in TARGET:  # a target written out is checked as the file loads; one with params, at each draw
            refuse_constant(self.targets[0], TARGET[self.ask](n), "targets[0]")
        return self

    def formulas(self):
        params = set(self.params)
        return [(f"{key}[{i}]", t, params, set()) for key in ("inputs", "targets", "weights", "bias", "upstream")
                for i, t in enumerate(getattr(self, key))]


@dataclass
class Loss:
    """One solved draw: the family's numbers read exactly and the gradient the closed form gives,
    keyed as the claims record names its entries (exact for mse_linear and linear_layer, floats for
    bce_sigmoid and softmax_ce). bce_sigmoid keeps its pre-activation z and output ŷ; softmax_ce its
    probabilities p."""

    family: LossFamily
    inputs: list
    targets: list
    weights: list
    bias: list
    upstream: list
    gradient: dict = field(default_factory=dict)
    z: sp.Expr | None = None
    yhat: float | None = None
    p: np.ndarray | None = None

    @property
    def predictions(self) -> list:
        """mse_linear: w x + b for each x."""
        (w,), b = self.weights, self.bias[0]
        return [w * x + b for x in self.inputs]

    @property
    def residuals(self) -> list:
        """mse_linear: prediction minus target."""
        return [p - y for p, y in zip(self.predictions, self.targets, strict=True)]

    @property
    def weight_names(self) -> list[str]:
        """bce_sigmoid: w, or w_1, w_2, ... for several features."""
        return [f"w_{i + 1}" for i in range(len(self.weights))] if len(self.weights) > 1 else ["w"]

    @property
    def k(self) -> int:
        """softmax_ce: the true class, 0-based."""
        return int(self.targets[0])

    @property
    def onehot(self) -> np.ndarray:
        return np.eye(len(self.inputs))[self.k]

    @property
    def W(self) -> list[list]:
        """linear_layer: the weights as m rows of n."""
        n = len(self.inputs)
        return [self.weights[i * n:(i + 1) * n] for i in range(len(self.upstream))]


# ---------------------------------------------------------------- the exact mathematics


def _class_index(n: int):
    """Why a target is not one of n classes, counted from 0, or None."""
    def wrong(k: sp.Expr) -> str | None:
        if k.is_Integer and 0 <= k < n:
            return None
        return f"must be a whole number from 0 to {n - 1}, the index of the true class among the {n} logits"
    return wrong


TARGET = {"bce_sigmoid": lambda n: label, "softmax_ce": _class_index}  # each ask's target, for n inputs


def _read(family: LossFamily, params: dict) -> Loss:

    def read(texts):
        return [given(t, params) for t in texts]

    return Loss(family, *(read(getattr(family, key)) for key in KEYS))


def _in_places(yhat: float, y) -> str:
    """ŷ to the fewest places (4 at least) from which −ln ŷ (or −ln(1 − ŷ)) comes out as the loss is printed."""
    loss = decimal_latex(-math.log(yhat if y == 1 else 1 - yhat))
    for places in range(4, 10):
        shown = round(yhat, places)
        if decimal_latex(-math.log(shown if y == 1 else 1 - shown)) == loss:
            return f"{shown:.{places}f}"
    return f"{yhat:.9f}"


def solve_mse(family: LossFamily, params: dict, rng: np.random.Generator) -> Loss:
    """dL/dw = 2/n Σ r x and dL/db = 2/n Σ r, exactly."""
    work = _read(family, params)
    n, res = len(work.inputs), work.residuals
    dw = sp.Rational(2, n) * sum(r * x for r, x in zip(res, work.inputs, strict=True))
    db = sp.Rational(2, n) * sum(res)
    if dw == 0 and db == 0:
        raise Degenerate("the line already fits")
    work.gradient = {"w": dw, "b": db}
    return work


def solve_bce(family: LossFamily, params: dict, rng: np.random.Generator) -> Loss:
    """ŷ = σ(z) to 30 digits, then (ŷ - y) x_j and ŷ - y as floats."""
    work = _read(family, params)
    (y,), b = work.targets, work.bias[0]
    in_range("targets[0]", y, label)
    work.z = sp.Add(*[w * x for w, x in zip(work.weights, work.inputs, strict=True)]) + b
    work.yhat = float(sigmoid(work.z).rewrite(sp.exp).evalf(30))
    if not 0.02 < work.yhat < 0.98:
        raise Degenerate("the sigmoid is saturated")
    grads = [(work.yhat - float(y)) * float(x) for x in work.inputs] + [work.yhat - float(y)]
    # each gradient its own number: inputs (1, 1) gave ∂L/∂w₁ = ∂L/∂w₂ = ∂L/∂b, and a student who swapped the inputs,
    # or forgot one, could not be told from one who did not (read40)
    if len({round(g, 4) for g in grads}) < len(grads):
        raise Degenerate("two gradients are the same number: an input equal to another, or to 1")
    work.gradient = dict(zip(work.weight_names + ["b"], grads, strict=True))
    return work


LOGIT_LIMIT = 20  # e^20 is about 4.9 × 10^8, still a number a calculator shows whole


def solve_softmax(family: LossFamily, params: dict, rng: np.random.Generator) -> Loss:
    """p = softmax(z) and the gradient p - y (floats)."""
    work = _read(family, params)
    in_range("targets[0]", work.targets[0], TARGET["softmax_ce"](len(work.inputs)))
    za = np.array(work.inputs, dtype=float)
    if not np.all(np.abs(za) <= LOGIT_LIMIT):  # e^400 printed as a 174-digit number ran the table off the page
        raise Degenerate(f"a logit beyond ±{LOGIT_LIMIT}: its e^z is not a number a learner works by hand")
    work.p = np.exp(za - za.max()) / np.exp(za - za.max()).sum()
    work.gradient = {f"z{i + 1}": g for i, g in enumerate(work.p - work.onehot)}
    # each entry its own number: logits (−1, −1, 3) gave two equal entries, and a student who swapped those classes
    # could not be told (read41)
    if len({round(float(g), 4) for g in work.gradient.values()}) < len(work.gradient):
        raise Degenerate("two entries of the gradient are the same number: two equal logits")
    return work


def solve_linear(family: LossFamily, params: dict, rng: np.random.Generator) -> Loss:
    """dL/dW = δ xᵀ, dL/db = δ, dL/dx = Wᵀ δ, exactly."""
    work = _read(family, params)
    x, delta, W = work.inputs, work.upstream, work.W
    n, m = len(x), len(delta)
    dW = [[delta[i] * x[j] for j in range(n)] for i in range(m)]
    dx = [sum(W[i][j] * delta[i] for i in range(m)) for j in range(n)]
    if all(v == 0 for row in dW for v in row):
        raise Degenerate("the weight gradient is zero")
    # every entry one number (x = (3, 3, -1) beside δ = (-2, -2): -6 nine times) or every row alike: an outer product
    # worked once and copied (read53 F7)
    if len(set(delta)) == 1 or len({v for row in dW for v in row}) == 1:
        raise Degenerate("the weight gradient's rows are all alike: δ's entries are one number")
    work.gradient = {"W": dW, "b": delta, "x": dx}
    return work


# ---------------------------------------------------------------- the independent checks


def check_mse(work: Loss) -> list[verify.Check]:
    """dL/dw and dL/db against the complex-step gradient of the mean squared error itself."""
    return [verify.check_mse_gradient(work.inputs, work.targets, work.weights[0], work.bias[0],
                                      [work.gradient["w"], work.gradient["b"]])]


def check_bce(work: Loss) -> list[verify.Check]:
    """Every weight's and the bias's derivative against the complex-step gradient of the cross-entropy."""
    return [verify.check_bce_gradient(work.inputs, work.targets[0], work.weights, work.bias[0],
                                      list(work.gradient.values()))]


def check_softmax(work: Loss) -> list[verify.Check]:
    """dL/dz against the complex-step gradient of -ln softmax(z)_k."""
    return [verify.check_softmax_gradient(work.inputs, work.k, list(work.gradient.values()))]


def check_linear(work: Loss) -> list[verify.Check]:
    """dL/dW, dL/db and dL/dx, each against the complex-step gradient of L = δ·(W x + b)."""
    g = work.gradient
    return verify.check_linear_layer(work.W, work.inputs, work.bias, work.upstream, g["W"], g["b"], g["x"])


# ---------------------------------------------------------------- what the page shows


def _column(values) -> str:
    return matrix_latex([[v] for v in values], exact_decimal)


def _mse_steps(work: Loss) -> list[Step]:
    xs, ys, res, n = work.inputs, work.targets, work.residuals, len(work.inputs)
    dw, db = work.gradient["w"], work.gradient["b"]
    total = sum(r * x for r, x in zip(res, xs, strict=True))
    table = [[str(i + 1), exact_decimal(x), exact_decimal(y), exact_decimal(p), exact_decimal(r), exact_decimal(r * x)]
             for i, (x, y, p, r) in enumerate(zip(xs, ys, work.predictions, res, strict=True))]
    return [
        Step("The loss", r"L(w, b) = \frac{1}{n}\sum_{i=1}^{n}\left(w x_i + b - y_i\right)^{2}",
             words("Mean squared error of the line over the data, here with ", Math(f"n = {n}"), ".")),
        Step("Chain rule inside the sum",
             r"\frac{\partial L}{\partial w} = \frac{2}{n}\sum r_i x_i,\quad \frac{\partial L}{\partial b} = "
             r"\frac{2}{n}\sum r_i,\quad r_i = \hat y_i - y_i",
             [Text("Each squared residual differentiates to twice the residual times the residual's own "
                   "derivative: x for w, 1 for b.")]),
        Step("Residuals", "", [Table(["i", "x_i", "y_i", r"\hat y_i", "r_i", "r_i x_i"], table)]),
        Step("Sum up", r"\frac{\partial L}{\partial w} = \frac{2}{%d}\cdot %s = %s,\quad "
                       r"\frac{\partial L}{\partial b} = \frac{2}{%d}\cdot %s = %s" % (
                           n, exact_decimal(total), exact_decimal(dw), n, exact_decimal(sum(res)), exact_decimal(db)),
             [Text("A negative derivative means increasing that parameter lowers the loss.")]),
    ]


def present_mse(work: Loss) -> Problem:
    """The residual table, the two sums, the line drawn through the data."""
    xs, ys, (w,), b = work.inputs, work.targets, work.weights, work.bias[0]
    dw, db = work.gradient["w"], work.gradient["b"]
    data_tex = ", ".join(f"({exact_decimal(x)}, {exact_decimal(y)})" for x, y in zip(xs, ys, strict=True))
    default = ("A line {model} is fitted to the points {data} with the mean squared error. "
               "Find the partial derivatives of the loss with respect to w and b.")
    # the model with its parameters named and their values given: w and b are what the answer differentiates by
    model = [Math(r"\hat y = w x + b"), Text(" with "), Math(f"w = {exact_decimal(w)}"), Text(" and "), Math(f"b = {exact_decimal(b)}")]
    marker = Math(r"\hat y")  # {model} stands for several segments: put them in where it was filled
    prompt = [piece for part in fill(work.family.prompt or default, {"model": marker, "data": Math(data_tex)})
              for piece in (model if part is marker else [part])]
    figure = {"kind": "residuals", "x": [float(x) for x in xs], "y": [float(y) for y in ys], "w": float(w),
              "b": float(b), "alt": f"The {len(xs)} data points, the line y = {float(w):g}x + {float(b):g} and the "
                                    "vertical residual from each point to the line."}
    check = {"type": "loss", "ask": "mse_linear", "inputs": [sp.sstr(x) for x in xs],
             "targets": [sp.sstr(y) for y in ys], "weights": [sp.sstr(w)], "bias": [sp.sstr(b)],
             "gradient": {"w": sp.sstr(dw), "b": sp.sstr(db)}}
    answer = r"\frac{\partial L}{\partial w} = %s,\quad \frac{\partial L}{\partial b} = %s" % (exact_decimal(dw), exact_decimal(db))
    return Problem(identity=f"mse {xs} {ys} {w} {b}", prompt=prompt, answer=[Math(answer)],
                   answer_text=f"dL/dw = {dw}, dL/db = {db}", steps=_mse_steps(work), claims=check, figure=figure)


def _bce_steps(work: Loss) -> list[Step]:
    names, (y,), yv = work.weight_names, work.targets, work.yhat
    terms = " + ".join(f"{n}\\,x_{{{i + 1}}}" if len(names) > 1 else "w\\,x" for i, n in enumerate(names))
    return [
        Step("Forward pass", r"z = %s = %s,\quad \hat y = \sigma(z) %s %s" % (
            terms + " + b", exact_decimal(work.z), equal_or_about(yv), decimal_latex(yv)),
            [Text("Compute the neuron's output first; the backward pass reuses it.")]),
        # with its value: the formula alone repeated the prompt's, and the step worked nothing (read41)
        Step("Loss", r"L = -\left[y \ln \hat y + (1 - y)\ln(1 - \hat y)\right] = %s \approx %s" % (
            r"-\ln %s" % _in_places(yv, y) if y == 1 else r"-\ln(1 - %s)" % _in_places(yv, y),
            decimal_latex(-math.log(yv if y == 1 else 1 - yv))),
             words("Binary cross-entropy with the label ", Math(f"y = {exact_decimal(y)}"), ": only the ",
                   "first" if y == 1 else "second", " term is left.")),
        Step("Chain rule", r"\frac{\partial L}{\partial z} = \frac{\partial L}{\partial \hat y}"
                           r"\cdot\frac{d\hat y}{dz} = \left(-\frac{y}{\hat y} + \frac{1 - y}"
                           r"{1 - \hat y}\right)\hat y(1 - \hat y) = \hat y - y",
             words("The sigmoid's slope ", Math(r"\hat y(1 - \hat y)"),
                   " cancels the denominators: the error signal is just prediction minus label.")),
        Step("Back to the parameters",
             r"\frac{\partial L}{\partial w_j} = (\hat y - y)\,x_j,\quad \frac{\partial L}{\partial b} = \hat y - y"
             r" %s %s" % (equal_or_about(yv - float(y)), decimal_latex(yv - float(y))),
             words("Each weight's gradient is the error times its input, as ", Math(r"\partial z/\partial w_j = x_j"),
                   ", and the bias's is the error itself, as ", Math(r"\partial z / \partial b = 1"), ".")),
        # the rule first, then its numbers, each set as large as the rule (read38: the products came first, in
        # the words, their fractions at text size)
        Step("In numbers", _worked_products(work), [Text("Each weight's gradient, to 4 decimal places:")]),
    ]


def _worked_products(work: Loss) -> str:
    """Each weight's gradient as the error times its input, in printed numbers that give the printed result: the
    answer's 1.6351 was (−0.8176)(−2) = 1.6352 to a student (read35b), the error now to as many places as it needs."""
    error = work.yhat - float(work.targets[0])
    out = []
    for name, x in zip(work.weight_names, work.inputs, strict=True):
        a, b, sign, product = multiplying(error, float(x))
        # "≈" before a factor rounded to its printed places: ∂L/∂w₁ is not 0.37754 × 2, only nearly (issue 11)
        first = "=" if Decimal(a.strip("()")) == Decimal(repr(error)) else r"\approx"
        out.append(r"\frac{\partial L}{\partial %s} %s %s \times %s %s %s" % (name, first, a, b, sign, product))
    return r",\quad ".join(out)


def present_bce(work: Loss) -> Problem:
    """The forward pass, the cancellation to ŷ - y, and the sigmoid curve with the neuron's point."""
    xs, (y,), ws, b, names = work.inputs, work.targets, work.weights, work.bias[0], work.weight_names
    grads = work.gradient
    feats = ", ".join(exact_decimal(x) for x in xs)
    default = ("A neuron computes {model} on the input {x} with label {y} and is trained with binary "
               "cross-entropy, {loss}. Find the gradient of the loss with respect to each weight and the bias.")
    weights_tex = r",\; ".join(f"{n} = {exact_decimal(w)}" for n, w in zip(names, ws, strict=True)) + \
        rf",\; b = {exact_decimal(b)}"
    prompt = fill(work.family.prompt or default, {"model": Math(r"\hat y = \sigma(w \cdot x + b)"),
                                                  "x": Math(f"x = ({feats})" if len(xs) > 1 else f"x = {feats}"),
                                                  "y": Math(f"y = {exact_decimal(y)}"),
                                                  # the loss written out, as the networks' prompts give it (read33)
                                                  "loss": Math(r"L = -\left[y \ln \hat y + (1 - y)\ln(1 - \hat y)\right]")})
    prompt += words(" The parameters are ", Math(weights_tex), ".")
    zf, yv = float(work.z), work.yhat
    figure = {"kind": "sigmoid", "z": zf, "yhat": yv, "label": float(y),
              "alt": f"The sigmoid curve with the neuron's pre-activation z = {zf:g} marked at output {caption_number(yv)}, "
                     f"against the label {int(y)}; the gap between them is the error signal."}
    check = {"type": "loss", "ask": "bce_sigmoid", "inputs": [sp.sstr(x) for x in xs], "targets": [sp.sstr(y)],
             "weights": [sp.sstr(w) for w in ws], "bias": [sp.sstr(b)],
             "gradient": {n: f"{g:.12g}" for n, g in grads.items()}}
    answer = ",\\quad ".join(r"\frac{\partial L}{\partial %s} %s %s" % (n, equal_or_about(g), decimal_latex(g))
                              for n, g in grads.items())
    return Problem(identity=f"bce {xs} {y} {ws} {b}", prompt=prompt, answer=[Math(answer)],
                   answer_text=", ".join(f"{n}: {g:.4f}" for n, g in grads.items()), steps=_bce_steps(work),
                   claims=check, figure=figure)


def _softmax_steps(work: Loss) -> list[Step]:
    za, p, onehot, grad, k = np.array(work.inputs, dtype=float), work.p, work.onehot, work.gradient, work.k
    rows = [[str(i + 1), exact_decimal(z), decimal_latex(np.exp(za[i])), decimal_latex(p[i]), str(int(onehot[i])),
             decimal_latex(g)] for i, (z, g) in enumerate(zip(work.inputs, grad.values(), strict=True))]
    return [
        Step("Softmax", r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}", [Text("Turn the logits into probabilities.")]),
        Step("Cross-entropy", r"L = -\ln p_{%d} = -z_{%d} + \ln\sum_j e^{z_j}" % (k + 1, k + 1),
             [Text("Only the true class's probability enters the loss.")]),
        Step("Differentiate", r"\frac{\partial L}{\partial z_i} = p_i - y_i",
             words("The log-sum-exp term differentiates to ", Math("p_i"),
                   "; the first term gives −1 for the true class only. So the gradient is the predicted "
                   "probabilities minus the one-hot label.")),
        Step("The numbers", "", [
            # the sum each p_i divides by, which the table's e^{z_i} column leaves a reader to add up (read41)
            *words("The exponentials add up to ", Math(r"\sum_j e^{z_j} \approx " + decimal_latex(np.exp(za).sum())),
                   "; each ", Math("p_i"), " is its ", Math("e^{z_i}"), " divided by that sum."),
            Table(["i", "z_i", "e^{z_i}", "p_i", "y_i", r"\partial L/\partial z_i"], rows)]),
    ]


def present_softmax(work: Loss) -> Problem:
    """The softmax table and bars of p beside the one-hot label."""
    zs, k, n, grad = work.inputs, work.k, len(work.inputs), list(work.gradient.values())
    default = ("A classifier outputs the logits {z}; the true class is class {k}, counting from 1 (the {kth} logit). "
               "With softmax and cross-entropy, find the gradient of the loss with respect to each logit.")
    prompt = fill(work.family.prompt or default,
                  {"z": Math("z = " + r"\left(" + ", ".join(exact_decimal(z) for z in zs) + r"\right)"), "k": Math(str(k + 1)),
                   "kth": Text(("first", "second", "third", "fourth", "fifth", "sixth")[k] if k < 6 else f"{k + 1}th")})
    figure = {"kind": "bars", "labels": [f"class {i + 1}" for i in range(n)],
              "series": [{"label": "p (softmax)", "values": [float(v) for v in work.p]},
                         {"label": "y (one-hot)", "values": [float(v) for v in work.onehot]}],
              "alt": "Bars of the softmax probabilities beside the one-hot label; each gradient entry is the gap "
                     "between the two bars of its class."}
    check = {"type": "loss", "ask": "softmax_ce", "inputs": [sp.sstr(z) for z in zs], "targets": [str(k)],
             "gradient": {name: f"{g:.12g}" for name, g in work.gradient.items()}}
    answer = rf"\nabla_z L {equal_or_about(list(grad))} \left(" + ", ".join(decimal_latex(g) for g in grad) + r"\right)"
    return Problem(identity=f"softmax {zs} {k}", prompt=prompt, answer=[Math(answer)],
                   answer_text=", ".join(f"{g:.4f}" for g in grad), steps=_softmax_steps(work), claims=check,
                   figure=figure,
                   # its softmax row, whatever the true class (read57 F5: two versions' logits (0, 0, 1) gave one
                   # forward pass, the answers the same numbers reordered)
                   course=f"softmax of {sorted(zs)}")


def _linear_steps(work: Loss) -> list[Step]:
    n, m, g = len(work.inputs), len(work.upstream), work.gradient
    return [
        Step("Shapes", r"W \in \mathbb{R}^{%d\times %d},\ x \in \mathbb{R}^{%d},\ "
                       r"b,\ y,\ \delta = \frac{\partial L}{\partial y} \in \mathbb{R}^{%d}" % (m, n, n, m),
             [Text("A gradient always has the shape of the thing it is taken with respect to.")]),
        Step("One entry at a time", r"y_i = \sum_j W_{ij} x_j + b_i \Rightarrow "
                                    r"\frac{\partial L}{\partial W_{ij}} = \delta_i\, x_j",
             words("Weight ", Math("W_{ij}"), " only affects output ", Math("y_i"),
                   ", and does so in proportion to ", Math("x_j"), ".")),
        # the one a learner cannot guess, as its entries first (read23: Wᵀδ was asserted)
        Step("An input, one entry at a time", r"\frac{\partial L}{\partial x_j} = \sum_i \frac{\partial L}{\partial y_i}"
                                              r"\,\frac{\partial y_i}{\partial x_j} = \sum_i \delta_i\, W_{ij}",
             words("Input ", Math("x_j"), " feeds every output, ", Math("y_i"), " through ", Math("W_{ij}"),
                   ": by the chain rule its gradient sums over them. That sum is column ", Math("j"), " of ",
                   Math("W"), " against ", Math(r"\delta"), ", which is entry ", Math("j"), " of ",
                   Math(r"W^{\top}\delta"), ".")),
        Step("As matrices", r"\frac{\partial L}{\partial W} = \delta\, x^{\top} = %s,\quad "
                            r"\frac{\partial L}{\partial b} = \delta = %s,\quad "
                            r"\frac{\partial L}{\partial x} = W^{\top}\delta = %s" % (
                                matrix_latex(g["W"], exact_decimal), _column(g["b"]), _column(g["x"])),
             [Text("An outer product for the weights, the upstream gradient itself for the bias, and the "
                   "transpose for the input (what the layer below receives).")]),
    ]


def present_linear(work: Loss) -> Problem:
    """The shapes, one entry, then the three gradients as matrices (no figure)."""
    x, delta, b, W = work.inputs, work.upstream, work.bias, work.W
    dW, dx, n, m = work.gradient["W"], work.gradient["x"], len(x), len(delta)
    default = ("A linear layer computes {layer} with {W}, {x} and {b}. The gradient arriving from above is {delta}. "
               "Find the gradients of the loss with respect to {W_}, {b_} and {x_}, and give their shapes.")
    prompt = fill(work.family.prompt or default, {
        "layer": Math("y = Wx + b"), "W": Math("W = " + matrix_latex(W, exact_decimal)), "x": Math("x = " + _column(x)),
        "b": Math("b = " + _column(b)), "delta": Math(r"\frac{\partial L}{\partial y} = " + _column(delta)),
        "W_": Math("W"), "b_": Math("b"), "x_": Math("x")})  # the names alone, set as the math sets them
    check = {"type": "loss", "ask": "linear_layer", "inputs": [sp.sstr(v) for v in x],
             "weights": [sp.sstr(v) for row in W for v in row], "bias": [sp.sstr(v) for v in b],
             "upstream": [sp.sstr(v) for v in delta],
             "gradient": {"W": [[sp.sstr(v) for v in row] for row in dW], "b": [sp.sstr(v) for v in delta],
                          "x": [sp.sstr(v) for v in dx]}}
    answer = (r"\frac{\partial L}{\partial W} = %s\ (%d\times %d),\ \frac{\partial L}{\partial b} = %s\ (%d\times 1),"
              r"\ \frac{\partial L}{\partial x} = %s\ (%d\times 1)" % (matrix_latex(dW, exact_decimal), m, n, _column(delta), m,
                                                                     _column(dx), n))
    return Problem(identity=f"linear {W} {x} {delta}", prompt=prompt, answer=[Math(answer)],
                   answer_text=f"dW = {dW}, db = {delta}, dx = {dx}", steps=_linear_steps(work), claims=check,
                   # each of its answers a course: two versions with one upstream gradient gave one ∂L/∂b (read56 F12)
                   course=f"linear layer db {list(delta)}\nlinear layer dx {list(dx)}\nlinear layer dW {dW}")


ASKS = {
    "mse_linear": Ask(solve_mse, check_mse, present_mse),
    "bce_sigmoid": Ask(solve_bce, check_bce, present_bce),
    "softmax_ce": Ask(solve_softmax, check_softmax, present_softmax),
    "linear_layer": Ask(solve_linear, check_linear, present_linear),
}

def givens(claims: dict) -> dict[str, list[str]]:
    """The inputs, the targets a loss compares with (softmax's is its class, said in words), the weights,
    the bias and the gradient arriving from above."""
    keys = ("inputs", "weights", "bias", "upstream") + (("targets",) if claims["ask"] != "softmax_ce" else ())
    return {key: list(claims[key]) for key in keys if key in claims}


KIND = Kind("loss", LossFamily, ASKS, givens)
