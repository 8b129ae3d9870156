"""Kind `chain`: the chain rule as a product along a chain of layers, and summed over paths when a
variable reaches the output in more than one way.

Each local derivative is worked by the step engine and the product (or sum over paths) must equal
``sympy.diff`` of the composed function. Checks: the answer against the derivative measured from
the composed function alone over the domain (dy/dx, dz/dt; each of dz/ds and dz/dt as a partial),
so a missing factor or a missing path fails.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook import explain, marking, steps, verify
from workbook import expr as E
from workbook.family import Domain, Family, for_asks
from workbook.functions import written_out
from workbook.kind import Ask, Kind
from workbook.kinds.common import given, partial, shape
from workbook.numbers import latex, subscript
from workbook.problem import Degenerate, Math, Problem, Step, fill, words


class ChainFamily(Family):
    """The chain rule made visible: a chain of layers x -> u1 -> u2 -> y, or z = f(x, y) with x and y
    depending on one or two parameters."""

    kind: Literal["chain"] = Field(description="`chain` for this kind.")
    ask: Literal["composition", "multivariable"] = Field(
        "composition", description="composition: dy/dx through `layers`; multivariable: dz/dt (or dz/ds and "
                                   "dz/dt) for z = `outer` with `inner` variables depending on `parameters`.")
    layers: list[str] = Field(default_factory=list, max_length=4,
                              description="composition: each layer as a function of the one before: the first "
                                          "of x, the next of u1, then u2, u3.",
                              json_schema_extra=for_asks("composition"))
    outer: str | None = Field(None, max_length=300, description="multivariable: z as a function of the inner "
                                                                 "variables x and y.",
                                json_schema_extra=for_asks("multivariable"))
    inner: list[str] = Field(default_factory=list, max_length=2,
                             description="multivariable: x and y, each as a function of the parameters.",
                             json_schema_extra=for_asks("multivariable"))
    parameters: list[str] = Field(["t"], min_length=1, max_length=2, description="multivariable: t, or s and t.",
                                  json_schema_extra=for_asks("multivariable"))
    domain: Domain = Field((-1.5, 1.5), description="Where the check samples the input.")

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



@dataclass
class Chain:
    """One solved draw: the inputs (x, or the parameters t, or s and t), the composed function of them
    and its derivative with respect to each input. A composition keeps its chain x, u1, ..., y with
    each layer (a function of the one before), its rule trees and its local derivative; a
    multivariable draw keeps z = outer(x, y), the inner x and y of the parameters, the outer
    partials dz/dx and dz/dy, and for each parameter the inner derivatives of x and y."""

    family: ChainFamily
    inputs: list[sp.Symbol]
    composed: sp.Expr
    answers: list[sp.Expr] = field(default_factory=list)
    symbols: list[sp.Symbol] = field(default_factory=list)
    layers: list[sp.Expr] = field(default_factory=list)
    trees: list[list] = field(default_factory=list)
    local: list[sp.Expr] = field(default_factory=list)
    outer: sp.Expr | None = None
    inner: list[sp.Expr] = field(default_factory=list)
    outer_partials: list[sp.Expr] = field(default_factory=list)
    inner_partials: list[tuple[sp.Expr, sp.Expr]] = field(default_factory=list)


# ---------------------------------------------------------------- the exact mathematics


def solve_composition(family: ChainFamily, params: dict, rng: np.random.Generator) -> Chain:
    """Each layer's local derivative (none 0), then their product with every u_i put back in terms
    of x; the product must equal sympy.diff of the composed function."""
    names = ["x"] + [f"u{i}" for i in range(1, len(family.layers))] + ["y"]
    symbols = [E.symbol(n) for n in names]
    layers = [given(t, params, {names[i]}) for i, t in enumerate(family.layers)]
    work = Chain(family, [symbols[0]], symbols[0], symbols=symbols, layers=layers)
    back = {}  # each intermediate u_i as a function of x
    for i, layer in enumerate(layers):
        trees, d = steps.differentiate(layer, symbols[i], 1)
        if d == 0:
            raise Degenerate(f"layer {i + 1} is constant")
        work.local.append(d)
        work.trees.append(trees)
        work.composed = back[symbols[i + 1]] = layer.xreplace({symbols[i]: work.composed})
    answer = steps.tidy(sp.Mul(*[d.xreplace(back) for d in work.local]))
    steps.check_against_sympy(work.composed, symbols[0], 1, answer)
    work.answers = [answer]
    return work


def solve_multivariable(family: ChainFamily, params: dict, rng: np.random.Generator) -> Chain:
    """The outer partials, then for each parameter the inner derivatives and the sum over both
    paths (not 0), which must equal sympy.diff of the composed function."""
    x, y = E.symbol("x"), E.symbol("y")
    f = given(family.outer, params, {"x", "y"})
    inner = [given(t, params, family.parameters) for t in family.inner]
    sub = {x: inner[0], y: inner[1]}
    work = Chain(family, [E.symbol(n) for n in family.parameters], f.xreplace(sub), outer=f, inner=inner,
                 outer_partials=[partial(f, v) for v in (x, y)])
    fx, fy = work.outer_partials
    for p in work.inputs:
        dx, dy = (partial(v, p) for v in inner)
        total = steps.tidy(fx.xreplace(sub) * dx + fy.xreplace(sub) * dy)
        if total == 0:
            raise Degenerate("the total derivative is 0")
        steps.check_against_sympy(work.composed, p, 1, total)
        work.inner_partials.append((dx, dy))
        work.answers.append(total)
    return work


# ---------------------------------------------------------------- the independent checks


def check_composition(work: Chain) -> list[verify.Check]:
    """dy/dx against the slope measured from the composed function alone."""
    return [verify.check_derivative(work.composed, work.inputs[0], 1, work.answers[0],
                                    domain=work.family.domain).of("dy/dx")]


def check_multivariable(work: Chain) -> list[verify.Check]:
    """dz/dt against the slope of the composed function; with two parameters, each of dz/ds and
    dz/dt against the partial measured along its own coordinate."""
    ps, domain = work.inputs, work.family.domain
    if len(ps) == 1:
        return [verify.check_derivative(work.composed, ps[0], 1, work.answers[0], domain=domain).of(f"dz/d{ps[0]}")]
    return [verify.check_partial(work.composed, ps, [p], total, domain=domain).of(f"∂z/∂{p}")
            for p, total in zip(ps, work.answers, strict=True)]


# ---------------------------------------------------------------- what the page shows


def _composition_steps(work: Chain) -> list[Step]:
    """Each local derivative with its working one level deeper, then the product along the chain."""
    s, shown = work.symbols, []
    for i, (d, trees) in enumerate(zip(work.local, work.trees, strict=True)):
        local = r"\frac{d%s}{d%s} = %s" % (latex(s[i + 1]), latex(s[i]), latex(d))
        shown.append(Step(f"Local derivative {i + 1}", local,
                          words("Differentiate this layer with respect to its own input only.")))
        shown += explain.worked_steps(trees, depth=1)
    chain_tex = r"\cdot".join(r"\frac{d%s}{d%s}" % (latex(s[i + 1]), latex(s[i])) for i in range(len(work.layers)))
    shown.append(Step("Multiply along the chain", r"\frac{dy}{dx} = %s = %s" % (chain_tex, latex(work.answers[0])),
                      words("Each layer scales a small change by its local derivative; put every ", Math("u_i"),
                            " back in terms of ", Math("x"), " and multiply. This product is exactly what "
                            "backpropagation computes, layer by layer.")))
    return shown


ARROWS = "Write each arrow's local derivative on it as you work, then multiply along the chain."
# where paths meet, their products are added: the caption said "multiply along every path" and no more, under the
# problem that tests the sum (read35a)


def _paths(inputs: list[str]) -> str:
    """The tree's caption, naming the inputs its paths start at (read40: "from a parameter to z" under a graph whose
    one input t is a variable, and "the paths that start at it" left vague). Two paths leave each input, through x
    and through y."""
    if len(inputs) == 1:
        return (f"Write each arrow's local derivative on it as you work; multiply along each path from {inputs[0]} to z, "
                "then add the two products.")
    named = ", ".join(inputs[:-1]) + f" or {inputs[-1]}"
    return (f"Write each arrow's local derivative on it as you work; multiply along each path from {named} to z, then "
            "add the two products of the paths that start at the same input: their sum is z's derivative by it.")


def _subscripts(text: str) -> str:
    """u1, u2 as the prompt and the steps print them, u₁, u₂, in a figure's boxes and its caption."""
    return re.sub(r"(?<![A-Za-ce-z])u(\d+)", lambda m: "u" + subscript(m[1]), text)  # du1 too


