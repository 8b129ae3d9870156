"""Pieces the kinds share: a family's expressions with the parameters put in, exact values and
partials, the second-derivative test, contour data."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from contextvars import ContextVar

import numpy as np
import sympy as sp

from workbook import expr as E
from workbook import steps, verify
from workbook.errors import excerpt, printable
from workbook.problem import Degenerate, OutOfRange

# the choices of a draw's form made so far (which of the family's expressions, graphs, ops, activations,
# optimizers), and those asked for: a parallel version's draw at a place keeps version A's form there (read48 F9,
# read49 F8, read50 F8: tanh(5x) in A, x σ(x) in C), its numbers its own. Set by generate.generate_one
FORM: ContextVar[tuple[list[int], tuple[int, ...]] | None] = ContextVar("form", default=None)


def pick(rng: np.random.Generator, options):
    """One of ``options``, drawn; or, where the draw is held to a form, the one that form chose at this turn.
    The generator is drawn from either way, so that everything drawn after the choice stays as it was."""
    chosen = int(rng.integers(len(options)))
    form = FORM.get()
    if form is not None:
        made, wanted = form
        if len(made) < len(wanted) and 0 <= wanted[len(made)] < len(options):
            chosen = wanted[len(made)]
        made.append(chosen)
    return options[chosen]


def draw_function(family, params: dict, rng: np.random.Generator, names: list[str]) -> sp.Expr:
    """Pick one of the family's expressions and put the drawn parameters in."""
    return given(pick(rng, family.templates()), params, names)


def given(text: str, params: dict, names=()) -> sp.Expr:
    """A family's expression (a point, a rate, a function of ``names``) with the drawn parameters put in."""
    try:
        return E.parse(text, variables=set(params) | set(names), values=params)
    except E.ExprError as exc:  # with these values: too large, or undefined (a drawn 0 under a division)
        # the text as the file writes it and the values that made it so, for the author to find the key by
        # (user49 F3: "with the drawn parameters, division by zero" named neither)
        used = [n for n in sorted(params) if re.search(rf"(?<![A-Za-z0-9_]){re.escape(n)}(?![A-Za-z0-9_])", text)]
        drawn = ", ".join(f"{n} = {_cut(sp.sstr(params[n]), 20)}" for n in used[:6])
        raise Degenerate(f"{_cut(text, 60)} with {drawn or 'the drawn parameters'}: {exc.message}") from None


def _cut(text: str, most: int) -> str:
    return printable(text) if len(text) <= most else printable(text[:most - 1]) + "\u2026"


def constant(text: str) -> sp.Expr | None:
    """A key's value when the file writes it out as a number, without params (checked as the file loads)."""
    try:
        return E.parse(text, variables=())
    except E.ExprError:
        return None  # made of params (checked at each draw), or not an expression (the loader says so)


def refuse_constant(text: str, wrong: Callable[[sp.Expr], str | None], key: str | None = None) -> str:
    """For a validator: a number written out that its key does not allow is refused as the file loads (a
    model validator gives the ``key``, data[0][2], which the message then names with the value)."""
    value = constant(text)
    why = wrong(value) if value is not None else None
    if why:
        raise ValueError(f"{key}: {why} (got {excerpt(text)})" if key else why)
    return text


def in_range(key: str, value: sp.Expr, wrong: Callable[[sp.Expr], str | None]) -> sp.Expr:
    """A drawn value its key allows, or OutOfRange naming the key (a slot never in range stops the build)."""
    why = wrong(value)
    if why:
        raise OutOfRange(key, why, excerpt(str(value), 20))
    return value


def positive_rate(value: sp.Expr) -> str | None:
    """Why a learning rate is none, or None: a step at a rate of 0 or less does not go downhill."""
    if value.is_positive is True and value.is_finite is True:
        return None
    return "must be above 0, as a step at a rate of 0 or less does not go downhill"


