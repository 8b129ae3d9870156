"""Kind `backprop`: reverse-mode differentiation by hand on a small computational graph.

Forward values and gradients are computed at 30 digits, one node at a time, exactly as the
solution shows them (upstream × local, summed over a value's uses). Checks (verify.py): the
leaves' gradients against a separate float64 reverse pass, and against central differences of a
float64 forward pass, which follows every path, so a gradient not summed at a fan-out fails.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook import expr as E
from workbook import verify
from workbook.errors import excerpt
from workbook.family import NAME, NAME_RULE, Family
from workbook.kind import Ask, Kind
from workbook.kinds.common import given, pick
from workbook.numbers import adding_up, decimal_latex, factor_latex, multiplying, stated
from workbook.problem import Degenerate, Math, Problem, Step, Table, Text, fill, words

PREC = 30


def _log(x: list):
    if x[0] <= 0:
        raise Degenerate("log of a non-positive value")
    return sp.log(x[0]).evalf(PREC)


MAX_NODES = 40  # nodes in one graph: the capstone networks have under 20


@dataclass(frozen=True)
class Op:
    """One operation a graph's node may apply: everything the kind knows about it, in one place (the
    independent NumPy oracle in verify.py keeps its own, on purpose)."""

    arity: int
    symbol: str  # in the table of values, e.g. \times
    written: Callable[[list[str]], str]  # the node as math, e.g. a\,b for mul
    local_words: str  # its local derivative in terms of its own input %s, for the steps
    value: Callable[[list], Any]  # from its arguments' values (30-digit SymPy floats)
    local: Callable[[list, Any], list]  # d(node)/d(argument) for each argument, given the node's value


def _call(symbol: str) -> Callable[[list[str]], str]:
    return lambda a: rf"{symbol}({a[0]})"


OPS: dict[str, Op] = {
    "add": Op(2, "+", lambda a: f"{a[0]} + {a[1]}", "1", lambda x: x[0] + x[1], lambda x, y: [1, 1]),
    "mul": Op(2, r"\times", lambda a: f"{a[0]}\\,{a[1]}", r"\text{the other factor}", lambda x: x[0] * x[1],
              lambda x, y: [x[1], x[0]]),
    "max": Op(2, r"\max", lambda a: rf"\max({a[0]}, {a[1]})", r"1 \text{ for the larger, else } 0",
              lambda x: max(x[0], x[1]), lambda x, y: [1, 0] if x[0] >= x[1] else [0, 1]),  # a tie picks the first
    "exp": Op(1, r"\exp", _call(r"\exp"), r"e^{%s}", lambda x: sp.exp(x[0]).evalf(PREC), lambda x, y: [y]),
    "log": Op(1, r"\ln", _call(r"\ln"), r"1/%s", _log, lambda x, y: [1 / x[0]]),
    "square": Op(1, r"(\cdot)^{2}", lambda a: f"{a[0]}^{{2}}", "2%s", lambda x: x[0] * x[0],
                 lambda x, y: [2 * x[0]]),
    "sigmoid": Op(1, r"\sigma", _call(r"\sigma"), r"\sigma(%s)\,(1 - \sigma(%s))",
                  lambda x: (1 / (1 + sp.exp(-x[0]))).evalf(PREC), lambda x, y: [y * (1 - y)]),
    "tanh": Op(1, r"\tanh", _call(r"\tanh"), r"1 - \tanh^{2}(%s)", lambda x: sp.tanh(x[0]).evalf(PREC),
               lambda x, y: [1 - y**2]),
    "relu": Op(1, r"\operatorname{ReLU}", _call(r"\operatorname{ReLU}"), r"1 \text{ if } %s > 0 \text{ else } 0",
               lambda x: x[0] if x[0] > 0 else sp.Float(0, PREC), lambda x, y: [1 if x[0] > 0 else 0]),  # ReLU'(0) = 0
}
GRAPH_OPS = {name: op.arity for name, op in OPS.items()}


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
            if not graph:
                raise ValueError(f"graphs[{g}]: a graph has at least one node")
            if len(graph) > MAX_NODES:
                raise ValueError(f"graphs[{g}]: {len(graph)} nodes; a graph a learner works by hand has at most "
                                 f"{MAX_NODES}")
            known = set(self.leaves)
            for k, node in enumerate(graph):
                where = f"graphs[{g}][{k}]"
                if len(node) < 3 or not isinstance(node[0], str):
                    raise ValueError(f"{where}: a node is [name, op, argument, ...]")
                name, ops, args = node[0], node[1], node[2:]
                if not ops:
                    raise ValueError(f"{where}: name the op, or a list of at least one to draw from")
                for op in ([ops] if isinstance(ops, str) else ops):
                    if op not in GRAPH_OPS:
                        raise ValueError(f"{where}: unknown op {excerpt(op)}; the ops are {', '.join(GRAPH_OPS)}")
                    if GRAPH_OPS[op] != len(args):
                        raise ValueError(f"{where}: {op} takes {GRAPH_OPS[op]} argument(s)")
                for a in args:
                    if not isinstance(a, str) or a not in known:
                        raise ValueError(f"{where}: {excerpt(a)} is not a leaf or an earlier node")
                if not isinstance(name, str) or not re.fullmatch(NAME, name):
                    raise ValueError(f"{where}: {excerpt(name)} is not a name: {NAME_RULE}")
                if trouble := E.print_problem(name):  # xhat would print as x̂ (attack23)
                    raise ValueError(f"{where}: {trouble}")
                if name in known:
                    raise ValueError(f"{where}: {excerpt(name)} is not a new name: a leaf or an earlier node has it")
                known.add(name)
        return self

    def formulas(self):
        return [(f"leaves.{k}", v, set(self.params), set()) for k, v in self.leaves.items()]

    def declared_names(self):
        return [("leaves", list(self.leaves))]


@dataclass
class Backprop:
    """One solved draw: the graph with its ops drawn (nodes [name, op, argument, ...], the last the
    output), the leaves it uses (exact), and every value and every gradient of the output (30 digits)."""

    family: BackpropFamily
    graph: list
    leaves: dict
    val: dict
    grad: dict

    @property
    def out(self) -> str:
        return self.graph[-1][0]

    @property
    def leaf_grads(self) -> dict[str, float]:
        return {k: float(self.grad[k]) for k in self.leaves}


# ---------------------------------------------------------------- the exact mathematics


def forward(op: str, args: list):
    """A node's value from its arguments (30-digit SymPy floats)."""
    return OPS[op].value(args)


