"""Moodle XML export: a category a problem slot, holding each version's variant of it.

A problem whose answer is one number becomes a `numerical` question with a tolerance; several numbers
(a gradient, a row of a table, the last iterate) or verdicts become a `cloze` question with a blank
each; a derivative becomes `multichoice` among the answers its catalogued slips give; any other an
`essay` whose grader information holds the answer. The worked solution is the general feedback;
math is written as TeX between \\( \\) for Moodle's MathJax filter; diagrams are embedded as files
(base64) and referenced with @@PLUGINFILE@@.
"""

from __future__ import annotations

import base64
import hashlib
import math
import re
import xml.etree.ElementTree as ET
from html import escape

import sympy as sp

from workbook import figures
from workbook.errors import BuildError
from workbook.render import points
from workbook.segments import Moodle, alt, defuse_tex, emit

# Characters XML 1.0 cannot carry at all, not even escaped; ElementTree writes them as they are.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


# a number written like 1.5 × 10⁻⁹ in a prompt: a blank of Moodle's or Canvas's reads 1.5e-9 alone
_TIMES_TEN = re.compile(r"\s*(-?\d+(?:\.\d+)?)\s*\\times\s*10\^\{?(-?\d+)\}?\s*")


def _html(segments: list[dict]) -> str:
    """A prompt's segments as a question's HTML, a number written like 1.5 × 10⁻⁹ followed by how a blank takes it:
    a gradient check asked for its relative errors so, and a right one typed as asked was marked wrong (user47 F10)."""
    typed = []
    for segment in segments:
        typed.append(segment)
        found = _TIMES_TEN.fullmatch(segment.get("math") or "") if isinstance(segment, dict) else None
        if found:
            typed.append({"text": f" (typed {found.group(1)}e{found.group(2)})"})
    return emit(typed, Moodle(), blanks=False)


def _text(parent, tag: str, value: str, fmt: str | None = None) -> ET.Element:
    node = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(node, "text").text = value
    return node


def category_name(title: str) -> str:
    """An edition's title as one level of Moodle's category path: "/" separates levels and "$...$"
    names a context ($system$, $course$) on import, so neither may come from the title; and no markup, a
    category name being shown as HTML in places (attack50 F2: "<svg onload=...>" from a section's title): the
    angle brackets as the single guillemets that look like them."""
    return defuse_tex(title.replace("/", "\u2215").replace("$", "\uff04").replace("<", "\u2039").replace(">", "\u203a"))


def quiz(docs: dict[str, dict], choices: dict[tuple[str, int], list[tuple[str, str]]] | None = None) -> str:
    """The Moodle XML of an edition's copies (``docs``, by folder: the edition alone, or its versions).

    Each problem slot is a category of its own, holding every version's variant of it, so a Moodle
    quiz that draws one random question from each category gives each student a version of each
    problem (as R/exams' Moodle export does). ``choices`` are the wrong answers (LaTeX, and what the
    slip was) a derivative is offered among, by (folder, problem number).
    """
    root = ET.Element("quiz")
    head = next(iter(docs.values()))["edition"]
    top = f"$course$/workbook/{category_name(head['title'])} (seed {head['seed']})"
    slots: dict[int, list[tuple[str, dict, dict]]] = {}
    for folder, doc in docs.items():
        for section in doc["sections"]:
            for p in section["problems"]:
                slots.setdefault(p["number"], []).append((folder, doc, p | {"section": section.get("title", ""),
                                                                          "marks": points(p, section)}))
    width = len(str(max(slots, default=1)))
    for number, variants in sorted(slots.items()):
        category = ET.SubElement(root, "question", {"type": "category"})
        title = category_name(variants[0][2]["section"])
        _text(category, "category", f"{top}/Problem {number:0{width}d} · {title}")
        for folder, doc, p in variants:
            version = doc["edition"].get("version")
            name = f"Problem {number}" + (f", version {version}" if version else "") + \
                f" ({p['marks']} mark{'s' * (p['marks'] != 1)})"
            _question(root, p, name, (choices or {}).get((folder, number)))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _XML_ILLEGAL.sub("", ET.tostring(root, encoding="unicode")) + "\n"