def label(value: sp.Expr) -> str | None:
    """Why a label is not one of a binary classifier's two, or None."""
    return None if value == 0 or value == 1 else "must be 0 or 1, the label of a binary classifier"


def exact_at(expr: sp.Expr, subs: dict) -> sp.Expr:
    """The exact value at a point; Degenerate if undefined or not real there."""
    from workbook.steps import tidy

    where = ", ".join(f"{k} = {v}" for k, v in subs.items())  # not the dict's repr (attack25: "{x: -2}")
    # a switch whose argument is 0 there, where SymPy sees it or not (x - ln 2 at log(8)/3): a corner, said as one (a
    # raw "Cannot convert expression to float" stopped the draw, and |x| at 0 was "no real value": attack36b)
    for step in expr.atoms(sp.sign, sp.Heaviside, sp.DiracDelta):
        argument = step.args[0].xreplace(subs)  # (one SymPy sees as 0 is at_the_corners', which knows x|x|' at 0)
        if argument.is_number and argument != 0 and abs(sp.N(argument, 60)) < sp.Float("1e-45"):
            raise Degenerate(f"{where} is a corner or a step of the function, where {sp.sstr(step.args[0])} is 0: "
                             "choose a point where it is smooth")
    value = tidy(expr.xreplace(subs))
    if value.is_number and value.is_finite is True and value.is_real is False:  # ln(a x) with a < 0 (user57 F8: "a
        # corner or a step there?" was guessed)
        raise Degenerate(f"no real value at {where}: a logarithm or a root of a negative number there; change the "
                         "parameters' ranges or the point so that it has one")
    if not (value.is_number and value.is_real is True and value.is_finite is True):
        raise Degenerate(f"no real value at {where}, as the rules write it (a corner or a step there?): choose a "
                         "point where the function is smooth and its derivative's formula has a value")
    try:
        float(value)
    except (TypeError, ValueError):
        raise Degenerate(f"no number at {where} that the rules can work out: choose a plainer point") from None
    return value


NEAR = sp.Rational(1, 10**30)  # how far either side of a point the function is looked at, exactly, to 50 digits


def whole_around(f: sp.Expr, subs: dict) -> None:
    """Degenerate unless f has a real value on both sides of the point in each variable, tending there to its
    value at the point. A derivative's formula can have a value where f has no derivative: arccot(bx) + x jumps
    at 0, its derivative 1 - b/(1 + b²x²) smooth there (a bank printed f'(0) = -2 and a tangent line: attack35b),
    and x√x + bx at 0, the end of its domain, has a derivative from the right only."""
    from workbook.functions import written_out

    f = written_out(f)  # (softplus, σ and relu as SymPy numbers them)
    here = f.xreplace(subs).evalf(50)
    where = ", ".join(f"{k} = {v}" for k, v in subs.items())
    for name, value in subs.items():
        for side, said in ((-1, "left"), (1, "right")):
            near = f.xreplace({**subs, name: value + side * NEAR}).evalf(50)  # (as SymPy numbers: e^3000 is no
            real, imag = near.as_real_imag() if near.is_number else (sp.nan, sp.nan)  # complex, nor a float)
            if not (real.is_finite and imag == 0):  # (√x just left of 0 is 10⁻¹⁵i)
                which = f"{where}, in {name}" if len(subs) > 1 else where
                raise Degenerate(f"the function has no real value just {said} of {which}, so its derivative there is "
                                 "one-sided: choose a point inside its domain")
            gap = abs(near - here)
            if gap.is_comparable and gap > sp.Float("1e-20") * max(1, abs(near)):
                across = f" (across {name})" if len(subs) > 1 else ""
                raise Degenerate(f"the function jumps at {where}{across}, where it has no derivative: choose a "
                                 "point where it is smooth")


def partial(f: sp.Expr, v: sp.Symbol) -> sp.Expr:
    """df/dv by the step engine (which compares it with sympy.diff)."""
    return steps.differentiate(f, v, 1)[1]


