"""`workbook solve`: any derivative in the expression language, worked step by step and checked."""

from __future__ import annotations

import json
from dataclasses import dataclass

import sympy as sp

from workbook import explain, steps, verify
from workbook import expr as E

# Values for the other names when the answer is checked numerically (they are constants).
_CONSTANTS = [sp.Rational(v) for v in ("1.3", "0.7", "1.9", "0.45", "2.3", "1.15", "0.85", "1.6")]


class SolveError(ValueError):
    """An expression that cannot be worked: outside the language, or no rule applies."""


MAX_ORDER = 6  # the most derivatives one request may take, in one variable or across several (x,y,x)
BUDGET = 10.0  # seconds a request may take (workbook solve runs each in a worker process that is stopped after)
MAX_LINE = 10_000  # characters in one line of a batch


@dataclass
class SolveResult:
    """The worked derivative of one expression."""

    text: str
    expr: sp.Expr
    var: sp.Symbol
    order: int
    trees: list
    answer: sp.Expr
    check: dict

    def record(self) -> dict:
        """The JSON schema: input, variable, order, answer, steps (each a checkable claim), check."""
        return {"input": self.text, "variable": str(self.var), "order": self.order,
                "answer": explain.text(self.answer), "steps": explain.json_steps(self.trees), "check": self.check}

    def lines(self) -> list[str]:
        """The terminal form: the answer first, then every step."""
        d = "d/d" + str(self.var) if self.order == 1 else f"d^{self.order}/d{self.var}^{self.order}"
        out = [f"{d} [{explain._pretty(self.expr)}] = {explain._pretty(self.answer)}", ""]
        out += explain.text_steps(self.trees)
        out += ["", _check_line(self.check)]
        return out


def _parse(text: str, names: list[str]) -> tuple[sp.Expr, list[sp.Symbol]]:
    try:
        variables = [E.symbol(n.strip()) for n in names]
        return E.parse(text), variables
    except E.ExprError as exc:
        raise SolveError(f"{exc}\n{exc.pointer()}" if exc.position is not None else str(exc)) from None


def solve(text: str, wrt: str = "x", order: int = 1) -> SolveResult:
    """Parse, differentiate with steps, compare with sympy.diff, and check numerically.

    ``wrt`` may name several variables, "x,y": a mixed partial, differentiated in that order.
    """
    names = wrt.split(",") if isinstance(wrt, str) else []
    if not 1 <= len(names) * order <= MAX_ORDER or isinstance(order, bool):
        raise SolveError(f"at most {MAX_ORDER} derivatives at once (the order times the variables in --wrt)")
    expr, variables = _parse(text, names)
    if len(variables) > 1:
        return _mixed(text, expr, variables)
    var = variables[0]
    try:
        trees, answer = steps.differentiate(expr, var, order)  # compared with sympy.diff
    except steps.StepError as exc:
        raise SolveError(str(exc)) from None
    return SolveResult(text, expr, var, order, trees, answer, numeric_check(expr, var, order, answer))


def _mixed(text: str, expr: sp.Expr, variables: list[sp.Symbol]) -> MixedResult:
    trees, current = [], expr
    try:
        for v in variables:
            tree = steps.derive(current, v)
            trees.append(tree)
            current = steps.tidy(tree.result)
        if not steps.equal(current, sp.diff(expr, *variables)):
            raise steps.StepError(f"step engine gave {current}, sympy.diff gives {sp.diff(expr, *variables)}")
    except steps.StepError as exc:
        raise SolveError(str(exc)) from None
    others = sorted(expr.free_symbols - set(variables), key=lambda s: s.name)
    check = {"status": "not checked", "reason": "mixed partials are checked against sympy.diff", "held": {}}
    try:
        got = verify.check_partial(expr.xreplace({s: _CONSTANTS[i % 8] for i, s in enumerate(others)}),
                                   variables if len(set(variables)) == len(variables) else sorted(set(variables), key=str),
                                   variables, current.xreplace({s: _CONSTANTS[i % 8] for i, s in enumerate(others)}))
        check = {"status": "passed", **got.record(), "held": _held({s: _CONSTANTS[i % 8] for i, s in enumerate(others)})}
    except verify.VerifyError as exc:
        if "usable points" not in str(exc):
            raise SolveError(f"internal error: the worked answer failed its numeric check: {exc}") from None
    except (ValueError, IndexError):
        pass
    return MixedResult(text, expr, variables, trees, current, check)


@dataclass
class MixedResult:
    """A mixed partial derivative, worked one variable at a time."""

    text: str
    expr: sp.Expr
    variables: list
    trees: list
    answer: sp.Expr
    check: dict

    def record(self) -> dict:
        out_steps = []
        for v, tree in zip(self.variables, self.trees):
            out_steps += [{**s, "variable": str(v)} for s in explain.json_steps([tree])]
        return {"input": self.text, "variables": [str(v) for v in self.variables], "order": len(self.variables),
                "answer": explain.text(self.answer), "steps": out_steps, "check": self.check}

    def lines(self) -> list[str]:
        d = "d^%d/%s" % (len(self.variables), "".join(f"d{v}" for v in reversed(self.variables)))
        out = [f"{d} [{explain._pretty(self.expr)}] = {explain._pretty(self.answer)}", ""]
        for v, tree in zip(self.variables, self.trees):
            out.append(f"With respect to {v}:")
            out += ["  " + line for line in explain.text_steps([tree])]
        out += ["", _check_line(self.check) if self.check["held"] or self.check["status"] == "passed"
                else "agrees with sympy.diff"]
        return out


