"""Kind `optimizer`: the first updates of SGD with momentum, Nesterov, AdaGrad, RMSprop and Adam.

The updates follow the algorithms documented for ``torch.optim`` (SGD with momentum and no
dampening, the buffer starting at the first gradient; Adam with bias correction, ε added after
the square root; AdaGrad with ε = 1e-10, the others 1e-8). The table is computed at 30 digits
from exact parameters; the check is ``verify.optimizer_reference``, a separate NumPy
implementation in float64.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook.family import Family, NAME
from workbook.kinds._transition import legacy  # TRANSITION
from workbook import expr as E
from workbook import steps, verify
from workbook.explain import latex
from workbook.generate import Degenerate, fill
from workbook.kinds.common import decimal_latex

PREC = 30
EPS = {"adagrad": sp.Rational(1, 10**10)}
DEFAULT_EPS = sp.Rational(1, 10**8)
TITLES = {"momentum": "SGD with momentum", "nesterov": "SGD with Nesterov momentum", "adagrad": "AdaGrad",
          "rmsprop": "RMSprop", "adam": "Adam"}

# The columns of each optimizer's table (LaTeX) and the rule each step applies.
COLUMNS = {
    "momentum": ["t", "g_t", r"b_t", r"\Delta\theta_t", r"\theta_t"],
    "nesterov": ["t", "g_t", r"b_t", r"g_t + \mu b_t", r"\Delta\theta_t", r"\theta_t"],
    "adagrad": ["t", "g_t", r"G_t", r"\Delta\theta_t", r"\theta_t"],
    "rmsprop": ["t", "g_t", r"v_t", r"\Delta\theta_t", r"\theta_t"],
    "adam": ["t", "g_t", "m_t", "v_t", r"\hat m_t", r"\hat v_t", r"\Delta\theta_t", r"\theta_t"],
}
RULES = {
    "momentum": [r"b_1 = g_1,\quad b_t = \mu\, b_{t-1} + g_t", r"\theta_t = \theta_{t-1} - \gamma\, b_t"],
    "nesterov": [r"b_1 = g_1,\quad b_t = \mu\, b_{t-1} + g_t",
                 r"\theta_t = \theta_{t-1} - \gamma\,(g_t + \mu\, b_t)"],
    "adagrad": [r"G_t = G_{t-1} + g_t^{2}", r"\theta_t = \theta_{t-1} - \gamma\,\frac{g_t}{\sqrt{G_t} + \varepsilon}"],
    "rmsprop": [r"v_t = \alpha\, v_{t-1} + (1 - \alpha)\, g_t^{2}",
                r"\theta_t = \theta_{t-1} - \gamma\,\frac{g_t}{\sqrt{v_t} + \varepsilon}"],
    "adam": [r"m_t = \beta_1 m_{t-1} + (1 - \beta_1)\, g_t,\quad v_t = \beta_2 v_{t-1} + (1 - \beta_2)\, g_t^{2}",
             r"\hat m_t = \frac{m_t}{1 - \beta_1^{t}},\quad \hat v_t = \frac{v_t}{1 - \beta_2^{t}}",
             r"\theta_t = \theta_{t-1} - \gamma\,\frac{\hat m_t}{\sqrt{\hat v_t} + \varepsilon}"],
}


OPTIMIZERS = ("momentum", "nesterov", "adagrad", "rmsprop", "adam")


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
    lr: str = Field("0.1", max_length=100, description="The learning rate γ.")
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
        return self

    def formulas(self):
        params = set(self.params)
        out = [(f"gradients[{i}]", t, params, set()) for i, t in enumerate(self.gradients or [])]
        if self.loss is not None:
            out.append(("loss", self.loss, params | {self.variable}, {self.variable}))
        for key in ("start", "lr", "momentum", "beta1", "beta2", "alpha"):
            out.append((key, getattr(self, key), params, set()))
        return out



def _n(value) -> sp.Float:
    return sp.Float(value, PREC)


def run(name: str, grad, theta0, count: int, hyper: dict) -> list[dict]:
    """Each step's quantities at 30 digits; grad(t, theta) gives g_t."""
    lr, mu, b1, b2, alpha = (_n(hyper[k]) for k in ("lr", "momentum", "beta1", "beta2", "alpha"))
    eps = _n(EPS.get(name, DEFAULT_EPS))
    theta, buf, m, v, total = _n(theta0), _n(0), _n(0), _n(0), _n(0)
    rows = []
    for t in range(1, count + 1):
        g = _n(grad(t, theta))
        row = {"t": t, "g": g}
        if name in ("momentum", "nesterov"):
            buf = g if t == 1 else mu * buf + g
            push = g + mu * buf if name == "nesterov" else buf
            row.update(b=buf, push=push, delta=-lr * push)
        elif name == "adagrad":
            total = total + g**2
            row.update(G=total, delta=-lr * g / (sp.sqrt(total) + eps))
        elif name == "rmsprop":
            v = alpha * v + (1 - alpha) * g**2
            row.update(v=v, delta=-lr * g / (sp.sqrt(v) + eps))
        else:
            m = b1 * m + (1 - b1) * g
            v = b2 * v + (1 - b2) * g**2
            m_hat, v_hat = m / (1 - b1**t), v / (1 - b2**t)
            row.update(m=m, v=v, m_hat=m_hat, v_hat=v_hat, delta=-lr * m_hat / (sp.sqrt(v_hat) + eps))
        theta = theta + row["delta"]
        row["theta"] = theta
        rows.append(row)
    return rows


