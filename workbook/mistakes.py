"""The mistakes learners make when they differentiate, as data: each one a slip in one rule.

A slip re-evaluates the step engine's rule tree with one rule done wrong (the chain rule without
its inner derivative, the product rule with a term dropped, the quotient rule's numerator the
wrong way round ...), so it gives the wrong answer a learner who made that slip would write, for
this expression. ``workbook solve --check`` compares a learner's answer with each to say which
mistake it looks like; the mutation tests use the same catalogue to prove the checker rejects them.
Whole-answer slips (a sign, a constant factor, a constant added) are recognised by ``diagnose``
from the answer alone.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from workbook import steps as S


@dataclass(frozen=True)
class Slip:
    """One mistake: its name, what a tutor says about it, and the rule it changes (how)."""

    name: str
    advice: str
    rule: type
    wrong: Callable[[S.Rule], sp.Expr | None]  # the slipped result of one rule, from its (slipped) children


def _product_terms(r: S.ProductRule) -> list[sp.Expr]:
    return [sp.Mul(step.result, *[f for j, f in enumerate(r.factors) if j != i]) for i, step in enumerate(r.steps)]


def _quotient(r: S.QuotientRule, numerator: Callable, power: int = 2) -> sp.Expr:
    return numerator(r.num_step.result, r.den_step.result, r.numerator, r.denominator) / r.denominator**power


CATALOGUE: tuple[Slip, ...] = (
    Slip("missing chain factor", "the chain rule's inner derivative is missing: after differentiating the outer "
         "function, multiply by the derivative of what is inside it",
         S.ChainRule, lambda r: r.outer.result.xreplace({r.u: r.inner_expr})),
    Slip("product rule term dropped", "a term of the product rule is missing: (fg)' = f'g + fg' has a term for "
         "each factor", S.ProductRule, lambda r: sp.Add(*_product_terms(r)[:-1]) if len(r.steps) > 1 else None),
    Slip("product rule first term dropped", "a term of the product rule is missing: (fg)' = f'g + fg' has a term "
         "for each factor", S.ProductRule, lambda r: sp.Add(*_product_terms(r)[1:]) if len(r.steps) > 1 else None),
    Slip("product of derivatives", "the derivative of a product is not the product of the derivatives: "
         "(fg)' = f'g + fg'", S.ProductRule, lambda r: sp.Mul(*[s.result for s in r.steps])),
    Slip("quotient rule numerator reversed", "the quotient rule's numerator is the wrong way round: "
         "(f/g)' = (f'g - fg')/g^2", S.QuotientRule, lambda r: _quotient(r, lambda df, dg, f, g: f * dg - df * g)),
    Slip("quotient rule plus", "the quotient rule's numerator has a minus sign: (f/g)' = (f'g - fg')/g^2",
         S.QuotientRule, lambda r: _quotient(r, lambda df, dg, f, g: df * g + f * dg)),
    Slip("quotient rule denominator", "the quotient rule divides by the denominator squared: "
         "(f/g)' = (f'g - fg')/g^2", S.QuotientRule, lambda r: _quotient(r, lambda df, dg, f, g: df * g - f * dg, 1)),
    Slip("quotient of derivatives", "the derivative of a quotient is not the quotient of the derivatives: "
         "(f/g)' = (f'g - fg')/g^2", S.QuotientRule,
         lambda r: r.num_step.result / r.den_step.result if r.den_step.result != 0 else None),
    Slip("exponent not lowered", "the power rule lowers the exponent by one: d/dx x^n = n x^(n-1)",
         S.PowerRule, lambda r: r.exponent * r.var**r.exponent),
    Slip("exponent not brought down", "the power rule brings the exponent down as a factor: d/dx x^n = n x^(n-1)",
         S.PowerRule, lambda r: r.var ** (r.exponent - 1)),
    Slip("exponents not lowered", "the power rule lowers each exponent by one: d/dx x^n = n x^(n-1)",
         S.PolynomialRule, lambda r: sp.Add(*[c * k * r.var**k for c, k in r.terms()])),
    Slip("ln of the base missing", "an exponential with base a has derivative a^x ln a; only e^x is its own derivative",
         S.ExponentialRule, lambda r: r.expr if r.base != sp.E else None),
    Slip("table sign", "a sign from the table of derivatives went the wrong way: d/dx cos x = -sin x, and "
         "d/dx sin x = cos x",
         S.FunctionRule, lambda r: -r.eval() if r.name in ("sin", "cos", "cot", "csc", "sec", "tan", "acos", "acot")
         else None),
    # the activations' own sign slips, the commonest in a deep-learning course: σ(1 + σ), 1 + tanh² (user50 F7)
    Slip("sigmoid sign", "the sigmoid rule has a minus sign: d/dx σ(x) = σ(x)(1 - σ(x)), not σ(x)(1 + σ(x))",
         S.FunctionRule, lambda r: r.expr * (1 + r.expr) if r.name == "sigmoid" else None),
    Slip("tanh sign", "the tanh rule has a minus sign: d/dx tanh x = 1 - tanh²x, not 1 + tanh²x",
         S.FunctionRule, lambda r: 1 + r.expr**2 if r.name == "tanh" else None),
)


def slipped(tree: S.Rule, slip: Slip, where: Callable[[S.Rule], bool] | None = None) -> sp.Expr | None:
    """The answer with ``slip`` made wherever its rule is used (or only at the uses ``where`` picks); None if it
    is made nowhere."""
    used = [False]

    def clone(rule: S.Rule) -> S.Rule:
        new = copy.copy(rule)
        new.__dict__.pop("result", None)
        for f in dataclasses.fields(rule):
            value = getattr(rule, f.name)
            if isinstance(value, S.Rule):
                setattr(new, f.name, clone(value))
            elif isinstance(value, list) and value and all(isinstance(v, S.Rule) for v in value):
                setattr(new, f.name, [clone(v) for v in value])
        if isinstance(rule, slip.rule) and (where is None or where(rule)):
            wrong = slip.wrong(new)
            if wrong is not None:
                new.__dict__["result"] = wrong
                used[0] = True
        return new

    result = clone(tree).result
    return result if used[0] else None


MOST_USES = 12  # a rule's uses tried one at a time, and by what they work on


def slips(tree: S.Rule, slip: Slip) -> list[sp.Expr]:
    """The answers with ``slip`` made: at every use of its rule, at each use alone, and at every use on the same
    thing (a learner drops one chain factor of sin(x²)³, not all: user53 F9; or the x of w x + b in both of
    cross-entropy's terms)."""
    uses = [rule for rule in _rules(tree) if isinstance(rule, slip.rule)]
    if not uses:
        return []
    out = [slipped(tree, slip)]
    if len(uses) > 1:
        out += [slipped(tree, slip, lambda rule, one=one: rule is one) for one in uses[:MOST_USES]]
        groups: dict[str, list] = {}
        for rule in uses[:MOST_USES]:
            groups.setdefault(sp.srepr(getattr(rule, "inner_expr", None) or getattr(rule, "expr", None)), []).append(rule)
        out += [slipped(tree, slip, lambda rule, group=group: any(rule is g for g in group))
                for group in groups.values() if 1 < len(group) < len(uses)]
    return [w for w in out if w is not None]


def _rules(rule: S.Rule) -> list[S.Rule]:
    """Every rule of the tree, the root first."""
    found = [rule]
    for f in dataclasses.fields(rule):
        value = getattr(rule, f.name)
        if isinstance(value, S.Rule):
            found += _rules(value)
        elif isinstance(value, list) and value and all(isinstance(v, S.Rule) for v in value):
            for v in value:
                found += _rules(v)
    return found


def diagnose(tree: S.Rule | None, truth: sp.Expr, answer: sp.Expr, function: sp.Expr, same) -> str | None:
    """What the wrong ``answer`` looks like, in a sentence, or None. ``same(a, b)`` says whether two
    expressions are the same function (``steps.equal``); ``tree`` is the last derivative's rule tree."""
    if same(answer, function):
        return "that is the function itself, not its derivative"
    negated = same(answer, -truth)
    if tree is not None:
        fits = [slip for slip in CATALOGUE
                if any(not same(wrong, truth) and same(answer, wrong) for wrong in slips(tree, slip))]
        # a whole sign the wrong way is said as such, unless a slip of a sign fits it (user53 F9: a softmax answer
        # exactly -1 times the derivative was put down to the power rule)
        if negated:
            fits = [slip for slip in fits if "sign" in slip.name or "reversed" in slip.name]
        if fits:
            return fits[0].advice
    if negated:
        return "the sign is the wrong way round"
    k = _constant(answer, truth, lambda a, b: a / b)
    if k is not None and k.is_Float and 0 < abs(k - 1) < 1e-3 and same(answer, k * truth):
        # 1.0000004 times: a number rounded, not a factor wrong ("about 1 times the derivative": user48 F14)
        digits = max(1, int(-math.log10(abs(float(k) - 1))))
        return (f"your answer is the derivative to about {digits} digits only: is a number in it rounded? write it "
                "exactly (ln(2), not 0.693147; pi, not 3.14159)")
    if k is not None and k not in (0, 1, -1) and same(answer, k * truth):
        from workbook.explain import pretty

        said = f"about {float(k):.4g}" if k.is_Float else f"1/{pretty(1 / k)}" if k.is_Pow and k.exp.is_negative \
            else pretty(k)
        return f"your answer is {said} times the derivative: check a constant factor"
    c = _constant(answer, truth, lambda a, b: a - b)
    if c is not None and c != 0 and same(answer, truth + c):
        return "your answer differs from the derivative by a constant: the derivative of a constant term is 0"
    return None


_PROBES = (sp.Rational(7, 10), sp.Rational(-13, 10), sp.Rational(19, 10))


def _constant(answer: sp.Expr, truth: sp.Expr, how) -> sp.Expr | None:
    """The number how(answer, truth) is at every probe, as a simple fraction, or None if it varies."""
    seen = []
    symbols = sorted(answer.free_symbols | truth.free_symbols, key=str)
    for p in _PROBES:
        # in decimals from the start: put in exactly, 10^(-10^6 (x - 0.3)^2) at 7/10 was a fraction of 160 000
        # digits, and a wrong answer's advice ran past solve's 10 s budget (attack30)
        at = {s: sp.Float(p + k, 30) for k, s in enumerate(symbols)}
        try:
            v = complex(sp.N(how(answer.xreplace(at), truth.xreplace(at)), 20))
        except (TypeError, ValueError, ZeroDivisionError):
            return None
        if v.imag or not math.isfinite(v.real):
            return None
        seen.append(v.real)
    if max(seen) - min(seen) > 1e-9 * max(1.0, abs(seen[0])):
        return None
    return _named(seen[0])


def _named(value: float) -> sp.Expr:
    """A number as a reader would name it: a fraction of small terms (3/2), else a short form in π, e, ln 2 and
    ln 10 (1/ln(10), for a learner who took log as base 10), else the decimal to 4 figures. Any fraction at all
    made 1/ln(10) "1619556863/3729167490" (attack40b)."""
    from fractions import Fraction

    close = lambda k: abs(float(k) - value) <= 1e-10 * max(1.0, abs(value))
    fraction = Fraction(value).limit_denominator(1000)
    if close(fraction):
        return sp.Rational(fraction.numerator, fraction.denominator)
    for c in (sp.pi, sp.E, sp.log(2), sp.log(10)):  # a small fraction times one of them, or its square, or over it
        for power in (1, -1, 2, -2):
            times = Fraction(value / float(c**power)).limit_denominator(100)
            if times and close(times * float(c**power)):
                return sp.Rational(times.numerator, times.denominator) * c**power
    return sp.Float(value, 15)
