"""Moodle XML export: one question per problem.

A problem whose answer is one number becomes a `numerical` question with a tolerance; any other
becomes an `essay` question whose grader information holds the answer. The worked solution is the
general feedback; math is written as TeX between \\( \\) for Moodle's MathJax filter; diagrams are
embedded as files (base64) and referenced with @@PLUGINFILE@@.
"""

from __future__ import annotations

import base64
import hashlib
import re
import xml.etree.ElementTree as ET
from html import escape

from workbook import figures
from workbook.errors import BuildError
from workbook.segments import Moodle, defuse_tex, emit

# Characters XML 1.0 cannot carry at all, not even escaped; ElementTree writes them as they are.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def numeric_answer(record: dict) -> float | None:
    """The single number a problem asks for, if it asks for one (each kind's presentation says)."""
    return record.get("numeric")


def _html(segments: list[dict]) -> str:
    return emit(segments, Moodle(), blanks=False)


def _text(parent, tag: str, value: str, fmt: str | None = None) -> ET.Element:
    node = ET.SubElement(parent, tag, {"format": fmt} if fmt else {})
    ET.SubElement(node, "text").text = value
    return node


def category_name(title: str) -> str:
    """An edition's title as one level of Moodle's category path: "/" separates levels and "$...$"
    names a context ($system$, $course$) on import, so neither may come from the title."""
    return defuse_tex(title.replace("/", "\u2215").replace("$", "\uff04"))


def quiz(doc: dict) -> str:
    """The Moodle XML of a document (an edition's problems)."""
    root = ET.Element("quiz")
    category = ET.SubElement(root, "question", {"type": "category"})
    _text(category, "category", f"$course$/workbook/{category_name(doc['edition']['title'])} (seed {doc['edition']['seed']})")
    for section in doc["sections"]:
        for p in section["problems"]:
            value = numeric_answer(p)
            q = ET.SubElement(root, "question", {"type": "numerical" if value is not None else "essay"})
            _text(q, "name", defuse_tex(f"{p['number']}. {p['title']}"))
            body = f"<p>{_html(p['prompt'])}</p>"
            files = []
            figure = p.get("worksheet_figure")
            if figure:
                name, data = _figure_file(figure)
                body += f'<p><img src="@@PLUGINFILE@@/{name}" alt="{escape(figure["alt"])}"></p>'
                files.append((name, data))
            text = _text(q, "questiontext", body, "html")
            for name, data in files:
                ET.SubElement(text, "file", {"name": name, "path": "/", "encoding": "base64"}).text = data
            feedback = "".join(f"<p><strong>{escape(s['rule'])}.</strong> {_html(s['say'])}"
                               + (f"<br>\\({escape(s['math'])}\\)" if s["math"] else "") + "</p>" for s in p["steps"])
            feedback += f"<p><strong>Answer:</strong> {_html(p['answer'])}</p>"
            general = _text(q, "generalfeedback", feedback, "html")
            if p.get("figure"):
                name, data = _figure_file(p["figure"])
                general.find("text").text += f'<p><img src="@@PLUGINFILE@@/{name}" alt="{escape(p["figure"]["alt"])}"></p>'
                ET.SubElement(general, "file", {"name": name, "path": "/", "encoding": "base64"}).text = data
            ET.SubElement(q, "defaultgrade").text = "1"
            ET.SubElement(q, "penalty").text = "0.3333333"
            ET.SubElement(q, "hidden").text = "0"
            if value is not None:
                answer = ET.SubElement(q, "answer", {"fraction": "100", "format": "moodle_auto_format"})
                ET.SubElement(answer, "text").text = repr(round(value, 10))
                ET.SubElement(answer, "tolerance").text = repr(tolerance(value))
                _text(answer, "feedback", "", "html")
                ET.SubElement(q, "unitgradingtype").text = "0"
                ET.SubElement(q, "unitpenalty").text = "0.1"
                ET.SubElement(q, "showunits").text = "3"
                ET.SubElement(q, "unitsleft").text = "0"
            else:
                ET.SubElement(q, "responseformat").text = "editor"
                ET.SubElement(q, "responserequired").text = "1"
                ET.SubElement(q, "responsefieldlines").text = "10"
                ET.SubElement(q, "attachments").text = "1"
                _text(q, "graderinfo", f"<p>{_html(p['answer'])}</p>", "html")
                _text(q, "responsetemplate", "", "html")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + _XML_ILLEGAL.sub("", ET.tostring(root, encoding="unicode")) + "\n"


def tolerance(value: float) -> float:
    """Accept answers rounded to 3 significant figures (and never less than 0.001)."""
    return max(0.001, abs(value) * 0.005)


def _figure_file(spec: dict) -> tuple[str, str]:
    try:
        svg = figures.figure_svg(spec)
    except (ValueError, TypeError, ArithmeticError, RecursionError, MemoryError) as exc:
        raise BuildError(f"could not draw a figure for quiz.xml ({type(exc).__name__}); "
                         "the family's figure cannot be drawn") from None
    name = f"figure-{hashlib.sha256(svg.encode()).hexdigest()[:12]}.svg"
    return name, base64.b64encode(svg.encode()).decode()
