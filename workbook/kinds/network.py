"""Kind `network`: backpropagation through a 2-h-1 network, the XOR capstone among its families.

The gradients come from the backpropagation formulas (δ at the output, passed back through the
weights and the activation's slope), in float64. Checks: every weight and bias perturbed in a
separate NumPy forward pass (verify.py; complex step, central differences through a ReLU), one
check for each of W1, b1, W2 and b2, so a transposed matrix or a missing activation slope fails.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from workbook import marking, verify
from workbook.family import Family
from workbook.kind import Ask, Kind
from workbook.kinds.common import given, in_range, label, pick, positive_rate, refuse_constant
from workbook.numbers import adding_up, comes_out, equal_or_about, matrix_latex, stated, subscript
from workbook.numbers import decimal_latex as d
from workbook.problem import Degenerate, Math, Problem, Step, Table, Text, fill, maths_and


@dataclass(frozen=True)
class Activation:
    """A hidden activation: its value and slope (NumPy, on a layer at once) and how each is written."""

    value: Callable[[np.ndarray], np.ndarray]
    slope: Callable[[np.ndarray, np.ndarray], np.ndarray]  # from the activation a and its input z
    tex: str
    slope_tex: str


ACTIVATION = {
    "sigmoid": Activation(lambda z: 1 / (1 + np.exp(-z)), lambda a, z: a * (1 - a), r"\sigma", "a_j(1 - a_j)"),
    "tanh": Activation(np.tanh, lambda a, z: 1 - a**2, r"\tanh", "(1 - a_j^{2})"),
    "relu": Activation(lambda z: np.where(z > 0, z, 0 * z), lambda a, z: (z > 0) * 1.0, r"\operatorname{ReLU}",
                       r"[z_j > 0]"),
}

ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}


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
    data: list[list[str]] = Field(min_length=1, max_length=4, description="Examples [x1, x2, y]; with "
                                                                          "cross-entropy, y is 0 or 1.")
    lr: str = Field("0.5", description="The learning rate of the gradient step, above 0.")

    @model_validator(mode="after")
    def _shapes(self):
        h = self.hidden
        if len(self.w1) != 2 * h or len(self.b1) != h or len(self.w2) != h:
            raise ValueError(f"with hidden = {h}: w1 needs {2 * h} entries, b1 and w2 {h} each")
        if any(len(row) != 3 for row in self.data):
            raise ValueError("each example is [x1, x2, y]")
        if self.loss == "bce" and self.output != "sigmoid":
            raise ValueError("output: cross-entropy (loss = \"bce\") needs output = \"sigmoid\", a probability "
                             f"(got {self.output!r})")
        if self.loss == "bce":  # a label written out is checked as the file loads; one with params, at each draw
            for i, row in enumerate(self.data):
                refuse_constant(row[2], label, f"data[{i}][2]")
        return self

    @field_validator("lr")
    @classmethod
    def _rate_descends(cls, text: str) -> str:
        """A rate written out is checked as the file loads; one with params, at each draw."""
        return refuse_constant(text, positive_rate)

    def formulas(self):
        params = set(self.params)
        out = [(f"{k}[{i}]", t, params, set()) for k in ("w1", "b1", "w2") for i, t in enumerate(getattr(self, k))]
        out += [("b2", self.b2, params, set()), ("lr", self.lr, params, set())]
        out += [(f"data[{i}][{j}]", t, params, set()) for i, row in enumerate(self.data) for j, t in enumerate(row)]
        return out


@dataclass
class Network:
    """One solved draw, in float64: the drawn activation, the parameters, the data [x1, x2, y] and the
    learning rate; the forward pass (Z1, A1, ŷ and the mean loss L); the backward pass (δ at the
    output and at the hidden units) and every parameter's gradient, keyed W1, b1, W2, b2."""

    family: NetworkFamily
    act: str
    W1: np.ndarray
    b1: np.ndarray
    W2: np.ndarray
    b2: float
    data: np.ndarray
    lr: float
    Z1: np.ndarray | None = None
    A1: np.ndarray | None = None
    yhat: np.ndarray | None = None
    L: float | None = None
    delta2: np.ndarray | None = None
    delta1: np.ndarray | None = None
    grads: dict | None = None

    @property
    def X(self) -> np.ndarray:
        return self.data[:, :2]

    @property
    def Y(self) -> np.ndarray:
        return self.data[:, 2]

    @property
    def h(self) -> int:
        return self.family.hidden

    @property
    def n(self) -> int:
        return len(self.Y)

    @property
    def params(self) -> dict:
        return {"W1": self.W1, "b1": self.b1, "W2": self.W2, "b2": np.array(self.b2)}


