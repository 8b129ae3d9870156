"""The checker must reject wrong answers: a mutation test over problems from every family."""

from __future__ import annotations

import pytest
import sympy as sp

from workbook import expr as E
from workbook import steps, verify
from workbook.bank import load_bank
from workbook.generate import generate_slot

BANK = load_bank()


def plus_one(f, x, ans):
    return ans + 1


def sign_flip(f, x, ans):
    return -ans


def sin_cos_swap(f, x, ans):
    swaps = {a: (sp.cos if a.func == sp.sin else sp.sin)(*a.args) for a in ans.atoms(sp.sin, sp.cos)}
    return ans.xreplace(swaps) if swaps else None


def coefficient_off_by_one(f, x, ans):
    term = sp.Add.make_args(sp.expand(ans))[0]
    _, rest = term.as_coeff_Mul()
    return ans + rest


def missing_chain_factor(f, x, ans):
    """The classic slip: differentiate the outer function and forget the inner derivative."""
    original = steps.ChainRule.eval
    try:
        steps.ChainRule.eval = lambda self: self.outer.result.xreplace({self.u: self.inner_expr})
        tree = steps.derive(f, x)
        if not any(isinstance(r, steps.ChainRule) for _, r in steps.walk(tree)):
            return None
        return tree.result
    finally:
        steps.ChainRule.eval = original


def wrong_function(f, x, ans):
    """The derivative of a different function: the function itself, undifferentiated."""
    return f


MUTATIONS = [plus_one, sign_flip, sin_cos_swap, coefficient_off_by_one, missing_chain_factor, wrong_function]


@pytest.mark.parametrize("mutation", MUTATIONS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("family_id", sorted(BANK))
def test_checker_rejects_wrong_answers(family_id, mutation):
    family = BANK[family_id]
    tried = 0
    for seed in range(6):
        record = generate_slot(family, seed, "mutation-test")
        check = record["check"]
        x = E.symbol(check["variable"])
        f, ans = E.parse(check["function"]), E.parse(check["answer"])
        if check["order"] != 1 and mutation is missing_chain_factor:
            continue
        wrong = mutation(f, x, ans)
        if wrong is None or steps.equal(wrong, ans):
            continue
        tried += 1
        with pytest.raises(verify.VerifyError):
            verify.check_derivative(f, x, check["order"], wrong, domain=family.domain)
        if "value" in check:
            at, value = E.parse(check["at"]), E.parse(check["value"])
            wrong_value = mutation(f, x, value) if mutation is not wrong_function else value + 2
            if wrong_value is not None and wrong_value.is_number and not steps.equal(wrong_value, value):
                with pytest.raises(verify.VerifyError):
                    verify.check_value_at(f, x, check["order"], float(at), float(wrong_value))
    if mutation in (plus_one, sign_flip, wrong_function):
        assert tried > 0, "these mutations apply to every problem"


def test_too_few_points_is_a_failure_not_a_pass():
    x = E.symbol("x")
    f = sp.sqrt(-1 - x**2)  # undefined everywhere on the real line
    with pytest.raises(verify.VerifyError, match="usable points"):
        verify.check_derivative(f, x, 1, sp.diff(f, x))