_CELLS = {"momentum": ["b"], "nesterov": ["b", "push"], "adagrad": ["G"], "rmsprop": ["v"],
          "adam": ["m", "v", "m_hat", "v_hat"]}


def generate(family: OptimizerFamily, params: dict, rng: np.random.Generator) -> dict:
    name = family.optimizers[int(rng.integers(len(family.optimizers)))]
    values = {E.symbol(k): v for k, v in params.items()}

    def number(text: str) -> sp.Expr:
        return E.parse(text, variables=set(params)).xreplace(values)

    hyper = {k: number(getattr(family, k)) for k in ("lr", "momentum", "beta1", "beta2", "alpha")}
    theta0 = number(family.start)
    var = E.symbol(family.variable)
    if family.loss is not None:
        loss = E.parse(family.loss, variables=set(params) | {family.variable}).xreplace(values)
        trees, d = steps.differentiate(loss, var, 1)
        steps.check_against_sympy(loss, var, 1, d)
        verify.check_derivative(loss, var, 1, d, domain=(float(theta0) - 3, float(theta0) + 3))
        count = family.steps

        def grad(t, theta):
            return d.xreplace({var: theta})

        reference_grad = verify.gradient_measurer(loss, [var])

        def ref(t, theta):
            return reference_grad([theta])[0]
    else:
        given = [number(t) for t in family.gradients]
        if any(g == 0 for g in given):
            raise Degenerate("a zero gradient")
        count = len(given)

        def grad(t, theta):
            return given[t - 1]

        def ref(t, theta):
            return float(given[t - 1])

    rows = run(name, grad, theta0, count, hyper)
    reference = verify.optimizer_reference(name, ref, float(theta0), count,
                                           **{k: float(v) for k, v in hyper.items()})
    ours = np.array([float(theta0)] + [float(r["theta"]) for r in rows])
    if not np.allclose(ours, reference, rtol=1e-9, atol=1e-12):
        raise verify.VerifyError(f"{name}: table gives {ours.tolist()}, the NumPy reference {reference.tolist()}")
    if any(abs(float(r["theta"])) > 1e4 for r in rows):
        raise Degenerate("the parameter blew up")

    table = [[str(r["t"]), decimal_latex(r["g"])] + [decimal_latex(r[c]) for c in _CELLS[name]] +
             [decimal_latex(r["delta"]), decimal_latex(r["theta"])] for r in rows]
    head = COLUMNS[name]
    hyper_tex = _hyper_latex(name, hyper)
    shown = []
    if family.loss is not None:
        shown.append({"depth": 0, "rule": "The gradient", "math": r"L'(%s) = %s" % (latex(var), latex(d)),
                      "say": [{"text": "Each step's gradient is the derivative of the loss at the current value."}]})
    shown.append({"depth": 0, "rule": f"{TITLES[name]}, as in torch.optim", "math": r",\quad ".join(RULES[name]),
                  "say": [{"text": "With "}, {"math": hyper_tex}, {"text": ". The state starts at 0."}]})
    for r in rows:
        shown.append({"depth": 1, "rule": f"Step {r['t']}", "math": _step_latex(name, r, hyper),
                      "say": [{"text": "Use the gradient "}, {"math": f"g_{r['t']} = {decimal_latex(r['g'])}"},
                              {"text": "."}]})
    shown.append({"depth": 0, "rule": "The table", "math": "", "say": [{"table": {"head": head, "rows": table}}]})
    shown.append({"depth": 0, "rule": "Rounding", "math": "",
                  "say": [{"text": "Values are shown to 4 decimal places; full precision is carried between steps. "
                                   "ε is far too small to change the 4th decimal here."}]})
    source = ([{"text": " The loss is "}, {"math": f"L({latex(var)}) = {latex(loss)}"}, {"text": "."}]
              if family.loss is not None else
              [{"text": " The gradients are "}, {"math": ", ".join(f"g_{i + 1} = {decimal_latex(g)}" for i, g in
                                                                    enumerate([r['g'] for r in rows]))},
               {"text": "."}])
    placeholders = {"optimizer": {"text": TITLES[name]}, "hyper": {"math": hyper_tex},
                    "start": {"math": r"\theta_0 = " + decimal_latex(theta0)}, "steps": {"text": str(count)}}
    default = "Work {steps} updates of {optimizer} ({hyper}) from {start}, following torch.optim's algorithm."
    blank = [[str(r["t"])] + [""] * (len(head) - 1) for r in rows]
    prompt = fill(family.prompt or default, placeholders) + source + [{"table": {"head": head, "rows": blank, "blank": True}}]
    check = {"type": "optimizer", "optimizer": name, "start": sp.sstr(theta0), "steps": count,
             "hyper": {k: sp.sstr(v) for k, v in hyper.items()}, "eps": sp.sstr(EPS.get(name, DEFAULT_EPS)),
             "thetas": [f"{float(r['theta']):.12g}" for r in rows], "convention": "torch.optim"}
    if family.loss is not None:
        check.update(loss=sp.sstr(loss), variable=str(var))
    else:
        check["gradients"] = [sp.sstr(g) for g in given]
    last = rows[-1]
    return {"key": f"{name} {check.get('gradients') or check.get('loss')} {theta0}", "steps": shown, "check": check,
            "figure": _figure(name, hyper), "prompt": prompt,
            "answer": [{"math": r"\theta_{%d} = %s" % (last["t"], decimal_latex(last["theta"]))}, {"text": " ("},
                       {"math": ", ".join(r"\theta_{%d} = %s" % (r["t"], decimal_latex(r["theta"])) for r in rows[:-1])
                        or r"\theta_0 = " + decimal_latex(theta0)}, {"text": ")"}],
            "answer_text": ", ".join(f"theta_{r['t']} = {decimal_latex(r['theta'])}" for r in rows),
            "verified": {"method": "numpy-reference", "points": count,
                         "max_error": float(np.max(np.abs(ours - reference)))}}


