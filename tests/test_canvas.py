"""The Canvas export (canvas.zip, QTI 1.2): its structure checked against the content models of the
IMS QTI 1.2 ASI DTD for every element it writes, its question groups, and each question's scoring
compared with the problem's own claims record."""

from __future__ import annotations

import io
import json
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import pytest
from click.testing import CliRunner

from tests.test_moodle import EDITION, expected_numbers, table_numbers
from workbook.cli import main

QTI = "{http://www.imsglobal.org/xsd/ims_qtiasiv1p2}"
CP = "{http://www.imsglobal.org/xsd/imscp_v1p1}"

# The content models of the IMS QTI 1.2 ASI DTD (ims_qtiasiv1p2.dtd, the file Canvas's QTI converter
# resolves every DOCTYPE to) for each element the export writes, as the DTD declares them; `_regex`
# turns each into a regular expression over the children's names. (#PCDATA) elements hold text only.
_DTD = {
    "questestinterop": "(qticomment? , (objectbank | assessment | (section | item)+))",
    "assessment": "(qticomment? , duration? , qtimetadata* , objectives* , assessmentcontrol* , rubric* , "
                  "presentation_material? , outcomes_processing* , assessproc_extension? , assessfeedback* , "
                  "selection_ordering? , reference? , (sectionref | section)+)",
    "section": "(qticomment? , duration? , qtimetadata* , objectives* , sectioncontrol* , sectionprecondition* , "
               "sectionpostcondition* , rubric* , presentation_material? , outcomes_processing* , "
               "sectionproc_extension? , sectionfeedback* , selection_ordering? , reference? , "
               "(itemref | item | sectionref | section)*)",
    "item": "(qticomment? , duration? , itemmetadata? , objectives* , itemcontrol* , itemprecondition* , "
            "itempostcondition* , (itemrubric | rubric)* , presentation? , resprocessing* , itemproc_extension? , "
            "itemfeedback* , reference?)",
    "itemmetadata": "(qtimetadata* , qmd_computerscored? , qmd_feedbackpermitted? , qmd_hintspermitted? , "
                    "qmd_itemtype? , qmd_levelofdifficulty? , qmd_maximumscore? , qmd_renderingtype* , "
                    "qmd_responsetype* , qmd_scoringpermitted? , qmd_solutionspermitted? , qmd_status? , "
                    "qmd_timedependence? , qmd_timelimit? , qmd_toolvendor? , qmd_topic? , qmd_weighting? , "
                    "qmd_material* , qmd_typeofsolution?)",
    "qtimetadata": "(vocabulary? , qtimetadatafield+)",
    "qtimetadatafield": "(fieldlabel , fieldentry)",
    "presentation": "(qticomment? , (flow | (material | response_lid | response_xy | response_str | response_num | "
                    "response_grp | response_extension)+))",
    "material": "(qticomment? , (mattext | matemtext | matimage | mataudio | matvideo | matapplet | matapplication | "
                "matref | matbreak | mat_extension)+ , altmaterial*)",
    "flow_mat": "(flow_mat | material | material_ref)+",
    "response_lid": "((material | material_ref)? , (render_choice | render_hotspot | render_slider | render_fib | "
                    "render_extension) , (material | material_ref)?)",
    "response_str": "((material | material_ref)? , (render_choice | render_hotspot | render_slider | render_fib | "
                    "render_extension) , (material | material_ref)?)",
    "render_choice": "((material | material_ref | response_label | flow_label)* , response_na?)",
    "render_fib": "((material | material_ref | response_label | flow_label)* , response_na?)",
    "response_label": "(qticomment | material | material_ref | flow_mat)*",  # mixed with #PCDATA
    "resprocessing": "(qticomment? , outcomes , (respcondition | itemproc_extension)+)",
    "outcomes": "(qticomment? , (decvar , interpretvar*)+)",
    "respcondition": "(qticomment? , conditionvar , setvar* , displayfeedback* , respcond_extension?)",
    "conditionvar": "(not | and | or | unanswered | other | varequal | varlt | varlte | vargt | vargte | varsubset | "
                    "varinside | varsubstring | durequal | durlt | durlte | durgt | durgte | var_extension)+",
    "and": "(not | and | or | unanswered | other | varequal | varlt | varlte | vargt | vargte | varsubset | "
           "varinside | varsubstring | durequal | durlt | durlte | durgt | durgte)+",
    "or": "(not | and | or | unanswered | other | varequal | varlt | varlte | vargt | vargte | varsubset | "
          "varinside | varsubstring | durequal | durlt | durlte | durgt | durgte)+",
    "itemfeedback": "((flow_mat | material) | solution | hint)+",
    "selection_ordering": "(qticomment? , sequence_parameter? , selection* , order?)",
    "selection": "(sourcebank_ref? , selection_number? , selection_metadata? , (and_selection | or_selection | "
                 "not_selection | selection_extension)?)",
    "selection_extension": "(points_per_item)",  # ANY in the DTD: Canvas reads a group's points from it
}
_PCDATA = {"mattext", "fieldlabel", "fieldentry", "varequal", "vargte", "varlte", "setvar", "selection_number",
           "points_per_item",
           "decvar", "other", "displayfeedback"}