def _question(root: ET.Element, p: dict, name: str, wrong: list[tuple[str, str]] | None) -> None:
    """One question: numerical for one number, Cloze for several numbers or words, multiple choice
    for a derivative with its catalogued wrong answers, else an essay with the answer for the grader."""
    want = _expected(p)
    numbers = list(zip(labels(p, want), want.numbers)) if want is not None else []
    words = list(zip(want.names, want.words)) if want is not None and want.words else []
    exact = want is not None and want.exact
    figures = asked_figures(p, want)
    table = table_blanks(p)
    if table is not None:
        kind = "cloze"  # every blank cell of the table asked for, a numerical blank
    elif len(numbers) == 1 and not words:
        kind = "numerical"
    elif numbers or words:
        kind = "cloze"
    elif wrong:
        kind = "multichoice"
    else:
        kind = "essay"
    q = ET.SubElement(root, "question", {"type": kind})
    _text(q, "name", defuse_tex(name))
    body = f"<p>{_html(p['prompt'])}</p>"
    files = []
    figure = p.get("worksheet_figure")
    if figure:
        file, data = _figure_file(figure)
        body += f'<p><img src="@@PLUGINFILE@@/{file}" alt="{escape(alt(figure["alt"]))}"></p>'
        files.append((file, data))
    if kind == "cloze":
        body = defuse_cloze(body) + (_cloze_table(table) + _blanks(beyond_table(numbers, table), [], exact, figures)
                                     if table is not None else _blanks(numbers, words, exact, figures))
    text = _text(q, "questiontext", body, "html")
    for file, data in files:
        ET.SubElement(text, "file", {"name": file, "path": "/", "encoding": "base64"}).text = data
    feedback = worked_feedback(p)
    general = _text(q, "generalfeedback", feedback, "html")
    if p.get("figure"):
        file, data = _figure_file(p["figure"])
        general.find("text").text += f'<p><img src="@@PLUGINFILE@@/{file}" alt="{escape(alt(p["figure"]["alt"]))}"></p>'
        ET.SubElement(general, "file", {"name": file, "path": "/", "encoding": "base64"}).text = data
    if kind != "cloze":  # the key's marks (each question was worth 1: user51 F14); a Cloze question's are the sum of
        # its blanks' weights, which Moodle sets itself: its name says the key's marks, for the quiz's slot
        ET.SubElement(q, "defaultgrade").text = str(p.get("marks", 1))
    ET.SubElement(q, "penalty").text = "0.3333333"
    ET.SubElement(q, "hidden").text = "0"
    if kind == "numerical":
        value = numbers[0][1]
        answer = ET.SubElement(q, "answer", {"fraction": "100", "format": "moodle_auto_format"})
        ET.SubElement(answer, "text").text = decimal(value)
        ET.SubElement(answer, "tolerance").text = decimal(tolerance(value, exact, figures.get(numbers[0][0], 0)))
        _text(answer, "feedback", "", "html")
        ET.SubElement(q, "unitgradingtype").text = "0"
        ET.SubElement(q, "unitpenalty").text = "0.1"
        ET.SubElement(q, "showunits").text = "3"
        ET.SubElement(q, "unitsleft").text = "0"
    elif kind == "multichoice":
        ET.SubElement(q, "single").text = "true"
        ET.SubElement(q, "shuffleanswers").text = "true"
        ET.SubElement(q, "answernumbering").text = "abc"
        for tag in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
            _text(q, tag, "", "html")
        options = [(tex, "100" if i == 0 else "0", advice) for i, (tex, advice) in enumerate(wrong)]
        for tex, fraction, advice in options:
            answer = _text(q, "answer", rf"\({escape(tex)}\)", "html")
            answer.set("fraction", fraction)
            _text(answer, "feedback", escape(advice[:1].upper() + advice[1:] + "." if advice else ""), "html")
    elif kind == "essay":
        ET.SubElement(q, "responseformat").text = "editor"
        ET.SubElement(q, "responserequired").text = "1"
        ET.SubElement(q, "responsefieldlines").text = "10"
        ET.SubElement(q, "attachments").text = "1"
        _text(q, "graderinfo", f"<p>{_html(p['answer'])}</p>", "html")
        _text(q, "responsetemplate", "", "html")


