"""School notation for the terminal: SymPy expressions written as a learner writes them.

``text(expr)`` prints ln for the natural logarithm, e^x, |x|, arcsin, max, ^ for powers and a
product as factors side by side (2x cos(x^2)); what it prints reads back through the expression
language to the same function. ``cases(expr, x)`` writes a function built from unit steps (the
derivative of relu, |x| or max) as its pieces, "1 if x > 0; 0 if x < 0; undefined at x = 0",
instead of Heaviside terms.
"""

from __future__ import annotations

import functools
import itertools
import re

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from workbook import taylor
from workbook.numbers import as_written

_NAMES = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "acot": "arccot", "asec": "arcsec",
          "acsc": "arccsc", "asinh": "arsinh", "acosh": "arcosh", "atanh": "artanh", "acoth": "arcoth",
          "asech": "arsech", "acsch": "arcsch", "Max": "max", "Min": "min"}
_STEPS = (sp.Heaviside, sp.sign, sp.DiracDelta)


class _School(StrPrinter):
    def _print_exp(self, expr):
        u = expr.args[0]
        body = self._print(u)
        return "e^" + (body if (u.is_Symbol or (u.is_Integer and u > 0)) else f"({body})")

    def _print_Exp1(self, expr):
        return "e"

    def _print_Pow(self, expr, rational=False):
        # a negative power standing alone as a fraction, as a learner writes it: 1/(x + 1)^2, not (x + 1)^(-2)
        # (user48 F15: the quotient rule's answer read (x + 1)^(-2)); 1/x and 1/sqrt(x) are StrPrinter's already
        exponent = expr.exp
        if exponent.is_Rational and exponent.is_negative and exponent not in (-1, sp.Rational(-1, 2)) \
                and expr.base is not sp.E:
            return "1/" + self.parenthesize(sp.Pow(expr.base, -exponent, evaluate=False), PRECEDENCE["Mul"])
        return super()._print_Pow(expr, rational)

    def _print_log(self, expr):
        return f"ln({self._print(expr.args[0])})"

    def _print_Abs(self, expr):
        return f"|{self._print(expr.args[0])}|"

    def _print_Function(self, expr):
        name = _NAMES.get(expr.func.__name__, expr.func.__name__)
        return f"{name}({', '.join(self._print(a) for a in expr.args)})"

    def _print_Max(self, expr):
        return self._print_Function(expr)

    _print_Min = _print_Max

    def _print_Heaviside(self, expr):  # the value at 0 is for the cases, not the formula
        return f"Heaviside({self._print(expr.args[0])})"


def text(expr: sp.Expr) -> str:
    """The expression in school notation, one line, readable back by the expression language."""
    return _products(_School().doprint(as_written(expr)).replace("**", "^"))


def _products(s: str) -> str:
    """Write a product's * as a learner would: 2x, x cos(x), (x + 1)(x - 1), e^2 x; keep it where
    leaving it out would change the reading (before a digit, or a long name before a bracket)."""
    out = []
    for i, ch in enumerate(s):
        if ch != "*":
            out.append(ch)
            continue
        before, after = "".join(out).rstrip(), s[i + 1:].lstrip()
        if not after or after[0].isdigit() or after[0] == ".":
            out.append("*")
            continue
        m = re.search(r"([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d*)?)$", before)
        token = m.group(1) if m else ""
        start = m.start(1) if m else len(before)
        exponent = before[:start].endswith("^")
        word = re.match(r"[A-Za-z_][A-Za-z0-9_]*", after)
        if token[:1].isdigit() and not exponent:
            # a coefficient: 2x, 3(x + 1); before a function or a longer name a space, 2 sin(x), 3 cost
            out.append(" " if word and len(re.sub(r"[0-9_]", "", word.group(0))) > 1 else "")
        elif token[:1].isalpha() and len(re.sub(r"[0-9_]", "", token)) > 1 and after[0] == "(":
            out.append("*")  # theta*(x + 1): a long name before a bracket would read as a function
        elif before.endswith(")") and after[0] == "(":
            out.append("")
        else:
            out.append(" ")
    return "".join(out)