def local(op: str, args: list, out) -> list:
    """d(node)/d(argument) for each argument; ReLU' is 0 at 0, max picks the first on a tie."""
    return OPS[op].local(args, out)


def _draw_graph(family: BackpropFamily, rng: np.random.Generator) -> list:
    """One of the family's graphs, each node's op drawn where it lists several."""
    template = pick(rng, family.graphs)
    graph = []
    for name, ops, *args in template:
        op = ops if isinstance(ops, str) else pick(rng, ops)
        graph.append([name, op, *args])
    return graph


def _forward_pass(graph: list, leaves: dict) -> dict:
    """Every value at 30 digits; Degenerate for a value that blows up, a saturated activation, a corner or a tie."""
    val = {k: sp.Float(v, PREC) for k, v in leaves.items()}
    for name, op, *args in graph:
        val[name] = sp.Float(forward(op, [val[a] for a in args]), PREC)
        if abs(val[name]) > 1e4:
            raise Degenerate("a value blew up")
    for _name, op, *args in graph:
        if op in ("sigmoid", "tanh") and abs(val[args[0]]) > 4:
            raise Degenerate("a saturated activation")
        if op == "relu" and val[args[0]] == 0:
            raise Degenerate("ReLU exactly at its corner")
        if op == "max" and val[args[0]] == val[args[1]]:
            raise Degenerate("max with a tie")
    return val


