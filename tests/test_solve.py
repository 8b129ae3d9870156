"""`workbook solve`: the JSON schema, checkable steps, batch mode, and SymPy's own test cases."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from click.testing import CliRunner

from workbook import expr as E
from workbook import solver, steps
from workbook.cli import main

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "sympy_elementary_derivatives.json"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input)


def assert_steps_are_true(record):
    """Each step claims d/d(variable) expression = derivative: check every claim with sympy.diff."""
    x = E.symbol(record["variable"])
    assert record["steps"], record
    for step in record["steps"]:
        assert set(step) == {"rule", "expression", "derivative", "text"}
        claim, expression = E.parse(step["derivative"]), E.parse(step["expression"])
        assert steps.equal(claim, sp.diff(expression, x)), step


def test_solve_json_schema():
    result = run("solve", "sin(x^2)*exp(x)", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert {"input", "variable", "order", "answer", "steps"} <= set(record)
    x = E.symbol("x")
    assert steps.equal(E.parse(record["answer"]), sp.diff(sp.sin(x**2) * sp.exp(x), x))
    assert record["check"]["status"] == "passed"
    assert_steps_are_true(record)


def test_solve_text_reads_well():
    result = run("solve", "sigmoid(3x + 1)")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "d/dx [sigmoid(3x + 1)] = 3(1 - sigmoid(3x + 1)) sigmoid(3x + 1)"
    assert "Let u = 3 x + 1: the sigmoid rule gives" in result.output
    assert "Linear rule: d/dx [3x + 1] = 3" in result.output
    assert "checked:" in result.output


def test_partial_derivative_and_order():
    result = run("solve", "a*x^3 + sin(a*y)", "--wrt", "a", "--order", "2", "--json")
    record = json.loads(result.output)
    a, y = E.symbol("a"), E.symbol("y")
    assert steps.equal(E.parse(record["answer"]), -y**2 * sp.sin(a * y))
    assert record["order"] == 2
    # the steps of each order follow one another
    assert record["steps"][0]["expression"] == "a*x**3 + sin(a*y)"
    assert any(s["expression"] == record["steps"][0]["derivative"] or "cos" in s["expression"]
               for s in record["steps"][1:])


@pytest.mark.parametrize("bad", ["sin(x", "__import__('os')", "x.real", "2 +* 3", "foo(x)"])
def test_bad_expression_exit_2_on_stderr(bad):
    result = run("solve", bad)
    assert result.exit_code == 2
    assert "error:" in result.stderr
    assert "Traceback" not in result.output + result.stderr


def test_batch_keeps_going(tmp_path):
    lines = [{"input": "x^2", "variable": "x", "order": 1}, {"input": "sin(", "variable": "x", "order": 1},
             {"input": "exp(a*t)", "variable": "t", "order": 2}]
    path = tmp_path / "batch.jsonl"
    path.write_text("\n".join(json.dumps(item) for item in lines) + "\nnot json\n")
    result = run("solve", "--batch", str(path))
    assert result.exit_code == 0
    out = [json.loads(line) for line in result.output.splitlines()]
    assert len(out) == 4
    assert out[0]["answer"] == "2*x" and "error" in out[1] and "error" in out[3]
    assert steps.equal(E.parse(out[2]["answer"]), E.parse("a^2*exp(a*t)"))


def test_a_batch_saved_with_a_byte_order_mark_and_crlf_reads_its_first_line(tmp_path):
    # Windows' Notepad saves UTF-8 with a byte-order mark: the first line was "Unexpected UTF-8 BOM"
    path = tmp_path / "batch.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b'{"input": "x^2"}\r\n{"input": "sin(x)"}\r\n')
    result = run("solve", "--batch", str(path))
    out = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 0 and [o.get("answer") for o in out] == ["2*x", "cos(x)"], out


def _corpus():
    return json.loads(CORPUS.read_text()) if CORPUS.exists() else []


def _in_language(case) -> bool:
    if not isinstance(case.get("var"), str) or not isinstance(case.get("order"), int):
        return False
    try:
        E.parse(case["expr"])
        return True
    except E.ExprError:
        return False


@pytest.mark.skipif(not CORPUS.exists(), reason="shared/corpora is not beside the checkout")
def test_sympy_corpus():
    """Every case of SymPy's own derivative tests whose functions are in our table must be right."""
    cases = [c for c in _corpus() if _in_language(c)]
    assert len(cases) >= 45
    for case in cases:
        result = run("solve", "--wrt", case["var"], "--order", str(case["order"]), "--json", "--", case["expr"])
        assert result.exit_code == 0, (case["id"], result.output)
        record = json.loads(result.output)
        expected = E.parse(case["expected"]) if _parses(case["expected"]) else None
        x = E.symbol(case["var"])
        truth = sp.diff(E.parse(case["expr"]), x, case["order"])
        assert steps.equal(E.parse(record["answer"]), truth), case["id"]
        if expected is not None:
            assert steps.equal(E.parse(record["answer"]), expected), case["id"]
        if case["order"] == 1 and truth != 0:
            assert_steps_are_true(record)


def _parses(text):
    try:
        E.parse(text)
        return True
    except E.ExprError:
        return False


@pytest.mark.skipif(not CORPUS.exists(), reason="shared/corpora is not beside the checkout")
def test_corpus_cases_outside_the_language_fail_cleanly():
    outside = [c for c in _corpus() if isinstance(c.get("var"), str) and not _in_language(c)]
    assert outside  # Piecewise, sinc, atan2 are not in our table
    for case in outside:
        result = run("solve", "--wrt", case["var"], "--", case["expr"])
        assert result.exit_code == 2 and "error:" in result.stderr


