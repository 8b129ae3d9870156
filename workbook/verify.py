"""Independent numeric checks with NumPy.

A symbolic derivative is compared with a derivative measured from the *original* function
alone, at points spread over its domain: the complex-step derivative where the function is
analytic (exact to rounding), otherwise central differences with Richardson extrapolation,
taken at two step sizes whose disagreement marks a point as unusable (a kink, a jump or a
cliff nearby). Too few usable points is a failure, never a pass.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

import numpy as np
import sympy as sp

from workbook import taylor
from workbook.functions import NOT_COMPLEX_STEP, NUMPY_FUNCTIONS, relu

MIN_POINTS = 5
_NUMPY = [
    {
        **NUMPY_FUNCTIONS,
        "erf": np.vectorize(math.erf, otypes=[float]),
        "DiracDelta": lambda x, *k: np.where(x == 0, np.inf, 0.0),
    },
    "numpy",
]


class VerifyError(ValueError):
    """An answer failed its independent check."""

    plain = True  # its message is for the family's author, as it stands


class NoSuchPartial(VerifyError):
    """A partial derivative asked for does not exist: the function or its slope jumps across a line."""


@dataclass(frozen=True)
class Check:
    """What one independent check measured: how, at how many points, the largest relative error,
    and what it checked (for example "f'(x)" or "the tangent touches the curve")."""

    method: str
    points: int
    max_error: float
    what: str = ""

    def record(self) -> dict:
        return asdict(self)

    def of(self, what: str) -> Check:
        """The same measurement, saying what it checked."""
        return replace(self, what=what)


def verified(checks: list[Check]) -> dict:
    """The manifest's ``verified`` record, made only from what the checks returned: each check, and
    over all of them the methods used, the points measured and the largest relative error."""
    if not checks:
        raise ValueError("a problem must be checked: no check returned a measurement")
    methods = list(dict.fromkeys(c.method for c in checks))
    return {"method": ", ".join(methods), "points": sum(c.points for c in checks),
            "max_error": max(c.max_error for c in checks), "checks": [c.record() for c in checks]}


def agree(claimed, measured, what: str, method: str, *, rtol: float = 1e-6) -> Check:
    """Compare claimed values with measured ones, entry by entry; VerifyError on the first that differs.

    The scale comes from the measurement, never from the claim: a wrong answer must not widen it.
    """
    claimed = np.asarray(claimed, dtype=float).ravel()
    measured = np.asarray(measured, dtype=float).ravel()
    if claimed.shape != measured.shape or not np.isfinite(measured).all():
        raise VerifyError(f"{what}: could not be measured")
    scale = np.maximum(1.0, np.abs(measured))
    error = np.abs(claimed - measured) / scale
    if not np.isfinite(claimed).all() or (error > rtol).any():
        i = int(np.argmax(np.where(np.isfinite(error), error, np.inf)))
        raise VerifyError(f"{what}: the answer gives {claimed[i]:.10g} but it measures {measured[i]:.10g}")
    return Check(method=method, points=int(claimed.size), max_error=float(error.max(initial=0.0)), what=what)


def numeric(expr: sp.Expr, variables: list[sp.Symbol]):
    """A NumPy function of ``variables`` for a parsed SymPy expression (never raw text). A constant arccot is
    put in by its value: the printer writes acot(u) as atan(1/u), and acot(0), as typed, came out atan(zoo),
    which NumPy has no name for (attack30: a right answer holding acot(0) stopped the judge)."""
    if expr.has(sp.acot):
        expr = expr.replace(lambda n: isinstance(n, sp.acot) and not n.free_symbols, lambda n: sp.acot(n.args[0]))
    return _lambdified(expr, tuple(variables))


@lru_cache(maxsize=512)
def _lambdified(expr: sp.Expr, variables: tuple[sp.Symbol, ...]):
    # one draw checks the same function at several points and for several partials: build it once
    # no docstring: lambdify prints the expression again for one (half its time), and nothing reads it
    return sp.lambdify(list(variables), expr, modules=_NUMPY, docstring_limit=0)


def sample_points(lo: float, hi: float, n: int = 16) -> np.ndarray:
    """n points spread over (lo, hi), off the round numbers where functions misbehave."""
    k = np.arange(n)
    return lo + (hi - lo) * ((0.1234 + k * 0.6180339887) % 1.0)


def evaluate(f, x: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        try:
            y = np.asarray(f(x), dtype=complex if np.iscomplexobj(x) else float)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return np.full(x.shape, np.nan)
    return np.broadcast_to(y, x.shape).copy()


def _complex_step(f, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    # small beside x too: at x = 1.2e-21 (a --domain 0..10^-20) a step of 1e-20 measured sqrt's slope as half of
    # what it is, and solve called its own right answer wrong (attack30)
    h = 1e-20 * np.maximum(1.0, np.abs(x))
    h = np.where(x != 0, np.maximum(np.minimum(h, 1e-10 * np.abs(x)), 1e-300), h)
    d = evaluate(f, x + 1j * h).imag / h
    return d, np.zeros_like(d)


def _central(f, x: np.ndarray, order: int, h: np.ndarray) -> np.ndarray:
    total = np.zeros_like(x)
    for k in range(order + 1):
        total = total + (-1) ** k * math.comb(order, k) * evaluate(f, x + (order / 2 - k) * h)
    return total / h**order


def _richardson(f, x: np.ndarray, order: int) -> tuple[np.ndarray, np.ndarray]:
    """Derivative estimate and its error estimate (difference between two step sizes)."""
    base = {1: 2e-3, 2: 1e-2, 3: 3e-2}.get(order, 5e-2) * np.maximum(1.0, np.abs(x))

    def extrapolated(h):
        return (4 * _central(f, x, order, h / 2) - _central(f, x, order, h)) / 3

    a, b = extrapolated(base), extrapolated(base / 2)
    return b, np.abs(a - b)


def derivative_at(function: sp.Expr, var: sp.Symbol, order: int, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Numeric d^order/dvar^order of ``function`` at x, its error estimate and the method: from the
    third derivative on, a Taylor coefficient (``workbook/taylor.py``), not finite differences."""
    if order >= 3 or (order == 1 and _high_power(function)):
        return taylor.measure(function, [var], (order,), x[:, None])
    f = numeric(function, [var])
    if order == 1 and not function.has(*NOT_COMPLEX_STEP):
        d, err = _complex_step(f, x)
        return d, err, "complex-step"
    d, err = _richardson(f, x, order)
    return d, err, "central-difference"