def _backward_pass(graph: list, val: dict) -> dict:
    """The output's gradient with respect to every value: upstream × local, summed over the uses."""
    grad = {k: sp.Float(0, PREC) for k in val}
    grad[graph[-1][0]] = sp.Float(1, PREC)
    for name, op, *args in reversed(graph):
        for a, p in zip(args, local(op, [val[a] for a in args], val[name]), strict=True):
            grad[a] += grad[name] * p
    return grad


def solve(family: BackpropFamily, params: dict, rng: np.random.Generator) -> Backprop:
    """Draw the graph, read the leaves it uses, run the forward and the backward pass."""
    graph = _draw_graph(family, rng)
    used = {a for _, _, *args in graph for a in args}
    leaves = {k: given(v, params) for k, v in family.leaves.items() if k in used}
    val = _forward_pass(graph, leaves)
    work = Backprop(family, graph, leaves, val, _backward_pass(graph, val))
    if all(abs(g) < 1e-12 for g in work.leaf_grads.values()):
        raise Degenerate("every gradient is zero")
    # one magnitude for every answer (f and its three gradients all ±0.1839): a slip in the fan-out, or two answers
    # swapped, still matched the key (read35a)
    sizes = {decimal_latex(abs(g)) for g in work.leaf_grads.values()}
    if len(work.leaf_grads) > 1 and len(sizes) == 1:
        raise Degenerate("every gradient has one size")
    # a leaf whose gradient is 0 (y = -x made r = x^2 + x y = 0, so f = r q = 0 and z's whole branch gave nothing), or
    # two leaves with one gradient (x's and y's both 0.5518): a branch left out, or x and y swapped, matched the key
    # (read56 F1)
    # (in a graph with a max, the leaf it routes past has gradient 0: that is the lesson, not a slip)
    routed = any(op in ("max", "min") for _, op, *_ in graph)
    printed = [decimal_latex(g) for g in work.leaf_grads.values() if abs(g) >= 1e-12]
    if (not routed and len(printed) < len(work.leaf_grads)) or len(set(printed)) < len(printed):
        raise Degenerate("a leaf's gradient is 0, or two leaves share one: a slip in a branch goes unseen")
    # a value used twice adds two contributions, the point of a fan-out: one that is 0 (z = 0 multiplying a
    # branch, a max routing past it) printed "0 + 2", and the sum was never practised (read22)
    # a product whose factors are equal, or one of them 1, hides the rule it teaches: with w = 1, f = a·w is a and
    # "0.1807 × 1" is 0.1807, and with x = y a student who takes the wrong factor of v = x·y gets the printed
    # numbers (read41)
    for name, op, *args in graph:
        if op == "mul" and len(args) == 2 and args[0] != args[1]:
            factors = [val[a] for a in args]
            if any(abs(v - 1) < 1e-12 for v in factors) or abs(factors[0] - factors[1]) < 1e-12:
                raise Degenerate(f"a product {name} of equal factors, or of a factor 1: a slip in it goes unseen")
    uses = Counter(a for _, _, *args in graph for a in args)
    for name, op, *args in graph:
        for a, p in zip(args, local(op, [val[a] for a in args], val[name]), strict=True):
            if uses[a] > 1 and abs(work.grad[name] * p) < 1e-12:
                raise Degenerate(f"a contribution to {a}, which fans out, is 0")
    return work


# ---------------------------------------------------------------- the independent checks


def check(work: Backprop) -> list[verify.Check]:
    """The leaves' gradients against a float64 reverse pass and central differences of the forward pass."""
    return verify.check_graph_gradients(work.graph, {k: float(v) for k, v in work.leaves.items()}, work.leaf_grads)


# ---------------------------------------------------------------- what the page shows