def test_mixed_partial_with_wrt_list():
    result = run("solve", "x^2*y^3 + sin(x*y)", "--wrt", "x,y", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    x, y = E.symbol("x"), E.symbol("y")
    f = x**2 * y**3 + sp.sin(x * y)
    assert record["variables"] == ["x", "y"] and record["order"] == 2
    assert steps.equal(E.parse(record["answer"]), sp.diff(f, x, y))
    for step in record["steps"]:  # each step is a checkable claim in its own variable
        v = E.symbol(step["variable"])
        assert steps.equal(E.parse(step["derivative"]), sp.diff(E.parse(step["expression"]), v))
    assert {s["variable"] for s in record["steps"]} == {"x", "y"}


def test_gradient_json_and_text():
    result = run("solve", "x^2*y + a*y", "--gradient", "--json")
    record = json.loads(result.output)
    assert record["input"] == "x^2*y + a*y" and record["variables"] == ["a", "x", "y"]
    a, x, y = E.symbol("a"), E.symbol("x"), E.symbol("y")
    f = x**2 * y + a * y
    for name, d in zip(record["variables"], record["gradient"]):
        assert steps.equal(E.parse(d), sp.diff(f, E.symbol(name)))
    text = run("solve", "x^2*y + a*y", "--gradient", "--wrt", "x,y")
    assert text.exit_code == 0 and text.output.startswith("grad [a y + x^2 y] = (2x y, a + x^2)")
    assert "\u2202/\u2202x, the others held constant:" in text.output and text.output.count("checked:") == 2


def test_an_answer_is_judged_past_the_default_domain_too():
    # the tenth attack: 2x + max(0, x - 3.5) was "right" for x^2's derivative (the check looked at -3..3 only)
    from tests.test_practice_page import SLIVERS

    for typed, right in SLIVERS:
        said, lines = solver.check_answer(solver.solve("x^2"), typed)
        assert said is right, (typed, lines)
    said, lines = solver.check_answer(solver.solve("x^2"), "2x + max(0, x - 3.5)")
    assert "at x = 5.3 your answer gives 12.4, but the derivative is 10.6" in lines[1]
    # a domain the learner gives is where they asked
    assert solver.check_answer(solver.solve("x^2"), "2x + max(0, x - 3.5)", domain=(-3.0, 3.0))[0] is True
    # in several variables, in boxes ten and a hundred times as wide
    x, y, z = sp.symbols("x y z")
    found = solver.apart_in_box(sp.exp(x), sp.exp(x) + sp.Max(0, z - sp.Rational(31, 10)), [x, y, z])
    assert found is not None and found[0][z] > 3.1
    assert solver.apart_in_box(sp.exp(x), sp.exp(x) + sp.Max(0, z - sp.Rational(31, 10)), [x, y, z], far=False) is None
    # however far out (the fourteenth attack): a piece that switches at y = 1000, or where y - x^2 = 10^5
    for typed in ("2x y + relu(y - 1000)", "2x y + Heaviside(y + 10^6)", "x y + y x + relu(y - x^2 - 10^5)",
                  "2x y + min(x, 10^9) - x", "2x y + relu(x - 10^20)", "2x y + relu(|x| - 1000)"):
        assert solver.check_answer(solver.solve("x^2 y", wrt="x"), typed)[0] is False, typed
    assert solver.check_answer(solver.solve("x^2 y", wrt="x"), "2x y + relu(y - 1000) - max(0, y - 1000)")[0] is True
    # attack53 F7: or where every name is far out at once, each past its own switch or on a diagonal
    for function, typed in (("x^2 y", "2x y + relu(x - 301) relu(y - 301)"),
                            ("x^2 y", "2x y + Heaviside(x - 400) Heaviside(y - 400)"),
                            ("x^2 y", "2x y + relu(x - 5000) relu(-y - 5000)"), ("x^2 y", "2x y + relu(min(x, y) - 1000)"),
                            ("x^2 y", "2x y + max(0, min(x, y) - 1000)"), ("x^2 + y z", "2x + relu(y - 301) relu(z - 301)"),
                            ("x^3 y^2", "3x^2 y^2 + relu(x - 10^8) relu(y - 10^8)"),
                            # attack54 F4-F7: a switch of degree 5, or of e^x, with another name inside a window; a
                            # ring of degree 6; a point far out where a square touches 0; every pattern of five names'
                            # signs, where NumPy could not weigh the answer at all
                            ("x^2 y", "2x y + Heaviside(x^5 - 10^15) Heaviside(1 - y^2)"),
                            ("x^2 y", "2x y + Heaviside(exp(x) - exp(1000)) Heaviside(1 - y^2)"),
                            ("x^2 y z", "2x y z + Heaviside(x^5 - 10^15) Heaviside(1/4 - (y-2)^2) Heaviside(1/4-(z+2)^2)"),
                            ("x^2 y", "2x y + relu(x - 10^4) relu(10^4 + 1 - x) relu(1 - y^2)"),
                            ("x^2 y", "2x y + Heaviside((x^2+y^2)^3 - 2000^6) Heaviside(2100^6 - (x^2+y^2)^3)"),
                            ("x^2 y", "2x y + 1 - sign((x - 10000)^2)"),
                            ("x y z w u", ("y z w u + Heaviside(min(x^5 - 10^15, -y^5 - 10^15, z^5 - 10^15, -w^5 - 10^15, "
                                          "u^5 - 10^15))"))):
        ok, lines = solver.check_answer(solver.solve(function, wrt="x"), typed)
        assert ok is False and " = " in lines[1], (typed, lines)
    for function, typed in (("x^2 y", "2 y x"), ("x^2 y + exp(x y)", "2x y + y exp(x y)"),
                            ("sqrt(x^2 + y^2)", "x/sqrt(x^2 + y^2)"), ("ln(x y)", "1/x"), ("max(x, y)", "Heaviside(x - y)"),
                            ("x^3 y^2", "3x^2 y^2 + relu(min(x, y) - 10^12) - relu(min(y, x) - 10^12)")):
        assert solver.check_answer(solver.solve(function, wrt="x"), typed)[0] is True, typed
    # where the derivative is too large for a double to see a difference of 1 (the fifteenth attack's D10)
    for function, typed in (("exp(x)", "exp(x) + Heaviside(x - 40)"), ("x^5", "5x^4 + Heaviside(x - 500)"),
                            ("x^3", "3x^2 + relu(x - 10^10)")):
        assert solver.check_answer(solver.solve(function), typed)[0] is False, typed
    assert solver.check_answer(solver.solve("exp(x)"), "exp(x)")[0] is True


def test_an_answer_undefined_where_the_derivative_is_defined_is_not_right():
    # as the practice page judges: (2x^(3/2) + 2x^2)/(sqrt(x) + x) is 2x only for x > 0
    said, lines = solver.check_answer(solver.solve("x^2"), "2*(x^2 + x*sqrt(x))/(x + sqrt(x))")
    assert said is False and "your answer is undefined" in lines[1], lines
    assert solver.check_answer(solver.solve("ln(x)"), "x^(-1)")[0] is True  # ln is not defined for x < 0 either


# round eleven: answers with another value at one point, or no value at all in another name, were right to
# `solve --check` (and `show --try`); and a term real for no value of a name was a RecursionError
HOLES = [("2x^2", "4x + sign(x)^2 - 1", "at x = 0 your answer gives -1, but the derivative is 0"),
         ("x^2", "2x + Heaviside(x - 1/2, 1) - Heaviside(x - 1/2, 0)", "at x = 0.5 your answer gives 2, but"),
         ("a*x^2", "2a x + 0*ln(-a^2-1)", "your answer is undefined"),
         ("x^2*y", "2x y + ln(y) - ln(y)", "your answer is undefined"),
         # round twelve: another value, or a spike, at points SymPy's solver does not list
         ("x^2", "2x + sign(sin(10^8 x))^2 - 1", "at x = 0 your answer gives -1"),
         ("x^2", "2x + Heaviside(sin(10^6 x)) - Heaviside(sin(10^6 x))^2", "at x = 0 your answer gives 0.25"),
         ("x^2", "2x + 0^((x - sqrt(2))^2)", "at x = 1.41421"), ("x^2", "2x + (x - x)^(x^2)", "at x = 0"),
         ("x", "1 + 5 DiracDelta(x - 1/3)", "your answer is undefined"),
         # round thirteen: points no float reaches, found exactly (pi, ln 2, pi/2 and cos(10^7 x)'s)
         ("x^2", "2x + sign(x - pi)^2 - 1", "at x = 3.14159 your answer gives"),
         ("x^2", "2x + sign(exp(x) - 2)^2 - 1", "at x = 0.693147 your answer gives"),
         ("x^2", "2x + sign(cos(x))^2 - 1", "at x = -1.5708 your answer gives"),
         ("x^2", "2x + sign(cos(10^7 x))^2 - 1", "your answer gives -1")]


@pytest.mark.parametrize("function, typed, said", HOLES)
def test_an_answer_with_a_hole_the_derivative_has_not_is_not_right(function, typed, said):
    wrt = "x"
    right, lines = solver.check_answer(solver.solve(function, wrt=wrt), typed)
    assert right is False and said in lines[1], lines


def test_the_point_a_wrong_answer_is_shown_at_is_the_same_in_every_process():
    # stop 42's CI: sign(cos(x))^2 is wrong at -pi/2 and at pi/2, the same distance from 0, and which one was said
    # followed the order of a set of SymPy numbers, which changes with PYTHONHASHSEED from one process to the next
    import os
    import subprocess
    import sys
    script = ("from workbook import solver; print(solver.check_answer(solver.solve('x^2'), "
              "'2x + sign(cos(x))^2 - 1')[1][1]); print(solver.check_answer(solver.solve('x^2'), "
              "'2x + sign(sin(3x))^2 - 1')[1][1])")
    said = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                           check=True, env={**os.environ, "PYTHONHASHSEED": str(seed)}).stdout
            for seed in range(4)}
    assert len(said) == 1 and "-1.5708" in next(iter(said)), said


@pytest.mark.parametrize("function, typed", [("|x|", "sign(x)"), ("|x|", "x/|x|"), ("x|x|", "2|x|"),
                                             ("ln(x)", "1/x"), ("relu(x)", "Heaviside(x)"), ("x^2", "2x"),
                                             # undefined at a point alone: right, on the page too
                                             ("x^2", "2x^2/x"), ("2x^2", "4x(x-1)/(x-1)"),
                                             ("2x^2", "4x + ln(|x-1|) - ln(|x-1|)"), ("x^2", "2x + (x-1/2)/(x-1/2) - 1"),
                                             ("|x - pi|", "sign(x - pi)"), ("|cos(x)|", "-sin(x) sign(cos(x))"),
                                             ("|sin(3x)|", "3cos(3x) sign(sin(3x))")])
def test_a_right_answer_with_a_corner_of_its_own_stays_right(function, typed):
    assert solver.check_answer(solver.solve(function), typed)[0] is True


def test_a_function_real_for_no_value_of_a_name_is_said_so_not_called_an_internal_error():
    result = run("solve", "x^2 + ln(-a^2-1)")
    assert result.exit_code == 0 and "internal error" not in result.output, result.output
    assert "no real value in the domain for any value of a tried" in result.output


def test_a_counterexample_shows_the_two_values_apart():
    # "at x = 1 your answer gives 2, but the derivative is 2": both rounded to 6 significant figures
    said, lines = solver.check_answer(solver.solve("x^2"), "2.0000001x")
    assert said is False and "gives 2.0000001, but the derivative is 2" in lines[1], lines


def test_json_claims_can_be_read_back_whatever_the_names():
    # the tenth attack: N, S, Q and I are SymPy's own functions and constants to sympify, so the claims of
    # "N^2 + x S" could not be checked as the README said; the record now lists its names
    result = CliRunner().invoke(main, ["solve", "N^2 + x*S + Q*x^2", "--json"])
    record = json.loads(result.output)
    assert record["names"] == ["N", "Q", "S", "x"]
    names = {n: sp.Symbol(n) for n in record["names"]}
    x = names[record["variable"]]
    for step in record["steps"]:
        claimed = sp.sympify(step["expression"], locals=names), sp.sympify(step["derivative"], locals=names)
        assert sp.simplify(sp.diff(claimed[0], x) - claimed[1]) == 0, step


@pytest.mark.parametrize("typed, right", [("-6x^2 + 3y^2 + 0*sqrt(-1-x^2-y^2), 6x y", False),
                                          ("-6x^2 + 3y^2 + ln(y) - ln(y), 6x y", False),
                                          ("-6x^2 + 3y^2, 6x y", True), ("3y^2 - 6x^2, 6y x", True)])
def test_partials_as_typed_are_judged_where_they_have_a_value(typed, right):
    # round eleven: show --try called partials right that have no real value anywhere, or none for y <= 0
    from workbook import judge

    want = judge._expressions("f", ["x", "y"], ["-6*x**2 + 3*y**2", "6*x*y"], ["∂f/∂x", "∂f/∂y"])
    said, lines = judge.judge(want, typed)
    assert said is right, lines
    if not right:
        assert "undefined, as typed" in lines[1], lines


@pytest.mark.parametrize("function", ["x sin(x)/x", "x^2/x", "x/x + x", "|x|^3/x", "sin(x)/x"])
def test_a_function_undefined_at_the_point_as_typed_has_no_derivative_there(function):
    # round twelve: SymPy cancels x^2/x to x as it reads it, and solve gave d/dx [x] = 1 at 0 (and --check 1
    # called it right), though x^2/x has no value at 0, as sin(x)/x has none
    result = run("solve", function, "--at", "0")
    assert result.exit_code == 2 and "is not defined at x = 0" in result.output, result.output
    assert run("solve", function, "--at", "1").exit_code == 0


