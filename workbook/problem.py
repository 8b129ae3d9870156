"""A problem as data: the record every kind returns, its worked steps and the segments they print.

A kind builds a ``Problem`` of ``Step``s and segments (``Text``, ``Math``, ``Table``). Crossing a
process boundary, the draw cache or ``manifest.json``, it travels as the plain dict ``record()``
returns, so anyone can read it without workbook. ``Degenerate`` and ``fill`` live here, below the
kinds, so that nothing a kind imports imports a kind.
"""

from __future__ import annotations

import functools
import re
from contextvars import ContextVar
from dataclasses import dataclass, field


class Degenerate(ValueError):
    """A draw a teacher would not print: a zero answer, a point outside the domain, a repeat."""

    plain = True  # its message is for the family's author, as it stands ("Degenerate: ..." was Python's word: attack25)


class OutOfRange(Degenerate):
    """A drawn value its key does not allow (a learning rate of -0.2): redrawn like any degenerate draw,
    but a slot none of whose draws is in range is a mistake in the family's file, reported with the key."""

    plain = True  # its message is for the family's author, as it stands

    def __init__(self, key: str, why: str, value: str):
        super().__init__(key, why, value)
        self.key, self.why, self.value = key, why, value

    def __str__(self) -> str:
        return f"{self.key} {self.why} (it is {self.value})"


@dataclass(frozen=True)
class Text:
    """Words, printed escaped."""

    text: str

    def record(self) -> dict:
        return {"text": self.text}


@dataclass(frozen=True)
class Math:
    """Inline LaTeX."""

    math: str

    def record(self) -> dict:
        return {"math": self.math}


@dataclass(frozen=True)
class Table:
    """A table of LaTeX cells; ``blank`` marks one a learner fills in (left out where only answers show).
    ``holds`` is how many of the answer's last parts (the key parts them with a semicolon) a learner writes
    in this table rather than on the answer lines: a network's gradients and its weights after the step."""

    head: list[str]
    rows: list[list[str]]
    blank: bool = False
    holds: int = 0
    widths: list[int] | None = None  # a blank table's: how many characters each column's numbers are written with
    # a filled table's numbers to full precision, cell by cell ("" where a cell is no number): what an export marks
    # a learner's answer against, who may give more places than the key prints (user53 F1: Canvas took -0.31620 and
    # refused -0.31623 for -0.316227766)
    exact: list[list[str]] | None = None

    def record(self) -> dict:
        table = {"head": self.head, "rows": self.rows}
        if self.exact:
            table["exact"] = self.exact
        if self.blank:
            table["blank"] = True
        if self.widths:
            table["widths"] = self.widths
        if self.holds:
            table["holds"] = self.holds
        return {"table": table}


Segment = Text | Math | Table


def words(*parts: str | Segment) -> list[Segment]:
    """Prose with inline math: each string is Text; Math and Table are kept as given."""
    return [Text(p) if isinstance(p, str) else p for p in parts]


@dataclass(frozen=True)
class Step:
    """One line of a worked solution: the rule's name, what it does in words, and its display math."""

    rule: str
    math: str = ""
    say: list[Segment] = field(default_factory=list)
    depth: int = 0

    def record(self) -> dict:
        return {"depth": self.depth, "rule": self.rule, "math": self.math, "say": [s.record() for s in self.say]}