def _high_power(function: sp.Expr) -> bool:
    """A power such as (x+1)^100 or sin(x)^100: NumPy takes it through polar form, whose rounding of
    100 times the angle swamps the complex step's 1e-20; a Taylor coefficient measures it instead."""
    return any(p.exp.is_Integer and abs(int(p.exp)) >= 16 for p in function.atoms(sp.Pow))


def check_derivative(function: sp.Expr, var: sp.Symbol, order: int, answer: sp.Expr, *,
                     domain: tuple[float, float] = (-3.0, 3.0), rtol: float = 1e-6, n: int = 16,
                     gaps: bool = False) -> Check:
    """Raise VerifyError unless ``answer`` matches the measured derivative of ``function`` (at ``n``
    points spread over ``domain``), and has a value wherever f has a slope (``gaps``: but where a key printed
    in pieces, each checked on its own, stands for it)."""
    x = sample_points(*domain, n)
    f_vals = evaluate(numeric(function, [var]), x)
    claimed = evaluate(numeric(answer, [var]), x)
    measured, err, method = derivative_at(function, var, order, x)
    scale = np.maximum(1.0, np.abs(measured))  # never from the claim: a wrong answer must not widen it
    tol = (1e-5 if method == "central-difference" else rtol) * scale
    usable = np.isfinite(f_vals) & np.isfinite(claimed) & np.isfinite(measured) & (err <= tol)
    if usable.sum() < MIN_POINTS:
        raise VerifyError(f"only {int(usable.sum())} usable points in {domain} (need {MIN_POINTS})")
    bad = usable & (np.abs(claimed - measured) > tol)
    if bad.any():
        i = int(np.argmax(bad))
        raise VerifyError(f"at {var} = {x[i]:.6g} the answer gives {claimed[i]:.10g} "
                          f"but the function's slope measures {measured[i]:.10g}")
    # an answer with no value over a stretch where f has a slope (sqrt(relu(x))'s θ(x)/(2√relu(x)), 0/0 for every
    # x < 0) is no answer there, whatever it gives elsewhere (attack25); one point alone is a removable gap
    _no_gaps(f_vals, measured, err, tol, claimed, lambda i: f"{var} = {x[i]:.6g}", gaps)
    error = float(np.max(np.abs(claimed - measured)[usable] / scale[usable]))
    return Check(method=method, points=int(usable.sum()), max_error=error)


def check_pieces(function: sp.Expr, var: sp.Symbol, order: int, pieces, domain: tuple[float, float]) -> list[Check]:
    """Each piece of a derivative printed in pieces ((low, high, formula), as school.derivative_pieces gives them)
    against the derivative measured from ``function`` inside its interval, within ``domain``: the key and solve's
    headline printed "NaN if x < 0" while a check read SymPy's own form (attack25)."""
    checks = []
    for lo, hi, branch in pieces or ():
        a = max(domain[0], float(lo) if lo is not None else domain[0])
        b = min(domain[1], float(hi) if hi is not None else domain[1])
        if b - a > 1e-3:
            margin = 0.05 * (b - a)
            checks.append(check_derivative(function, var, order, branch, domain=(a + margin, b - margin))
                          .of(f"the piece on ({a:g}, {b:g})"))
    return checks


def _no_gaps(f_vals, measured, err, tol, claimed, where, gaps: bool) -> None:
    """VerifyError where an answer has no value over a stretch where f has a slope: sqrt(relu(x))'s
    θ(x)/(2√relu(x)) is 0/0 for every x < 0, where the slope is 0 (attack25). A point alone is a removable gap."""
    blank = np.isfinite(f_vals) & np.isfinite(measured) & (err <= tol) & ~np.isfinite(claimed)
    if blank.sum() >= 2 and not gaps:
        i = int(np.argmax(blank))
        raise VerifyError(f"the answer has no value at {where(i)} (0/0 as the rules write it), where the function's "
                          f"slope measures {measured[i]:.6g}")


KINKED = (sp.Abs, sp.Heaviside, sp.sign, sp.Max, sp.Min)


def switches(e: sp.Expr) -> list[sp.Expr]:
    """The expressions whose sign switches a piece of e: the argument of |u|, a step, sign or relu, and
    the difference of each two arguments of max or min."""
    arguments = []
    for atom in e.atoms(*KINKED, relu):
        if isinstance(atom, sp.Max | sp.Min):
            arguments += [u - v for u, v in itertools.combinations(atom.args, 2)]
        else:
            arguments.append(atom.args[0])
    return arguments


