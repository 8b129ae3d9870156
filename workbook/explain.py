"""Printers for the step engine's rule trees: text for the terminal, JSON records, and
segments (text + LaTeX) for the printed solutions. They only read the trees."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import sympy as sp

from workbook import school
from workbook import steps as S
from workbook.numbers import latex
from workbook.problem import Math, Segment, Step, Text
from workbook.segments import plain
from workbook.steps import Rule


def text(expr: sp.Expr) -> str:
    """SymPy syntax, which the expression language also reads."""
    return sp.sstr(expr)


def _name(var: sp.Symbol) -> str:
    """A variable as the steps write it: a chain rule's inner function by its letter (u, or v inside u's
    own derivative, see steps.CHAIN_LETTERS), any other by its LaTeX."""
    return var.name if isinstance(var, sp.Dummy) else latex(var)


def _show_u(rule: Rule, expr: sp.Expr) -> sp.Expr:
    """Name the chain rule's dummy variable plainly, by its letter."""
    return expr.xreplace({rule.var: sp.Symbol(rule.var.name, real=True)}) if isinstance(rule.var, sp.Dummy) else expr


def _d(var: sp.Symbol) -> str:
    return r"\frac{d}{d%s}" % _name(var)


def _identity(rule: Rule) -> str:
    """The rule's identity with this step's own pieces, in LaTeX."""
    d = _d(rule.var)
    expr, result = _show_u(rule, rule.expr), _show_u(rule, rule.result)
    middle = ""
    if isinstance(rule, S.PolynomialRule):
        middle = _term_by_term(rule)
        if _multiplied_out(rule):  # the terms the power rule takes: shown, not done silently
            middle = r"%s\left[%s\right] = %s" % (d, latex(_show_u(rule, sp.expand(rule.expr))), middle)
    return r"%s\left[%s\right] = %s%s" % (d, latex(expr), middle, latex(result))


def _multiplied_out(rule: S.PolynomialRule) -> bool:
    """Whether the polynomial has to be multiplied out before the power rule sees its terms."""
    return latex(sp.expand(rule.expr)) != latex(rule.expr)


def _term_by_term(rule: S.PolynomialRule) -> str:
    """c·n·x^(n-1) for each term, before it is multiplied out: the working a learner writes."""
    parts = []
    for c, k in rule.terms():
        if k == 0:
            continue
        power = latex(rule.var ** (k - 1)) if k > 1 else ""
        coeff = latex(c) if not c.is_Add else r"\left(%s\right)" % latex(c)
        rest = "%d%s" % (k, (r"\," + power) if power else "")
        # a coefficient of 1 or -1 is no factor to write (user57 F11: "d/dx [x^2 + 5/2] = 1 · 2 x = 2 x")
        parts.append(rest if c == 1 else "-" + rest if c == -1 else r"%s \cdot %s" % (coeff, rest))
    text = " + ".join(parts).replace("+ -", "- ")
    return text + " = " if "cdot" in text else ""


def _letters(rule: Rule) -> tuple[str, str]:
    """Two letters for a rule's constants that are none of its own names: ∂/∂b (a b + b) = a, for a variable
    named b, stated a false rule (user51 F9)."""
    taken = {str(s) for s in rule.expr.free_symbols} | {_name(rule.var)}
    return next(pair for pair in (("a", "b"), ("m", "c"), ("k", "d"), ("p", "q"), (r"\alpha", r"\beta"))
                if not set(pair) & taken)


def _v(rule: Rule) -> str:
    """The rule's variable as the identities write it: u inside a chain, else the variable itself."""
    return _name(rule.var)


def _polynomial(rule: S.PolynomialRule) -> list[Segment]:
    v = _name(rule.var)
    first = "Multiply out, then bring" if _multiplied_out(rule) else "Bring"
    return [Text(first + " each exponent down and lower it by one, "),
            Math(r"%s\,c\,%s^{n} = c\,n\,%s^{n-1}" % (_d(rule.var), v, v)), Text("; constant terms give 0.")]


def _lowered(title: str) -> str:
    """A rule's title inside a sentence: "the power rule", but "the ReLU rule" (user57 F4: "the reLU rule")."""
    return title if any(c.isupper() for c in title.split(" ")[0][1:]) else title[:1].lower() + title[1:]


def _chain_words(rule: S.ChainRule) -> list[Segment]:
    outer = rule.outer
    u = _name(rule.u)
    return [Text("Let "), Math(f"{u} = " + latex(rule.inner_expr)),
            Text(": the " + _lowered(outer.title) + " gives "), Math(_identity(outer)),
            Text(", then multiply by "), Math(r"\frac{d%s}{d%s}" % (u, latex(rule.var))), Text(".")]