@dataclass
class Problem:
    """What a kind makes of one draw, before the scheduler adds its family, seed and slot.

    ``identity`` tells two draws apart: a sheet never prints two problems with the same one.
    ``likeness`` is coarser, where a kind can say it (f up to a constant factor and an added constant,
    and the rate): one sheet never holds two problems alike, nor one like a worked example it prints.
    ``setting`` is the givens, where a kind's problems of different forms can still be worked the same way
    (a descent's start, rate and steps): no two on a sheet share one, nor one with a worked example.
    ``claims`` is what the problem claims, in SymPy syntax, for anyone to check (docs/manifest.md).
    ``numeric`` is the single number an LMS grades, when the problem asks for one.
    ``verified`` is filled in from what the independent checks returned, never by a kind.
    """

    identity: str
    prompt: list[Segment]
    answer: list[Segment]
    answer_text: str
    steps: list[Step]
    claims: dict
    figure: dict | None = None
    worksheet_figure: dict | None = None
    numeric: float | None = None
    verified: dict = field(default_factory=dict)
    likeness: str | None = None
    setting: str | None = None
    # the work itself, where two settings can still be worked alike: a descent's distances from its minimum (x²
    # from -2 and (x - 1)² from 3 at rate 0.1 both run 2, 1.6, 1.28: the worked table could be copied); several
    # a line, where sharing any one is a column copied (scheduler._courses)
    course: str | None = None
    title: str | None = None  # what it practises, where its family draws among several (one optimizer of five)
    difficulty: int | None = None  # its stars, where the work of a draw is less than its family's (RMSprop's one state)

    def record(self) -> dict:
        out = {"identity": self.identity, "likeness": self.likeness or self.identity, "steps": [s.record() for s in self.steps], "claims": self.claims,
               "figure": self.figure, "prompt": [s.record() for s in self.prompt],
               "answer": [s.record() for s in self.answer], "answer_text": self.answer_text,
               "numeric": self.numeric, "verified": self.verified}
        if self.worksheet_figure is not None:
            out["worksheet_figure"] = self.worksheet_figure
        if self.setting is not None:
            out["setting"] = self.setting
        if self.course is not None:
            out["course"] = self.course
        if self.title is not None:
            out["title"] = self.title
        if self.difficulty is not None:
            out["difficulty"] = self.difficulty
        return out


PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")
# a brace written twice, or a placeholder: anything in single braces is read as one ({0}, {}, {a!r} passed as text,
# where the docs say a name that is no placeholder stops the build: attack31)
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def prompt_tokens(template: str) -> list[re.Match]:
    """The placeholders and formulas of a prompt, read as fill() reads it (left to right, {{ and }} a brace), each
    match's group 1 its text: "f", "= y = w x + b"."""
    return [m for m in _TOKEN.finditer(template) if m[0] not in ("{{", "}}")]


def prompt_words(template: str) -> str:
    """A prompt's own words, its placeholders and formulas taken out."""
    return _TOKEN.sub(" ", template)


def formulas_of(template: str) -> list[str]:
    """The formulas {= ...} of a prompt, as fill() reads them: one after a brace ({{{= f(x) = x^3}}}) is one."""
    return [m[1][1:] for m in prompt_tokens(template) if m[1].startswith("=")]


class PlaceholderError(ValueError):
    """A family's text names a placeholder its kind does not fill: a typo in the bank file."""

    plain = True  # its message is for the family's author, as it stands


@functools.cache
def _formula_printer():
    """SymPy's LaTeX printer for a prompt's formula, made on first use: terms in the order typed, ln for the natural
    logarithm, and a logarithm to a base with its base (log10(x) printed ln(x), a false formula: attack41)."""
    from sympy.printing.latex import LatexPrinter

    class Printer(LatexPrinter):
        def _print_log(self, expr, exp=None):
            if len(expr.args) == 2:
                text = r"\log_{%s}{\left(%s \right)}" % (self._print(expr.args[1]), self._print(expr.args[0]))
                return text if exp is None else r"%s^{%s}" % (text, exp)
            return super()._print_log(expr, exp)

    return Printer({"order": "none", "ln_notation": True, "inv_trig_style": "full"})


def maths_and(names: list[str]) -> list[Segment]:
    """Formulas named one after another as a sentence does: x; x and y; x, y and z."""
    out: list[Segment] = []
    for i, name in enumerate(names):
        out += ([Text(" and " if i == len(names) - 1 else ", ")] if i else []) + [Math(name)]
    return out


FORMULA_MOST = 120  # characters of a formula in a prompt: a model's equation, not a page of algebra
# the draw's parameters while it is made (set by generate.generate_one): a formula naming one prints its value
DRAWN: ContextVar[dict | None] = ContextVar("drawn", default=None)
# the names of those written as decimals (a `decimal`, or a `choice` of 0.1 and 0.25): printed as such, 0.1, never
# 1/10 beside the kind's own η = 0.1 (user55 F16)
DECIMALS: ContextVar[frozenset] = ContextVar("decimals", default=frozenset())


def param_math(params: dict) -> dict[str, Math]:
    """Each parameter's value as a prompt's {name} prints it: a decimal as written, else as exact math."""
    from workbook.numbers import exact_decimal, latex

    decimals = DECIMALS.get()
    return {k: Math(exact_decimal(v) if k in decimals and getattr(v, "is_Rational", False) else latex(v))
            for k, v in params.items()}


