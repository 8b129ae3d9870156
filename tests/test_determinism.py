"""Same edition + same seed = the same files, byte for byte, across processes, hash seeds, time zones,
locales and numbers of worker processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from workbook.bank import load_bank
from workbook.generate import generate_slot


def _build(edition, out, hashseed, tz="UTC", **extra):
    env = {**os.environ, "PYTHONHASHSEED": str(hashseed), "TZ": tz, **extra}
    env.pop("SOURCE_DATE_EPOCH", None)
    code = "import sys; from workbook.cli import main; sys.exit(main())"
    subprocess.run([sys.executable, "-c", code, "build", str(edition), "--out", str(out), "-q"],
                   env=env, check=True, capture_output=True, text=True)
    folder = out / "test-sheet"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_byte_identical_across_processes(tmp_path, small_edition):
    a = _build(small_edition, tmp_path / "a", 1)
    b = _build(small_edition, tmp_path / "b", 4242, tz="America/New_York", LC_ALL="de_DE.UTF-8", LANG="tr_TR.UTF-8",
               WORKBOOK_JOBS="1")
    assert sorted(a) == sorted(b)
    assert any(name.endswith(".pdf") for name in a) and any(name.endswith(".svg") or name.endswith(".html") for name in a)
    for name in a:
        assert a[name] == b[name], name


def test_a_problem_alone_equals_the_same_problem_in_the_edition(built_small):
    manifest = json.loads((built_small.out_dir / "manifest.json").read_text())
    bank = load_bank()
    for p in manifest["problems"]:
        alone = generate_slot(bank[p["family"]], manifest["edition"]["seed"], p["slot"])
        assert alone["seed"] == p["seed"] and alone["check"] == p["check"]


def test_reordering_or_adding_a_section_leaves_the_other_problems_unchanged():
    from workbook.build import generate_documents
    from workbook.edition import Edition, pick_families
    from workbook.workers import Pool

    bank = load_bank()
    warm = {"title": "Warm-up", "families": ["power-polynomial", "chain-two-levels"], "count": 3}
    tangents = {"title": "Tangents", "families": ["tangent-line", "derivative-at-point"], "count": 2}
    extra = {"title": "Gradients", "topic": "gradients", "count": 3}

    def problems(sections):
        edition = Edition.model_validate({"title": "T", "seed": 11, "sections": sections})
        with Pool(2) as pool:
            docs = generate_documents(edition, pick_families(edition, bank), bank, [("", "", "")], pool=pool)
        return {s["title"]: [(p["seed"], p["answer"]) for p in s["problems"]] for s in docs[""]["sections"]}

    before = problems([warm, tangents])
    after = problems([extra, tangents, warm])
    assert after["Warm-up"] == before["Warm-up"] and after["Tangents"] == before["Tangents"]
