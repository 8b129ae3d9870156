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
from collections.abc import Callable
from html import escape as html_escape
from typing import Protocol

from markupsafe import Markup, escape


class Emitter(Protocol):
    def text(self, text: str) -> str: ...

    def math(self, latex: str) -> str: ...

    def table(self, head: list[str], rows: list[list[str]]) -> str: ...


def emit(segments: list[dict], emitter: Emitter, *, blanks: bool = True) -> str:
    """The segments printed one after another by the emitter."""
    out = []
    for seg in segments:
        if "text" in seg:
            out.append(emitter.text(seg["text"]))
        elif "table" in seg:
            if blanks or not seg["table"].get("blank"):
                out.append(emitter.table(seg["table"].get("head") or [], seg["table"]["rows"]))
        elif "math" in seg:
            out.append(emitter.math(seg["math"]))
    return "".join(out)


class Page:
    """The documents' HTML; ``big`` sets inline math in display style (the answer key's)."""

    def __init__(self, math: Callable[[str], str], big: bool = False):
        self.draw, self.big = math, big

    def text(self, text: str) -> str:
        return str(escape(text))

    def math(self, latex: str) -> str:
        return str(self.draw(("\\displaystyle " if self.big else "") + latex))

    def table(self, head: list[str], rows: list[list[str]]) -> str:
        thead = "<thead><tr>" + "".join(f"<th>{self.draw(c)}</th>" for c in head) + "</tr></thead>" if head else ""
        body = "".join("<tr>" + "".join(f"<td>{self.draw(c) if c else ''}</td>" for c in row) + "</tr>" for row in rows)
        return f'<table class="numbers" tabindex="0">{thead}<tbody>{body}</tbody>\n</table>'


def page(items: list[dict], math: Callable[[str], str], big: bool = False, blanks: bool = True) -> Markup:
    """The template's view: segments as the documents' HTML."""
    return Markup(emit(items, Page(math, big), blanks=blanks))


class Plain:
    """One line of plain text (tables as their rows, cells separated by |)."""

    def text(self, text: str) -> str:
        return text

    def math(self, latex: str) -> str:
        return plain_tex(latex)

    def table(self, head: list[str], rows: list[list[str]]) -> str:
        lines = ([head] if head else []) + rows
        return " [" + "; ".join(" | ".join(plain_tex(c) for c in row) for row in lines) + "]"


def plain(segments: list[dict]) -> str:
    """Segments as one line of plain text, for the terminal: a line break in a prompt is a space, as
    on the page (so a prompt can never print a line of its own, such as a forged ``error:``)."""
    return re.sub(r"\s*[\r\n\t\v\f]\s*", " ", emit(segments, Plain()))


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

    def table(self, head: list[str], rows: list[list[str]]) -> str:
        lines = ([head] if head else []) + rows
        cells = "".join("<tr>" + "".join(f"<td>{self.math(c)}</td>" if c else "<td></td>" for c in row) + "</tr>"
                        for row in lines)
        return f'<table border="1" cellpadding="3">{cells}</table>'


_SYMBOLS = {"sigma": "σ", "cdot": "·", "times": "×", "partial": "∂", "nabla": "∇", "approx": "≈", "eta": "η",
            "theta": "θ", "gamma": "γ", "mu": "μ", "alpha": "α", "beta": "β", "varepsilon": "ε", "delta": "δ",
            "Delta": "Δ", "quad": " ", "qquad": " ", "lVert": "‖", "rVert": "‖", "Rightarrow": "⇒", "ln": "ln"}


def plain_tex(tex: str) -> str:
    """A readable plain-text rendering of a small LaTeX fragment (for terminal output)."""
    out = tex.replace(r"\left", "").replace(r"\right", "").replace(r"\,", " ")
    out = re.sub(r"\\frac\{d\}\{d(\w+)\}", r"d/d\1 ", out)
    for _ in range(5):  # innermost groups first: powers, subscripts, roots, fractions
        out = re.sub(r"\^\{([^{}]*)\}", lambda m: "^" + _group(m[1]), out)
        out = re.sub(r"_\{([^{}]*)\}", lambda m: "_" + _group(m[1]), out)
        out = re.sub(r"\\sqrt\{([^{}]*)\}", lambda m: f"sqrt({m[1]})", out)
        out = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", lambda m: f"{_group(m[1])}/{_group(m[2])}", out)
    out = re.sub(r"\\(?:operatorname|text|mathrm)\{([^{}]*)\}", r"\1", out)
    for command, symbol in _SYMBOLS.items():
        out = re.sub(r"\\%s(?![A-Za-z])" % command, symbol, out)
    out = re.sub(r"\\([A-Za-z]+)", r"\1", out)
    out = out.replace("\\", " ")
    out = out.replace("{", "").replace("}", "")
    out = re.sub(r"\s+\)", ")", re.sub(r"\(\s+", "(", out))
    return re.sub(r"  +", " ", out)


def _group(s: str) -> str:
    s = s.strip()
    return s if re.fullmatch(r"[\w.]+", s) else f"({s})"