def corners(function: sp.Expr, var: sp.Symbol, lo: float, hi: float) -> list[float]:
    """Where the pieces of |u|, a step, sign, max, min or relu in ``function`` meet inside (lo, hi):
    the zeros of each switching expression that is a polynomial in var (at most 20)."""
    found: set[float] = set()
    for u in switches(function)[:20]:
        if not u.free_symbols <= {var} or not u.is_polynomial(var) or sp.degree(u, var) > 4:
            continue
        try:
            roots = [float(r) for r in sp.Poly(u, var).real_roots()]
        except (NotImplementedError, sp.PolynomialError, sp.DomainError):  # coefficients such as sqrt(2): SymPy
            # isolates no roots over them ("sorted roots not supported over EX", a bank's |x - sqrt(2)|: attack38b)
            coeffs = [complex(sp.N(c, 30)) for c in sp.Poly(u, var).all_coeffs()]
            if any(c.imag for c in coeffs):
                continue
            roots = [r.real for r in np.roots([c.real for c in coeffs]) if abs(r.imag) <= 1e-12 * max(1.0, abs(r))]
        found.update(r for r in roots if lo < r < hi)
    return sorted(found)[:20]


def _one_sided(f, at: float, order: int, side: int) -> tuple[float, float]:
    """The derivative of ``order`` at ``at`` from one side (side -1: from the left), by one-sided
    differences extrapolated to step 0, and its error estimate (two step sizes)."""

    def difference(h: float) -> float:
        xs = at + side * h * np.arange(order + 1)
        ys = evaluate(f, xs)
        total = sum((-1) ** k * math.comb(order, k) * ys[k] for k in range(order + 1))
        return (-side) ** order * total / h**order  # backward differences as they are, forward ones signed

    def extrapolated(h: float) -> float:
        return 2 * difference(h / 2) - difference(h)  # the error of one-sided steps is first order in h

    base = {1: 1e-4, 2: 1e-3}.get(order, 1e-2) * max(1.0, abs(at))
    a, b = extrapolated(base), extrapolated(base / 2)
    return float(b), float(abs(a - b))


def check_corners(function: sp.Expr, var: sp.Symbol, order: int, answer: sp.Expr, *,
                  domain: tuple[float, float] = (-3.0, 3.0), left: bool) -> Check | None:
    """The answer's own value at each corner of ``function`` in the domain (None if it has none),
    measured from the function: with ``left`` (the prompt's convention) the slope from the left; without,
    the slope from both sides where they agree, and where they do not the answer must be undefined (nan).
    The main check samples away from corners; this one judges the corners themselves."""
    points = corners(function, var, *domain)
    if not points:
        return None
    f, g = numeric(function, [var]), numeric(answer, [var])
    errors = []
    for c in points:
        claimed = float(evaluate(g, np.array([c]))[0])
        from_left, err_left = _one_sided(f, c, order, -1)
        from_right, _ = _one_sided(f, c, order, 1)
        scale = max(1.0, abs(from_left))
        if not (np.isfinite(from_left) and err_left <= 1e-4 * scale):
            raise VerifyError(f"at the corner {var} = {c:.6g} the slope from the left could not be measured")
        jump = abs(from_left - from_right) > 1e-3 * scale
        if not left and jump:
            if np.isfinite(claimed):
                raise VerifyError(f"at the corner {var} = {c:.6g} the derivative is undefined (the slopes from "
                                  f"the left and the right are {from_left:.6g} and {from_right:.6g}), but the "
                                  f"answer gives {claimed:.10g}")
            continue
        if not np.isfinite(claimed) or abs(claimed - from_left) > 1e-4 * scale:
            raise VerifyError(f"at the corner {var} = {c:.6g} the answer gives {claimed:.10g} but the slope "
                              f"from the left measures {from_left:.10g}")
        errors.append(abs(claimed - from_left) / scale)
    return Check(method="one-sided difference", points=len(points), max_error=max(errors, default=0.0))


def _no_number(function: sp.Expr, at: dict) -> str:
    """Why a check has no double for the function at a point: undefined there, or a value past a double's range
    (e^3000 was said to be undefined at 3, and the bank's author looked for a hole: attack35b)."""
    where = ", ".join(f"{v} = {float(c):g}" for v, c in at.items())
    try:
        value = sp.N(function.xreplace({v: sp.nsimplify(c) for v, c in at.items()}), 15)
        big = value.is_number and value.is_finite and abs(value) > sp.Float("1e300")
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, RecursionError):
        big = False
    if big:
        power = int(sp.floor(sp.log(abs(value), 10)))
        return (f"the function is about 10^{power} at {where}, past what a double holds (10^308): make the "
                "numbers smaller")
    return f"the function is undefined at {where}"


def check_value_at(function: sp.Expr, var: sp.Symbol, order: int, at: float, value: float, *,
                   rtol: float = 1e-6) -> Check:
    """Raise VerifyError unless the derivative of ``function`` at ``at`` measures ``value``."""
    x = np.array([float(at)])
    if not np.isfinite(evaluate(numeric(function, [var]), x)).all():
        raise VerifyError(_no_number(function, {var: at}))
    measured, err, method = derivative_at(function, var, order, x)
    scale = max(1.0, abs(float(measured[0])))
    tol = (1e-5 if method == "central-difference" else rtol) * scale
    if not (np.isfinite(measured[0]) and err[0] <= tol):
        raise VerifyError(f"the derivative cannot be measured at {var} = {at}")
    if abs(measured[0] - value) > tol:
        raise VerifyError(f"at {var} = {at} the answer is {value:.10g} but the slope measures {measured[0]:.10g}")
    return Check(method=method, points=1, max_error=float(abs(measured[0] - value) / scale))


def check_values(claimed: sp.Expr, truth: sp.Expr, variables: list[sp.Symbol], points, *, what: str,
                 rtol: float = 1e-9) -> Check:
    """Two expressions evaluated at the given points must agree (for example a tangent line and its
    curve at the point of contact); VerifyError where they differ or cannot be evaluated."""
    p = np.array(points, dtype=float)
    a = _at(numeric(claimed, variables), p)
    b = _at(numeric(truth, variables), p)
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise VerifyError(f"{what}: cannot be evaluated at {p.tolist()}")
    scale = np.maximum(1.0, np.abs(b))
    error = np.abs(a - b) / scale
    if (error > rtol).any():
        raise VerifyError(f"{what}: {a.tolist()} against {b.tolist()} at {p.tolist()}")
    return Check(method="evaluation", points=len(p), max_error=float(error.max()), what=what)


