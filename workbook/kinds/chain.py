"""Kind `chain`: the chain rule as a product along a chain of layers, and summed over paths when a
variable reaches the output in more than one way.

Each local derivative is worked by the step engine; the check differentiates the composed
function numerically, so a missing factor or a missing path fails.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook.family import Family
from workbook.kinds._transition import legacy  # TRANSITION
from workbook import expr as E
from workbook import explain, steps, verify
from workbook.explain import latex
from workbook.functions import written_out
from workbook.generate import Degenerate, fill


class ChainFamily(Family):
    """The chain rule made visible: a chain of layers x -> u1 -> u2 -> y, or z = f(x, y) with x and y
    depending on one or two parameters."""

    kind: Literal["chain"] = Field(description="`chain` for this kind.")
    ask: Literal["composition", "multivariable"] = Field(
        "composition", description="composition: dy/dx through `layers`; multivariable: dz/dt (or dz/ds and "
                                   "dz/dt) for z = `outer` with `inner` variables depending on `parameters`.")
    layers: list[str] = Field(default_factory=list, max_length=4,
                              description="composition: each layer as a function of the one before: the first "
                                          "of x, the next of u1, then u2, u3.")
    outer: str | None = Field(None, max_length=300, description="multivariable: z as a function of the inner "
                                                                 "variables x and y.")
    inner: list[str] = Field(default_factory=list, max_length=2,
                             description="multivariable: x and y, each as a function of the parameters.")
    parameters: list[str] = Field(["t"], min_length=1, max_length=2, description="multivariable: t, or s and t.")
    domain: tuple[float, float] = Field((-1.5, 1.5), description="Where the check samples the input.")

    @model_validator(mode="after")
    def _consistent(self):
        if self.ask == "composition" and not 2 <= len(self.layers) <= 4:
            raise ValueError("a composition needs 2 to 4 layers")
        if self.ask == "multivariable" and (self.outer is None or len(self.inner) != 2):
            raise ValueError("multivariable needs outer and two inner functions (x and y)")
        return self

    def formulas(self):
        params = set(self.params)
        out = []
        for i, text in enumerate(self.layers):
            name = "x" if i == 0 else f"u{i}"
            out.append((f"layers[{i}]", text, params | {name}, {name}))
        if self.outer is not None:
            out.append(("outer", self.outer, params | {"x", "y"}, {"x", "y"}))
        for i, text in enumerate(self.inner):
            out.append((f"inner[{i}]", text, params | set(self.parameters), set()))
        return out



def _local(expr, var) -> tuple[sp.Expr, list]:
    trees, d = steps.differentiate(expr, var, 1)
    steps.check_against_sympy(expr, var, 1, d)
    return d, trees


def generate(family: ChainFamily, params: dict, rng: np.random.Generator) -> dict:
    values = {E.symbol(k): v for k, v in params.items()}
    if family.ask == "composition":
        return _composition(family, params, values)
    return _multivariable(family, params, values)


def _composition(family, params, values) -> dict:
    names = ["x"] + [f"u{i}" for i in range(1, len(family.layers))] + ["y"]
    symbols = [E.symbol(n) for n in names]
    layers = [E.parse(t, variables=set(params) | {names[i]}).xreplace(values) for i, t in enumerate(family.layers)]
    shown, locals_ = [], []
    composed = symbols[0]
    for i, layer in enumerate(layers):
        d, trees = _local(layer, symbols[i])
        if d == 0:
            raise Degenerate(f"layer {i + 1} is constant")
        locals_.append(d)
        composed = layer.xreplace({symbols[i]: composed})
        shown.append({"depth": 0, "rule": f"Local derivative {i + 1}",
                      "math": r"\frac{d%s}{d%s} = %s" % (latex(symbols[i + 1]), latex(symbols[i]), latex(d)),
                      "say": [{"text": "Differentiate this layer with respect to its own input only."}]})
        shown += [{**s, "depth": s["depth"] + 1} for s in explain.display_steps(trees, symbols[i])]
    # multiply along the chain, putting each intermediate back in terms of x
    back = {}
    inner = symbols[0]
    for i, layer in enumerate(layers[:-1]):
        inner = layer.xreplace({symbols[i]: inner})
        back[symbols[i + 1]] = inner
    product = sp.Mul(*[d.xreplace(back) for d in locals_])
    answer = steps.tidy(product)
    steps.check_against_sympy(composed, symbols[0], 1, answer)
    checked = verify.check_derivative(composed, symbols[0], 1, answer, domain=family.domain)
    chain_tex = r"\cdot".join(r"\frac{d%s}{d%s}" % (latex(symbols[i + 1]), latex(symbols[i])) for i in range(len(layers)))
    shown.append({"depth": 0, "rule": "Multiply along the chain", "math": r"\frac{dy}{dx} = %s = %s" % (chain_tex,
                                                                                                      latex(answer)),
                  "say": [{"text": "Each layer scales a small change by its local derivative; put every "},
                          {"math": "u_i"}, {"text": " back in terms of x and multiply. This product is exactly what "
                                                   "backpropagation computes, layer by layer."}]})
    defs = ", ".join(f"{latex(symbols[i + 1])} = {latex(layer)}" for i, layer in enumerate(layers))
    default = "A chain of functions computes {chain}. Find dy/dx using the chain rule, one layer at a time."
    nodes = [{"id": n, "label": n} for n in names]
    edges = [{"from": names[i], "to": names[i + 1], "label": latex(d)} for i, d in enumerate(locals_)]
    figure = {"kind": "graph", "nodes": nodes, "edges": edges, "layout": "chain",
              "alt": "The chain " + " → ".join(names) + "; each arrow carries its local derivative: "
                     + "; ".join(f"d{names[i + 1]}/d{names[i]} = {sp.sstr(d)}" for i, d in enumerate(locals_)) + "."}
    check = {"type": "derivative", "function": sp.sstr(composed), "variable": "x", "order": 1,
             "answer": sp.sstr(answer)}
    check.update(function=sp.sstr(written_out(composed)), answer=sp.sstr(written_out(answer)))
    return {"key": str(composed), "steps": shown, "figure": figure, "check": check,
            "prompt": fill(family.prompt or default, {"chain": {"math": defs}}),
            "answer": [{"math": r"\frac{dy}{dx} = %s" % latex(answer)}], "answer_text": sp.sstr(answer),
            "verified": checked.record()}


def _multivariable(family, params, values) -> dict:
    x, y = E.symbol("x"), E.symbol("y")
    ps = [E.symbol(n) for n in family.parameters]
    f = E.parse(family.outer, variables=set(params) | {"x", "y"}).xreplace(values)
    inner = [E.parse(t, variables=set(params) | set(family.parameters)).xreplace(values) for t in family.inner]
    fx, fy = (_local(f, v)[0] for v in (x, y))
    composed = f.xreplace({x: inner[0], y: inner[1]})
    shown = [{"depth": 0, "rule": "Outer partials", "math": r"\frac{\partial z}{\partial x} = %s,\quad "
                                                           r"\frac{\partial z}{\partial y} = %s" % (latex(fx), latex(fy)),
              "say": [{"text": "Differentiate z with respect to each inner variable, holding the other constant."}]}]
    answers, checks, answer_tex, text = [], [], [], []
    sub = {x: inner[0], y: inner[1]}
    for p in ps:
        dx, dy = (_local(v, p)[0] for v in inner)
        total = steps.tidy(fx.xreplace(sub) * dx + fy.xreplace(sub) * dy)
        if total == 0:
            raise Degenerate("the total derivative is 0")
        steps.check_against_sympy(composed, p, 1, total)
        if len(ps) == 1:
            checks.append(verify.check_derivative(composed, p, 1, total, domain=family.domain))
        else:
            checks.append(verify.check_partial(composed, ps, [p], total, domain=family.domain))
        d = "d" if len(ps) == 1 else r"\partial "
        shown.append({"depth": 0, "rule": f"Inner derivatives in {p}",
                      "math": r"\frac{%sx}{%s%s} = %s,\quad \frac{%sy}{%s%s} = %s" % (
                          d, d, latex(p), latex(dx), d, d, latex(p), latex(dy)), "say": []})
        shown.append({"depth": 0, "rule": "Sum over both paths",
                      "math": r"\frac{%sz}{%s%s} = \frac{\partial z}{\partial x}\frac{%sx}{%s%s} + "
                              r"\frac{\partial z}{\partial y}\frac{%sy}{%s%s} = %s" % (
                          d, d, latex(p), d, d, latex(p), d, d, latex(p), latex(total)),
                      "say": [{"text": f"{p} reaches z through x and through y; the chain rule adds the two "
                                       "contributions (a fan-out in a network is summed the same way)."}]})
        answers.append(total)
        answer_tex.append(r"\frac{%sz}{%s%s} = %s" % (d, d, latex(p), latex(total)))
        text.append(f"dz/d{p} = {sp.sstr(total)}")
    params_tex = ", ".join(latex(p) for p in ps)
    default = "Let {z} where {inner}. Find " + (" and ".join(
        f"∂z/∂{p}" for p in ps) if len(ps) > 1 else f"dz/d{ps[0]}") + " with the multivariable chain rule."
    nodes = [{"id": str(p), "label": str(p)} for p in ps] + [{"id": "x", "label": "x"}, {"id": "y", "label": "y"},
                                                             {"id": "z", "label": "z"}]
    edges = [{"from": "x", "to": "z", "label": latex(fx)}, {"from": "y", "to": "z", "label": latex(fy)}]
    for p in ps:
        for name, v in (("x", inner[0]), ("y", inner[1])):
            edges.append({"from": str(p), "to": name, "label": latex(_local(v, p)[0])})
    figure = {"kind": "graph", "nodes": nodes, "edges": edges, "layout": "layers",
              "layers": [[str(p) for p in ps], ["x", "y"], ["z"]],
              "alt": f"Dependency tree: {params_tex} feed{'s' if len(ps) == 1 else ''} x and y, which feed z; each edge carries its local "
                     "partial derivative, and every path from a parameter to z contributes one product."}
    check = {"type": "chain_multivariable", "outer": sp.sstr(f), "inner": [sp.sstr(v) for v in inner],
             "parameters": [str(p) for p in ps], "answers": [sp.sstr(a) for a in answers]}
    return {"key": f"{f} {inner}", "steps": shown, "figure": figure, "check": check,
            "prompt": fill(family.prompt or default, {
                "z": {"math": f"z = {latex(f)}"},
                "inner": {"math": f"x = {latex(inner[0])},\\ y = {latex(inner[1])}"}}),
            "answer": [{"math": r",\quad ".join(answer_tex)}], "answer_text": "; ".join(text),
            "verified": {"method": checks[0].method, "points": min(c.points for c in checks),
                         "max_error": max(c.max_error for c in checks)}}


KIND = legacy('chain', ChainFamily, generate)  # TRANSITION