@pytest.mark.parametrize("function", ["|x|^(3/2)", "x^2 + |x|^(3/2)", "|x|^(4/3)"])
def test_a_derivative_that_exists_at_a_corner_of_abs_is_given(function):
    # round twelve: |x|^(3/2)'s derivative at 0 "does not exist: from the left it is nan": SymPy writes the left
    # piece's derivative as 3(-x)^(3/2)/(2x), 0/0 at 0; its limit is 0, as from the right
    result = run("solve", function, "--at", "0")
    assert result.exit_code == 0 and "= 0" in result.output.splitlines()[-1], result.output
    assert run("solve", function, "--at", "0", "--check", "0").exit_code == 0
    assert "does not exist" in run("solve", "|x|^(1/2)", "--at", "0").output


@pytest.mark.parametrize("function, at, slope", [("abs(x)", "10^-16", "1"), ("abs(x)", "-10^-16", "-1"),
                                                  ("abs(x - 1/3)", "1/3 + 10^-17", "1"), ("max(x, 2x)", "10^-20", "2"),
                                                  ("abs(x - pi)", "pi - 10^-30", "-1"), ("relu(x - 1)", "1 + 10^-18", "1")])
def test_an_exact_point_beside_a_corner_is_not_on_it(function, at, slope):
    # at x = 10^-16 |x|' "does not exist: from the left it is -1, from the right 1" (attack29): a kink's argument
    # within 10^-15 counted as zero. At an exact point its sign is now worked out exactly
    result = run("solve", function, "--at", at)
    assert result.exit_code == 0 and result.output.splitlines()[-1].endswith(f"= {slope}"), result.output
    assert run("solve", function, "--at", at, "--check", slope).exit_code == 0
    assert "does not exist" in run("solve", function, "--at", at.split(" ")[0] if " " in at else "0").output


@pytest.mark.parametrize("function, typed", [("ln(x^2 - 1)", "1/(x - 1) + 1/(x + 1)"),
                                             ("x/(x^2 - 1)", "-1/(2(x - 1)^2) - 1/(2(x + 1)^2)"),
                                             ("asin(x)", "1/(sqrt(1 - x) sqrt(1 + x))"),
                                             ("sqrt(x - 1)", "sqrt(x - 1)/(2(x - 1))")])
def test_a_right_answer_is_not_compared_at_its_pole(function, typed):
    # 1/(x - 1) + 1/(x + 1) was "not right" for ln(x^2 - 1)': at x = 1 it "gave 3.1e113, but the derivative is
    # 2.6e148", each worked in decimals at a pole (attack30)
    result = run("solve", function, "--check", typed)
    assert result.exit_code == 0 and result.output.startswith("right"), result.output
    assert run("solve", function, "--check", typed + " + 10^-9").exit_code == 1


@pytest.mark.parametrize("typed", ["2x + 0^((x - cos(x))^2)", "2x + sign((x - cos(x))^2) - 1",
                                   "2x + Heaviside(-(x - cos(x))^2)", "2x + 1 - Heaviside((x - cos(x))^2)",
                                   "2x + sign(|x - cos(x)|) - 1"])
def test_a_step_at_a_root_its_argument_only_touches_is_found(typed):
    # (x - cos x)^2 is 0 at the root of x = cos x and changes sign nowhere: a step of it, off at that point
    # alone, was judged right for x^2's derivative (attack30)
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and "0.739085" in result.output, result.output


def test_a_constant_arccot_and_a_domain_beside_a_branch_point_are_worked():
    # acot(0) in a right answer stopped the judge with SymPy's "PrintMethodNotImplementedError" (NumPy was asked
    # for atan(zoo)), and a --domain 0..10^-20 called sqrt's own right derivative wrong, its complex step of 1e-20
    # larger than the points it measured at (attack30)
    assert run("solve", "x", "--check", "1 + acot(0) - pi/2").exit_code == 0
    assert run("solve", "x", "--check", "1 + acot(0)").exit_code == 1
    result = run("solve", "sqrt(x)", "--domain", "0..10^-8")
    assert result.exit_code == 0 and "agrees with sympy.diff" in result.output, result.output
    assert run("solve", "sqrt(x)", "--check", "1/(2 sqrt(x))", "--domain", "0..10^-8").exit_code == 0
    for domain in ("0..10^-20", "0..10^-200", "0..10^-50"):  # narrower than 10^-9: refused, one line (attack59 F3: on
        # 0..10^-50, 1 was right for sin's derivative, and on 0..10^-20, 1 - x^2/2 was)
        for check in ([], ["--check", "1"], ["--check", "1 - x^2/2"]):
            result = run("solve", "sin(x)", "--domain", domain, *check)
            assert result.exit_code == 2 and "too narrow to check on" in result.output, result.output


@pytest.mark.parametrize("typed", ["2x + 10^(-10^6 (x - 0.3)^2)", "2x + 2^(-10^6 (x - 0.3)^2)",
                                   "2x + e^(-(x - 0.3)^2 * 10^6 ln(10))"])
def test_a_bump_written_with_another_base_is_judged_within_the_budget(typed):
    # judged not right, then the advice (is it a constant factor off?) put 7/10 into 10^(-10^6 (x - 0.3)^2) exactly,
    # a fraction of 160 000 digits, and the check ran out of its 10 s budget, exit 2 (attack29, attack30)
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and "not right" in result.output and "budget" not in result.output, result.output


def test_a_difference_past_a_doubles_range_is_not_said_to_be_minus_zero():
    # "it differs from the derivative by about -0: too little to see in decimals, but not 0" (attack30)
    result = run("solve", "x^2", "--check", "2x + e^(x - 10^6)")
    assert result.exit_code == 1 and "about -0" not in result.output
    # where its exponent is 0, a point of the far grid itself, it is seen at full size (attack33 F2's fix)
    assert "at x = 1e+06 your answer gives 2000001, but the derivative is 2000000" in result.output, result.output


def test_a_partial_that_does_not_exist_is_said_so_not_an_internal_error():
    # x y |x - y|'s mixed partial holds a δ across x = y: said as an internal error of the worked answer (attack30)
    result = run("solve", "x y abs(x - y)", "--wrt", "x,y")
    assert result.exit_code == 2 and "internal error" not in result.output
    assert "where this partial does not exist" in result.output, result.output


@pytest.mark.parametrize("wrt, said", [(",".join(f"v{i}" for i in range(25)), "at most 20 derivatives at once"),
                                       ("x,y,x", "'x' twice")])
def test_a_gradient_takes_at_most_twenty_names_each_once(wrt, said):
    # --gradient took 5000 names (5000 partials, a megabyte of output) and x three thousand times (attack23's D7)
    result = run("solve", "sin(x)*exp(y^2)", "--wrt", wrt, "--gradient")
    assert result.exit_code == 2 and said in result.output and "Traceback" not in result.output, result.output


def test_two_names_that_print_alike_are_refused():
    # x1 and x_1 both print x₁: the rule was stated for the variable held constant (attack24's D3)
    result = run("solve", "x1^3 + x_1", "--wrt", "x1")
    assert result.exit_code == 2 and "print alike" in result.output, result.output


@pytest.mark.parametrize("text", ["relu(x^2 - 2)", "abs(x^2 - 2)", "max(x^2, 2)", "abs(x^3 - 3*x)", "relu(x)^0.5",
                                  "sqrt(relu(x)) + 5*x", "relu(x^2 - 3) + x", "x*relu(x^2 - 2)", "relu(x)^(3/2)"])
def test_a_derivative_in_pieces_is_right_on_every_piece(text):
    # d/dx relu(x² − 2) was headlined 0 (the rational roots alone were switching points), |x³ − 3x|'s had the
    # wrong sign past ±√3, and sqrt(relu(x)) printed "nan if x < 0", each marked checked (attack25). The headline's
    # pieces, read back from the terminal's own text, against a difference quotient of f, in each piece
    import numpy as np

    from workbook import school

    x = E.symbol("x")
    f = E.parse(text)
    result = run("solve", text)
    assert result.exit_code == 0, result.output
    headline = result.output.splitlines()[0]
    assert "nan" not in headline.lower() and "heaviside" not in headline.lower(), headline
    found = school.derivative_pieces(f, x, 1)
    assert found is not None, text
    pieces, _ = found
    fn = sp.lambdify(x, f, modules=[{"relu": lambda v: np.maximum(v, 0)}, "numpy"])
    for lo, hi, branch in pieces:
        a = float(lo) if lo is not None else (float(hi) - 3 if hi is not None else -3.0)
        b = float(hi) if hi is not None else a + 6
        for t in np.linspace(a, b, 7)[1:-1]:
            h = 1e-6
            slope = (fn(t + h) - fn(t - h)) / (2 * h)
            assert abs(float(branch.subs(x, t)) - slope) < 1e-4 * max(1, abs(slope)), (text, lo, hi, branch, t)
        assert school.text(branch) in headline or len(pieces) == 1, (school.text(branch), headline)


@pytest.mark.parametrize("text, exists", [("abs(x)", False), ("relu(x)", False), ("relu(x)^3", True), ("x^3", True)])
def test_a_second_derivative_at_a_corner_exists_only_where_the_first_does(text, exists):
    # d²/dx² |x| at 0 was given as 0, though |x|' jumps from -1 to 1 there (attack25)
    result = run("solve", text, "--order", "2", "--at", "0")
    last = result.output.strip().splitlines()[-1]
    assert ("does not exist" not in last) == exists, result.output
    if not exists:
        assert "order 1 jumps there" in last


