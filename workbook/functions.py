"""The functions of the expression language, in one table, and the activations SymPy lacks.

``TABLE`` says, for each function, every spelling the parser reads, the SymPy function it builds,
its number of arguments, the step engine's chain-rule step (title and outer derivative) and
whether the verifier may take a complex-step derivative through it; the parser (``BY_NAME``), the
step engine (``CHAIN``) and the verifier (``NOT_COMPLEX_STEP``) read their views of it.

sigmoid, softplus and relu are SymPy ``Function``s with their derivative (``fdiff``), exact values
at numbers where they are tidy, a LaTeX form and a NumPy implementation, so that ``sympy.diff``
knows them and ``verify`` can evaluate them without rewriting.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import sympy as sp


def _evalf(written: sp.Expr, arg: sp.Expr, prec: int) -> sp.Expr | None:
    """A function's value at a number, from its definition written out: float(softplus(-1)) raised TypeError, and a
    bank author's gradient of softplus at a point could not be drawn (user53 F13). None where the argument is no
    number, as SymPy's own functions do."""
    from mpmath.libmp import prec_to_dps

    if not arg.is_number:
        return None
    return written.evalf(prec_to_dps(prec))


class sigmoid(sp.Function):
    """sigma(x) = 1 / (1 + e^-x); sigma'(x) = sigma(x) * (1 - sigma(x))."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_zero:
            return sp.S.Half

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0]) * (1 - sigmoid(self.args[0]))

    def _eval_rewrite_as_exp(self, arg, **kwargs):
        return 1 / (1 + sp.exp(-arg))

    def _eval_evalf(self, prec):
        return _evalf(self.rewrite(sp.exp), self.args[0], prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        body = r"\sigma\left(%s\right)" % printer._print(self.args[0])
        return body if exp is None else r"\sigma^{%s}\left(%s\right)" % (exp, printer._print(self.args[0]))


class softplus(sp.Function):
    """softplus(x) = ln(1 + e^x); softplus'(x) = sigma(x)."""

    nargs = 1

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_log(self, arg, **kwargs):
        return sp.log(1 + sp.exp(arg))

    def _eval_evalf(self, prec):
        return _evalf(self.rewrite(sp.log), self.args[0], prec)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        name = r"\operatorname{softplus}" if exp is None else r"\operatorname{softplus}^{%s}" % exp
        return r"%s\left(%s\right)" % (name, printer._print(self.args[0]))


class relu(sp.Function):
    """relu(x) = max(0, x); relu'(x) = H(x), the unit step (taken as 0 at x = 0)."""

    nargs = 1

    @classmethod
    def eval(cls, arg):
        if arg.is_number and arg.is_real:
            return arg if arg.is_nonnegative else sp.S.Zero

    def fdiff(self, argindex=1):
        return sp.Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Max(self, arg, **kwargs):
        return sp.Max(0, arg)

    def _eval_is_real(self):
        return self.args[0].is_real

    def _latex(self, printer, exp=None):
        name = r"\operatorname{ReLU}" if exp is None else r"\operatorname{ReLU}^{%s}" % exp
        return r"%s\left(%s\right)" % (name, printer._print(self.args[0]))


def _np_sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _np_softplus(x):
    return np.log1p(np.exp(x))


def _np_relu(x):
    return np.where(np.real(x) > 0, x, 0.0 * x)


#: NumPy implementations, by the name SymPy's printer gives each function.
NUMPY_FUNCTIONS = {"sigmoid": _np_sigmoid, "softplus": _np_softplus, "relu": _np_relu}


# ---------------------------------------------------------------- the one table of functions

@dataclass(frozen=True)
class Entry:
    """One function of the expression language: how it is written, built, differentiated and measured.

    ``rule`` and ``outer`` are the step engine's chain-rule step (its title, and F'(u)); a function
    without them (max, min) has its own rule. ``analytic`` says whether the verifier may take a
    complex-step derivative through it (a kink or a jump rules that out).
    """

    names: tuple[str, ...]  # every spelling the expression language reads
    cls: Callable[..., sp.Expr]  # the SymPy function it builds (sqrt builds a power)
    arity: tuple[int, int]  # the fewest and the most arguments
    rule: str | None = None
    outer: Callable[..., sp.Expr] | None = None
    complex_step: bool = True  # False: a kink, a jump, or no complex evaluation in NumPy
    build: Callable[..., sp.Expr] | None = None  # if not cls itself

    @property
    def make(self) -> Callable[..., sp.Expr]:
        return self.build or self.cls


