"""The terminal prints math a person reads: no LaTeX command, brace or environment left in what
`show`, `list` and `solve` print, for every family in the bank."""

from __future__ import annotations

import re

import pytest

from tests.test_cli import run
from workbook.bank import load_bank
from workbook.scheduler import generate_slot
from workbook.segments import plain, plain_tex

LEFTOVER = re.compile(r"\\|[{}]|\bfrac|\bbegin|\bend\b|\bleft\b|\bright\b|operatorname|\btext|mathbb|\bhat\b|"
                      r"\bcdot\b|\bpartial\b|\bsigma\b|pmatrix|&")


def segment_lists(record: dict):
    yield record["prompt"]
    yield record["answer"]
    for step in record.get("steps", []):
        yield step.get("say", [])
        if step.get("math"):
            yield [{"math": step["math"]}]


@pytest.mark.parametrize("family", sorted(load_bank()))
def test_every_family_prints_plain_math(family):
    bank = load_bank()
    for seed in range(3):
        record = generate_slot(bank[family], 2026 + seed, "terminal")
        for segments in segment_lists(record):
            assert not re.search(r"\\|[{}]", plain(segments)), (family, seed, plain(segments))
            for seg in segments:  # the math alone: prose may say "left" or "text"
                math = [seg["math"]] if "math" in seg else [c for row in seg.get("table", {}).get("rows", [])
                                                             for c in row if c]
                for tex in math:
                    assert not LEFTOVER.search(plain_tex(tex)), (family, seed, tex, plain_tex(tex))


@pytest.mark.parametrize("tex, text", [
    (r"10^x + \frac{\ln{\left(x \right)}}{\ln{\left(10 \right)}}", "10^x + ln(x)/ln(10)"),
    (r"J = \begin{pmatrix}10 x y & 5 x^{2}\\ 1 & 3 \cos{\left(y \right)}\end{pmatrix}", "J = [10 x y, 5 x^2; 1, 3 cos(y)]"),
    (r"\frac{\partial L}{\partial \hat y}\cdot\frac{d\hat y}{dz}", "∂L/∂ŷ·dŷ/dz"),
    (r"\delta\, x^{\top}", "δ xᵀ"),
    (r"\frac{\partial^{2} f}{\partial x \partial y}", "(∂^2 f)/(∂x ∂y)"),
    (r"\frac{-3}{x + 1}", "-3/(x + 1)"),
    # a top that only starts with a minus keeps it inside: -(x^2 + ...) changed every sign but the first (read22)
    (r"\frac{- x^{2} + 2 x \left(x - 7\right) - 6}{\left(x - 7\right)^{2}}", "(-x^2 + 2 x (x - 7) - 6)/((x - 7)^2)"),
    (r"\frac{- a b}{c}", "(-a b)/c"),
    (r"\sqrt{x^{2} + 1} + \sqrt[3]{x}", "sqrt(x^2 + 1) + (x)^(1/3)"),
    (r"\begin{cases} 0 & x < 0 \\ 1 & x > 0 \end{cases}", "0 if x < 0; 1 if x > 0"),
    (r"\det\begin{vmatrix}a & b\\ c & d\end{vmatrix}", "det |a, b; c, d|"),
    (r"\mathbb{R}^{2} \to \mathbb{R}", "ℝ^2 → ℝ"),
    (r"\operatorname{ReLU}'(x) = \text{the slope}", "ReLU'(x) = the slope"),
    (r"\frac{1}{2} \lVert w \rVert^{2}", "1/2 ‖ w ‖^2"),
    (r"e^{- 2 x}", "e^(-2 x)"),
    (r"\frac{d}{dx}a^{x} = a^{x}\ln a", "d/dx a^x = a^x ln a"),
    (r"y \ln \hat y + \tanh^{2}{\left(x \right)}", "y ln ŷ + tanh^2(x)"),
])
def test_latex_reads_as_plain_text(tex, text):
    assert plain_tex(tex) == text


def test_show_prints_a_matrix_as_rows():
    result = run("show", "jacobian-2x2")
    assert result.exit_code == 0
    answer = next(line for line in result.output.splitlines() if line.startswith("Answer:"))
    assert re.fullmatch(r"Answer: J = \[[^;\]]+; [^;\]]+\] \(2×2\)", answer), answer


def test_a_bank_decimal_prints_as_written_not_as_a_long_fraction():
    # GELU's 0.044715 printed as 8943/200000, and its derivative as (26829 x^2 + 200000)/400000
    import sympy as sp

    from workbook import expr as E
    from workbook import school, steps
    from workbook.numbers import latex

    gelu = E.parse("x/2*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x^3)))")
    _, derivative = steps.differentiate(gelu, E.symbol("x"), 1)
    for expr in (gelu, derivative):
        shown, tex = school.text(expr), latex(expr)
        for printed in (shown, tex):  # no whole number of five digits or more: only the decimals themselves
            assert not re.search(r"(?<![\d.])\d{5,}", printed), printed
        assert "0.044715" in shown and "0.044715" in tex
        back = E.parse(shown)
        assert sp.simplify(back - expr) == 0  # what it prints reads back as the same function
    assert latex(sp.Rational(1, 1024) * E.symbol("x")) == r"\frac{x}{1024}"  # shorter as a fraction: kept
    assert latex(sp.Rational(3, 4) * E.symbol("x")) == r"\frac{3 x}{4}"


def test_a_bad_boolean_is_quoted_as_the_file_writes_it():
    # "(got True)" quoted a TOML true as Python writes it (attack30)
    from workbook.errors import excerpt

    assert excerpt(True) == "true" and excerpt(False) == "false" and excerpt(1) == "1"


def test_a_title_of_spaces_alone_is_refused(tmp_path):
    # title = " " was an edition's title, printed as nothing on every page (attack30)
    from workbook.edition import load_edition
    from workbook.errors import InputError

    path = tmp_path / "e.toml"
    path.write_text('title = " "\n[[sections]]\ntitle = "S"\nfamilies = ["power-polynomial"]\ncount = 1\n')
    with pytest.raises(InputError, match="title: must show something"):
        load_edition(path)


def test_a_space_of_another_width_is_printed_as_a_space_and_a_control_character_is_not():
    # user48 F1: `workbook list` showed a prompt's no-break space as "(-2,\xa03)"
    from workbook.errors import printable

    assert printable("(-2,\xa03) a\u2009b") == "(-2,\xa03) a\u2009b"
    assert printable("\x1b[2J \u202e x\u2028y") == "\\x1b[2J \\u202e x\\u2028y"
    listed = run("list", "--topic", "gradient-descent")
    assert listed.exit_code == 0 and "\\xa0" not in listed.output, listed.output
