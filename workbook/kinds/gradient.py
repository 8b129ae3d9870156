"""Kind `gradient`: partial derivatives, second partials, the gradient, directional derivatives
and the direction of steepest descent, for a function of two or three variables.

Each partial is worked by the step engine (the other variables held constant) and compared with
``sympy.diff``; the check measures each partial by finite differences along its own coordinate,
a directional derivative along the line itself, and steepest descent against other directions.
"""

from __future__ import annotations

import re

from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook.family import FunctionFamily, NAME
from workbook.kinds._transition import legacy  # TRANSITION
from workbook import explain, steps, verify
from workbook import expr as E
from workbook.explain import latex
from workbook.generate import Degenerate, fill
from workbook.kinds.common import contour_data, draw_function, exact_at, number_latex, point_latex, vector_latex


class GradientFamily(FunctionFamily):
    """Partial derivatives and gradients of a function of two or three variables."""

    kind: Literal["gradient"] = Field(description="`gradient` for this kind.")
    variables: list[str] = Field(["x", "y"], min_length=2, max_length=3,
                                 description="The function's variables, e.g. [\"x\", \"y\"].")
    ask: Literal["partials", "second_partials", "gradient", "directional", "steepest"] = Field(
        "partials", description="Find the first partials, the second partials (mixed ones too), the gradient at "
                                "`point`, the directional derivative at `point` along `direction`, or the direction "
                                "of steepest descent at `point` and its rate.")
    point: list[str] | None = Field(None, description="The point, one expression over the params per variable.")
    direction: list[str] | None = Field(None, description="The direction (need not be a unit vector).")
    domain: tuple[float, float] = Field((-2.0, 2.0), description="Where the check samples each variable.")

    @model_validator(mode="after")
    def _consistent(self):
        for name in self.variables:
            if not re.fullmatch(NAME, name):
                raise ValueError(f"{name!r} is not a variable name")
        n = len(self.variables)
        if self.ask in ("gradient", "directional", "steepest"):
            if self.point is None or len(self.point) != n:
                raise ValueError(f"ask = {self.ask!r} needs point = [...] with {n} coordinates")
        if self.ask == "directional" and (self.direction is None or len(self.direction) != n):
            raise ValueError(f"ask = 'directional' needs direction = [...] with {n} coordinates")
        return self

    def names(self) -> list[str]:
        return list(self.variables)

    def formulas(self):
        extra = []
        for key in ("point", "direction"):
            for i, text in enumerate(getattr(self, key) or []):
                extra.append((f"{key}[{i}]", text, set(self.params), set()))
        return super().formulas() + extra



def _partial_name(f_name: str, wrt: list[sp.Symbol]) -> str:
    if len(wrt) == 1:
        return r"\frac{\partial %s}{\partial %s}" % (f_name, latex(wrt[0]))
    if wrt[0] == wrt[1]:
        return r"\frac{\partial^{2} %s}{\partial %s^{2}}" % (f_name, latex(wrt[0]))
    return r"\frac{\partial^{2} %s}{\partial %s\,\partial %s}" % (f_name, latex(wrt[1]), latex(wrt[0]))


def _work_partial(f: sp.Expr, v: sp.Symbol, others: list[sp.Symbol], depth: int = 0) -> tuple[sp.Expr, list[dict]]:
    """One partial derivative with its steps: the engine, then the sympy.diff comparison."""
    trees, d = steps.differentiate(f, v, 1)
    steps.check_against_sympy(f, v, 1, d)
    held = ", ".join(latex(o) for o in others)
    shown = [{"depth": depth, "rule": f"Partial derivative with respect to {v}", "math": "",
              "say": [{"text": "Differentiate with respect to "}, {"math": latex(v)},
                      {"text": ", treating "}, {"math": held}, {"text": " as constant" + ("s." if len(others) > 1 else ".")}]}]
    for s in explain.display_steps(trees, v):
        shown.append({**s, "depth": s["depth"] + depth + 1})
    return d, shown