def second_derivative_test(H: sp.Matrix) -> str:
    """A critical point's type from the signs of the exact Hessian's eigenvalues there."""
    eig = [complex(sp.N(e)).real for e in H.eigenvals(multiple=True)]
    if any(abs(e) < 1e-12 for e in eig):
        return "inconclusive"
    if all(e > 0 for e in eig):
        return "minimum"
    if all(e < 0 for e in eig):
        return "maximum"
    return "saddle point"


def contour_data(function: sp.Expr, variables: list[sp.Symbol], center: tuple[float, float],
                 half_width: float = 2.5, n: int = 48, ny: int | None = None) -> dict:
    """A grid of f around the centre, for a contour plot (rounded to keep the record small); ``ny`` rows where a
    narrow valley needs more across it than along it."""
    xs = np.linspace(center[0] - half_width, center[0] + half_width, n)
    ys = np.linspace(center[1] - half_width, center[1] + half_width, ny or n)
    gx, gy = np.meshgrid(xs, ys)
    f = verify.numeric(function, variables)
    with np.errstate(all="ignore"):
        z = np.asarray(f(gx, gy), dtype=float) * np.ones_like(gx)
    z = np.where(np.isfinite(z), z, np.nan)
    return {
        "x": [round(float(v), 5) for v in xs],
        "y": [round(float(v), 5) for v in ys],
        "z": [[None if np.isnan(v) else float(f"{v:.5g}") for v in row] for row in z],
    }


_K = sp.Symbol("k")


def _coefficients_out(e: sp.Expr) -> sp.Expr:
    """Every number of e but an exponent as the one letter k: x^3 + 5x and x^3 - 2x are one form."""
    if e.is_Number:
        return _K
    if e.is_Pow:
        return sp.Pow(_coefficients_out(e.base), e.exp, evaluate=False) if e.exp.is_Number else \
            sp.Pow(_coefficients_out(e.base), _coefficients_out(e.exp), evaluate=False)
    if not e.args:
        return e
    if e.is_Add:  # every term with its coefficient, 1 too: 3(y - 1)^2 and (y - 2)^2 are one form (read24)
        terms = (sp.Mul(_K, _coefficients_out(t.as_coeff_Mul()[1]), evaluate=False) for t in e.args)
        return sp.Add(*sorted(terms, key=sp.srepr), evaluate=False)
    args = [_coefficients_out(a) for a in e.args]
    if isinstance(e, sp.Function):  # a function of x is one of k x, 1 too: tanh²(x) and tanh²(2x) (read41)
        args = [sp.Mul(_K, a, evaluate=False) if a.is_Symbol and a != _K else a for a in args]
    return e.func(*args, evaluate=False)


def shape(f: sp.Expr, variables: list[sp.Symbol]) -> str:
    """f's form, for telling problems alike: f up to an added constant and with every coefficient (not
    the exponents) as one letter, so 3x^4 ln(x) and 6x^4 ln(x), x^2 + 2x and (x + 1)^2 - 2, or x^3 - x
    and x^3 + 4x are one form (a small f is expanded first)."""
    g = sp.expand(f) if sp.count_ops(f) < 80 else f
    g = g.as_independent(*variables, as_Add=True)[1]
    g = g.as_independent(*variables, as_Add=False)[1]
    try:
        return sp.srepr(_coefficients_out(g))
    except (TypeError, ValueError):  # a function that takes no evaluate flag: its plain form
        return str(g)


