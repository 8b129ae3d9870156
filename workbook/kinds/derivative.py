"""Kind `derivative`: f'(x) (or a higher derivative), its value at a point, or a tangent line."""

from __future__ import annotations

import numpy as np
import sympy as sp

from workbook import expr as E
from workbook import explain, steps, verify
from workbook.bank import DerivativeFamily
from workbook.explain import latex
from workbook.functions import relu, sigmoid, softplus
from workbook.generate import Degenerate, fill

_PRIMES = {1: "'", 2: "''", 3: "'''"}


def prime(order: int) -> str:
    """f', f'', f''' then f^{(4)}."""
    return _PRIMES.get(order, "^{(%d)}" % order)


def number_latex(value: sp.Expr) -> str:
    """An exact number, with a decimal beside it when it is not a plain fraction."""
    shown = latex(value)
    if value.is_Rational:
        return shown
    return r"%s \approx %s" % (shown, _decimal(value))


def _decimal(value: sp.Expr, digits: int = 4) -> str:
    return f"{float(value):.{digits}g}"


def plain(expr: sp.Expr) -> sp.Expr:
    """The expression with our activation functions written out, for plain SymPy readers."""
    return expr.replace(sigmoid, lambda a: 1 / (1 + sp.exp(-a))).replace(
        softplus, lambda a: sp.log(1 + sp.exp(a))).replace(relu, lambda a: sp.Max(0, a))


def generate(family: DerivativeFamily, params: dict, rng: np.random.Generator) -> dict:
    """Draw the function, work its derivative, check it, and say what to ask."""
    templates = family.templates()
    template = templates[int(rng.integers(len(templates)))]
    x = E.symbol(family.variable)
    values = {E.symbol(k): v for k, v in params.items()}
    f = E.parse(template, variables=set(params) | {family.variable}).xreplace(values)
    if not f.has(x):
        raise Degenerate(f"the function {f} does not depend on {x}")

    trees, answer = steps.differentiate(f, x, family.order)
    steps.check_against_sympy(f, x, family.order, answer)
    if answer == 0:
        raise Degenerate("the derivative is 0")
    checked = verify.check_derivative(f, x, family.order, answer, domain=family.domain)

    fx, name = latex(f), f"f{prime(family.order)}({latex(x)})"
    shown = explain.display_steps(trees, x)
    check = {"type": "derivative", "function": sp.sstr(plain(f)), "variable": str(x),
             "order": family.order, "answer": sp.sstr(plain(answer))}
    placeholders = {"f": {"math": f"f({latex(x)}) = {fx}"}, "fx": {"math": fx}, "x": {"math": latex(x)},
                    "order": {"text": str(family.order)},
                    **{k: {"math": latex(v)} for k, v in params.items()}}
    record = {"key": f"{f}", "figure": None, "steps": shown, "verified": checked.record()}

    if family.ask == "derivative":
        default = {1: "Find {dfx} for {f}.", 2: "Find the second derivative {dfx} for {f}."}.get(
            family.order, "Find the derivative {dfx} of order {order} for {f}.")
        placeholders["dfx"] = {"math": name}
        record.update(prompt=fill(family.prompt or default, placeholders),
                      answer=[{"math": f"{name} = {latex(answer)}"}], answer_text=sp.sstr(answer))
        return {**record, "check": check}

    x0 = E.parse(family.at, variables=set(params)).xreplace(values)
    value = _value_at(answer, x, x0)
    y0 = _value_at(f, x, x0)
    at_check = verify.check_value_at(f, x, family.order, float(x0), float(value))
    record["verified"]["at_point"] = at_check.record()
    record["key"] += f" at {x0}"
    placeholders["at"] = {"math": latex(x0)}
    at_name = f"f{prime(family.order)}({latex(x0)})"
    placeholders["dfx"] = {"math": at_name}
    check.update({"at": sp.sstr(x0), "value": sp.sstr(value)})

    if family.ask == "value":
        if value == 0:
            raise Degenerate("the value at the point is 0")
        shown.append({"depth": 0, "rule": "Evaluate at the point", "math": f"{at_name} = {number_latex(value)}",
                      "say": [{"text": "Substitute "}, {"math": f"{latex(x)} = {latex(x0)}"},
                              {"text": " into the derivative."}]})
        default = "Let {f}. Find {dfx}."
        record.update(prompt=fill(family.prompt or default, placeholders),
                      answer=[{"math": f"{at_name} = {number_latex(value)}"}], answer_text=sp.sstr(value))
        return {**record, "check": check}

    line = sp.expand(value * (x - x0) + y0)
    shown.append({"depth": 0, "rule": "Slope at the point", "math": f"f'({latex(x0)}) = {number_latex(value)}",
                  "say": [{"text": "The slope of the tangent is the derivative at "},
                          {"math": f"{latex(x)} = {latex(x0)}"}, {"text": "."}]})
    shown.append({"depth": 0, "rule": "Point on the curve", "math": f"f({latex(x0)}) = {number_latex(y0)}",
                  "say": [{"text": "The tangent touches the graph at "},
                          {"math": r"\left(%s,\ f(%s)\right)" % (latex(x0), latex(x0))}, {"text": "."}]})
    shown.append({"depth": 0, "rule": "Point-slope form", "math": f"y = {latex(line)}",
                  "say": [{"text": "Write "}, {"math": r"y = f(x_0) + f'(x_0)\,(x - x_0)"},
                          {"text": " and collect terms."}]})
    default = "Find the equation of the tangent line to the graph of {f} at {x} = {at}."
    record.update(prompt=fill(family.prompt or default, placeholders),
                  answer=[{"math": f"y = {latex(line)}"}], answer_text=f"y = {sp.sstr(line)}",
                  figure=_tangent_figure(f, x, float(x0), float(y0), float(value), fx, latex(line)))
    check.update({"tangent": sp.sstr(plain(line))})
    _check_tangent(f, x, line, float(x0))
    return {**record, "check": check}