# ---------------------------------------------------------------- functions of several variables


def sample_grid(lo: float, hi: float, dims: int, n: int = 16) -> np.ndarray:
    """n points in the box [lo, hi]^dims, each coordinate on its own low-discrepancy sequence."""
    k = np.arange(n)[:, None]
    # past three coordinates (a partial in many variables), the fractional parts of square roots of primes
    extra = [math.sqrt(p) % 1.0 for p in (5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59, 61, 67)]
    steps = np.array(([0.6180339887, 0.7548776662, 0.5698402910] + extra)[:dims])
    offsets = np.array(([0.1234, 0.4321, 0.2718] + [0.37 * (i + 1) % 1.0 for i in range(len(extra))])[:dims])
    return lo + (hi - lo) * ((offsets + k * steps) % 1.0)


def _at(f, points: np.ndarray) -> np.ndarray:
    """f evaluated at each row of points."""
    cols = [points[:, i] for i in range(points.shape[1])]
    with np.errstate(all="ignore"):
        try:
            y = np.asarray(f(*cols), dtype=complex if np.iscomplexobj(points) else float)
        except (ZeroDivisionError, OverflowError, ValueError, TypeError):
            return np.full(points.shape[0], np.nan)
    return np.broadcast_to(y, (points.shape[0],)).copy()


def partial_at(function: sp.Expr, variables: list[sp.Symbol], wrt: list[sp.Symbol],
               points: np.ndarray) -> tuple[np.ndarray, np.ndarray, str]:
    """Numeric partial derivative (first or second order, mixed allowed) at each point.

    First order on an analytic function: complex step along the coordinate. Otherwise the
    symmetric stencil sum(s1*s2*f(p + s1*h*e1 + s2*h*e2)) / 4h^2 (or the central difference),
    Richardson-extrapolated, with the change between two step sizes as the error estimate.
    """
    if len(wrt) >= 3:
        return taylor.measure(function, variables, tuple(wrt.count(v) for v in variables), points)
    f = numeric(function, variables)
    axes = [variables.index(v) for v in wrt]
    if len(axes) == 1 and not function.has(*NOT_COMPLEX_STEP):
        h = 1e-20 * np.maximum(1.0, np.abs(points[:, axes[0]]))
        shifted = points.astype(complex)
        shifted[:, axes[0]] += 1j * h
        d = _at(f, shifted).imag / h
        return d, np.zeros_like(d), "complex-step"
    scale = np.maximum(1.0, np.abs(points[:, axes]).max(axis=1))

    def stencil(h):
        total = np.zeros(points.shape[0])
        signs = [(1,), (-1,)] if len(axes) == 1 else [(1, 1), (1, -1), (-1, 1), (-1, -1)]
        for s in signs:
            p = points.copy()
            for sign, axis in zip(s, axes):
                p[:, axis] += sign * h
            total = total + np.prod(s) * _at(f, p)
        return total / (2 * h) if len(axes) == 1 else total / (4 * h**2)

    def extrapolated(h):
        return (4 * stencil(h / 2) - stencil(h)) / 3

    base = (2e-3 if len(axes) == 1 else 1e-2) * scale
    a, b = extrapolated(base), extrapolated(base / 2)
    return b, np.abs(a - b), "central-difference"


def check_partial(function: sp.Expr, variables: list[sp.Symbol], wrt: list[sp.Symbol], answer: sp.Expr, *,
                  domain: tuple[float, float] = (-2.0, 2.0), rtol: float = 1e-6) -> Check:
    """Raise VerifyError unless ``answer`` matches the measured partial derivative over the box. A partial
    that holds a δ is no answer: f jumps (or its slope does) across a line where the partial does not exist,
    and the key printed 2x + 8δ(y) for an L1 term b|y|, checked off the line (attack26)."""
    name = "d" + "d".join(str(v) for v in wrt)
    if answer.has(sp.DiracDelta):
        where = sorted({str(sp.Eq(d.args[0], 0)).replace("Eq(", "").replace(", 0)", " = 0") for d in answer.atoms(sp.DiracDelta)})
        raise NoSuchPartial(f"{name}: f or its slope jumps across {' and '.join(where)}, where this partial does not "
                          "exist (a δ would be printed): give a function smooth in every variable")
    points = sample_grid(*domain, dims=len(variables))
    f_vals = _at(numeric(function, variables), points)
    claimed = _at(numeric(answer, variables), points)
    measured, err, method = partial_at(function, variables, wrt, points)
    scale = np.maximum(1.0, np.abs(measured))
    tol = (1e-5 if method == "central-difference" else rtol) * scale
    usable = np.isfinite(f_vals) & np.isfinite(claimed) & np.isfinite(measured) & (err <= tol)
    if usable.sum() < MIN_POINTS:
        raise VerifyError(f"{name}: only {int(usable.sum())} usable points (need {MIN_POINTS})")
    bad = usable & (np.abs(claimed - measured) > tol)
    if bad.any():
        i = int(np.argmax(bad))
        where = ", ".join(f"{v} = {c:.4g}" for v, c in zip(variables, points[i]))
        raise VerifyError(f"{name} at ({where}): the answer gives {claimed[i]:.10g} but it measures {measured[i]:.10g}")
    _no_gaps(f_vals, measured, err, tol, claimed,
             lambda i: "(" + ", ".join(f"{v} = {c:.4g}" for v, c in zip(variables, points[i])) + ")", False)
    return Check(method=method, points=int(usable.sum()),
                 max_error=float(np.max(np.abs(claimed - measured)[usable] / scale[usable])))


