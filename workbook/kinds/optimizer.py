"""Kind `optimizer`: the first updates of SGD with momentum, Nesterov, AdaGrad, RMSprop and Adam.

The updates follow the algorithms documented for ``torch.optim`` (SGD with momentum and no
dampening, the buffer starting at the first gradient; Adam with bias correction, ε added after
the square root; AdaGrad with ε = 1e-10, the others 1e-8). The table is computed at 30 digits
from exact parameters. Checks: with a loss, its derivative against one measured from the loss
alone; the parameter after each update against ``verify.optimizer_reference``, a separate NumPy
implementation in float64 whose gradients are the given ones or are measured from the loss.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Literal

import numpy as np
import sympy as sp
from pydantic import Field, field_validator, model_validator

from workbook import expr as E
from workbook import steps, verify
from workbook.family import NAME, Family
from workbook.kind import Ask, Kind
from workbook.kinds.common import contour_data, given, in_range, pick
from workbook.numbers import caption_said, comes_out, decimal_latex, latex, stated
from workbook.problem import Degenerate, Math, Problem, Step, Table, Text, fill, words

PREC = 30


def _momentum(nesterov: bool):
    def update(state: dict, g, t: int, k: dict) -> dict:
        state["b"] = g if t == 1 else k["momentum"] * state["b"] + g
        push = g + k["momentum"] * state["b"] if nesterov else state["b"]
        return {"b": state["b"], "push": push, "delta": -k["lr"] * push}
    return update


def _adagrad(state: dict, g, t: int, k: dict) -> dict:
    state["G"] = state["G"] + g**2
    return {"G": state["G"], "delta": -k["lr"] * g / (sp.sqrt(state["G"]) + k["eps"])}


def _rmsprop(state: dict, g, t: int, k: dict) -> dict:
    state["v"] = k["alpha"] * state["v"] + (1 - k["alpha"]) * g**2
    return {"v": state["v"], "delta": -k["lr"] * g / (sp.sqrt(state["v"]) + k["eps"])}


def _adam(state: dict, g, t: int, k: dict) -> dict:
    b1, b2 = k["beta1"], k["beta2"]
    state["m"] = b1 * state["m"] + (1 - b1) * g
    state["v"] = b2 * state["v"] + (1 - b2) * g**2
    m_hat, v_hat = state["m"] / (1 - b1**t), state["v"] / (1 - b2**t)
    return {"m": state["m"], "v": state["v"], "m_hat": m_hat, "v_hat": v_hat,
            "delta": -k["lr"] * m_hat / (sp.sqrt(v_hat) + k["eps"])}


@dataclass(frozen=True)
class Optimizer:
    """One optimizer, everything the kind knows about it in one place (verify.optimizer_reference is the
    independent NumPy implementation, kept apart on purpose): its name as printed, ε, the hyperparameters
    it uses (symbol, key, decimal places), its table's columns and the state they show, its rules as
    torch.optim documents them, what each worked step shows, and one update."""

    title: str
    eps: sp.Rational
    hyper: tuple[tuple[str, str, int], ...]
    columns: list[str]
    cells: list[str]
    rules: list[str]
    shown: tuple[tuple[str, str, int], ...]
    update: Callable[[dict, Any, int, dict], dict]


_LR = (r"\eta", "lr", 4)
_MU = (r"\mu", "momentum", 4)
_MOMENTUM_RULE = r"b_1 = g_1,\quad b_t = \mu\, b_{t-1} + g_t"
OPTIMIZER: dict[str, Optimizer] = {
    "momentum": Optimizer(
        "SGD with momentum", sp.Rational(1, 10**8), (_LR, _MU), ["t", "g_t", r"b_t", r"\Delta\theta_t", r"\theta_t"],
        ["b"], [_MOMENTUM_RULE, r"\theta_t = \theta_{t-1} - \eta\, b_t"], (("b", "b", 4),), _momentum(False)),
    "nesterov": Optimizer(
        "SGD with Nesterov momentum", sp.Rational(1, 10**8), (_LR, _MU),
        ["t", "g_t", r"b_t", r"g_t + \mu b_t", r"\Delta\theta_t", r"\theta_t"], ["b", "push"],
        [_MOMENTUM_RULE, r"\theta_t = \theta_{t-1} - \eta\,(g_t + \mu\, b_t)"], (("b", "b", 4),), _momentum(True)),
    "adagrad": Optimizer(
        "AdaGrad", sp.Rational(1, 10**10), (_LR,), ["t", "g_t", r"G_t", r"\Delta\theta_t", r"\theta_t"], ["G"],
        [r"G_0 = 0,\quad G_t = G_{t-1} + g_t^{2}", r"\theta_t = \theta_{t-1} - \eta\,\frac{g_t}{\sqrt{G_t} + \varepsilon}"],
        (("G", "G", 4),), _adagrad),
    "rmsprop": Optimizer(
        "RMSprop", sp.Rational(1, 10**8), (_LR, (r"\alpha", "alpha", 4)),
        ["t", "g_t", r"v_t", r"\Delta\theta_t", r"\theta_t"], ["v"],
        [r"v_0 = 0,\quad v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^{2}",
         r"\theta_t = \theta_{t-1} - \eta\,\frac{g_t}{\sqrt{v_t} + \varepsilon}"], (("v", "v", 6),), _rmsprop),
    "adam": Optimizer(
        "Adam", sp.Rational(1, 10**8), (_LR, (r"\beta_1", "beta1", 4), (r"\beta_2", "beta2", 6)),
        ["t", "g_t", "m_t", "v_t", r"\hat m_t", r"\hat v_t", r"\Delta\theta_t", r"\theta_t"],
        ["m", "v", "m_hat", "v_hat"],
        [r"m_0 = v_0 = 0,\quad m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t,\quad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^{2}",
         r"\hat m_t = \frac{m_t}{1 - \beta_1^{t}},\quad \hat v_t = \frac{v_t}{1 - \beta_2^{t}}",
         r"\theta_t = \theta_{t-1} - \eta\,\frac{\hat m_t}{\sqrt{\hat v_t} + \varepsilon}"],
        (("m", "m", 4), ("v", "v", 6), (r"\hat m", "m_hat", 4), (r"\hat v", "v_hat", 4)), _adam),
}
OPTIMIZERS = tuple(OPTIMIZER)


HYPER_KEYS = ("lr", "momentum", "beta1", "beta2", "alpha")


class OptimizerFamily(Family):
    """The first updates of an optimizer (torch.optim's conventions), from given gradients or from a loss."""

    kind: Literal["optimizer"] = Field(description="`optimizer` for this kind.")
    optimizers: list[Literal[OPTIMIZERS]] = Field(
        min_length=1, description="Each draw picks one of: momentum, nesterov, adagrad, rmsprop, adam.")
    gradients: list[str] | None = Field(None, min_length=1, max_length=4,
                                        description="The gradient at each step, expressions over the params.")
    loss: str | None = Field(None, max_length=200, description="Or: a loss of `variable`; each gradient is "
                                                                "its derivative at the current value.")
    variable: str = Field("theta", pattern=NAME, description="The parameter being trained.")
    start: str = Field("0", max_length=100, description="The parameter's starting value.")
    lr: str = Field("0.1", max_length=100, description="The learning rate η.")
    momentum: str = Field("0.9", max_length=50, description="μ for momentum and Nesterov.")
    beta1: str = Field("0.9", max_length=50, description="β1 for Adam.")
    beta2: str = Field("0.999", max_length=50, description="β2 for Adam.")
    alpha: str = Field("0.9", max_length=50, description="α (smoothing) for RMSprop; torch's default is 0.99.")
    steps: int = Field(2, ge=1, le=4, description="How many updates to work (with a loss; with gradients, "
                                                  "one per gradient).")

    @model_validator(mode="after")
    def _consistent(self):
        if (self.gradients is None) == (self.loss is None):
            raise ValueError("give exactly one of gradients or loss")
        for key in HYPER_KEYS:  # a hyperparameter none of the optimizers reads would do nothing (attack25 D21)
            users = [name for name in OPTIMIZER if any(k == key for _, k, _ in OPTIMIZER[name].hyper)]
            if key in self.model_fields_set and not set(users) & set(self.optimizers):
                raise ValueError(f"{key}: none of the optimizers {', '.join(self.optimizers)} reads it ({key} is "
                                 f"for {' and '.join(users)}); remove it, or add one of them to optimizers")
        if "steps" in self.model_fields_set and self.gradients is not None:
            raise ValueError("steps: with gradients there is one update per gradient; steps is for a loss")
        if "variable" in self.model_fields_set and self.gradients is not None:  # it named nothing (attack27)
            raise ValueError("variable: with gradients the parameter is θ; variable names a loss's parameter")
        one = len(self.gradients) == 1 if self.gradients is not None else self.steps == 1
        if one and "momentum" in self.optimizers:  # said at every draw as "its figure's two lines would be one"
            raise ValueError(("gradients: give at least 2" if self.gradients is not None else "steps: give at least 2") +
                             ": momentum's first update is plain SGD's (torch.optim starts its buffer at b₁ = g₁), so "
                             "one update shows nothing of momentum")
        return self

    @field_validator(*HYPER_KEYS)
    @classmethod
    def _in_range(cls, text: str, info):
        """A number written out is checked as the file loads; one with params, at each draw."""
        try:
            value = E.parse(text, variables=())
        except E.ExprError:
            return text
        for name in info.data.get("optimizers") or ():
            if any(key == info.field_name for _, key, _ in OPTIMIZER[name].hyper):
                wrong = out_of_range(info.field_name, value, name)
                if wrong:
                    raise ValueError(wrong)
        return text

    def formulas(self):
        params = set(self.params)
        out = [(f"gradients[{i}]", t, params, set()) for i, t in enumerate(self.gradients or [])]
        if self.loss is not None:
            out.append(("loss", self.loss, params | {self.variable}, {self.variable}))
        for key in ("start", "lr", "momentum", "beta1", "beta2", "alpha"):
            out.append((key, getattr(self, key), params, set()))
        return out


HYPER = HYPER_KEYS
# each hyperparameter's range, as torch.optim checks it (a rate of 0 learns nothing: above 0 here):
# (lowest, below this, whether the lowest itself is out)
RANGES = {"lr": (0, sp.oo, True), "momentum": (0, 1, False), "beta1": (0, 1, False), "beta2": (0, 1, False),
          "alpha": (0, 1, False)}


def out_of_range(key: str, value: sp.Expr, name: str) -> str | None:
    """Why a hyperparameter is one torch.optim would refuse for this optimizer, or None."""
    low, high, open_low = RANGES[key]
    if name == "nesterov" and key == "momentum":
        open_low = True  # torch.optim: Nesterov momentum requires a momentum above 0
    if value.is_real and (value > low if open_low else value >= low) and value < high:
        return None
    return (f"must be {'above' if open_low else 'at least'} {low}" + (f" and below {high}" if high != sp.oo else "")
            + f" for {OPTIMIZER[name].title}, as torch.optim requires")


@dataclass
class Updates:
    """One solved draw: the optimizer picked, its hyperparameters and start (exact), where each step's
    gradient comes from (the given numbers, or the loss and its derivative by the step engine), and each
    step's quantities at 30 digits (``run``)."""

    family: OptimizerFamily
    name: str
    hyper: dict
    theta0: sp.Expr
    var: sp.Symbol
    rows: list[dict]
    loss: sp.Expr | None = None
    derivative: sp.Expr | None = None
    given: list[sp.Expr] | None = None

    @property
    def thetas(self) -> list[str]:
        """The parameter after each update, as the claims record keeps it."""
        return [f"{float(r['theta']):.12g}" for r in self.rows]


# ---------------------------------------------------------------- the exact mathematics


def _n(value) -> sp.Float:
    return sp.Float(value, PREC)


NOISE = sp.Float("1e-24", PREC)  # below this a quantity is the rounding of 30-digit arithmetic: exactly 0


def _snap(value):
    """0 for a quantity that is 0 but for rounding (1 - 0.1 x 4 x 2.5 at 30 digits is 1e-31, not 0)."""
    return sp.Integer(0) if isinstance(value, sp.Float) and abs(value) < NOISE else value


def run(name: str, grad, theta0, count: int, hyper: dict, eps=None) -> list[dict]:
    """Each step's quantities at 30 digits; grad(t, theta) gives g_t. ``eps``: another ε than the
    optimizer's (0, to see what it changes)."""
    optimizer = OPTIMIZER[name]
    k = {key: _n(hyper[key]) for key in HYPER} | {"eps": _n(optimizer.eps if eps is None else eps)}
    theta, state = _n(theta0), {"b": _n(0), "G": _n(0), "v": _n(0), "m": _n(0)}
    rows = []
    for t in range(1, count + 1):
        g = _snap(_n(grad(t, theta)))
        row = {"t": t, "g": g, **{key: _snap(v) for key, v in optimizer.update(state, g, t, k).items()}}
        theta = _snap(theta + row["delta"])
        row["theta"] = theta
        rows.append(row)
    return rows


def solve(family: OptimizerFamily, params: dict, rng: np.random.Generator) -> Updates:
    """Pick the optimizer and work its updates, each gradient given or the loss's derivative at θ."""
    name = pick(rng, family.optimizers)

    hyper = {k: given(getattr(family, k), params) for k in HYPER}
    for _, key, _ in OPTIMIZER[name].hyper:  # what torch.optim accepts, which the prompt says it follows
        in_range(key, hyper[key], partial(out_of_range, key, name=name))
    theta0, var = given(family.start, params), E.symbol(family.variable)
    if family.loss is not None:
        loss = given(family.loss, params, [family.variable])
        _, d = steps.differentiate(loss, var, 1)
        gradient = lambda t, theta: d.xreplace({var: theta})
        rows = run(name, gradient, theta0, family.steps, hyper)
        work = Updates(family, name, hyper, theta0, var, rows, loss=loss, derivative=d)
    else:
        gradients = [given(t, params) for t in family.gradients]
        if any(g == 0 for g in gradients):
            raise Degenerate("a zero gradient")
        # Adam given one gradient again and again steps by η each time, m̂ = g and v̂ = g²: its bias correction, the
        # point of working it, has nothing to show (read40: g₁ = g₂ = 1.5)
        if name == "adam" and len(set(gradients)) == 1:
            raise Degenerate("Adam given the same gradient at every step steps by η each time")
        gradient = lambda t, theta: gradients[t - 1]
        rows = run(name, gradient, theta0, len(gradients), hyper)
        work = Updates(family, name, hyper, theta0, var, rows, given=gradients)
        # its figure sets θ beside plain SGD's with the same gradients: Adam given -1, -1 steps as SGD does,
        # and the figure's two lines were one (read27); a draw whose lines the eye cannot tell apart is redrawn
        mine, sgd = _paths(work)
        span = max(max(mine + sgd) - min(mine + sgd), 0.1)
        if max(abs(a - b) for a, b in zip(mine, sgd, strict=True)) < 0.02 * span:
            raise Degenerate(f"{OPTIMIZER[name].title} steps as plain SGD does with these gradients (its figure would "
                             "show one line): other gradients, or more of them, show what it does")
    # the rounding note says ε is too small to change a shown decimal: true, or the draw is redrawn
    without = run(name, gradient, theta0, len(rows), hyper, eps=0)
    if any(round(float(a[key]), 4) != round(float(b[key]), 4) for a, b in zip(rows, without, strict=True)
           for key in a if key != "t"):  # the 4th decimal: ε may still make 0.09 exactly into 0.0900, rounded
        raise Degenerate("ε changes a shown decimal (the rounding note says it does not)")
    if any(abs(float(r["theta"])) > 1e4 for r in rows):
        raise Degenerate("the parameter blew up")
    return work


# ---------------------------------------------------------------- the independent checks


def check(work: Updates) -> list[verify.Check]:
    """The loss's derivative near the start (with a loss), and every θ_t against the NumPy reference."""
    theta0 = float(work.theta0)
    out = []
    if work.loss is not None:
        out.append(verify.check_derivative(work.loss, work.var, 1, work.derivative,
                                           domain=(theta0 - 3, theta0 + 3)).of(f"L'({work.var})"))
    thetas = [float(r["theta"]) for r in work.rows]
    out.append(verify.check_optimizer(work.name, theta0, thetas, work.hyper, gradients=work.given,
                                      loss=work.loss, var=work.var))
    return out


# ---------------------------------------------------------------- what the page shows


def _filled(work: Updates) -> list[list[str]]:
    """The table as the solution fills it in: each column to its quantity's own places."""
    places = _places(work)
    return [[str(r["t"]), decimal_latex(r["g"])]
            + [decimal_latex(r[c], places.get(c, 4)) for c in OPTIMIZER[work.name].cells]
            + [decimal_latex(r["delta"]), decimal_latex(r["theta"])] for r in work.rows]


def _steps(work: Updates, head: list[str]) -> list[Step]:
    """The gradient (with a loss), the rule, each step, the table, and a word on rounding."""
    name, rows = work.name, work.rows
    # each column to its quantity's own places: Adam's v₁ = 0.00025 at 4 places was 0.0003, 20% off, beside
    # the v̂₁ = 0.25 it divides into
    places = _places(work)
    table = _filled(work)
    shown = []
    if work.loss is not None:
        shown.append(Step("The gradient", f"L'({latex(work.var)}) = {latex(work.derivative)}",
                          words("Each step's gradient is the derivative of the loss at the current value.")))
    # the update itself is the question's (displayed there): the steps apply it, not print it a second time
    shown.append(Step(f"{OPTIMIZER[name].title}, as in torch.optim", "",
                      # the numbers last: after them, WeasyPrint set "the" alone on a line beside the figure (read22,
                      # read23)
                      words("Each step applies the update the question gives, its numbers put into each rule: ",
                            Math(_hyper_latex(name, work.hyper)), ".")))
    shown += [Step(f"Step {r['t']}", _worked(work, i),
                   words("Use the gradient ", Math(_gradient_said(r)), "."), depth=1) for i, r in enumerate(rows)]
    return shown + [
        Step("The table", "", [Table(head, table, exact=[
            ["", repr(float(r["g"]))] + [repr(float(r[c])) for c in OPTIMIZER[name].cells]
            + [repr(float(r["delta"])), repr(float(r["theta"]))] for r in rows])]),
        Step("Rounding", "", _rounding(OPTIMIZER[name], places, _off_by_a_digit(work))),
    ]


def _gradient_said(row: dict) -> str:
    """g_t and its value, "≈" where the printed digits are not the value: worked from θ₁ ≈ −0.1 (ε moved it
    by 10⁻¹⁰), g₂ = 3.8000000005 had printed "g₂ = 3.8000" (read22)."""
    text = decimal_latex(row["g"])
    return f"g_{{{row['t']}}} {'=' if _ends(row['g'], text) else chr(92) + 'approx'} {text}"


def _places(work: Updates) -> dict[str, int]:
    """Each quantity's decimal places as printed: its own (a small second moment to 6), and Adam's v to as
    many more as v̂, worked from the v printed, needs to come out as printed. v₂ = 0.00249975 printed 0.002500
    gave 0.002500 / (1 − 0.999²) = 1.2506 on a calculator beside the printed 1.2505 (read24): dividing by
    1 − β₂ᵗ ≈ 0.002 multiplies v's rounding by 500."""
    places = {key: digits for _, key, digits in OPTIMIZER[work.name].shown}
    if work.name == "adam":
        b2 = float(work.hyper["beta2"])
        for r in work.rows:
            hat = decimal_latex(r["v_hat"], places.get("v_hat", 4))
            while places["v"] < MOST_PLACES and \
                    decimal_latex(float(decimal_latex(r["v"], places["v"])) / (1 - b2 ** r["t"]), places.get("v_hat", 4)) != hat:
                places["v"] += 1
    return places


MOST_PLACES = 12  # a second moment's places, at most


def _off_by_a_digit(work: Updates) -> int | None:
    """The first step whose row in the table does not add up in its printed numbers (θ_{t-1} + Δθ_t rounds to
    another last digit than θ_t, each worked unrounded), or None: AdaGrad's −1.8293 + 0.0426 is −1.7867, its
    θ₃ −1.7866 (read37)."""
    from decimal import Decimal

    before = Decimal(decimal_latex(work.theta0))
    for row in work.rows:
        theta = decimal_latex(row["theta"])
        if not comes_out(before + Decimal(decimal_latex(row["delta"])), theta):  # (read39: a tie counted as off)
            return row["t"]
        before = Decimal(theta)
    return None


def _rounding(optimizer: Optimizer, places: dict[str, int], off: int | None = None) -> list:
    """What the printed numbers are rounded to, as they are: the table to 4 decimal places, the steps to
    each quantity's own places (a small second moment to 6, or more where what it divides into needs it);
    and, where a row's printed numbers do not add up (``off``, its step), that its last digit may differ."""
    finer = {}
    for symbol, key, _ in optimizer.shown:
        if places.get(key, 4) > 4:
            finer.setdefault(places[key], []).append(symbol)
    said = ["The numbers are rounded to 4 decimal places (a value that ends sooner, such as 0.25, is exact)"]
    for digits, symbols in sorted(finer.items()):
        said += ["; ", Math(", ".join(dict.fromkeys(symbols))), f" to {digits}, as it can be small"]
    # ε only where the update divides by a root (AdaGrad, RMSprop, Adam): momentum has none to speak of
    epsilon = " ε is far too small to change the 4th decimal here." if any(r"\varepsilon" in r for r in optimizer.rules) else ""
    said.append("; full precision is carried between steps")
    if off is not None:
        said += [", so a row's ", Math(r"\theta_{t-1} + \Delta\theta_t"), " may differ from its ",
                 Math(r"\theta_t"), f" in the last digit (step {off} here)"]
    return words(*said, "." + epsilon)


def _prompt(work: Updates, head: list[str]) -> list:
    """The task, where the gradients come from, and the blank table."""
    rows = work.rows
    if work.loss is not None:
        # its fraction displayed, as the update's are below: (θ − 2)² over 2 set its square at about 5 pt
        source = words(" The loss is ", Math(f"L({latex(work.var)}) = {latex(work.loss)}".replace(r"\frac", r"\dfrac")), ".")
    else:
        source = words(" The gradients are ",
                       Math(", ".join(f"g_{i + 1} = {decimal_latex(r['g'])}" for i, r in enumerate(rows))), ".")
    placeholders = {"optimizer": Text(OPTIMIZER[work.name].title), "hyper": Math(_hyper_latex(work.name, work.hyper)),
                    "start": Math(r"\theta_0 = " + decimal_latex(work.theta0)), "steps": Text(str(len(rows)))}
    default = "Work {steps} updates of {optimizer} ({hyper}) from {start}, following torch.optim's algorithm."
    blank = [[str(r["t"])] + [""] * (len(head) - 1) for r in rows]
    # the rule itself, so that every column of the table is defined on the sheet (b_t, G_t, v_t ...)
    pieces = [piece for rule in OPTIMIZER[work.name].rules for piece in rule.split(r",\quad ")]
    rule = [Text(" The update: ")]
    for k, piece in enumerate(pieces):  # one formula a piece: a line may break between them; a fraction in
        # the line's text style set its β₁ᵗ at about 6 pt, so the bias corrections are set as displayed
        rule += ([Text(", ")] if k else []) + [Math(piece.replace(r"\frac", r"\dfrac"))]
    rule.append(Text("."))
    # the table's Δθ column, and the places of a small second moment, said on the sheet: the worksheet's rule is
    # 4 places "unless the problem says otherwise", and the key gave v to 7 without a word (read25)
    said = [Text(" In the table, "), Math(r"\Delta\theta_t = \theta_t - \theta_{t-1}")]
    places = _places(work)
    small = {symbol: places[key] for symbol, key, _ in OPTIMIZER[work.name].shown if places.get(key, 4) > 4}
    if small:
        said += [Text("; give "), Math(", ".join(f"{symbol}_t" for symbol in small)),
                 Text(f" to {max(small.values())} decimal places, as it can be small, and the rest to 4")]
    said.append(Text("."))  # on a loss too (read58 F10: Adam on 2(θ − 3)² asked v to 4 places and the key gave 6)
    widths = [max(len(row[j]) for row in _filled(work)) for j in range(len(head))]  # room for the places asked
    return fill(work.family.prompt or default, placeholders) + source + rule + said + [
        Table(head, blank, blank=True, widths=widths)]


def _check_record(work: Updates) -> dict:
    check = {"type": "optimizer", "optimizer": work.name, "start": sp.sstr(work.theta0), "steps": len(work.rows),
             "hyper": {k: sp.sstr(v) for k, v in work.hyper.items()},
             "eps": sp.sstr(OPTIMIZER[work.name].eps), "thetas": work.thetas, "convention": "torch.optim"}
    if work.loss is not None:
        check.update(loss=sp.sstr(work.loss), variable=str(work.var))
    else:
        check["gradients"] = [sp.sstr(g) for g in work.given]
    return check


def present(work: Updates) -> Problem:
    """Work the updates and fill in the optimizer's table."""
    rows, head = work.rows, OPTIMIZER[work.name].columns
    check = _check_record(work)
    last = rows[-1]
    earlier = (", ".join(_entry(r"\theta", r["t"], r["theta"]) for r in rows[:-1])
               or r"\theta_0 = " + decimal_latex(work.theta0))
    answer = [Math(_entry(r"\theta", last["t"], last["theta"])), Text(" ("), Math(earlier), Text(")")]
    return Problem(identity=f"{work.name} {check.get('gradients') or check.get('loss')} {work.theta0}",
                   # one sheet practises each optimizer once, where it can, and not the one its worked example
                   # works: Adam on a loss and Adam given its gradients read as one task twice (read22 to read25)
                   likeness=f"optimizer {work.name}",
                   # the work a student copies: RMSprop's steps do not change when every gradient is doubled, nor
                   # AdaGrad's when only the start moves (read50 F8: versions B and C filled in the same column)
                   # its sign aside: Adam's on the gradients negated steps the same sizes the other way (read52 F3)
                   # and its first row's cells but θ: three versions of Nesterov that all began g₁ = -4, two at one
                   # rate, filled in one first row (read54 F7)
                   course=f"optimizer {work.name} steps " + ", ".join(decimal_latex(abs(r["delta"])) for r in rows)
                   # its first step from its start (RMSprop's is η sign(g)/sqrt(1 - α) whatever |g|: read57 F6)
                   + f"\noptimizer {work.name} first step " + decimal_latex(rows[0]["delta"]) + " to "
                   + decimal_latex(rows[0]["theta"])
                   + f"\noptimizer {work.name} first row " + ", ".join(
                       f"{key} {decimal_latex(value)}" for key, value in rows[0].items() if key not in ("t", "theta")),
                   prompt=_prompt(work, head), answer=answer,
                   answer_text=", ".join(f"theta_{r['t']} = {decimal_latex(r['theta'])}" for r in rows),
                   steps=_steps(work, head), claims=check,
                   figure=_figure(work.name, work.hyper) if work.loss is not None else _own_figure(work),
                   numeric=float(work.thetas[-1]),
                   # the one it practises, not the family's list of them ("Momentum and AdaGrad updates")
                   title=(f"{OPTIMIZER[work.name].title} " + ("on a loss" if "loss" in check else "updates")
                          if len(work.family.optimizers) > 1 else None),
                   # stars for the work the drawn optimizer asks: one state to carry (momentum, AdaGrad, RMSprop) two,
                   # two or more (Nesterov, Adam), or a loss to differentiate, three; AdaGrad ★★ beside RMSprop ★★★,
                   # the same work, was the family's (read33b, read35a), never more than the family says
                   difficulty=min(work.family.difficulty,
                                  2 + (len(OPTIMIZER[work.name].cells) > 1 or work.loss is not None)))


def _hyper_latex(name: str, hyper: dict) -> str:
    """The hyperparameters as the prompt gives them, ε among them where the update divides by it."""
    optimizer = OPTIMIZER[name]
    shown = [f"{symbol} = {decimal_latex(hyper[key], places)}" for symbol, key, places in optimizer.hyper]
    if any(r"\varepsilon" in rule for rule in optimizer.rules):
        shown.append(r"\varepsilon = 10^{%d}" % round(math.log10(optimizer.eps)))
    return ",\\ ".join(shown)


def _entry(symbol: str, t: int, value) -> str:
    """An iterate as the key gives it: "≈" where the page rounded it, as the working does (read33b)."""
    return f"{symbol}_{{{t}}} {stated(value)}"


def _worked(work: Updates, i: int) -> str:
    """Step i's update with its numbers put into the rule, a line for each quantity (quoting the results alone,
    a learner whose number differed could not find the slip). A result is "=" where the printed numbers give it
    exactly, else "≈": the work carries full precision, the page prints 4 places (v 6)."""
    name, r, k = work.name, work.rows[i], work.hyper
    before = work.rows[i - 1] if i else {}
    t, printed = r["t"], _places(work)
    exact = True  # whether every number printed on the line so far is the number itself

    def num(value, places: int = 4, bracket: bool = True) -> str:
        nonlocal exact
        text = decimal_latex(value, places)
        exact = exact and _ends(value, text)
        return f"({text})" if bracket and text.startswith("-") else text

    def line(symbol: str, rule: str, numbers: str, key: str) -> str:
        nonlocal exact
        result = decimal_latex(r[key], printed.get(key, 4))
        sign = "=" if exact and _ends(r[key], result) else r"\approx"
        exact = True
        return f"{symbol}_{{{t}}} = {rule} = {numbers} {sign} {result}"

    def adaptive(top: str, top_key: str, under: str, under_key: str, places: int = 4) -> str:
        """θ_t = θ_{t-1} - η top/(√under + ε), its numbers put in: AdaGrad's, RMSprop's and Adam's last line, each
        to the fewest places (4 to 8) that give the result printed: −0.3162 − 0.1·0.5/(√0.2275 + ε) ≈ −0.4211 was
        −0.4210 to a student who worked it (read36)."""
        from decimal import ROUND_HALF_UP, Decimal, localcontext

        previous, shown = before.get("theta", work.theta0), decimal_latex(r["theta"])
        more = 4
        with localcontext() as context:
            context.prec = 40
            for more in range(4, 9):
                worked = Decimal(decimal_latex(previous, more)) - Decimal(decimal_latex(k["lr"], 8)) * Decimal(
                    decimal_latex(r[top_key], more)) / (Decimal(decimal_latex(r[under_key], max(places, more))).sqrt()
                                                        + Decimal(float(OPTIMIZER[name].eps)))
                if worked.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) == Decimal(shown):
                    break
            else:
                more = 4
        root = rf"\sqrt{{{num(r[under_key], max(places, more), bracket=False)}}}"
        return line(r"\theta", rf"\theta_{{{t - 1}}} - \eta\,\frac{{{top}_{{{t}}}}}{{\sqrt{{{under}_{{{t}}}}} + \varepsilon}}",
                    rf"{num(previous, more, bracket=False)} - {num(k['lr'])} \cdot "
                    rf"\frac{{{num(r[top_key], more, bracket=False)}}}{{{root} + \varepsilon}}", "theta")

    lines = []
    if name in ("momentum", "nesterov"):
        if t == 1:
            lines.append(f"b_{{1}} = g_{{1}} = {num(r['g'], bracket=False)}")
        else:
            lines.append(line("b", rf"\mu\, b_{{{t - 1}}} + g_{{{t}}}", rf"{num(k['momentum'])} \cdot {num(before['b'])} + {num(r['g'])}", "b"))
        if name == "nesterov":
            push = f"{num(r['g'], bracket=False)} + {num(k['momentum'])} \\cdot {num(r['b'])}"
            exact_push = exact and _ends(r["push"], decimal_latex(r["push"]))
            lines.append(f"g_{{{t}}} + \\mu\\, b_{{{t}}} = {push} {'=' if exact_push else chr(92) + 'approx'} "
                         f"{decimal_latex(r['push'])}")
            exact = True
        rule, moved = (rf"\eta\,(g_{{{t}}} + \mu\, b_{{{t}}})", num(r["push"])) if name == "nesterov" else \
            (rf"\eta\, b_{{{t}}}", num(r["b"]))
        lines.append(line(r"\theta", rf"\theta_{{{t - 1}}} - {rule}", rf"{num(before.get('theta', work.theta0), bracket=False)} - {num(k['lr'])} \cdot {moved}", "theta"))
        return r",\quad ".join(lines)
    if name == "adagrad":
        lines.append(line("G", rf"G_{{{t - 1}}} + g_{{{t}}}^{{2}}", rf"{num(before.get('G', 0), bracket=False)} + {num(r['g'])}^{{2}}", "G"))
        return r",\quad ".join([*lines, adaptive("g", "g", "G", "G")])
    if name == "rmsprop":
        lines.append(line("v", rf"\alpha\, v_{{{t - 1}}} + (1 - \alpha)\, g_{{{t}}}^{{2}}",
                          rf"{num(k['alpha'])} \cdot {num(before.get('v', 0), 6)} + {num(1 - k['alpha'])} \cdot "
                          rf"{num(r['g'])}^{{2}}", "v"))
        return r",\quad ".join([*lines, adaptive("g", "g", "v", "v", 6)])
    b1, b2 = k["beta1"], k["beta2"]
    lines.append(line("m", rf"\beta_1 m_{{{t - 1}}} + (1 - \beta_1)\, g_{{{t}}}",
                      rf"{num(b1)} \cdot {num(before.get('m', 0))} + {num(1 - b1)} \cdot {num(r['g'])}", "m"))
    lines.append(line("v", rf"\beta_2 v_{{{t - 1}}} + (1 - \beta_2)\, g_{{{t}}}^{{2}}",
                      rf"{num(b2, 6)} \cdot {num(before.get('v', 0), printed['v'])} + {num(1 - b2, 6)} \cdot "
                      rf"{num(r['g'])}^{{2}}", "v"))
    lines.append(line(r"\hat m", rf"\frac{{m_{{{t}}}}}{{1 - \beta_1^{{{t}}}}}",
                      rf"\frac{{{num(r['m'], bracket=False)}}}{{1 - {num(b1)}^{{{t}}}}}", "m_hat"))
    lines.append(line(r"\hat v", rf"\frac{{v_{{{t}}}}}{{1 - \beta_2^{{{t}}}}}",
                      rf"\frac{{{num(r['v'], printed['v'], bracket=False)}}}{{1 - {num(b2, 6)}^{{{t}}}}}", "v_hat"))
    return r",\quad ".join([*lines, adaptive(r"\hat m", "m_hat", r"\hat v", "v_hat")])