def _as_written(drawn: dict) -> dict:
    """The drawn values a formula puts in, a decimal parameter's as a decimal (a Float of its exact digits)."""
    import sympy as sp

    from workbook.numbers import exact_decimal

    decimals = DECIMALS.get()
    out = {}
    for k, v in drawn.items():
        text = exact_decimal(v) if k in decimals and getattr(v, "is_Rational", False) else None
        out[k] = sp.Float(text, max(15, len(text))) if text and "." in text else v
    return out


def formula(text: str) -> Math:
    """A formula a prompt writes as {= y = w x + b}: each side read in the expression language (never as LaTeX or
    markup) and printed as math as it was typed (read38, read40: "A model y = w x + b" stood in upright text beside
    the typeset loss): its numbers, signs and brackets as written, a/b as a fraction, a name of several letters
    upright as a word. PlaceholderError where a side cannot be read, or a name would print as another thing."""
    import sympy as sp

    from workbook import expr as E

    if len(text) > FORMULA_MOST:
        raise PlaceholderError(f"the formula {{={text[:30]}...}} is longer than {FORMULA_MOST} characters")
    sides = text.split("=")
    if len(sides) > 3 or not all(side.strip() for side in sides):
        raise PlaceholderError(f"the formula {{={text[:30]}}} must be an expression, or two or three joined by =, such "
                               "as {= y = w x + b}")
    printed = []
    for side in sides:
        # a side that is a name of names alone, f(x) or L(w, b), is the function's name (read as f times x, it printed
        # "f x": attack41)
        named = re.fullmatch(r"\s*([A-Za-z][0-9_]*)\s*\(\s*([A-Za-z][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z][A-Za-z0-9_]*)*)\s*\)\s*",
                             side)
        try:
            if named and named[1] not in E.FUNCTIONS and named[1] not in E.CONSTANTS:
                for name in (named[1], *named[2].split(",")):
                    E.parse(name)
                printed.append(rf"{_Typed(named[1]).side()}\left({', '.join(_Typed(n).side() for n in named[2].split(','))}\right)")
                continue
            with sp.evaluate(False):
                typed = E.parse(side)  # the language's own reading: its refusals and limits
            drawn = DRAWN.get() or {}
            if {str(s) for s in typed.free_symbols} & set(drawn):
                # a parameter's value in its place, the signs tidied: {= a x + b} is 3x - 1, where {a}x + {b} outside
                # a formula printed 3x + -1 (user51 F2)
                from workbook.numbers import latex

                printed.append(latex(E.parse(side, values=_as_written(drawn))))
                continue
            printed.append(_Typed(side).side())
        except E.ExprError as exc:
            raise PlaceholderError(f"the formula {{={text[:30]}}}: {exc}") from None
        except ValueError as exc:  # a name that prints as something else (_Typed.name)
            raise PlaceholderError(f"the formula {{={text[:30]}}}: {exc}") from None
    math = " = ".join(printed)
    # a name printed as a function the formula calls: theta beside Heaviside(x), both θ (attack42 F8)
    for head in sorted(_Typed.HEADS_SHARED):
        if re.search(re.escape(head) + r"\\left\(", math) and re.search(re.escape(head) + r"(?![A-Za-z(\\])(?!\\left\()", math):
            raise PlaceholderError(f"the formula {{={text[:30]}}} prints a name and a function alike ({head}): rename "
                                   "the name")
    return Math(math)