@pytest.mark.parametrize("text", ["relu(x)*log(x)", "relu(x)*sqrt(x)", "sqrt(x)^2"])
def test_a_derivative_where_a_part_of_the_function_has_no_real_value_is_refused(text):
    # relu(x) ln(x) at -1 is 0·iπ, which SymPy calls 0: its derivative was given as 0 (attack25)
    result = run("solve", text, "--at", "-1")
    assert result.exit_code == 2 and "not defined at x = -1" in result.output, result.output


@pytest.mark.parametrize("text, own, around", [("sign(x)^2", "0", "1"), ("x^2 + sign(x)^2", "0", "1"),
                                               ("Heaviside(x)*Heaviside(-x)", "1/4", "0"), ("sign(x^2)", "0", "1")])
def test_a_function_whose_value_at_a_point_is_not_its_neighbours_has_no_derivative_there(text, own, around):
    # sign(x)² is 0 at 0 and 1 on either side: its derivative there was given as 0, "checked", and --check 0 was
    # "right" (attack26). The headline says it is undefined there, and --at says why, measured at the point itself
    headline = run("solve", text).output.splitlines()[0]
    assert headline.endswith("undefined at x = 0"), headline
    result = run("solve", text, "--at", "0")
    last = result.output.strip().splitlines()[-1]
    assert "does not exist" in last and f"the function is {own} there, but {around} on either side" in last, last
    assert run("solve", text, "--at", "0", "--check", "0").exit_code != 0
    assert "does not exist" not in run("solve", text, "--at", "1").output  # away from it, as before


def test_a_partial_across_a_jump_of_the_function_is_said_not_to_exist():
    # x² sign(y)² at (1, 0): f(1, y) is 1 for y ≠ 0 and 0 at y = 0; the gradient was given as (0, 0) (attack26)
    result = run("solve", "x^2*sign(y)^2", "--gradient", "--at", "1,0")
    assert result.exit_code == 2 and "∂/∂y at (1, 0) does not exist" in result.output, result.output
    assert "grad = (2, 0)" in run("solve", "x^2*sign(y)^2", "--gradient", "--at", "1,1").output


@pytest.mark.parametrize("typed", [
    "2x + sin(99730000 pi x)",  # 0 at every point whose denominator divides 10^4 * 9973
    "2x + 10^8 relu(10^-8 - (x^3 - 0.7)^2)",  # positive on a stretch 10^-4 wide, between two grid points
    "2x + 10^10 relu(10^-10 - (sin(x) - 1/2)^2)",
    "2x + 10^8 relu(10^-8 - (x^5 + x - 1)^2)",
])
def test_an_answer_off_on_a_stretch_between_every_point_compared_is_not_right(typed):
    # each was judged "right" for x^2's derivative (attack26): points that are no fraction, and the highest point
    # of a switch's argument between two grid points, are compared too
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and result.output.startswith("not right"), result.output


@pytest.mark.parametrize("typed", ["2x + relu(exp(x/100) - exp(20))", "2x + relu(sqrt(x^2+1) - 2000)",
                                   "2x + Heaviside(ln(x^2+1) - 20)"])
def test_an_answer_off_only_past_a_far_corner_of_any_argument_is_not_right(typed):
    # right for x^2's 2x (attack26): their corners (2000, ±2000, ±22026) are past ±1000 and their arguments
    # no polynomial, so no exact zero was looked for; a grid in log |x| out to 10^9 finds them
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and result.output.startswith("not right"), result.output
    assert run("solve", "x^2", "--check", "2x + relu(-x^2 - 1)").exit_code == 0  # a switch that never switches


def test_an_odd_root_of_a_negative_number_says_which_root_is_taken_and_how_to_write_the_real_one():
    # x^(1/3) at -8 was "not defined (for real numbers)", where a learner knows the cube root of -8 is -2 (attack26)
    said = run("solve", "x^(1/3)", "--at", "-8").output
    assert "taken for a base of 0 or more only" in said and "sign(x) |x|^(1/3)" in said, said
    assert run("solve", "sign(x)*abs(x)^(1/3)", "--at", "-8").output.strip().endswith("= 1/12 = 0.08333333333")
    assert "for real numbers" in run("solve", "sqrt(x)", "--at", "-1").output  # no real square root there at all


def test_solve_reads_back_the_answer_it_prints_with_a_root_of_a_number():
    # (2x)^0.0123 printed 2^0.0123*0.0123/x^0.9877, and --check of that very answer said "number too large" (attack26)
    printed = run("solve", "(2x)^0.0123").output.splitlines()[0].split(" = ", 1)[1]
    result = run("solve", "(2x)^0.0123", "--check", printed)
    assert result.exit_code == 0 and result.output.startswith("right"), result.output
    assert "round the exponent to 4 decimals" in run("solve", "2^0.00001 x").output


def test_a_right_answer_with_a_power_of_its_variable_is_judged_within_the_budget():
    # x^x at 28572/9973 made SymPy seek an exact 9973rd root, past the 10 s budget, for a right answer (attack27)
    result = run("solve", "x^x", "--check", "e^(x ln(x))(ln(x) + 1)")
    assert result.exit_code == 0 and result.output.startswith("right"), result.output


@pytest.mark.parametrize("typed", ["2x + ln(x+5) - ln(x+5)", "2x + 0 sqrt(100 - x^2)", "2x + 0 ln(x + 1000)"])
def test_an_answer_with_no_value_past_the_default_domain_is_not_right(typed):
    # each was right for x^2's 2x: the as-typed check looked only at -3..3, which stands for everywhere (attack27)
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and "undefined" in result.output, result.output


@pytest.mark.parametrize("args, said", [
    (["relu(x)*ln(x) + y", "--at", "-1"], "is not defined at x = -1"),  # was 0: the checks ran for x alone
    (["x^2*y/x", "--at", "0"], "is not defined at x = 0"),  # was y
    (["x^2 + 0*sqrt(-x^2)", "--at", "0"], "none on either side of it"),  # a value at 0 alone, given slope 0
    (["sqrt(x)^3 + sqrt(-x)^3"], "has a real value on no stretch of x"),  # was the engine's own cross-check
    (["sqrt(-x^2)"], "has a real value on no stretch of x"),
])
def test_a_function_without_a_value_around_the_point_has_no_derivative_there(args, said):
    result = run("solve", *args)
    assert result.exit_code == 2 and said in result.output and "step engine" not in result.output, result.output


@pytest.mark.parametrize("typed", ["2x + x^2 exp(-10^10 (x-0.7771)^2)",  # a bump 10^-5 wide: 0 at every grid point
                                   "2x + sin(x)^2*exp(-10^9*(sin(x) - 0.5)^2)",
                                   "2x + tanh(x-3000) + 1", "2x + sigmoid(x-2500)", "2x + x^2 exp(x-2000)"])
def test_an_answer_off_by_a_smooth_bump_or_far_out_is_not_right(typed):
    # each was right for x^2's 2x (attack27): the judge compares where what each function is taken of turns
    # (a bump's top), and further out (±3000.7, ±30000.3, ±300000.1)
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and result.output.startswith("not right"), result.output


@pytest.mark.parametrize("typed", ["2x + tanh(1000*(x - 0.77)) - tanh(1000*(x - 0.78))",  # a plateau 0.01 wide
                                   "2x + erf(1000*(x - 0.77)) - erf(1000*(x - 0.78))",
                                   "2x + sigmoid(10^6 (x - 0.77)) - sigmoid(10^6 (x - 0.7701))",
                                   "2x + x*sech(10^6 (x - 0.7771))",  # a spike
                                   "2x + x*e^(x - 400000)", "2x + x*tanh(x - 10^7) + x"])  # turned on past 300 000
def test_an_answer_off_by_a_smooth_step_or_spike_or_past_every_fixed_point_is_not_right(typed):
    # each was right for x^2's 2x (attack28): no argument turns, so no point was put where it crosses 0
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and result.output.startswith("not right"), result.output


@pytest.mark.parametrize("function, typed", [("softplus(x)", "1 - sigmoid(-x)"), ("tanh(x)", "4/(e^x + e^(-x))^2"),
                                             ("ln(1 + e^x)", "1 - 1/(1 + e^x)"), ("x^2 + x", "2x + cosh(x)^2 - sinh(x)^2")])
def test_a_right_answer_whose_parts_cancel_far_out_is_right_at_once(function, typed):
    # the first three ran out of their 10 s budget (SymPy raised its precision to 130 000 digits to cancel
    # e^-300000 against 1); the last was "your answer gives inf" (attack28)
    started = time.perf_counter()
    result = run("solve", function, "--check", typed)
    assert result.exit_code == 0 and result.output.startswith("right"), result.output
    assert time.perf_counter() - started < 8


def test_arccot_jumps_at_0_as_the_convention_it_is_printed_in_says():
    # f(-1) = -π/4 is SymPy's arccot, in (-π/2, π/2], which jumps at 0; its derivative there was -1 (attack27)
    result = run("solve", "acot(x)", "--at", "0")
    assert "does not exist" in result.output and "jumps there" in result.output, result.output
    assert run("solve", "acot(x)", "--at", "1").output.strip().endswith("= -1/2 = -0.5")


def test_a_verdict_quotes_the_answers_true_value_and_a_short_excerpt_of_it():
    # "your answer gives 3.32307e+35" for a value of 2.5 (its digits lost to cancellation), under a first line of
    # 400 digits (attack27)
    result = run("solve", "x^2", "--check", "2x + 10^100 (sqrt(x^2 + 10^200) - 10^100)")
    first, second = result.output.splitlines()[:2]
    assert result.exit_code == 1 and len(first) < 200 and "your answer gives 2.5, but the derivative is 2" in second


