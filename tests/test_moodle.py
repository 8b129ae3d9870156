"""The Moodle XML export: Moodle's question format, embedded files, and every answer round-tripped."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET

from click.testing import CliRunner

from workbook.cli import main

EDITION = """
title = "Quiz"
seed = 11
[[sections]]
title = "Numbers"
families = ["derivative-at-point", "best-price", "descent-1d", "optimizer-momentum", "directional-derivative"]
count = 5
[[sections]]
title = "Expressions and figures"
families = ["tangent-line", "backprop-neuron", "chain-layers"]
count = 3
"""


def test_moodle_quiz_structure_files_and_answers(tmp_path):
    edition = tmp_path / "quiz.toml"
    edition.write_text(EDITION)
    result = CliRunner().invoke(main, ["build", str(edition), "--out", str(tmp_path), "--format", "moodle", "-q"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "quiz"
    assert not (out / "worksheet.pdf").exists()
    root = ET.parse(out / "quiz.xml").getroot()
    assert root.tag == "quiz"
    questions = root.findall("question")
    assert questions[0].get("type") == "category" and questions[0].find("category/text").text
    manifest = json.loads((out / "manifest.json").read_text())["problems"]
    real = questions[1:]
    assert len(real) == len(manifest) == 8
    numerical = 0
    for q, problem in zip(real, manifest):
        assert q.get("type") in ("numerical", "essay")
        assert q.find("name/text").text.startswith(f"{problem['number']}. ")
        for tag in ("questiontext", "generalfeedback"):
            node = q.find(tag)
            assert node.get("format") == "html" and node.find("text").text
            referenced = set(re.findall(r"@@PLUGINFILE@@/([\w.-]+)", node.find("text").text))
            embedded = {f.get("name"): f for f in node.findall("file")}
            assert referenced == set(embedded)  # every image referenced is embedded, and only those
            for f in embedded.values():
                assert f.get("encoding") == "base64" and f.get("path") == "/"
                assert base64.b64decode(f.text).lstrip().startswith(b"<?xml") or b"<svg" in base64.b64decode(f.text)
        assert q.find("defaultgrade").text == "1"
        if q.get("type") == "numerical":
            numerical += 1
            answer = q.find("answer")
            assert answer.get("fraction") == "100"
            value, tol = float(answer.find("text").text), float(answer.find("tolerance").text)
            assert 0 < tol <= max(0.001, abs(value) * 0.01)
            assert abs(value - _expected(problem["claims"])) <= 1e-9 * max(1, abs(value))
        else:
            assert q.find("graderinfo/text").text
    assert numerical >= 5
    assert any(q.find("generalfeedback/file") is not None for q in real)  # the tangent line's figure


def _expected(check):
    from workbook import expr as E

    if check["type"] == "derivative":
        return float(E.parse(check["value"]))
    if check["type"] == "optimum":
        return float(E.parse(check["at"][0]))
    if check["type"] == "gradient":
        return float(E.parse(check["directional"]))
    if check["type"] == "gradient_descent":
        return float(E.parse(check["iterates"][-1][0]))
    return float(check["thetas"][-1])