def table_blanks(p: dict) -> tuple[list[str], list[list[tuple[str, float | str]]]] | None:
    """The table a problem asks to fill in, with the worked solution's numbers for its blank cells: (its
    head, rows of ("given", LaTeX) or ("blank", value) cells), or None when it asks for none."""
    from workbook import expr as E
    from workbook.segments import plain_tex
    from workbook.solver import decimals_of

    asked = next((seg["table"] for seg in p["prompt"] if "table" in seg and seg["table"].get("blank")), None)
    if asked is None:
        return None
    filled = next((seg["table"] for step in p.get("steps", []) for seg in step.get("say", [])
                   if "table" in seg and seg["table"].get("head") == asked.get("head")
                   and len(seg["table"]["rows"]) == len(asked["rows"])), None)
    if filled is None:
        return None
    rows = []
    exact = filled.get("exact") if isinstance(filled.get("exact"), list) else []
    for r, (blank_row, full_row) in enumerate(zip(asked["rows"], filled["rows"])):
        row = []
        for c, (given, cell) in enumerate(zip(blank_row, full_row)):
            if given:
                row.append(("given", given))
                continue
            try:
                text = plain_tex(cell).replace("\u2212", "-")
                row.append(("blank", Cell(float(E.parse(text, variables=())), decimals_of(text), _full(exact, r, c))))
            except (E.ExprError, TypeError, ValueError):
                return None  # a cell that is not a number: the table is graded by hand
        rows.append(row)
    return asked.get("head") or [], rows


