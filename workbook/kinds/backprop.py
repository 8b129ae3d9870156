"""Kind `backprop`: reverse-mode differentiation by hand on a small computational graph.

Forward values and gradients are computed at 30 digits, one node at a time, exactly as the
solution shows them (upstream × local, summed over a value's uses). The check is a separate
NumPy reverse pass plus finite differences of the forward pass for every leaf.
"""

from __future__ import annotations

import re

from typing import Literal

import math

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook.family import Family, NAME
from workbook.kinds._transition import legacy  # TRANSITION
from workbook import expr as E
from workbook.generate import Degenerate, fill
from workbook.kinds.common import decimal_latex
from workbook.verify import VerifyError

PREC = 30
SYMBOL = {"add": "+", "mul": r"\times", "max": r"\max", "exp": r"\exp", "log": r"\ln", "square": r"(\cdot)^{2}",
          "sigmoid": r"\sigma", "tanh": r"\tanh", "relu": r"\operatorname{ReLU}"}


GRAPH_OPS = {"add": 2, "mul": 2, "max": 2, "exp": 1, "log": 1, "square": 1, "sigmoid": 1, "tanh": 1, "relu": 1}


class BackpropFamily(Family):
    """Backpropagation on a small computational graph: forward values, then every node's gradient as
    upstream times local, summed where a value fans out."""

    kind: Literal["backprop"] = Field(description="`backprop` for this kind.")
    leaves: dict[str, str] = Field(description="The inputs and parameters: name = value (an expression over the "
                                               "params).")
    graphs: list[list[list[str | list[str]]]] = Field(
        min_length=1, max_length=6,
        description="Alternative graphs; each a list of nodes [name, op, argument, ...] in order, the last node "
                    "being the output. op is one of add, mul, max, exp, log, square, sigmoid, tanh, relu, or a "
                    "list of them to draw from.")

    @model_validator(mode="after")
    def _graphs(self):
        for g, graph in enumerate(self.graphs):
            known = set(self.leaves)
            for k, node in enumerate(graph):
                where = f"graphs[{g}][{k}]"
                if len(node) < 3 or not isinstance(node[0], str):
                    raise ValueError(f"{where}: a node is [name, op, argument, ...]")
                name, ops, args = node[0], node[1], node[2:]
                for op in ([ops] if isinstance(ops, str) else ops):
                    if op not in GRAPH_OPS:
                        raise ValueError(f"{where}: unknown op {op!r}; the ops are {', '.join(GRAPH_OPS)}")
                    if GRAPH_OPS[op] != len(args):
                        raise ValueError(f"{where}: {op} takes {GRAPH_OPS[op]} argument(s)")
                for a in args:
                    if not isinstance(a, str) or a not in known:
                        raise ValueError(f"{where}: {a!r} is not a leaf or an earlier node")
                if not re.fullmatch(NAME, name) or name in known:
                    raise ValueError(f"{where}: {name!r} is not a new name")
                known.add(name)
        return self

    def formulas(self):
        return [(f"leaves.{k}", v, set(self.params), set()) for k, v in self.leaves.items()]



def forward(op: str, args: list):
    """A node's value from its arguments (30-digit SymPy floats)."""
    a = args[0]
    if op == "add":
        return args[0] + args[1]
    if op == "mul":
        return args[0] * args[1]
    if op == "max":
        return args[0] if args[0] >= args[1] else args[1]
    if op == "exp":
        return sp.exp(a).evalf(PREC)
    if op == "log":
        if a <= 0:
            raise Degenerate("log of a non-positive value")
        return sp.log(a).evalf(PREC)
    if op == "square":
        return a * a
    if op == "sigmoid":
        return (1 / (1 + sp.exp(-a))).evalf(PREC)
    if op == "tanh":
        return sp.tanh(a).evalf(PREC)
    return a if a > 0 else sp.Float(0, PREC)


