"""The one table of functions: what the parser reads, the step engine's chain rule and the verifier's
methods all come from it, and each derivative in it is SymPy's own."""

from __future__ import annotations

import pytest
import sympy as sp

from workbook import expr as E
from workbook import functions, steps, verify

x = sp.Symbol("x", real=True)


OUTSIDE_ONE = {"acosh", "asec", "acsc", "acoth"}  # defined for |u| > 1 only
DISTRIBUTIONS = {"Abs", "sign", "Heaviside", "DiracDelta", "relu"}  # compared away from 0 by test_steps


@pytest.mark.parametrize("entry", [e for e in functions.TABLE if e.outer is not None and e.names[0] not in
                                   DISTRIBUTIONS], ids=lambda e: e.names[0])
def test_each_outer_derivative_in_the_table_is_sympys(entry):
    t = sp.Symbol("t", real=True)
    truth = sp.diff(entry.cls(t), t)
    for value in ((1.5, 2.5) if entry.names[0] in OUTSIDE_ONE else (0.3, 0.6)):
        ours, theirs = complex(sp.N(entry.outer(sp.Float(value)))), complex(sp.N(truth.subs(t, value)))
        assert abs(ours - theirs) <= 1e-12 * max(1.0, abs(theirs)), (entry.names, value, ours, theirs)


def test_every_spelling_parses_to_its_function():
    for entry in functions.TABLE:
        for name in entry.names:
            args = ", ".join(["x"] * entry.arity[0])
            parsed = E.parse(f"{name}({args})", variables={"x"})
            assert parsed.has(x) or parsed.is_number, name


def test_the_chain_rule_goes_through_every_function_with_a_rule():
    for entry in functions.TABLE:
        if entry.outer is None or entry.arity[0] > 1:
            continue
        f = entry.make(x**2 + 2 if entry.names[0] in OUTSIDE_ONE else x / 5 + sp.Rational(1, 10))
        if not f.has(x) or f.func is not entry.cls:
            continue
        _, answer = steps.differentiate(f, x, 1)
        steps.check_against_sympy(f, x, 1, answer)


def test_the_verifier_knows_which_functions_have_kinks():
    assert sp.Abs in functions.NOT_COMPLEX_STEP and sp.Max in functions.NOT_COMPLEX_STEP
    assert sp.sin not in functions.NOT_COMPLEX_STEP
    check = verify.check_derivative(sp.Abs(x - 7), x, 1, sp.sign(x - 7))
    assert check.method == "central-difference"