# ---------------------------------------------------------------- the exact mathematics


def _read(family: NetworkFamily, params: dict, rng: np.random.Generator) -> Network:

    def num(t):
        return float(given(t, params))

    act = pick(rng, family.activation)
    return Network(family, act, W1=np.array([num(t) for t in family.w1]).reshape(family.hidden, 2),
                   b1=np.array([num(t) for t in family.b1]), W2=np.array([num(t) for t in family.w2]),
                   b2=num(family.b2), data=np.array([[num(t) for t in row] for row in family.data]),
                   lr=float(in_range("lr", given(family.lr, params), positive_rate)))


def _forward(work: Network) -> None:
    """Z1 = X W1ᵀ + b1, A1 = act(Z1), ŷ = out(A1 w2 + b2) and the mean loss."""
    output, Y = work.family.output, work.Y
    work.Z1 = work.X @ work.W1.T + work.b1
    work.A1 = ACTIVATION[work.act].value(work.Z1)
    z2 = work.A1 @ work.W2 + work.b2
    work.yhat = 1 / (1 + np.exp(-z2)) if output == "sigmoid" else z2
    if output == "sigmoid" and (work.yhat.min() < 0.01 or work.yhat.max() > 0.99):
        raise Degenerate("a saturated output")
    if work.act == "relu" and np.any(work.Z1 == 0):
        raise Degenerate("ReLU exactly at its corner")
    # a hidden unit whose slope is all but 0 (z = 1000002 for a sigmoid): its weights' gradients print as 0, nothing
    # to work (attack33 F11); the built-in families reach |z| = 4.5
    if work.act in ("sigmoid", "tanh") and np.abs(work.Z1).max() > (9.0 if work.act == "sigmoid" else 5.0):
        raise Degenerate("a saturated hidden unit")
    yhat = work.yhat
    if work.family.loss == "bce":
        work.L = float(np.mean(-(Y * np.log(yhat) + (1 - Y) * np.log(1 - yhat))))
    else:
        work.L = float(np.mean((yhat - Y) ** 2))


def _backward(work: Network) -> None:
    """δ at the output, then back through w2 and the activation's slope; every gradient."""
    yhat, Y, n = work.yhat, work.Y, work.n
    if work.family.loss == "bce":
        work.delta2 = (yhat - Y) / n
    else:
        work.delta2 = 2 * (yhat - Y) / n * (yhat * (1 - yhat) if work.family.output == "sigmoid" else 1)
    work.delta1 = np.outer(work.delta2, work.W2) * ACTIVATION[work.act].slope(work.A1, work.Z1)
    work.grads = {"W1": work.delta1.T @ work.X, "b1": work.delta1.sum(axis=0), "W2": work.A1.T @ work.delta2,
                  "b2": np.array(float(work.delta2.sum()))}


