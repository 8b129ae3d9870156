"""How numbers and expressions are printed, in one place: exactly, as the decimal a learner writes,
rounded for a table, as money, to significant figures, in scientific notation, as a point, a vector
or a matrix.
"""

from __future__ import annotations

import math
from functools import lru_cache

import sympy as sp


def latex(expr: sp.Expr) -> str:
    """LaTeX as printed in the workbook."""
    try:
        return _latex(expr)
    except TypeError:  # unhashable (a mutable matrix): printed each time
        return _printed(expr)


@lru_cache(maxsize=4096, typed=True)  # typed: 1 and 1.0 print differently
def _latex(expr: sp.Expr) -> str:
    """latex, kept: a draw's steps print the same expressions over and over (4027 printings, 545 different,
    in 150 derivative draws). SymPy's == is structural (2.0 is not 2, nor a positive x the x), and
    the cache keeps types apart, so one key never stands for two printings."""
    return _printed(expr)


def _printed(expr: sp.Expr) -> str:
    if isinstance(expr, sp.Basic) and expr.has(sp.Heaviside):  # θ(u), not θ(u, 0): the value at 0 is a convention the
        # words give, not an argument (user57 F4: "the ReLU rule gives θ(u, 0)")
        expr = expr.replace(lambda n: isinstance(n, sp.Heaviside) and len(n.args) == 2, lambda n: sp.Heaviside(n.args[0]))
    return sp.latex(as_written(expr), ln_notation=True, inv_trig_style="full")


def as_written(expr: sp.Expr) -> sp.Expr:
    """The expression for printing, a long fraction with an ending decimal written as that decimal (a
    bank's 0.044715 in GELU is 8943/200000 to SymPy, and was printed so); short ones stay fractions."""
    if not isinstance(expr, sp.Basic) or expr.is_Atom:
        return expr
    if not any(r.q > 1000 for r in expr.atoms(sp.Rational)):
        return expr
    expr = expr.replace(lambda node: node.is_Mul, _spread)
    swap = {}
    for r in expr.atoms(sp.Rational):
        if r.q > 1000 and decimal_places(r) is not None:
            shown = exact_decimal(abs(r))
            if len(shown) < len(f"{abs(r.p)}/{r.q}"):
                swap[r] = sp.sign(r) * sp.Symbol(shown)
    return expr.xreplace(swap) if swap else expr


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def subscript(digits: int | str) -> str:
    """Digits as subscripts, for a name set in plain text where the math sets u_1, h_2: u₁, h₂."""
    return str(digits).translate(_SUBSCRIPTS)


def number_latex(value: sp.Expr, places: int = 4) -> str:
    """An exact number, with a decimal beside it when it is not a short decimal: rounded to ``places``
    decimal places as docs/notation.md says (4√2 printed ≈ 5.657, four significant figures), and a value
    too small for them in scientific notation to ``places`` significant figures (never ≈ 0). A fraction
    has its decimal beside it too, as the worksheet asks for answers (82/5 = 16.4, 1/3 ≈ 0.3333): the
    key then shows the number a learner writes."""
    shown = latex(value)
    if value.is_Integer:
        return shown
    if value.is_Rational and (decimal_places(value) or places + 1) <= places:
        return f"{shown} = {exact_decimal(value)}"
    v = float(value)
    if v == 0 or abs(v) >= LARGE:  # past a float's digits (3 e^60 printed 27 digits, 11 of them invented) or
        # under its range (3/e^903 printed ≈ 0): worked exactly, then given to ``places`` significant figures
        return r"%s \approx %s" % (shown, scientific_exact(value, places))
    rounded = decimal_latex(v, places) if abs(v) >= 10 ** (1 - places) else scientific_latex(v, places)
    return r"%s \approx %s" % (shown, rounded)


LARGE = 1e15  # past this a decimal's digits run past a float's sixteen: written in scientific notation


def scientific_exact(value: sp.Expr, digits: int = 4) -> str:
    """A number as 7.254 \times 10^{27}, worked to ``digits`` significant figures by SymPy, not a float (which
    has sixteen digits and underflows below 10^-308)."""
    mantissa, exponent = sp.Float(sp.N(value, digits + 10), digits + 10), 0
    if mantissa == 0:
        return "0"
    exponent = int(sp.floor(sp.log(abs(mantissa), 10)))
    scaled = sp.N(value / sp.Integer(10) ** exponent, digits + 10)
    if abs(scaled) >= 10:  # the log's floor a hair low
        scaled, exponent = scaled / 10, exponent + 1
    text = f"{float(scaled):.{digits - 1}f}"
    return text if exponent == 0 else r"%s \times 10^{%d}" % (text, exponent)


