"""Golden records: one problem of every family at fixed seeds, committed.

A dependency upgrade (or a code change) that changes a problem or an answer fails here until the
change is reviewed and the file regenerated with `WORKBOOK_UPDATE_GOLDEN=1 pytest tests/test_golden.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from workbook.bank import load_bank
from workbook.generate import generate_slot

GOLDEN = Path(__file__).resolve().parent / "golden" / "families.json"
SEEDS = (2026, 7)


def current() -> dict:
    out = {}
    for family_id, family in sorted(load_bank().items()):
        out[family_id] = [{"seed": r["seed"], "params": r["params"], "check": r["check"]}
                          for r in (generate_slot(family, s, "golden") for s in SEEDS)]
    return json.loads(json.dumps(out))


def test_problems_and_answers_match_the_golden_file():
    now = current()
    if os.environ.get("WORKBOOK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(golden) == sorted(now), "families were added or removed: review and regenerate"
    for family_id in golden:
        assert golden[family_id] == now[family_id], f"{family_id}: a problem or answer changed"