def solve(family: NetworkFamily, params: dict, rng: np.random.Generator) -> Network:
    """Draw the activation, read the numbers, run the forward and the backward pass."""
    work = _read(family, params, rng)
    if family.loss == "bce":  # its output is a sigmoid: the schema says so
        for i, row in enumerate(family.data):
            in_range(f"data[{i}][2]", given(row[2], params), label)
    if not np.any(work.X):  # x = (0, 0) alone: the first layer's weights get no gradient and never move
        raise Degenerate("every input is zero")
    # two hidden units with the same weights and bias compute the same thing, get the same gradients and stay the
    # same after every step: the symmetry a network is started away from, drawn as an exercise (read40)
    units = [tuple(row) + (bias,) for row, bias in zip(work.W1.tolist(), np.ravel(work.b1).tolist(), strict=True)]
    if len(set(units)) < len(units):
        raise Degenerate("two hidden units have the same weights and bias: they would stay the same unit")
    _forward(work)
    # two hidden units that compute the same on every example (w11 + b1 = w21 + b2 with x = (1, 0)): their rows of the
    # table are one row twice, less to work than a draw whose units differ (read53 F4)
    columns = [tuple(np.round(work.Z1[:, j], 9)) for j in range(work.Z1.shape[1])]
    if len(set(columns)) < len(columns):
        raise Degenerate("two hidden units compute the same on every example")
    # one output for every example, to the places printed: a network that ignores its input (W1 = (1 1; -1 -1) with
    # b1 = (-1, 1) makes a2 = 1 - a1, and w2 = (2, 2) cancels the two: ŷ = 0.7311 four times, read48 F8), where the
    # same family's other draws give four outputs to compare
    if len(work.yhat) > 1 and len({round(float(v), 4) for v in work.yhat}) == 1:
        raise Degenerate("the network gives one output for every example: it ignores its input")
    _backward(work)
    if max(np.abs(g).max() for g in work.grads.values()) < 1e-9:
        raise Degenerate("every gradient is zero")
    # the hidden layer's gradients mostly 0.00xx: to the 4 places asked, rounding decides them and the key must
    # accept two values for nearly each (read50 F8: version B's XOR start, 7 of 9 "a last digit apart")
    hidden = np.abs(np.concatenate([np.ravel(work.grads["W1"]), np.ravel(work.grads["b1"])]))
    if np.any(hidden > 1e-12) and np.median(hidden[hidden > 1e-12]) < 0.005:
        raise Degenerate("the hidden layer's gradients are too small to work to 4 places")
    return work


# ---------------------------------------------------------------- the independent checks


def check(work: Network) -> list[verify.Check]:
    """Each parameter array's gradient against a separate NumPy forward pass, perturbed entry by entry."""
    return verify.check_network_gradients(work.grads, work.params, work.X, work.Y, work.act,
                                          work.family.output, work.family.loss)


# ---------------------------------------------------------------- what the page shows


def _gradient_rows(work: Network) -> list[tuple[str, float, float]]:
    """(name, value, gradient) for every parameter, in the order the table lists them."""
    h, g = work.h, work.grads
    return [(f"w^{{(1)}}_{{{j + 1}{k + 1}}}", work.W1[j, k], g["W1"][j, k]) for j in range(h) for k in range(2)] + \
        [(f"b^{{(1)}}_{{{j + 1}}}", work.b1[j], g["b1"][j]) for j in range(h)] + \
        [(f"w^{{(2)}}_{{{j + 1}}}", work.W2[j], g["W2"][j]) for j in range(h)] + \
        [("b^{(2)}", work.b2, float(g["b2"]))]


def _forward_steps(work: Network) -> list[Step]:
    """The forward table and the loss."""
    h, n, X, Y = work.h, work.n, work.X, work.Y
    terms, places = _loss_terms(work), 4
    if n > 1:  # the terms to as many places as their mean, worked from them, needs to come out as L is printed
        while places < 8 and round(sum(Decimal(d(t, places)) for t in terms) / n, 4) != Decimal(d(work.L)):
            places += 1
    head = ["x_1", "x_2"] + [f"z_{{{j + 1}}}" for j in range(h)] + [f"a_{{{j + 1}}}" for j in range(h)] + \
        [r"\hat y", "y"] + ([r"\ell"] if n > 1 else [])
    rows = [[d(X[i, 0]), d(X[i, 1])] + [d(v) for v in work.Z1[i]] + [d(v) for v in work.A1[i]] +
            [d(work.yhat[i]), d(Y[i])] + ([d(terms[i], places)] if n > 1 else []) for i in range(n)]
    loss_tex = _loss_tex(work)
    if n == 1:
        return [Step("Forward pass", _forward_tex(work), [Table(head, rows)]),
                Step("Loss", f"{loss_tex} {stated(work.L)}", [Text("For the one example.")])]
    # the loss as the mean of the examples' terms, each in the table's last column (read24: 0.6885 was stated
    # without the four terms it is made of); a log's digits never end, so the mean is "≈"
    printed = [d(t, places) for t in terms]
    added = " + ".join(f"({x})" if i and x.startswith("-") else x for i, x in enumerate(printed))
    total = format(sum(Decimal(x) for x in printed), "f")
    finer = [Text(f" (to {places} places, so that their mean gives "), Math("L"), Text(" to 4)")] if places > 4 else []
    return [
        Step("Forward pass", _forward_tex(work), [Text("The last column is each example's term of the loss"), *finer,
                                                  Text(", "), Math(_term_tex(work)), Text("."), Table(head, rows)]),
        Step("Loss", r"L = \frac{1}{%d}\left(%s\right) = \frac{%s}{%d} \approx %s" % (n, added, total, n, d(work.L)),
             [Text(f"The mean of the {n} examples' terms.")]),
    ]