def _spread(product: sp.Expr) -> sp.Expr:
    """A long fraction multiplying a sum of whole-number terms, spread over the sum: the derivative of
    0.044715 x^3 is (26829 x^2 + 200000)/400000 to SymPy, and 0.0670725 x^2 + 1/2 to a reader."""
    c, rest = product.as_coeff_Mul()
    if not (c.is_Rational and c.q > 1000 and decimal_places(c) is not None):
        return product
    factors = list(sp.Mul.make_args(rest))
    for i, factor in enumerate(factors):
        if factor.is_Add and not factor.atoms(sp.Function) and all(t.as_coeff_Mul()[0].is_Integer for t in factor.args):
            return sp.Mul(*factors[:i], sp.expand(c * factor), *factors[i + 1:], evaluate=False)
    return product


def decimal_places(value: sp.Rational) -> int | None:
    """How many decimal places a rational needs, or None if its decimal never ends."""
    q = int(value.q)
    twos = fives = 0
    while q % 2 == 0:
        q, twos = q // 2, twos + 1
    while q % 5 == 0:
        q, fives = q // 5, fives + 1
    return max(twos, fives) if q == 1 else None


def exact_decimal(value: sp.Expr) -> str:
    """A rational as the decimal a learner writes, when it ends; else as a fraction."""
    if value.is_Rational and decimal_places(value) is not None:
        places = decimal_places(value)
        if not places:
            return str(int(value))
        # worked in integers, not through a float: 2 + 10^-50 printed as 2.000...0, the 1 lost (attack31)
        scaled = value.p * 10**places // value.q  # exact: the decimal ends at ``places``
        digits = str(abs(scaled)).rjust(places + 1, "0")
        return "-" * (scaled < 0) + digits[:-places] + "." + digits[-places:]
    return latex(value)


def money(value: sp.Rational) -> str:
    """19/2 as 9.5: decisions like prices read as decimals."""
    return exact_decimal(value) if value.is_Rational else number_latex(value)


def decimal_latex(value, places: int = 4) -> str:
    """A number for a table a learner fills in by hand: to ``places`` decimal places, every one of them shown
    where rounding changed the value (0.090031 is 0.0900, never 0.09), and shorter only where the value ends
    sooner (0.25): exactly the worksheet's rule, "to 4 places, one that ends sooner exactly"."""
    v = float(value)
    text = _rounded(value, v, places)
    if abs(v - float(text)) <= 1e-12 * max(1.0, abs(v)):  # it ends within the places (floats' own error aside)
        text = text.rstrip("0").rstrip(".")
    if float(text or 0) == 0:
        return "0" if text in ("-0", "0", "") else text.lstrip("-")  # 0, or 0.0000 for a value too small to show
    return text


def equal_or_about(values, places: int = 4) -> str:
    """"=" where every value ends within ``places`` (σ(0) is 0.5), else "\\approx": "≈ 0.5" said of an exact
    value that it was rounded (read26)."""
    values = values if isinstance(values, (list, tuple)) else [values]
    ends = all(abs(float(decimal_latex(v, places)) - float(v)) <= 1e-12 * max(1.0, abs(float(v))) for v in values)
    return "=" if ends else r"\approx"


def stated(value, places: int = 4) -> str:
    """A worked value after its name, with the sign that says whether the page rounded it: "= 0.25",
    "\\approx 0.1999" (the Answer box wrote "=" beside the working's "≈" for the same number: read33b)."""
    return f"{equal_or_about(value, places)} {decimal_latex(value, places)}"


