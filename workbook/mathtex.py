"""LaTeX to SVG (for the PDF, with ziamath: no TeX install) and to MathML (for the HTML).

Both are cached by content. ziamath prints an unknown command literally and drops an unknown
environment without a word, so every expression is first converted to MathML and refused if any
command survived untranslated: a page never shows wrong math silently.

In the SVG, a glyph that has a character of its own in the math font is written as text in that
font (MATH_FAMILY; the PDF stylesheet loads font_file() under that name): WeasyPrint draws text in
C and outlines point by point in Python, and the PDF's math becomes text a reader can search. The
glyphs with no character (script-size variants, stretched brackets and radicals) stay outlines.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path

import latex2mathml.converter
import ziafont
import ziamath
import ziamath.operators
import ziamath.styles
from ziafont.glyph import SimpleGlyph
from ziafont.svgpath import fmt
from ziamath.nodes.mrow import Mrow
from ziamath.tex import tex2mml

from workbook.cache import Store, digest

ziafont.config.svg2 = False  # SVG 1.1 paths: much cheaper for WeasyPrint to draw
ziafont.config.precision = 3
# No glyph smaller than this fraction of the text it stands in, as MathML's scriptminsize keeps scripts legible
# (ziamath's own floor is 0.3): in f(x) = x³/3 - 9x the fraction's x³ set its 3 at 0.7² = 49% of the text,
# under 6 pt in a 12 pt prompt, and was read as x³ - 9x (read42 F1). A script of a script is as large as a script
SMALLEST_SCRIPT = 0.7

# Every change to ziamath's internals is here, and only for the release it was checked against
# (pyproject.toml pins it): with another, ziamath draws unpatched, as outlines, slower but right.
ZIAMATH_CHECKED = "0.13"
PATCHES = ziamath.__version__ == ZIAMATH_CHECKED or ziamath.__version__.startswith(ZIAMATH_CHECKED + ".")

# Three speed-ups to ziamath 0.13 (pinned), each drawing exactly the same SVG, which
# tests/test_mathtex.py checks against ziamath unchanged on every expression that the worksheet,
# key and solutions show for a problem of every family:
# 1. A row lays out each child twice: once "without stretching" to learn how tall the row is, so
#    its brackets can stretch to it, then for real. The first pass is made of rows that measure
#    themselves the same way, so the work doubled at each level of nesting. While measuring, the
#    stretchy brackets' own height is left out of every box, so the rows inside need not measure.
# 2. Each node copied its parent's style deeply (dataclasses.asdict) only to read five plain
#    fields from it; the parent's own fields do.
# 3. A row measured itself even when nothing it holds can stretch to that height (most rows: f(x)'s
#    brackets are not stretchy, and a \left( ... \right) pair is a row of its own, which measures
#    itself). Only an operator that may stretch reads the measure, so such a row skips it.
_measure_row = Mrow._get_height_nostretch
_STRETCHY = frozenset(name for (name, _), params in ziamath.operators.operators.items()
                      if params.get("stretchy", "false") != "false")


def _may_stretch(line: list) -> bool:
    """Whether an operator that a row's measure reaches may stretch: one in the row, or inside what the
    row holds, short of a row within it (which measures itself). Any operator whose text stretches in
    some form counts, and an identifier with such text too (ziamath makes some of them operators)."""
    todo = list(line)
    while todo:
        element = todo.pop()
        if element.tag in ("mo", "mi"):
            stretchy = element.get("stretchy")
            if stretchy != "false" and (stretchy is not None or (element.text or "").strip() in _STRETCHY):
                return True
        elif element.tag != "mrow":
            todo.extend(element)
    return False


def _measure_row_once(row: Mrow, line: list, **kwargs) -> tuple[float, float]:
    if kwargs.get("nostretch") or not _may_stretch(line):
        return 0.0, 0.0  # inside a measurement (what stretches is left out), or nothing reads it
    return _measure_row(row, line, **kwargs)


_deep_style = ziamath.styles.asdict

BODY_PX = 14.0  # the size math is drawn at; it is scaled to the text with em units
# (ziamath's floor is a fraction of its font's base size, 24 px, not of the size a Math is drawn at)
ziamath.config.minsizefraction = SMALLEST_SCRIPT * BODY_PX / ziamath.Math.fromlatex("x").font.basesize
FORMAT = 10  # bump when what is stored changes (3: one path; 4: glyphs as text; 5: signs after operators;
# 6: no script under SMALLEST_SCRIPT; 7: room inside a matrix's brackets and between its columns, a thin space before a function's name;
# 8: a bracketed matrix between \\left and \\right brackets; 9: variants' characters written unseen over them; 10: script-size forms' only)
MATH_FAMILY = "workbook-math"  # the name the PDF stylesheet gives ziamath's font (no installed font can shadow it)
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


_COLOUR = re.compile(r"\\(?:color|textcolor|colorbox)\s*\{([^{}]*)\}")


def refuse_unknown_commands(latex: str) -> None:
    """Raise MathError if the LaTeX has a command the converters do not know, a text argument the converters
    would read otherwise than written (one holding a brace or a command: \\text{\\href{...}{click}} printed
    garbled, attack54 F10), or a colour that is not a name or a #hex (url(...) was written into the SVG)."""
    for argument in _text_arguments(latex):
        if re.search(r"[{}\\]", argument):
            raise MathError(f"a text in math ({argument[:30]!r}) holds a brace or a command; write plain words "
                            f"in it, in {latex[:60]!r}")
    for colour in _COLOUR.findall(latex):
        if not re.fullmatch(r"\s*(?:[A-Za-z]{1,20}|#[0-9A-Fa-f]{3}|#[0-9A-Fa-f]{6})\s*", colour):
            raise MathError(f"the colour {colour[:30]!r} is neither a colour's name nor #hex, in {latex[:60]!r}")
    mml = _mathml(latex, False)
    bad = _UNTRANSLATED.search(mml)
    if bad:
        raise MathError(f"unknown LaTeX command {bad.group()[1:-1]} in {latex!r}")