def _loss_terms(work: Network) -> np.ndarray:
    """Each example's term of the loss, whose mean is L."""
    yhat, Y = work.yhat, work.Y
    if work.family.loss == "bce":
        return -(Y * np.log(yhat) + (1 - Y) * np.log(1 - yhat))
    return (yhat - Y) ** 2


def _term_tex(work: Network) -> str:
    return (r"\ell = -\left[y \ln \hat y + (1 - y)\ln(1 - \hat y)\right]" if work.family.loss == "bce"
            else r"\ell = (\hat y - y)^{2}")


def _backward_steps(work: Network) -> list[Step]:
    """The output error, the two layers' formulas, and every gradient with one step. With several examples
    the loss is their mean, so each error is divided by their number n and each gradient sums over them;
    with one example neither is written (a one-example problem never names an n)."""
    bce, sigmoid_out = work.family.loss == "bce", work.family.output == "sigmoid"
    several = work.n > 1
    over_n = (lambda top: r"\frac{%s}{n}" % top) if several else (lambda top: top)
    total = r"\sum " if several else ""
    grad_rows = [[name, d(w), d(g), d(w - work.lr * g)] for name, w, g in _gradient_rows(work)]
    mean = ([Text(f" With n = {work.n} examples the loss is their mean, so each example's error is divided by n, "
                  "and each gradient below sums over the examples.")] if several else [])
    return [
        Step("Output error", r"\delta^{(2)} = " + (over_n(r"\hat y - y") if bce else
                                                   over_n(r"2(\hat y - y)") + (r"\,\hat y(1 - \hat y)" if sigmoid_out else "")),
             [Text("With a sigmoid output and cross-entropy the sigmoid's slope cancels: the error is just "
                   "prediction minus label." if bce else
                   "The derivative of the squared error, times the output unit's slope."), *mean]),
        Step("Output layer", r"\frac{\partial L}{\partial w^{(2)}_j} = %s\delta^{(2)} a_j,"
                             r"\quad \frac{\partial L}{\partial b^{(2)}} = %s\delta^{(2)}" % (total, total),
             [Text("Each output weight's gradient is the error times the activation it multiplies.")]),
        Step("Hidden layer", r"\delta^{(1)}_j = \delta^{(2)}\, w^{(2)}_j\, %s,\quad "
                             r"\frac{\partial L}{\partial w^{(1)}_{jk}} = %s\delta^{(1)}_j x_k"
                             % (ACTIVATION[work.act].slope_tex, total),
             [Text("Send the error back through each output weight and the hidden unit's slope, then "
                   "multiply by the input that weight sees.")]),
        *_by_example(work),
        # the rule every row of the table follows, and its first row in its printed numbers (the column after the
        # step had no rule: read30)
        Step(f"Gradients and one step (η = {work.lr:g})", "", [
            Text("Each weight and bias moves against its gradient, "),
            Math(r"w \leftarrow w - \eta\,\partial L/\partial w"), Text("; " + _shown_row(work)[0] + ", "),
            Math(_shown_row(work)[1][0]), Text(", becomes "), Math(_first_update(work)), Text("."),
            Table(STEP_HEAD, grad_rows), *_off_by_a_digit(work, grad_rows)]),
    ]