def _exponential(rule: S.ExponentialRule) -> list[Segment]:
    d, v = _d(rule.var), _v(rule)
    if rule.base == sp.E:
        return [Text("The exponential is its own derivative: "), Math(r"%se^{%s} = e^{%s}" % (d, v, v)), Text(".")]
    return [Text("Exponential with base "), Math(latex(rule.base)), Text(": "),
            Math(r"%sa^{%s} = a^{%s}\ln a" % (d, v, v)), Text(".")]


#: what each rule says, in words and inline math, by the rule's class (a subclass finds its parent's)
SAY: dict[type, Callable[..., list[Segment]]] = {
    S.ConstantRule: lambda r: [Text("A constant has derivative 0.")],
    S.VariableRule: lambda r: [Text("The derivative of the variable itself is 1.")],
    S.PolynomialRule: _polynomial,
    S.LinearRule: lambda r: [Text("A linear function has a constant slope: "),
                             Math(r"%s(%s %s + %s) = %s" % (_d(r.var), (k := _letters(r))[0], _v(r), k[1], k[0])),
                             Text(".")],
    S.SumRule: lambda r: [Text("Differentiate term by term, "), Math(r"(f + g)' = f' + g'"), Text(".")],
    S.ConstantMultipleRule: lambda r: [Text("Keep the constant factor "), Math(latex(r.const)),
                                       Text(" and differentiate the rest, "), Math(r"(c\,f)' = c\,f'"), Text(".")],
    S.ProductRule: lambda r: [Math(r"(fg)' = f'g + fg'"), Text(" with the factors "),
                              Math(", ".join(latex(f) for f in r.factors)), Text(".")],
    S.QuotientRule: lambda r: [Math(r"\left(\frac{f}{g}\right)' = \frac{f'g - fg'}{g^{2}}"), Text(" with "),
                               Math("f = " + latex(r.numerator)), Text(" and "), Math("g = " + latex(r.denominator)),
                               Text(".")],
    S.ChainRule: _chain_words,
    S.SqrtRule: lambda r: [Text("A square root is the power 1/2: "),
                           Math(r"%s\sqrt{%s} = \frac{1}{2\sqrt{%s}}" % (_d(r.var), _v(r), _v(r))), Text(".")],
    S.PowerRule: lambda r: [Text("Bring the exponent down and lower it by one, "),
                            Math(r"%s%s^{n} = n\,%s^{n-1}" % (_d(r.var), _v(r), _v(r))), Text(" with "),
                            Math("n = " + latex(r.exponent)), Text(".")],
    S.ExponentialRule: _exponential,
    S.GeneralPowerRule: lambda r: [Text("Variable base and exponent: write "), Math(r"f^{g} = e^{g \ln f}"),
                                   Text(", so "),
                                   Math(r"\left(f^{g}\right)' = f^{g}\left(g' \ln f + \frac{g f'}{f}\right)"),
                                   Text(".")],
    # (the step printed θ, as the formulas print it, where the words said H: read54 F13; and where the arguments tie
    # the slopes from the two sides may agree, e^min(0, x) + max(0, x) - 1 at 0)
    S.MaxMinRule: lambda r: [Text("The larger (or smaller) argument is the one that changes the value; the unit step "),
                             Math(r"\theta(u)"), Text(" (1 for "), Math("u > 0"), Text(", 0 for "),
                             Math("u < 0"), Text(") picks it; where the arguments tie, the derivative exists only if the slopes "
                                  "from the two sides agree.")],
    S.FunctionRule: lambda r: [Text("From the table of derivatives, "), Math(_identity(r)), Text(".")] + (
        [Text(" The spike "), Math(r"\delta"), Text(" is 0 wherever what it is taken of is not 0, and has no value where it "
                                                   "is: the function is flat on each side and jumps there.")]
        if r.result.has(sp.DiracDelta) else []),
}


def say(rule: Rule) -> list[Segment]:
    """What a step does, in words and inline math, for the printed solution."""
    for cls in type(rule).__mro__:
        if cls in SAY:
            return SAY[cls](rule)
    return [Text(rule.title + ".")]


