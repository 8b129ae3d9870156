"""Independent numeric checks with NumPy.

A symbolic derivative is compared with a derivative measured from the *original* function
alone, at points spread over its domain: the complex-step derivative where the function is
analytic (exact to rounding), otherwise central differences with Richardson extrapolation,
taken at two step sizes whose disagreement marks a point as unusable (a kink, a jump or a
cliff nearby). Too few usable points is a failure, never a pass.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from functools import lru_cache

import numpy as np
import sympy as sp

from workbook.functions import NUMPY_FUNCTIONS

MIN_POINTS = 5
_NOT_ANALYTIC = (sp.Abs, sp.sign, sp.Max, sp.Min, sp.Heaviside, sp.DiracDelta, sp.erf)
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
    """A NumPy function of ``variables`` for a parsed SymPy expression (never raw text)."""
    return _lambdified(expr, tuple(variables))


@lru_cache(maxsize=512)
def _lambdified(expr: sp.Expr, variables: tuple[sp.Symbol, ...]):
    # one draw checks the same function at several points and for several partials: build it once
    return sp.lambdify(list(variables), expr, modules=_NUMPY)


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
    h = 1e-20 * np.maximum(1.0, np.abs(x))
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
    """Numeric d^order/dvar^order of ``function`` at x, its error estimate and the method."""
    f = numeric(function, [var])
    if order == 1 and not function.has(*_NOT_ANALYTIC):
        d, err = _complex_step(f, x)
        return d, err, "complex-step"
    d, err = _richardson(f, x, order)
    return d, err, "central-difference"


def check_derivative(function: sp.Expr, var: sp.Symbol, order: int, answer: sp.Expr, *,
                     domain: tuple[float, float] = (-3.0, 3.0), rtol: float = 1e-6) -> Check:
    """Raise VerifyError unless ``answer`` matches the measured derivative of ``function``."""
    x = sample_points(*domain)
    f_vals = evaluate(numeric(function, [var]), x)
    claimed = evaluate(numeric(answer, [var]), x)
    measured, err, method = derivative_at(function, var, order, x)
    scale = np.maximum(1.0, np.abs(measured))  # never from the claim: a wrong answer must not widen it
    tol = (rtol if method == "complex-step" else 1e-5) * scale
    usable = np.isfinite(f_vals) & np.isfinite(claimed) & np.isfinite(measured) & (err <= tol)
    if usable.sum() < MIN_POINTS:
        raise VerifyError(f"only {int(usable.sum())} usable points in {domain} (need {MIN_POINTS})")
    bad = usable & (np.abs(claimed - measured) > tol)
    if bad.any():
        i = int(np.argmax(bad))
        raise VerifyError(f"at {var} = {x[i]:.6g} the answer gives {claimed[i]:.10g} "
                          f"but the function's slope measures {measured[i]:.10g}")
    error = float(np.max(np.abs(claimed - measured)[usable] / scale[usable]))
    return Check(method=method, points=int(usable.sum()), max_error=error)


def check_value_at(function: sp.Expr, var: sp.Symbol, order: int, at: float, value: float, *,
                   rtol: float = 1e-6) -> Check:
    """Raise VerifyError unless the derivative of ``function`` at ``at`` measures ``value``."""
    x = np.array([float(at)])
    if not np.isfinite(evaluate(numeric(function, [var]), x)).all():
        raise VerifyError(f"the function is undefined at {var} = {at}")
    measured, err, method = derivative_at(function, var, order, x)
    scale = max(1.0, abs(float(measured[0])))
    tol = (rtol if method == "complex-step" else 1e-5) * scale
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
    steps = np.array([0.6180339887, 0.7548776662, 0.5698402910][:dims])
    offsets = np.array([0.1234, 0.4321, 0.2718][:dims])
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
    f = numeric(function, variables)
    axes = [variables.index(v) for v in wrt]
    if len(axes) == 1 and not function.has(*_NOT_ANALYTIC):
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
    """Raise VerifyError unless ``answer`` matches the measured partial derivative over the box."""
    points = sample_grid(*domain, dims=len(variables))
    f_vals = _at(numeric(function, variables), points)
    claimed = _at(numeric(answer, variables), points)
    measured, err, method = partial_at(function, variables, wrt, points)
    scale = np.maximum(1.0, np.abs(measured))
    tol = (rtol if method == "complex-step" else 1e-5) * scale
    usable = np.isfinite(f_vals) & np.isfinite(claimed) & np.isfinite(measured) & (err <= tol)
    name = "d" + "d".join(str(v) for v in wrt)
    if usable.sum() < MIN_POINTS:
        raise VerifyError(f"{name}: only {int(usable.sum())} usable points (need {MIN_POINTS})")
    bad = usable & (np.abs(claimed - measured) > tol)
    if bad.any():
        i = int(np.argmax(bad))
        where = ", ".join(f"{v} = {c:.4g}" for v, c in zip(variables, points[i]))
        raise VerifyError(f"{name} at ({where}): the answer gives {claimed[i]:.10g} but it measures {measured[i]:.10g}")
    return Check(method=method, points=int(usable.sum()),
                 max_error=float(np.max(np.abs(claimed - measured)[usable] / scale[usable])))


def measured_gradient(function: sp.Expr, variables: list[sp.Symbol], point: list[float]) -> np.ndarray:
    """The gradient at one point, measured coordinate by coordinate; VerifyError if it cannot be."""
    p = np.array([point], dtype=float)
    if not np.isfinite(_at(numeric(function, variables), p)).all():
        raise VerifyError(f"the function is undefined at {tuple(point)}")
    out = []
    for v in variables:
        d, err, _ = partial_at(function, variables, [v], p)
        if not (np.isfinite(d[0]) and err[0] <= 1e-6 * max(1.0, abs(d[0]))):
            raise VerifyError(f"d/d{v} cannot be measured at {tuple(point)}")
        out.append(d[0])
    return np.array(out)


def directional_measured(function: sp.Expr, variables: list[sp.Symbol], point: list[float],
                         unit: list[float]) -> float:
    """d/dt f(p + t u) at t = 0, measured along the line itself (complex step, else central)."""
    t = sp.Dummy("t", real=True)
    along = function.xreplace({v: p + t * u for v, p, u in zip(variables, map(sp.Float, point), map(sp.Float, unit))})
    d, err, _ = derivative_at(along, t, 1, np.array([0.0]))
    if not (np.isfinite(d[0]) and err[0] <= 1e-6 * max(1.0, abs(d[0]))):
        raise VerifyError("the directional derivative cannot be measured")
    return float(d[0])


def close(a: float, b: float, rtol: float = 1e-6) -> bool:
    return bool(abs(a - b) <= rtol * max(1.0, abs(a), abs(b)))


def gradient_measurer(function: sp.Expr, variables: list[sp.Symbol]):
    """A function point -> measured gradient, the function compiled once (for loops of many steps)."""
    f = numeric(function, variables)
    analytic = not function.has(*_NOT_ANALYTIC)

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