def _hyper_latex(name: str, hyper: dict) -> str:
    parts = [r"\gamma = " + decimal_latex(hyper["lr"])]
    if name in ("momentum", "nesterov"):
        parts.append(r"\mu = " + decimal_latex(hyper["momentum"]))
    if name == "rmsprop":
        parts.append(r"\alpha = " + decimal_latex(hyper["alpha"]))
    if name == "adam":
        parts += [r"\beta_1 = " + decimal_latex(hyper["beta1"]), r"\beta_2 = " + decimal_latex(hyper["beta2"], 6)]
    return ",\\ ".join(parts)


def _step_latex(name: str, r: dict, hyper: dict) -> str:
    d = decimal_latex
    if name in ("momentum", "nesterov"):
        return r"b_{%d} = %s,\quad \theta_{%d} = %s" % (r["t"], d(r["b"]), r["t"], d(r["theta"]))
    if name == "adagrad":
        return r"G_{%d} = %s,\quad \theta_{%d} = %s" % (r["t"], d(r["G"]), r["t"], d(r["theta"]))
    if name == "rmsprop":
        return r"v_{%d} = %s,\quad \theta_{%d} = %s" % (r["t"], d(r["v"], 6), r["t"], d(r["theta"]))
    return (r"m_{%d} = %s,\ v_{%d} = %s,\ \hat m_{%d} = %s,\ \hat v_{%d} = %s,\ \theta_{%d} = %s"
            % (r["t"], d(r["m"]), r["t"], d(r["v"], 6), r["t"], d(r["m_hat"]), r["t"], d(r["v_hat"]), r["t"],
               d(r["theta"])))


