"""Segments walked once, printed by one emitter per medium.

A prompt, an answer or a step's words is a list of segments, each ``{"text": ...}``,
``{"math": LaTeX}`` or ``{"table": {"head": [...], "rows": [[...]], "blank": bool}}`` (the records
of workbook.problem's Text, Math and Table). ``emit`` walks them; an emitter says how each prints:

- ``Page``: HTML for the documents (text escaped, math through the medium's ``math`` callable,
  which draws MathML for the HTML and images for the PDF); the template ``partials/segments.html``
  calls it;
- ``Plain``: one line of plain text for the terminal;
- ``Moodle``: HTML with the math as TeX between \\( \\) for Moodle's MathJax filter.

A table marked ``blank`` (one the learner fills in) is printed only where ``blanks`` is true.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from html import escape as html_escape
from typing import Protocol

from markupsafe import Markup, escape


class Emitter(Protocol):
    def text(self, text: str) -> str: ...

    def math(self, latex: str) -> str: ...

    def table(self, head: list[str], rows: list[list[str]], blank: bool = False, widths: list[int] | None = None) -> str: ...


def emit(segments: list[dict], emitter: Emitter, *, blanks: bool = True) -> str:
    """The segments printed one after another by the emitter."""
    out = []
    for seg in segments:
        if "text" in seg:
            out.append(emitter.text(seg["text"]))
        elif "table" in seg:
            if blanks or not seg["table"].get("blank"):
                out.append(emitter.table(seg["table"].get("head") or [], seg["table"]["rows"],
                                         blank=bool(seg["table"].get("blank")), widths=seg["table"].get("widths")))
        elif "math" in seg:
            out.append(emitter.display(seg["math"]) if seg.get("display") and hasattr(emitter, "display")
                       else emitter.math(seg["math"]))
    return "".join(out)


# a letter standing alone followed by apostrophes is a derivative (f', f'') in prose: printed with primes, as
# in the math, not as a typewriter quote; a word's apostrophe (torch.optim's, students') is left alone
_PRIMED = re.compile(r"(?<![A-Za-z'\u2018])([A-Za-z])('{1,3})(?![A-Za-z'])")


def alt(text: str) -> str:
    """A figure's alt text as a screen reader and an LMS show it: x^2 and 2·u₁ for SymPy's x**2 and 2*u₁, as its
    printed caption writes them (user49 F10: quiz.xml read "2*u₁; dy/du₂ = 1 - tanh(u₂)**2" aloud)."""
    return text.replace("**", "^").replace("*", "\u00b7")


def primes(text: str) -> str:
    """Prose with f' and f'' written with prime marks (U+2032, U+2033, U+2034)."""
    return _PRIMED.sub(lambda m: m.group(1) + "\u2032\u2033\u2034"[len(m.group(2)) - 1], text)


class Page:
    """The documents' HTML; ``big`` sets inline math in display style (the answer key's)."""

    def __init__(self, math: Callable[[str], str], big: bool = False):
        self.draw, self.big = math, big

    def text(self, text: str) -> str:
        return str(escape(primes(text)))

    def math(self, latex: str) -> str:
        return str(self.draw(("\\displaystyle " if self.big else "") + latex))

    def display(self, latex: str) -> str:
        """Displayed math in prose ($$...$$), on a line of its own (user56 F10: it was set in the line)."""
        return f'<span class="display-math">{self.draw(latex, True)}</span>'

    def table(self, head: list[str], rows: list[list[str]], blank: bool = False, widths: list[int] | None = None) -> str:
        """A table of numbers; one to fill in (``blank``) has cells with room for handwriting, a column as wide as
        the ``widths`` (characters) its numbers are written to need: Adam's v_t to 8 places, 0.00424975, had a
        19 mm cell (read35a)."""
        room = [_hand_cm(w) if blank and isinstance(w, int) else None for w in (widths or [])]
        room += [None] * (len(head) - len(room))
        thead = "<thead><tr>" + "".join(
            f'<th style="min-width: {cm:.2f}cm">{self.draw(c)}</th>' if cm else f"<th>{self.draw(c)}</th>"
            for c, cm in zip(head, room)) + "</tr></thead>" if head else ""
        # a cell of words (a rate's behaviour) set from the left, as prose is; numbers from the right (read46 F12)
        body = "".join("<tr>" + "".join(('<td class="words">' if _PROSE_CELL.fullmatch(c or "") else "<td>")
                                        + f"{self.draw(c) if c else ''}</td>" for c in row) + "</tr>" for row in rows)
        cls = "numbers fill-in" if blank else "numbers"
        return f'<table class="{cls}" tabindex="0">{thead}<tbody>{body}</tbody>\n</table>'