def _ends(value, text: str) -> bool:
    """Whether a printed decimal is the value itself, not a rounding of it."""
    return abs(float(value) - float(text)) <= 1e-12 * max(1.0, abs(float(value)))


RAVINE_SCALE = (0.1, 4.0)  # the illustrative loss 0.1 w1^2 + 4 w2^2: a long, narrow valley
RAVINE_START = (-4.0, 1.5)
RAVINE_STEPS = 25
# The rates the figure may use, largest first: at each, plain SGD's step across the valley overshoots
# (1 - 2·4·η < -0.5), so it bounces. The figure takes the first at which the optimizer stays in the
# valley and ends lower than plain SGD, else the first at which it stays (Nesterov momentum with
# mu = 0.9 is stable across the valley only below 2(1 + mu)/((1 + 2 mu)·8) = 0.17).
RAVINE_RATES = (0.2, 0.15, 0.12)


def ravine_run(which: str, hyper: dict, lr: float) -> list[np.ndarray]:
    """Each coordinate's iterates on the valley, ``which`` an optimizer's name or "sgd"."""
    per = []
    for axis, scale in enumerate(RAVINE_SCALE):
        def grad(t, theta, scale=scale):
            return 2 * scale * theta

        if which == "sgd":
            coord = [RAVINE_START[axis]]
            for _ in range(RAVINE_STEPS):
                coord.append(coord[-1] - lr * grad(0, coord[-1]))
            per.append(np.array(coord))
        else:
            per.append(np.asarray(verify.optimizer_reference(
                which, grad, RAVINE_START[axis], RAVINE_STEPS, lr=lr,
                **{k: float(hyper[k]) for k in ("momentum", "beta1", "beta2", "alpha")}), dtype=float))
    return per