def _apart(work: Network, rows: list[list[str]] | None = None) -> list[str]:
    """The names of the rows whose printed value − η × gradient does not come out as their printed value after the
    step, which is worked from the unrounded gradient: 0.5 − 0.5 × 0.2835 is 0.35825, the table's 0.3582 (read37).
    Rounded as a student rounds, a half away from 0: 0.28075 is 0.2808, as printed, and −0.21925 −0.2193, not the
    table's −0.2192 (read39)."""
    lr = Decimal(repr(float(work.lr)))
    rows = rows or [[name, d(w), d(g), d(w - work.lr * g)] for name, w, g in _gradient_rows(work)]
    return [name for name, value, grad, after in rows if not comes_out(Decimal(value) - lr * Decimal(grad), after)]


def _off_by_a_digit(work: Network, rows: list[list[str]]) -> list:
    """A word under the step's table naming every row whose printed numbers do not come out as printed (_apart)."""
    names = _apart(work, rows)
    if not names:
        return []
    return [Text(" Each value after the step is worked from the unrounded gradient, so it may differ in its last digit "
                 "from the table's rounded numbers (as "), *maths_and(names), Text(" do)." if len(names) > 1 else " does).")]


def _shown_row(work: Network) -> tuple[str, tuple[str, float, float]]:
    """The row the step is worked out for, and how it is named: the first, or the first that moves where the first's
    gradient prints as 0 (x₁ = 0: "w₁₁ becomes 0.5 − 0.5·0 = 0.5", the one step shown a step that does nothing:
    read41)."""
    rows = _gradient_rows(work)
    if d(rows[0][2]) not in ("0", "0.0000", "-0.0000"):
        return "the first row", rows[0]
    return "for one that moves", next((r for r in rows if d(r[2]) not in ("0", "0.0000", "-0.0000")), rows[0])


def _first_update(work: Network) -> str:
    """The row _shown_row picks, worked in its printed numbers: "=" where they give its printed value, else "≈" (the
    gradient printed to 4 places, the step worked at full precision)."""
    _, (_, w, g) = _shown_row(work)
    after = w - work.lr * g
    # the gradient to as many places as give the printed result: 0.5 − 0.5·(−0.1909) ≈ 0.5954 gave a student 0.5955
    # (read35b), where 0.5 − 0.5·(−0.19086) ≈ 0.5954 does not
    for places in (4, 5, 6, 7, 8):
        worked = Decimal(d(w)) - Decimal(d(work.lr)) * Decimal(d(g, places))  # in the printed numbers
        if worked.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) == Decimal(d(after)):
            break
    else:
        places = 4
    shown = d(g, places)
    relation = "=" if Decimal(d(w)) - Decimal(d(work.lr)) * Decimal(shown) == Decimal(d(after)) else r"\approx"
    return rf"{d(w)} - {d(work.lr)} \cdot {f'({shown})' if shown.startswith('-') else shown} {relation} {d(after)}"


def _by_example(work: Network) -> list[Step]:
    """Every error signal, example by example, and (with several examples) each gradient as its sum over them:
    the formulas alone, then the final table, left a learner whose gradient was off no step to find the slip
    in (read24: the XOR capstone printed example 1's δs in its figure, and examples 2 to 4's nowhere)."""
    h, n = work.h, work.n
    head = ([r"\text{example}"] if n > 1 else []) + [r"\delta^{(2)}"] + [rf"\delta^{{(1)}}_{{{j + 1}}}" for j in range(h)]
    rows = [([str(i + 1)] if n > 1 else []) + [d(work.delta2[i])] + [d(v) for v in work.delta1[i]] for i in range(n)]
    steps = [Step("Error signals", "", [Table(head, rows), Text(
        "Each hidden unit's δ is the output's δ times its weight and its slope, as above." if n > 1 else
        "The hidden units' δ are the output's δ times each unit's weight and slope, as above.")])]
    if n == 1:
        return steps
    table, finer = _sums(work)
    head = [r"\text{parameter}"] + [rf"\text{{example {i + 1}}}" for i in range(n)] + [r"\text{sum}"]
    # a row given to more places says why beside it: a student read −0.02965 beside −0.0296 as a typo (read37)
    why = ([Text(" The entries are given to 4 decimal places, and to more in a row whose sum, worked from its "
                 "printed numbers, would otherwise come out differently ("), Math(", ".join(finer[:3])),
            Text(", …)." if len(finer) > 3 else ").")] if finer else [])
    return steps + [Step("Sums over the examples", "", [
        Table(head, table),
        Text("Each entry is an error signal times what its weight multiplies (an input, an activation, or 1 "
             "for a bias); a gradient is the sum of its row."), *why])]