# ---------------------------------------------------------------- functions in pieces


def pieces(expr: sp.Expr, var: sp.Symbol, most: int = 6) -> tuple[list[tuple], list] | None:
    """A function made of unit steps as its pieces between the points where they switch: ([(low,
    high, formula)], the switching points where it jumps). None if ``expr`` has no steps, depends on
    other names, or its switching points cannot be found simply."""
    from workbook.functions import relu

    if not expr.has(*_STEPS, relu, sp.Abs, sp.Max, sp.Min) or expr.free_symbols - {var}:
        return None
    kinks = set()
    for node in expr.atoms(*_STEPS, relu, sp.Abs, sp.Max, sp.Min):
        args = node.args[:1] if not isinstance(node, (sp.Max, sp.Min)) else [a - b for a in node.args for b in node.args
                                                                              if a != b]
        for arg in args:
            roots = real_roots(arg, var)
            if roots is None:
                return None
            kinks |= roots
    points = sorted(kinks, key=float)
    if len(points) > most:
        return None
    edges = [None, *points, None]
    found = []
    for lo, hi in itertools.pairwise(edges):
        probe = (lo + hi) / 2 if lo is not None and hi is not None else (hi - 1 if lo is None and hi is not None
                                                                         else (lo + 1 if lo is not None else 0))
        branch = taylor.analytic_branch(expr, {var: probe})
        if branch is None or branch.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            return None  # 0/0 there ("NaN if x < 0": attack25): no formula to print
        found.append((lo, hi, sp.simplify(branch) if sp.count_ops(branch) < 40 else branch))
    undefined = []
    for k, (left, right) in zip(points, itertools.pairwise(found)):
        a, b = (p[2].xreplace({var: k}) for p in (left, right))
        if not (a.is_number and b.is_number and sp.simplify(a - b) == 0) or _apart(expr, var, k, a):
            undefined.append(k)
    merged = []
    for lo, hi, branch in found:  # neighbours with the same formula and no jump between are one piece
        if merged and sp.simplify(merged[-1][2] - branch) == 0 and merged[-1][1] not in undefined:
            merged[-1] = (merged[-1][0], hi, branch)
        else:
            merged.append((lo, hi, branch))
    return merged, undefined


def _apart(expr: sp.Expr, var: sp.Symbol, k: sp.Expr, limit: sp.Expr) -> bool:
    """Whether the function's own value at a switching point is not the value both sides tend to: sign(x)² is
    0 at 0 and 1 on either side (attack26 gave its derivative there as 0), θ(x)θ(−x) is 1/4 at 0."""
    own = expr.xreplace({var: k})
    return bool(own.is_number and limit.is_number and own.is_finite and sp.simplify(own - limit) != 0)


@functools.lru_cache(maxsize=64)  # a key prints it, its check reads it, and solve's headline and check: once
def derivative_pieces(f: sp.Expr, var: sp.Symbol, order: int = 1, most: int = 6) -> tuple[list[tuple], list] | None:
    """The derivative of ``f`` (of ``order``) in pieces, each the derivative of f's own formula between its
    switching points: where f is sqrt(relu(x)) + 5x, 5 for x < 0. The derivative's own formula there,
    θ(x)/(2 sqrt(relu(x))) + 5, is 0/0: pieces() of it printed "NaN if x < 0" (attack25). A switching point is
    undefined where a lower derivative jumps there, or this one does."""
    found = pieces(f, var, most)
    if found is None:
        return None
    merged, _ = found
    points = [hi for _, hi, _ in merged[:-1]]
    derived = [(lo, hi, [sp.diff(branch, var, k) for k in range(order + 1)]) for lo, hi, branch in merged]
    if any(not all(d.is_finite is not False and not d.has(sp.nan, sp.zoo) for d in ds) for _, _, ds in derived):
        return None
    undefined = []
    for k, (left, right) in zip(points, itertools.pairwise(derived)):
        if k in found[1] and _apart(f, var, k, left[2][0].xreplace({var: k})):
            undefined.append(k)  # f's own value there is not the one both sides tend to
            continue
        for a, b in zip(left[2], right[2]):
            a, b = a.xreplace({var: k}), b.xreplace({var: k})
            if not (a.is_number and b.is_number and a.is_finite and sp.simplify(a - b) == 0):
                undefined.append(k)
                break
    out = []
    for lo, hi, ds in derived:
        branch = ds[-1]
        branch = sp.simplify(branch) if sp.count_ops(branch) < 40 else branch
        if out and sp.simplify(out[-1][2] - branch) == 0 and out[-1][1] not in undefined:
            out[-1] = (out[-1][0], hi, branch)
        else:
            out.append((lo, hi, branch))
    return out, undefined


