"""Same edition + same seed = the same files, byte for byte, across processes, hash seeds, time zones,
locales and numbers of worker processes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

from workbook.bank import load_bank
from workbook.generate import REDRAW, generate_one
from workbook.problem import Degenerate
from workbook.scheduler import DrawCache, generate_slot
from workbook.workers import Outcome


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
    assert any(name.endswith(".pdf") for name in a) and any(name.endswith((".svg", ".html")) for name in a)
    for name in a:
        assert a[name] == b[name], name


def test_a_problem_alone_equals_the_same_problem_in_the_edition(built_small):
    manifest = json.loads((built_small.out_dir / "manifest.json").read_text())
    bank = load_bank()
    for p in manifest["problems"]:
        alone = generate_slot(bank[p["family"]], manifest["edition"]["seed"], p["slot"])
        assert alone["seed"] == p["seed"] and alone["claims"] == p["claims"]


def test_reordering_or_adding_a_section_leaves_the_other_problems_unchanged():
    from workbook.areas import Copy
    from workbook.documents import generate_documents
    from workbook.edition import Edition, pick_families
    from workbook.workers import Pool

    bank = load_bank()
    warm = {"title": "Warm-up", "families": ["power-polynomial", "chain-two-levels"], "count": 3}
    tangents = {"title": "Tangents", "families": ["tangent-line", "derivative-at-point"], "count": 2}
    extra = {"title": "Gradients", "topic": "gradients", "count": 3}

    def problems(sections):
        edition = Edition.model_validate({"title": "T", "seed": 11, "sections": sections})
        with Pool(2) as pool:
            docs = generate_documents(edition, pick_families(edition, bank), bank, [Copy("", "")], pool=pool)
        return {s["title"]: [(p["seed"], p["answer"]) for p in s["problems"]] for s in docs[""]["sections"]}

    before = problems([warm, tangents])
    after = problems([extra, tangents, warm])
    assert after["Warm-up"] == before["Warm-up"] and after["Tangents"] == before["Tangents"]


def test_problems_read_back_from_the_draw_cache_give_the_same_files(tmp_path, small_edition):
    first = _build(small_edition, tmp_path, 1)
    draws = tmp_path / ".cache" / "draws"
    kept = {p.name: p.stat().st_mtime_ns for p in draws.iterdir()}
    assert kept  # every draw, sound or redrawn, is kept
    shutil.rmtree(tmp_path / "test-sheet")
    (tmp_path / ".cache" / "math").rename(tmp_path / "math-aside")  # the math is drawn again, the problems not
    assert _build(small_edition, tmp_path, 2) == first
    assert {p.name: p.stat().st_mtime_ns for p in draws.iterdir()} == kept  # nothing drawn again
    damaged = min(draws.iterdir())
    damaged.write_text('{"record": {"seed": 1, "answer": "wrong"}}')  # a damaged or stale file is drawn again
    shutil.rmtree(tmp_path / "test-sheet")
    assert _build(small_edition, tmp_path, 3) == first


def test_the_draw_cache_is_keyed_by_the_family_and_keeps_only_plain_data(tmp_path):
    family = load_bank()["power-polynomial"]
    cache = DrawCache(tmp_path)
    record = generate_one(family, 5)
    cache.put(family, 5, Outcome((0, 0), "ok", value=record))
    assert cache.get((0, 0), family, 5).value == record
    assert cache.get((0, 0), family, 6) is None
    changed = family.model_copy(update={"difficulty": 3})
    assert cache.get((0, 0), changed, 5) is None  # a family edited in its file is drawn afresh
    cache.put(family, 7, Outcome((0, 0), "ok", value={**record, "seed": 7, "pair": (1, 2)}))
    assert cache.get((0, 0), family, 7) is None  # a tuple would come back a list: not kept
    cache.put(family, 8, Outcome((0, 0), "raised", exception=Degenerate("the answer is zero"),
                                 error="Degenerate: the answer is zero"))
    redraw = cache.get((1, 0), family, 8)
    assert redraw.kind == "raised" and isinstance(redraw.exception, REDRAW) and "zero" in redraw.error
    cache.put(family, 9, Outcome((0, 0), "timeout", error="took longer than its 5 s budget"))
    assert cache.get((0, 0), family, 9) is None  # a budget overrun depends on the machine: drawn again
