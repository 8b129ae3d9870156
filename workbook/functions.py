"""The activation functions SymPy does not have: sigmoid, softplus and relu.

Each is a SymPy ``Function`` with its derivative (``fdiff``), exact values at
numbers where they are tidy, a LaTeX form and a NumPy implementation, so that
``sympy.diff`` knows them and ``verify`` can evaluate them without rewriting.
"""

from __future__ import annotations

import numpy as np
import sympy as sp


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


def written_out(expr: sp.Expr) -> sp.Expr:
    """The expression with sigmoid, softplus and relu written out, for readers who have only plain SymPy."""
    return expr.replace(sigmoid, lambda a: 1 / (1 + sp.exp(-a))).replace(
        softplus, lambda a: sp.log(1 + sp.exp(a))).replace(relu, lambda a: sp.Max(0, a))