def _sums(work: Network) -> tuple[list[list[str]], list[str]]:
    """Each gradient's row of terms over the examples, printed so that they add up to it as printed, and the names of
    the rows that needed more than 4 places for that (4-place terms sum to a last digit apart)."""
    h, n = work.h, work.n
    # each gradient's terms, one an example: an error signal times what its weight multiplies (1 for a bias)
    seen = {"W1": lambda i, j, k: work.delta1[i, j] * work.X[i, k], "b1": lambda i, j, k: work.delta1[i, j],
            "W2": lambda i, j, k: work.delta2[i] * work.A1[i, j], "b2": lambda i, j, k: work.delta2[i]}
    which = [("W1", j, k) for j in range(h) for k in range(2)] + [("b1", j, 0) for j in range(h)] + \
        [("W2", j, 0) for j in range(h)] + [("b2", 0, 0)]
    table, finer = [], []
    for (name, _, total), (key, j, k) in zip(_gradient_rows(work), which, strict=True):
        printed, rest = adding_up([seen[key](i, j, k) for i in range(n)], total)
        table.append([name, *printed, rest.removeprefix("= ")])
        if any(len(p.partition(".")[2]) > 4 for p in printed):
            finer.append(name)
    return table, finer


STEP_HEAD = [r"\text{parameter}", r"\text{value}", r"\partial L/\partial(\cdot)", r"\text{after the step}"]  # "∂L/∂ ·" read as a typo (read23)


def _step_table(work: Network) -> Table:
    """The table the learner fills in: each parameter with its value, a cell for its gradient and one for
    its value after the step. It holds the key's last two parts; a network's twenty numbers had four answer
    lines (read22). Its head is the worked solution's, so an LMS export grades its cells."""
    return Table(STEP_HEAD, [[name, d(w), "", ""] for name, w, _ in _gradient_rows(work)], blank=True, holds=2)


def _first(work: Network) -> str:
    """The example the figure shows: "the first example" of several, "the example" where there is one."""
    return "the first example" if len(work.data) > 1 else "the example"


def _figure(work: Network) -> dict:
    """The network with each weight on its arrow; the first example's activations and error signals."""
    h = work.h
    # the output unit's value named, as the hidden units' are (a bare 0.3775 under ŷ: read25)
    nodes = [{"id": "x1", "label": "x₁"}, {"id": "x2", "label": "x₂"}] + \
        [{"id": f"h{j + 1}", "label": f"h{subscript(j + 1)}", "value": f"a = {d(work.A1[0, j])}",
          "grad": f"δ = {d(work.delta1[0, j])}", "bias": f"b = {d(work.b1[j])}"} for j in range(h)] + \
        [{"id": "y", "label": "output", "value": f"ŷ = {d(work.yhat[0])}", "grad": f"δ = {d(work.delta2[0])}",
          "bias": f"b = {d(work.b2)}"}]
    edges = [{"from": f"x{k + 1}", "to": f"h{j + 1}", "label": d(work.W1[j, k])}
             for j in range(h) for k in range(2)] + \
        [{"from": f"h{j + 1}", "to": "y", "label": d(work.W2[j])} for j in range(h)]
    return {"kind": "graph", "nodes": nodes, "edges": edges,
            "layers": [["x1", "x2"], [f"h{j + 1}" for j in range(h)], ["y"]],
            "alt": f"The 2-{h}-1 network with each weight on its arrow and each unit's bias above it; the hidden and "
                   f"output units show their activation and error signal for {_first(work)}."}


def _loss_tex(work: Network) -> str:
    """The loss as the prompt and the working write it: a sum over the examples, divided by their
    number when there are several."""
    n = len(work.data)
    mean = r"\frac{1}{%d}\sum " % n if n > 1 else ""
    if work.family.loss == "bce":
        return r"L = -%s\left[y \ln \hat y + (1 - y)\ln(1 - \hat y)\right]" % mean
    return r"L = %s(\hat y - y)^{2}" % mean