def generate(family: GradientFamily, params: dict, rng: np.random.Generator) -> dict:
    """Draw the function, work the partials, check them, and answer what the family asks."""
    variables = [E.symbol(n) for n in family.variables]
    f = draw_function(family, params, rng, family.variables)
    for v in variables:
        if not f.has(v):
            raise Degenerate(f"the function does not depend on {v}")
    values = {E.symbol(k): v for k, v in params.items()}
    fx = latex(f)
    args = ", ".join(latex(v) for v in variables)
    placeholders = {"f": {"math": f"f({args}) = {fx}"}, "fx": {"math": fx},
                    **{k: {"math": latex(v)} for k, v in params.items()}}
    shown: list[dict] = []
    partials = []
    checks = []
    for v in variables:
        others = [o for o in variables if o != v]
        d, worked = _work_partial(f, v, others)
        if d == 0:
            raise Degenerate(f"the partial with respect to {v} is 0")
        checks.append(verify.check_partial(f, variables, [v], d, domain=family.domain))
        partials.append(d)
        shown += worked
    check = {"type": "gradient", "function": sp.sstr(f), "variables": [str(v) for v in variables],
             "partials": [sp.sstr(d) for d in partials]}
    record = {"key": str(f), "figure": None, "steps": shown,
              "verified": {"method": checks[0].method, "points": min(c.points for c in checks),
                           "max_error": max(c.max_error for c in checks)}}

    if family.ask == "partials":
        answer = [{"math": f"{_partial_name('f', [v])} = {latex(d)}"} for v, d in zip(variables, partials)]
        default = "Find every first partial derivative of {f}."
        return {**record, "check": check, "prompt": fill(family.prompt or default, placeholders),
                "answer": _join(answer), "answer_text": "; ".join(f"d/d{v}: {sp.sstr(d)}" for v, d in zip(variables, partials))}

    if family.ask == "second_partials":
        seconds, answer, text = {}, [], []
        for i, v in enumerate(variables):
            for w in variables[i:]:
                others = [o for o in variables if o != w]
                d2, worked = _work_partial(partials[i], w, others, depth=0)
                worked[0]["rule"] = f"Second partial: differentiate the {v}-partial with respect to {w}"
                shown += worked
                got = verify.check_partial(f, variables, [v, w], d2, domain=family.domain)
                record["verified"]["points"] = min(record["verified"]["points"], got.points)
                seconds[(str(v), str(w))] = d2
                answer.append({"math": f"{_partial_name('f', [v, w])} = {latex(d2)}"})
                text.append(f"d2/d{v}d{w}: {sp.sstr(d2)}")
        mixed = [(a, b) for a, b in seconds if a != b]
        if mixed:
            a, b = mixed[0]
            other = steps.tidy(sp.diff(partials[variables.index(E.symbol(b))], E.symbol(a)))
            if not steps.equal(other, seconds[(a, b)]):
                raise verify.VerifyError("the mixed partials disagree")
            shown.append({"depth": 0, "rule": "Mixed partials agree", "math": "",
                          "say": [{"text": "Differentiating in the other order gives the same result, as it must "
                                           "for a smooth function (Clairaut's theorem)."}]})
        if all(d == 0 for d in seconds.values()):
            raise Degenerate("every second partial is 0")
        check["second_partials"] = {f"{a},{b}": sp.sstr(d) for (a, b), d in seconds.items()}
        record["key"] += " second"
        default = "Find every second partial derivative of {f}, mixed ones included."
        return {**record, "check": check, "prompt": fill(family.prompt or default, placeholders),
                "answer": _join(answer), "answer_text": "; ".join(text)}

    point = [E.parse(t, variables=set(params)).xreplace(values) for t in family.point]
    at = dict(zip(variables, point))
    grad = [exact_at(d, at) for d in partials]
    if all(g == 0 for g in grad):
        raise Degenerate("the gradient is zero at the point")
    measured = verify.measured_gradient(f, variables, [float(p) for p in point])
    if not all(verify.close(float(g), m) for g, m in zip(grad, measured)):
        raise verify.VerifyError(f"the gradient {grad} does not match the measured {list(measured)}")
    p_tex = point_latex(point)
    placeholders["point"] = {"math": p_tex}
    grad_tex = vector_latex(grad)
    shown.append({"depth": 0, "rule": "Evaluate at the point", "math": r"\nabla f%s = %s" % (p_tex, grad_tex),
                  "say": [{"text": "Put "}, {"math": ", ".join(f"{latex(v)} = {latex(p)}" for v, p in at.items())},
                          {"text": " into each partial derivative."}]})
    check.update({"at": [sp.sstr(p) for p in point], "gradient": [sp.sstr(g) for g in grad]})
    record["key"] += f" at {point}"
    if len(variables) == 2:
        record["figure"] = _figure(f, variables, [float(p) for p in point], [float(g) for g in grad], fx)

    if family.ask == "gradient":
        default = "Find the gradient of {f} at the point {point}."
        return {**record, "check": check, "prompt": fill(family.prompt or default, placeholders),
                "answer": [{"math": r"\nabla f%s = %s" % (p_tex, grad_tex)}],
                "answer_text": f"grad f{tuple(point)} = ({', '.join(sp.sstr(g) for g in grad)})"}

    norm = sp.sqrt(sum(g**2 for g in grad))
    if family.ask == "directional":
        direction = [E.parse(t, variables=set(params)).xreplace(values) for t in family.direction]
        length = sp.sqrt(sum(c**2 for c in direction))
        if length == 0:
            raise Degenerate("the direction is the zero vector")
        unit = [c / length for c in direction]
        value = steps.tidy(sum(g * u for g, u in zip(grad, unit)))
        if value == 0:
            raise Degenerate("the directional derivative is 0")
        measured_d = verify.directional_measured(f, variables, [float(p) for p in point], [float(u) for u in unit])
        if not verify.close(float(value), measured_d):
            raise verify.VerifyError(f"directional derivative {value} but the slope along the line is {measured_d}")
        placeholders["direction"] = {"math": vector_latex(direction)}
        shown.append({"depth": 0, "rule": "Unit direction", "math": r"\hat{u} = \frac{%s}{%s} = %s" % (
            vector_latex(direction), latex(length), vector_latex(unit)),
            "say": [{"text": "Divide the direction by its length so that it measures change per unit step."}]})
        shown.append({"depth": 0, "rule": "Dot product", "math": r"D_{\hat{u}} f = \nabla f \cdot \hat{u} = %s" % (
            number_latex(value)), "say": [{"text": "The rate of change along "}, {"math": r"\hat{u}"},
                                           {"text": " is the gradient dotted with it."}]})
        check.update({"direction": [sp.sstr(c) for c in direction], "directional": sp.sstr(value)})
        record["key"] += f" along {direction}"
        default = "Find the directional derivative of {f} at {point} in the direction of {direction}."
        return {**record, "check": check, "prompt": fill(family.prompt or default, placeholders),
                "answer": [{"math": r"D_{\hat{u}} f%s = %s" % (p_tex, number_latex(value))}],
                "answer_text": sp.sstr(value)}

    descent = [steps.tidy(-g / norm) for g in grad]
    _check_steepest(f, variables, [float(p) for p in point], [float(c) for c in descent], float(norm))
    shown.append({"depth": 0, "rule": "Steepest descent", "math": r"-\frac{\nabla f}{\lVert \nabla f \rVert} = %s,"
                  r"\quad \lVert \nabla f \rVert = %s" % (vector_latex(descent), number_latex(steps.tidy(norm))),
                  "say": [{"text": "The gradient points uphill fastest; its negative, scaled to length 1, points "
                                   "downhill fastest, and f falls at the rate "}, {"math": r"\lVert \nabla f \rVert"},
                          {"text": ". This is the direction gradient descent steps in."}]})
    check.update({"descent_direction": [sp.sstr(c) for c in descent], "rate": sp.sstr(steps.tidy(norm))})
    default = "At the point {point}, in which unit direction does {f} decrease fastest, and at what rate?"
    return {**record, "check": check, "prompt": fill(family.prompt or default, placeholders),
            "answer": [{"math": r"\hat{u} = %s" % vector_latex(descent)}, {"text": ", rate "},
                       {"math": number_latex(steps.tidy(norm))}],
            "answer_text": f"direction ({', '.join(sp.sstr(c) for c in descent)}), rate {sp.sstr(steps.tidy(norm))}"}


