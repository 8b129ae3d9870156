"""LaTeX to SVG (for the PDF, with ziamath: no TeX install) and to MathML (for the HTML).

Both are cached by content. ziamath prints an unknown command literally and drops an unknown
environment without a word, so every expression is first converted to MathML and refused if any
command survived untranslated: a page never shows wrong math silently.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import latex2mathml.converter
import ziafont
import ziamath

ziafont.config.svg2 = False  # SVG 1.1 paths: much cheaper for WeasyPrint to draw
ziafont.config.precision = 3

BODY_PX = 14.0  # the size math is drawn at; it is scaled to the text with em units
FORMAT = 3  # bump when what is stored changes (3: glyphs merged into one path, empty lines dropped)
_UNTRANSLATED = re.compile(r">\\[A-Za-z]+<")


class MathError(ValueError):
    """LaTeX that would not render properly."""


@dataclass(frozen=True)
class MathSVG:
    """An expression drawn as SVG, with its size and depth below the baseline in em."""

    svg: str
    width: float
    height: float
    depth: float

    def style(self) -> str:
        return f"width:{self.width:.3f}em;height:{self.height:.3f}em;vertical-align:-{self.depth:.3f}em"


def check(latex: str) -> None:
    """Raise MathError if the LaTeX has a command the converters do not know."""
    mml = _mathml(latex, False)
    bad = _UNTRANSLATED.search(mml)
    if bad:
        raise MathError(f"unknown LaTeX command {bad.group()[1:-1]} in {latex!r}")


@lru_cache(maxsize=4096)
def _mathml(latex: str, display: bool) -> str:
    return latex2mathml.converter.convert(latex, display="block" if display else "inline")


def to_mathml(latex: str, *, display: bool = False) -> str:
    """MathML with the LaTeX kept as an annotation."""
    check(latex)
    mml = _mathml(latex, display)
    annotation = latex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    head, _, body = mml.partition(">")
    body = body.rsplit("</math>", 1)[0]
    return (f'{head}><semantics><mrow>{body}</mrow>'
            f'<annotation encoding="application/x-tex">{annotation}</annotation></semantics></math>')


class SVGCache:
    """LaTeX -> MathSVG, in memory and optionally on disk (safe to delete)."""

    def __init__(self, folder: Path | None = None):
        self.folder = folder / "math" if folder is not None else None
        self.memory: dict[str, MathSVG] = {}

    def get(self, latex: str, display: bool = False) -> MathSVG:
        key = hashlib.sha256(f"{ziamath.__version__}|{FORMAT}|{display}|{latex}".encode()).hexdigest()
        if key in self.memory:
            return self.memory[key]
        path = self.folder / f"{key}.json" if self.folder is not None else None
        if path is not None and path.exists():
            try:
                result = MathSVG(**json.loads(path.read_text(encoding="utf-8")))
            except (ValueError, TypeError):
                result = to_svg(latex, display=display)
        else:
            result = to_svg(latex, display=display)
            if path is not None:
                write_atomic(path, json.dumps(asdict(result)))
        self.memory[key] = result
        return result


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write a cache file whole or not at all: worker processes may read it at the same moment.

    The cache is an optimisation: a folder that cannot be written (read-only, full) is skipped.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_bytes(text.encode() if isinstance(text, str) else text)
        os.replace(temp, path)
    except OSError:
        try:
            temp.unlink(missing_ok=True)
        except (OSError, UnboundLocalError):
            pass


_BLACK_PATH = re.compile(r'<path d="([^"]*)" fill="black" />')
_EMPTY_LINE = re.compile(r"M (\S+) (\S+) L \1 \2 ")


def merge_paths(svg: str) -> str:
    """One path for all the black glyphs of an expression instead of one path a glyph.

    WeasyPrint does its work per SVG element, so the same outlines in one element draw about 15%
    faster. The glyphs of one font wind the same way, so under the nonzero rule an overlap of two
    glyphs stays filled. Coloured parts and rectangles (fraction bars) keep their own elements.
    """
    paths = _BLACK_PATH.findall(svg)
    if len(paths) < 2:
        return svg
    body = _BLACK_PATH.sub("", svg)
    head, tail = body.rsplit("</svg>", 1)
    # ziafont opens each contour with a line of length zero: it draws nothing, and costs a point
    d = _EMPTY_LINE.sub(r"M \1 \2 ", " ".join(p.strip() for p in paths))
    return f'{head}<path d="{d}" fill="black" /></svg>{tail}'


def to_svg(latex: str, *, display: bool = False) -> MathSVG:
    """Draw the LaTeX with ziamath; the SVG's y = 0 is the baseline."""
    check(latex)
    math = ziamath.Math.fromlatex(latex, size=BODY_PX, inline=not display, margin=0.5)
    svg = merge_paths(math.svg())
    m = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', svg)
    if m is None:
        raise MathError(f"ziamath drew no viewBox for {latex!r}")
    _, min_y, width, height = (float(v) for v in m.groups())
    depth = max(0.0, height + min_y)
    return MathSVG(svg=svg, width=width / BODY_PX, height=height / BODY_PX, depth=depth / BODY_PX)