def _regex(model: str) -> str:
    """A DTD content model as a regular expression over child names, each followed by a space."""
    tokens = re.findall(r"[A-Za-z_]+|[()|?*+]", model)  # a comma (a sequence) is nothing between two parts
    return "".join(f"(?:{t} )" if t[0].isalpha() or t[0] == "_" else t for t in tokens)


_MODELS = {tag: _regex(model) for tag, model in _DTD.items()}
_REQUIRED = {"assessment": {"ident"}, "section": {"ident"}, "item": {"ident"}, "response_lid": {"ident"},
             "response_str": {"ident"}, "response_label": {"ident"}, "itemfeedback": {"ident"},
             "varequal": {"respident"}, "vargte": {"respident"}, "varlte": {"respident"},
             "displayfeedback": {"linkrefid"}}


def conforms(node: ET.Element) -> None:
    """Every element under node as the DTD allows: known, its children in its content model, its
    required attributes there."""
    tag = node.tag.removeprefix(QTI)
    children = "".join(child.tag.removeprefix(QTI) + " " for child in node)
    if tag in _PCDATA:
        assert not children, (tag, children)
    else:
        assert tag in _MODELS, f"<{tag}> is not an element the export may write"
        assert re.fullmatch(_MODELS[tag], children), (tag, children)
    assert _REQUIRED.get(tag, set()) <= set(node.attrib), (tag, node.attrib)
    for child in node:
        conforms(child)


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    folder = tmp_path_factory.mktemp("canvas")
    edition = folder / "quiz.toml"
    edition.write_text(EDITION)
    for out in ("a", "b"):
        result = CliRunner().invoke(main, ["build", str(edition), "--out", str(folder / out), "--format", "canvas",
                                           "-q", "--versions", "3"])
        assert result.exit_code == 0, result.output
    data = (folder / "a" / "quiz" / "versions" / "canvas.zip").read_bytes()
    assert data == (folder / "b" / "quiz" / "versions" / "canvas.zip").read_bytes()  # the same edition, the same bytes
    problems = json.loads((folder / "a" / "quiz" / "versions" / "manifest.json").read_text())["problems"]
    return zipfile.ZipFile(io.BytesIO(data)), [p for p in problems if p["number"] != "example"]


def test_the_package_is_a_qti_content_package(package):
    archive, _ = package
    manifest = ET.fromstring(archive.read("imsmanifest.xml"))
    assert manifest.tag == f"{CP}manifest"
    quiz = [r for r in manifest.iter(f"{CP}resource") if r.get("type") == "imsqti_xmlv1p2"]
    assert len(quiz) == 1 and quiz[0].get("href") in archive.namelist()
    files = {r.get("identifier"): r.get("href") for r in manifest.iter(f"{CP}resource")}
    for dependency in quiz[0].iter(f"{CP}dependency"):  # every diagram listed, and in the zip
        assert files[dependency.get("identifierref")] in archive.namelist()
    root = ET.fromstring(archive.read(quiz[0].get("href")))
    assert root.tag == f"{QTI}questestinterop"
    conforms(root)
    folder = quiz[0].get("href").rsplit("/", 1)[0]
    for src in re.findall(r'<img src="([^"]+)"', "".join(m.text or "" for m in root.iter(f"{QTI}mattext"))):
        assert f"{folder}/{src}" in archive.namelist()


def test_a_question_group_a_slot_picks_one_of_the_versions(package):
    archive, _ = package
    root = ET.fromstring(archive.read(next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".xml"))))
    top = root.find(f"{QTI}assessment/{QTI}section")
    groups = top.findall(f"{QTI}section")
    assert len(groups) == 11
    for n, group in enumerate(groups, start=1):
        assert group.find(f"{QTI}selection_ordering/{QTI}selection/{QTI}selection_number").text == "1"
        # the key's marks, not 1 a question (user51 F14)
        marks = group.find(f"{QTI}selection_ordering/{QTI}selection/{QTI}selection_extension/{QTI}points_per_item")
        assert marks is not None and float(marks.text) >= 2
        items = group.findall(f"{QTI}item")
        assert [i.get("title") for i in items] == [f"Problem {n}, version {v}" for v in "ABC"]
    idents = [i.get("ident") for i in root.iter(f"{QTI}item")]
    assert len(set(idents)) == len(idents) == 33