def measured_gradient(function: sp.Expr, variables: list[sp.Symbol], point: list[float]) -> np.ndarray:
    """The gradient at one point, measured coordinate by coordinate; VerifyError if it cannot be."""
    p = np.array([point], dtype=float)
    if not np.isfinite(_at(numeric(function, variables), p)).all():
        raise VerifyError(_no_number(function, dict(zip(variables, point, strict=True))))
    out = []
    for v in variables:
        d, err, _ = partial_at(function, variables, [v], p)
        if not (np.isfinite(d[0]) and err[0] <= 1e-6 * max(1.0, abs(d[0]))):
            raise VerifyError(f"d/d{v} cannot be measured at {tuple(point)}")
        out.append(d[0])
    return np.array(out)


def check_stationary(function: sp.Expr, variables: list[sp.Symbol], point: list[float]) -> Check:
    """A claimed critical point: the gradient measured there must vanish (to 1e-6)."""
    measured = measured_gradient(function, variables, point)
    return agree(np.zeros(len(variables)), measured, f"the gradient at {tuple(point)}", _first_order_method(function))


def measured_hessian(function: sp.Expr, variables: list[sp.Symbol], point: list[float]) -> np.ndarray:
    """Second partials at one point by finite differences (symmetric stencils); VerifyError if they
    cannot be measured."""
    p = np.array([point], dtype=float)
    n = len(variables)
    H = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            d, err, _ = partial_at(function, variables, [variables[i], variables[j]], p)
            if not (np.isfinite(d[0]) and err[0] <= 1e-5 * max(1.0, abs(d[0]))):
                raise VerifyError("the Hessian cannot be measured here")
            H[i, j] = d[0]
    return H


def check_classification(function: sp.Expr, variables: list[sp.Symbol], point: list[float], hessian,
                         kind: str) -> Check:
    """A critical point's type (minimum, maximum or saddle point) against the signs of the eigenvalues
    of the Hessian measured there; the claimed Hessian at the point must match the measured one."""
    measured = measured_hessian(function, variables, point)
    eig = np.linalg.eigvalsh(measured)
    seen = ("inconclusive" if np.min(np.abs(eig)) < 1e-6 else
            "minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle point")
    if seen != kind:
        raise VerifyError(f"at {tuple(point)} the measured Hessian says {seen}, not {kind}")
    return agree(hessian, measured, f"the Hessian at {tuple(point)}", "central-difference", rtol=1e-4)


def check_optimum(function: sp.Expr, variables: list[sp.Symbol], best: list[float], value: float,
                  goal: str) -> Check:
    """A grid search, 41 points a side around the claimed optimum: f there must be the claimed value and
    no grid point may do better (higher to maximize, lower to minimize)."""
    fn = numeric(function, variables)
    spans = [np.linspace(c - max(1.0, abs(c) * 0.5), c + max(1.0, abs(c) * 0.5), 41) for c in best]
    grids = np.meshgrid(*spans)
    with np.errstate(all="ignore"):
        z = np.asarray(fn(*grids), dtype=float) * np.ones_like(grids[0])
        here = float(np.asarray(fn(*best), dtype=float))
    if not close(here, value):
        raise VerifyError(f"the optimum's value measures {here:.10g}, not {value:.10g}")
    if not np.isfinite(z).any():
        raise VerifyError("the grid around the optimum cannot be evaluated")
    top = float(np.nanmax(z) if goal == "maximize" else np.nanmin(z))
    slack = 1e-9 * max(1, abs(here))
    if (top > here + slack) if goal == "maximize" else (top < here - slack):
        raise VerifyError(f"a grid point gives {top:.10g}, better than the claimed optimum's {here:.10g}")
    error = max(abs(value - here), abs(value - top)) / max(1.0, abs(top))
    return Check(method="grid search", points=int(np.isfinite(z).sum()), max_error=float(error),
                 what=f"no grid point does better than {tuple(best)}")


def directional_measured(function: sp.Expr, variables: list[sp.Symbol], point: list[float],
                         unit: list[float]) -> float:
    """d/dt f(p + t u) at t = 0, measured along the line itself (complex step, else central)."""
    t = sp.Dummy("t", real=True)
    along = function.xreplace({v: p + t * u for v, p, u in zip(variables, map(sp.Float, point), map(sp.Float, unit))})
    d, err, _ = derivative_at(along, t, 1, np.array([0.0]))
    if not (np.isfinite(d[0]) and err[0] <= 1e-6 * max(1.0, abs(d[0]))):
        raise VerifyError("the directional derivative cannot be measured")
    return float(d[0])


def _first_order_method(function: sp.Expr) -> str:
    """How a first derivative of ``function`` is measured (as ``derivative_at`` and ``partial_at`` choose)."""
    return "central-difference" if function.has(*NOT_COMPLEX_STEP) else "complex-step"


def check_smooth_at(function: sp.Expr, variables: list[sp.Symbol], point: list[float], directions=()) -> None:
    """Raise VerifyError where f has a corner at ``point`` along a coordinate or one of ``directions``: its
    slope from one side is not its slope from the other (|x - y| + x^2 at (1, 1)), and there is no gradient
    there; differences centred on the corner would give the average, a number no one can check."""
    if not function.has(*NOT_COMPLEX_STEP):
        return
    f, p = numeric(function, variables), np.asarray(point, dtype=float)
    for u in [*np.eye(len(p)), *(np.asarray(d, dtype=float) for d in directions)]:
        def line(t, u=u):
            return f(*(p[:, None] + np.outer(u, np.atleast_1d(t))))
        (left, _), (right, _) = (_one_sided(line, 0.0, 1, side) for side in (-1, 1))
        if not (np.isfinite(left) and np.isfinite(right)) or abs(left - right) > 1e-4 * max(1.0, abs(left), abs(right)):
            raise VerifyError(f"f has a corner at {tuple(point)}: along {tuple(float(c) for c in u)} its slope is "
                              f"{left:.6g} from one side and {right:.6g} from the other; there is no gradient there")


