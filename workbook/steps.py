"""Differentiation rules as data.

``derive(expr, x)`` returns a tree of rule records, one small class per calculus rule,
chosen by a table keyed on the head of the expression. Each record's docstring is the
identity it applies and its ``eval()`` rebuilds the derivative from its sub-steps, so the
tree *is* the worked solution; printers (``workbook.explain``) walk it separately.

The engine's result is checked against ``sympy.diff`` (``check_against_sympy``) for every
problem; it is never assumed to agree.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import ClassVar

import sympy as sp

from workbook.functions import CHAIN, CHAIN_CLASSES, sigmoid


class StepError(ValueError):
    """The engine has no rule for an expression."""


class NotReal(StepError):
    """An expression with a real value at too few of the points its derivative is checked at to check it: a root
    or a logarithm of a negative number, whatever the parameters drew (said as it is, without the engine's
    cross-check in SymPy's spelling: attack31)."""

    plain = True


@dataclass(eq=False)
class Rule:
    """A differentiation step: d/d(var) of ``expr``."""

    expr: sp.Expr
    var: sp.Symbol
    tag: ClassVar[str] = ""  # the rule's name in `solve --json`, e.g. "power"
    title: ClassVar[str] = ""

    def eval(self) -> sp.Expr:
        raise NotImplementedError

    @cached_property
    def result(self) -> sp.Expr:
        return self.eval()

    def children(self) -> list[Rule]:
        return []


@dataclass(eq=False)
class ConstantRule(Rule):
    """d/dx c -> 0"""

    tag: ClassVar[str] = "constant"
    title: ClassVar[str] = "Constant rule"

    def eval(self):
        return sp.S.Zero


@dataclass(eq=False)
class VariableRule(Rule):
    """d/dx x -> 1"""

    tag: ClassVar[str] = "variable"
    title: ClassVar[str] = "Variable rule"

    def eval(self):
        return sp.S.One


@dataclass(eq=False)
class SumRule(Rule):
    """d/dx (f + g) -> f' + g'"""

    terms: list[Rule] = field(default_factory=list)
    tag: ClassVar[str] = "sum"
    title: ClassVar[str] = "Sum rule"

    def eval(self):
        return sp.Add(*[t.result for t in self.terms])

    def children(self):
        return self.terms


@dataclass(eq=False)
class LinearRule(Rule):
    """d/dx (a*x + b) -> a"""

    tag: ClassVar[str] = "linear"
    title: ClassVar[str] = "Linear rule"

    def eval(self):
        return sp.expand(self.expr).coeff(self.var, 1)


@dataclass(eq=False)
class PolynomialRule(Rule):
    """d/dx sum(c_k x^k) -> sum(k c_k x^(k-1))   (the power rule, term by term)"""

    tag: ClassVar[str] = "polynomial"
    title: ClassVar[str] = "Power rule, term by term"

    def terms(self) -> list[tuple[sp.Expr, int]]:
        """(coefficient, power) of each term, highest power first."""
        poly = sp.Poly(self.expr, self.var)
        return [(c, int(m[0])) for m, c in zip(poly.monoms(), poly.coeffs())]

    def eval(self):
        return sp.Add(*[c * k * self.var ** (k - 1) for c, k in self.terms()])


@dataclass(eq=False)
class ConstantMultipleRule(Rule):
    """d/dx c*f -> c*f'"""

    const: sp.Expr = sp.S.One
    inner: Rule | None = None
    tag: ClassVar[str] = "constant_multiple"
    title: ClassVar[str] = "Constant multiple rule"

    def eval(self):
        return self.const * self.inner.result

    def children(self):
        return [self.inner]


@dataclass(eq=False)
class ProductRule(Rule):
    """d/dx (f*g) -> f'*g + f*g'"""

    factors: list[sp.Expr] = field(default_factory=list)
    steps: list[Rule] = field(default_factory=list)
    tag: ClassVar[str] = "product"
    title: ClassVar[str] = "Product rule"

    def eval(self):
        terms = []
        for i, step in enumerate(self.steps):
            others = [f for j, f in enumerate(self.factors) if j != i]
            terms.append(sp.Mul(step.result, *others))
        return sp.Add(*terms)

    def children(self):
        return self.steps


@dataclass(eq=False)
class QuotientRule(Rule):
    """d/dx (f/g) -> (f'*g - f*g') / g^2"""

    numerator: sp.Expr = sp.S.One
    denominator: sp.Expr = sp.S.One
    num_step: Rule | None = None
    den_step: Rule | None = None
    tag: ClassVar[str] = "quotient"
    title: ClassVar[str] = "Quotient rule"

    def eval(self):
        f, g = self.numerator, self.denominator
        return (self.num_step.result * g - f * self.den_step.result) / g**2

    def children(self):
        return [self.num_step, self.den_step]


@dataclass(eq=False)
class PowerRule(Rule):
    """d/dx x^n -> n*x^(n-1), for any real constant n"""

    exponent: sp.Expr = sp.S.One
    tag: ClassVar[str] = "power"
    title: ClassVar[str] = "Power rule"

    def eval(self):
        return self.exponent * self.var ** (self.exponent - 1)


@dataclass(eq=False)
class SqrtRule(PowerRule):
    """d/dx sqrt(x) -> 1/(2*sqrt(x))"""

    tag: ClassVar[str] = "sqrt"
    title: ClassVar[str] = "Square-root rule"


@dataclass(eq=False)
class ExponentialRule(Rule):
    """d/dx a^x -> a^x * ln(a)   (for a = e: d/dx e^x -> e^x)"""

    base: sp.Expr = sp.E
    tag: ClassVar[str] = "exponential"
    title: ClassVar[str] = "Exponential rule"

    def eval(self):
        return self.expr * sp.log(self.base) if self.base != sp.E else self.expr


@dataclass(eq=False)
class GeneralPowerRule(Rule):
    """d/dx f^g -> f^g * (g'*ln(f) + g*f'/f)   (logarithmic differentiation)"""

    base: sp.Expr = sp.S.One
    exponent: sp.Expr = sp.S.One
    base_step: Rule | None = None
    exp_step: Rule | None = None
    tag: ClassVar[str] = "general_power"
    title: ClassVar[str] = "Logarithmic differentiation"

    def eval(self):
        f, g = self.base, self.exponent
        return self.expr * (self.exp_step.result * sp.log(f) + g * self.base_step.result / f)

    def children(self):
        return [self.base_step, self.exp_step]


@dataclass(eq=False)
class FunctionRule(Rule):
    """d/dx F(x) -> F'(x), for a function F in the table functions.CHAIN"""

    name: str = ""

    @property
    def tag(self):  # type: ignore[override]
        return self.name

    @property
    def title(self):  # type: ignore[override]
        return CHAIN[self.name][0]

    def eval(self):
        return CHAIN[self.name][1](self.var, *self.expr.args[1:])


@dataclass(eq=False)
class MaxMinRule(Rule):
    """d/dx max(f, g) -> f'*H(f - g) + g'*H(g - f)   (min: the steps flip); undefined where f = g"""

    steps: list[Rule] = field(default_factory=list)
    tag: ClassVar[str] = "max_min"
    title: ClassVar[str] = "Max/min rule"

    def eval(self):
        return sp.Add(*[s.result * self.selector(i) for i, s in enumerate(self.steps)])

    def selector(self, i: int) -> sp.Expr:
        """The unit step that is 1 where argument i is the one selected."""
        args = self.expr.args
        rest = [a for j, a in enumerate(args) if j != i]
        other = rest[0] if len(rest) == 1 else type(self.expr)(*rest)
        if isinstance(self.expr, sp.Max):
            return sp.Heaviside(args[i] - other)
        return sp.Heaviside(other - args[i])

    def children(self):
        return self.steps


@dataclass(eq=False)
class ChainRule(Rule):
    """d/dx f(g(x)) -> f'(g(x)) * g'(x)"""

    u: sp.Symbol | None = None
    inner_expr: sp.Expr = sp.S.Zero
    outer: Rule | None = None
    inner: Rule | None = None
    tag: ClassVar[str] = "chain"
    title: ClassVar[str] = "Chain rule"

    def eval(self):
        return self.outer.result.xreplace({self.u: self.inner_expr}) * self.inner.result

    def children(self):
        return [self.inner]


def derive(expr: sp.Expr, var: sp.Symbol) -> Rule:
    """The rule tree for d/d(var) of expr."""
    if not expr.has(var):
        return ConstantRule(expr, var)
    if expr == var:
        return VariableRule(expr, var)
    handler = _HANDLERS.get(expr.func) or (_function if expr.func in CHAIN_CLASSES else None)
    if handler is None:
        raise StepError(f"no differentiation rule for {expr.func.__name__}")
    return handler(expr, var)


# the letters a chain rule names its inner function with: u, and inside that inner function's own derivative
# v, then w (a solution had said "Let u = tanh(2x)" and, a line later, "Let u = 2x"), skipping any letter the
# problem itself uses
CHAIN_LETTERS = ("u", "v", "w", "p", "q", "r")
_CHAIN_DEPTH: ContextVar[int] = ContextVar("chain_depth", default=0)


def _chain(expr: sp.Expr, var: sp.Symbol, inner: sp.Expr, make_outer: Callable) -> Rule:
    """Apply an outer rule directly when its argument is the variable, else by the chain rule."""
    if inner == var:
        return make_outer(expr, var)
    depth = _CHAIN_DEPTH.get()
    taken = {s.name for s in expr.free_symbols | {var}}
    letters = [c for c in CHAIN_LETTERS if c not in taken] or ["u"]
    u = sp.Dummy(letters[min(depth, len(letters) - 1)], real=True)
    outer = make_outer(expr.xreplace({inner: u}), u)
    token = _CHAIN_DEPTH.set(depth + 1)
    try:
        inside = derive(inner, var)
    finally:
        _CHAIN_DEPTH.reset(token)
    return ChainRule(expr, var, u=u, inner_expr=inner, outer=outer, inner=inside)


def _function(expr, var):
    if any(a.has(var) for a in expr.args[1:]):
        raise StepError(f"{expr.func.__name__} depends on {var} through more than its first argument")
    name = expr.func.__name__

    def outer(e, v):
        return FunctionRule(e, v, name=name)

    return _chain(expr, var, expr.args[0], outer)


def _add(expr, var):
    if expr.is_polynomial(var):
        return LinearRule(expr, var) if sp.degree(expr, var) == 1 else PolynomialRule(expr, var)
    return SumRule(expr, var, terms=[derive(t, var) for t in expr.as_ordered_terms()])


def _mul(expr, var):
    if expr.is_polynomial(var):
        return LinearRule(expr, var) if sp.degree(expr, var) == 1 else PolynomialRule(expr, var)
    const, rest = expr.as_independent(var, as_Add=False)
    if const != 1:
        return ConstantMultipleRule(expr, var, const=const, inner=derive(rest, var))
    factors = list(expr.as_ordered_factors())
    den = [f for f in factors if f.is_Pow and f.exp.is_number and f.exp.is_negative]
    num = [f for f in factors if f not in den]
    if den and num:
        numerator = sp.Mul(*num)
        denominator = sp.Mul(*[f.base ** (-f.exp) for f in den])
        return QuotientRule(expr, var, numerator=numerator, denominator=denominator,
                            num_step=derive(numerator, var), den_step=derive(denominator, var))
    return ProductRule(expr, var, factors=factors, steps=[derive(f, var) for f in factors])


def _pow(expr, var):
    base, exponent = expr.args
    if not exponent.has(var):
        rule = SqrtRule if exponent == sp.S.Half else PowerRule

        def outer(e, v):
            return rule(e, v, exponent=exponent)

        return _chain(expr, var, base, outer)
    if not base.has(var):

        def outer(e, v):
            return ExponentialRule(e, v, base=base)

        return _chain(expr, var, exponent, outer)
    return GeneralPowerRule(expr, var, base=base, exponent=exponent,
                            base_step=derive(base, var), exp_step=derive(exponent, var))


def _exp(expr, var):
    def outer(e, v):
        return ExponentialRule(e, v, base=sp.E)

    return _chain(expr, var, expr.args[0], outer)


def _max_min(expr, var):
    return MaxMinRule(expr, var, steps=[derive(a, var) for a in expr.args])


_HANDLERS: dict[type, Callable[[sp.Expr, sp.Symbol], Rule]] = {
    sp.Add: _add,
    sp.Mul: _mul,
    sp.Pow: _pow,
    sp.exp: _exp,
    sp.Max: _max_min,
    sp.Min: _max_min,
}


def walk(rule: Rule, depth: int = 0):
    """Yield (depth, rule) for the tree in reading order, parents before children."""
    yield depth, rule
    for child in rule.children():
        yield from walk(child, depth + 1)


# ---------------------------------------------------------------- clean answers


_ACTIVATIONS = (sigmoid, sp.tanh)  # the functions whose rules are written 1 - σ, 1 - tanh²
TIDY_LIMIT = 400  # operations past which an expression is left as the rules wrote it


@lru_cache(maxsize=64)  # solve's terminal lines tidy each order's result again: the same work, kept
def tidy(expr: sp.Expr, limit: int | None = None) -> sp.Expr:
    """A clean form of ``expr``: the simplest of a few cheap rewrites, never ``simplify``.

    Function applications are first replaced by placeholder symbols so that ``cancel`` and
    ``factor`` see a rational function (measured 40-500x faster than working on the
    functions themselves); the shortest candidate by operation count wins, ties keeping
    the earlier (less rewritten) form.
    """
    expr = _unit_steps(sp.sympify(expr))
    if expr.is_Atom:
        return expr
    size = sp.count_ops(expr) if limit is not None else 0
    if size > 10 * limit if limit is not None else False:  # past what any rewrite here makes readable
        return expr
    large = limit is not None and size > limit
    apps = sorted(expr.atoms(sp.Function), key=sp.count_ops, reverse=True)
    holders = {f: sp.Dummy(f"h{i}") for i, f in enumerate(apps)}
    back = {d: f for f, d in holders.items()}
    flat = expr.xreplace(holders)
    # factored outside the function applications only: e^(5x^2 + 7x) keeps the exponent its prompt wrote
    candidates = [expr] if large else [expr, sp.factor_terms(flat).xreplace(back)]
    if holders:  # group by the function applications: e^x ((1 - 4x^2) sin x^2 + ...)
        grouped = sp.collect(sp.expand(flat), list(holders.values()))
        candidates.append(sp.factor_terms(grouped).xreplace(back))
    if large:  # x^x's 11th derivative on: only the grouping, which keeps it at a few hundred operations
        return cheapest(candidates)  # (a common denominator or factoring costs a second a step there)
    for rewrite in (lambda e: sp.cancel(sp.together(e)), sp.factor):
        try:
            candidates.append(sp.factor_terms(rewrite(flat)).xreplace(back))
        except (sp.PolynomialError, sp.GeneratorsNeeded, NotImplementedError):
            continue
    return textbook_signs(cheapest(candidates))


def _one_minus(factor: sp.Expr) -> bool:
    """A sum an activation's rule writes as one minus it, here the other way round: σ - 1, 2σ - 1, tanh² - 1
    (a negative number and terms of σ or tanh, each with a positive coefficient)."""
    if not factor.is_Add:
        return False
    number, rest = factor.as_coeff_Add()
    return number.is_negative and all(t.has(*_ACTIVATIONS) and t.as_coeff_Mul()[0].is_positive
                                      for t in sp.Add.make_args(rest))


def _minus_activation(factor: sp.Expr) -> bool:
    """A sum whose activation terms all come with a minus and which has a term without one: y - σ."""
    if not factor.is_Add:
        return False
    terms = sp.Add.make_args(factor)
    active = [t for t in terms if t.has(*_ACTIVATIONS)]
    return bool(active) and all(t.could_extract_minus_sign() for t in active) and any(
        not t.could_extract_minus_sign() for t in terms)


def textbook_signs(expr: sp.Expr) -> sp.Expr:
    """``expr`` with each product's σ - 1 and tanh² - 1 written as the rules write them, 1 - σ and 1 - tanh², the
    sign made up by another sum of the product turned round (y - σ to σ - y) or by its number: factoring wrote
    σ'' as (σ - 1)(2σ - 1)σ and 2x(σ - y)σ(1 - σ) as 2x(y - σ)(σ - 1)σ, two signs turned each, which a learner
    comparing with their notes took for wrong (user50 F8)."""
    if not expr.has(*_ACTIVATIONS):
        return expr

    def turned(product: sp.Expr) -> sp.Expr:
        factors, odd, turned_round = [], False, set()
        for f in product.args:
            base, power = f.as_base_exp()
            if _one_minus(base) and power.is_Integer:
                turned_round.add(len(factors))
                factors.append((-base) ** power)
                odd ^= bool(power % 2)
            else:
                factors.append(f)
        if odd:  # another sum takes the sign where it then leads with its activation (y - σ to σ - y), else the number
            k = next((i for i, f in enumerate(factors) if i not in turned_round and _minus_activation(f)), None)
            if k is not None:
                factors[k] = -factors[k]
            else:
                factors.insert(0, sp.Integer(-1))
        return sp.Mul(*factors)

    return expr.replace(lambda e: e.is_Mul and any(_one_minus(f.as_base_exp()[0]) for f in e.args), turned)


def _unit_steps(expr: sp.Expr) -> sp.Expr:
    """H(k u) is H(u) for a positive number k (and H(-u) for a negative one)."""
    swaps = {}
    for h in expr.atoms(sp.Heaviside):
        k, rest = h.args[0].as_coeff_Mul()
        if k.is_number and k != 1 and k != 0 and rest != 1:
            swaps[h] = sp.Heaviside(rest if k > 0 else -rest, *h.args[1:])
    return expr.xreplace(swaps) if swaps else expr


def _cost(expr: sp.Expr) -> int:
    """Fewer operations first; a minus sign pulled out in front of a sum counts as two more, and a number in
    front of a sum that still has a common factor one more (2(4x - 6) is 4(2x - 3))."""
    negated_sum = expr.is_Mul and expr.could_extract_minus_sign() and any(a.is_Add for a in expr.args)
    return sp.count_ops(expr) + 2 * negated_sum + _unmerged(expr)


def _unmerged(expr: sp.Expr) -> int:
    """How many products hold a number and a sum of integer multiples with a common factor."""
    count = 0
    for node in sp.preorder_traversal(expr):
        if node.is_Mul and node.args[0].is_Integer and abs(node.args[0]) != 1:
            for factor in node.args[1:]:
                if (factor.is_Add and all(t.as_coeff_Mul()[0].is_Integer for t in factor.args)
                        and sp.igcd(*[int(t.as_coeff_Mul()[0]) for t in factor.args]) > 1):
                    count += 1
    return count


def cheapest(candidates: list[sp.Expr]) -> sp.Expr:
    """The candidate of least _cost; a tie goes to the shorter written form, then the earlier one
    (written forms are made only for a tie: for a large expression they cost seconds)."""
    costs = [_cost(c) for c in candidates]
    tied = [c for c, k in zip(candidates, costs) if k == min(costs)]
    return tied[0] if len(tied) == 1 else min(tied, key=lambda c: len(sp.srepr(c)))


# ---------------------------------------------------------------- checking the engine


def differentiate(expr: sp.Expr, var: sp.Symbol, order: int = 1,
                  limit: int | None = None) -> tuple[list[Rule], sp.Expr]:
    """The rule trees for each order in turn, and the tidy final derivative, which must equal
    ``sympy.diff`` (StepError otherwise): every derivative the engine hands out has been compared.

    Each order differentiates the tidy form of the previous one, as a learner would (tidied up to
    ``limit`` operations, see tidy); a polynomial, multiplied out (see again).
    """
    trees, current = [], expr
    for k in range(order):
        tree = derive(current, var)
        trees.append(tree)
        current = tidy(tree.result, limit) if k == order - 1 else again(tree.result, limit)
    check_against_sympy(expr, var, order, current)
    return trees, current


def again(result: sp.Expr, limit: int | None = None) -> sp.Expr:
    """The form a derivative is differentiated again in: a polynomial multiplied out, which is differentiated term by
    term (factored, 12x²y² + 4y became 4y(3x²y + 1), worked by the product rule and multiplied out again: read40);
    anything else tidied."""
    if result.free_symbols and result.is_polynomial(*result.free_symbols):
        return sp.expand(result)
    return tidy(result, limit)


def check_against_sympy(expr: sp.Expr, var: sp.Symbol, order: int, answer: sp.Expr) -> None:
    """Raise StepError unless ``answer`` equals ``sympy.diff(expr, var, order)``."""
    expected = sp.diff(expr, var, order)
    if equal(answer, expected):
        return

    def real_at(probes: list[sp.Expr]) -> int:
        return sum(_finite_real(sp.N(expr.xreplace({s: p for s in expr.free_symbols}), 15)) for p in probes)

    # a function real on (0, 1) alone (asin(2x - 1), sqrt(x/(1 - x))) is real at 2 of the probes: looked at every
    # fifth of a unit too, only then (where the probes found it real, the two disagreed: no second look)
    probes, real = _PROBES, real_at(_PROBES)
    if real < 3:
        probes = _PROBES + _NARROW
        if equal(answer, expected, probes):
            return
        real += real_at(_NARROW)
    if real < 3:  # (SymPy's own spelling, ^ for **: the step printers import this module)
        raise NotReal(f"{sp.sstr(expr).replace('**', '^')[:80]} has a real value at {real} of the {len(probes)} points "
                      f"from -3 to 4 (whatever the domain) where its derivative is checked (a root or a logarithm of a "
                      f"negative number?): change the parameters' ranges so that it has one there")
    raise StepError(f"step engine gave {answer}, sympy.diff gives {expected}")


EXPAND_LIMIT = 2000  # operations past which equal() goes straight to the probes (expanding costs seconds)
_PROBES = [sp.Rational(p) for p in ("0.3719", "-0.6131", "1.2417", "-1.8823", "2.5311",
                                     "0.0917", "-2.9377", "3.7103", "1.6181", "-1.1327")]


# every fifth of a unit from -3 to 4, looked at where the probes find too few real values: a function real on (0, 1)
# or (2, 3) alone (asin(2x - 1), sqrt(x - 2) sqrt(3 - x)) is real at 2 of them at most (attack33 F3)
_NARROW = [sp.Rational(f"{-2.9513 + 0.1973 * k:.4f}") for k in range(36)]


def equal(a: sp.Expr, b: sp.Expr, probes: list[sp.Expr] = _PROBES) -> bool:
    """Whether a and b are the same function: exactly after expansion, else at probe points.

    The probe comparison is done at 30 digits wherever both sides are real and finite; the
    expressions must agree at every such point, and at least three points must be usable.
    """
    diff = a - b
    if diff == 0 or (sp.count_ops(diff) <= EXPAND_LIMIT and sp.expand(diff) == 0):
        return True
    # every name either holds, not only the difference's: a + sec(x)^2 against a + tan(x)^2 + 1 left a out, no
    # probe had a number to compare, and `solve "a*x + tan(x)"` stopped (attack36b)
    symbols = sorted(a.free_symbols | b.free_symbols, key=lambda s: s.name)
    usable = 0
    for i in range(len(probes)):
        subs = {s: probes[(i + 3 * k) % len(probes)] for k, s in enumerate(symbols)}
        va, vb = (sp.N(e.xreplace(subs), 30) for e in (a, b))
        if not (_finite_real(va) and _finite_real(vb)):
            continue
        usable += 1
        if abs(va - vb) > sp.Float("1e-20", 30) * max(1, abs(va), abs(vb)):
            return False
    return usable >= 3


def _finite_real(v: sp.Expr) -> bool:
    return v.is_number and v.is_real is True and v.is_finite is True