def _full(exact: list, r: int, c: int) -> float | None:
    """The full-precision number of a filled table's cell, where the kind gives one."""
    try:
        value = float(exact[r][c])
    except (IndexError, TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


class Cell(float):
    """A table's number with the decimal places the key prints it to: Adam's v to 6 (0.000050), which a
    tolerance of half a unit in the 4th place took as 0 (attack29); and, where the kind gives it, the number to
    full precision (``exact``), which a learner may give to more places than the key prints."""

    def __new__(cls, value: float, places: int = 0, exact: float | None = None):
        cell = super().__new__(cls, value)
        cell.places, cell.exact = places, exact
        return cell


def beyond_table(numbers: list[tuple[str, float]], table) -> list[tuple[str, float]]:
    """The numbers the key asks for that the table's blank cells do not hold (within a number's tolerance):
    a network's loss beside its table of gradients and stepped weights."""
    cells = [v for row in table[1] for kind, v in row if kind == "blank"]
    return [(name, v) for name, v in numbers if not any(abs(v - c) <= tolerance(v) for c in cells)]


def _cloze_table(table) -> str:
    """The table to fill in, each blank cell a numerical Cloze blank with its tolerance."""
    head, rows = table
    html = '<table border="1" cellpadding="3">'
    if head:
        html += "<tr>" + "".join(f"<th>\\({escape(h)}\\)</th>" for h in head) + "</tr>"
    for row in rows:
        html += "<tr>" + "".join(
            f"<td>\\({escape(v)}\\)</td>" if kind == "given" else
            f"<td>{{1:NUMERICAL:={decimal(v)}:{decimal(tolerance(v))}}}</td>" for kind, v in row) + "</tr>"
    return html + "</table>"


def worked_feedback(p: dict) -> str:
    """A problem's worked steps and answer as HTML for an LMS's feedback, the math as TeX between \\( \\)."""
    steps = "".join(f"<p><strong>{escape(s['rule'])}.</strong> {_html(s['say'])}"
                    + (f"<br>\\({escape(s['math'])}\\)" if s["math"] else "") + "</p>" for s in p["steps"])
    return steps + f"<p><strong>Answer:</strong> {_html(p['answer'])}</p>"


def labels(p: dict, want) -> list[str]:
    """What each number a problem's answer holds is called beside its blank: a gradient's entries are
    the partial derivatives (∂f/∂x, not x, which reads as a coordinate)."""
    names = list(want.names) or ["answer"] * len(want.numbers)
    claims = p.get("claims", {})
    if claims.get("type") == "gradient" and "gradient" in claims and names == list(claims.get("variables", [])):
        return [f"∂f/∂{v}" for v in names]
    return names


def _expected(p: dict):
    from workbook import judge

    try:
        return judge.expected(p)
    except (ValueError, TypeError, KeyError):  # a record the judge cannot read: the answer goes to a grader
        return None


def asked_figures(p: dict, want) -> dict[str, int]:
    """The significant figures the question asks of each number, by its label (a gradient check's relative
    error to 2: 5.0 × 10^-3 is right for 0.0049751), where it asks any."""
    if want is None or not want.figures:
        return {}
    return {name: n for name, n in zip(labels(p, want), want.figures) if n}


def _blanks(numbers: list[tuple[str, float]], words: list[tuple[str, str]], exact: bool = False,
            figures: dict[str, int] | None = None) -> str:
    """The Cloze part: a numerical blank for each number, with its tolerance, and a drop-down for
    each word (converges, oscillates, diverges)."""
    figures = figures or {}
    lines = [f"{escape(name)} = {{1:NUMERICAL:={decimal(v)}:{decimal(tolerance(v, exact, figures.get(name, 0)))}}}"
             for name, v in numbers]
    verdicts = ("converges", "oscillates", "diverges")
    for name, word in words:
        options = "~".join(("=" if w == word else "") + w for w in verdicts)
        lines.append(f"{escape(name)}: {{1:MULTICHOICE:{options}}}")
    return "<p>" + "<br>".join(lines) + "</p>" if lines else ""


def defuse_cloze(html: str) -> str:
    """Question text in which no Cloze blank can start but ours: a zero-width space after each ``{``
    that begins one (``{1:NUMERICAL:...``) or places one (``{#1}``, where Moodle draws sub-question 1's
    input: attack29), whether a family's prose or TeX wrote it."""
    return re.sub(r"\{(?=[0-9]*:|#)", "{\u200b", html)


def decimal(value: float) -> str:
    """A number as Moodle's importers read it: plain decimals, no exponent; to 10 places, or to 12 significant
    figures where that is finer (a gradient check's relative error of 1.5e-12 and its tolerance were written
    0, tolerance 0, and the key's own value was marked wrong: attack25)."""
    v = float(value)
    places = 10 if v == 0 or abs(v) >= 1e-4 else min(40, 12 - math.floor(math.log10(abs(v))))
    text = format(round(v, places), f".{places}f").rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def distractors(claims: dict, limit: int = 4) -> list[tuple[str, str]]:
    """The choices of a multiple-choice derivative: the answer first (with no advice), then wrong
    answers as a learner who slipped would write them (the slip catalogue of workbook.mistakes), each
    with what the slip was; then the function itself and the sign flipped. Each differs from the
    answer and from the others as a function, and all are written the same way (a polynomial
    expanded, anything else in its tidy form), so no choice stands out by its form. [] when fewer
    than three wrong answers are found. Run in a worker."""
    from workbook import expr as E
    from workbook.numbers import latex

    x = E.symbol(claims["variable"])
    if E.parse(claims["answer"]).has(sp.Heaviside, sp.DiracDelta, sp.sign):
        return []  # its right answer alone wrote the step's value at 0, θ(u, nan) (attack25): graded by hand
    wrong = distractor_expressions(claims, limit)
    if len(wrong) < 3:
        return []

    def written(e):
        return latex(choice_form(e, x))

    return [(written(_answer_as_shown(claims)), "")] + [(written(w), advice) for w, advice in wrong]


def _answer_as_shown(claims: dict) -> sp.Expr:
    """The right answer as the key writes it: in σ where the prompt names the function with σ (user55 F20: every
    choice written with e^(-x), five nested fractions, beside a key and a prompt in σ), else as the claims give it."""
    from workbook import expr as E
    from workbook import steps

    if _shown(claims):
        return steps.derive(E.parse(_shown(claims)), E.symbol(claims["variable"])).result
    return E.parse(claims["answer"])


def choice_form(e: sp.Expr, x: sp.Symbol) -> sp.Expr:
    """A choice as every choice of its question is written: a polynomial expanded, anything else tidied with each
    sum's whole-number factor taken out (user49 F5: the right choice alone read (8 - 8 tanh²u)(4x + 3), its slips
    8 (1 - tanh²u) ..., and a student could pick the odd one out)."""
    from workbook import steps

    return sp.expand(e) if e.is_polynomial(x) else sp.factor_terms(steps.tidy(e))


def _shown(claims: dict) -> str | None:
    """The function as the prompt names it (σ, softplus), where the record keeps it apart from its written-out form."""
    shown = claims.get("shown")
    return shown.get("function") if isinstance(shown, dict) and isinstance(shown.get("function"), str) else None


def distractor_expressions(claims: dict, limit: int = 4) -> list[tuple[sp.Expr, str]]:
    """distractors(), as expressions."""

    from workbook import expr as E
    from workbook import mistakes, steps

    if claims.get("type") != "derivative" or claims.get("order", 1) != 1 or "value" in claims:
        return []
    from workbook.functions import written_out

    x = E.symbol(claims["variable"])
    f, truth = E.parse(claims["function"]), E.parse(claims["answer"])
    # the slips of the function as the prompt names it first (σ' = σ(1 - σ) without its chain factor is that slip,
    # not a power rule's in 1/(1 + e^-u): user50 F6, as solve --check says), then those of it written out; every
    # choice written out, as the right one is, so that none stands out by its form
    shown = E.parse(_shown(claims)) if _shown(claims) else None
    trees = [steps.derive(shown, x)] if shown is not None else [steps.derive(f, x)]
    # written as the prompt writes the function: in σ where it names one, from its own tree alone (user55 F20: every
    # choice written out), each compared written out
    as_shown = (lambda e: e) if shown is not None else written_out
    candidates = [(as_shown(wrong), slip.advice) for slip in mistakes.CATALOGUE
                  if (wrong := mistakes.slipped(trees[0], slip)) is not None]
    right = trees[0].result if shown is not None else truth
    candidates += [(shown if shown is not None else f, "that is the function itself, not its derivative"),
                   (-right, "the sign is the wrong way round")]
    chosen: list[tuple[sp.Expr, str]] = []
    for wrong, advice in candidates:
        if wrong is None or steps.equal(written_out(wrong), truth) or any(
                steps.equal(written_out(wrong), written_out(w)) for w, _ in chosen):
            continue
        chosen.append((steps.tidy(wrong), advice))
        if len(chosen) == limit:
            break
    if shown is not None:  # each named as solve --check names it, for the function as the prompt writes it
        def same(a, b):
            return steps.equal(written_out(a), written_out(b))

        def named(w):
            try:
                return mistakes.diagnose(trees[0], truth, w, shown, same)
            except (TypeError, ValueError):
                return None
        chosen = [(w, named(w) or advice) for w, advice in chosen]
    return chosen


LEAST_TOLERANCE = 5e-5  # half a unit in the fourth decimal place: an answer rounded as the key rounds it


def tolerance(value: float, exact: bool = False, figures: int = 0) -> float:
    """Accept answers within 0.5% (3 significant figures), or rounded to 4 decimal places where that is
    looser, as the practice page and the terminal judge them: a floor of 0.001 had let 0 and the other
    sign pass for 0.00025. Where the question is the small gap between a worked value and an estimate
    (a gradient check, ``exact``), rounded to 4 decimal places or 3 significant figures, whichever is finer:
    the derivative 38 is not the estimate 38.0003, and a relative error of 7.9e-6 is not 0. Where the
    question asks a number to ``figures`` significant figures, rounded to those (the key's own 5.0 × 10^-3
    for 0.0049751 was marked wrong: attack28)."""
    from workbook.solver import significant_slack

    if figures and value:
        return significant_slack(value, figures)
    places = getattr(value, "places", 0)
    if places > 4:  # a cell the key gives to more places, as its question asks (v to 6): to those places
        return 0.5 * 10.0 ** -places
    if exact:
        if value == 0:
            return 1e-10  # the least a Moodle tolerance written to 10 decimals holds
        return min(LEAST_TOLERANCE, 0.5 * 10.0 ** (math.floor(math.log10(abs(value))) - 2))
    return max(LEAST_TOLERANCE, abs(value) * 0.005)


def _figure_file(spec: dict) -> tuple[str, str]:
    try:
        svg = figures.figure_svg(spec)
    except (ValueError, TypeError, ArithmeticError, RecursionError, MemoryError) as exc:
        raise BuildError(f"could not draw a figure for quiz.xml ({type(exc).__name__}); "
                         "the family's figure cannot be drawn") from None
    name = f"figure-{hashlib.sha256(svg.encode()).hexdigest()[:12]}.svg"
    return name, base64.b64encode(svg.encode()).decode()