def _rounded(value, v: float, places: int) -> str:
    """The value to ``places`` decimals, a half rounded away from 0 as a learner rounds by hand: -0.00015 is
    -0.0002 and 0.00725 is 0.0073. Through a binary float the first went down and the second up, by whichever
    side of the half the nearest double fell (attack26); an exact value is rounded exactly, and a float within
    its own error of a half is taken as that half."""
    from decimal import ROUND_HALF_UP, Decimal, InvalidOperation, localcontext

    if not math.isfinite(v) or abs(v) > 1e15:
        return f"{v:.{places}f}"
    step = Decimal(1).scaleb(-places)
    with localcontext() as context:
        context.prec = 60
        try:
            if isinstance(value, (sp.Rational, int)):
                exact = Decimal(int(sp.Rational(value).p)) / Decimal(int(sp.Rational(value).q))
                return format(exact.quantize(step, rounding=ROUND_HALF_UP), "f")
            near = Decimal(repr(v)).quantize(step / 10 ** 8)  # the float to its own error, past the places
            half = near.quantize(step, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            return f"{v:.{places}f}"
        if abs(abs(near - half) - step / 2) <= step / 10 ** 8:  # a half, but for the float's error
            return format(half, "f")
    return f"{v:.{places}f}"


def factor_latex(value) -> str:
    """A number as a factor of a product: a negative one in brackets, 2 × (−1.5) and not 2 × −1.5."""
    text = decimal_latex(value)
    return f"({text})" if text.startswith("-") else text


def significant(value: sp.Expr, digits: int = 8) -> str:
    """A number to ``digits`` significant figures, e.g. an estimate beside the exact value it approaches."""
    return f"{float(value):.{digits}g}".replace("e-0", "e-")


def scientific_latex(value: sp.Expr, digits: int = 2) -> str:
    """A small number as 3.3 \\times 10^{-5}, to ``digits`` significant figures."""
    v = float(value)
    if v == 0:
        return "0"
    mantissa, exponent = f"{v:.{digits - 1}e}".split("e")
    power = int(exponent)
    return mantissa if power == 0 else r"%s \times 10^{%d}" % (mantissa, power)


def vector_latex(values) -> str:
    return r"\left(" + ",\\ ".join(latex(v) for v in values) + r"\right)"


def point_latex(values) -> str:
    return "(" + ", ".join(latex(v) for v in values) + ")"


def matrix_latex(rows, cell=latex) -> str:
    """A matrix, row by row, as a LaTeX pmatrix, each entry written by ``cell`` (exactly, by default)."""
    return r"\begin{pmatrix}" + r" \\ ".join(" & ".join(cell(c) for c in row) for row in rows) + r"\end{pmatrix}"


def comes_out(worked, printed: str) -> bool:
    """Whether a number worked from printed numbers (a Decimal) comes out as ``printed`` when a reader rounds it to
    the places printed, a half away from 0: 0.28075 comes out 0.2808, and −0.21925 does not come out −0.2192."""
    from decimal import ROUND_HALF_UP, Decimal

    shown = Decimal(printed)
    return worked.quantize(Decimal(1).scaleb(min(shown.as_tuple().exponent, 0)), rounding=ROUND_HALF_UP) == shown


def adding_up(parts: list, total) -> tuple[list[str], str]:
    """The parts and their total as printed, where the printed parts add up to the total as printed: at 4
    places where they do; else at the fewest more places that do, the sum of those then rounded to the total
    (−0.06472 + 0.09538 = 0.03066 ≈ 0.0307); else at 4 places, marked as approximate. Returns the parts'
    texts and what follows them: "= 0.0307", "= 0.03066 \\approx 0.0307" or "\\approx 0.0307"."""
    from decimal import ROUND_HALF_UP, Decimal

    shown = decimal_latex(total)
    for places in (4, 5, 6, 7, 8):
        printed = [decimal_latex(x, places) for x in parts]
        exact = sum(Decimal(x) for x in printed)
        # rounded half up, as the book and its readers round: −0.01625 is −0.0163, so it cannot stand before
        # ≈ −0.0162 (Decimal's own round() goes to the even digit, and printed that: read26)
        if exact.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) == Decimal(shown):
            if places == 4 and exact == Decimal(shown):
                return printed, f"= {shown}"
            return printed, r"= %s \approx %s" % (format(exact, "f"), shown)
    return [decimal_latex(x) for x in parts], r"\approx %s" % shown


def multiplying(a, b, places: int = 4) -> tuple[str, str, str, str]:
    """Two factors and their product as printed, the factors to the fewest places (4 to 8) whose product rounds
    to the product printed, as adding_up does for a sum: 2.7183 × (−3) ≈ −8.1548 gave −8.1549 to a student who
    multiplied what was printed (read35b), where 2.71828 × (−3) ≈ −8.1548 does not. Returns (a, b, "=" or
    "\\approx", the product to ``places``); a negative factor is bracketed, 2 × (−1.5)."""
    from decimal import ROUND_HALF_UP, Decimal

    product, step = decimal_latex(a * b, places), Decimal(1).scaleb(-places)
    for more in range(4, max(places, 8) + 1):  # (the product to ``places``: a fan-out's parts to the sum's)
        first, second = decimal_latex(a, more), decimal_latex(b, more)
        exact = Decimal(first) * Decimal(second)
        if exact.quantize(step, rounding=ROUND_HALF_UP) == Decimal(product):
            break
    else:
        first, second = decimal_latex(a, places), decimal_latex(b, places)
        exact = None
    sign = "=" if exact == Decimal(product) else r"\approx"
    return (*(f"({t})" if t.startswith("-") else t for t in (first, second)), sign, product)


def caption_said(value) -> str:
    """A caption's value after its name: "= 0.8" where it is that, "≈ 0.1344" where the caption rounded it (an
    optimizer's caption wrote "θ₂ = 0.8" for 0.7999999, the key's "≈": read37)."""
    text = caption_number(value)
    exact = abs(float(text.replace("\u2212", "-")) - float(value)) <= 1e-12 * max(1.0, abs(float(value)))
    if not exact:  # rounded: to its 4 places, as the table beside it ("≈ −0.887" beside −0.8870 read as 3: read41)
        text = f"{float(value):.4f}".replace("-", "\u2212")
    return f"{'=' if exact else '≈'} {text}"


def caption_number(value: float) -> str:
    """A caption's number: to 4 places as the book gives a value, zeros at its end left off, with a minus
    sign (a caption said "minimum at x = 1.59" where the solution's numbers had four places: read24)."""
    text = f"{float(value):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "0", "") else text.replace("-", "\u2212")