_PROSE_CELL = re.compile(r"\s*\\text\{[^{}]*[A-Za-z]{3}[^{}]* [^{}]*\}\s*")  # \text{converges steadily}: two words or more
HAND_CM = 0.21  # a handwritten character's width in a cell to fill in, and the room either side of them
HAND_PAD_CM = 0.35
LEAST_CELL_CM = 1.55  # (print.css: table.fill-in td:empty), room for a handwritten -0.1234


def _hand_cm(chars: int) -> float | None:
    """The width a column to fill in needs for numbers of ``chars`` characters, where it is more than the least."""
    cm = min(chars, 16) * HAND_CM + HAND_PAD_CM
    return cm if cm > LEAST_CELL_CM else None


# the space before a paragraph's last word when that word is short: a no-break space there keeps the word from
# standing alone on the paragraph's last line ("every step uses / it.")
_LAST_SPACE = re.compile(r"[ \t]+(?=\S{1,%d}\s*$)" % 10)


def bind_last_word(text: str) -> str:
    """The text with its last word bound to the one before it (a no-break space), if that word is short."""
    return _LAST_SPACE.sub("\u00a0", text, count=1)


def page(items: list[dict], math: Callable[[str], str], big: bool = False, blanks: bool = True) -> Markup:
    """The template's view: segments as the documents' HTML. A paragraph that ends in words ends with
    its last two words bound (bind_last_word)."""
    if items and "text" in items[-1]:
        items = [*items[:-1], {**items[-1], "text": bind_last_word(items[-1]["text"])}]
    return Markup(emit(items, Page(math, big), blanks=blanks))


_FILL_IN = re.compile(r"\s*\b(?:fill in|fill out|complete)\b[^.!?]*\btable\b[^.!?]*[.!?]", re.IGNORECASE)


def again(items: list[dict]) -> list[dict]:
    """A prompt as its continuation page repeats it, over the rest of its room: without a table to fill in,
    printed once on the page before, and without the sentence that asks for it ("Fill in the table." on a page
    with no table: read34a); the page says where the table is."""
    out = []
    for item in items:
        if "table" in item:
            continue
        if "text" in item:
            text = _FILL_IN.sub("", item["text"])
            item = {**item, "text": text} if text.strip() else None
        if item is not None:
            out.append(item)
    return out


# math in prose an edition writes (a primer, an intro): $f''$, by pandoc's rule, so that a price is not math: the
# opening $ has a character other than a space after it, the closing one such a character before it and no digit after
# it ("$5 and $10" is text), and \$ is a dollar sign (read48 F3: f'' and p - y were set upright, as words)
# $...$, or $$...$$ as TeX writes displayed math, on a line of its own ("$$y$$" printed its outer dollars, attack57 F3)
_INLINE_MATH = re.compile(r"(?<!\\)(\$\$?)(?=\S)((?:[^$\\]|\\.)+?)(?<=\S)\1(?!\d)", re.DOTALL)  # (no $ inside)


def prose(text: str) -> list[dict]:
    """Prose with its inline math, $...$, as segments (text and math)."""
    out, at = [], 0
    for m in _INLINE_MATH.finditer(text):
        if m.start() > at:
            out.append({"text": text[at:m.start()].replace("\\$", "$")})
        out.append({"math": m.group(2), "display": True} if m.group(1) == "$$" else {"math": m.group(2)})
        at = m.end()
    if at < len(text) or not out:
        out.append({"text": text[at:].replace("\\$", "$")})
    return out


def paragraph(text: str) -> str:
    """A paragraph of plain prose (a primer's) as printed: with primes, its last two words bound."""
    return bind_last_word(primes(text))


class Plain:
    """One line of plain text (tables as their rows, cells separated by |)."""

    def text(self, text: str) -> str:
        return text

    def math(self, latex: str) -> str:
        return plain_tex(latex)

    def table(self, head: list[str], rows: list[list[str]], blank: bool = False, widths: list[int] | None = None) -> str:
        lines = ([head] if head else []) + rows
        return " [" + "; ".join(" | ".join(plain_tex(c) for c in row) for row in lines) + "]"


def plain(segments: list[dict]) -> str:
    """Segments as one line of plain text, for the terminal: a line break in a prompt is a space, as
    on the page (so a prompt can never print a line of its own, such as a forged ``error:``)."""
    return re.sub(r"\s*[\r\n\t\v\f]\s*", " ", emit(segments, Plain()))