@pytest.mark.parametrize("typed, said", [("2x + sign(x - cos(x))^2 - 1", "by about -1"),
                                         ("2x + sign(x*exp(x) - 1)^2 - 1", "by about -1"),
                                         ("2x + DiracDelta(x - cos(x))", "infinite (a δ)")])
def test_an_answer_off_at_a_lone_point_no_float_reaches_is_not_right(typed, said):
    # another value only where x = cos x, a root no float is exactly, was judged right for 2x (attack27)
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and said in result.output, result.output


@pytest.mark.parametrize("function, typed", [("abs(x - cos(x))", "sign(x - cos(x))*(1 + sin(x))"),
                                             ("abs(x - cos(x))", "(2*Heaviside(x - cos(x)) - 1)*(1 + sin(x))"),
                                             ("relu(x - cos(x))", "Heaviside(x - cos(x))*(1 + sin(x))")])
def test_a_step_at_the_functions_own_corner_is_a_convention_and_right(function, typed):
    result = run("solve", function, "--check", typed)
    assert result.exit_code == 0 and result.output.startswith("right"), result.output


@pytest.mark.parametrize("function, typed", [("sigmoid(300x)", "300 e^(-300x)/(1 + e^(-300x))^2"),
                                             ("x^2", "2x e^(300 x) e^(-300 x)"),
                                             ("x^2", "2x + e^x (cosh(x)^2 - sinh(x)^2 - 1)"),
                                             ("2^(-100 x^2)", "-200x ln(2)*2^(-100x^2)")])
def test_a_right_answer_whose_parts_overflow_a_double_is_right(function, typed):
    # "undefined, as typed" at x = -2.59 where e^750 overflows a double, and "gives inf" far out (attack29)
    result = run("solve", function, "--check", typed)
    assert result.exit_code == 0 and result.output.startswith("right"), result.output


def test_a_bump_written_with_another_base_is_not_judged_right():
    # x^2 10^(-10^6 (x - 0.7771)^2) was right for 2x's x^2 (attack29): what 10^u is taken of is looked at as e^u's
    # is; at the worst it is stopped at its budget, never called right
    result = run("solve", "x^2", "--check", "2x + x^2*10^(-10^6 (x - 0.7771)^2)")
    assert result.exit_code != 0 and not result.output.startswith("right"), result.output


def test_a_tower_too_tall_to_check_is_one_line_and_exit_2():
    # x^x^x^x^x^x ended on "OverflowError: too many digits in integer", exit 1 (attack28)
    result = run("solve", "x^x^x^x^x^x")
    assert result.exit_code == 2 and "grows too fast to check" in result.output and "OverflowError" not in result.output


@pytest.mark.parametrize("typed", ["2x + x*2^(x - 400000)", "2x + x*2^(-x - 400000)", "2x + x*2^(x/10^6 - 400)"])
def test_a_term_switching_on_far_out_with_another_base_is_not_right(typed):
    # 2^u is looked at as e^u is: where u crosses 0, however far out (attack29)
    result = run("solve", "x^2", "--check", typed)
    assert result.exit_code == 1 and result.output.startswith("not right"), result.output


@pytest.mark.parametrize("typed, right", [
    ("2x + atanh(tanh(x)) - x", True), ("2x + 2 atanh(tanh(x/2)) - x", True), ("2x + atanh(tanh(20x)) - 20x", True),
    ("2x + atanh(2 sigmoid(x) - 1) - x/2", True), ("2x + acoth(coth(x)) - x", True),
    ("2x + acoth(coth(x/3)) - x/3", True), ("2x + atan(x) + atan(1/x) - pi/2*sign(x)", True),
    ("2x + atanh(tanh(x)) - x + 10^(-3)", False), ("2x + ln(x) - ln(x)", False), ("2x + acoth(x) - acoth(x)", False),
    ("2x + atan(1/x)", False)])
def test_an_inverse_rounded_onto_its_edge_or_a_division_by_0_is_no_value_of_the_answer(typed, right):
    # attack38: tanh(3000.7) is 1 in any digits short of 2600, and atanh(1) infinite: "your answer gives inf" for a
    # right answer; atan(1/x) at 0 was taken as atan(inf) = pi/2, "gives 1.5708" where the answer has no value
    ok, lines = solver.check_answer(solver.solve("x^2"), typed)
    assert ok is right, lines
    assert "inf" not in " ".join(lines) and "1.5708" not in " ".join(lines), lines


@pytest.mark.parametrize("function, typed, right", [
    ("x^2", "4x + ln(1 - tanh(x)) - ln(1 + tanh(x))", True),
    ("x^2", "2x + ln((1 + tanh(x))/(1 - tanh(x)))/2 - x", True),
    ("x^2", "2x + ln(1 - tanh(x)^2) - ln(1 - tanh(x)) - ln(1 + tanh(x))", True),
    ("x^2", "2x + ln(2 - 2erf(x)) - ln(1 - erf(x)) - ln(2)", True),
    ("x^2", "4x + ln|coth(x) - 1| - ln|coth(x) + 1|", True),
    ("ln(1 - tanh(x))", "(tanh(x)^2 - 1)/(1 - tanh(x))", True),
    ("x^2", "4x + ln(1 - tanh(x)) - ln(1 + tanh(x)) + 10^(-3)", False),
    ("x^2", "2x + ln(2 - 2erf(x)) - ln(1 - erf(x)) - ln(3)", False)])
def test_a_value_that_cancels_past_the_digits_is_worked_until_it_settles(function, typed, right):
    # attack38b: 1 - tanh(997.1) is 10^-866 and 1 - erf(31.3) 10^-427, noise in 30 digits; ln of the noise was taken
    # as the answer's value ("gives 3715.99, but the derivative is 1994.2"), and a right answer was not right
    ok, lines = solver.check_answer(solver.solve(function), typed)
    assert ok is right, lines


@pytest.mark.parametrize("typed, gives", [("ln(1 - sigmoid(x)) + x - ln(sigmoid(x))", "gives 0,"),
                                          ("sin(x)^2 + cos(x)^2 - 1", "gives 0,"),
                                          ("ln(1 - sigmoid(x)) + x - ln(sigmoid(x)) + exp(-200)", "gives 1.3839e-87,"),
                                          ("ln(1 - sigmoid(x)) + x - ln(sigmoid(x)) + exp(-100)", "gives 3.72008e-44,")])
def test_an_answer_that_is_0_is_quoted_as_0_not_as_the_noise_of_its_digits(typed, gives):
    # attack38b F06: x + ln(1 - σ(x)) - ln σ(x) is 0; worked to 60 digits it is 10^-71, quoted as "gives -2.7167e-71".
    # A value that falls as the digits rise is their noise; one that stays (e^-200, under the noise at 60) is quoted
    ok, lines = solver.check_answer(solver.solve("x^2"), typed)
    assert ok is False and gives in lines[1], lines


@pytest.mark.parametrize("typed, right", [("22/7", False), ("355/113", False), ("pi + 1/100", False), ("pi", True),
                                          ("3.1416", True), ("3.14", True), ("2*pi/2", True)])
def test_a_value_written_exactly_is_the_value_or_not(typed, right):
    # attack38b: 22/7 and 355/113 were right for pi, the 0.5% a rounded decimal is allowed applied to exact forms
    result = run("solve", "pi*x", "--at", "1", "--check", typed)
    assert (result.exit_code == 0) is right and result.output.startswith("right" if right else "not right"), result.output


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x1c", "\x1e", "\x0b", "\x0c", "\r", "\x85"])
def test_an_error_excerpt_is_one_line_whatever_separator_the_input_holds(separator):
    # attack40 F2: str.splitlines breaks at U+2028, \x1c ... \r, not only at \n: "x\u2028error: fake" printed a line
    # "error: error: fake" of its own, and the caret stood under another line
    result = run("solve", f"x{separator}error: fake")
    # (one line now, the place marked in the text: user54 F9)
    lines = result.output.strip().split("\n")
    assert result.exit_code == 2 and len(lines) == 1 and lines[0].endswith(": x⟨ ⟩error: fake"), lines


@pytest.mark.parametrize("typed, right", [("2x + Heaviside(-x - 0.1)", True), ("2x + relu(-x)", True),
                                          ("2x + relu(x - 1)", True), ("2x + relu(-x - 0.001)", True),
                                          ("2x + relu(x - 0.999)", False), ("2x + sign(x - 0.5)^2 - 1", False)])
def test_a_domain_the_learner_gives_is_where_the_answer_is_judged(typed, right):
    # attack40b F7: on --domain 0..1, 2x + Heaviside(-x - 0.1) was "not right at x = -0.1", and relu(-x), relu(x - 1)
    # "not right" beside the ends (at 1 + 10^-10, said "at x = 1"), while relu(-x - 0.001) was right
    result = run("solve", "x^2", "--check", typed, "--domain=0..1")
    assert (result.exit_code == 0) is right, result.output
    if not right:
        point = float(re.search(r"at x = (\S+)", result.output).group(1))
        assert 0 <= point <= 1, result.output


@pytest.mark.parametrize("function, typed, said", [("log(x)", "1/(x ln(10))", "1/ln(10) times"),
                                                   ("2^x", "2^x/ln(2)", "1/ln(2)^2 times"),
                                                   ("x^2", "3x", "3/2 times"), ("x^2", "pi x", "pi/2 times"),
                                                   ("x^2", "2.7183*2x", "about 2.718 times")])