def _chain_figure(work: Chain) -> dict:
    """The chain as a graph, each arrow labelled with its local derivative."""
    names = [str(s) for s in work.symbols]
    nodes = [{"id": n, "label": _subscripts(n)} for n in names]
    edges = [{"from": names[i], "to": names[i + 1], "label": latex(d)} for i, d in enumerate(work.local)]
    return {"kind": "graph", "nodes": nodes, "edges": edges, "layout": "chain",
            "alt": _subscripts("The chain " + " → ".join(names) + "; each arrow carries its local derivative: "
                               + "; ".join(f"d{names[i + 1]}/d{names[i]} = {_written(d)}"
                                           for i, d in enumerate(work.local)) + ".")}


_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def _written(local: sp.Expr) -> str:
    """A local derivative as the caption prints it, as the arrow does: 1 − tanh²(u1), not 1 - tanh(u1)**2 (read48 F12)."""
    from workbook.segments import plain_tex

    text = re.sub(r"u_(\d+)", r"u\1", plain_tex(latex(local)))
    text = re.sub(r"\^(\d)(?!\d)", lambda m: m[1].translate(_SUPERSCRIPTS), text)
    return re.sub(r"^-", "\u2212", text).replace(" - ", " \u2212 ").replace("(-", "(\u2212").replace("*", "·")