SEEN_ACROSS = 0.05  # how far each side of the valley floor a step must go for its crossing to be seen (half a mm)


def ravine_facts(points) -> tuple[int, float]:
    """What the caption says of a path: how often it crosses the valley floor (w2 = 0) where it can be seen
    to, from SEEN_ACROSS or more on one side to as far on the other (points nearer the floor between), and its loss
    at the end. Counted to the last sign change, plain SGD "crossed 25 times", its last twenty 10⁻⁵ to 10⁻¹⁸ across
    a floor it seemed to run along, while the optimizer's visible swings read as the zig-zag (read35b)."""
    w2 = np.array([p[1] for p in points])
    # from side to side: a point within SEEN_ACROSS of the floor is on neither, so +0.95, −0.02, −0.86 crosses once
    # (counted step by step it crossed no time, and a reader counting the drawing found one more: read36)
    sides = np.sign(w2[np.abs(w2) >= SEEN_ACROSS])
    crossings = int(np.sum(sides[1:] != sides[:-1]))
    a, b = RAVINE_SCALE
    return crossings, float(a * points[-1][0] ** 2 + b * points[-1][1] ** 2)


def _figure(name: str, hyper: dict) -> dict:
    """This optimizer and plain SGD, same learning rate, 25 steps on a narrow valley; the caption says
    how often each crossed the valley floor and where each ended, computed from the drawn paths."""
    a, b = RAVINE_SCALE
    x, y = sp.symbols("x y", real=True)
    loss = a * x**2 + b * y**2
    start_loss = a * RAVINE_START[0] ** 2 + b * RAVINE_START[1] ** 2
    runs = {}
    for lr in RAVINE_RATES:
        mine, sgd = ([[float(p), float(q)] for p, q in zip(*ravine_run(w, hyper, lr), strict=True)]
                     for w in (name, "sgd"))
        runs[lr] = (mine, sgd)
    stays = [lr for lr, (mine, _) in runs.items() if ravine_facts(mine)[1] < start_loss]
    better = [lr for lr in stays if ravine_facts(runs[lr][0])[1] < ravine_facts(runs[lr][1])[1]]
    lr = (better or stays or list(RAVINE_RATES))[0]
    mine, sgd = runs[lr]
    title = OPTIMIZER[name].title
    paths = [{"points": mine, "label": title, "color": "#c0504d"},
             {"points": sgd, "label": "plain SGD", "color": "#1f4e79"}]
    # rows two and a half times as close as the columns (within the spec's size limit): the innermost rings are 0.5 across and 3 long, and on the square
    # grid their ends were drawn as points (read48 F7)
    data = contour_data(loss, [x, y], (0.0, 0.0), half_width=4.5, ny=121)
    said = []
    for label, points in (("plain SGD", sgd), (title, mine)):
        crossings, end = ravine_facts(points)
        times = {1: "once", 2: "twice"}.get(crossings, f"{crossings} times")  # not "2 times"
        crosses = (f"visibly crosses the valley floor {times}" if crossings
                   else "never visibly crosses the valley floor")  # not "0 times"
        said.append(f"{label} {crosses} and ends at loss {end:.2g}")
    # rings that double, 0.25 to 64: evenly spaced ones, 10 apart, left the valley floor the paths cross without a
    # line, and the narrow valley read as a flat band (read30)
    return {"kind": "contour", **data, "point": list(RAVINE_START), "paths": paths, "xlabel": "w₁", "ylabel": "w₂",
            "levels": [0.25, 0.5, 1, 2, 4, 8, 16, 32, 64],
            "marks": [{"at": [0.0, 0.0], "label": "minimum"}],
            # a learner looked for the example's θ in the picture: the caption says first that it is another loss
            "alt": f"The same optimizer on a harder loss, not this problem's: {RAVINE_STEPS} steps of {title} and of "
                   f"plain SGD on the narrow valley 0.1w₁² + 4w₂² (its minimum is the star), from (-4, 1.5) at "
                   f"learning rate {lr:g}: {said[0]}; {said[1]}."}