def local_tex(op: str, args: list[str]) -> str:
    """The local derivative in terms of the node's own input, e.g. 1 - tanh^2(v) for a = tanh(v)."""
    text = OPS[op].local_words
    return text % ((args[0],) * text.count("%s"))


def _in_words(tex: str) -> list:
    """A local derivative as the sentence sets it: its \\text{} parts as the sentence's own words (in math they
    printed in the math font, smaller than the words around them), the rest as math."""
    parts = re.split(r"\\text\{([^{}]*)\}", tex)
    return [piece for k, part in enumerate(parts) if part.strip()
            for piece in ([Text(part)] if k % 2 else [Math(part.strip())])]


def _op_tex(op: str, args: list[str]) -> str:
    return OPS[op].written(args)


def _layers(graph, leaves) -> list[list[str]]:
    depth = {k: 0 for k in leaves}
    for name, _op, *args in graph:
        depth[name] = 1 + max(depth[a] for a in args)
    out = [[] for _ in range(max(depth.values()) + 1)]
    for k, d in depth.items():
        out[d].append(k)
    return out


def _node_step(work: Backprop, name: str, op: str, args: list[str]) -> Step:
    """One node of the backward pass: its local derivative and what it passes to each input."""
    val, grad, out = work.val, work.grad, work.out
    slopes = local(op, [val[a] for a in args], val[name])
    tex = local_tex(op, args)
    if OPS[op].arity == 1 and r"\text" not in tex:  # with its value here: "2a. It passes 1 × 1" said neither (read24)
        factor = factor_latex(slopes[0]).strip("()")
        tex += (" = " if abs(float(slopes[0]) - float(factor)) < 1e-12 else r" \approx ") + factor
    say = words("Local derivative: ", *_in_words(tex), ". It passes ")
    for i, (a, p) in enumerate(zip(args, slopes, strict=True)):
        if i:
            say.append(Text(" and "))
        # "=" where the printed factors give the printed product (−0.0866 × 1.5 is −0.1299, not the −0.1298 the
        # unrounded factor gives): else "≈", the factors to as many places as give the product printed (numbers.multiplying)
        # a value used twice: each part to the places its sum is worked to (_fan_sum), so the parts the sum adds are
        # the ones printed here (it added 0.63093 and 0.42062 under node lines giving 0.6309 and 0.4206: read36)
        upstream, factor, sign, product = multiplying(grad[name], p, _fan_places(work, a))
        say += words(Math(r"%s \times %s %s %s" % (upstream, factor, sign, product)),
                     " to ", Math(r"\partial %s/\partial %s" % (out, a)))
    say.append(Text("."))
    return Step(f"Node {name} = {op}({', '.join(args)})", "", say, depth=1)


def _fan_places(work: Backprop, k: str) -> int:
    """The places a value's contributions are printed to: 4, or for one used more than once, as its sum needs."""
    if sum(1 for _, _, *args in work.graph for a in args if a == k) < 2:
        return 4
    return max(len(x.partition(".")[2]) for x in _fan_parts(work, k)[0]) or 4


def _fan_parts(work: Backprop, k: str) -> tuple[list[str], str]:
    parts = [work.grad[name] * p for name, op, *args in work.graph
             for a, p in zip(args, local(op, [work.val[a] for a in args], work.val[name]), strict=True) if a == k]
    return adding_up(parts, work.grad[k])


def _fan_sum(work: Backprop, k: str) -> str:
    """The sum for a value used more than once, each contribution as its node's step printed it, where the
    printed parts add up to the total as printed. Where they do not (0.0953 + (−0.0647) is 0.0306, the exact
    sum 0.0307), the parts are written to the fewest more places that add up to it, the sum of those rounded
    to the total: −0.06472 + 0.09538 = 0.03066 ≈ 0.0307, each step a student can check."""
    printed, rest = _fan_parts(work, k)
    terms = " + ".join(f"({x})" if i and x.startswith("-") else x for i, x in enumerate(printed))
    return r"\frac{\partial %s}{\partial %s} = %s %s" % (work.out, k, terms, rest)