def test_a_constant_factor_is_named_as_a_reader_would_name_it(function, typed, said):
    # attack40b F1: 1/ln(10), the factor of a learner who took log as base 10, was "1619556863/3729167490 times"
    ok, lines = solver.check_answer(solver.solve(function), typed)
    assert ok is False and any(f"your answer is {said} the derivative" in line for line in lines), lines


@pytest.mark.parametrize("typed, said", [("2x + 10^-12 sin(x)", "by about 8.415e-13"),
                                         ("2x - 10^-12 sin(x)", "by about -8.415e-13")])
def test_a_difference_too_small_to_see_is_the_answer_less_the_derivative(typed, said):
    # attack41 F2: "it differs from the derivative by about -8.415e-13" for 2x + 10^-12 sin(x), whose difference is +
    ok, lines = solver.check_answer(solver.solve("x^2"), typed)
    assert ok is False and said in lines[1], lines


def test_a_difference_at_a_lone_switch_is_the_answer_less_the_derivative():
    ok, lines = solver.check_answer(solver.solve("x"), "sign(x - cos(x))^2")
    assert ok is False and "by about -1" in lines[1], lines


def test_a_sign_inside_an_answer_is_judged_and_a_fault_of_workbooks_own_is_not_not_right():
    # attack44 F1: relu(sign(x)) for relu(x)' stopped with "NameError: name 'DiracDelta' is not defined", exit 1,
    # the code of "not right"
    result = run("solve", "relu(x)", "--check", "relu(sign(x))")
    assert result.exit_code == 0 and result.output.startswith("right"), result.output
    assert run("solve", "relu(x)", "--check", "sign(x)").exit_code == 1

    from workbook import cli
    from workbook.workers import Outcome

    lines, code = cli._unworked("x^2", Outcome("t", "raised", exception=NameError("DiracDelta"), error="NameError: x"))
    assert code == 3 and "a fault of its own" in lines[0] and "please report it" in lines[0], lines
    assert cli._unworked("x^2", Outcome("t", "timeout", error="took longer"))[1] == 2


def test_a_tiny_derivatives_differences_are_told_beside_its_own_size():
    # attack44 F9: for sin(x)/10^11, 0 and cos(x)/10^12 "looked like the function itself", and a gap of 90% of the
    # derivative was "too little to see in decimals"
    for answer, advice in (("0", None), ("cos(x)/10^12", "1/10 times the derivative"),
                           ("sin(x)/10^11", "the function itself"), ("-cos(x)/10^11", "a sign from the table")):
        result = run("solve", "sin(x)/10^11", "--check", answer)
        assert result.exit_code == 1, result.output
        assert "too little to see" not in result.output, result.output
        assert ("it looks like" in result.output) == (advice is not None) and (advice or "") in result.output, \
            (answer, result.output)
    assert run("solve", "sin(x)/10^11", "--check", "cos(x)/10^11").exit_code == 0
    assert "too little to see" in run("solve", "sin(x)", "--check", "cos(x) + sin(x)/10^12").output


@pytest.mark.parametrize("typed, code", [("y = 2x - 1", 0), ("2x - y = 1", 0), ("y(x) = 2x - 1", 0), ("y = 2x", 1),
                                         ("y = 2x - 1 + 10^-12", 1), ("x y = 2x^2 - x", 2),
                                         # attack46 F11: y with a number glued to it was no line ("write an expression")
                                         ("2y = 4x - 2", 0), ("4x - 2y = 2", 0), ("0.5y = x - 0.5", 0), ("2y = 4x", 1)])
def test_a_tangent_line_is_judged_with_its_point(typed, code):
    # attack45 F8: the practice page sends a line it cannot weigh to the terminal, which refused every equation
    result = run("solve", "x^2", "--at", "1", "--check", typed)
    assert result.exit_code == code, result.output
    if code == 0:
        assert result.output.startswith("right: the tangent line to x^2 at x = 1 is y = 2x - 1"), result.output


def test_a_tower_of_exponentials_is_judged_not_a_fault_and_within_its_budget():
    # attack46 F1: e^x e^(e^x), the textbook's form of e^(e^x)'s derivative, stopped solve --check with "a fault of its
    # own" (an OverflowError sizing e^(e^x) at a far point), and working e^(10^130288) out to size it took seconds
    for function, answer, code in (("e^(e^x)", "e^x e^(e^x)", 0), ("e^(e^x)", "exp(x)*exp(exp(x))", 0),
                                   ("e^(x e^x)", "(e^x + x e^x) e^(x e^x)", 0), ("e^(e^x)", "e^x e^(e^x) + 1", 1),
                                   ("x^2", "2x + e^x e^(e^x) - e^(x + e^x)", 0)):
        result = run("solve", function, "--check", answer)
        assert result.exit_code == code, (function, answer, result.output)
    ok, lines = solver.check_answer(solver.solve("1/(1 + e^(-(x - 10^10)))"),
                                    "e^(-(x - 10^10))/(1 + e^(-(x - 10^10)))^2")
    assert ok is True, lines


@pytest.mark.parametrize("answer", ["2x + tanh(x - 500) - tanh(x - 501)", "2x + sigmoid(x - 500) - sigmoid(x - 501)",
                                    "2x + erf(x - 500) - erf(x - 501)"])
def test_a_window_between_two_steps_past_the_box_is_not_right(answer):
    # attack47 F2: a bump of 0.76 at 500 made of two smooth steps, 10^-165 in the box, was "right" for x^2: the places
    # what a function is taken of crosses 0 were looked for past 1000 alone
    ok, lines = solver.check_answer(solver.solve("x^2"), answer)
    assert ok is False, lines


def test_a_narrow_cap_far_out_is_not_right():
    # attack47 F12: max(0, 1 - 10^12 (x - 24000.2)^2) tops at 24000.2 without crossing 0 on the far grid, and 2x plus
    # it was right for x^2
    for answer in ("2x + max(0, 1 - 10^12 (x - 24000.2)^2)", "2x + relu(1 - 10^6 (sqrt(|x|) - 40)^2)"):
        ok, lines = solver.check_answer(solver.solve("x^2"), answer)
        assert ok is False, lines


def test_a_function_real_only_far_out_or_in_the_domain_asked_is_worked():
    # attack46 F5: ln(x - 1000) was "real on no stretch of x", even with --domain 1001..1010, where it is
    result = run("solve", "ln(x-1000)", "--domain", "1001..1010", "--check", "1/(x-1000)")
    assert result.exit_code == 0, result.output
    assert run("solve", "sqrt(x-1001)", "--domain", "1002..1010", "--check", "1/(2sqrt(x-1001))").exit_code == 0
    assert run("solve", "ln(-x^2-1)").exit_code == 2


@pytest.mark.parametrize(("function", "wrt", "answer", "right"), [
    ("ln(x) + x*y^2", "x", "1/abs(x) + y^2", True), ("ln(x) + x*y^2", "y", "2 abs(x) y", True),
    ("ln(x) + x*y^2", "x", "1/x + y^2 + relu(-x)", True), ("ln(x) + x*y^2", "x", "1/x + y^2 + relu(x - 4)", False),
    ("sqrt(x y) + y", "x", "y/(2 sqrt(|x y|)) + relu(-x y)", True),
    # attack49 F7: undefined as typed only where the function has no value either
    ("ln(y+2) + x*y", "x", "y + ln(y+2) - ln(y+2)", True), ("ln(x+y)", "x", "exp(-ln(x+y))", True),
    ("ln(x+y)", "x", "1/(x+y) + 0*ln(x+y)", True), ("ln(y+2) + x*y", "x", "y + ln(y-2) - ln(y-2)", False),
    ("sqrt(x y) + y", "x", "y/(2 sqrt(|x y|)) + relu(x y - 9)", False)])
def test_an_answer_in_several_names_is_compared_where_the_function_has_a_value(function, wrt, answer, right):
    # attack46 F3: 1/|x| + y² for ∂/∂x of ln(x) + x y² was "not right ... at x = -0.6687, y = -0.8801 ... the
    # derivative is -0.720863", where ln(x) has no value and there is no derivative, as 1/|x| is right for ln(x) alone
    result = run("solve", function, "--wrt", wrt, "--check", answer)
    assert result.exit_code == (0 if right else 1), result.output
    assert result.output.startswith("right" if right else "not right"), result.output


def test_an_expression_may_begin_with_a_minus_and_one_typed_half_way_is_refused_in_one_line():
    # user48 F2: `workbook solve "-x + ln(e^(3x) + 1)"` was "No such option '-x'", and --check's own "to see it worked
    # step by step" line printed that command; F8: `x^`, `e^`, `x**2**` stopped with an IndexError, exit 3
    worked = run("solve", "-x + ln(e^(3x) + 1)")
    assert worked.exit_code == 0 and "d/dx [-x + ln(e^(3x) + 1)]" in worked.output, worked.output
    checked = run("solve", "-2x^2", "--check", "-4x")
    assert checked.exit_code == 0 and checked.output.startswith("right"), checked.output
    at = run("solve", "--at", "-1", "-x^3")
    assert at.exit_code == 0 and "at x = -1: d/dx [-x^3] = -3" in at.output, at.output
    wrong = run("solve", "-x^2", "--check", "2x")
    assert wrong.exit_code == 1 and 'workbook solve "-x^2"' in wrong.output, wrong.output
    assert run("solve", "x", "--chek", "1").exit_code == 2  # an option misspelt is still one
    for typed in ("x^", "e^", "x**", "x**2**", "sin(x)^"):
        result = run("solve", typed)
        assert result.exit_code == 2 and "ends too soon" in result.output and "fault" not in result.output, result.output