def test_each_question_scores_the_right_answer(package):
    archive, problems = package
    root = ET.fromstring(archive.read(next(n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".xml"))))
    by_name = {(p["number"], p["version"]): p for p in problems}
    seen, positions = set(), []
    for item in root.iter(f"{QTI}item"):
        number, version = re.fullmatch(r"Problem (\d+), version (\w+)", item.get("title")).groups()
        claims = by_name[int(number), version]["claims"]
        fields = {f.find(f"{QTI}fieldlabel").text: f.find(f"{QTI}fieldentry").text
                  for f in item.iter(f"{QTI}qtimetadatafield")}
        kind = fields["question_type"]
        seen.add((kind, claims["type"]))
        conditions = item.findall(f"{QTI}resprocessing/{QTI}respcondition")
        scoring = [c for c in conditions if c.find(f"{QTI}setvar") is not None]
        if kind == "numerical_question":
            (right,) = scoring
            value = float(right.find(f".//{QTI}varequal").text)
            low, high = float(right.find(f".//{QTI}vargte").text), float(right.find(f".//{QTI}varlte").text)
            (truth,) = expected_numbers(claims)
            assert value == pytest.approx(truth, abs=1e-9) and low < truth < high
        elif kind == "fill_in_multiple_blanks_question":
            text = item.find(f"{QTI}presentation/{QTI}material/{QTI}mattext").text
            labels = {lab.get("ident"): lab.find(f".//{QTI}mattext").text for lab in item.iter(f"{QTI}response_label")}
            blanks = re.findall(r"\[(blank\d+)\]", text)
            accepted = {i: [labels[c.find(f".//{QTI}varequal").text] for c in scoring
                            if c.find(f".//{QTI}varequal").get("respident") == f"response_blank{i}"]
                        for i in range(1, len(blanks) + 1)}
            assert blanks == [f"blank{i}" for i in accepted] and all(accepted.values())
            for forms in accepted.values():  # every form a blank accepts is one number, within its tolerance
                assert max(map(float, forms)) - min(map(float, forms)) <= 2 * max(0.001, abs(float(forms[0])) * 0.005)
            if "<table" in text:  # the table asked for: each iterate the claims hold is a blank of it
                held = table_numbers(claims)
                firsts = [float(f[0]) for f in accepted.values()]
                assert all(any(abs(v - h) <= 1e-3 * max(1, abs(h)) for v in firsts) for h in held), (held, firsts)
            else:
                truths = expected_numbers(claims)
                assert [float(f[0]) for f in accepted.values()] == pytest.approx(truths, abs=1e-9)
        elif kind == "multiple_dropdowns_question":
            labels = {lab.get("ident"): lab.find(f".//{QTI}mattext").text for lab in item.iter(f"{QTI}response_label")}
            right = [labels[c.find(f".//{QTI}varequal").text] for c in scoring]
            assert right == claims["verdicts"]
        elif kind == "multiple_choice_question":
            (right,) = scoring
            labels = [lab.get("ident") for lab in item.iter(f"{QTI}response_label")]
            assert right.find(f".//{QTI}varequal").text in labels and len(labels) >= 4
            assert claims["type"] == "derivative"
            feedback = {f.get("ident") for f in item.findall(f"{QTI}itemfeedback")}
            right_label = right.find(f".//{QTI}varequal").text
            assert all(f"{label}_fb" in feedback for label in labels if label != right_label)  # each slip named
            positions.append(labels.index(right_label))
        else:
            assert kind == "essay_question" and not scoring
        assert item.find(f"{QTI}itemfeedback[@ident='general_fb']") is not None
    assert len(set(positions)) > 1, positions  # the right choice is not always in the same place
    kinds = {k for k, _ in seen}
    assert {"numerical_question", "fill_in_multiple_blanks_question", "multiple_dropdowns_question",
            "multiple_choice_question"} <= kinds, seen


def test_a_roster_with_canvas_is_refused(tmp_path):
    edition = tmp_path / "quiz.toml"
    edition.write_text(EDITION)
    roster = tmp_path / "class.csv"
    roster.write_text("Ada,s01\n")
    result = CliRunner().invoke(main, ["build", str(edition), "--out", str(tmp_path), "--format", "canvas",
                                       "--roster", str(roster)])
    assert result.exit_code == 2 and "per class" in result.stderr