def plain_lines(segments: list[dict], indent: str = "") -> list[str]:
    """Segments as lines of plain text for the terminal: the prose and math as lines as ``plain`` makes
    them, each table as a grid of aligned columns under its own head, so a learner can read it."""
    lines, run = [], []

    def flush() -> None:
        text = plain(run).strip()
        if text:
            lines.append(indent + text)
        run.clear()

    for seg in segments:
        if "table" not in seg:
            run.append(seg)
            continue
        flush()
        head, rows = seg["table"].get("head") or [], seg["table"]["rows"]
        cells = [[re.sub(r"\s+", " ", plain_tex(c)) for c in row] for row in ([head] if head else []) + rows]
        widths = [max(len(row[k]) if k < len(row) else 0 for row in cells) for k in range(max(map(len, cells)))]
        shown = [" | ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in cells]
        if head:
            shown.insert(1, "-+-".join("-" * w for w in widths))
        lines += [indent + "  " + line for line in shown]
    flush()
    return lines


def defuse_tex(text: str) -> str:
    """Prose that Moodle's MathJax and TeX filters will leave as prose: a zero-width space after each
    backslash, between two dollar signs or two at signs and inside ``[tex]``, so no delimiter (``\\(``, ``\\[``,
    ``$$``, ``[tex]``) or environment (``\\begin``) can start math, and with it a ``\\href`` or a
    ``\\style``, in text a family wrote. The math a problem shows is ours, and stays TeX."""
    text = text.replace("\\", "\\\u200b").replace("$$", "$\u200b$").replace("@@", "@\u200b@")  # @@...@@: algebra filter
    return re.sub(r"\[(/?tex)", "[\u200b\\1", text, flags=re.IGNORECASE)


class Moodle:
    """HTML for Moodle, the math left as TeX for its MathJax filter, the prose defused (defuse_tex)."""

    def text(self, text: str) -> str:
        return html_escape(defuse_tex(text))

    def math(self, latex: str) -> str:
        return r"\(" + html_escape(latex) + r"\)"

    def table(self, head: list[str], rows: list[list[str]], blank: bool = False, widths: list[int] | None = None) -> str:
        lines = ([head] if head else []) + rows
        cells = "".join("<tr>" + "".join(f"<td>{self.math(c)}</td>" if c else "<td></td>" for c in row) + "</tr>"
                        for row in lines)
        return f'<table border="1" cellpadding="3">{cells}</table>'


_SYMBOLS = {
    "sigma": "σ", "cdot": "·", "times": "×", "partial": "∂", "nabla": "∇", "approx": "≈", "eta": "η", "theta": "θ",
    "gamma": "γ", "mu": "μ", "alpha": "α", "beta": "β", "varepsilon": "ε", "epsilon": "ε", "delta": "δ",
    "Delta": "Δ", "lambda": "λ", "pi": "π", "phi": "φ", "tau": "τ", "rho": "ρ", "omega": "ω", "xi": "ξ",
    "Sigma": "Σ", "sum": "Σ", "prod": "Π", "infty": "∞", "leq": "≤", "le": "≤", "geq": "≥", "ge": "≥", "neq": "≠",
    "ne": "≠", "to": "→", "rightarrow": "→", "leftarrow": "←", "gets": "←", "Rightarrow": "⇒", "mapsto": "↦", "in": "∈", "pm": "±", "mp": "∓",
    "ldots": "…", "cdots": "⋯", "dots": "…", "top": "⊤", "prime": "′", "circ": "∘", "odot": "⊙", "lVert": "‖",
    "rVert": "‖", "Vert": "‖", "lvert": "|", "rvert": "|", "vert": "|", "langle": "⟨", "rangle": "⟩", "quad": "  ",
    "qquad": "  ", "displaystyle": "", "limits": "", "left": "", "right": "", "big": "", "Big": "", "bigl": "",
    "bigr": "", "Bigl": "", "Bigr": "", "colon": ":", "mid": "|", "ast": "*", "star": "*", "equiv": "≡",
    "sim": "~", "propto": "∝", "forall": "∀", "exists": "∃", "cup": "∪", "cap": "∩", "subseteq": "⊆",
}
# every Greek letter and letter-like symbol a name may print as (a bank's Lambda, hbar: the terminal wrote "Lambda"
# where the page sets Λ: attack42 F6); the entries above keep their readable forms (\\phi as φ, \\epsilon as ε)
_SYMBOLS = {**{name: chr(code) for name, code in (
    ("zeta", 0x3B6), ("iota", 0x3B9), ("kappa", 0x3BA), ("nu", 0x3BD), ("omicron", 0x3BF), ("upsilon", 0x3C5),
    ("chi", 0x3C7), ("psi", 0x3C8), ("Gamma", 0x393), ("Theta", 0x398), ("Lambda", 0x39B), ("Xi", 0x39E),
    ("Pi", 0x3A0), ("Upsilon", 0x3A5), ("Phi", 0x3A6), ("Psi", 0x3A8), ("Omega", 0x3A9), ("varphi", 0x3C6),
    ("vartheta", 0x3D1), ("varpi", 0x3D6), ("varrho", 0x3F1), ("varsigma", 0x3C2), ("varkappa", 0x3F0),
    ("digamma", 0x3DD), ("ell", 0x2113), ("hbar", 0x127), ("hslash", 0x210F), ("aleph", 0x2135), ("beth", 0x2136),
    ("gimel", 0x2137), ("daleth", 0x2138), ("eth", 0xF0), ("mho", 0x2127), ("wp", 0x2118))}, **_SYMBOLS}
_SPACES = {",": " ", ";": " ", ":": " ", " ": " ", "!": "", "{": "{", "}": "}", "|": "‖", "\\": "\n", "%": "%",
           "_": "_", "&": "&", "#": "#", "$": "$"}
_ACCENTS = {"hat": "\u0302", "widehat": "\u0302", "bar": "\u0304", "overline": "\u0304", "tilde": "\u0303",
            "widetilde": "\u0303", "dot": "\u0307", "ddot": "\u0308", "vec": "\u20d7"}
_WORDS = ("text", "textrm", "textit", "textbf", "mathrm", "operatorname", "mathit", "mathbf", "boldsymbol", "mathsf",
          "mathcal", "mathtt", "bm")
_BLACKBOARD = {"R": "ℝ", "N": "ℕ", "Z": "ℤ", "Q": "ℚ", "C": "ℂ"}
_TOKEN = re.compile(r"\\\\|\\[A-Za-z]+|\\.|[{}^_&]|[^\\{}^_&]+|\\")


def plain_tex(tex: str) -> str:
    """A readable plain-text rendering of the LaTeX the problems print (for the terminal): fractions
    as a/b, powers as ^, matrices as [a, b; c, d] rows, cases as "a if ...; b if ...", accents and
    Greek letters as Unicode, no command left behind."""
    try:
        out = _Tex(_TOKEN.findall(tex)).run()
    except RecursionError:  # nested beyond reason: the source, without its commands, is still readable
        out = re.sub(r"\\[A-Za-z]+|[{}]", " ", tex)
    out = re.sub("\x01 *(?=[(\\[^_])", "", out).replace("\x01", " ")  # ln(x), tanh^2(x); but ln a
    out = re.sub(r"([∂∇]) (?=\w)", r"\1", out)  # ∂ L is ∂L
    out = re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", out))
    out = re.sub(r"\[\s+", "[", out)  # d/dx [ln(x)], not [ ln(x)]
    out = re.sub(r"(^|[(\[])- (?=[\w(√])", r"\1-", out)  # a sign, not a subtraction: (-σ(-1), -σ(-1)), x = -3
    out = re.sub(r"([,;=]) - (?=[\w(√])", r"\1 -", out)  # (user53 F17: "(-1/e, - 1/e)")
    return unicodedata.normalize("NFC", re.sub(r"  +", " ", out).strip())  # y and a hat: ŷ, one character


class _Tex:
    """A recursive walk over LaTeX tokens: each construct printed once its arguments are."""

    def __init__(self, tokens: list[str]):
        self.tokens, self.at = tokens, 0

    def run(self) -> str:
        return self.until(())

    def peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> str | None:
        token = self.peek()
        self.at += token is not None
        return token

    def until(self, stops: tuple[str, ...]) -> str:
        """Everything up to (not including) a token in ``stops``, or the end."""
        out = []
        while (token := self.peek()) is not None and token not in stops:
            out.append(self.item())
        return "".join(out)

    def argument(self) -> str:
        """A command's argument: a braced group, or the next single token (a letter of a word)."""
        while self.peek() is not None and self.peek().isspace():
            self.take()
        token = self.peek()
        if token is not None and token[0].isspace():  # \\hat y: the argument is the text's first letter
            token = self.tokens[self.at] = token.lstrip()
        if token is None:
            return ""
        if token == "{":
            self.take()
            inner = self.until(("}",))
            self.take()
            return inner
        if token.startswith("\\"):
            return self.item()
        self.tokens[self.at] = token[1:]  # one character of a run of text: x^2y is x^{2}y
        if not self.tokens[self.at]:
            self.at += 1
        return token[0]

    def raw(self) -> str:
        """A braced group's text as it stands (a \\text{} argument, an environment's name)."""
        if self.peek() != "{":
            return self.argument()
        self.take()
        depth, out = 1, []
        while (token := self.take()) is not None:
            depth += (token == "{") - (token == "}")
            if depth == 0:
                break
            out.append(token[1:] if token.startswith("\\") and token[1:] in "{}" else token)
        return "".join(out)

    def item(self) -> str:
        token = self.take()
        if token == "{":
            inner = self.until(("}",))
            self.take()
            return inner
        if token in ("^", "_"):
            arg = self.argument().strip()
            if token == "^" and arg in ("⊤", "T"):
                return "ᵀ"
            if token == "^" and arg == "′":
                return "′"
            # a script ends where its group does: a word right after it is another word (Σ_uses upstream)
            space = " " if len(arg) > 1 and re.match(r"\\(text|mathrm|operatorname)\b", self.peek() or "") else ""
            return token + _group(arg) + space
        if token == "&":
            return " & "
        if token == "}":
            return ""
        if not token.startswith("\\"):
            return token
        name = token[1:]
        if name in ("frac", "dfrac", "tfrac"):
            top, bottom = self.argument().strip(), self.argument().strip()
            operator = re.fullmatch(r"[d∂]", top) and re.fullmatch(r"[d∂]\s*\S+", bottom)
            return f"{_group(top, lead=True)}/{_group(bottom)}" + (" " if operator else "")  # d/dx, then its operand
        if name == "sqrt":
            index = ""
            if self.peek() and self.peek().startswith("["):
                index = self.take()[1:].split("]", 1)[0]
            arg = self.argument().strip()
            return f"({arg})^(1/{index})" if index else f"sqrt({arg})"
        if name in _WORDS:
            return self.raw()
        if name == "mathbb":
            letter = self.raw()
            return _BLACKBOARD.get(letter, letter)
        if name in _ACCENTS:
            arg = self.argument().strip()
            return arg + _ACCENTS[name] if len(arg) == 1 else f"{name}({arg})"
        if name == "begin":
            return self.environment(self.raw())
        if name == "end":
            self.raw()
            return ""
        if name in _SYMBOLS:
            return _SYMBOLS[name]
        if name in _SPACES:
            return _SPACES[name]
        if token == "\\\\":
            return "\n"
        return f" {name}\x01"  # a function name (sin, ln, tanh, max, det, ...): a word of its own

    def environment(self, kind: str) -> str:
        """A matrix as [a, b; c, d] rows (| | for a determinant), cases as "value if condition; ...",
        any other (aligned) as its rows joined by "; "."""
        rows, cells = [], []
        while (token := self.peek()) is not None:
            if token == "\\end":
                self.take()
                self.raw()
                break
            cell = self.until(("&", "\\\\", "\\end")).strip()
            cells.append(cell)
            token = self.take()
            if token == "\\\\" or token is None:
                rows.append(cells)
                cells = []
            elif token == "\\end":
                rows.append(cells)
                cells = []
                self.raw()
                break
        if cells:
            rows.append(cells)
        rows = [r for r in rows if any(r)]
        if kind == "cases":
            return "; ".join(" if ".join(c for c in row if c) for row in rows)
        if kind.endswith("matrix"):
            body = "; ".join(", ".join(row) for row in rows)
            return f"|{body}|" if kind == "vmatrix" else f"[{body}]"
        return "; ".join(" ".join(row) for row in rows)


def _group(s: str, lead: bool = False) -> str:
    """s as one factor: bare when it is one word or number (or a call, a bracket), else in brackets."""
    s = re.sub(r"([∂∇]) (?=\w)", r"\1", re.sub("\x01 *(?=[(\\[^_])", "", s).replace("\x01", " ").strip())
    if lead and s.startswith("-") and _group(s[1:].strip()) == s[1:].strip():  # -3/4, -a/b: one factor after the
        return "-" + s[1:].strip()  # sign; -a + b is not -(a + b) (a quotient rule's top printed so: read22)
    if re.fullmatch(r"[^\s+\-*/=,;<>·×()\[\]|]+", s) or _bracketed(s):
        return s
    return f"({s})"


def _bracketed(s: str) -> bool:
    """Whether s is one bracket, or a name applied to one: (a + b), ln(x + 1), [1, 2]."""
    m = re.fullmatch(r"[\w∂σ]*([(\[])(.*)([)\]])", s)
    if not m:
        return False
    depth = 0
    for char in s[len(s) - len(m[2]) - 1 - len(m[1]) + 1:-1]:
        depth += (char in "([") - (char in ")]")
        if depth < 0:
            return False
    return depth == 0