def cases(expr: sp.Expr, var: sp.Symbol, most: int = 6, found=None) -> str | None:
    """pieces() as text: "1 if x > 0; 0 if x < 0; undefined at x = 0" (or ``found``: derivative_pieces')."""
    found = found if found is not None else pieces(expr, var, most)
    if found is None:
        return None
    merged, undefined = found
    if len(merged) == 1 and not undefined:
        return text(merged[0][2])
    v = text(var)
    said = []
    for lo, hi, branch in merged:  # a switching point where nothing jumps belongs to the piece before it
        upto = "\u2264" if hi is not None and hi not in undefined else "<"
        where = (f"{v} {upto} {text(hi)}" if lo is None else f"{v} > {text(lo)}" if hi is None
                 else f"{text(lo)} < {v} {upto} {text(hi)}")
        said.append(f"{text(branch)} if {where}")
    if undefined:
        said.append("undefined at " + " and ".join(f"{v} = {text(k)}" for k in undefined))
    return "; ".join(said)


def latex_cases(expr: sp.Expr, var: sp.Symbol, latex, left: bool = False, found=None) -> str | None:
    """pieces() as a LaTeX cases environment for the page, so no step function is left to the reader;
    at each point where the function jumps, the value from the left (with ``left``: the convention
    deep-learning libraries take for ReLU and its kin, which a prompt states) or "undefined"."""
    found = found if found is not None else pieces(expr, var)
    if found is None:
        return None
    merged, undefined = found
    if len(merged) == 1 and not undefined:
        return None  # one formula: the step functions cancel, nothing to split
    v = latex(var)
    rows = []
    for k in undefined:  # the convention's value there is the piece's before it, taken up to it below
        before = next(branch for lo, hi, branch in merged if hi == k).xreplace({var: k})
        if left and not before.is_number:
            return None
    for lo, hi, branch in merged:
        # with the slope from the left, a corner belongs to the piece before it: 1/4 if x ≤ 0, not a third row
        # "1/4 if x = 0" (user53 F12)
        upto = r"\le" if hi is not None and (hi not in undefined or left) else "<"
        where = (f"{v} {upto} {latex(hi)}" if lo is None else f"{v} > {latex(lo)}" if hi is None
                 else f"{latex(lo)} < {v} {upto} {latex(hi)}")
        rows.append(f"{latex(branch)} & \\quad {where}")
    if not left:
        rows += [f"\\text{{undefined}} & \\quad {v} = {latex(k)}" for k in undefined]
    return r"\begin{cases} " + r" \\ ".join(rows) + r" \end{cases}"


def real_roots(arg: sp.Expr, var: sp.Symbol) -> set | None:
    if not arg.has(var):
        return set()
    try:
        poly = sp.Poly(arg, var)
    except sp.PolynomialError:
        return None
    if poly.degree() > 4 or not all(c.is_Rational for c in poly.all_coeffs()):
        return None
    roots = set(poly.real_roots())
    # every root, √2 too: keeping the rational ones alone saw no switch in relu(x² − 2), and printed its
    # derivative 0 (attack25); one with no closed form cannot be named on the page
    if any(r.has(sp.CRootOf) for r in roots):
        return None
    return roots