def gradient(text: str, wrt: str | None = None) -> dict:
    """Every first partial derivative: {"input", "variables", "gradient", "steps"}."""
    expr, _ = _parse(text, ["x"])
    names = [n.strip() for n in wrt.split(",")] if wrt else sorted(str(s) for s in expr.free_symbols)
    if not names:
        raise SolveError("the expression has no variables to differentiate with respect to")
    results = [solve(text, n, 1) for n in names]
    return {"input": text, "variables": names, "gradient": [explain.text(r.answer) for r in results],
            "steps": {n: explain.json_steps(r.trees) for n, r in zip(names, results)},
            "check": {n: r.check for n, r in zip(names, results)}}


def numeric_check(expr: sp.Expr, var: sp.Symbol, order: int, answer: sp.Expr) -> dict:
    """Finite differences of the input against the answer, other names held at fixed values."""
    others = sorted((expr.free_symbols | answer.free_symbols) - {var}, key=lambda s: s.name)
    held = {s: _CONSTANTS[i % len(_CONSTANTS)] for i, s in enumerate(others)}
    try:
        done = verify.check_derivative(expr.xreplace(held), var, order, answer.xreplace(held))
    except verify.VerifyError as exc:
        if "usable points" in str(exc):
            return {"status": "not checked", "reason": str(exc), "held": _held(held)}
        raise SolveError(f"internal error: the worked answer failed its numeric check: {exc}") from None
    return {"status": "passed", **done.record(), "held": _held(held)}


def _held(held: dict) -> dict:
    return {str(k): str(v) for k, v in held.items()}


def _check_line(check: dict) -> str:
    held = ", ".join(f"{k} = {v}" for k, v in check["held"].items())
    suffix = f" (holding {held})" if held else ""
    if check["status"] == "passed":
        return f"checked: {check['method']} at {check['points']} points{suffix}, agrees with sympy.diff"
    return f"agrees with sympy.diff; numeric check not possible: {check['reason']}"


def solve_line(line: str | bytes) -> dict:
    """One line of `solve --batch`: a result in the JSON schema, or {"input", "error"}. A bad line,
    whatever is wrong with it, is answered on its own line; it never stops the batch."""
    item = None
    try:
        if isinstance(line, bytes):
            if len(line.rstrip(b"\r\n")) > MAX_LINE * 4:
                raise ValueError(f"the line is over {MAX_LINE} characters")
            try:
                line = line.decode("utf-8")
            except UnicodeDecodeError:
                raise ValueError("the line is not UTF-8 text") from None
        if len(line) > MAX_LINE:
            raise ValueError(f"the line is over {MAX_LINE} characters")
        try:
            item = json.loads(line)
        except RecursionError:
            raise ValueError("the line is JSON nested too deeply") from None
        except ValueError as exc:
            if "digits" in str(exc):  # Python's limit on turning text into an integer
                raise ValueError("a number in the line has thousands of digits") from None
            raise
        if not isinstance(item, dict) or not isinstance(item.get("input"), str):
            # a ValueError, like every other bad line: reported as {"input", "error"}, never raised
            raise ValueError('each line must be a JSON object with a string "input"')  # noqa: TRY004
        variable = item.get("variable", "x")
        order = item.get("order", 1)
        if (not isinstance(variable, str) or not isinstance(order, int) or isinstance(order, bool)
                or not 1 <= order <= MAX_ORDER):
            raise ValueError(f'"variable" must be a name and "order" a whole number from 1 to {MAX_ORDER}')
        return solve(item["input"], variable, order).record()
    except (ValueError, SolveError) as exc:
        echo = item.get("input") if isinstance(item, dict) and isinstance(item.get("input"), str) else None
        return {"input": echo, "error": str(exc).splitlines()[0]}


def request(expression: str, wrt: str | None, order: int, as_json: bool, as_gradient: bool) -> tuple[bool, list[str]]:
    """What ``workbook solve`` prints for one expression: (True, lines) or (False, error lines).
    Plain values only, so that it can run in a worker process under the budget."""
    try:
        if as_gradient:
            grad = gradient(expression, wrt)
            if as_json:
                return True, [json.dumps(grad, indent=1)]
            parts = ", ".join(g.replace("**", "^") for g in grad["gradient"])
            return True, [f"grad [{expression}] = ({parts})   with respect to ({', '.join(grad['variables'])})"]
        result = solve(expression, wrt or "x", order)
    except SolveError as exc:
        return False, str(exc).splitlines()
    return True, [json.dumps(result.record(), indent=1)] if as_json else result.lines()