def _steps(work: Backprop) -> list[Step]:
    graph, val, out = work.graph, work.val, work.out
    uses = Counter(a for _, _, *args in graph for a in args)
    fanout = [k for k in val if uses[k] > 1]
    shown = [Step("Forward pass", "", words("Compute every node from its inputs, left to right: ",
                                            Math(r",\ ".join(f"{n} {stated(val[n])}" for n, *_ in graph)),
                                            ".")),
             Step("Backward pass", r"\frac{\partial %s}{\partial\,\text{value}} = \sum_{\text{uses}}"
                                   r"\text{upstream} \times \text{local}" % out,
                  words("Start with ", Math(r"\partial %s/\partial %s = 1" % (out, out)),
                        " and walk back. Each node passes its gradient times its local derivative to each "
                        "input; a value used twice adds up both contributions. Numbers show 4 places, more where "
                        "fewer would not give the result printed."))]
    shown += [_node_step(work, name, op, args) for name, op, *args in reversed(graph)]
    if fanout:
        whose = "Its gradient is the sum" if len(fanout) == 1 else "Their gradients are the sums"
        shown.append(Step("Fan-out", r",\quad ".join(_fan_sum(work, k) for k in fanout),
                          words("Used more than once: ", Math(", ".join(fanout)), f". {whose} of the contributions "
                                "from every use — forgetting one is the classic backprop bug.")))
    return shown + [Step("Every node", "", [_every_node(work)])]


def _every_node(work: Backprop, blank: bool = False) -> Table:
    """Each node's operation, value and gradient: the solution's last table, and (blank) the table the
    worksheet asks to fill in, a leaf's value given. Its cells are the room to write in: the graph's own boxes
    left 1.5 × 0.4 cm under a node's name for "−0.6351" (read22, read24). The same head, so that Moodle and
    Canvas grade its cells one at a time."""
    val, grad = work.val, work.grad
    rows = [[name, OPS[op].symbol, decimal_latex(val[name]), decimal_latex(grad[name])] for name, op, *_ in work.graph]
    rows += [[k, r"\text{leaf}", decimal_latex(val[k]), decimal_latex(grad[k])] for k in work.leaves]
    head = [r"\text{node}", r"\text{op}", r"\text{value}", r"\partial %s/\partial\,\text{node}" % work.out]
    if blank:
        rows = [[name, op, value if op == r"\text{leaf}" else "", ""] for name, op, value, _ in rows]
        return Table(head, rows, blank=True, holds=2)
    names = [name for name, *_ in work.graph] + list(work.leaves)
    return Table(head, rows, exact=[["", "", repr(float(val[k])), repr(float(grad[k]))] for k in names])


def _figures(work: Backprop) -> tuple[dict, dict]:
    """The graph with values and gradients (solutions), and (worksheet) with the leaves' values the prompt
    gives and an empty box for every value and gradient the student works out."""
    graph, leaves = work.graph, list(work.leaves)
    ops = {n: op for n, op, *_ in graph}
    nodes_fwd = [{"id": k, "label": k, **({"value": decimal_latex(work.val[k])} if k in work.leaves else {}),
                  **({"op": ops[k]} if k in ops else {})} for k in leaves + [n for n, *_ in graph]]
    nodes_full = [{**n, "value": decimal_latex(work.val[n["id"]]), "grad": f"∂ = {decimal_latex(work.grad[n['id']])}"}
                  for n in nodes_fwd]
    layers = _layers(graph, leaves)
    edges = [{"from": a, "to": name, "label": ""} for name, _op, *args in graph for a in args]
    nodes = "; ".join(f"{n} = {_plain(op, a)}" for n, op, *a in graph)
    alt = f"Computational graph: {nodes}. Each box shows its forward value"
    return ({"kind": "graph", "nodes": nodes_full, "edges": edges, "layers": layers,
             "alt": alt + " and the gradient of the output with respect to it."},
            {"kind": "graph", "nodes": nodes_fwd, "edges": edges, "layers": layers,
             "alt": f"Computational graph: {nodes}. Fill in each node's forward value and its gradient in the table "
                    "as you work."})