class _Typed:
    """One side of a prompt's formula printed as it was typed. The expression language's grammar (workbook/expr.py:
    sum < product < sign < power), read again from the tokens to keep what SymPy does not: 0.5 x, x^-2, -(-x) and
    a/(b/c) were printed x/2, 1/x^2, x and a fraction with 1/c in its denominator (attack42 F5, F7). The text has
    been read by expr.parse first, so it is well formed; each function's head is SymPy's own printing of it."""

    # functions whose head prints as a Greek letter a name may print as too
    HEADS_SHARED = (r"\theta", r"\delta", r"\sigma")

    def __init__(self, text: str):
        from workbook import expr as E

        self.E = E
        self.tokens = [t for t in E.tokenize(text)]
        self.i = 0

    @property
    def tok(self):
        return self.tokens[self.i]

    def at(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def take(self):
        self.i += 1
        return self.tokens[self.i - 1]

    def side(self) -> str:
        return self.expression()[0]

    # each reader gives (latex, what it is: "sum", "neg", "product", "frac", "power", "group", "atom")
    def expression(self) -> tuple[str, str]:
        latex, kind = self.product()
        while self.at("+", "-"):
            op = self.take().text
            term, what = self.product()
            latex += f" {op} " + (rf"\left({term}\right)" if what == "neg" else term)
            kind = "sum"
        return latex, kind

    def product(self) -> tuple[str, str]:
        latex, kind = self.unary()
        while True:
            if self.at("*", "/", "**") and self.tok.text != "**":
                op = self.take().text
                right, what = self.unary()
            elif self._implicit():
                op, (right, what) = "", self.unary()
            else:
                return latex, kind
            if op == "/":
                sign, top = ("-", latex[1:].lstrip()) if kind == "neg" else ("", latex)
                latex, kind = sign + rf"\frac{{{self._bare(top, kind)}}}{{{self._bare(right, what)}}}", \
                    "neg" if sign else "frac"
                continue
            if what == "neg":
                right = rf"\left({right}\right)"
            joined = re.match(r"\d|\\frac", right) or (op == "*" and re.match(r"\\left\(|\d", right) and latex[-1:].isdigit())
            latex, kind = latex + (r" \cdot " if joined else " ") + right, "product"

    def _implicit(self) -> bool:
        prev = self.tokens[self.i - 1] if self.i else None
        if prev is None or not (prev.kind in ("num", "name") or (prev.kind == "op" and prev.text in ")|")):
            return False
        if self.at("|"):
            return self.bars == 0
        return self.tok.kind == "name" or self.at("(")

    bars = 0

    def unary(self) -> tuple[str, str]:
        if self.at("-", "+"):
            sign = self.take().text
            inner, what = self.unary()
            if sign == "+":
                return inner, what
            return "-" + (rf"\left({inner}\right)" if what == "neg" else inner), "neg"
        return self.power()

    def power(self) -> tuple[str, str]:
        start = self.i
        base, kind = self.atom()
        if not self.at("^", "**"):
            return base, kind
        self.take()
        exponent, what = self.unary()
        exponent = self._bare(exponent, what)
        if kind == "call":  # sin(x)^2 as sin²(x), with SymPy's own head
            end = self.i
            latex = self._call(start, exponent)
            self.i = end
            return latex, "power"
        if kind not in ("atom", "group"):
            base = rf"\left({base}\right)"
        return f"{base}^{{{exponent}}}", "power"

    @staticmethod
    def _bare(latex: str, kind: str) -> str:
        """A typed bracket group's inside, where a fraction's bar or an exponent's place already groups it."""
        return latex[len(r"\left("):-len(r"\right)")] if kind == "group" else latex

    def atom(self) -> tuple[str, str]:
        tok = self.take()
        if tok.kind == "num":
            text = tok.text.rstrip(".") if "." in tok.text else tok.text
            return ("0" + text if text.startswith(".") else text), "atom"
        if tok.kind == "name":
            if tok.text in self.E.FUNCTIONS:
                self.i -= 1
                return self._call(self.i, None), "call"
            return self.name(tok.text), "atom"
        if tok.text == "(":
            outside, self.bars = self.bars, 0  # (as expr.py: no bar inside brackets closes one outside them)
            inner, _ = self.expression()
            self.take()
            self.bars = outside
            return rf"\left({inner}\right)", "group"
        self.bars += 1  # |...|
        inner, _ = self.expression()
        self.take()
        self.bars -= 1
        return rf"\left|{inner}\right|", "atom"

    def name(self, text: str) -> str:
        from workbook import expr as E

        if text in ("e", "E"):
            return "e"
        if text == "pi":
            return r"\pi"
        if problem := E.print_problem(text):
            raise ValueError(problem)
        shown = E.printed_name(text)
        # a name printed as a constant is, or read as a function (PI as π, ReLU beside relu(x): attack45 F9)
        constant = shown in (r"\pi", "e")
        if constant or text.lower() in {f.lower() for f in (*E.FUNCTIONS, *E._SPELLINGS)}:
            read = "the constant " + ("π" if shown == r"\pi" else "e") if constant else f"the function {text.lower()}"
            raise ValueError(f"the name {text} would read as {read}: choose another name")
        return rf"\mathrm{{{shown}}}" if len(shown) > 1 and shown.isalpha() else shown  # a word, not a product

    def _call(self, start: int, exponent: str | None) -> str:
        """A function's call read from ``start`` (again, if a power follows it), printed by SymPy's printer with
        placeholders for its arguments, each argument printed as typed."""
        import sympy as sp

        self.i = start
        head = self.take().text
        fn = self.E.FUNCTIONS[head][0]
        power = None
        if self.at("^", "**"):  # sin^2(x), sin^(-1)(x)
            self.take()
            bracketed = self.at("(")
            if bracketed:
                self.take()
            sign = "-" if self.at("-") else ""
            if self.at("-", "+"):
                self.take()
            power = int(sign + self.take().text)
            if bracketed:
                self.take()
            if power == -1:
                fn, power = self.E.FUNCTIONS[self.E.INVERSES[head]][0], None
        barred = self.at("|")
        if barred:  # ln|x|
            args = [self.atom()[0]]
        else:
            self.take()
            args, outside, self.bars = [], self.bars, 0
            while True:
                args.append(self.expression()[0])
                if self.take().text == ")":
                    break
            self.bars = outside
        if exponent is not None:  # (sin^2(x))^3 is read as sin(x)^6 nowhere: a power after a call's own power
            power = exponent if power is None else None
        places = [sp.Symbol(f"QZQ{chr(65 + k)}") for k in range(len(args))]
        with sp.evaluate(False):
            value = fn(*places)
            if power is not None:
                value = sp.Pow(value, sp.Symbol("QZQPOWER"))
        latex = _formula_printer().doprint(value)
        if barred:  # its bars its brackets: ln|x|, not ln(|x|)
            latex = latex.replace(r"{\left(QZQA \right)}", "{QZQA}")
        for place, arg in zip(places, args, strict=True):
            latex = latex.replace(str(place), arg)
        latex = latex.replace("QZQPOWER", str(power))
        if exponent is not None and power is None:
            latex = rf"\left({latex}\right)^{{{exponent}}}"
        return latex


def formula_names(text: str) -> set[str]:
    """The names a prompt's formula {= ...} writes (see formula)."""
    import sympy as sp

    from workbook import expr as E

    with sp.evaluate(False):
        return {str(s) for side in text.split("=") for s in E.parse(side).free_symbols}


def with_params(own: dict[str, Segment], params: dict[str, Segment], later: tuple[str, ...] = ()) -> dict[str, Segment]:
    """A kind's own placeholders and each parameter's value by its name. A parameter named like one of the
    kind's (or one the kind adds ``later``) is refused: `f = { int = [2, 3] }` had put its value where the
    function goes, and the question lost its function (attack23)."""
    clash = sorted((set(own) | set(later)) & set(params))
    if clash:
        raise PlaceholderError(f"the parameter {clash[0][:30]!r} has the name of the placeholder {{{clash[0][:30]}}}, "
                               "which this kind fills with its own: rename the parameter")
    return {**own, **params}


def fill(template: str, values: dict[str, Segment]) -> list[Segment]:
    """Split prompt text into segments, each {name} becoming its segment.

    Bank text is never compiled as a template: only the exact placeholders named in ``values`` are
    replaced; everything else stays literal text, and {{ and }} are a literal brace. A {name} that is
    not one of them is a typo (it would print as it stands): PlaceholderError, naming the ones there are.
    """
    out: list[Segment] = []
    text, pos = "", 0
    # left to right, as str.format reads it: {{{f}}} is a brace, the function, a brace (read as "{{", "{f",
    # "}}", "}" it printed {{f}} and dropped the function, and a typo inside passed: attack25)
    for m in _TOKEN.finditer(template):
        text += template[pos:m.start()]
        pos = m.end()
        if m[0] in ("{{", "}}"):
            text += m[0][0]
            continue
        if m[1].startswith("="):  # a formula, {= y = w x + b}
            if text:
                out.append(Text(text))
                text = ""
            out.append(formula(m[1][1:]))
            continue
        if m[1] not in values:  # every one the text names, not the first alone (user49 F2)
            unknown = list(dict.fromkeys(t[1][:30] for t in _TOKEN.finditer(template)
                                         if t[0] not in ("{{", "}}") and not t[1].startswith("=") and t[1] not in values))
            known = ", ".join("{" + k + "}" for k in sorted(values))
            named = ", ".join("{" + u + "}" for u in unknown[:8])
            raise PlaceholderError(f"prompt: names {named}, which this kind does not fill "
                                   f"(it fills {known}; write {{{{ and }}}} for a brace)")
        if text:
            out.append(Text(text))
            text = ""
        out.append(values[m[1]])
    text += template[pos:]
    if text:
        out.append(Text(text))
    return out