def _value_at(expr: sp.Expr, x: sp.Symbol, x0: sp.Expr) -> sp.Expr:
    """The exact value, refusing points where the expression is undefined or not real."""
    value = steps.tidy(expr.xreplace({x: x0}))
    if not (value.is_number and value.is_real is True and value.is_finite is True):
        raise Degenerate(f"undefined at {x} = {x0}")
    return value


def _check_tangent(f: sp.Expr, x: sp.Symbol, line: sp.Expr, x0: float) -> None:
    """The line must touch the curve at x0 (its slope was checked as the derivative's value)."""
    fx = verify.evaluate(verify.numeric(f, [x]), np.array([x0]))[0]
    lx = verify.evaluate(verify.numeric(line, [x]), np.array([x0]))[0]
    if not abs(fx - lx) <= 1e-9 * max(1.0, abs(fx)):
        raise verify.VerifyError(f"the tangent line misses the curve at {x} = {x0}")


def _tangent_figure(f, x, x0: float, y0: float, slope: float, fx: str, line: str) -> dict:
    """The data the tangent-line diagram is drawn from."""
    xs = np.linspace(x0 - 3, x0 + 3, 241)
    ys = verify.evaluate(verify.numeric(f, [x]), xs)
    ys = np.where(np.isfinite(ys), ys, np.nan)
    return {
        "kind": "tangent",
        "alt": (f"Graph of the function near x = {x0:g} with its tangent line of slope {slope:.4g} "
                f"touching the curve at ({x0:g}, {y0:.4g})."),
        "x": [round(float(v), 6) for v in xs],
        "y": [None if np.isnan(v) else round(float(v), 6) for v in ys],
        "x0": x0, "y0": y0, "slope": slope, "label": f"f(x) = {fx}", "tangent_label": f"y = {line}",
    }
