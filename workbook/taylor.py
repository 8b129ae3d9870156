"""High-order derivatives measured without differentiating: Taylor coefficients at a point.

Finite differences lose about one digit for every order they take, so from the third derivative
on ``verify`` measures a derivative as a Taylor coefficient instead, from the function alone:

- **exact rational arithmetic** for a rational function with rational coefficients (every
  polynomial): numerator and denominator are shifted to the point and divided as power series in
  Python's ``Fraction``. The coefficient of t^k times k! is the derivative, exactly.
- **Cauchy's integral formula** for any other analytic function: f^(k)(a) = k!/(2 pi i) times the
  integral of f(z)/(z - a)^(k+1) around a circle, which the trapezoid rule on N points evaluates
  to near machine precision when the circle stays clear of singularities. It is taken on circles
  of several radii; the two neighbouring radii that agree best give the value, and their
  disagreement is the error estimate, so a circle that crosses a branch cut or a pole is never
  trusted.

A function with kinks (|u|, max, relu, the unit step) is analytic between them: at each point it
is replaced by the branch it follows there (|u| by u or -u, max by its largest argument, ...), so
the same methods measure it. A point on a kink has no such branch and is not usable.

Several variables work the same way on a product of circles (a torus), one per variable that is
differentiated; the others stay at the point.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache
from itertools import product

import numpy as np
import sympy as sp

from workbook.functions import NUMPY_FUNCTIONS, relu

EXACT = "exact rational arithmetic"
CAUCHY = "Cauchy integral"
_RADII = (16.0, 8.0, 4.0, 2.0, 1.0, 0.5, 0.25, 0.125, 0.0625, 0.03125)
_KINKS = (sp.Abs, sp.sign, sp.Heaviside, relu, sp.Max, sp.Min, sp.DiracDelta)
_TIE = 1e-15  # arguments this close count as a tie (a kink): the point is not used
_MAX_GRID = 1 << 17
_CLEAN = 1e-9  # on a circle that may be used, what must vanish is this small beside f's largest value  # function evaluations on one torus, at most


def _erf(z):
    """erf for complex arguments by its Taylor series (NumPy has none); nan where |z| > 4, where
    the series would lose its digits to cancellation."""
    z = np.asarray(z, dtype=complex)
    term, total = z.copy(), z.copy()
    for n in range(1, 120):
        term = term * (-z * z) / n
        total = total + term / (2 * n + 1)
    return np.where(np.abs(z) <= 4, 2 / math.sqrt(math.pi) * total, np.nan)


_COMPLEX = [{**NUMPY_FUNCTIONS, "erf": _erf}, "numpy"]


@lru_cache(maxsize=256)
def _complex_function(expr: sp.Expr, variables: tuple[sp.Symbol, ...]):
    return sp.lambdify(list(variables), expr, modules=_COMPLEX, docstring_limit=0)  # no docstring: half the time


def measure(function: sp.Expr, variables: list[sp.Symbol], counts: tuple[int, ...],
            points: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """The partial derivative that takes ``counts[i]`` derivatives in ``variables[i]``, at each row of
    ``points``: (values, error estimates, method). A point where it cannot be measured is nan."""
    values = np.full(len(points), np.nan)
    errors = np.full(len(points), np.inf)
    methods = []
    for i, point in enumerate(points):
        at = {v: float(c) for v, c in zip(variables, point)}
        branch = analytic_branch(function, at)
        if branch is None or branch.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
            continue
        exact = _exact(branch, tuple(variables), counts, tuple(Fraction(float(c)) for c in point))
        if exact is not None:
            values[i], errors[i] = float(exact), 0.0
            methods.append(EXACT)
            continue
        values[i], errors[i] = _cauchy(branch, tuple(variables), counts, np.asarray(point, dtype=float))
        methods.append(CAUCHY)
    return values, errors, ", ".join(dict.fromkeys(methods)) or CAUCHY


# ---------------------------------------------------------------- the branch at a point


def analytic_branch(expr: sp.Expr, at: dict[sp.Symbol, float]) -> sp.Expr | None:
    """The analytic function that equals ``expr`` near the point ``at``; None on a kink."""
    if not expr.has(*_KINKS):
        return expr
    args = []
    for a in expr.args:
        b = analytic_branch(a, at) if isinstance(a, sp.Basic) else a
        if b is None:
            return None
        args.append(b)
    if not isinstance(expr, _KINKS):
        return expr.func(*args)
    values = [_value(a, at) for a in (args if isinstance(expr, (sp.Max, sp.Min)) else args[:1])]
    if any(v is None for v in values):
        return None
    if isinstance(expr, (sp.Max, sp.Min)):
        order = sorted(range(len(args)), key=lambda k: values[k], reverse=isinstance(expr, sp.Max))
        first, second = values[order[0]], values[order[1]]
        apart = _exact_sign(args[order[0]] - args[order[1]], at)
        if apart is not None:  # an exact point 10^-16 from a corner is not on it (attack29)
            return None if apart == 0 else args[order[0]]
        return None if abs(first - second) <= _TIE * max(1.0, abs(first)) else args[order[0]]
    u, inner = values[0], args[0]
    sign = _exact_sign(inner, at)
    if sign == 0 or sign is None and abs(u) <= _TIE:
        return None
    positive = sign > 0 if sign is not None else u > 0
    if isinstance(expr, sp.Abs):
        return inner if positive else -inner
    if isinstance(expr, sp.sign):
        return sp.Integer(1 if positive else -1)
    if isinstance(expr, sp.Heaviside):
        return sp.Integer(1 if positive else 0)
    if isinstance(expr, relu):
        return inner if positive else sp.Integer(0)
    return sp.Integer(0)  # DiracDelta away from 0


_SIGN_DIGITS = 60  # an exact point's kink argument, evaluated to this many digits, decides its side


def _exact_sign(expr: sp.Expr, at: dict) -> int | None:
    """The sign of expr at an exact point (every coordinate an exact SymPy number): 0 where it is exactly 0,
    else the sign of its value to _SIGN_DIGITS digits; None at a point in floats, or where those digits do not
    tell (the float test, with its tie, decides then)."""
    if not all(isinstance(c, sp.Basic) and c.is_number and not c.has(sp.Float) for c in at.values()):
        return None
    try:
        there = expr.xreplace(at)
        if there == 0 or there.is_zero is True:
            return 0
        if there.is_Rational:  # exact, however small: |x| at 10^-300 was "a corner" (attack32)
            return 1 if there > 0 else -1
        value = sp.N(there, _SIGN_DIGITS)
    except (TypeError, ValueError, ZeroDivisionError, RecursionError):
        return None
    if not (value.is_number and value.is_real) or abs(value) < sp.Float(10) ** (20 - _SIGN_DIGITS):
        return None
    return 1 if value > 0 else -1


def _value(expr: sp.Expr, at: dict[sp.Symbol, float]) -> float | None:
    try:
        # a point may be exact and irrational (pi + 1/10^4, where |x - pi| has its corner): in decimals first
        v = complex(expr.evalf(20, subs={s: sp.N(c, 25) if isinstance(c, sp.Basic) else sp.Float(c, 20)
                                         for s, c in at.items()}))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return v.real if math.isfinite(v.real) and abs(v.imag) <= 1e-12 * max(1.0, abs(v.real)) else None


# ---------------------------------------------------------------- exact: rational functions


@lru_cache(maxsize=128)
def _rational_parts(expr: sp.Expr, variables: tuple[sp.Symbol, ...]):
    """(numerator terms, denominator terms) as {exponents: Fraction}, or None if ``expr`` is not a
    rational function of ``variables`` with rational coefficients."""
    if expr.free_symbols - set(variables) or expr.atoms(sp.NumberSymbol):
        return None
    if not expr.is_rational_function(*variables):
        return None
    try:
        num, den = sp.fraction(sp.together(expr))
        parts = [sp.Poly(p, *variables, domain="QQ") for p in (num, den)]
    except (sp.PolynomialError, sp.CoercionFailed, sp.GeneratorsNeeded, ValueError, TypeError):
        return None
    return tuple({m: Fraction(int(c.p), int(c.q)) for m, c in p.terms()} for p in parts)


def _exact(expr: sp.Expr, variables: tuple, counts: tuple[int, ...], point: tuple[Fraction, ...]) -> Fraction | None:
    parts = _rational_parts(expr, variables)
    if parts is None:
        return None
    num, den = (_shifted(p, point, counts) for p in parts)
    if den[(0,) * len(counts)] == 0:
        return None  # a pole
    box = sorted(product(*(range(k + 1) for k in counts)), key=sum)
    series: dict[tuple, Fraction] = {}
    for alpha in box:  # the power series num/den, coefficient by coefficient
        total = num.get(alpha, Fraction(0))
        for beta, q in den.items():
            if any(beta) and all(b <= a for b, a in zip(beta, alpha)):
                total -= q * series[tuple(a - b for a, b in zip(alpha, beta))]
        series[alpha] = total / den[(0,) * len(counts)]
    return series[counts] * math.prod(math.factorial(k) for k in counts)


def _shifted(terms: dict, point: tuple[Fraction, ...], counts: tuple[int, ...]) -> dict:
    """The polynomial at point + t, its coefficients in t up to ``counts`` in each variable."""
    out: dict[tuple, Fraction] = {}
    for exponents, c in terms.items():
        factors = []  # for each variable: {power of t: coefficient} of (a + t)^e
        for e, a, k in zip(exponents, point, counts):
            factors.append({j: math.comb(e, j) * a ** (e - j) for j in range(min(e, k) + 1)})
        for picks in product(*(f.items() for f in factors)):
            key = tuple(j for j, _ in picks)
            out[key] = out.get(key, Fraction(0)) + c * math.prod(v for _, v in picks)
    return out


# ---------------------------------------------------------------- Cauchy's integral formula


def _cauchy(expr: sp.Expr, variables: tuple, counts: tuple[int, ...], point: np.ndarray) -> tuple[float, float]:
    """f's derivative at the point from its values on circles of several radii: (value, error
    estimate) from the radius whose estimate is the most trustworthy.

    The discrete Fourier transform of f on a circle of radius r gives every Taylor coefficient
    c_m r^m at once. The coefficients of negative index must vanish when f is analytic inside the
    circle; what they hold measures a pole or a branch cut inside it and the aliasing of the
    coefficients the circle's N points cannot resolve, so with the rounding of the sum it is the
    error estimate. A circle around a pole is never trusted, however well it agrees with others.
    """
    try:
        f = _complex_function(expr, variables)
    except (KeyError, TypeError, NameError, SyntaxError):  # nothing NumPy can evaluate
        return math.nan, math.inf
    axes = [i for i, k in enumerate(counts) if k]
    factorials = math.prod(math.factorial(k) for k in counts)
    best, error = 0.0, math.inf
    reach = _reach(expr, variables, point)
    for r in _RADII:
        if r >= reach:
            continue  # the circle would enclose a branch point or pole: x^x's at 0, seen from x = 2
        # one variable: 64 points, then more while the circle's coefficients have not died away
        for n in ((64, 256, 1024) if len(axes) == 1 else (2 * ((max(counts) + 25) // 2),)):
            found = _on_torus(f, counts, axes, point, r, n, factorials)
            if found is not None:
                break
        if found is None:
            continue
        value, estimate = found
        if estimate / max(1.0, abs(value)) < error / max(1.0, abs(best)):
            best, error = value, estimate
    return (best, error) if math.isfinite(error) else (math.nan, math.inf)


_SINGULAR = (sp.log, sp.asin, sp.acos, sp.atanh, sp.acoth, sp.asec, sp.acsc, sp.acosh)


def _reach(expr: sp.Expr, variables: tuple, point: np.ndarray) -> float:
    """How far from the point a circle (in any one variable, the others held) may reach before it meets
    a point where expr is not analytic that a polynomial locates: a zero of what a logarithm, an
    inverse function, a non-integer power or a denominator is taken of. A leak test alone is fooled
    when f is much larger elsewhere on the circle than near its branch cut. Infinity when none is found."""
    arguments = []
    for atom in expr.atoms(sp.Pow, *_SINGULAR):
        if isinstance(atom, sp.Pow):
            if not (atom.exp.is_Integer and atom.exp > 0):
                arguments.append(atom.base)  # 1/u, sqrt(u), u^x: u = 0 (x^x is exp(x log x), a log of x)
        else:
            arguments.append(atom.args[0])
            if atom.func in (sp.asin, sp.acos, sp.atanh, sp.acoth):  # also at +-1
                arguments += [atom.args[0] - 1, atom.args[0] + 1]
    reach = math.inf
    for i, v in enumerate(variables):
        held = {w: sp.Float(point[j]) for j, w in enumerate(variables) if j != i}
        for u in arguments[:30]:
            u = u.xreplace(held)
            if not u.free_symbols <= {v}:
                continue
            try:
                poly = sp.Poly(u, v)
            except sp.PolynomialError:
                continue
            if poly.degree() < 1 or poly.degree() > 8:
                continue
            for root in np.roots([complex(c) for c in poly.all_coeffs()]):
                reach = min(reach, abs(complex(root) - point[i]))
    return reach


def _on_torus(f, counts: tuple[int, ...], axes: list[int], point: np.ndarray, r: float, n: int,
              factorials: int) -> tuple[float, float] | None:
    """(derivative, error estimate) from n points a circle of radius r on each differentiated axis,
    or None if that torus cannot be trusted."""
    sizes = [n] * len(axes)
    while math.prod(sizes) > _MAX_GRID:
        sizes = [max(2 * counts[i] + 4, s // 2) for i, s in zip(axes, sizes)]
    grids = np.meshgrid(*(2 * np.pi * np.arange(m) / m for m in sizes), indexing="ij")
    negative = np.zeros(grids[0].shape, dtype=bool)  # the coefficients that must vanish
    for axis, m in enumerate(sizes):
        index: list = [None] * len(sizes)
        index[axis] = slice(None)
        negative |= (np.arange(m) > m // 2 - 1)[tuple(index)]
    args = [np.full(grids[0].shape, complex(c)) for c in point]
    for i, theta in zip(axes, grids):
        args[i] = point[i] + r * np.exp(1j * theta)
    with np.errstate(all="ignore"):
        try:
            values = np.broadcast_to(np.asarray(f(*args), dtype=complex), grids[0].shape)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError, MemoryError):
            return None
        if not np.isfinite(values).all():
            return None
        coefficients = np.fft.fftn(values) / values.size
        size = float(np.abs(values).max())
        leak = float(np.abs(coefficients[negative]).max())
        if leak > _CLEAN * size:
            return None  # a pole or a branch cut inside the circle, or f too wild for its n points
        scale = factorials / r ** sum(counts)
        value = coefficients[tuple(counts[i] for i in axes)] * scale
        estimate = (leak + 1e-15 * size) * scale + abs(value.imag)
    return (float(value.real), estimate) if math.isfinite(estimate) else None