def _log(*args):
    return sp.log(*args)


def _minmax(kind):
    return lambda *args: kind(*args)


TABLE: tuple[Entry, ...] = (
    Entry(("exp",), sp.exp, (1, 1), "Exponential rule", lambda u: sp.exp(u)),
    Entry(("log",), sp.log, (1, 2), "Logarithm rule", lambda u: 1 / u, build=_log),
    Entry(("ln",), sp.log, (1, 1)),
    Entry(("log2",), sp.log, (1, 1), build=lambda u: sp.log(u, 2)),
    Entry(("log10", "lg"), sp.log, (1, 1), build=lambda u: sp.log(u, 10)),
    Entry(("sin",), sp.sin, (1, 1), "Sine rule", lambda u: sp.cos(u)),
    Entry(("cos",), sp.cos, (1, 1), "Cosine rule", lambda u: -sp.sin(u)),
    Entry(("tan",), sp.tan, (1, 1), "Tangent rule", lambda u: sp.sec(u) ** 2),
    Entry(("sec",), sp.sec, (1, 1), "Secant rule", lambda u: sp.sec(u) * sp.tan(u)),
    Entry(("csc",), sp.csc, (1, 1), "Cosecant rule", lambda u: -sp.csc(u) * sp.cot(u)),
    Entry(("cot",), sp.cot, (1, 1), "Cotangent rule", lambda u: -sp.csc(u) ** 2),
    Entry(("asin", "arcsin"), sp.asin, (1, 1), "Inverse sine rule", lambda u: 1 / sp.sqrt(1 - u**2)),
    Entry(("acos", "arccos"), sp.acos, (1, 1), "Inverse cosine rule", lambda u: -1 / sp.sqrt(1 - u**2)),
    Entry(("atan", "arctan"), sp.atan, (1, 1), "Inverse tangent rule", lambda u: 1 / (1 + u**2)),
    Entry(("acot", "arccot"), sp.acot, (1, 1), "Inverse cotangent rule", lambda u: -1 / (1 + u**2)),
    Entry(("asec", "arcsec"), sp.asec, (1, 1), "Inverse secant rule",
          lambda u: 1 / (sp.Abs(u) * sp.sqrt(u**2 - 1))),
    Entry(("acsc", "arccsc"), sp.acsc, (1, 1), "Inverse cosecant rule",
          lambda u: -1 / (sp.Abs(u) * sp.sqrt(u**2 - 1))),
    Entry(("sinh",), sp.sinh, (1, 1), "Hyperbolic sine rule", lambda u: sp.cosh(u)),
    Entry(("cosh",), sp.cosh, (1, 1), "Hyperbolic cosine rule", lambda u: sp.sinh(u)),
    Entry(("tanh",), sp.tanh, (1, 1), "Hyperbolic tangent rule", lambda u: 1 - sp.tanh(u) ** 2),
    Entry(("sech",), sp.sech, (1, 1), "Hyperbolic secant rule", lambda u: -sp.sech(u) * sp.tanh(u)),
    Entry(("csch",), sp.csch, (1, 1), "Hyperbolic cosecant rule", lambda u: -sp.csch(u) * sp.coth(u)),
    Entry(("coth",), sp.coth, (1, 1), "Hyperbolic cotangent rule", lambda u: 1 - sp.coth(u) ** 2),
    Entry(("asinh", "arsinh", "arcsinh"), sp.asinh, (1, 1), "Inverse hyperbolic sine rule",
          lambda u: 1 / sp.sqrt(u**2 + 1)),
    Entry(("acosh", "arcosh", "arccosh"), sp.acosh, (1, 1), "Inverse hyperbolic cosine rule",
          lambda u: 1 / (sp.sqrt(u - 1) * sp.sqrt(u + 1))),
    Entry(("atanh", "artanh", "arctanh"), sp.atanh, (1, 1), "Inverse hyperbolic tangent rule",
          lambda u: 1 / (1 - u**2)),
    Entry(("acoth", "arcoth", "arccoth"), sp.acoth, (1, 1), "Inverse hyperbolic cotangent rule",
          lambda u: 1 / (1 - u**2)),
    Entry(("asech", "arsech", "arcsech"), sp.asech, (1, 1), "Inverse hyperbolic secant rule",
          lambda u: -1 / (u * sp.sqrt(1 - u**2))),
    Entry(("acsch", "arcsch", "arccsch"), sp.acsch, (1, 1), "Inverse hyperbolic cosecant rule",
          lambda u: -1 / (sp.Abs(u) * sp.sqrt(u**2 + 1))),
    Entry(("sqrt",), sp.sqrt, (1, 1)),  # a power: the power rule differentiates it
    Entry(("erf",), sp.erf, (1, 1), "Error function rule", lambda u: 2 / sp.sqrt(sp.pi) * sp.exp(-(u**2)),
          complex_step=False),
    Entry(("sigmoid",), sigmoid, (1, 1), "Sigmoid rule", lambda u: sigmoid(u) * (1 - sigmoid(u))),
    Entry(("softplus",), softplus, (1, 1), "Softplus rule", lambda u: sigmoid(u)),
    Entry(("relu",), relu, (1, 1), "ReLU rule", lambda u: sp.Heaviside(u, 0)),
    Entry(("Abs", "abs"), sp.Abs, (1, 1), "Absolute value rule", lambda u: sp.sign(u), complex_step=False),
    Entry(("sign",), sp.sign, (1, 1), "Sign rule", lambda u: 2 * sp.DiracDelta(u), complex_step=False),
    Entry(("Max", "max"), sp.Max, (2, 20), complex_step=False, build=_minmax(sp.Max)),
    Entry(("Min", "min"), sp.Min, (2, 20), complex_step=False, build=_minmax(sp.Min)),
    Entry(("Heaviside",), sp.Heaviside, (1, 2), "Unit step rule", lambda u, *h0: sp.DiracDelta(u), complex_step=False),
    Entry(("DiracDelta",), sp.DiracDelta, (1, 2), "Delta rule",
          lambda u, *k: sp.DiracDelta(u, (k[0] if k else 0) + 1), complex_step=False),
)