def test_a_rounded_constant_is_said_as_such_and_two_numbers_apart_keep_their_zeros():
    # user48 F14: a rounded ln 2 was "about 1 times the derivative: check a constant factor", and the page said
    # "gives -1.217391, but the derivative is -1.21739", two numbers that read as one
    result = run("solve", "log2(4x^2+1)", "--check", "8x/(0.693147(4x^2+1))")
    assert result.exit_code == 1 and "to about 6 digits only" in result.output and "times" not in result.output, \
        result.output
    assert solver.apart(-1.2173910, -1.2173900) == ("-1.217391", "-1.217390")
    assert solver.apart(2.0, 3.0) == ("2", "3") and solver.apart(1e-9, 2e-9) == ("1e-09", "2e-09")


def test_a_negative_power_standing_alone_prints_as_a_fraction():
    # user48 F15: the quotient rule's x/(x + 1)' printed (x + 1)^(-2); what is printed still reads back as itself
    from workbook.explain import pretty

    result = run("solve", "x/(x+1)")
    assert result.output.splitlines()[0] == "d/dx [x/(x + 1)] = 1/(x + 1)^2", result.output
    x = sp.Symbol("x", real=True)
    for e, said in [((x + 1) ** -2, "1/(x + 1)^2"), (x ** -3, "1/x^3"), ((x + 1) ** sp.Rational(-3, 2), "1/(x + 1)^(3/2)"),
                    (x + (x + 1) ** -2, "x + 1/(x + 1)^2"), (sp.exp(-2 * x), "e^(-2x)"), (1 / sp.sqrt(x), "1/sqrt(x)")]:
        assert pretty(e) == said and sp.simplify(E.parse(said) - e) == 0, (e, pretty(e))


@pytest.mark.parametrize("extra", [["x^2"], ["--check", "2x"], ["--at", "1"], ["--wrt", "y"], ["--order", "2"],
                                   ["--gradient"], ["--domain", "0..1"]])
def test_a_batch_refuses_what_it_would_drop(extra, tmp_path):
    # attack49 F1: an EXPRESSION, --check and --at given with --batch were dropped without a word, exit 0 (for --check,
    # "right")
    lines = tmp_path / "lines.jsonl"
    lines.write_text('{"input": "x^3"}\n')
    result = run("solve", "--batch", str(lines), *extra)
    assert result.exit_code == 2 and "--batch takes its work from FILE" in result.output, result.output
    assert (extra[0] if extra[0].startswith("--") else "EXPRESSION") in result.output, result.output


def test_a_derivative_with_no_real_value_on_part_of_the_box_does_not_stop_the_judge():
    # attack49 F12's review: sqrt(x y)'s second partial has no real value where x y < 0, and float() of it there stopped
    # the box's last look (a TypeError)
    x, y = E.symbol("x"), E.symbol("y")
    truth, given = E.parse("-y^2/(4 (x y)^(3/2))"), E.parse("-y^2/(4 abs(x y)^(3/2))")
    assert solver._apart_under_doubles(truth, given, [x, y], np.array([[-1.3, 0.7], [-0.45, 2.3]])) is None


def test_a_tiny_constant_in_an_answer_is_said_by_its_size_and_the_answer_as_typed():
    # attack50 F3: "is not 0.000000…" (the 2x cut off) and a line of a thousand zeros
    result = run("solve", "x^2", "--check", "2x + 10^(-1000)")
    lines = result.output.splitlines()
    assert result.exit_code == 1 and lines[0] == "not right: d/dx [x^2] is not 2x + 10^(-1000)", lines
    assert all(len(line) < 200 for line in lines) and "10^-1000" in lines[1], lines


def test_a_point_said_for_a_partial_gives_every_names_value():
    # attack51 F9: "at y = 1 your answer gives -3.6, but the derivative is -2.6", x = 1.3 unsaid
    result = run("solve", "-x^3 - x y^2", "--wrt", "y", "--check", "-2xy + sign(|y-1|) - 1")
    assert result.exit_code == 1 and "at y = 1, x = 1.3 your answer gives -3.6, but the derivative is -2.6" in result.output


@pytest.mark.parametrize("typed, said", [("0.5", ", right to the 1 decimal place given)"), ("cos(1)", "(you gave cos(1))"),
                                         ("0.538", ", right within 0.5%)"), ("0.54030", ", right to the 5 decimal places given)")])
def test_a_value_judged_right_says_to_what_it_was_judged(typed, said):
    # user50 F9: 0.2 for 0.25 was "right" with no word of the one decimal it was judged to, while 0.24 was not right
    # (σ'(0) = 0.25 is written exactly now: cos 1 = 0.5403..., of more places than the sheet's 4, here)
    result = run("solve", "sin(x)", "--at", "1", "--check", typed)
    assert result.exit_code == 0 and result.output.splitlines()[0].endswith(said), result.output


@pytest.mark.parametrize("function, derived", [("sigmoid(x)", ["sigmoid"]), ("x tanh(2x)", ["tanh"]),
                                               ("softplus(3x) + sigmoid(x)^2", ["sigmoid", "softplus"]),
                                               ("sin(x)", []), ("1/(1 + e^(-x))", [])])
def test_an_activation_rule_taken_from_the_table_is_derived_before_the_steps(function, derived):
    # user50 F8: the steps stopped at "from the table" for σ' = σ(1 - σ) and softplus' = σ, the derivations a
    # deep-learning course asks for
    result = run("solve", function)
    assert result.exit_code == 0, result.output
    heads = [line for line in result.output.splitlines() if line.startswith("Where the ")]
    assert heads == [f"Where the {name} rule comes from, worked from the definition:" for name in derived], heads
    if "sigmoid" in derived:
        assert "σ'(u) = -(1 + e^(-u))^(-2)·(-e^(-u))" in result.output
        assert result.output.splitlines()[-1].startswith("checked:")


@pytest.mark.parametrize("args", [("(sigmoid(w x + b) - y)^2", "--gradient", "--wrt", "w,b"),
                                  ("sigmoid(w x + b)", "--wrt", "w,b")])
def test_the_gradient_and_a_mixed_partial_derive_the_rules_they_quote_once(args):
    # user52 F3: docs/expressions.md promises the derivation wherever the steps quote σ', and --gradient and a mixed
    # partial left it out
    result = run("solve", *args)
    assert result.exit_code == 0, result.output
    assert result.output.count("Where the sigmoid rule comes from, worked from the definition:") == 1, result.output


def test_a_point_far_out_where_a_square_touches_zero_is_judged():
    # attack54 F6: 2x + 1 - sign((x - 10000)^2) differs from 2x at 10^4 alone, and was right (at 3 it was caught)
    ok, lines = solver.check_answer(solver.solve("x^2"), "2x + 1 - sign((x - 10000)^2)")
    assert ok is False and "x = 10000" in lines[1], lines
    assert solver.check_answer(solver.solve("abs(x - 10^4)"), "sign(x - 10^4)")[0] is True


@pytest.mark.parametrize("typed, code", [("2x", 0), ("2*x", 0), ("x + x", 0), ("2y", 1), ("x^2", 1),
                                         ("2x + relu(x - 301) relu(y - 301)", 1)])
def test_a_mixed_partial_is_checked(typed, code):
    # user52 F14: --wrt x,y with --check was refused, naming --at, which was not given
    result = run("solve", "x^2 y", "--wrt", "x,y", "--check", typed)
    assert result.exit_code == code, result.output
    assert result.output.startswith("right:" if code == 0 else "not right:"), result.output


@pytest.mark.parametrize("function", ["relu(x)", "|x|", "max(x/4, x)"])
def test_at_a_corner_does_not_exist_is_the_right_answer_and_a_convention_is_named(function):
    # user53 F8: at a corner every number was "not right" and "undefined" an unknown name: no answer could be right
    for said in ("does not exist", "undefined", "DNE", "Does not exist."):
        result = run("solve", function, "--at", "0", "--check", said)
        assert result.exit_code == 0 and result.output.startswith("right: at x = 0:"), result.output
    result = run("solve", function, "--at", "0", "--check", "0.5")
    assert result.exit_code == 1 and "does not exist" in result.output and "a convention;" not in result.output
    if function == "|x|":  # the formula's value, sign(0) = 0, as libraries take it: right too, named as theirs
        result = run("solve", function, "--at", "0", "--check", "0")  # (user55 F3: it was "not right")
        assert result.exit_code == 0 and "the deep-learning libraries' convention" in result.output, result.output
    left = {"relu(x)": "0", "|x|": "-1", "max(x/4, x)": "1/4"}[function]
    result = run("solve", function, "--at", "0", "--check", left)  # the book's convention: right, and said so
    assert result.exit_code == 0 and result.output.startswith("right by the book's convention, the slope from the left")
    assert "does not exist" in result.output, result.output
    result = run("solve", "x^2", "--at", "1", "--check", "undefined")
    assert result.exit_code == 1 and "exists: it is 2" in result.output, result.output
    for where in (("sqrt(x)", "0"), ("x^(1/3)", "0"), ("ln(x)", "-1")):  # no value there at all (attack56 F3: exit 2)
        result = run("solve", where[0], "--at", where[1], "--check", "DNE")
        assert result.exit_code == 0 and result.output.startswith("right: "), result.output


@pytest.mark.parametrize("function, wrt, typed, said", [
    ("sin(x^2)^3", "x", "3 sin(x^2)^2 cos(x^2)", "the chain rule's inner derivative is missing"),
    ("-(y ln(sigmoid(w x + b)) + (1 - y) ln(1 - sigmoid(w x + b)))", "w", "sigmoid(w x + b) - y",
     "the chain rule's inner derivative is missing"),
    ("tanh(2x)^2", "x", "2 tanh(2x)(1 - tanh(2x)^2)", "the chain rule's inner derivative is missing"),
    ("e^(x1)/(e^(x1) + e^(x2) + e^(x3))", "x2", "e^(x1) e^(x2)/(e^(x1) + e^(x2) + e^(x3))^2",
     "the sign is the wrong way round")])