def _forward_tex(work: Network) -> str:
    """The forward pass as an equation: the prompt says it (row j of W⁽¹⁾ feeds hidden unit j: a learner
    who took xᵀW had every hidden weight transposed, read24), and the solution's first step repeats it."""
    out_tex = r"\sigma" if work.family.output == "sigmoid" else ""
    return (r"z = W^{(1)}x + b^{(1)},\ a = %s(z),\ \hat y = %s(w^{(2)}\cdot a + b^{(2)})"
            % (ACTIVATION[work.act].tex, out_tex))


def _prompt(work: Network) -> list:
    # named in words, as its output is ("a sigmoid output"): \tanh set alone in a sentence printed small, as an operator
    placeholders = {"act": Text(ACTIVATION_NAMES[work.act]), "lr": Math(r"\eta = " + d(work.lr)), "h": Text(str(work.h)),
                    "weights": Math(r"W^{(1)} = %s,\ b^{(1)} = %s,\ w^{(2)} = %s,\ b^{(2)} = %s" % (
                        matrix_latex(work.W1, d), matrix_latex(work.b1[:, None], d),
                        _row(work.W2), d(work.b2))),
                    # which part is the input and which the label: "((1, 1), 1)" said neither (read25)
                    "data": Math(rf"x = ({d(work.data[0][0])}, {d(work.data[0][1])}),\ y = {d(work.data[0][2])}"
                                 if len(work.data) == 1 else "(x, y) = " + ",\\ ".join(
                                     f"(({d(r[0])}, {d(r[1])}), {d(r[2])})" for r in work.data)),
                    "output": Text("a sigmoid output" if work.family.output == "sigmoid" else "a linear output"),
                    "loss": Math(_loss_tex(work)), "forward": Math(_forward_tex(work))}
    default = ("A 2-{h}-1 network with hidden activation {act}, {output} and the loss {loss} has {weights}: it "
               "computes {forward}, so the first row of the matrix feeds the first hidden unit. For the "
               "data {data}, run the forward pass, find the loss and the gradient of every weight and bias, and take "
               "one gradient step with {lr}. Fill in the table.")
    return fill(work.family.prompt or default, placeholders) + [_step_table(work)]


def _snap(values) -> np.ndarray:
    """Gradients as the record keeps them: 0 where only the rounding of floats is left (the four XOR
    examples' output errors sum to 0, which floats make 2.8e-17)."""
    values = np.asarray(values, dtype=float)
    return np.where(np.abs(values) < 1e-12, 0.0, values)


def _row(values) -> str:
    """A row of numbers with commas, (-0.5, -1.0893): side by side in a matrix they read as a subtraction."""
    return r"\left(" + r",\ ".join(d(float(v)) for v in np.asarray(values).ravel()) + r"\right)"


def _key(work: Network) -> list:
    """The whole answer, as a key to grade from: the loss, every gradient, and the weights after the step
    (each as the worked solution's table rounds it)."""
    g, lr = work.grads, work.lr

    def matrix(m):
        return matrix_latex(m, d)

    def column(v):
        return matrix_latex(np.asarray(v)[:, None], d)

    def said(values, cell=None):  # one sign for a matrix or row: "≈" where any of its numbers was rounded
        if cell is None:
            return stated(float(values))
        return f"{equal_or_about([float(v) for v in np.ravel(values)])} {cell(values)}"

    gradients = ([
        r"\frac{\partial L}{\partial W^{(1)}} " + said(g["W1"], matrix),
        r"\frac{\partial L}{\partial b^{(1)}} " + said(g["b1"], column),
        r"\frac{\partial L}{\partial w^{(2)}} " + said(g["W2"], _row),
        r"\frac{\partial L}{\partial b^{(2)}} " + said(g["b2"])])
    stepped = ([
        "W^{(1)} " + said(work.W1 - lr * g["W1"], matrix),
        "b^{(1)} " + said(work.b1 - lr * g["b1"], column),
        "w^{(2)} " + said(work.W2 - lr * g["W2"], _row),
        "b^{(2)} " + said(work.b2 - lr * float(g["b2"]))])
    outputs = said(work.yhat, _row) if np.asarray(work.yhat).size > 1 else said(np.ravel(work.yhat)[0])
    # the outputs the question asks for first (the XOR capstone's four were only in the solution's table)
    # and, to grade from, which values after the step a student working from the rounded gradients gets a last digit
    # apart (read41: the key printed 0.2258 with no word, and a student's 0.2259, right by the table, was marked wrong)
    apart = _apart(work)
    # and which gradients a student adding the examples' terms to 4 places gets a last digit apart, with the weights
    # after the step (read42: the XOR capstone's key said −0.0044 with no word, where 4-place terms sum to −0.0043)
    summed = _sums(work)[1] if work.n > 1 else []
    apart = [name for name, _, _ in _gradient_rows(work) if name in apart or name in summed]
    either = [Text(" (from the rounded numbers of the tables, "), *maths_and(apart),
              Text(" may come out a last digit apart: accept either)")] if apart else []
    return [Text("outputs "), Math(r"\hat y " + outputs), Text("; "), Math(f"L {stated(work.L)}"),
            Text("; gradients "), *_listed(gradients),
            Text("; after the step with "), Math(r"\eta = " + d(work.lr)), Text(": "), *_listed(stepped), *either]