#: every spelling the expression language reads -> (constructor, fewest and most arguments)
BY_NAME: dict[str, tuple[Callable[..., sp.Expr], int, int]] = {
    name: (e.make, *e.arity) for e in TABLE for name in e.names}
#: SymPy's class name -> (rule title, F'(u)): the functions the step engine's chain rule goes through
CHAIN: dict[str, tuple[str, Callable[..., sp.Expr]]] = {
    e.cls.__name__: (e.rule, e.outer) for e in TABLE if e.outer is not None}
CHAIN_CLASSES = frozenset(e.cls for e in TABLE if e.outer is not None)
#: what the verifier must not take a complex-step derivative through
NOT_COMPLEX_STEP = tuple(dict.fromkeys(e.cls for e in TABLE if not e.complex_step))


def written_out(expr: sp.Expr) -> sp.Expr:
    """The expression with sigmoid, softplus and relu written out, for readers who have only plain SymPy, and a
    logarithm to a base as the quotient of two: read as typed (unevaluated), log2(x) stayed log(x, 2), which numpy
    takes as log(x) written into the array 2, and the judge found no value anywhere to compare (attack35b)."""
    return expr.replace(sigmoid, lambda a: 1 / (1 + sp.exp(-a))).replace(
        softplus, lambda a: sp.log(1 + sp.exp(a))).replace(relu, lambda a: sp.Max(0, a)).replace(
        lambda e: isinstance(e, sp.log) and len(e.args) == 2,
        lambda e: sp.Mul(sp.log(e.args[0]), sp.Pow(sp.log(e.args[1]), -1)))