def worked_steps(trees: list[Rule], depth: int = 0, then: sp.Expr | None = None) -> list[Step]:
    """Flat steps for the solutions book, nested ``depth`` deep: rule title, words, the step's claim. Each
    derivative but the last is brought to the form the next differentiates; the last to the key's, or to ``then``
    where it is itself differentiated again (a first partial, for the second ones)."""
    out = []
    for order, tree in enumerate(trees, start=1):
        if len(trees) > 1:
            out.append(Step(f"Derivative number {order}", "", [Text("Differentiate "), Math(latex(tree.expr)),
                                                                Text(".")], depth))
        for level, rule in S.walk(tree):
            out.append(Step(rule.title, _identity(rule), say(rule), depth + level))
        last = order == len(trees)
        tidied = trees[order].expr if not last else S.tidy(tree.result) if then is None else then
        if latex(tidied) != latex(tree.result):  # the key's form, from the rules' last line (read23: 18x² − 10x
            # worked, 2x(9x − 5) in the key, nothing between them)
            words = ("Multiply out: a polynomial is differentiated again term by term." if tidied == sp.expand(tree.result)
                     and not (last and then is None) else
                     "Gather the result into its simplest form, the one the answer gives." if last and then is None else
                     "Gather the result into a simpler form to differentiate again.")
            out.append(Step("Simplify", f"{latex(tree.result)} = {latex(tidied)}", [Text(words)], depth))
    return out


def as_partials(steps: list[Step], variables: list[sp.Symbol]) -> list[Step]:
    """Steps of a function of several variables written with ∂: d/dx [...] becomes ∂/∂x [...] and
    du/dx becomes ∂u/∂x (the step engine writes d, as for one variable)."""
    swaps = []
    for v in variables:
        name = latex(v)
        swaps += [(r"\frac{d}{d%s}" % name, r"\frac{\partial}{\partial %s}" % name),
                  (r"\frac{du}{d%s}" % name, r"\frac{\partial u}{\partial %s}" % name)]

    def swapped(tex: str) -> str:
        for old, new in swaps:
            tex = tex.replace(old, new)
        return tex

    return [replace(step, math=swapped(step.math),
                    say=[Math(swapped(part.math)) if isinstance(part, Math) else part for part in step.say])
            for step in steps]


def json_steps(trees: list[Rule]) -> list[dict]:
    """Steps as checkable claims: d/d(variable) of ``expression`` is ``derivative``."""
    out = []
    for tree in trees:
        for _, rule in S.walk(tree):
            out.append({"rule": rule.tag, "expression": text(rule.expr), "derivative": text(rule.result),
                        "text": sentence(rule)})
    return out


def sentence(rule: Rule) -> str:
    """One line of plain text for the terminal."""
    return plain([seg.record() for seg in say(rule)])


def text_steps(trees: list[Rule], full: int = 2, partial: bool = False) -> list[str]:
    """Indented lines for ``workbook solve`` in the terminal. Past three derivatives, the first
    ``full`` are worked rule by rule and each later one is one line: what it differentiates, what
    it gets, and the rules it used (every step stays in ``--json``)."""
    lines = []
    d = "\u2202" if partial else "d"
    brief = len(trees) > 3
    for order, tree in enumerate(trees, start=1):
        if brief and order > full:
            rules = "; ".join(dict.fromkeys(rule.title.lower() for _, rule in S.walk(tree)))
            lines.append(f"Derivative number {order}: {d}/{d}{tree.var} [{pretty(tree.expr)}] = "
                         f"{pretty(S.tidy(tree.result, S.TIDY_LIMIT))}")
            lines.append(f"    using the {rules}.")
            continue
        if len(trees) > 1:
            lines.append(f"Derivative number {order}:")
        for depth, rule in S.walk(tree):
            inner = isinstance(rule.var, sp.Dummy)  # a chain's inner function: an ordinary derivative, d
            var = rule.var.name if inner else rule.var
            claim = f"{'d' if inner else d}/{'d' if inner else d}{var} [{pretty(_show_u(rule, rule.expr))}] = " \
                    f"{pretty(_show_u(rule, rule.result))}"
            lines.append("  " * depth + f"{rule.title}: {claim}")
            said = sentence(rule)
            lines.append("  " * depth + "    " + (said if inner else said.replace(f"d/d{var}", f"{d}/{d}{var}")))
            if isinstance(rule, S.GeneralPowerRule):
                lines.append("  " * depth + "    " + _filled_in(rule))
    return lines


def _filled_in(rule: S.GeneralPowerRule) -> str:
    """Logarithmic differentiation with this step's own pieces, before it is tidied."""
    f, g, df, dg = rule.base, rule.exponent, rule.base_step.result, rule.exp_step.result
    p = [pretty(e) if e.is_Atom or e.is_Function else f"({pretty(e)})" for e in (f, g, df, dg)]
    return (f"Here f = {pretty(f)}, g = {pretty(g)}, f' = {pretty(df)}, g' = {pretty(dg)}: "
            f"{pretty(rule.expr)} ({p[3]} \u00b7 ln({pretty(f)}) + {p[1]} \u00b7 {p[2]}/{p[0]}) = {pretty(rule.result)}")


def pretty(expr: sp.Expr) -> str:
    """School notation for the terminal (ln, e^x, |x|, 2x cos(x^2)), readable back by the language."""
    return school.text(expr)
