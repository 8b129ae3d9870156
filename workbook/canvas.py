"""Canvas export: a QTI 1.2 package (``canvas.zip``) that Canvas imports as a quiz with its questions.

Each problem slot is a question group that picks one question at random from every version's
variant of it, as Moodle's categories do (workbook.moodle). A problem whose answer is one number
is a numerical question with a tolerance; several numbers a fill-in-multiple-blanks question (Canvas
compares those blanks as text: each accepts the number written out and rounded to one to eight
decimals, where that rounding is within the tolerance); verdicts (converges, oscillates, diverges) a
multiple-dropdowns question; a derivative a multiple-choice question among the answers its
catalogued slips give; anything else an essay. The worked solution is each question's general
feedback; math is TeX between \\( \\) (Canvas renders it with MathJax); diagrams are files in the
package, referenced from the questions.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from workbook import figures
from workbook.errors import BuildError
from workbook.moodle import (
    _XML_ILLEGAL,
    _expected,
    _html,
    asked_figures,
    beyond_table,
    decimal,
    labels,
    table_blanks,
    tolerance,
    worked_feedback,
)
from workbook.render import points
from workbook.segments import alt, defuse_tex

QTI = "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"
CP = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
VERDICTS = ("converges", "oscillates", "diverges")
_STAMP = (1980, 1, 1, 0, 0, 0)  # every file in the zip dated alike: the same edition, the same bytes


def package(docs: dict[str, dict], choices: dict[tuple[str, int], list[tuple[str, str]]] | None = None) -> bytes:
    """canvas.zip for an edition's copies (``docs``, by folder), with ``choices`` the wrong answers a
    derivative is offered among, by (folder, problem number)."""
    head = next(iter(docs.values()))["edition"]
    # Canvas keys what it imports by these identifiers: two editions with one title and seed (two teachers'
    # "Quiz 1") had the same, so importing the second could replace the first's questions (attack26). They
    # are made from the problems too: the same edition, the same identifiers; another, others
    problems = [[p.get("family"), p.get("identity")] for doc in docs.values() for section in doc["sections"]
                for p in section["problems"]]
    content = json.dumps([head["title"], head["seed"], problems], ensure_ascii=False, default=str)
    ident = "wb" + hashlib.sha256(content.encode()).hexdigest()[:16]
    files: dict[str, bytes] = {}
    assessment = _assessment(docs, choices or {}, ident, files)
    manifest = _manifest(ident, sorted(files))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in [("imsmanifest.xml", manifest), (f"{ident}/{ident}.xml", assessment),
                           *sorted(files.items())]:
            info = zipfile.ZipInfo(name, _STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def _xml(root: ET.Element) -> bytes:
    ET.indent(root)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _XML_ILLEGAL.sub("", text) + "\n").encode()


def _manifest(ident: str, files: list[str]) -> bytes:
    """imsmanifest.xml: the assessment as a QTI 1.2 resource, the diagrams as web content it uses."""
    ET.register_namespace("", CP)
    root = ET.Element(f"{{{CP}}}manifest", {"identifier": f"{ident}_manifest"})
    metadata = ET.SubElement(root, f"{{{CP}}}metadata")
    ET.SubElement(metadata, f"{{{CP}}}schema").text = "IMS Content"
    ET.SubElement(metadata, f"{{{CP}}}schemaversion").text = "1.1.3"
    ET.SubElement(root, f"{{{CP}}}organizations")
    resources = ET.SubElement(root, f"{{{CP}}}resources")
    quiz = ET.SubElement(resources, f"{{{CP}}}resource",
                         {"identifier": ident, "type": "imsqti_xmlv1p2", "href": f"{ident}/{ident}.xml"})
    ET.SubElement(quiz, f"{{{CP}}}file", {"href": f"{ident}/{ident}.xml"})
    for i, name in enumerate(files):
        ET.SubElement(quiz, f"{{{CP}}}dependency", {"identifierref": f"{ident}_file{i}"})
    for i, name in enumerate(files):
        resource = ET.SubElement(resources, f"{{{CP}}}resource",
                                 {"identifier": f"{ident}_file{i}", "type": "webcontent", "href": name})
        ET.SubElement(resource, f"{{{CP}}}file", {"href": name})
    return _xml(root)


def _assessment(docs: dict[str, dict], choices: dict, ident: str, files: dict[str, bytes]) -> bytes:
    ET.register_namespace("", QTI)
    ET.register_namespace("xsi", XSI)
    head = next(iter(docs.values()))["edition"]
    root = ET.Element(f"{{{QTI}}}questestinterop",
                      {f"{{{XSI}}}schemaLocation": f"{QTI} http://www.imsglobal.org/xsd/ims_qtiasiv1p2p1.xsd"})
    title = defuse_tex(f"{head['title']} (seed {head['seed']})")
    assessment = _sub(root, "assessment", ident=ident, title=title)
    meta = _sub(assessment, "qtimetadata")
    _field(meta, "cc_maxattempts", "1")
    top = _sub(assessment, "section", ident="root_section")
    slots: dict[int, list[tuple[str, dict, dict]]] = {}
    for folder, doc in docs.items():
        for section in doc["sections"]:
            for p in section["problems"]:
                slots.setdefault(p["number"], []).append((folder, doc, p | {"marks": points(p, section)}))
    for number, variants in sorted(slots.items()):
        group = _sub(top, "section", ident=f"{ident}_slot{number}", title=f"Problem {number}")
        ordering = _sub(group, "selection_ordering")
        selection = _sub(ordering, "selection")
        _sub(selection, "selection_number").text = "1"
        # the key's marks for the problem, the same in every version (held to version A's stars): each question was
        # worth 1 (user51 F14)
        _sub(_sub(selection, "selection_extension"), "points_per_item").text = f"{variants[0][2]['marks']:.1f}"
        for folder, doc, p in variants:
            version = doc["edition"].get("version")
            name = f"Problem {number}" + (f", version {version}" if version else "")
            which = f"{folder}#{number}#{p.get('identity')}"
            item_ident = f"{ident}_{hashlib.sha256(which.encode()).hexdigest()[:12]}"
            _item(group, p, name, item_ident, choices.get((folder, number)), ident, files)
    return _xml(root)


def _sub(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, f"{{{QTI}}}{tag}", attributes)


def _field(meta: ET.Element, label: str, entry: str) -> None:
    field = _sub(meta, "qtimetadatafield")
    _sub(field, "fieldlabel").text = label
    _sub(field, "fieldentry").text = entry


def _material(parent: ET.Element, html: str) -> None:
    material = _sub(parent, "material")
    _sub(material, "mattext", texttype="text/html").text = html


def _figure(spec: dict, ident: str, files: dict[str, bytes]) -> str:
    """A diagram as a file of the package, and the <img> that shows it."""
    try:
        svg = figures.figure_svg(spec).encode()
    except (ValueError, TypeError, ArithmeticError, RecursionError, MemoryError) as exc:
        raise BuildError(f"could not draw a figure for canvas.zip ({type(exc).__name__}); "
                         "the family's figure cannot be drawn") from None
    name = f"{ident}/figures/figure-{hashlib.sha256(svg).hexdigest()[:12]}.svg"
    files[name] = svg
    return f'<p><img src="figures/{name.rsplit("/", 1)[1]}" alt="{escape(alt(spec["alt"]))}"></p>'


def _item(group: ET.Element, p: dict, name: str, ident: str, wrong, package_ident: str,
          files: dict[str, bytes]) -> None:
    want = _expected(p)
    numbers = list(zip(labels(p, want), want.numbers)) if want is not None else []
    words = list(zip(want.names, want.words)) if want is not None and want.words else []
    table = table_blanks(p)
    if table is not None:  # the table asked for: a blank a cell
        beyond = beyond_table(numbers, table)
        numbers = [(f"cell {i}", v) for i, (kind, v) in enumerate((c for row in table[1] for c in row), 1)
                   if kind == "blank"] + beyond
        kind = "fill_in_multiple_blanks_question"
    elif len(numbers) == 1 and not words:
        kind = "numerical_question"
    elif words:
        kind = "multiple_dropdowns_question"
    elif numbers:
        kind = "fill_in_multiple_blanks_question"
    elif wrong:
        kind = "multiple_choice_question"
    else:
        kind = "essay_question"
    item = _sub(group, "item", ident=ident, title=defuse_tex(name))
    meta = _sub(_sub(item, "itemmetadata"), "qtimetadata")
    _field(meta, "question_type", kind)
    _field(meta, "points_possible", f"{p.get('marks', 1):.1f}")
    text = f"<p>{_html(p['prompt'])}</p>"
    if p.get("worksheet_figure"):
        text += _figure(p["worksheet_figure"], package_ident, files)
    blanks = numbers if kind == "fill_in_multiple_blanks_question" else words
    if blanks:
        text = re.sub(r"\[(?=[A-Za-z0-9_]*\])", "[\u200b", text)  # no blank but ours: [blank1] is Canvas's syntax
        if table is not None:
            text += _blank_table(table)
            cells = len(blanks) - len(beyond)
            if beyond:  # what the key asks beyond the table (a network's loss), numbered after its cells
                text += "<p>" + "<br>".join(f"{escape(label)} = [blank{cells + i}]"
                                            for i, (label, _) in enumerate(beyond, 1)) + "</p>"
        else:
            text += "<p>" + "<br>".join(f"{escape(label)} = [blank{i}]" for i, (label, _) in enumerate(blanks, 1)) + "</p>"
    presentation = _sub(item, "presentation")
    _material(presentation, text)
    processing = _sub(item, "resprocessing")
    outcomes = _sub(processing, "outcomes")
    _sub(outcomes, "decvar", maxvalue="100", minvalue="0", varname="SCORE", vartype="Decimal")
    general = _sub(processing, "respcondition", **{"continue": "Yes"})
    _sub(_sub(general, "conditionvar"), "other")
    _sub(general, "displayfeedback", feedbacktype="Response", linkrefid="general_fb")
    if kind == "numerical_question":
        response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(response, "render_fib", fibtype="Decimal"), "response_label", ident="answer1")
        value = numbers[0][1]
        right = _sub(processing, "respcondition", **{"continue": "No"})
        either = _sub(_sub(right, "conditionvar"), "or")
        _sub(either, "varequal", respident="response1").text = decimal(value)
        within = _sub(either, "and")
        exact = want is not None and want.exact
        figures = asked_figures(p, want).get(numbers[0][0], 0)
        _sub(within, "vargte", respident="response1").text = decimal(value - tolerance(value, exact, figures))
        _sub(within, "varlte", respident="response1").text = decimal(value + tolerance(value, exact, figures))
        _sub(right, "setvar", action="Set", varname="SCORE").text = "100"
    elif kind == "multiple_choice_question":
        response = _sub(presentation, "response_lid", ident="response1", rcardinality="Single")
        render = _sub(response, "render_choice", shuffle="Yes")
        # the choices in an order of their own (the right one is not always first), the same each build
        order = sorted(range(len(wrong)), key=lambda i: hashlib.sha256(f"{ident}#{i}".encode()).hexdigest())
        for i in order:
            _material(_sub(render, "response_label", ident=f"{ident}_c{i}"), rf"\({escape(wrong[i][0])}\)")
        right = _sub(processing, "respcondition", **{"continue": "No"})
        _sub(_sub(right, "conditionvar"), "varequal", respident="response1").text = f"{ident}_c0"
        _sub(right, "setvar", action="Set", varname="SCORE").text = "100"
        for i, (_, advice) in enumerate(wrong[1:], 1):  # each slip's feedback
            said = _sub(processing, "respcondition", **{"continue": "Yes"})
            _sub(_sub(said, "conditionvar"), "varequal", respident="response1").text = f"{ident}_c{i}"
            _sub(said, "displayfeedback", feedbacktype="Response", linkrefid=f"{ident}_c{i}_fb")
    elif blanks:
        share = decimal(100 / len(blanks))
        for i, (label, truth) in enumerate(blanks, 1):
            response = _sub(presentation, "response_lid", ident=f"response_blank{i}")
            _material(response, f"blank{i}")
            render = _sub(response, "render_choice")
            accepted = VERDICTS if kind == "multiple_dropdowns_question" else _written(
                truth, want is not None and want.exact and table is None,
                asked_figures(p, want).get(label, 0) if table is None else 0)
            right_ident = None
            for j, answer in enumerate(accepted):
                label_ident = f"{ident}_b{i}_{j}"
                _material(_sub(render, "response_label", ident=label_ident), escape(answer))
                if kind == "fill_in_multiple_blanks_question" or answer == truth:
                    right = _sub(processing, "respcondition", **{"continue": "Yes"})
                    _sub(_sub(right, "conditionvar"), "varequal", respident=f"response_blank{i}").text = label_ident
                    _sub(right, "setvar", action="Add", varname="SCORE").text = share
                    right_ident = label_ident
            assert right_ident is not None
    else:
        response = _sub(presentation, "response_str", ident="response1", rcardinality="Single")
        _sub(_sub(response, "render_fib"), "response_label", ident="answer1", rshuffle="No")
        graded = _sub(processing, "respcondition", **{"continue": "No"})
        _sub(_sub(graded, "conditionvar"), "other")
    feedback = worked_feedback(p)
    if p.get("figure"):
        feedback += _figure(p["figure"], package_ident, files)
    _feedback(item, "general_fb", feedback)
    for i, (_, advice) in enumerate(wrong[1:] if kind == "multiple_choice_question" else [], 1):
        _feedback(item, f"{ident}_c{i}_fb", escape(advice[:1].upper() + advice[1:] + "."))


def _blank_table(table) -> str:
    """The table to fill in, each blank cell Canvas's [blankN], numbered row by row."""
    head, rows = table
    html, n = '<table border="1" cellpadding="3">', 0
    if head:
        html += "<tr>" + "".join(rf"<th>\({escape(h)}\)</th>" for h in head) + "</tr>"
    for row in rows:
        cells = []
        for kind, v in row:
            if kind == "given":
                cells.append(rf"<td>\({escape(v)}\)</td>")
            else:
                n += 1
                cells.append(f"<td>[blank{n}]</td>")
        html += "<tr>" + "".join(cells) + "</tr>"
    return html + "</table>"