RAVINE_SCALE = (0.5, 5.0)  # the illustrative loss 0.5 x^2 + 5 y^2: a long, narrow valley


def _figure(name: str, hyper: dict) -> dict:
    """This optimizer and plain SGD, same learning rate, 25 steps on a narrow valley."""
    a, b = RAVINE_SCALE
    x, y = sp.symbols("x y", real=True)
    loss = a * x**2 + b * y**2
    # One rate for every figure, not the problem's: at 0.1 plain SGD's step across the valley
    # (1 - 0.1·2·5 = 0) lands on its floor at once and never shows the bouncing the primer describes.
    # At 0.125 it bounces (factor -0.25); Nesterov momentum with mu = 0.9 is stable only below
    # 2(1 + mu)/((1 + 2 mu)·10) = 0.136 across the valley, so the rate cannot go much higher.
    lr = 0.125
    paths = []
    for label, which in ((TITLES[name], name), ("plain SGD", "sgd")):
        start = np.array([-4.0, 1.5])
        per = []
        for axis, scale in enumerate((a, b)):
            def grad(t, theta, scale=scale):
                return 2 * scale * theta

            if which == "sgd":
                coord = [start[axis]]
                for _ in range(25):
                    coord.append(coord[-1] - lr * grad(0, coord[-1]))
                per.append(np.array(coord))
            else:
                per.append(verify.optimizer_reference(which, grad, start[axis], 25, lr=lr,
                                                      **{k: float(hyper[k]) for k in ("momentum", "beta1", "beta2",
                                                                                     "alpha")}))
        paths.append({"points": [[float(p), float(q)] for p, q in zip(*per)], "label": label})
    from workbook.kinds.common import contour_data

    data = contour_data(loss, [x, y], (0.0, 0.0), half_width=4.5)
    paths[0]["color"], paths[1]["color"] = "#c0504d", "#1f4e79"
    return {"kind": "contour", **data, "point": [-4.0, 1.5], "paths": paths, "xlabel": "θ₁", "ylabel": "θ₂",
            "alt": f"Contour plot of the narrow valley 0.5θ₁² + 5θ₂² with 25 steps of {TITLES[name]} and of plain "
                   f"SGD from (-4, 1.5) at learning rate {lr:g}."}


KIND = legacy('optimizer', OptimizerFamily, generate)  # TRANSITION