def check_gradient_at(function: sp.Expr, variables: list[sp.Symbol], point: list[float], claimed, *,
                      rtol: float = 1e-6) -> Check:
    """Raise VerifyError unless ``claimed`` is the gradient measured at ``point``, coordinate by coordinate
    (and f has one there: no corner along a coordinate)."""
    check_smooth_at(function, variables, point)
    measured = measured_gradient(function, variables, point)
    return agree(claimed, measured, f"the gradient at {tuple(point)}", _first_order_method(function), rtol=rtol)


def check_directional(function: sp.Expr, variables: list[sp.Symbol], point: list[float], unit: list[float],
                      claimed: float, *, rtol: float = 1e-6) -> Check:
    """Raise VerifyError unless f changes at the rate ``claimed`` along the unit vector ``unit`` at
    ``point``, measured along the line itself (not from the gradient), where f has no corner along it."""
    check_smooth_at(function, variables, point, [unit])
    measured = directional_measured(function, variables, point, unit)
    return agree([claimed], [measured], f"the slope along {tuple(unit)}", _first_order_method(function), rtol=rtol)


def check_steepest(function: sp.Expr, variables: list[sp.Symbol], point: list[float], rate: float, *,
                   rtol: float = 1e-6) -> Check:
    """Raise VerifyError if f falls faster than ``rate`` (the claimed steepest descent) along any of 12
    unit directions around ``point`` (a cone about the last axis for three variables). ``max_error``
    is the largest relative amount by which a direction falls faster than claimed: 0 when none does."""
    excess = []
    for angle in np.linspace(0, 2 * np.pi, 12, endpoint=False):
        c, s = float(np.cos(angle)), float(np.sin(angle))
        u = [c, s] if len(variables) == 2 else [c * 0.6, s * 0.6, 0.8]
        slope = directional_measured(function, variables, point, u)
        if slope < -rate * (1 + rtol) - 1e-9:
            raise VerifyError(f"direction {u} falls faster ({slope:.10g}) than the claimed steepest descent")
        excess.append(max(0.0, -rate - slope) / max(1.0, rate))
    return Check(method=_first_order_method(function), points=len(excess), max_error=float(max(excess)),
                 what="no direction falls faster")


def close(a: float, b: float, rtol: float = 1e-6) -> bool:
    return bool(abs(a - b) <= rtol * max(1.0, abs(a), abs(b)))


def gradient_measurer(function: sp.Expr, variables: list[sp.Symbol]):
    """A function point -> measured gradient, the function compiled once (for loops of many steps)."""
    f = numeric(function, variables)
    analytic = not function.has(*NOT_COMPLEX_STEP)

    def grad(point) -> np.ndarray:
        p = np.asarray(point, dtype=float)
        out = np.empty(len(p))
        for i in range(len(p)):
            if analytic:
                h = 1e-20 * max(1.0, abs(p[i]))
                q = p.astype(complex)
                q[i] += 1j * h
                out[i] = complex(f(*q)).imag / h
            else:
                h = 1e-6 * max(1.0, abs(p[i]))
                a, b = p.copy(), p.copy()
                a[i] += h
                b[i] -= h
                out[i] = (float(f(*a)) - float(f(*b))) / (2 * h)
        return out

    return grad


# ---------------------------------------------------------------- gradient descent (a plain NumPy loop)


def descent_path(function: sp.Expr, variables: list[sp.Symbol], start: list[float], rate: float,
                 count: int) -> np.ndarray:
    """Gradient descent as a plain loop, the gradient measured from the function itself: the start,
    then each iterate (one row a point)."""
    grad = gradient_measurer(function, variables)
    x = np.array(start, dtype=float)
    path = [x.copy()]
    with np.errstate(all="ignore"):
        for _ in range(count):
            x = x - rate * grad(x)
            path.append(x.copy())
    return np.array(path)


def check_descent(function: sp.Expr, variables: list[sp.Symbol], start: list[float], rate: float,
                  iterates) -> Check:
    """The claimed iterates (after the start) against the plain loop's; VerifyError where one differs, or
    where a step is taken from a corner of f, where no gradient exists to step along."""
    claimed = np.asarray(iterates, dtype=float)
    for point in [start, *claimed[:-1].tolist()]:
        check_smooth_at(function, variables, point)
    measured = descent_path(function, variables, start, rate, len(claimed))[1:]
    return agree(claimed, measured, f"the {len(claimed)} iterates", "numpy-loop")


def descent_behaviour(function: sp.Expr, var: sp.Symbol, start: float, rate: float, minimum: float) -> str:
    """What 60 steps of the plain loop do to the distance from ``minimum``: converges, diverges or oscillates."""
    distances = [abs(p - minimum) for p in descent_path(function, [var], [start], rate, 60)[:, 0]]
    if distances[-1] < 1e-3 * max(distances[0], 1e-9):
        return "converges"
    if distances[-1] > 10 * distances[0]:
        return "diverges"
    return "oscillates"


def check_step_factors(function: sp.Expr, var: sp.Symbol, rates: list[float], factors: list[float], *,
                       at: float = 0.0) -> Check:
    """What one descent step multiplies a distance by, for each rate: the claimed factors against the
    slope of the loop's own step x -> x - rate f'(x), measured across [at - 1, at + 1]."""
    grad = gradient_measurer(function, [var])
    measured = [((at + 1 - r * grad([at + 1])[0]) - (at - 1 - r * grad([at - 1])[0])) / 2 for r in rates]
    return agree(factors, measured, "the factor each step multiplies the distance by", "numpy-loop")