_TEXT_COMMAND = re.compile(r"\\(?:text|textrm|textit|textbf|textsf|texttt|mbox)\s*\{")
_MARKUP = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _text_arguments(latex: str) -> list[str]:
    """The arguments of the text commands, read as escape_text reads them (braces counted)."""
    found, pos = [], 0
    for m in _TEXT_COMMAND.finditer(latex):
        if m.start() < pos:
            continue
        depth, i = 1, m.end()
        while i < len(latex) and depth:
            depth += {"{": 1, "}": -1}.get(latex[i], 0) if latex[i - 1] != "\\" else 0
            i += 1
        found.append(latex[m.end():i - 1] if not depth else latex[m.end():i])
        pos = i
    return found


def escape_text(latex: str) -> str:
    """The LaTeX with ``<``, ``>`` and ``&`` inside text commands (``\\text{...}`` ...) written as XML
    entities. The converters copy a text argument into the MathML as it stands, so ``\\text{<b>}``
    would become markup; escaped, it is shown as the characters typed, in every medium."""
    out, pos = [], 0
    for m in _TEXT_COMMAND.finditer(latex):
        if m.start() < pos:
            continue  # inside an argument already escaped
        depth, i = 1, m.end()
        while i < len(latex) and depth:
            depth += {"{": 1, "}": -1}.get(latex[i], 0) if latex[i - 1] != "\\" else 0
            i += 1
        argument = latex[m.end():i]
        out += [latex[pos:m.end()], re.sub(r"(?<!\\)[<>&]", lambda c: _MARKUP[c.group()], argument)]
        pos = i
    return "".join(out) + latex[pos:]


MATHML_TAGS = frozenset(
    ["math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "mtext", "ms", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt", "mroot", "mstyle", "mtable", "mtr", "mtd", "mlabeledtr", "munder", "mover", "munderover", "mpadded", "mphantom", "menclose", "merror", "mfenced", "mmultiscripts", "mprescripts", "none", "maligngroup", "malignmark"])
