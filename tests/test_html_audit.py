"""The HTML as a phone shows it: an axe-core accessibility audit and a screenshot in headless Chromium.

Needs node, Chromium (/usr/bin/chromium, or $CHROMIUM) and `npm install` in tests/a11y; .ci/run
installs all three. Elsewhere the test is skipped, and says why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from workbook.build import build
from workbook.mathtex import SMALLEST_SCRIPT

ROOT = Path(__file__).resolve().parent.parent
A11Y = ROOT / "tests" / "a11y"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def _ready() -> str | None:
    if not shutil.which("node"):
        return "node is not installed"
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}"
    if not (A11Y / "node_modules" / "axe-core").exists():
        return "run `npm install` in tests/a11y"
    return None


@pytest.mark.skipif(_ready() is not None, reason=str(_ready()))
def test_html_passes_axe_and_reads_on_a_phone(built_small, tmp_path):
    # the small edition, and the default one: its worked examples, wide tables and optimizer figures
    default = build(ROOT / "editions" / "visual-workbook.toml", out_root=tmp_path / "default", formats=("html",))
    reports = []
    for folder, shots in ((built_small.out_dir, tmp_path / "small"), (default.out_dir, tmp_path / "shots")):
        shots.mkdir(exist_ok=True)
        files = [str(folder / f"{name}.html") for name in ("worksheet", "answers", "solutions")]
        run = subprocess.run(["node", str(A11Y / "audit.js"), str(shots), *files], capture_output=True, text=True,
                             check=False, timeout=300, env={**os.environ, "CHROMIUM": CHROMIUM})
        assert run.returncode == 0, run.stderr
        reports += [json.loads(line) for line in run.stdout.splitlines()]
    assert len(reports) == 6
    for report in reports:
        serious = [v for v in report["violations"] if v["impact"] in ("serious", "critical")]
        assert serious == [], (report["file"], serious)
        assert report["requests"] == []  # offline: nothing fetched from anywhere
        assert report["scrollWidth"] <= 400, report  # no sideways scrolling on a 390-pixel phone
        assert report["verticalScrollBars"] == [], report  # an answer scrolls sideways if it must, never up and down
        # no glyph of math under 7/10 of its formula's size, as in the PDF (mathtex.SMALLEST_SCRIPT): print.css
        # keeps a script inside a script one level down (Chromium drew e^(x^2)'s 2 at 0.65)
        assert report["smallestMath"][0] >= SMALLEST_SCRIPT, report["smallestMath"]
        shot = Path(report["screenshot"])
        assert shot.exists() and shot.stat().st_size > 10_000  # a real page, not a blank one