def local(op: str, args: list, out) -> list:
    """d(node)/d(argument) for each argument; ReLU' is 0 at 0, max picks the first on a tie."""
    a = args[0]
    return {
        "add": lambda: [1, 1],
        "mul": lambda: [args[1], args[0]],
        "max": lambda: [1, 0] if args[0] >= args[1] else [0, 1],
        "exp": lambda: [out],
        "log": lambda: [1 / a],
        "square": lambda: [2 * a],
        "sigmoid": lambda: [out * (1 - out)],
        "tanh": lambda: [1 - out**2],
        "relu": lambda: [1 if a > 0 else 0],
    }[op]()


LOCAL_TEX = {"add": "1", "mul": r"\text{the other factor}", "max": r"1 \text{ for the larger, else } 0",
             "exp": r"e^{%s}", "log": r"1/%s", "square": "2%s", "sigmoid": r"\sigma(%s)\,(1 - \sigma(%s))",
             "tanh": r"1 - \tanh^{2}(%s)", "relu": r"1 \text{ if } %s > 0 \text{ else } 0"}


def local_tex(op: str, args: list[str]) -> str:
    """The local derivative in terms of the node's own input, e.g. 1 - tanh^2(v) for a = tanh(v)."""
    text = LOCAL_TEX[op]
    return text % ((args[0],) * text.count("%s"))


def factor_latex(value) -> str:
    """A number as a factor of a product: a negative one in brackets, 2 × (−1.5) and not 2 × −1.5."""
    text = decimal_latex(value)
    return f"({text})" if text.startswith("-") else text


def numpy_reverse(graph: list, leaves: dict[str, float]) -> dict[str, float]:
    """The check's own reverse pass in float64 (written separately from the one above)."""
    val = dict(leaves)
    for name, op, *args in graph:
        x = [val[a] for a in args]
        val[name] = {"add": lambda: x[0] + x[1], "mul": lambda: x[0] * x[1], "max": lambda: max(x[0], x[1]),
                     "exp": lambda: math.exp(x[0]), "log": lambda: math.log(x[0]), "square": lambda: x[0] ** 2,
                     "sigmoid": lambda: 1 / (1 + math.exp(-x[0])), "tanh": lambda: math.tanh(x[0]),
                     "relu": lambda: max(x[0], 0.0)}[op]()
    grad = {k: 0.0 for k in val}
    grad[graph[-1][0]] = 1.0
    for name, op, *args in reversed(graph):
        x, g, y = [val[a] for a in args], grad[name], val[name]
        parts = {"add": lambda: [1.0, 1.0], "mul": lambda: [x[1], x[0]],
                 "max": lambda: [1.0, 0.0] if x[0] >= x[1] else [0.0, 1.0],
                 "exp": lambda: [y], "log": lambda: [1 / x[0]], "square": lambda: [2 * x[0]],
                 "sigmoid": lambda: [y * (1 - y)], "tanh": lambda: [1 - y * y],
                 "relu": lambda: [1.0 if x[0] > 0 else 0.0]}[op]()
        for a, p in zip(args, parts):
            grad[a] += g * p
    return grad


def forward_only(graph: list, leaves: dict[str, float]) -> float:
    return _forward_np(graph, leaves)[graph[-1][0]]


def _forward_np(graph, leaves):
    val = dict(leaves)
    fns = {"add": lambda x: x[0] + x[1], "mul": lambda x: x[0] * x[1], "max": lambda x: max(x[0], x[1]),
           "exp": lambda x: math.exp(x[0]), "log": lambda x: math.log(x[0]), "square": lambda x: x[0] ** 2,
           "sigmoid": lambda x: 1 / (1 + math.exp(-x[0])), "tanh": lambda x: math.tanh(x[0]),
           "relu": lambda x: max(x[0], 0.0)}
    for name, op, *args in graph:
        val[name] = fns[op]([val[a] for a in args])
    return val


