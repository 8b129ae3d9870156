"""Judge a learner's answer to a drawn problem (`workbook show FAMILY --try`).

What is expected comes from the problem's ``claims`` record, the same record the independent
checks and the outside checkers read: a derivative's function, or the numbers the answer holds
(a value, a point, a gradient, the last iterate). Expressions are compared as functions (equal
after expanding, or at every point where both are defined); numbers are right to the decimals the
learner gave, or within 0.5%.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from workbook import expr as E
from workbook import solver


@dataclass(frozen=True)
class Expected:
    """What an answer must be: an expression in ``variable``, or numbers in order (with names)."""

    what: str  # how to type it, for the prompt
    expression: sp.Expr | None = None
    variable: str = "x"
    numbers: tuple[float, ...] = ()
    names: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # a verdict for each name (converges, oscillates, diverges)


def expected(record: dict) -> Expected | None:
    """What the problem's answer is, or None for a problem whose answer is not judged here."""
    c = record["claims"]
    kind = c.get("type")
    if kind == "derivative" and "value" in c:
        return _numbers(f"the value at {c['variable']} = {c['at']}, a number", [c["value"]], ["the value"])
    if kind == "chain_multivariable" and len(c["parameters"]) == 1:
        return Expected(f"dz/d{c['parameters'][0]}, as an expression in {c['parameters'][0]}",
                        E.parse(c["answers"][0]), variable=c["parameters"][0])
    if kind == "derivative":
        return Expected(f"the derivative, as an expression in {c['variable']}", E.parse(c["answer"]),
                        variable=c["variable"])
    if kind == "gradient_descent":
        last = len(c["iterates"]) - 1
        names = [f"{v}_{last}" for v in c["variables"]]
        what = (f"{names[0]}, the last iterate" if len(names) == 1 else
                f"the last iterate, step {last}: its coordinates, separated by commas")
        return _numbers(what, c["iterates"][-1], names)
    if kind == "descent_convergence":
        return Expected("for each rate in turn: converges, oscillates or diverges, separated by commas",
                        words=tuple(c["verdicts"]), names=tuple(f"rate {r}" for r in c["rates"]))
    if kind == "optimizer":
        return _numbers(f"theta_{len(c['thetas'])}, the last value", c["thetas"][-1:], [f"theta_{len(c['thetas'])}"])
    if kind == "gradient" and "directional" in c:
        return _numbers("the directional derivative, a number", [c["directional"]], ["the directional derivative"])
    if record.get("numeric") is not None:
        return Expected("a number", numbers=(float(record["numeric"]),))
    if kind == "gradient" and "gradient" in c:
        return _numbers("the gradient's entries, separated by commas", c["gradient"], c["variables"])
    if kind == "backprop":
        return _numbers("the gradients, separated by commas", list(c["gradients"].values()), list(c["gradients"]))
    if kind == "loss":
        return _numbers("the gradients, separated by commas", list(c["gradient"].values()), list(c["gradient"]))
    if kind == "critical_points" and len(c["points"]) == 1:
        return _numbers("the point's coordinates, separated by commas", c["points"][0], c["variables"])
    if kind == "gradient_check":
        return _numbers("the gradient, separated by commas", c["gradient"], c["variables"])
    if kind == "optimum":
        return _numbers("the best point's coordinates, separated by commas", c["at"], c["variables"])
    return None


def _flat(values, names) -> tuple[list, list]:
    """Numbers and their names, lists opened up (a vector gradient w becomes w[1], w[2] ...)."""
    out, labels = [], []
    for v, n in zip(values, names):
        if isinstance(v, (list, tuple)):
            inner, inner_names = _flat(v, [f"{n}[{i + 1}]" for i in range(len(v))])
            out += inner
            labels += inner_names
        else:
            out.append(v)
            labels.append(n)
    return out, labels


def _numbers(what: str, values, names) -> Expected:
    values, names = _flat(list(values), list(names))
    if len(values) > 1:
        what = what.replace(", separated by commas", f" ({', '.join(map(str, names))}), separated by commas")
    return Expected(what, numbers=tuple(number(str(v)) for v in values),
                    names=tuple(str(n) for n in names))


def number(text: str) -> float:
    """A number as such (1e-5 among them, where an expression would read e), else an expression of numbers."""
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text.strip()):
        return float(text)
    return float(sp.N(E.parse(text, variables=())))


def judged(want: Expected, text: str) -> tuple[bool | None, list[str]]:
    """judge() as data, for a worker: (None, [why]) when the answer cannot be read."""
    try:
        return judge(want, text)
    except ValueError as exc:
        return None, [str(exc)]


def judge(want: Expected, text: str) -> tuple[bool, list[str]]:
    """(right, what to say) for the learner's ``text``; ValueError if it cannot be read."""
    text = text.strip()
    if not text:
        raise ValueError("no answer was given")
    if want.expression is not None:
        try:
            given = E.parse(text, variables=set(map(str, want.expression.free_symbols)) | {want.variable})
        except E.ExprError as exc:
            raise ValueError(f"your answer: {exc}") from None
        var = E.symbol(want.variable)
        if solver._same(want.expression, given, var, -3.0, 3.0):
            return True, ["right."]
        where = solver._differs(want.expression, given, var, -3.0, 3.0)
        lines = ["not right."]
        if where:
            lines.append(f"  at {var} = {where[0]:g} your answer gives {where[1]:.6g}, but the derivative is {where[2]:.6g}")
        return False, lines
    if want.words:
        given = [w.strip().lower() for w in re.split(r"[,;]+|\s+", text) if w.strip()]
        if len(given) != len(want.words):
            raise ValueError(f"give {len(want.words)} words: {want.what}")
        wrong = [f"  {n}: not {g}" for n, w, g in zip(want.names, want.words, given) if g[:4] != w[:4]]
        return (not wrong), (["right."] if not wrong else ["not right."] + wrong)
    parts = [p for p in re.split(r"[,;\s]+", text.strip("()[] ")) if p]
    if len(parts) != len(want.numbers):
        raise ValueError(f"give {len(want.numbers)} number{'s' if len(want.numbers) > 1 else ''}: {want.what}")
    wrong = []
    for i, (part, truth) in enumerate(zip(parts, want.numbers)):
        try:
            value = number(part)
        except (E.ExprError, TypeError) as exc:
            raise ValueError(f"{part!r} is not a number: {exc}") from None
        name = want.names[i] if i < len(want.names) else f"number {i + 1}"
        right, _ = solver._judge_number(value, truth, part, name)
        if not right:
            wrong.append(f"  {name}: {part} is not right")
    return (not wrong), (["right."] if not wrong else ["not right."] + wrong)
