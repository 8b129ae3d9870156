"""Kind `gradient_descent`: steps by hand, and which learning rates converge.

The iterates are computed exactly (the parameters are exact), from the gradient the step engine
worked. The check is a plain NumPy loop that measures the gradient from the function itself by
finite differences, so it shares nothing with the symbolic path.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook.family import FunctionFamily
from workbook.kinds._transition import legacy  # TRANSITION
from workbook import explain, steps, verify
from workbook import expr as E
from workbook.explain import latex
from workbook.generate import Degenerate, fill
from workbook.kinds.common import contour_data, draw_function, point_latex


class DescentFamily(FunctionFamily):
    """Gradient descent by hand: k steps from a start with a learning rate, or which rates converge."""

    kind: Literal["gradient_descent"] = Field(description="`gradient_descent` for this kind.")
    variables: list[str] = Field(["x"], min_length=1, max_length=2, description="One or two variables.")
    start: list[str] = Field(description="The starting point, one expression over the params per variable.")
    rate: str = Field("0.1", max_length=100, description="The learning rate, an expression over the params.")
    steps: int = Field(3, ge=1, le=6, description="How many steps to take by hand.")
    ask: Literal["iterate", "converge"] = Field(
        "iterate", description="Take the steps and fill the iterates table, or decide for each of `rates` "
                               "whether descent converges (a quadratic in one variable).")
    rates: list[str] = Field(default_factory=list, max_length=6,
                             description="For ask = \"converge\": the learning rates to judge.")
    decimals: int = Field(4, ge=0, le=6, description="Iterates may need at most this many decimal places.")

    @model_validator(mode="after")
    def _consistent(self):
        if len(self.start) != len(self.variables):
            raise ValueError(f"start needs {len(self.variables)} coordinates")
        if self.ask == "converge" and (len(self.variables) != 1 or len(self.rates) < 2):
            raise ValueError("ask = 'converge' needs one variable and at least two rates")
        return self

    def names(self) -> list[str]:
        return list(self.variables)

    def formulas(self):
        extra = [(f"start[{i}]", t, set(self.params), set()) for i, t in enumerate(self.start)]
        extra.append(("rate", self.rate, set(self.params), set()))
        extra += [(f"rates[{i}]", t, set(self.params), set()) for i, t in enumerate(self.rates)]
        return super().formulas() + extra



def decimal_places(value: sp.Rational) -> int | None:
    """How many decimal places a rational needs, or None if its decimal never ends."""
    q = int(value.q)
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    return max(twos, fives) if q == 1 else None


def show(value: sp.Expr) -> str:
    """A rational as the decimal a learner writes, when it ends; else as a fraction."""
    if value.is_Rational and decimal_places(value) is not None:
        places = decimal_places(value)
        text = f"{float(value):.{places}f}" if places else str(int(value))
        return text
    return latex(value)


def numpy_descent(function: sp.Expr, variables: list[sp.Symbol], start: list[float], rate: float,
                  count: int) -> np.ndarray:
    """The independent check: a plain loop, the gradient measured by finite differences."""
    grad = verify.gradient_measurer(function, variables)
    x = np.array(start, dtype=float)
    path = [x.copy()]
    with np.errstate(all="ignore"):
        for _ in range(count):
            x = x - rate * grad(x)
            path.append(x.copy())
    return np.array(path)


def generate(family: DescentFamily, params: dict, rng: np.random.Generator) -> dict:
    variables = [E.symbol(n) for n in family.variables]
    f = draw_function(family, params, rng, family.variables)
    values = {E.symbol(k): v for k, v in params.items()}
    start = [E.parse(t, variables=set(params)).xreplace(values) for t in family.start]
    rate = E.parse(family.rate, variables=set(params)).xreplace(values)
    if not (rate.is_Rational and rate > 0):
        raise Degenerate("the learning rate must be a positive number")

    shown: list[dict] = []
    grads = []
    for v in variables:
        trees, d = steps.differentiate(f, v, 1)
        steps.check_against_sympy(f, v, 1, d)
        verify.check_partial(f, variables, [v], d, domain=family.domain) if len(variables) > 1 else \
            verify.check_derivative(f, v, 1, d, domain=family.domain)
        grads.append(d)
        name = f"f'({latex(v)})" if len(variables) == 1 else r"\frac{\partial f}{\partial %s}" % latex(v)
        shown.append({"depth": 0, "rule": "The gradient" if len(variables) > 1 else "The derivative",
                      "say": [{"text": "Differentiate once; every step uses it."}],
                      "math": f"{name} = {latex(d)}"})
        shown += [{**s, "depth": s["depth"] + 1} for s in explain.display_steps(trees, v)]
    fx = latex(f)
    args = ", ".join(latex(v) for v in variables)
    placeholders = {"f": {"math": f"f({args}) = {fx}"}, "fx": {"math": fx}, "rate": {"math": r"\eta = " + show(rate)},
                    "start": {"math": point_latex(start) if len(start) > 1 else f"{latex(variables[0])}_0 = {show(start[0])}"},
                    "steps": {"text": str(family.steps)}, **{k: {"math": latex(v)} for k, v in params.items()}}
    if family.ask == "converge":
        return _converge(family, f, variables[0], grads[0], params, values, start, shown, placeholders)

    path, rows = [list(start)], []
    for k in range(family.steps):
        point = path[-1]
        at = dict(zip(variables, point))
        g = [sp.nsimplify(d.xreplace(at)) for d in grads]
        if not all(c.is_Rational for c in g):
            raise Degenerate("the gradient is not a plain number here")
        nxt = [p - rate * c for p, c in zip(point, g)]
        for value in nxt:
            places = decimal_places(value)
            if places is None or places > family.decimals or abs(value) > 1000:
                raise Degenerate(f"iterate {value} is not workable by hand")
        rows.append((k, point, g, nxt))
        path.append(nxt)
    if all(c == 0 for c in rows[0][2]):
        raise Degenerate("the start is already a critical point")
    if any(all(c == 0 for c in row[2]) for row in rows[1:]):
        raise Degenerate("descent reached the minimum before the last step: the rest of the table would be zeros")
    if f.xreplace(dict(zip(variables, path[-1]))) >= f.xreplace(dict(zip(variables, start))):
        raise Degenerate("the loss did not fall: leave divergence to the learning-rate problems")

    measured = numpy_descent(f, variables, [float(c) for c in start], float(rate), family.steps)
    exact = np.array([[float(c) for c in p] for p in path])
    if not np.allclose(measured, exact, rtol=1e-6, atol=1e-9):
        raise verify.VerifyError(f"iterates {exact.tolist()} but the NumPy loop gives {measured.tolist()}")

    names = [latex(v) for v in variables]
    head = ["k"] + [f"{n}_k" for n in names] + (
        [f"f'({names[0]}_k)"] if len(names) == 1 else [r"\partial f/\partial %s" % n for n in names]) + \
        [f"{n}_{{k+1}}" for n in names]
    table_rows = [[str(k)] + [show(c) for c in p] + [show(c) for c in g] + [show(c) for c in n] for k, p, g, n in rows]
    update = r"%s_{k+1} = %s_k - \eta\, %s" % (names[0], names[0], f"f'({names[0]}_k)" if len(names) == 1 else
                                               r"\frac{\partial f}{\partial %s}" % names[0])
    shown.append({"depth": 0, "rule": "Step", "math": update,
                  "say": [{"text": "Each step moves against the gradient by the learning rate times its size "
                                   "(for each variable the same way)."}]})
    shown.append({"depth": 0, "rule": "The iterates", "math": "",
                  "say": [{"table": {"head": head, "rows": table_rows}}]})
    final = r"\left(%s\right)" % ", ".join(show(c) for c in path[-1]) if len(names) > 1 else show(path[-1][0])
    f_start, f_end = f.xreplace(dict(zip(variables, start))), f.xreplace(dict(zip(variables, path[-1])))
    trend = "fell" if f_end < f_start else "rose"
    shown.append({"depth": 0, "rule": "What happened", "math": "",
                  "say": [{"text": f"The loss {trend} from "}, {"math": show(f_start) if f_start.is_Rational else latex(f_start)},
                          {"text": " to "}, {"math": show(f_end) if f_end.is_Rational else latex(f_end)}, {"text": "."}]})
    blank = [[str(k)] + [""] * (len(head) - 1) for k in range(family.steps)]
    default = ("Take {steps} steps of gradient descent on {f} from {start} with learning rate {rate}. "
               "Fill in the table.")
    prompt = fill(family.prompt or default, placeholders) + [{"table": {"head": head, "rows": blank, "blank": True}}]
    answer_name = f"{names[0]}_{{{family.steps}}}" if len(names) == 1 else r"\left(%s\right)_{%d}" % (
        ", ".join(names), family.steps)
    check = {"type": "gradient_descent", "function": sp.sstr(f), "variables": [str(v) for v in variables],
             "start": [sp.sstr(c) for c in start], "rate": sp.sstr(rate), "steps": family.steps,
             "iterates": [[sp.sstr(c) for c in p] for p in path]}
    figure = _figure(f, variables, [[float(c) for c in p] for p in path], [], float(rate), None, fx)
    return {"key": f"{f} from {start} at {rate}", "figure": figure, "steps": shown, "check": check,
            "verified": {"method": "numpy-loop", "points": family.steps,
                         "max_error": float(np.max(np.abs(measured - exact)))},
            "prompt": prompt, "answer": [{"math": f"{answer_name} = {final}"}],
            "answer_text": " -> ".join(str([sp.sstr(c) for c in p]) for p in path)}


def _verdict(factor: sp.Rational) -> tuple[str, str]:
    """What descent on a quadratic does when each step multiplies the distance by `factor`."""
    if factor == 0:
        return "lands on the minimum in one step", "converges"
    if abs(factor) < 1:
        return ("converges, zig-zagging across the minimum" if factor < 0 else "converges steadily"), "converges"
    if factor == -1:
        return "bounces between two points forever", "oscillates"
    return ("diverges, overshooting further each step" if factor < 0 else "diverges"), "diverges"


def _distance(name: str, minimum) -> str:
    """name - minimum as it should print: x_k + 1 for a minimum at -1, x_k alone for one at 0."""
    if minimum == 0:
        return name
    return f"{name} + {show(-minimum)}" if minimum < 0 else f"{name} - {show(minimum)}"


def _bracket(text: str) -> str:
    return f"({text})" if " " in text else text


def _converge(family, f, x, d, params, values, start, shown, placeholders) -> dict:
    """Which rates converge on a quadratic: each step multiplies the distance to the minimum by 1 - eta*L."""
    poly = sp.Poly(f, x)
    if poly.degree() != 2 or poly.LC() <= 0:
        raise Degenerate("converge problems need an upward quadratic")
    curvature = sp.Rational(poly.LC() * 2)  # L = f''
    minimum = sp.Rational(-poly.all_coeffs()[1] / (2 * poly.LC()))
    rates = [E.parse(t, variables=set(params)).xreplace(values) for t in family.rates]
    if len(set(rates)) < len(rates) or not all(r.is_Rational and r > 0 for r in rates):
        raise Degenerate("rates must be distinct positive numbers")
    rows, verdicts, paths = [], [], []
    for rate in rates:
        factor = 1 - rate * curvature
        words, verdict = _verdict(factor)
        measured = _classify(f, x, float(start[0]), float(rate), float(minimum))
        if measured != verdict:
            raise verify.VerifyError(f"rate {rate}: the rule says {verdict}, the NumPy loop shows {measured}")
        rows.append([show(rate), show(factor), r"\text{%s}" % words])
        verdicts.append(verdict)
        path = [float(start[0])]
        reach = 2.5 * abs(path[0] - float(minimum))  # a diverging path stops once it is this far out,
        for _ in range(5):                          # or its loss would dwarf the converging one's
            path.append(path[-1] - float(rate) * float(d.xreplace({x: sp.Float(path[-1])})))
            if abs(path[-1] - float(minimum)) > reach:
                break
        paths.append((float(rate), path))
    if len(set(verdicts)) < 2:
        raise Degenerate("the rates should not all behave alike")
    threshold = 2 / curvature
    shown.append({"depth": 0, "rule": "One step", "math": r"%s = (1 - %s\,\eta)\,%s" % (
        _distance("x_{k+1}", minimum), show(curvature), _bracket(_distance("x_k", minimum))),
        "say": [{"text": "For a quadratic the gradient is "}, {"math": r"f''\cdot(x - x^*)"},
                {"text": ", so each step multiplies the distance to the minimum "}, {"math": "x^* = " + show(minimum)},
                {"text": " by the same factor."}]})
    shown.append({"depth": 0, "rule": "The rule", "math": r"0 < \eta < \frac{2}{L} = %s" % show(threshold),
                  "say": [{"text": "Descent converges exactly when the factor lies between \u22121 and 1, i.e. when "
                                   "the learning rate is below 2/L, with "}, {"math": "L = f'' = " + show(curvature)},
                          {"text": ". Between 1/L and 2/L it overshoots but still settles."}]})
    shown.append({"depth": 0, "rule": "Each rate", "math": "",
                  "say": [{"table": {"head": [r"\eta", r"1 - L\eta", r"\text{behaviour}"], "rows": rows}}]})
    rates_tex = ", ".join(show(r) for r in rates)
    placeholders["rates"] = {"math": rates_tex}
    default = ("Gradient descent on {f} starts at {start}. For each learning rate {rates}, does it converge, "
               "oscillate forever or diverge? Explain with the factor each step multiplies the error by.")
    check = {"type": "descent_convergence", "function": sp.sstr(f), "variable": str(x), "start": sp.sstr(start[0]),
             "rates": [sp.sstr(r) for r in rates], "verdicts": verdicts, "threshold": sp.sstr(threshold)}
    good = next(p for p, v in zip(paths, verdicts) if v == "converges")
    bad = next((p for p, v in zip(paths, verdicts) if v != "converges"), paths[-1])
    figure = _figure(f, [x], None, [good, bad], None, float(minimum), latex(f))
    answer = []
    for r, v in zip(rates, verdicts):
        answer += [{"math": r"\eta = " + show(r)}, {"text": f": {v}; "}]
    answer[-1] = {"text": answer[-1]["text"].rstrip("; ")}
    return {"key": f"{f} rates {rates}", "figure": figure, "steps": shown, "check": check,
            "verified": {"method": "numpy-loop", "points": len(rates), "max_error": 0.0},
            "prompt": fill(family.prompt or default, placeholders), "answer": answer,
            "answer_text": "; ".join(f"{r}: {v}" for r, v in zip(rates, verdicts))}


def _classify(f, x, start: float, rate: float, minimum: float) -> str:
    """Run 60 steps in NumPy with a measured derivative and say what the distance did."""
    distances = [abs(p - minimum) for p in numpy_descent(f, [x], [start], rate, 60)[:, 0]]
    if distances[-1] < 1e-3 * max(distances[0], 1e-9):
        return "converges"
    if distances[-1] > 10 * distances[0]:
        return "diverges"
    return "oscillates"


def _figure(f, variables, path2d, paths1d, rate, minimum, fx) -> dict:
    if len(variables) == 2:
        xs = [p[0] for p in path2d]
        ys = [p[1] for p in path2d]
        center = ((max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2)
        half = max(max(xs) - min(xs), max(ys) - min(ys), 2.0) * 0.75
        return {"kind": "contour", **contour_data(f, variables, center, half_width=half),
                "point": path2d[0], "paths": [{"points": path2d, "label": f"η = {rate:g}"}],
                "xlabel": str(variables[0]), "ylabel": str(variables[1]),
                "alt": f"Contour plot of the loss with the gradient descent path of {len(path2d) - 1} steps "
                       f"from ({path2d[0][0]:g}, {path2d[0][1]:g}) to ({path2d[-1][0]:.4g}, {path2d[-1][1]:.4g})."}
    x = variables[0]
    if paths1d:
        runs = [{"points": p, "label": f"η = {r:g}"} for r, p in paths1d]
    else:
        runs = [{"points": [p[0] for p in path2d], "label": f"η = {rate:g}"}]
    pts = [v for run in runs for v in run["points"]]
    lo, hi = min(pts), max(pts)
    pad = max(1.0, 0.25 * (hi - lo))
    xs = np.linspace(lo - pad, hi + pad, 200)
    fn = verify.numeric(f, [x])
    ys = verify.evaluate(fn, xs)
    for run in runs:
        run["values"] = [float(v) for v in verify.evaluate(fn, np.array(run["points"], dtype=float))]
    return {"kind": "descent1d", "x": [round(float(v), 5) for v in xs], "y": [float(f"{v:.6g}") for v in ys],
            "runs": runs, "label": f"f(x) = {fx}",
            "alt": "The curve of the loss with the iterates of gradient descent marked and joined in order"
                   + (": one learning rate settles into the minimum and the other does not." if paths1d else ".")}


KIND = legacy('gradient_descent', DescentFamily, generate)  # TRANSITION