def present_composition(work: Chain) -> Problem:
    """Find dy/dx one layer at a time."""
    answer = work.answers[0]
    # a comma and a quad between the equations: MathML's thin space after a comma ran them together on the page
    # ("2x+3,u₂ = u₁²": read48 F13)
    defs = r",\quad ".join(f"{latex(work.symbols[i + 1])} = {latex(layer)}" for i, layer in enumerate(work.layers))
    default = "A chain of functions computes {chain}. Find {asked} using the chain rule, one layer at a time."
    check = {"type": "derivative", "function": sp.sstr(written_out(work.composed)), "variable": "x", "order": 1,
             "answer": sp.sstr(written_out(answer))}
    prompt = fill(work.family.prompt or default, {"chain": Math(defs), "asked": Math("dy/dx")})
    # alike, on a sheet, with a derivative of the same form: sin((ax + b)²) worked as layers or as f'(x) is one
    # calculation (user54 F1: chain-layers and chain-three-levels' sin((ax + b)^n) on one starter sheet)
    return Problem(identity=str(work.composed), likeness=f"derivative {shape(work.composed, work.inputs)}", prompt=prompt,
                   answer=[Math(r"\frac{dy}{dx} = %s" % latex(answer))], answer_text=sp.sstr(answer),
                   steps=_composition_steps(work), claims=check, figure=(figure := _chain_figure(work)),
                   worksheet_figure=marking.graph(figure, ARROWS, weights=False))


def _d(work: Chain) -> str:
    """d for one parameter, a partial for two."""
    return "d" if len(work.inputs) == 1 else r"\partial "


def _multivariable_steps(work: Chain) -> list[Step]:
    """The outer partials, then for each parameter the inner derivatives and the sum over both paths."""
    fx, fy = work.outer_partials
    shown = [Step("Outer partials", r"\frac{\partial z}{\partial x} = %s,\quad "
                                    r"\frac{\partial z}{\partial y} = %s" % (latex(fx), latex(fy)),
                  words("Differentiate ", Math("z"), " with respect to each inner variable, holding the other "
                        "constant."))]
    d = _d(work)
    for p, (dx, dy), total in zip(work.inputs, work.inner_partials, work.answers, strict=True):
        t = latex(p)
        shown.append(Step(f"Inner derivatives in {p}", r"\frac{%sx}{%s%s} = %s,\quad \frac{%sy}{%s%s} = %s" % (
            d, d, t, latex(dx), d, d, t, latex(dy))))
        shown.append(Step("Sum over both paths", r"\frac{%sz}{%s%s} = \frac{\partial z}{\partial x}\frac{%sx}{%s%s} + "
                          r"\frac{\partial z}{\partial y}\frac{%sy}{%s%s} = %s" % (
                              d, d, t, d, d, t, d, d, t, latex(total)),
                          words(Math(t), " reaches ", Math("z"), " through ", Math("x"), " and through ", Math("y"),
                                "; the chain rule adds the two contributions (a fan-out in a network is summed the "
                                "same way).")))
    return shown