def test_two_editions_of_one_title_and_seed_have_identifiers_of_their_own(tmp_path):
    # two teachers' "Quiz 1" at the default seed, one of derivatives and one of trigonometry, carried the same
    # assessment and item identifiers, by which Canvas keys what it imports (attack26)
    idents = []
    for families in ('["power-polynomial"]', '["trig"]'):
        edition = tmp_path / f"{len(idents)}.toml"
        edition.write_text(f'title = "Quiz 1"\n[page]\ncover = false\n[[sections]]\ntitle = "S"\nfamilies = {families}\n'
                           'count = 2\n', encoding="utf-8")
        out = tmp_path / f"out{len(idents)}"
        result = CliRunner().invoke(main, ["build", str(edition), "--out", str(out), "--format", "canvas", "-q"])
        assert result.exit_code == 0, result.output
        text = zipfile.ZipFile(out / "quiz-1" / "canvas.zip").read("imsmanifest.xml").decode()
        idents.append(set(re.findall(r'identifier="(wb[0-9a-f_]+)', text)))
    assert idents[0] and idents[1] and not idents[0] & idents[1]


def test_a_number_asked_to_significant_figures_is_accepted_as_the_question_writes_it():
    # a gradient check's relative error, asked to 2 significant figures: Canvas took only 0.0049751244 (attack28)
    from workbook.canvas import _written

    forms = _written(0.0049751244, True, 2)
    assert {"5.0e-3", "0.0050"} <= set(forms), forms
    assert "0.004" not in forms and "0.0049" not in forms
    assert {"4.9e-4", "0.00049"} <= set(_written(0.000487567, True, 2))


def test_a_blank_takes_the_number_to_as_many_places_as_a_table_asks():
    # user51 F13: RMSprop's question asks for v to 6 decimal places, and its blank took only 0.1 to 0.1000, so the
    # 0.100000 the question asked for scored nothing (Moodle's numerical blank took it)
    from workbook.canvas import _written

    assert {"0.1", "0.1000", "0.100000", "0.10000000"} <= set(_written(0.1))
    assert {"-0.3162", "-0.31623", "-0.316228"} <= set(_written(-0.316227766))
    assert {"0.00012346", "0.0001235"} <= set(_written(0.000123456))


@pytest.mark.parametrize("family", ["optimizer-adam", "optimizer-momentum", "descent-1d", "backprop-fanout"])
def test_a_tables_blank_takes_its_number_rounded_from_the_full_value_not_the_keys_padded(family):
    # user53 F1: RMSprop's Δθ₁ = -0.316227766, printed -0.3162, took -0.31620 and -0.316200 (the key padded) and
    # refused -0.31623 and -0.316228; each blank is now marked against the table's number to full precision
    from workbook.bank import load_bank
    from workbook.canvas import _written
    from workbook.generate import REDRAW, generate_one
    from workbook.moodle import table_blanks

    bank, tried = load_bank(), 0
    for seed in range(40):
        try:
            record = generate_one(bank[family], seed)
        except REDRAW:
            continue
        table = table_blanks(record)
        assert table is not None, family
        for kind, cell in (c for row in table[1] for c in row):
            if kind != "blank" or cell.exact is None:
                continue
            forms, full = _written(cell), cell.exact
            tried += 1
            assert all(abs(float(f) - full) <= max(0.001, abs(full) * 0.005) for f in forms), (cell, full, forms)
            for places in range(cell.places, 9):  # the full number to the key's places and more: each taken
                rounded = str(Decimal(repr(full)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))
                assert rounded in forms or float(rounded) == 0 or decimal_equal(rounded, forms), (full, places, forms)
            wrong = [f"{float(cell):.{places}f}" for places in range(cell.places + 1, 9)]
            assert not [w for w in wrong if w in forms and abs(float(w) - full) >= 0.5 * 10.0 ** -len(w.partition(".")[2])]
    assert tried >= 20, tried


def decimal_equal(rounded: str, forms: list[str]) -> bool:
    """Whether a form writes the same number as ``rounded`` (the key's own form, 0.5 for 0.50000)."""
    return any(float(f) == float(rounded) for f in forms)


def test_a_number_to_significant_figures_is_taken_as_a_learner_writes_it():
    # user59 F2.4: 2e-5 was refused for a relative error of 2.0 × 10^-5, and 0 to 7 places was offered as "0E-7"
    from workbook.canvas import _written

    assert {"2.0e-5", "2e-5", "2E-5", "0.000020"} <= set(_written(2.0e-5, exact=True, figures=2))
    assert not any("E" in form for form in _written(0.0, exact=True, figures=2))
