"""Golden records: one problem of every family at fixed seeds, committed.

A dependency upgrade (or a code change) that changes a problem or an answer fails here until the
change is reviewed and the file regenerated with `WORKBOOK_UPDATE_GOLDEN=1 pytest tests/test_golden.py`.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from workbook.bank import load_bank
from workbook.scheduler import generate_slot

GOLDEN = Path(__file__).resolve().parent / "golden" / "families.json"
SEEDS = (2026, 7)


def current() -> dict:
    out = {}
    for family_id, family in sorted(load_bank().items()):
        out[family_id] = [{"seed": r["seed"], "params": r["params"], "claims": r["claims"]}
                          for r in (generate_slot(family, s, "golden") for s in SEEDS)]
    return json.loads(json.dumps(out))


def test_problems_and_answers_match_the_golden_file():
    now = current()
    if os.environ.get("WORKBOOK_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert sorted(golden) == sorted(now), "families were added or removed: review and regenerate"
    for family_id in golden:
        assert same(golden[family_id], now[family_id]), f"{family_id}: a problem or answer changed"


def same(a, b) -> bool:
    """Equal, except that floats may differ in their last bits: NumPy's sums of products are
    ordered differently on different processors (a network's gradients moved by one unit in the
    last place between two machines). Every other value, and every expression, must be the same."""
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-300)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


def test_a_changed_answer_is_caught_and_the_last_bits_of_a_float_are_not():
    assert same({"x": [0.033611384341269944]}, {"x": [0.03361138434126994]})
    assert not same({"x": [0.0336113843]}, {"x": [0.0336113844]})
    assert not same({"answer": "2*x"}, {"answer": "2*x + 1"})
    assert not same({"a": 1}, {"a": 1.0}) and not same({"a": [1]}, {"a": [1, 2]})