def check_behaviours(function: sp.Expr, var: sp.Symbol, start: float, minimum: float, rates: list[float],
                     verdicts: list[str]) -> Check:
    """Each rate's verdict (converges, oscillates, diverges) against what 60 steps of the loop do.
    A verdict either matches or not: the error is 0 when all match."""
    for rate, verdict in zip(rates, verdicts, strict=True):
        measured = descent_behaviour(function, var, start, rate, minimum)
        if measured != verdict:
            raise VerifyError(f"rate {rate:g}: the answer says {verdict}, the NumPy loop shows {measured}")
    return Check(method="numpy-loop", points=len(rates), max_error=0.0,
                 what="each rate's verdict, by 60 steps of the loop")


# ---------------------------------------------------------------- losses and networks (NumPy functions of arrays)


def numpy_gradient(loss, params, *, h: float | None = None) -> np.ndarray:
    """The gradient of a NumPy function of an array, entry by entry: complex step (the function must
    take complex numbers), or central differences with step ``h`` for one that is not analytic."""
    params = np.asarray(params, dtype=float)
    flat, out = params.ravel(), np.empty(params.size)
    for i in range(flat.size):
        if h is None:
            probe = flat.astype(complex)
            probe[i] += 1j * 1e-20
            out[i] = np.imag(loss(probe.reshape(params.shape))) / 1e-20
        else:
            up, down = flat.copy(), flat.copy()
            up[i] += h
            down[i] -= h
            out[i] = (np.real(loss(up.reshape(params.shape))) - np.real(loss(down.reshape(params.shape)))) / (2 * h)
    return out.reshape(params.shape)


def check_numpy_gradient(loss, at, claimed, what: str, *, h: float | None = None,
                         method: str = "complex-step") -> Check:
    """A claimed gradient of a NumPy function at ``at`` against the measured one: same shape (a
    transposed matrix fails), then entry by entry."""
    measured = numpy_gradient(loss, at, h=h)
    if np.shape(np.asarray(claimed, dtype=float)) != measured.shape:
        raise VerifyError(f"{what}: the answer has shape {np.shape(claimed)}, the gradient {measured.shape}")
    return agree(claimed, measured, what, method)


def _floats(values) -> np.ndarray:
    return np.asarray(values, dtype=float)


def check_mse_gradient(xs, ys, w, b, claimed) -> Check:
    """[dL/dw, dL/db] of the mean squared error of the line w x + b on the data, measured on the loss."""
    x, y = _floats(xs), _floats(ys)
    return check_numpy_gradient(lambda p: np.mean((p[0] * x + p[1] - y) ** 2), [w, b], claimed,
                                "dL/dw, dL/db of the mean squared error")


def check_bce_gradient(xs, label, weights, bias, claimed) -> Check:
    """[dL/dw_1, ..., dL/db] of binary cross-entropy of sigma(w.x + b), measured on the loss."""
    x, y = _floats(xs), float(label)

    def loss(p):
        s = 1 / (1 + np.exp(-(np.dot(p[:-1], x) + p[-1])))
        return -(y * np.log(s) + (1 - y) * np.log(1 - s))

    return check_numpy_gradient(loss, [*weights, bias], claimed, "dL/dw, dL/db of binary cross-entropy")


def check_softmax_gradient(logits, k: int, claimed) -> Check:
    """dL/dz of L = -ln softmax(z)_k, measured on the loss."""
    return check_numpy_gradient(lambda z: -(z[k] - np.log(np.sum(np.exp(z)))), logits, claimed,
                                "dL/dz of cross-entropy after softmax")


def check_linear_layer(W, x, b, upstream, dW, db, dx) -> list[Check]:
    """dL/dW, dL/db and dL/dx of L = δ·(W x + b), each measured on L with the others held."""
    Wa, xa, ba, da = (_floats(v) for v in (W, x, b, upstream))
    return [check_numpy_gradient(lambda w: np.dot(da, w @ xa + ba), Wa, dW, "dL/dW of a linear layer"),
            check_numpy_gradient(lambda bb: np.dot(da, Wa @ xa + bb), ba, db, "dL/db of a linear layer"),
            check_numpy_gradient(lambda xx: np.dot(da, Wa @ xx + ba), xa, dx, "dL/dx of a linear layer")]


_ACTIVATIONS = {"sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh, "linear": lambda z: z,
                "relu": lambda z: np.where(np.real(z) > 0, z, 0 * z)}


def network_loss(params: dict, X, Y, activation: str, output: str, loss: str):
    """The mean loss of a network with one hidden layer on (X, Y), from a forward pass of its own
    (complex numbers too): params W1 (hidden × inputs), b1, W2 (one per hidden unit), b2."""
    A1 = _ACTIVATIONS[activation](X @ params["W1"].T + params["b1"])
    yhat = _ACTIVATIONS[output](A1 @ params["W2"] + params["b2"])
    if loss == "bce":
        return np.mean(-(Y * np.log(yhat) + (1 - Y) * np.log(1 - yhat)))
    return np.mean((yhat - Y) ** 2)


def check_network_gradients(grads: dict, params: dict, X, Y, activation: str, output: str, loss: str) -> list[Check]:
    """Every weight and bias perturbed in the separate forward pass (complex step; central differences
    through a ReLU, which is not analytic): one check for each parameter array."""
    h, method = (1e-7, "central-difference") if activation == "relu" else (None, "complex-step")
    out = []
    for key, value in params.items():
        def at(probe, key=key):
            return network_loss({**params, key: probe}, X, Y, activation, output, loss)
        out.append(check_numpy_gradient(at, value, grads[key], f"dL/d{key} by a NumPy forward pass", h=h,
                                        method=method))
    return out