def _paths(work: Updates) -> tuple[list[float], list[float]]:
    """θ after each update, from θ₀: this problem's, and plain SGD's with the same gradients at the same rate."""
    mine = [float(work.theta0)] + [float(r["theta"]) for r in work.rows]
    sgd = [work.theta0]
    for g in work.given:  # exactly: θ − η g
        sgd.append(sgd[-1] - work.hyper["lr"] * g)
    return mine, [float(v) for v in sgd]


def _own_figure(work: Updates) -> dict:
    """This problem's own updates: θ after each, and plain SGD's with the same gradients at the same rate
    beside them. Every practice figure had been the worked example's valley, in w₁ and w₂ at another rate
    (read22, read23): a problem given its gradients has no loss to draw, but its θ's are the table's."""
    lr = work.hyper["lr"]
    mine, sgd = _paths(work)
    title = OPTIMIZER[work.name].title
    last = len(work.rows)
    return {"kind": "steps", "ylabel": "θ", "runs": [{"values": mine, "label": title},
                                                      {"values": sgd, "label": "plain SGD, the same gradients"}],
            "alt": f"θ after each update: {title}, this problem's table, ends at θ{_sub(last)} {caption_said(mine[-1])}; "
                   f"plain SGD taking the same gradients at the same rate η = {float(lr):g} steps by η times each "
                   f"gradient and ends at θ{_sub(last)} {caption_said(sgd[-1])}."}


def _sub(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))


def givens(claims: dict) -> dict[str, list[str]]:
    """The start, ε, each gradient (or the loss), and the hyperparameters this optimizer uses."""
    optimizer = OPTIMIZER[claims["optimizer"]]
    used = {key for _, key, _ in optimizer.hyper}
    divides = any(r"\varepsilon" in rule for rule in optimizer.rules)  # momentum's update has no ε
    # the state a running average or a sum starts from (torch.optim's zeros; momentum's b_1 = g_1)
    state = {"adagrad": "G_0 = 0", "rmsprop": "v_0 = 0", "adam": "m_0 = v_0 = 0"}.get(claims["optimizer"], "b_1 = g_1")
    return {"start": [claims["start"]], "eps": [claims["eps"]] if divides else [],
            "gradients": list(claims.get("gradients", [])), "words": [state.lower()],
            **{key: [value] for key, value in claims["hyper"].items() if key in used}}


KIND = Kind("optimizer", OptimizerFamily, {"optimizer": Ask(solve, check, present)}, givens)
