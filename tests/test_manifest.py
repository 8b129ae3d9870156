"""manifest.json's check records, re-verified by a second, minimal implementation.

This is what an outside program would do with plain SymPy: read the strings with sympify
(our own output, not bank text), differentiate, and compare at a few points.
"""

from __future__ import annotations

import json
import random

import sympy as sp


def verify_check(check: dict) -> None:
    assert check["type"] == "derivative"
    x = sp.Symbol(check["variable"], real=True)
    names = {check["variable"]: x}
    f = sp.sympify(check["function"], locals=names)
    answer = sp.sympify(check["answer"], locals=names)
    truth = sp.diff(f, x, check["order"])
    rng = random.Random(0)
    agreed = 0
    for _ in range(40):
        x0 = sp.Rational(rng.randint(-300, 300), 100)
        a, b = (sp.N(e.subs(x, x0), 20) for e in (answer, truth))
        if a.is_real and b.is_real and a.is_finite and b.is_finite:
            assert abs(a - b) <= 1e-12 * max(1, abs(b)), (check, x0)
            agreed += 1
    assert agreed >= 5, check
    if "value" in check:
        at, value = sp.sympify(check["at"]), sp.sympify(check["value"])
        assert abs(sp.N(truth.subs(x, at) - value, 20)) < 1e-12, check
    if "tangent" in check:
        line = sp.sympify(check["tangent"], locals=names)
        at = sp.sympify(check["at"])
        assert abs(sp.N(line.subs(x, at) - f.subs(x, at), 20)) < 1e-12
        assert abs(sp.N(sp.diff(line, x) - truth.subs(x, at), 20)) < 1e-12


def test_manifest_checks_verify_with_plain_sympy(built_small):
    manifest = json.loads((built_small.out_dir / "manifest.json").read_text())
    assert manifest["problems"]
    for problem in manifest["problems"]:
        verify_check(problem["check"])


def test_default_bank_checks_verify_with_plain_sympy():
    from workbook.bank import load_bank
    from workbook.generate import generate_slot

    for family in load_bank().values():
        for seed in range(3):
            verify_check(generate_slot(family, seed, "manifest-test")["check"])