def _listed(parts: list[str]) -> list:
    """Formulas one after another, each its own, so that a line breaks between them (a 2-3-1 network's
    gradients as one formula ran 4.5 pt out of the key's row)."""
    out = [Math(parts[0])]
    for part in parts[1:]:
        out += [Text(", "), Math(part)]
    return out


def present(work: Network) -> Problem:
    """The forward table, the loss, the backward pass, every gradient with one step, and the network drawn."""
    f, W1, b1, W2, b2 = work.family, work.W1, work.b1, work.W2, work.b2
    check = {"type": "network", "activation": work.act, "output": f.output, "loss": f.loss,
             "W1": W1.tolist(), "b1": b1.tolist(), "W2": W2.tolist(), "b2": b2, "data": work.data.tolist(),
             "value": work.L, "gradients": {k: _snap(v).tolist() for k, v in work.grads.items()}, "lr": work.lr}
    answer = _key(work)
    names = _gradient_rows(work)
    return Problem(identity=f"net {work.act} {W1.tolist()} {b1.tolist()} {W2.tolist()} {b2} {work.data.tolist()}",
                   prompt=_prompt(work), answer=answer,
                   answer_text=f"L = {work.L:.4f}; " + ", ".join(f"{n}: {g:.4f}" for n, _, g in names),
                   steps=_forward_steps(work) + _backward_steps(work), claims=check, figure=(figure := _figure(work)),
                   worksheet_figure=marking.graph(figure, _to_fill(work), weights=True))


def _to_fill(work: Network) -> str:
    """The worksheet figure's caption: what to write in each unit, δ defined as the solutions work it (the XOR
    capstone's δ carries the mean's 1/4, which a learner taking δ as ŷ − y did not: read23)."""
    said = ("The network with its weights and biases. Fill in each unit's activation (a) and error signal "
            f"(δ = ∂L/∂z, z the unit's input before its activation) for {_first(work)} as you work.")
    if work.n > 1:
        said += f" The loss is the mean over the {work.n} examples, so each δ carries its 1/{work.n}."
    return said


def givens(claims: dict) -> dict[str, list[str]]:
    """Every weight and bias, every number of the data, the rate, and the activations and the loss by name."""
    def flat(value) -> list[str]:
        return [x for v in value for x in flat(v)] if isinstance(value, list) else [str(value)]

    # a loss stated by its name or by its formula ("|" between what counts)
    loss = {"bce": "cross-entropy|\\ln \\hat y", "mse": "squared|(\\hat y - y)^{2}"}.get(claims["loss"], claims["loss"])
    return {"weights": flat([claims["W1"], claims["b1"], claims["W2"], claims["b2"]]), "data": flat(claims["data"]),
            "rate": [str(claims["lr"])], "words": [claims["activation"], claims["output"], loss]}


KIND = Kind("network", NetworkFamily, {"network": Ask(solve, check, present)}, givens)