# ---------------------------------------------------------------- computational graphs (a plain float64 pass)


_GRAPH_FORWARD = {"add": lambda x: x[0] + x[1], "mul": lambda x: x[0] * x[1], "max": lambda x: max(x[0], x[1]),
                  "exp": lambda x: math.exp(x[0]), "log": lambda x: math.log(x[0]), "square": lambda x: x[0] ** 2,
                  "sigmoid": lambda x: 1 / (1 + math.exp(-x[0])), "tanh": lambda x: math.tanh(x[0]),
                  "relu": lambda x: max(x[0], 0.0)}
_GRAPH_LOCAL = {"add": lambda x, y: [1.0, 1.0], "mul": lambda x, y: [x[1], x[0]],
                "max": lambda x, y: [1.0, 0.0] if x[0] >= x[1] else [0.0, 1.0],
                "exp": lambda x, y: [y], "log": lambda x, y: [1 / x[0]], "square": lambda x, y: [2 * x[0]],
                "sigmoid": lambda x, y: [y * (1 - y)], "tanh": lambda x, y: [1 - y * y],
                "relu": lambda x, y: [1.0 if x[0] > 0 else 0.0]}


def graph_values(graph: list, leaves: dict[str, float]) -> dict[str, float]:
    """Every value of a graph of nodes [name, op, argument, ...] from its leaves, in float64."""
    val = dict(leaves)
    for name, op, *args in graph:
        val[name] = _GRAPH_FORWARD[op]([val[a] for a in args])
    return val


def graph_gradients(graph: list, leaves: dict[str, float]) -> dict[str, float]:
    """d(last node)/d(every value), by a reverse pass in float64 (ReLU' is 0 at 0, max picks the first on a tie)."""
    val = graph_values(graph, leaves)
    grad = {k: 0.0 for k in val}
    grad[graph[-1][0]] = 1.0
    for name, op, *args in reversed(graph):
        for a, p in zip(args, _GRAPH_LOCAL[op]([val[a] for a in args], val[name]), strict=True):
            grad[a] += grad[name] * p
    return grad


def check_graph_gradients(graph: list, leaves: dict[str, float], claimed: dict[str, float]) -> list[Check]:
    """The output's gradient with respect to each leaf, against a float64 reverse pass and against
    central differences of the forward pass (which sees every path, so a missed fan-out fails)."""
    out, names = graph[-1][0], list(claimed)
    reverse = graph_gradients(graph, leaves)
    measured = []
    for k in names:
        h = 1e-6 * max(1.0, abs(leaves[k]))
        up, down = graph_values(graph, {**leaves, k: leaves[k] + h}), graph_values(graph, {**leaves, k: leaves[k] - h})
        measured.append((up[out] - down[out]) / (2 * h))
    values = [claimed[k] for k in names]
    return [agree(values, [reverse[k] for k in names], f"d{out}/d(each leaf) by a NumPy reverse pass",
                  "NumPy reverse pass", rtol=1e-9),
            agree(values, measured, f"d{out}/d(each leaf) by central differences of the forward pass",
                  "central-difference")]


# ---------------------------------------------------------------- optimizers (torch.optim's algorithms)


def optimizer_reference(name: str, grad, theta0: float, count: int, *, lr: float, momentum: float = 0.9,
                        beta1: float = 0.9, beta2: float = 0.999, alpha: float = 0.99,
                        eps: float | None = None) -> np.ndarray:
    """A plain NumPy implementation of torch.optim's update rules, for checking: the parameter
    after each step. ``grad(t, theta)`` gives the gradient at step t (1-based)."""
    eps = {"adagrad": 1e-10}.get(name, 1e-8) if eps is None else eps
    theta = np.float64(theta0)
    buf = m = v = total = np.float64(0.0)
    out = [theta]
    for t in range(1, count + 1):
        g = np.float64(grad(t, theta))
        if name in ("momentum", "nesterov"):
            buf = g if t == 1 else momentum * buf + g
            theta = theta - lr * ((g + momentum * buf) if name == "nesterov" else buf)
        elif name == "adagrad":
            total = total + g * g
            theta = theta - lr * g / (np.sqrt(total) + eps)
        elif name == "rmsprop":
            v = alpha * v + (1 - alpha) * g * g
            theta = theta - lr * g / (np.sqrt(v) + eps)
        elif name == "adam":
            m = beta1 * m + (1 - beta1) * g
            v = beta2 * v + (1 - beta2) * g * g
            m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
            theta = theta - lr * m_hat / (np.sqrt(v_hat) + eps)
        else:
            raise ValueError(f"unknown optimizer {name!r}")
        out.append(theta)
    return np.array(out)


def check_optimizer(name: str, theta0: float, thetas, hyper: dict, *, gradients=None, loss: sp.Expr | None = None,
                    var: sp.Symbol | None = None) -> Check:
    """The parameter after each update against ``optimizer_reference``; each step's gradient is the given
    one, or measured from the loss at the reference's own current value (never the claimed derivative)."""
    if loss is not None:
        measure = gradient_measurer(loss, [var])

        def grad(t, theta):
            return measure([theta])[0]
    else:
        def grad(t, theta):
            return float(gradients[t - 1])

    claimed = np.asarray(thetas, dtype=float)
    reference = optimizer_reference(name, grad, float(theta0), len(claimed), **{k: float(v) for k, v in hyper.items()})
    if loss is not None:  # no step taken from a corner of the loss, where it has no gradient
        for theta in reference[:-1]:
            check_smooth_at(loss, [var], [float(theta)])
    return agree(claimed, reference[1:], f"{name}: the parameter after each of {len(claimed)} updates",
                 "numpy-reference", rtol=1e-9)