def _feedback(item: ET.Element, ident: str, html: str) -> None:
    node = _sub(item, "itemfeedback", ident=ident)
    _material(_sub(node, "flow_mat"), html)


def _written(value: float, exact: bool = False, figures: int = 0) -> list[str]:
    """How a learner may write a number in a text blank: in full, or rounded to 1 to 8 decimals (a table asks
    for RMSprop's v to 6 and Adam's to 8: 0.100000 was marked wrong, user51 F13) where the rounding is within the
    answer's tolerance; a number asked to ``figures`` significant figures
    also as the question writes it, 5.0e-3 (and 5.0E-3, 5.0e-03), and to those figures in decimals (0.0050)."""
    forms = [decimal(value)]
    limit = tolerance(value, exact, figures)
    # a table's cell rounded from its full number, where the kind gives it: -0.31623 and -0.316228 for -0.316227766
    # printed -0.3162 (user53 F1: the key's -0.3162 padded, -0.31620, was taken and they were refused)
    full = getattr(value, "exact", None)
    truth = value if full is None else full
    for places in range(1, 9):  # half up, as the key rounds: 0.00249775 to 7 places is 0.0024978 there too
        # (in positional notation: 0 to 7 places was "0E-7", which no learner writes: user59 F2.4)
        rounded = format(Decimal(repr(float(truth))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP), "f")
        rounded = rounded.removeprefix("-") if float(rounded) == 0 else rounded  # -0.000 is written 0.000
        if abs(float(rounded) - truth) <= limit * (1 + 1e-9) and rounded not in forms:
            forms.append(rounded)
    if figures and value:
        mantissa, power = f"{value:.{figures - 1}e}".split("e")
        power = int(power)
        places = max(figures - 1 - power, 0)
        bare = mantissa.rstrip("0").rstrip(".") if "." in mantissa else mantissa  # 2e-5 for 2.0e-5 (user59 F2.4)
        forms += [f for f in dict.fromkeys((f"{mantissa}e{power}", f"{mantissa}E{power}",
                                            f"{mantissa}e{power:+03d}".replace("+", ""), f"{value:.{places}f}",
                                            f"{bare}e{power}", f"{bare}E{power}")) if f not in forms]
    return forms