def _tree_figure(work: Chain) -> dict:
    """The dependency graph parameters -> x, y -> z, each edge labelled with its local derivative."""
    ps, (fx, fy) = [str(p) for p in work.inputs], work.outer_partials
    nodes = [{"id": p, "label": p} for p in ps] + [{"id": n, "label": n} for n in ("x", "y", "z")]
    edges = [{"from": "x", "to": "z", "label": latex(fx)}, {"from": "y", "to": "z", "label": latex(fy)}]
    for p, (dx, dy) in zip(ps, work.inner_partials, strict=True):
        edges += [{"from": p, "to": "x", "label": latex(dx)}, {"from": p, "to": "y", "label": latex(dy)}]
    params_tex = ", ".join(latex(p) for p in work.inputs)
    return {"kind": "graph", "nodes": nodes, "edges": edges, "layout": "layers", "layers": [ps, ["x", "y"], ["z"]],
            "alt": f"Dependency graph: {params_tex} feed{'s' if len(ps) == 1 else ''} x and y, which feed z; each "
                   "edge carries its local partial derivative, and every path from an input to z contributes "
                   "one product."}


def _paths_worked(work: Chain) -> str:
    """Each path's product, one course a path: two versions alike along one path copy half the sum (read56 F15:
    z = x²y + ay with x = t² + b gave its path through x, 4t(t² + b) sin t, to two of four versions alike)."""
    sub = dict(zip((E.symbol("x"), E.symbol("y")), work.inner, strict=True))
    return "\n".join(f"path {p} {v}: {sp.sstr(sp.expand(outer.xreplace(sub) * d))}"
                      for p, ds in zip(work.inputs, work.inner_partials, strict=True)
                      for v, outer, d in zip("xy", work.outer_partials, ds, strict=True))


def present_multivariable(work: Chain) -> Problem:
    """Find dz/dt (or dz/ds and dz/dt), summing over the paths through x and y."""
    ps, d, f, inner = work.inputs, _d(work), work.outer, work.inner
    pairs = list(zip(ps, work.answers, strict=True))
    answer_tex = r",\quad ".join(r"\frac{%sz}{%s%s} = %s" % (d, d, latex(p), latex(total)) for p, total in pairs)
    asked = (r"\ \text{and}\ ".join(r"\partial z/\partial %s" % latex(p) for p in ps) if len(ps) > 1
             else f"dz/d{latex(ps[0])}")
    default = "Let {z} where {inner}. Find {asked} with the multivariable chain rule."
    prompt = fill(work.family.prompt or default, {"z": Math(f"z = {latex(f)}"),
                                                  "inner": Math(f"x = {latex(inner[0])},\\ y = {latex(inner[1])}"),
                                                  "asked": Math(asked)})
    check = {"type": "chain_multivariable", "outer": sp.sstr(f), "inner": [sp.sstr(v) for v in inner],
             "parameters": [str(p) for p in ps], "answers": [sp.sstr(a) for a in work.answers]}
    return Problem(identity=f"{f} {inner}", prompt=prompt, answer=[Math(answer_tex)], course=_paths_worked(work),
                   answer_text="; ".join(f"dz/d{p} = {sp.sstr(total)}" for p, total in pairs),
                   steps=_multivariable_steps(work), claims=check, figure=(figure := _tree_figure(work)),
                   worksheet_figure=marking.graph(figure, _paths([str(p) for p in ps]), weights=False))


KIND = Kind("chain", ChainFamily, {
    "composition": Ask(solve_composition, check_composition, present_composition),
    "multivariable": Ask(solve_multivariable, check_multivariable, present_multivariable),
})