PLAIN = {"add": "{0} + {1}", "mul": "{0}·{1}", "max": "max({0}, {1})", "exp": "exp({0})", "log": "ln({0})",
         "square": "{0}²", "sigmoid": "σ({0})", "tanh": "tanh({0})", "relu": "ReLU({0})"}


def _plain(op: str, args: list[str]) -> str:
    """A node as a caption writes it, as the prompt does (σ(v), a², ReLU(v)), not by the file's op names
    (sigmoid(v), square(a), relu(v): read24)."""
    return PLAIN[op].format(*args)


def present(work: Backprop) -> Problem:
    """The forward pass, the backward pass node by node, and the graph drawn (empty gradient boxes on the sheet)."""
    graph, leaves, out, leaf_grads = work.graph, work.leaves, work.out, work.leaf_grads
    leaf_tex = r",\; ".join(f"{k} = {decimal_latex(v)}" for k, v in leaves.items())  # (see chain's defs)
    graph_tex = r",\ ".join(f"{n} = {_op_tex(op, args)}" for n, op, *args in graph)
    default = ("The graph computes {graph} with {leaves}. Run the forward pass, then backpropagate to find the "
               "gradient of {out} with respect to every leaf.")
    check = {"type": "backprop", "graph": graph, "leaves": {k: sp.sstr(v) for k, v in leaves.items()},
             "output": out, "gradients": {k: f"{g:.12g}" for k, g in leaf_grads.items()},
             "conventions": {"relu_at_0": 0, "max_tie": "first"}}
    figure, sheet_figure = _figures(work)
    answer = r",\ ".join(r"\frac{\partial %s}{\partial %s} %s" % (out, k, stated(g))
                         for k, g in leaf_grads.items())
    # the forward pass the prompt asks to run, every node's value, to mark it too
    forward = r",\ ".join(f"{n} {stated(float(work.val[n]))}" for n, *_ in graph)
    return Problem(identity=f"{graph} {leaves}", steps=_steps(work), figure=figure, worksheet_figure=sheet_figure,
                   claims=check, prompt=fill(work.family.prompt or default, {
                       "graph": Math(graph_tex), "leaves": Math(leaf_tex), "out": Math(out)}) + [_every_node(work, True)],
                   answer=[Text("forward: "), Math(forward), Text("; gradients: "), Math(answer)],
                   answer_text=", ".join(f"d{out}/d{k} = {g:.4f}" for k, g in leaf_grads.items()),
                   # the filled table a student copies: two versions whose leaves differ only where a max drops one
                   # fill in the same numbers (read52 F2)
                   # (its worked cells: a leaf's value is given, and y = -1.5 beside -1 hid two tables alike, read53 F1)
                   course="backprop table " + "; ".join(",".join(row if op != r"\text{leaf}" else [name, row[3]])
                                                       for row in _every_node(work).rows for name, op in [row[:2]])
                   # and its gradient column alone, whatever the values: x = 0.5 and x = -0.5 at one y gave two
                   # versions the same ∂f/∂node column, only the values' signs apart (read56 F10)
                   + "\nbackprop gradients " + "; ".join(f"{row[0]} {row[3]}" for row in _every_node(work).rows))


def givens(claims: dict) -> dict[str, list[str]]:
    """Every leaf's value."""
    return {"leaves": list(claims["leaves"].values())}


KIND = Kind("backprop", BackpropFamily, {"backprop": Ask(solve, check, present)}, givens)