def generate(family: BackpropFamily, params: dict, rng: np.random.Generator) -> dict:
    values = {E.symbol(k): v for k, v in params.items()}
    template = family.graphs[int(rng.integers(len(family.graphs)))]
    graph = []
    for name, ops, *args in template:
        op = ops if isinstance(ops, str) else ops[int(rng.integers(len(ops)))]
        graph.append([name, op, *args])
    used = {a for _, _, *args in graph for a in args}
    leaves = {k: E.parse(v, variables=set(params)).xreplace(values) for k, v in family.leaves.items() if k in used}
    val = {k: sp.Float(v, PREC) for k, v in leaves.items()}
    for name, op, *args in graph:
        val[name] = sp.Float(forward(op, [val[a] for a in args]), PREC)
        if abs(val[name]) > 1e4:
            raise Degenerate("a value blew up")
    for name, op, *args in graph:
        if op in ("sigmoid", "tanh") and abs(val[args[0]]) > 4:
            raise Degenerate("a saturated activation")
        if op == "relu" and val[args[0]] == 0:
            raise Degenerate("ReLU exactly at its corner")
        if op == "max" and val[args[0]] == val[args[1]]:
            raise Degenerate("max with a tie")
    out = graph[-1][0]
    grad = {k: sp.Float(0, PREC) for k in val}
    grad[out] = sp.Float(1, PREC)
    rows = []
    uses = {k: [] for k in val}
    for name, op, *args in graph:
        for a in args:
            uses[a].append(name)
    for name, op, *args in reversed(graph):
        parts = local(op, [val[a] for a in args], val[name])
        for a, p in zip(args, parts):
            grad[a] += grad[name] * p
        rows.append([name, SYMBOL[op], decimal_latex(val[name]), decimal_latex(grad[name])])
    fanout = [k for k, u in uses.items() if len(u) > 1]
    leaf_grads = {k: float(grad[k]) for k in leaves}
    if all(abs(g) < 1e-12 for g in leaf_grads.values()):
        raise Degenerate("every gradient is zero")

    floats = {k: float(v) for k, v in leaves.items()}
    reference = numpy_reverse(graph, floats)
    measured = {}
    for k in leaves:
        h = 1e-6 * max(1.0, abs(floats[k]))
        up, down = dict(floats), dict(floats)
        up[k] += h
        down[k] -= h
        measured[k] = (forward_only(graph, up) - forward_only(graph, down)) / (2 * h)
    for k in leaves:
        if not math.isclose(leaf_grads[k], reference[k], rel_tol=1e-9, abs_tol=1e-12):
            raise VerifyError(f"d{out}/d{k}: the worked pass gives {leaf_grads[k]}, the NumPy pass {reference[k]}")
        if not math.isclose(leaf_grads[k], measured[k], rel_tol=1e-5, abs_tol=1e-6):
            raise VerifyError(f"d{out}/d{k}: {leaf_grads[k]} but finite differences measure {measured[k]}")

    shown = [{"depth": 0, "rule": "Forward pass", "math": "",
              "say": [{"text": "Compute every node from its inputs, left to right: "},
                      {"math": r",\ ".join(f"{n} = {decimal_latex(val[n])}" for n, *_ in graph)}, {"text": "."}]},
             {"depth": 0, "rule": "Backward pass", "math": r"\frac{\partial %s}{\partial a} = \sum_{\text{uses}}"
                                                           r"\text{upstream} \times \text{local}" % out,
              "say": [{"text": "Start with "}, {"math": r"\partial %s/\partial %s = 1" % (out, out)},
                      {"text": " and walk back. Each node passes its gradient times its local derivative to each "
                               "input; a value used twice adds up both contributions."}]}]
    for name, op, *args in reversed(graph):
        parts = local(op, [val[a] for a in args], val[name])
        say = [{"text": "Local derivative: "}, {"math": local_tex(op, args)}, {"text": ". It passes "}]
        for i, (a, p) in enumerate(zip(args, parts)):
            if i:
                say.append({"text": " and "})
            say += [{"math": r"%s \times %s = %s" % (decimal_latex(grad[name]), factor_latex(p),
                                                     decimal_latex(grad[name] * p))},
                    {"text": " to "}, {"math": r"\partial %s/\partial %s" % (out, a)}]
        say.append({"text": "."})
        shown.append({"depth": 1, "rule": f"Node {name} = {op}({', '.join(args)})", "math": "", "say": say})
    if fanout:
        shown.append({"depth": 0, "rule": "Fan-out", "math": "",
                      "say": [{"text": "Used more than once: "}, {"math": ", ".join(fanout)},
                              {"text": ". Their gradients are the sums of the contributions from every use — "
                                       "forgetting one is the classic backprop bug."}]})
    shown.append({"depth": 0, "rule": "Every node", "math": "",
                  "say": [{"table": {"head": [r"\text{node}", r"\text{op}", r"\text{value}",
                                              r"\partial %s/\partial\,\text{node}" % out],
                                     "rows": list(reversed(rows)) + [[k, r"\text{leaf}", decimal_latex(val[k]),
                                                                      decimal_latex(grad[k])] for k in leaves]}}]})
    ops = {n: op for n, op, *_ in graph}
    nodes_fwd = [{"id": k, "label": k, "value": decimal_latex(val[k]), "grad": "∂ = ?",
                  **({"op": ops[k]} if k in ops else {})} for k in list(leaves) + [n for n, *_ in graph]]
    nodes_full = [{**n, "grad": f"∂ = {decimal_latex(grad[n['id']])}"} for n in nodes_fwd]
    layers = _layers(graph, list(leaves))
    edges = [{"from": a, "to": name, "label": ""} for name, op, *args in graph for a in args]
    alt = ("Computational graph: " + "; ".join(f"{n} = {op}({', '.join(a)})" for n, op, *a in graph)
           + ". Each box shows its forward value")
    figure = {"kind": "graph", "nodes": nodes_full, "edges": edges, "layers": layers,
              "alt": alt + " and the gradient of the output with respect to it."}
    sheet_figure = {"kind": "graph", "nodes": nodes_fwd, "edges": edges, "layers": layers,
                    "alt": alt + " and an empty box for its gradient."}
    leaf_tex = ", ".join(f"{k} = {decimal_latex(v)}" for k, v in leaves.items())
    graph_tex = r",\ ".join(f"{n} = {_op_tex(op, args)}" for n, op, *args in graph)
    default = ("The graph computes {graph} with {leaves}. Run the forward pass, then backpropagate to find the "
               "gradient of {out} with respect to every leaf.")
    check = {"type": "backprop", "graph": graph, "leaves": {k: sp.sstr(v) for k, v in leaves.items()},
             "output": out, "gradients": {k: f"{g:.12g}" for k, g in leaf_grads.items()},
             "conventions": {"relu_at_0": 0, "max_tie": "first"}}
    return {"key": f"{graph} {leaves}", "steps": shown, "figure": figure, "worksheet_figure": sheet_figure,
            "check": check,
            "prompt": fill(family.prompt or default, {"graph": {"math": graph_tex}, "leaves": {"math": leaf_tex},
                                                      "out": {"math": out}}),
            "answer": [{"math": r",\ ".join(r"\frac{\partial %s}{\partial %s} = %s" % (out, k, decimal_latex(g))
                                             for k, g in leaf_grads.items())}],
            "answer_text": ", ".join(f"d{out}/d{k} = {g:.4f}" for k, g in leaf_grads.items()),
            "verified": {"method": "numpy reverse pass + finite differences", "points": len(leaves),
                         "max_error": max(abs(leaf_grads[k] - measured[k]) for k in leaves)}}


def _op_tex(op: str, args: list[str]) -> str:
    if op == "add":
        return f"{args[0]} + {args[1]}"
    if op == "mul":
        return f"{args[0]}\\,{args[1]}"
    if op == "max":
        return rf"\max({args[0]}, {args[1]})"
    if op == "square":
        return f"{args[0]}^{{2}}"
    return rf"{SYMBOL[op]}({args[0]})"


def _layers(graph, leaves) -> list[list[str]]:
    depth = {k: 0 for k in leaves}
    for name, op, *args in graph:
        depth[name] = 1 + max(depth[a] for a in args)
    out = [[] for _ in range(max(depth.values()) + 1)]
    for k, d in depth.items():
        out[d].append(k)
    return out


KIND = legacy('backprop', BackpropFamily, generate)  # TRANSITION