def solved_together(gradient: list[sp.Expr], variables: list[sp.Symbol], points: list[list[sp.Expr]],
                    value=None) -> list[str] | None:
    """How the equations "each first partial = 0" are solved, a line each, ending at ``points``: each alone
    where each holds one variable, else one solved for a variable it holds once and put into the other. None
    where neither way gives exactly ``points`` (the caller then states them): a line never shows more than
    the working it claims. ``value`` prints a solution (latex by default; money for prices)."""
    from workbook.numbers import latex

    value = value or latex
    names = [latex(v) for v in variables]
    zero = [rf"\frac{{\partial f}}{{\partial {n}}} = 0" if len(variables) > 1 else f"f'({n}) = 0" for n in names]

    def roots(eq: sp.Expr, v: sp.Symbol) -> list[sp.Expr] | None:
        try:
            found = sp.solve(eq, v)
        except (NotImplementedError, ValueError):
            return None
        return sorted((r for r in found if r.is_real), key=float)

    def either(v: str, values: list[sp.Expr]) -> str:
        return r" \text{ or } ".join(f"{v} = {value(r)}" for r in values)

    lines, found = [], []
    alone = [next(iter(eq.free_symbols & set(variables)), None) for eq in gradient]
    if all(v is not None for v in alone) and len(set(alone)) == len(variables):
        solutions = {}
        for z, eq, v in zip(zero, gradient, alone, strict=True):
            rs = roots(eq, v)
            if not rs:
                return None
            solutions[v] = rs
            lines.append(rf"{z}:\ {latex(sp.factor(eq))} = 0 \Rightarrow {either(latex(v), rs)}")
        found = [list(p) for p in itertools.product(*(solutions[v] for v in variables))]
    elif len(variables) == 2:
        # an equation solved for a variable it holds once, the simplest first: a coefficient of 1, whole numbers
        ways = []
        for i in (0, 1):
            for k, v in enumerate(variables):
                # polynomial first: sp.degree raises for exp(x) (attack23's D9, in gradient_descent)
                if (gradient[i].is_polynomial(v) and sp.degree(gradient[i], v) == 1
                        and not sp.Poly(gradient[i], v).LC().free_symbols):
                    expr = sp.solve(gradient[i], v)[0]
                    whole = all(c.is_Integer for c in sp.Poly(expr, variables[1 - k]).coeffs())
                    ways.append((abs(sp.Poly(gradient[i], v).LC()) != 1, not whole, i, k, expr))
        for *_, i, k, expr in sorted(ways, key=lambda way: way[:4]):
            v, u, j = variables[k], variables[1 - k], 1 - i
            rest = sp.expand(gradient[j].subs(v, expr))
            rs = roots(rest, u) if rest.free_symbols == {u} else None
            if not rs:
                continue
            factored = sp.factor(rest)
            shown = latex(rest) + (f" = {latex(factored)}" if rest.is_polynomial(u) and sp.degree(rest, u) > 1
                                   and factored != rest else "")
            lines = [rf"{zero[i]} \Rightarrow {latex(v)} = {latex(expr)}",
                     rf"{zero[j]}:\ {shown} = 0 \Rightarrow {either(latex(u), rs)}"]
            found = [[None, None] for _ in rs]
            for point, r in zip(found, rs, strict=True):
                point[1 - k], point[k] = r, sp.simplify(expr.subs(u, r))
            lines.append(rf"{latex(v)} = {latex(expr)} \Rightarrow ({', '.join(names)}) = "
                         + r",\ ".join("(" + ", ".join(value(c) for c in point) + ")" for point in found))
            break
    if not found or len(found) != len(points) or any(
            any(sp.simplify(a - b) != 0 for a, b in zip(p, q, strict=True)) for p, q in zip(sorted(found, key=_order),
                                                                                         sorted(points, key=_order),
                                                                                         strict=True)):
        return None
    return lines


def _order(point: list[sp.Expr]) -> tuple[float, ...]:
    return tuple(float(c) for c in point)


def most_of(what: str, parts: list) -> str:
    """Courses for a work of several parts: every choice of all of them but one, where there are three or more,
    so that another draw sharing all but one is a column copied (read54 F6: two versions' rates 0.75, 1, 0.25 and
    a fourth, on one curvature, gave three of four verdicts alike); all of them together where fewer."""
    keys = [parts] if len(parts) < 3 else [parts[:k] + parts[k + 1:] for k in range(len(parts))]
    return "\n".join(f"{what} " + "; ".join(map(str, key)) for key in keys)
