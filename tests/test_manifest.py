"""manifest.json's check records, re-verified by a second, minimal implementation (tests/checkers/)."""

from __future__ import annotations

import json

from tests import checkers


def test_manifest_checks_verify_independently(built_small):
    manifest = json.loads((built_small.out_dir / "manifest.json").read_text())
    assert manifest["problems"]
    for problem in manifest["problems"]:
        checkers.verify(problem["claims"])


def test_checkers_reject_a_wrong_record(built_small):
    import pytest

    manifest = json.loads((built_small.out_dir / "manifest.json").read_text())
    check = dict(manifest["problems"][0]["claims"])
    check["answer"] = f"({check['answer']}) + 1"
    with pytest.raises(AssertionError):
        checkers.verify(check)
