"""The expression language: our own parser from text to SymPy, a fixed function table, no eval.

Family files from strangers are read with this, so it is a security boundary: the text is
tokenized and parsed here, and SymPy objects are built with SymPy's constructors directly.
Nothing in the text is ever handed to ``eval``, ``sympify``, ``parse_expr`` or ``lambdify``.
"""

from __future__ import annotations

import contextlib
import contextvars
import difflib
import functools
import keyword
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

import sympy as sp

from workbook.errors import excerpt, printable
from workbook.functions import BY_NAME

MAX_LENGTH = 1000
MAX_DEPTH = 60
MAX_DIGITS = 30
MAX_POWER_DIGITS = 2000
MAX_SYMBOLIC_EXPONENT = 100
WINDOW = 70  # characters of a long expression shown around an error
MAX_GROWTH = 200  # (x^5 + 1)^40 takes 11 s to differentiate twice with steps; (x^10 + 1)^100, minutes
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*")
OWN_LENGTH = 100_000  # the longest record of the project's own (an answer it drew) it reads back
_OWN = contextvars.ContextVar("own", default=False)


@contextlib.contextmanager
def own_record():
    """Read text the project wrote (a drawn answer in a problem's record, to judge a learner by) without the
    limits on what a learner types: a key of 33 digits, (9999x)^8's derivative, or exp(20002/10000) from a
    step h = 0.0001, is an answer to judge against, not a typing to refuse (parse keeps its other checks)."""
    token = _OWN.set(True)
    try:
        yield
    finally:
        _OWN.reset(token)