MATHML_ATTRIBUTES = frozenset(  # how math looks; never a link, a script, a style or a class
    ["display", "xmlns", "encoding", "mathvariant", "mathsize", "mathcolor", "mathbackground", "displaystyle", "scriptlevel", "accent", "accentunder", "fence", "form", "separator", "separators", "stretchy", "symmetric", "largeop", "movablelimits", "lspace", "rspace", "minsize", "maxsize", "linethickness", "notation", "width", "height", "depth", "voffset", "linebreak", "columnalign", "columnspacing", "columnlines", "rowalign", "rowspacing", "rowlines", "frame", "align", "open", "close", "columnspan", "rowspan"])


@lru_cache(maxsize=4096)
def _mathml(latex: str, display: bool) -> str:
    mml = latex2mathml.converter.convert(escape_text(latex), display="block" if display else "inline")
    try:
        root = ET.fromstring(mml)
    except ET.ParseError:
        raise MathError(f"math that is not well-formed MathML: {latex[:60]!r}") from None
    stray = {e.tag.rsplit("}", 1)[-1] for e in root.iter()} - MATHML_TAGS
    stray |= {a for e in root.iter() for a in e.attrib} - MATHML_ATTRIBUTES
    if stray:  # only MathML reaches a page, whatever the LaTeX held
        raise MathError(f"math that makes markup or links ({', '.join(sorted(stray))}): {latex[:60]!r}")
    for element in root.iter():
        _sizes_and_colours(element, latex)
    _nested_sizes(root, 1.0, latex)
    if not (mark_unary_signs(root) | primes_on_the_line(root) | space_names(root)):
        return mml
    # Plain names and an xmlns attribute, not ET.register_namespace: that map is global, and
    # WeasyPrint's PDF metadata resets the empty prefix, after which every element printed as <ns0:mo>.
    for element in root.iter():
        element.tag = element.tag.rsplit("}", 1)[-1]
    root.set("xmlns", MATHML)
    return ET.tostring(root, encoding="unicode")


# How large a space, a rule or a letter math may make, in em: a \rule{1000cm}{1000cm} in a primer filled five pages
# with black and \hspace{10cm} pushed the text off the page (attack57 F1); \qquad is 2em, \Huge 2.49em
_LENGTHS = {"width", "height", "depth", "lspace", "rspace", "voffset", "minsize", "maxsize", "mathsize"}
MOST_EM = 6.0
_EM = {"em": 1.0, "ex": 0.5, "mu": 1 / 18, "pt": 1 / 12, "px": 1 / 16, "pc": 1.0, "mm": 2.835 / 12, "cm": 28.35 / 12,
       "in": 6.0, "": 1.0}
_LENGTH = re.compile(r"\s*([+-]?(?:\d+\.?\d*|\.\d+))\s*(em|ex|mu|pt|px|pc|mm|cm|in|%|)\s*")
# colours as xcolor and CSS name them, dark enough to read on white paper; and those light enough to read on
_DARK = {"black", "blue", "brown", "darkgray", "darkgrey", "gray", "grey", "green", "magenta", "olive", "orange",
         "purple", "red", "teal", "violet", "navy", "maroon", "darkblue", "darkred", "darkgreen", "darkorange", "crimson",
         "indigo", "darkviolet", "darkmagenta", "darkcyan", "darkslategray", "dimgray", "firebrick", "sienna"}
_LIGHT = {"white", "yellow", "lightgray", "lightgrey", "pink", "cyan", "lime", "lightyellow", "lightblue", "lightgreen",
          "lightcyan", "lavender", "beige", "ivory", "honeydew", "mintcream", "aliceblue", "whitesmoke", "gainsboro"}


def _em(value: str) -> float | None:
    """A length in em, or None for a named space or what is no length."""
    m = _LENGTH.fullmatch(value)
    return None if m is None else abs(float(m[1])) * (_EM[m[2]] if m[2] != "%" else 0.01)