def _join(parts: list[dict]) -> list[dict]:
    out = []
    for i, p in enumerate(parts):
        if i:
            out.append({"text": "; "})
        out.append(p)
    return out


def _check_steepest(f, variables, point, direction, rate) -> None:
    """Along the claimed direction f falls at `rate`, and no other direction falls faster."""
    along = verify.directional_measured(f, variables, point, direction)
    if not verify.close(along, -rate):
        raise verify.VerifyError(f"along the claimed direction f changes at {along}, not -{rate}")
    for angle in np.linspace(0, 2 * np.pi, 12, endpoint=False):
        if len(variables) == 2:
            u = [float(np.cos(angle)), float(np.sin(angle))]
        else:
            u = [float(np.cos(angle)) * 0.6, float(np.sin(angle)) * 0.6, 0.8]
        if verify.directional_measured(f, variables, point, u) < -rate * (1 + 1e-6) - 1e-9:
            raise verify.VerifyError(f"direction {u} falls faster than the claimed steepest descent")


def _figure(f, variables, point, grad, fx) -> dict:
    data = contour_data(f, variables, (point[0], point[1]))
    return {"kind": "contour", **data, "point": point,
            "arrows": [{"vector": grad, "label": r"\nabla f", "color": "#c0504d"},
                       {"vector": [-g for g in grad], "label": r"-\nabla f", "color": "#2e7d32"}],
            "xlabel": str(variables[0]), "ylabel": str(variables[1]), "label": f"f = {fx}",
            "alt": (f"Contour lines of f near the point ({point[0]:g}, {point[1]:g}); the gradient arrow "
                    f"({grad[0]:.3g}, {grad[1]:.3g}) points uphill across the contours and its negative points "
                    "downhill.")}


KIND = legacy('gradient', GradientFamily, generate)  # TRANSITION