class ExprError(ValueError):
    """A bad expression: what is wrong and where (0-based position in the text)."""

    def __init__(self, message: str, position: int | None = None, text: str = ""):
        self.message, self.position, self.text = message, position, text
        where = f" at position {position + 1}" if position is not None else ""
        super().__init__(f"{message}{where}")

    def pointer(self) -> str:
        """The text on one line with the place marked, ⟨*⟩ around the character there (⟨⟩ past the end): an error
        is one line (user54 F9: a caret under the text made three); a long text is shown around the place."""
        # every character str.splitlines breaks at, and a tab, as a space: the marked text stays one line (attack40 F2)
        line = re.sub(r"[\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029]", " ", self.text)
        if self.position is None:
            return line[:WINDOW]
        at = min(self.position, len(line))
        marked = f"{line[:at]}⟨{line[at:at + 1]}⟩{line[at + 1:]}"
        if len(line) <= WINDOW:
            return marked
        start = max(0, min(at - WINDOW // 2, len(line) - WINDOW))  # the part around the place
        return ("..." if start else "") + marked[start:start + WINDOW + 2] + ("..." if start + WINDOW < len(line) else "")


FUNCTIONS = BY_NAME  # every function the language reads: workbook/functions.py
_GROWING = {"exp", "sinh", "cosh", "csch", "sech"}  # of a large number: a number with too many digits to hold

CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "e": sp.E, "E": sp.E}


def symbol(name: str) -> sp.Symbol:
    """The one way to make a symbol: a real symbol with a checked name."""
    problem = name_problem(name)
    if problem:
        raise ExprError(problem, None, name)
    return sp.Symbol(name, real=True)


@functools.lru_cache(maxsize=4096)
def printed_name(name: str) -> str:
    """How the page prints a name: SymPy reads a final digit or an underscore as a subscript (x1 and x_1 are
    both x_{1}), a Greek letter's name as the letter, and endings such as hat, dot, bar, prime as marks."""
    return sp.latex(sp.Symbol(name))


_PRINTS_PLAIN = re.compile(r"(\\[A-Za-z]+|[A-Za-z][A-Za-z0-9]*)(_\{[A-Za-z0-9]+\})?")


@functools.lru_cache(maxsize=4096)
def name_problem(name: str) -> str | None:
    if not NAME.fullmatch(name):
        return f"{excerpt(name)} is not a name: use a letter, then letters, digits or _"
    if len(name) > 16:
        return f"the name {excerpt(name)} is longer than 16 characters"
    if "__" in name:
        return f"the name {excerpt(name)} contains '__', which is not allowed"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        return f"{excerpt(name)} is a reserved word, not a name"
    if name in FUNCTIONS:
        return f"{name} is a function; write {name}(...)"
    if name in CONSTANTS:
        return f"{name} is a constant, not a variable name"
    return None


def print_problem(name: str) -> str | None:
    """Why a name would not print as a name (xhat as x̂, xprime as x′, a derivative; x_ as x_{}), or None."""
    if not _PRINTS_PLAIN.fullmatch(printed_name(name)):
        return (f"the name {excerpt(name)} would print as '{printable(printed_name(name))[:30]}', a mark or an empty "
                "subscript (a name ending in hat, dot, bar, prime, tilde, vec ... or _ prints so): choose a plain "
                "name such as w1")
    return None


@dataclass
class Token:
    kind: str  # "num", "name", "op", "end"
    text: str
    pos: int


_TOKEN = re.compile(r"(?P<num>\d+(?:\.\d*)?|\.\d+)|(?P<name>[A-Za-z][A-Za-z0-9_]*)|(?P<op>\*\*|[-+*/^(),|])|(?P<space>\s+)")

#: characters people type from other keyboards or from printed math, and what to type instead
_LOOKALIKES = {"\u00b7": "*", "\u00d7": "*", "\u22c5": "*", "\u2212": "-", "\u2013": "-", "\u00f7": "/",
               "\u03c0": "pi", "\u03c3": "sigmoid(...)", "\u221a": "sqrt(...)", "\u2009": "a plain space", "\u00a0": "a plain space",
               "[": "(", "]": ")", "{": "(", "}": ")"}
# letters of other alphabets drawn as Latin ones (a Cyrillic х for x was refused with no hint: attack35b)
_LOOKALIKES.update({ch: repr(latin) for ch, latin in zip("абеһіјкорсухАВЕНІЈКМОРСТУХο", "abehijkopcyxABEHIJKMOPCTYXo", strict=True)})

#: spellings from other countries and calculators: what they mean in this language
_SPELLINGS = {"tg": "tan", "ctg": "cot", "cotg": "cot", "arctg": "arctan", "arcctg": "arccot", "sen": "sin",
              "arcsen": "arcsin", "sh": "sinh", "ch": "cosh", "th": "tanh", "cth": "coth", "Log": "log",
              "Ln": "ln", "Exp": "exp", "Sin": "sin", "Cos": "cos", "Tan": "tan", "sqr": "sqrt",
              "root": "sqrt", "absolute": "abs", "sgn": "sign", "step": "Heaviside", "ReLU": "relu",
              "Relu": "relu", "sigma": "sigmoid", "logistic": "sigmoid", "arcsinus": "arcsin"}

#: f^-1(x) is the inverse function, as calculators print it
INVERSES = {"sin": "asin", "cos": "acos", "tan": "atan", "cot": "acot", "sec": "asec", "csc": "acsc",
            "sinh": "asinh", "cosh": "acosh", "tanh": "atanh", "coth": "acoth", "sech": "asech", "csch": "acsch"}


def tokenize(text: str) -> list[Token]:
    """The tokens of the text; anything outside the language is an error at its position."""
    tokens, pos = [], 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            hint = {".": "attribute access is not part of the language", "_": "names start with a letter",
                    "!": "factorials are not supported", "=": "write an expression, not an equation",
                    "'": "write the expression itself; --order or --wrt x,x takes further derivatives"}.get(ch, "")
            if ch in _LOOKALIKES:
                hint = f"type {_LOOKALIKES[ch]} instead"
            raise ExprError(f"unexpected character {ch!r}" + (f" ({hint})" if hint else ""), pos, text)
        if m.lastgroup != "space":
            tokens.append(Token(m.lastgroup, m.group(), pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


ANGLE_VECTOR = re.compile(r"\s*[<\u27e8][^<>]*,[^<>]*[>\u27e9]\s*")  # <-4, -1> or ⟨-4, -1⟩ (interactive.js too)
ANGLE_VECTOR_SAID = "a vector is written in round brackets here, (-4, -1), or as its parts, -4, -1"


def parse(text: str, *, variables: Iterable[str] | None = None, values: dict[str, sp.Expr] | None = None,
          names: Iterable[str] = ()) -> sp.Expr:
    """Parse text into a SymPy expression. With ``variables``, other names are refused. A name in
    ``values`` (a family's drawn parameters) is read as its value, so every limit on sizes holds
    for the numbers the expression really has, not only for the names it was written with. A name in
    ``names`` (a variable the caller was told, `--wrt cost`) is a name, never a glued call (cos(t))."""
    if not isinstance(text, str):
        raise ExprError("an expression must be text")
    if len(text) > (OWN_LENGTH if _OWN.get() else MAX_LENGTH):
        raise ExprError(f"the expression is {len(text)} characters long; the limit is {MAX_LENGTH}", None, text[:80])
    for i, ch in enumerate(text):
        if not (32 <= ord(ch) < 127 or ch in "\t\n"):
            plain = unicodedata.normalize("NFKC", ch)
            hint = f"; it looks like {plain!r}, type that instead" if plain.isascii() and plain != ch else ""
            if ch in _LOOKALIKES:
                hint = f"; type {_LOOKALIKES[ch]} instead"
            if "SUPERSCRIPT" in unicodedata.name(ch, ""):  # the hint itself in plain ASCII: ⁻ is U+2212 as NFKC has it
                hint = f"; for a power write ^{_LOOKALIKES.get(plain, plain)}"
            raise ExprError(f"unexpected character {ch!r} (only plain ASCII is allowed{hint})", i, text)
    if not text.strip():
        raise ExprError("the expression is empty", None, text)
    tag = re.search(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>", text)
    if tag and not re.search(r"\bif\b", text):  # markup (<b>, <script>), not an answer in pieces (attack30)
        raise ExprError("markup such as <b> is no part of an expression: write the expression alone, in plain "
                        "letters, digits and + - * / ^ ( )", tag.start(), text)
    if ANGLE_VECTOR.fullmatch(text):  # <-4, -1>, a vector as many books write one (attack33 F13)
        raise ExprError(ANGLE_VECTOR_SAID, text.index("<"), text)
    pieces = re.search(r"\bif\b|[<>]", text)
    if pieces:  # the answer in pieces, as workbook prints one: said how to write it in this language
        raise ExprError("a function in pieces is written with a step or a corner here: for 'A if x < 0; B if x > 0' "
                        "type A + (B - A) Heaviside(x), or use relu(x), |x|, max(...)", pieces.start(), text)
    sci = re.search(r"(?<![A-Za-z0-9_.])(\d+\.?\d*|\.\d+)[eE]([+-]?)(\d+)", text)
    if sci:  # 1e-5 would read as 1 times e (Euler's number) minus 5
        power = f"10^{sci.group(2).replace('+', '')}{sci.group(3)}"
        raise ExprError(f"{sci.group(0)!r} has two readings; for {sci.group(1)} times ten to a power write "
                        f"{sci.group(1)}*{power}, and for e write {sci.group(1)}*e", sci.start(), text)
    based = re.search(r"(?<![A-Za-z0-9_.])0[xXbBoO][0-9A-Fa-f]+", text)
    if based:  # 0x1F read as 0 times x1F: a number in another base, as a programmer writes one (attack31)
        raise ExprError(f"{based.group(0)[:20]!r} reads as a number in another base, which is not read here: write the "
                        f"number in decimals, or 0*{based.group(0)[1:20]} for a product", based.start(), text)
    declared = set(names)
    known = None if variables is None else set(variables) | declared
    tokens = tokenize(text) if known is None else _products(tokenize(text), known, values or {})
    parser = _Parser(text, tokens, known, values or {}, declared)
    result = parser.expression()
    parser.expect_end()
    if (growth := _growth(result)) > MAX_GROWTH:
        raise ExprError(f"the powers nest to degree {growth:g}, more than {MAX_GROWTH}: the derivative would be "
                        "too large to work out", None, text)
    if result.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise ExprError("the expression is undefined (division by zero or infinity)", None, text)
    if any(n.is_number and (n.has(sp.I) or n.is_extended_real is False) for n in result.atoms(sp.Pow, sp.Function)):
        raise ExprError("the expression holds a number that is not real (a root or a logarithm of a negative number)",
                        None, text)
    return result


class _Parser:
    """Precedence climbing: sum < product (and implicit product) < unary sign < power."""

    def __init__(self, text: str, tokens: list[Token], variables: set[str] | None, values: dict,
                 names: set[str] = frozenset()):
        self.text, self.tokens, self.i, self.depth, self.bars = text, tokens, 0, 0, 0
        self.variables, self.values, self.names = variables, values, names

    # -- helpers
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def error(self, message: str, tok: Token | None = None) -> ExprError:
        return ExprError(message, (tok or self.tok).pos, self.text)

    def take(self) -> Token:
        tok = self.tok
        self.i += 1
        return tok

    def at_op(self, *ops: str) -> bool:
        return self.tok.kind == "op" and self.tok.text in ops

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)")

    def expect_end(self):
        if self.tok.kind != "end":
            what = f"unexpected {self.tok.text!r}"
            if self.at_op("|"):
                what = "a '|' with no '|' before it to match"
            elif self.tok.kind == "num":
                what += "; write * between factors (or ^ for a power)"
            elif self.tok.kind == "name" or self.at_op("("):
                what += "; write * between factors"
            raise self.error(what)

    # -- grammar
    def expression(self) -> sp.Expr:
        self.enter()
        terms = [self.product()]
        while self.at_op("+", "-"):
            sign = self.take().text
            term = self.product()
            terms.append(term if sign == "+" else -term)
        self.depth -= 1
        return sp.Add(*terms)

    def product(self) -> sp.Expr:
        first = self.tok
        result = self.unary()
        # where a factor ended with a bar, and how many factors came after it: |2|x| - 1| is |2| x |-1| or
        # |2|x| - 1|, bars side by side or inside each other, and was read as the first, 2x (attack44 F7)
        barred = (first.pos, 0) if self._ends_with_bar() else None
        while True:
            if self.at_op("*", "/"):
                op = self.take()
                start = self.tok
                right = self.unary()
                barred = (start.pos, 0) if self._ends_with_bar() else None  # (with a * between, one reading)
                if op.text == "*":
                    result = _checked(result * right, op, self)
                else:
                    if right == 0:
                        raise self.error("division by zero", op)
                    last = self.tokens[self.i - 1]
                    if (last.kind == "num" and self._implicit() and self.tok.pos == last.pos + len(last.text)
                            and self.tokens[self.i - 2] is op):  # 1/2x: 1/(2x) or x/2 (attack31)
                        end = (self.text.find("|", self.tok.pos + 1) + 1 or len(self.text)) if self.at_op("|") \
                            else self._factor_end()
                        glued = self.text[last.pos:end].strip()
                        raise self.error(f"/{glued} has two readings: write /({glued}) if all of it divides, or "
                                         f"/{last.text} {glued[len(last.text):]} (or /{last.text}*{glued[len(last.text):]}) "
                                         f"if only {last.text} does", op)
                    if (self._implicit() and self.tok.pos == last.pos + len(last.text)
                            and (self.at_op("(") or self.tok.kind == "name")):
                        # 1/x(x+1), 1/(x+1)(x+2): a factor glued to a divisor, as 1/2(x+1) is, read as a factor
                        # of the numerator without a word, and the terminal then blamed the chain rule (attack46 F4)
                        divisor = self.text[start.pos:last.pos + len(last.text)]
                        rest = self.text[self.tok.pos:self._factor_end()].strip()
                        both = divisor + rest if len(divisor + rest) <= 40 else (divisor + rest)[:39] + "…"
                        raise self.error(f"/{both} has two readings: write /({divisor}{rest}) if "
                                         f"all of it divides, or /{divisor} * {rest} if only {divisor} does", op)
                    result = _checked(result / right, op, self)
            elif self._implicit():
                tok = self.tok
                factor = self.unary()
                if barred and barred[1] and tok.kind == "op" and tok.text == "|":
                    glued = self.text[barred[0]:self.tokens[self.i - 1].pos + 1]
                    raise self.error(f"{excerpt(glued, 40)} has two readings, bars side by side or one inside the other: "
                                     "write abs(...) for bars around the rest (abs(2|x| - 1)), or * between bars side by "
                                     "side (|2| * x * |-1|)", tok)
                barred = (tok.pos, 0) if self._ends_with_bar() else (barred[0], barred[1] + 1) if barred else None
                result = _checked(result * factor, tok, self)
            else:
                return result

    def _ends_with_bar(self) -> bool:
        """Whether the factor just read ended with a closing bar: |x|, ln|x|."""
        last = self.tokens[self.i - 1] if self.i else None
        return last is not None and last.kind == "op" and last.text == "|"

    def _implicit(self) -> bool:
        """A factor written right after another, with no * between: 2x, 3(x+1), 2sin(x), x y,
        x sin(x), sin(x)cos(x), (x+1)(x-1), e^(-x) ln(x), 2|x|. The factor before ends in a number,
        a name or a closing bracket or bar; the next starts with a name, '(' or an opening bar.
        A number after a factor (x 2) stays an error: it is more likely a missing ^ than a product."""
        prev = self.tokens[self.i - 1] if self.i else None
        if prev is None or not (prev.kind in ("num", "name") or (prev.kind == "op" and prev.text in ")|")):
            return False
        if self.at_op("|"):
            return self.bars == 0  # inside bars, a '|' closes them
        return self.tok.kind == "name" or self.at_op("(")

    def unary(self) -> sp.Expr:
        if self.at_op("-", "+"):
            self.enter()
            sign = self.take().text
            value = self.unary()
            self.depth -= 1
            return -value if sign == "-" else value
        return self.power()

    def power(self) -> sp.Expr:
        base_tok = self.tok
        base = self.atom()
        if not self.at_op("^", "**"):
            return base
        op = self.take()
        self._exponent_sign(op)
        self.enter()
        exponent = self.unary()  # right-associative; the exponent may carry its own sign
        self.depth -= 1
        last = self.tokens[self.i - 1]
        if last.kind == "num" and self.tok.kind == "name" and self.tok.pos == last.pos + len(last.text):
            glued = self.text[op.pos + len(op.text):self._factor_end()].strip()
            if self.tok.text in FUNCTIONS:  # x^2sin x: "^(2sin)" named no exponent anyone writes (user55 F2)
                name = self.tok.text
                raise self.error(f"^{last.text}{name} is ambiguous: put a space or * before {name!r} for a product "
                                 f"(^{last.text} {name}(...)), or write ^({last.text} {name}(...)) if all of it is the "
                                 "exponent", op)
            raise self.error(f"^{glued} is ambiguous: write ^({glued}) if all of it is the exponent, "
                             f"or put a space or * before {self.tok.text!r}", op)
        return _power(base, exponent, op, base_tok, self)

    def _exponent_sign(self, op: Token):
        """x^ + 1 and x^ - 1 are a ^ with its exponent missing, not x^(+1) and x^(-1): a sign that stands
        apart from the number it would sign is refused, as is a plus (no one writes x^+2 on purpose)."""
        sign = self.tok
        if sign.kind != "op" or sign.text not in "+-":
            return  # (the end of the text too: x^ ends too soon, and has no token after it: user48 F8)
        after = self.tokens[self.i + 1]
        apart = sign.pos > op.pos + len(op.text) and after.pos > sign.pos + 1
        if sign.text == "+" or apart:
            raise self.error(f"{op.text} has no exponent before {sign.text!r}: write the exponent after it "
                             f"(x{op.text}2, x{op.text}(-1)), or delete the {op.text}", op)

    def _factor_end(self) -> int:
        """Where the factor that starts at the current token ends in the text (for a hint)."""
        tok = self.tok
        if tok.kind == "name" and not (self.tokens[self.i + 1].kind == "op" and self.tokens[self.i + 1].text == "("):
            return tok.pos + len(tok.text)
        depth, j = 0, self.i + (1 if tok.kind == "name" else 0)
        while self.tokens[j].kind != "end":
            t = self.tokens[j]
            depth += t.text == "(" if t.kind == "op" else 0
            depth -= t.text == ")" if t.kind == "op" else 0
            if depth == 0:
                return t.pos + 1
            j += 1
        return len(self.text)

    def atom(self) -> sp.Expr:
        tok = self.tok
        if tok.kind == "num":
            self.take()
            return _number(tok, self)
        if tok.kind == "name":
            self.take()
            if tok.text in FUNCTIONS:
                return self.call(tok)
            if self.at_op("("):
                if tok.text in _SPELLINGS:
                    raise self.error(f"unknown function {tok.text!r}; did you mean {_SPELLINGS[tok.text]}(...)?", tok)
                if not (re.fullmatch(r"[A-Za-z][0-9_]*", tok.text) or tok.text in CONSTANTS):
                    raise self.error(f"unknown function {tok.text!r}{_did_you_mean(tok.text)}", tok)
                # x(x + 1), w1(x - 2), pi(r + 1): a one-letter name is never a function, so a product
            return self.name(tok)
        if self.at_op("("):
            self.take()
            outside, self.bars = self.bars, 0  # inside brackets no bar closes one outside them (attack45 F5)
            inner = self.expression()
            if not self.at_op(")"):
                raise self.error("missing ')'" if self.tok.kind == "end" else f"unexpected {self.tok.text!r}; expected ')'")
            self.take()
            self.bars = outside
            return inner
        if self.at_op("|"):
            return self.bars_group(tok)
        if tok.kind == "end":
            raise self.error("the expression ends too soon")
        raise self.error(f"unexpected {tok.text!r}")

    def bars_group(self, opening: Token) -> sp.Expr:
        """|...|, the absolute value."""
        self.take()
        if self.tok.kind == "end":
            raise self.error("a '|' with nothing after it: write |...| for an absolute value", opening)
        self.bars += 1
        inner = self.expression()
        if not self.at_op("|"):
            raise self.error("this '|' has no '|' to close it", opening) if self.tok.kind == "end" else \
                self.error(f"unexpected {self.tok.text!r}; expected '|'")
        self.take()
        self.bars -= 1
        return sp.Abs(inner)

    def name(self, tok: Token) -> sp.Expr:
        if tok.text in CONSTANTS:
            return CONSTANTS[tok.text]
        problem = name_problem(tok.text)
        if problem:
            raise self.error(problem, tok)
        known = (self.variables is not None and tok.text in self.variables) or tok.text in self.values \
            or tok.text in self.names
        if not known and (glued := _glued_call(tok.text)):
            raise self.error(f"unknown name {tok.text!r}; did you mean {glued}?", tok)
        if self.variables is not None and tok.text not in self.variables:
            allowed = ", ".join(sorted(self.variables)) or "none"
            if 1 < len(tok.text) <= MOST_GLUED and all(ch in self.variables for ch in tok.text):  # sh beside s and h
                raise self.error(f"{tok.text!r} has two readings, a name in it ({_name_in(tok.text)}) or a product of "
                                 f"letters: put a space or * where you mean one, e.g. {' '.join(tok.text)} for the "
                                 "product", tok)
            raise self.error(f"unknown name {excerpt(tok.text)}; the names allowed here are: {allowed}", tok)
        if tok.text in self.values:
            return self.values[tok.text]
        return sp.Symbol(tok.text, real=True)

    def call(self, tok: Token) -> sp.Expr:
        fn, low, high = FUNCTIONS[tok.text]
        power = None
        if self.at_op("^", "**"):  # sin^2(x) is sin(x)^2, and sin^-1(x) is arcsin(x), as printed in books
            power = self.function_power(tok)
            if power == -1:
                if tok.text not in INVERSES:
                    raise self.error(f"{tok.text}^-1 is not read as an inverse function; write 1/{tok.text}(...) "
                                     f"for the reciprocal", tok)
                fn, low, high = FUNCTIONS[INVERSES[tok.text]]
                power = None
        if self.at_op("|") and low == 1:  # ln|x|
            args = [self.bars_group(self.tok)]
        elif not self.at_op("("):
            raise self.error(f"{tok.text} is a function; write {tok.text}(...)", tok)
        else:
            args = self.arguments()
        if not low <= len(args) <= high:
            count = str(low) if low == high else f"{low} to {high}"  # (max of 21: "2 or more, got 21": attack31)
            raise self.error(f"{tok.text} takes {count} argument{'s' if high > 1 else ''}, got {len(args)}", tok)
        if tok.text == "log" and len(args) == 2 and (args[1] == 0 or args[1] == 1):
            raise self.error("a logarithm's base must not be 0 or 1", tok)
        if tok.text == "log" and len(args) == 2 and args[1].is_number and args[1].is_negative:
            raise self.error("a logarithm's base must be positive", tok)
        if tok.text in _GROWING and args[0].is_number and _magnitude(args[0]) > 4 and not _OWN.get():
            raise self.error(f"number too large: {tok.text} of a number over 10000", tok)
        try:
            value = fn(*args)
        except (ValueError, TypeError, ArithmeticError) as exc:  # SymPy refusing its arguments
            raise self.error(f"{tok.text}(...) is not defined for these arguments", tok) from exc
        if value.is_number and (value.has(sp.I) or value.is_extended_real is False):
            raise self.error(f"{tok.text}(...) is not a real number here", tok)
        return value if power is None else _power(value, sp.Integer(power), tok, tok, self)

    def arguments(self) -> list[sp.Expr]:
        self.take()
        outside, self.bars = self.bars, 0  # (as in brackets)
        args = [] if self.at_op(")") else [self.expression()]
        while self.at_op(","):
            self.take()
            args.append(self.expression())
        if not self.at_op(")"):
            raise self.error("missing ')'" if self.tok.kind == "end" else f"unexpected {self.tok.text!r}; expected ',' or ')'")
        self.take()
        self.bars = outside
        return args

    def function_power(self, tok: Token) -> int:
        """The whole number in sin^2(x) or sin^(-1)(x): a sign and digits, bracketed or not."""
        self.take()
        bracketed = self.at_op("(")
        if bracketed:
            self.take()
        sign = -1 if self.at_op("-") else 1
        if self.at_op("-", "+"):
            self.take()
        if self.tok.kind != "num" or not self.tok.text.isdigit():
            raise self.error(f"after {tok.text}^ write a whole number, then the argument: {tok.text}^2(x)")
        if len(self.tok.text) > 4:
            raise self.error(f"exponent too large: at most {MAX_SYMBOLIC_EXPONENT}")
        n = sign * int(self.take().text)
        if bracketed:
            if not self.at_op(")"):
                raise self.error("missing ')'")
            self.take()
        if n == 0:
            raise self.error(f"{tok.text}^0 is 1; write 1", tok)
        if not self.at_op("(", "|"):
            raise self.error(f"{tok.text}^{n} needs its argument in brackets: {tok.text}^{n}(...)", tok)
        return n


# functions of deep learning the language has no name for, each with how to write it (user53 F10: softmax was told
# "to multiply, write softmax*(...)")
_WRITTEN = {
    "softmax": ": softmax is a vector's; write one component, e^(x1)/(e^(x1) + e^(x2) + e^(x3))",
    "logsumexp": ": write it out, ln(e^(x1) + e^(x2) + e^(x3))",
    "lse": ": write log-sum-exp out, ln(e^(x1) + e^(x2) + e^(x3))",
    "gelu": ": write it with the sigmoid approximation, x sigmoid(1.702 x), or with erf, x (1 + erf(x/sqrt(2)))/2",
    "silu": ": write it out, x sigmoid(x)", "swish": ": write it out, x sigmoid(x)",
    "elu": ": write it with a step, x Heaviside(x) + (e^x - 1) (1 - Heaviside(x))",
    "leaky_relu": ": write it out, max(x, 0.01 x)", "leakyrelu": ": write it out, max(x, 0.01 x)",
    "mse": ": write the squared error out, (w x + b - y)^2",
    "bce": ": write it out, -(y ln(sigmoid(z)) + (1 - y) ln(1 - sigmoid(z)))",
}


def _did_you_mean(name: str) -> str:
    """A hint naming the function the user probably meant, or nothing."""
    if name.lower() in _WRITTEN:
        return _WRITTEN[name.lower()]
    m = re.fullmatch(r"log_?(\d+|e)", name)
    if m:
        return f"; did you mean log(..., {m.group(1)})?" if m.group(1) != "e" else "; did you mean ln(...)?"
    close = difflib.get_close_matches(name, list(FUNCTIONS), n=1, cutoff=0.75)
    return f"; did you mean {close[0]}(...)?" if close else " (to multiply, write " + name + "*(...))"


def _products(tokens: list[Token], variables: set[str], values: dict) -> list[Token]:
    """Where the names are known, a name of a few of them written together is their product: 2xy^2 is 2·x·y², as
    the key prints it (user48 F10: the key's own t(8st + 2s + 3t) was refused). Not a function's or a constant's
    name, or a spelling of one (sh for sinh), or a name the expression has a value for."""
    out = []
    for tok in tokens:
        name = tok.text
        if (tok.kind == "name" and 1 < len(name) <= MOST_GLUED and name not in variables and name not in values
                and not _holds_a_name(name) and all(ch in variables for ch in name)):
            out += [Token("name", ch, tok.pos + k) for k, ch in enumerate(name)]
        else:
            out.append(tok)
    return out


MOST_GLUED = 6  # letters: a longer run is a typing slip, not a product a learner meant


def _names_in(name: str) -> list[str]:
    """The functions' and constants' names (and other spellings of them) a run of letters holds anywhere in it: pi in
    8pix, which is 8·pi·x or 8·p·i·x, and so is refused with both readings, never split (attack51 F3)."""
    return [name[i:j] for i in range(len(name)) for j in range(i + 2, len(name) + 1)
            if name[i:j] in FUNCTIONS or name[i:j] in CONSTANTS or name[i:j] in _SPELLINGS]


def _name_in(name: str) -> str:
    """The longest such name in a run of letters, for the message (the run itself where it holds none)."""
    return max(_names_in(name), key=len, default=name)


def _holds_a_name(name: str) -> bool:
    return bool(_names_in(name))


def _glued_call(name: str) -> str | None:
    """sinx, lnx, cos2x: a function's name run into its argument. The call it looks like, or None."""
    for length in range(min(len(name) - 1, 7), 1, -1):
        head, rest = name[:length], name[length:]
        if head in FUNCTIONS and re.fullmatch(r"\d*[A-Za-z]", rest):
            return f"{head}({rest})"
    return None


def _number(tok: Token, parser: _Parser) -> sp.Expr:
    digits = sum(ch.isdigit() for ch in tok.text)
    if digits > MAX_DIGITS and not _OWN.get():
        raise parser.error(f"the number has {digits} digits; the limit is {MAX_DIGITS}", tok)
    return sp.Rational(tok.text) if "." in tok.text else sp.Integer(tok.text)


MAX_ROOT = 10**4  # 2^0.0123 is 2^(123/10000): the largest degree of a root of a number


def _power(base: sp.Expr, exponent: sp.Expr, op: Token, base_tok: Token, parser: _Parser) -> sp.Expr:
    """base^exponent, refusing powers whose value would be astronomically large."""
    if exponent.is_Integer:
        n = abs(int(exponent))
        if base.is_number:
            size = _magnitude(base)
            if n * size > MAX_POWER_DIGITS:
                raise parser.error("number too large: the power would have thousands of digits", op)
        elif n > MAX_SYMBOLIC_EXPONENT:
            raise parser.error(f"exponent too large: at most {MAX_SYMBOLIC_EXPONENT}", op)
    elif exponent.is_Rational and base.is_number:
        if abs(exponent.p) * _magnitude(base) > MAX_POWER_DIGITS:
            raise parser.error("number too large", op)
        if exponent.q > MAX_ROOT:  # 2^0.0123 is small: refused as "too large" where solve printed it (attack26)
            raise parser.error(f"a number to a power of more than 4 decimals (a root of degree over {MAX_ROOT}): "
                               "round the exponent to 4 decimals", op)
    elif exponent.is_number and base.is_number and _magnitude(exponent) * _magnitude(base) > 4:
        raise parser.error("number too large: a number to a power that is not a fraction must stay small", op)
    if base == 0 and exponent.is_number and exponent.is_negative:
        raise parser.error("division by zero", op)
    return base**exponent


def _growth(expr: sp.Expr) -> float:
    """How far nested powers multiply a variable's degree: ((x^10 + 1)^10)^10 grows it to 1000,
    though no single exponent is over 100. Numbers do not grow (their size is limited apart)."""
    if expr.is_number or not expr.args:
        return 1.0
    inner = max(_growth(a) for a in expr.args)
    if expr.is_Pow and expr.exp.is_number:
        try:
            return inner * max(1.0, abs(float(expr.exp)))
        except (TypeError, ValueError):
            return inner
    return inner


def _checked(value: sp.Expr, tok: Token, parser: _Parser) -> sp.Expr:
    """Refuse a product whose numbers have grown past the digit limit."""
    for number in value.atoms(sp.Rational):
        if _magnitude(number) > MAX_POWER_DIGITS:
            raise parser.error("number too large: the product would have thousands of digits", tok)
    return value


def _magnitude(number: sp.Expr) -> float:
    """Roughly how many decimal digits |number| has (at least 1), without computing it."""
    if number.is_Rational:
        return max(1.0, max(abs(number.p), number.q).bit_length() * math.log10(2))
    try:
        value = abs(complex(sp.N(number, 15)))
    except (TypeError, ValueError):
        return float(MAX_POWER_DIGITS)
    return max(1.0, math.log10(value + 1) + 1)