def test_a_slip_at_one_level_of_a_composition_is_named(function, wrt, typed, said):
    # user53 F9: a chain factor dropped at one level of three (or the x of w x + b in both of cross-entropy's terms)
    # was not named, and tanh²(2x)'s dropped 2 and softmax's whole sign were put down to the power rule
    result = run("solve", function, "--wrt", wrt, "--check", typed)
    assert result.exit_code == 1 and f"it looks like {said}" in result.output, result.output


@pytest.mark.parametrize("function, typed, right", [
    ("pi x", "3.14", True), ("pi x", "3.1", True), ("sqrt(2) x", "1.414", True), ("e^2 x", "7.389", True),
    ("pi x", "3.2", False), ("pi x", "22/7", False), ("pi x", "3", False), ("pi x", "pi", True), ("3x", "3.0", True),
    ("x^2", "2.0", False),
    # attack60 F5: a number written exactly is the value or not, however small or large
    ("10^(-20) x", "2*10^(-20)", False), ("10^(-20) x", "0", False), ("10^(-20) x", "10^(-20)", True),
    ("x/10^30", "7*10^(-30)", False), ("10^15 x", "1000000000000000 + 1/2", False),
    ("123456789 x", "123456789 + 1/10^7", False),
])
def test_a_derivative_that_is_one_number_is_judged_as_a_number(function, typed, right):
    # user57 F1: d/dx [pi x] typed as 3.14 was "not right: ... is not 157/50", a constant factor suspected, where with
    # --at 1 the same 3.14 was right to the 2 decimal places given
    result = run("solve", function, "--check", typed)
    assert result.exit_code == (0 if right else 1), result.output
    assert "157/50" not in result.output and "constant factor" not in result.output, result.output
    if right and "." in typed:
        assert "decimal place" in result.output or typed == "3.0", result.output
    if function == "pi x":
        assert run("solve", "x^2", "--at", "1", "--check", "2 + 10^(-15)").exit_code == 1  # (at a point too)


def test_a_steps_words_name_a_step_as_a_learner_reads_it():
    # user57 F4: "the reLU rule gives d/du [ReLU(u)] = θ(u, 0)", and 2δ(x) for sign's slope with no word of what δ is
    words = run("solve", "relu(x^2 - 1)").output
    assert "the ReLU rule gives" in words and "θ(u)," in words and "θ(u, 0)" not in words, words
    words = run("solve", "sign(x) x^2").output
    assert "The spike δ is 0 wherever" in words, words


@pytest.mark.parametrize("function, at, value", [("x^x", "1", "= 1"), ("x^x", "2", "4 ln(2) + 4"),
                                                 ("(x+1)^x", "0", "= 0"), ("sqrt(x)^x", "1", "= 1/2")])
def test_a_variable_power_at_a_whole_number_is_worked_not_stopped(function, at, value):
    # attack63 F4: x^x at 1 ran out of its 10 s budget every time (its neighbour 999999/10^6 raised to itself exactly,
    # a millionth root of a number of a million digits), so the textbook x^x' at 1 was never given nor judged
    result = run("solve", function, "--at", at)
    assert result.exit_code == 0 and value in result.output, result.output
    judged = run("solve", function, "--at", at, "--check", value.split("= ")[-1])
    assert judged.exit_code == 0 and judged.output.startswith("right"), judged.output


@pytest.mark.parametrize("function, at, slip, value", [("x^2", "100", "199", "200"), ("x^3", "10", "299", "300"),
                                                       ("sigmoid(x)", "0", "0.3", "0.25"), ("3x", None, "3.01", "3")])
def test_a_value_of_few_places_is_written_exactly_not_within_half_a_percent(function, at, slip, value):
    # attack63 F5, attack61 F5, user59 F4.1: 199 for 200 and 0.3 for 0.25 were "right within 0.5%" (a slip, not a
    # rounding, where the value has no more places than the sheet asks); a value of more places keeps its roundings
    where = ["--at", at] if at else []
    result = run("solve", function, *where, "--check", slip)
    assert result.exit_code == 1 and "exactly" in result.output and value in result.output, result.output
    assert run("solve", function, *where, "--check", value).exit_code == 0
    assert run("solve", "sin(x)", "--at", "1", "--check", "0.54").exit_code == 0  # cos 1 = 0.5403..., to 2 places


def test_a_check_by_a_name_not_in_the_function_says_which_names_it_has():
    # attack63 F13: t^2 --check 2t was "not right, the derivative is 0" with no word of x being absent, which solve
    # alone says; and a value told apart from the answer refused to as many digits as tell them apart (F1: "is 0.5,
    # not 1/2" where it is 0.49999999999705)
    result = run("solve", "t^2", "--check", "2t")
    assert result.exit_code == 1 and "x does not occur in it" in result.output and "use --wrt t" in result.output
    result = run("solve", "sin(x)", "--at", "1.0471975512", "--check", "1/2")
    assert result.exit_code == 1 and "is 0.5," not in result.output and "0.49999999999" in result.output, result.output


def test_a_gradients_names_are_in_the_order_a_reader_puts_them():
    # attack63 F9: (x1, x10, x2) and (B, a), by character code: a right gradient typed in natural order was not right
    result = run("solve", "x1^2 + x10 + x2*B + a", "--gradient")
    assert "with respect to (a, B, x1, x2, x10)" in result.output, result.output
    assert run("solve", "x1^2 + x10 + x2*B + a", "--gradient", "--check", "1, x2, 2x1, B, 1").exit_code == 0


def test_solves_own_headline_is_a_label_an_answer_may_carry():
    # attack63 F7: d/dx [x^2] = 2x, as solve prints it, was refused ("does not name d/dx")
    assert run("solve", "x^2", "--check", "d/dx [x^2] = 2x").exit_code == 0
    assert run("solve", "x^2 y", "--wrt", "y", "--check", "∂/∂y [x^2 y] = x^2").exit_code == 0
    result = run("solve", "x^2", "--check", "d/dx [x^3] = 2x")
    assert result.exit_code == 2 and "names another function" in result.output, result.output
    # the function in the bracket as its definition writes it (attack64 F7: simplify could not prove it)
    assert run("solve", "sigmoid(x)", "--check", "d/dx [1/(1+e^(-x))] = sigmoid(x)(1-sigmoid(x))").exit_code == 0
    assert run("solve", "ln(x^2)", "--check", "d/dx [2 ln|x|] = 2/x").exit_code == 0


def test_a_verdict_asked_for_as_json_is_json():
    # attack63 F3: --json beside --check printed the verdict as text, the --json unsaid
    result = run("solve", "x^2", "--check", "3x", "--json")
    verdict = json.loads(result.output)
    assert result.exit_code == 1 and verdict["right"] is False and verdict["verdict"].startswith("not right")
    assert json.loads(run("solve", "x^2", "--check", "2x", "--json").output)["right"] is True


def test_a_gradient_may_carry_one_label_for_the_whole_vector_as_the_key_writes_it():
    # attack63 F12: ∇f(-1, 0) = (-4, -1), the key's own form, was "label every number"
    f = "x^2 y + y"
    assert run("solve", f, "--gradient", "--at", "-1,0", "--check", "∇f(-1, 0) = (0, 2)").exit_code == 0
    assert run("solve", f, "--gradient", "--at", "-1,0", "--check", "grad f = (0, 2)").exit_code == 0
    assert run("solve", f, "--gradient", "--at", "-1,0", "--check", "∇f(-1, 0) = (0, 3)").exit_code == 1
    assert run("solve", f, "--gradient", "--check", "∇f(x, y) = (2xy, x^2 + 1)").exit_code == 0
    result = run("solve", f, "--gradient", "--at", "-1,0", "--check", "∇f(1, 0) = (0, 2)")
    assert result.exit_code == 2 and "another point" in result.output, result.output


def test_a_tangent_line_may_be_named_as_a_linearisation():
    # attack63 F2: L(x) = 2x - 1 was refused with advice about the derivative's value
    assert run("solve", "x^2", "--at", "1", "--check", "L(x) = 2x - 1").exit_code == 0
    assert run("solve", "x^2", "--at", "1", "--check", "T(x) = 2x + 1").exit_code == 1


def test_a_value_given_exactly_is_compared_as_typed_not_as_a_double():
    # attack64 F1: 10^20 + 1 was right for 10^20, and 12.000000000001 for 12 (doubles within 10^-12); F2: a gradient's
    # 0.8 for 3/4 and 4 + 10^(-14) for 4 were right at a point
    assert run("solve", "10^20 x", "--check", "100000000000000000001").exit_code == 1
    assert run("solve", "10^20 x", "--check", "100000000000000000000").exit_code == 0
    assert run("solve", "x^3", "--at", "2", "--check", "12.000000000001").exit_code == 1
    assert run("solve", "x^3", "--at", "2", "--check", "12.000").exit_code == 0
    assert run("solve", "x^2 y^3", "--gradient", "--at", "0.5,1", "--check", "1, 0.8").exit_code == 1
    assert run("solve", "x^2 y^3", "--gradient", "--at", "2,1", "--check", "4+10^-14, 12").exit_code == 1
    assert run("solve", "x^2 y^3", "--gradient", "--at", "0.5,1", "--check", "1, 0.75").exit_code == 0