def _nested_sizes(element: ET.Element, scale: float, latex: str) -> None:
    """Refuse letters grown past MOST_EM by sizes inside sizes: six \\Huge nested were each 2.49em, together about
    240em in a browser (attack58 F6)."""
    size = element.attrib.get("mathsize")
    if size is not None:
        em = _em(size) if not size.endswith("%") else float(size[:-1]) / 100
        scale *= em or 1.0
        if scale > MOST_EM:
            raise MathError(f"sizes inside sizes that make letters past {MOST_EM:g}em; use one, in {latex[:60]!r}")
    for child in element:
        _nested_sizes(child, scale, latex)


def ink_area(latex: str) -> float:
    """The area, in square em, of the rules math draws (\\rule's filled boxes): a primer's spans together may not
    fill a page with black (attack58 F6: 120 rules of 5.9em, each under the limit, blackened three pages)."""
    root = ET.fromstring(_mathml(latex, False))
    area = 0.0
    for element in root.iter():
        if element.tag.rsplit("}", 1)[-1] == "mspace" and "mathbackground" in element.attrib:
            area += (_em(element.attrib.get("width", "0")) or 0.0) * (_em(element.attrib.get("height", "0")) or 0.0)
    return area


def _luminance(colour: str) -> float | None:
    """A #hex colour's lightness, 0 (black) to 1 (white); None for a name."""
    digits = colour.strip().lstrip("#")
    if not colour.strip().startswith("#"):
        return None
    digits = "".join(c * 2 for c in digits) if len(digits) == 3 else digits
    r, g, b = (int(digits[k:k + 2], 16) / 255 for k in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _sizes_and_colours(element: ET.Element, latex: str) -> None:
    """Refuse a length past MOST_EM or not a number (\\rule{nan cm}{1cm}), text coloured too light to read on the
    page (\\color{white} hid it), and a background too dark to read text on (\\colorbox{black}); a rule's own black
    is its line."""
    for name in _LENGTHS & set(element.attrib):
        value = element.attrib[name]
        if value.endswith("mathspace") and value.strip().removeprefix("negative").isalpha():
            continue  # thinmathspace and its kin: a named space of TeX's
        m = _LENGTH.fullmatch(value)
        if m is None:
            raise MathError(f"a size {value[:20]!r} that is not a length (write one such as 1em) in {latex[:60]!r}")
        em = abs(float(m[1])) * (_EM[m[2]] if m[2] != "%" else 0.01)
        if em > MOST_EM:
            raise MathError(f"a size {value[:20]!r} past {MOST_EM:g}em, which fills the page; make it smaller, "
                            f"in {latex[:60]!r}")
    text = "".join(element.itertext()).strip()
    colour = element.attrib.get("mathcolor")
    if colour is not None:
        light = _luminance(colour)
        if (light is None and colour.strip().lower() not in _DARK) or (light is not None and light > 0.6):
            raise MathError(f"the colour {colour[:20]!r} is too light to read (or unknown): use blue, red, #1f5fa0, "
                            f"in {latex[:60]!r}")
    background = element.attrib.get("mathbackground")
    if background is not None and text:
        light = _luminance(background)
        if (light is None and background.strip().lower() not in _LIGHT) or (light is not None and light < 0.7):
            raise MathError(f"the background {background[:20]!r} is too dark to read text on: use yellow, #ffeeaa, "
                            f"in {latex[:60]!r}")


MATHML = "http://www.w3.org/1998/Math/MathML"
_SIGNS = {"\u2212", "-", "+", "\u00b1", "\u2213"}
_CLOSING = {")", "]", "}", "\u27e9", "|", "\u2016", "!", "\u2032", "\u2033", "%"}  # a sign after these is binary


_PRIMES = {"\u2032", "\u2033", "\u2034"}


def primes_on_the_line(root: ET.Element) -> bool:
    """A prime written as a superscript (f' is <msup><mi>f</mi><mi>′</mi></msup>) set beside its letter instead: the
    prime glyph is already raised, and Chromium raised it again and shrank it to a detached tick, "f ′(x)" (read40).
    Returns whether any was."""
    moved = False
    for parent in root.iter():
        for i, child in enumerate(list(parent)):
            if child.tag.rsplit("}", 1)[-1] != "msup" or len(child) != 2:
                continue
            base, script = child
            while script.tag.rsplit("}", 1)[-1] == "mrow" and len(script) == 1:
                script = script[0]
            if script.tag.rsplit("}", 1)[-1] not in ("mi", "mo") or len(script) \
                    or not (script.text or "").strip() or set((script.text or "").strip()) - _PRIMES:
                continue
            row = ET.Element(child.tag.replace("msup", "mrow"))
            prime = ET.SubElement(row, child.tag.replace("msup", "mi"))
            prime.text = script.text.strip()
            row.insert(0, base)
            parent.remove(child)
            parent.insert(i, row)
            moved = True
    return moved


def mark_unary_signs(root: ET.Element) -> bool:
    """Mark a plus or minus sign that follows another operator as a prefix: a sign, not a subtraction.

    MathML (and so both the browser and ziamath) spaces every operator that is not first in its row
    as binary, which prints (−1, 2) as ( − 1, 2) and = −3 as = − 3. TeX's rule: after an opening
    bracket, a comma, a relation or another operator, a sign belongs to what follows. Spaces in
    between (mtext, mspace) do not count. Returns whether any sign was marked.
    """
    marked = False
    for parent in root.iter():
        previous = None
        for child in parent:
            tag, text = child.tag.rsplit("}", 1)[-1], (child.text or "").strip()
            if tag in ("mtext", "mspace") and not text:
                continue
            if (tag == "mo" and text in _SIGNS and "form" not in child.attrib and previous is not None
                    and previous.tag.rsplit("}", 1)[-1] == "mo"
                    and (previous.get("form") == "prefix"  # an opening \left bracket, even a bar
                         or (previous.get("form") != "postfix" and (previous.text or "").strip() not in _CLOSING))):
                child.set("form", "prefix")
                marked = True
            previous = child
    return marked


NAME_SPACE = "0.1667em"  # TeX's thin space between a factor and a function's name: 3 sin x, 3 softplus(x)
_BEFORE_NAME = {"mn", "mi", "msup", "msub", "msubsup", "msqrt"}  # what a name's space follows


def space_names(root: ET.Element) -> bool:
    """A thin space before a function's name of several letters (sin, softplus, ReLU) that follows a factor, as TeX
    sets an operator's name: ziamath and a browser set 3softplus(2x - 3) and xsoftplus(x) as one word (user51 F11).
    Returns whether any space was put in."""
    spaced = False
    for parent in root.iter():
        children = list(parent)
        for k in range(len(children) - 1, 0, -1):
            child, before = children[k], children[k - 1]
            tag, text = child.tag.rsplit("}", 1)[-1], (child.text or "").strip()
            if tag in ("mi", "mo") and len(text) > 1 and text.isascii() and text.isalpha() and \
                    (before.tag.rsplit("}", 1)[-1] in _BEFORE_NAME or (before.text or "").strip() == ")"):
                parent.insert(k, ET.Element(child.tag[:-len(tag)] + "mspace", width=NAME_SPACE))
                spaced = True
    return spaced


MATRIX_PAD = "0.2em"  # between a matrix's brackets and its entries (ziamath sets none)
MATRIX_COLUMNS = "0.6em"  # between its columns (ziamath's 0.3em ran 2 1 1 together)


def pad_matrices(root: ET.Element) -> None:
    """Room inside a bracketed matrix, for ziamath: its entries touched the brackets, and its columns stood a third of
    an em apart (read48 F2: W = (2 1 1 / 1 0 0) with the 1 and the 0 on the bracket). TeX's pmatrix has both."""
    for parent in root.iter():
        children = list(parent)
        for k in range(len(children) - 1, -1, -1):
            child = children[k]
            if child.tag.rsplit("}", 1)[-1] != "mtable":
                continue
            child.set("columnspacing", child.get("columnspacing", MATRIX_COLUMNS))
            tag = child.tag[:-len("mtable")]
            for at, side in ((k + 1, k + 1), (k, k - 1)):  # after it, then before it: where a bracket stands
                if 0 <= side < len(children) and children[side].tag.rsplit("}", 1)[-1] == "mo":
                    parent.insert(at, ET.Element(tag + "mspace", width=MATRIX_PAD))


def to_mathml(latex: str, *, display: bool = False) -> str:
    """MathML with the LaTeX kept as an annotation."""
    refuse_unknown_commands(latex)
    mml = _mathml(latex, display)
    annotation = latex.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    head, _, body = mml.partition(">")
    body = body.rsplit("</math>", 1)[0]
    return (f'{head}><semantics><mrow>{body}</mrow>'
            f'<annotation encoding="application/x-tex">{annotation}</annotation></semantics></math>')


class SVGCache:
    """LaTeX -> MathSVG, in memory and optionally on disk (safe to delete)."""

    def __init__(self, folder: Path | None = None):
        self.root = folder
        self.store = Store(folder, "math")
        self.memory: dict[str, MathSVG] = {}

    def get(self, latex: str, display: bool = False) -> MathSVG:
        name = digest(ziamath.__version__, FORMAT, display, latex)
        if name in self.memory:
            return self.memory[name]
        kept = self.store.read(name, "json")
        try:
            result = MathSVG(**json.loads(kept)) if kept is not None else None
        except (ValueError, TypeError):
            result = None  # a damaged entry: drawn again
        if result is None:
            result = to_svg(latex, display=display)
            self.store.write(name, "json", json.dumps(asdict(result)))
        self.memory[name] = result
        return result


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


@lru_cache(maxsize=1)
def font_file() -> Path:
    """The OpenType math font ziamath draws with, which the PDF must load as MATH_FAMILY."""
    return Path(ziamath.Math.fromlatex("x").font.info.filename)


_draw_outline = SimpleGlyph.place


@lru_cache(maxsize=2)
def _variant_chars(font) -> dict[int, str]:
    """{glyph index: character} for the math font's script-size forms that have no character of their own: those its
    ssty feature puts in a superscript (4, 2, the prime). Of several characters, the smallest (as for a glyph that
    has one)."""
    found: dict[int, str] = {}
    for code, index in sorted(font.cmap.glyphmap.items()):
        # the script-size forms alone: a size variant may be shared by several characters (a tall bracket's copied
        # as ∏, attack60 F7), and a bracket or root drawn to size is outlines in pieces anyway
        variants = set(font.gsub.sub([index], {"ssty": True})) if font.gsub else set()
        for variant in variants - {index}:
            found.setdefault(variant, chr(code))
    return {index: char for index, char in found.items() if not font.cmap.char(index)}


def _place(glyph: SimpleGlyph, x: float, y: float, point_size: float) -> ET.Element | None:
    """ziamath's glyph placement, writing a glyph as text when a character of the math font maps to it.

    (x, y) is the glyph's origin on the baseline, where SVG text puts it too. Of several characters
    sharing a glyph, any one names it; the smallest is taken so the SVG is the same every time.
    """
    ours = glyph.font.info.filename == font_file()
    chars = glyph.char if ours else set()  # no new Path a glyph
    if not chars:  # a script-size variant, a larger bracket, or a piece of one assembled from pieces
        outline = _draw_outline(glyph, x, y, point_size)
        base = _variant_chars(glyph.font).get(glyph.index) if ours else None
        if outline is None or base is None:
            return outline
        # the variant is drawn as its outline, and its character written over it unseen (by write_unseen, once
        # ziamath has given the outline its colour), so the PDF's text reads 7x4 where it read 7x, and f′ where it
        # read f (user56 F4: exponents and primes were lost in a copy)
        outline.set(_UNSEEN, f"{fmt(x)} {fmt(y)} {fmt(point_size)} {base}")
        return outline
    if not glyph.operators:
        return None  # a space: nothing to draw, as ziamath does for an empty outline
    element = ET.Element("text", {"x": fmt(x), "y": fmt(y), "font-size": fmt(point_size)})
    element.text = min(chars)
    return element


_UNSEEN = "data-unseen"  # x, y, size and character of a variant's outline, for write_unseen


def write_unseen(parent: ET.Element) -> None:
    """After each outline that _place marked, its character as text, in the same place and size, unseen."""
    for child in list(parent):
        write_unseen(child)
        mark = child.attrib.pop(_UNSEEN, None)
        if mark is not None:
            x, y, size, char = mark.split(" ", 3)
            hidden = ET.Element("text", {"x": x, "y": y, "font-size": size, "fill-opacity": "0"})
            hidden.text = char
            parent.insert(list(parent).index(child) + 1, hidden)


def merge_text(parent: ET.Element) -> None:
    """Join each run of neighbouring text elements that differ only in x into one, with a list of x.

    WeasyPrint still places each letter at its own x, but sets up each element once.
    """
    children = list(parent)
    merged: list[ET.Element] = []
    for child in children:
        merge_text(child)
        last = merged[-1] if merged else None
        if (child.tag == "text" and last is not None and last.tag == "text" and len(child) == 0
                and {k: v for k, v in child.attrib.items() if k != "x"} == {k: v for k, v in last.attrib.items() if k != "x"}):
            last.set("x", f'{last.get("x")} {child.get("x")}')
            last.text += child.text
        else:
            merged.append(child)
    if len(merged) != len(children):
        for child in children:
            parent.remove(child)
        parent.extend(merged)


_FENCES = {"pmatrix": ("(", ")"), "bmatrix": ("[", "]"), "vmatrix": ("|", "|")}


def fenced(latex: str) -> str:
    """A bracketed matrix as a plain one between \\left and \\right brackets, for ziamath: its pmatrix's brackets
    stopped short of a column of three (read50 F6, read51 F3: x = (-1, -2, 3)ᵀ with the 3 below the bracket), where
    \\left and \\right take the column's whole height."""
    for name, (opening, closing) in _FENCES.items():
        latex = latex.replace(rf"\begin{{{name}}}", rf"\left{opening}\begin{{matrix}}")
        latex = latex.replace(rf"\end{{{name}}}", rf"\end{{matrix}}\right{closing}")
    return latex


def _ziamath(latex: str, display: bool, text: bool = True, fast: bool = True) -> ET.Element:
    """ziamath's SVG of the LaTeX: glyphs as text or outlines, with or without the speed-ups above
    (both patches to ziamath, made only for the release they were checked against)."""
    text, fast = text and PATCHES, fast and PATCHES
    SimpleGlyph.place = _place if text else _draw_outline
    Mrow._get_height_nostretch = _measure_row_once if fast else _measure_row
    ziamath.styles.asdict = vars if fast else _deep_style
    try:
        mathml = ET.fromstring(tex2mml(escape_text(fenced(latex)), inline=not display))  # as Math.fromlatex does, then
        mark_unary_signs(mathml)
        pad_matrices(mathml)
        space_names(mathml)
        return ziamath.Math(mathml, size=BODY_PX, margin=0.5).svgxml()
    finally:
        SimpleGlyph.place, Mrow._get_height_nostretch = _draw_outline, _measure_row
        ziamath.styles.asdict = _deep_style


def to_svg(latex: str, *, display: bool = False, text: bool = True) -> MathSVG:
    """Draw the LaTeX with ziamath; the SVG's y = 0 is the baseline. With ``text`` (the default),
    glyphs that have a character are written as text in MATH_FAMILY; otherwise all are outlines."""
    refuse_unknown_commands(latex)
    text = text and PATCHES
    root = _ziamath(latex, display, text)
    if text:
        write_unseen(root)
        merge_text(root)
        root.set("font-family", MATH_FAMILY)  # inherited by every text element
    svg = merge_paths(ET.tostring(root, encoding="unicode"))
    m = re.search(r'viewBox="([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)"', svg)
    if m is None:
        raise MathError(f"ziamath drew no viewBox for {latex!r}")
    _, min_y, width, height = (float(v) for v in m.groups())
    depth = max(0.0, height + min_y)
    return MathSVG(svg=svg, width=width / BODY_PX, height=height / BODY_PX, depth=depth / BODY_PX)
