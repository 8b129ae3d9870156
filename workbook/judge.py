"""Judge a learner's answer to a drawn problem (`workbook show FAMILY --try`).

What is expected comes from the problem's ``claims`` record, the same record the independent
checks and the outside checkers read: a derivative's function, or the numbers the answer holds
(a value, a point, a gradient, the last iterate). Expressions are compared as functions (equal
after expanding, or at every point where both are defined); numbers are right to the decimals the
learner gave, or within 0.5%.
"""

from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass, replace

import sympy as sp

from workbook import expr as E
from workbook import solver
from workbook.errors import printable
from workbook.explain import pretty


@dataclass(frozen=True)
class Expected:
    """What an answer must be: an expression in ``variable``, or numbers in order (with names)."""

    what: str  # how to type it, for the prompt
    expression: sp.Expr | None = None
    variable: str = "x"
    numbers: tuple[float, ...] = ()
    names: tuple[str, ...] = ()
    words: tuple[str, ...] = ()  # a verdict for each name (converges, oscillates, diverges)
    expressions: tuple[sp.Expr, ...] = ()  # several expressions in ``variables``, named by ``names``
    variables: tuple[str, ...] = ()
    points: tuple[tuple[float, ...], ...] = ()  # critical points, in any order, each with its kind
    kinds: tuple[str, ...] = ()
    noun: str = "the derivative"  # what the expression is, in what the learner is told
    function: sp.Expr | None = None  # what was differentiated (once), to name the slip a wrong answer looks like
    order: int = 1  # which derivative the expression is: a label (f''(x) = ...) must name that one
    exact: bool = False  # numbers right to the decimals given only (a gradient check's estimate is not its derivative)
    figures: tuple[int, ...] = ()  # the significant figures the prompt asks of each number, 0 where it asks none
    columns: int = 0  # a matrix's entries in a row, where the expressions are one (typed as rows, rows must fit)
    # the function several expressions are derivatives of: they are compared only where it has a value (1/|x| + y²
    # is ∂/∂x of ln(x) + x y² wherever that is defined, and was "not right" at x = -0.67: attack46 F3)
    within: sp.Expr | None = None
    at: sp.Expr | None = None  # a tangent line's point: a decimal typed as it (0.5) may be held exact (attack60 F1)
    # each number that is a whole number in the record, to be given exactly (its key prints it so), else None: 4.98
    # was right for f'(0) = 5 in show --try, within 0.5% (attack63 F5)
    whole: tuple[sp.Rational | None, ...] = ()


def expected(record: dict) -> Expected | None:
    """What the problem's answer is, or None for a problem whose answer is not judged here."""
    with E.own_record():  # its answer as drawn, however many digits it has
        return _expected(record)


def _claim(text: str) -> sp.Expr:
    """An expression of a record's claims: SymPy's nan in it (Heaviside(x, nan), relu's slope, with no value at its
    corner) is nan, not a name: read as a name, the page had no box for relu(x)'s derivative (attack46 F10)."""
    e = E.parse(text)
    return e.xreplace({s: sp.nan for s in e.free_symbols if s.name == "nan"})


def _line_in_decimals(want: Expected, given: sp.Expr, text: str) -> tuple[bool, str] | None:
    """How a tangent line typed in decimals is right, where it is: each decimal typed is one of the line's own numbers
    rounded to the places it gives (its slope, its value at 0, its point or its value there: y = -0.368x + 0.7358 for
    x e^(-x^2) at 1, each to its own places; y = -0.3679(x - 1) + 0.3679; y = 0.7071(x - 0.7854) + 0.7071 at π/4), found
    by solving for the numbers typed; else None. A whole number typed is exact: y = 4x + 0.1 is no rounding of y = 4x,
    nor y = 200.0x - 10004.0 of y = 200x - 10000 (user56 F1, F2: one tolerance for the whole line, scaled by the point,
    called those right and mixed places wrong). A decimal solved for must be one of those numbers itself, not a rounding
    of one with something else added to it: y = 2.0x - 1 + x/25 made 2.0 a rounding of 1.96, and was right (attack61 F1).

    (True, how it is right); (False, the form to write it in) where its decimals are not each one of the line's numbers
    (attack59 F7: y = -0.3679x^1.0 + 0.7358 was told a value that rounds right was wrong); None where it is wrong."""
    form = (False, "a line in decimals is judged written as y = m x + b or y = m(x - a) + b, each number once")
    var, y = E.symbol(want.variable), E.symbol("y")
    literal = re.compile(r"(?<![A-Za-z_\d.])(\d*\.\d+)")  # 1. is a whole number, exact, as the page reads it (attack59
    # F1: it was a rounding to no places, 1 +- 0.5, and y = 0.x + 1. was right for y = -0.3679x + 0.7358)
    typed = literal.findall(text)
    if not typed or want.expression is None or len(typed) > 4 or text.count("=") != 1:
        return None
    names = [f"dec{i}" for i in range(len(typed))]
    counter = iter(names)
    marked = literal.sub(lambda m: f"({next(counter)})", text)
    allowed = set(map(str, want.expression.free_symbols)) | {want.variable} | set(names)
    try:
        left, right = marked.split("=")
        line = sp.expand(_line(left, right, allowed))
        scale = abs(sp.diff(E.parse(left, variables=allowed | {"y"}) - E.parse(right, variables=allowed | {"y"}), y))
        truth = sp.Poly(sp.expand(want.expression), var)
    except (ValueError, E.ExprError, sp.PolynomialError):
        return None
    ds = [E.symbol(n) for n in names]
    try:
        poly = sp.Poly(line, var)
    except sp.PolynomialError:
        return form
    if poly.degree() > 1 or truth.degree() > 1 or not all(c.free_symbols <= set(ds) for c in poly.all_coeffs()):
        return None
    whole = [sp.expand(poly.coeff_monomial(var ** k) - truth.coeff_monomial(var ** k)) for k in (1, 0)]
    at = abs(want.at) if want.at is not None else None
    # the line's own numbers, as typed for a line with y times a number (2y = 1.7552x + 0.0813) or not, either sign
    own = [truth.coeff_monomial(var), truth.coeff_monomial(1)] + ([want.expression.xreplace({var: want.at}), at]
                                                                   if at is not None else [])
    own = [float(sign * c * n) for n in own for c in {sp.Integer(1), scale} for sign in (1, -1)]

    def rounds(k: int, value: float) -> bool:
        return abs(value - float(typed[k])) <= 0.5 * 10.0 ** -solver.decimals_of(typed[k]) * (1 + 1e-12)

    # a decimal that rounds the point is the point, held exactly: y = 0.8776(x - 0.5) + 0.4794 at 0.5, (x + 0.5) at
    # -0.5 and (x - 0.7854) at π/4 were, as roundings solved for, one number more than the line fixes (attack60 F1,
    # attack61 F3, F4); each way of reading those, the fewest held first
    point = [k for k in range(len(ds)) if at is not None and rounds(k, float(at))]
    verdict = form
    for exact in sorted((c for k in range(len(point) + 1) for c in itertools.combinations(point, k)), key=len):
        held = {ds[k]: at for k in exact}
        free = [d for d in ds if d not in held]
        equations = [sp.expand(e.xreplace(held)) for e in whole]
        if any(not e.free_symbols and e != 0 and e.equals(0) is not True for e in equations):
            verdict = verdict if exact else None  # a part typed exactly (no decimal) that is not the line's, by however
            continue  # little (attack59 F2: by 10^-13, under an absolute 10^-12, y = 4.0x - 4 + 10^(-13) was right)
        moving = [e for e in equations if e.free_symbols]
        if any(not e.is_polynomial(*free) or sp.Poly(e, *free).total_degree() != 1 for e in moving):
            continue
        solved = sp.solve(moving, free, dict=True) if moving else [{}]
        if not solved:  # more equations than numbers, and none meets them all
            verdict = None
            continue
        if len(solved) != 1 or set(solved[0]) != set(free) or any(v.free_symbols for v in solved[0].values()):
            continue  # more numbers than the line fixes, or one that fixes nothing: not judged so
        verdict = None  # solved for: right, or wrong, as its numbers are the line's own, rounded, or not
        values = {d: float(solved[0][d]) for d in free}
        if all(rounds(k, values[d]) and any(abs(values[d] - n) <= 1e-9 * max(1.0, abs(n)) for n in own)
               for k, d in enumerate(ds) if d in free):
            return True, "each decimal is the line's own number rounded to the places it gives"
    return verdict


def _line_parts(truth: sp.Expr, given: sp.Expr, var: sp.Symbol) -> str | None:
    """For a wrong line typed as a line: its slope and its value at 0 beside the tangent line's, so that which is off
    shows (user56 F3: "at x = 1 your answer gives -9804, but the tangent line is -9800" for a line at x = 100)."""
    try:
        yours, line = sp.Poly(given, var), sp.Poly(truth, var)
    except sp.PolynomialError:
        return None
    if yours.degree() > 1 or line.degree() > 1 or not all(c.is_number for c in yours.all_coeffs() + line.all_coeffs()):
        return None
    said = []
    for name, k in (("slope", 1), ("value at 0 (the intercept)", 0)):
        a, b = yours.coeff_monomial(var ** k), line.coeff_monomial(var ** k)
        if sp.expand(a - b) == 0:
            said.append(f"your {name} is the line's")
        else:
            a_text, b_text = (str(a), str(b)) if a.is_Integer and b.is_Integer else solver.apart(float(a), float(b))
            said.append(f"your {name} is {a_text}, the tangent line's {b_text}")
    return "  " + "; ".join(said)


def _expected(record: dict) -> Expected | None:
    c = record["claims"]
    kind = c.get("type")
    if kind == "derivative" and "tangent" in c:
        return Expected(f"the tangent line, as y = (an expression in {c['variable']})", _claim(c["tangent"]),
                        variable=c["variable"], noun="the tangent line", at=_claim(c["at"]) if "at" in c else None)
    if kind == "derivative" and "value" in c:
        order = int(c.get("order", 1))
        name = "f" + ("'" * order if order <= 3 else f"^({order})") + f"({c['at']})"  # a label must name it
        return _numbers(f"the value at {c['variable']} = {c['at']}, a number", [c["value"]], [name])
    if kind == "chain_multivariable" and len(c["parameters"]) == 1:
        return Expected(f"dz/d{c['parameters'][0]}, as an expression in {c['parameters'][0]}",
                        _claim(c["answers"][0]), variable=c["parameters"][0])
    if kind == "chain_multivariable":
        return _expressions("z", c["parameters"], c["answers"], [f"∂z/∂{p}" for p in c["parameters"]])
    if kind == "derivative":
        return Expected(f"the derivative, as an expression in {c['variable']}", _claim(c["answer"]),
                        variable=c["variable"], function=_claim(c["function"]) if c.get("order", 1) == 1 else None,
                        order=int(c.get("order", 1)))
    if kind == "gradient_descent":
        last = len(c["iterates"]) - 1
        names = [f"{v}_{last}" for v in c["variables"]]
        what = (f"{names[0]}, the last iterate" if len(names) == 1 else
                f"the last iterate, step {last}: its coordinates, separated by commas")
        return _numbers(what, c["iterates"][-1], names)
    if kind == "descent_convergence":
        return Expected("for each rate in turn: converges, oscillates or diverges, separated by commas",
                        words=tuple(c["verdicts"]), names=tuple(f"rate {_as_printed(r)}" for r in c["rates"]))
    if kind == "optimizer":
        return _numbers(f"theta_{len(c['thetas'])}, the last value", c["thetas"][-1:], [f"theta_{len(c['thetas'])}"])
    if kind == "gradient" and "descent_direction" in c:
        names = [f"u_{v}" for v in c["variables"]] + ["the rate"]
        return _numbers("the unit direction's coordinates, then the rate, separated by commas",
                        [*c["descent_direction"], c["rate"]], names)
    if kind == "gradient" and "directional" in c:
        return _numbers("the directional derivative, a number", [c["directional"]], ["the directional derivative"])
    if record.get("numeric") is not None:
        value = c.get("value", c.get("directional")) if kind in ("derivative", "gradient") else None
        return Expected("a number", numbers=(float(record["numeric"]),), whole=(_whole(value),))
    if kind == "gradient" and "gradient" in c:
        return _numbers("the gradient's entries, separated by commas", c["gradient"],
                        [f"∂f/∂{v}" for v in c["variables"]])
    if kind == "backprop":
        return _numbers("the gradients, separated by commas", list(c["gradients"].values()),
                        [f"∂{c['output']}/∂{k}" for k in c["gradients"]])
    if kind == "loss":
        return _numbers("the gradients, separated by commas", list(c["gradient"].values()),
                        [f"∂L/∂{k}" for k in c["gradient"]])
    if kind == "gradient" and "second_partials" in c:
        names = [f"∂²f/∂{a}²" if a == b else f"∂²f/∂{b}∂{a}" for a, b in (k.split(",") for k in c["second_partials"])]
        return _expressions("f", c["variables"], list(c["second_partials"].values()), names, within=_within(c))
    if kind == "gradient" and "partials" in c:
        return _expressions("f", c["variables"], c["partials"], [f"∂f/∂{v}" for v in c["variables"]],
                            within=_within(c))
    if kind == "hessian":
        v = c["variables"]
        names = [f"∂²f/∂{v[i]}²" if i == j else f"∂²f/∂{v[i]}∂{v[j]}" for i in range(len(v)) for j in range(len(v))]
        return _expressions("f", v, [e for row in c["hessian"] for e in row], names, matrix=len(v), within=_within(c))
    if kind == "jacobian":
        v, m = c["variables"], len(c["jacobian"])
        names = [f"∂F{i + 1}/∂{x}" for i in range(m) for x in v]
        return _expressions("F", v, [e for row in c["jacobian"] for e in row], names, matrix=len(v))
    if kind == "network":
        shown = {"W1": "W1", "b1": "b1", "W2": "w2" if not isinstance(c["W2"][0], list) else "W2", "b2": "b2"}
        names = ["L"] + [f"∂L/∂{shown.get(k, k)}" for k in c["gradients"]]
        return _numbers("the loss L, then the gradient of every weight and bias in order, separated by commas",
                        [c["value"], *c["gradients"].values()], names)
    if kind == "critical_points":
        return Expected(f"every critical point as ({', '.join(c['variables'])}) with its kind (minimum, maximum or "
                        "saddle) after it, separated by commas", variables=tuple(c["variables"]),
                        points=tuple(tuple(number(str(x)) for x in p) for p in c["points"]), kinds=tuple(c["kinds"]))
    if kind == "gradient_check":
        one = len(c["variables"]) == 1
        names = [n for v in c["variables"] for n in
                 ((f"f'({c['point'][0]})", "the estimate", "the relative error") if one else
                  (f"∂f/∂{v}", f"the estimate of ∂f/∂{v}", f"the relative error in {v}"))]
        values = [x for i in range(len(c["variables"])) for x in
                  (c["gradient"][i], c["estimate"][i], c["relative_error"][i])]
        what = ("the derivative, its estimate and the relative error" if one else
                "for each variable in turn: the partial, its estimate and the relative error")
        # the prompt asks each estimate to 8 significant figures and each relative error to 2 (5.0 × 10^-3): right to
        # those (attack28), and the derivative 44 is not the estimate 44.000004 whatever h makes the gap (attack29)
        return replace(_numbers(f"{what}, separated by commas", values, names), exact=True,
                       figures=(0, 8, 2) * len(c["variables"]))
    if kind == "optimum":  # the point and the value there, as the prompt asks and the key gives (user59 F2.3: the
        # exports had a blank for the price alone, where the question asked the profit too)
        quantity = c.get("quantity", "value")
        best = f"the best {c['variables'][0]}" if len(c["variables"]) == 1 else "the best point's coordinates"
        return _numbers(f"{best} and the {quantity} there, separated by commas",
                        [*c["at"], c["value"]], [*c["variables"], quantity])
    return None


def _flat(values, names) -> tuple[list, list]:
    """Numbers and their names, lists opened up (a vector gradient w becomes w[1], w[2] ...)."""
    out, labels = [], []
    for v, n in zip(values, names):
        if isinstance(v, (list, tuple)):
            inner, inner_names = _flat(v, [f"{n}[{i + 1}]" for i in range(len(v))])
            out += inner
            labels += inner_names
        else:
            out.append(v)
            labels.append(n)
    return out, labels


def _within(claims: dict) -> sp.Expr | None:
    """The function a record's expressions are derivatives of, where it gives it."""
    return _claim(claims["function"]) if isinstance(claims.get("function"), str) else None


def _expressions(f: str, variables, texts, names, matrix: int = 0, within: sp.Expr | None = None) -> Expected:
    what = (f"the entries of the matrix row by row ({', '.join(names)}), separated by commas" if matrix else
            f"{', '.join(names)}, as expressions in {', '.join(variables)}, separated by commas")
    return Expected(what, expressions=tuple(_claim(t) for t in texts), variables=tuple(variables),
                    names=tuple(names), columns=matrix, within=within)


def parts(text: str) -> list[str]:
    """A typed list cut at its commas and semicolons outside brackets: "2x, max(x, y)" is two parts,
    "[a, b; c, d]" and "(a, b), (c, d)" are four."""
    text = text.translate(str.maketrans("[]{}", "()()")).strip()
    if re.fullmatch(r"[<⟨].*[>⟩]", text, re.DOTALL):  # a vector in angle brackets, <-8, 5>: read as (-8, 5), not as
        text = "(" + text[1:-1] + ")"  # an inequality, "a function in pieces" (user48 F11)
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text + ","):
        depth += (ch == "(") - (ch == ")")
        if ch in ",;" and depth <= 0:
            piece = text[start:i].strip()
            start = i + 1
            if _wrapped(piece) and re.search(r"[,;]", piece[1:-1]):
                out += parts(piece[1:-1])
            elif piece:
                out.append(piece)
    return out


def _cut(text: str, at: str) -> list[str]:
    """The text cut at the character ``at`` outside brackets (brackets already made round)."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == at and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    return out + [text[start:].strip()]


def rows_typed(text: str) -> list[int] | None:
    """How many entries each row of a matrix holds, where it was typed as rows ("[a, b; c, d]",
    "[[a, b], [c, d]]", "(a, b), (c, d)"); None where it was typed as one list, or labelled."""
    text = text.translate(str.maketrans("[]{}", "()()")).strip()
    if "=" in text:
        return None  # labelled entries are placed by their labels
    outer = _wrapped(text)
    inner = text[1:-1] if outer else text
    rows = _cut(inner, ";")
    if len(rows) == 1:
        rows = _cut(inner, ",")
        if len(rows) >= 2 and all(_wrapped(r) for r in rows) and (
                outer or all(re.search(r"[,;]", r[1:-1]) for r in rows)):
            pass  # rows in brackets: [[a], [b]] is two rows of one; bare (a, b), (c, d) needs commas in each
        elif outer and len(rows) == 1 and _wrapped(rows[0]):
            pass  # [[a, b, c, d]]: one row
        else:
            return None
    return [len(parts(r[1:-1] if _wrapped(r) else r)) if r else 0 for r in rows]


def numbers_typed(text: str, wanted: int, names: tuple[str, ...] = ()) -> list[str]:
    """The numbers of an answer: cut at commas and semicolons outside brackets (sqrt(4), e^(-1) stay
    whole; matrices and vectors in brackets open up), each freed of its label ("x_3 = -1.875"), and put
    in the order of ``names`` by their labels when every one has a label naming one of them; numbers
    side by side with spaces only, where several are wanted and no bracket is open."""
    pieces = parts(text)  # (<-4, -1>, a vector as many books write one, read as (-4, -1): user48 F11)
    pieces = [_worded(p, names) for p in pieces]
    if len(names) > 1 and any(p.count("=") == 1 for p in pieces):
        return [p.strip() for p in _by_labels(pieces, names, _key, f"label every number (as {names[0]} = ...) or none")]
    if len(names) == 1 and len(pieces) == 1 and pieces[0].count("=") == 1:  # a lone number's label must name it too
        label = pieces[0].split("=", 1)[0]
        if not _same_label(label, names[0]):
            raise ValueError(f"{label.strip()[:30]!r} does not name {names[0]}")
    typed = [p.split("=", 1)[1].strip() if p.count("=") == 1 else p for p in pieces]
    if len(typed) == 1 and wanted > 1 and "(" not in typed[0]:
        typed = typed[0].split()
    return [p for p in typed if p]


def _worded(piece: str, names: tuple[str, ...]) -> str:
    """A number named in words as the key names it, "profit 380.25", read as "profit = 380.25" (attack64 F5: the key's
    own wording was "label every number or none")."""
    m = re.fullmatch(r"\s*([A-Za-z][A-Za-z ]{0,30}?)\s+([-+−]?[\d.].*)", piece) if "=" not in piece else None
    if m and m[1].strip().lower() in {n.lower() for n in names}:
        return f"{m[1].strip()} = {m[2]}"
    return piece


def _key(label: str) -> str:
    """A number's name as written or as asked, compared: no spaces or braces, ∂ as d, θ as theta, ′ as '
    (x_{3} is x_3), and a partial however it is written (∂f/∂x, df/dx and f_x are one)."""
    key = re.sub(r"[\s{}]", "", label).replace("∂", "d").replace("θ", "theta").replace("′", "'")[:40]
    short = re.fullmatch(r"([A-Za-z])_(\w+)", key, re.ASCII)  # f_x, u_x: the partial of f in x
    return f"d{short[1]}/d{short[2]}" if short else key


_VALUE_LABEL = re.compile(r"[A-Za-z]('+|\^\(\d+\))\((.{1,20})\)", re.ASCII)


def _same_label(label: str, name: str) -> bool:
    """Whether a lone number's label names it: as written (theta_3, θ_3), or, for a derivative's value,
    the same order at the same point (f'(0.5) for f'(1/2); not f''(3), f'(7) or banana)."""
    if _key(label) == _key(name):
        return True
    typed, asked = _VALUE_LABEL.fullmatch(_key(label)), _VALUE_LABEL.fullmatch(_key(name))
    if not (typed and asked and typed[1] == asked[1]):
        return False
    try:
        return abs(number(typed[2]) - number(asked[2])) <= 1e-12
    except (E.ExprError, TypeError, ValueError):
        return False


def _wrapped(piece: str) -> bool:
    """Whether the whole piece is one bracket: "(a, b)" is, "(a) + (b)" is not."""
    if not piece.startswith("("):
        return False
    depth = 0
    for i, ch in enumerate(piece):
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            return i == len(piece) - 1
    return False


def _numbers(what: str, values, names) -> Expected:
    values, names = _flat(list(values), list(names))
    if len(values) > 1:
        what = what.replace(", separated by commas", f" ({', '.join(map(str, names))}), separated by commas")
    return Expected(what, numbers=tuple(number(str(v)) for v in values),
                    names=tuple(str(n) for n in names),
                    whole=tuple(_whole(v) for v in values))


def _whole(claim) -> sp.Rational | None:
    """A record's number written exactly, a whole number or a fraction (its key prints it so, one of few places as a
    decimal: 15/4 as 3.75), else None; one of few places is then given exactly (solver._judge_number)."""
    if isinstance(claim, str) and re.fullmatch(r"\s*-?\d{1,15}(/\d{1,15})?\s*", claim):
        return sp.Rational(claim.strip())
    return None


def number(text: str) -> float:
    """A number as such (1e-5 among them, where an expression would read e), else an expression of numbers."""
    if re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", text.strip(), re.ASCII):  # ASCII digits, as the page
        return float(text)
    # 3.9 × 10^(-4), as the book writes a relative error: × and · are times between numbers (attack28)
    return float(sp.N(E.parse(re.sub(r"\s*[×·]\s*", " * ", text), variables=())))


# the verdicts a learner may write for each rate, as words: every form of each, nothing that merely starts alike
VERDICTS = {form: verdict for verdict, forms in {
    "converges": ("converges", "converge", "convergent", "converging", "converged"),
    "oscillates": ("oscillates", "oscillate", "oscillating", "oscillatory", "oscillation"),
    "diverges": ("diverges", "diverge", "divergent", "diverging", "diverged")}.items() for form in forms}
# the kinds of a critical point, as a learner may write them; a negation is refused, never read as the kind
KINDS = {"minimum": "minimum", "min": "minimum", "minima": "minimum", "maximum": "maximum", "max": "maximum",
         "maxima": "maximum", "saddle": "saddle point"}
FILLERS = {"local", "a", "an", "is", "it", "point", "relative", "strict", "global"}
NEGATIONS = {"not", "no", "isn't", "isnt", "neither", "nor", "never"}


def _names_derivative(label: str, want: Expected) -> bool:
    """Whether a label names the derivative asked for (solver.names_derivative)."""
    taken = frozenset(map(str, want.expression.free_symbols)) if want.expression is not None else frozenset()
    return solver.names_derivative(label, want.order, want.variable, taken)


_label_for = solver.label_for


def _y_named(side: str, variable: str) -> str:
    """A side of a tangent line's equation that is y(x) alone, as y: the line named as a function of x (y(x) = 2x - 1)
    read as y times x made a right line "not right" on the page and unreadable here (attack40b)."""
    return "y" if re.fullmatch(rf"\s*y\s*\(\s*{re.escape(variable)}\s*\)\s*", side) else side


def _line(left: str, right: str, names: set[str]) -> sp.Expr:
    """The line a learner wrote as an equation in x and y, solved for y (a multiple of y - line)."""
    y = E.symbol("y")
    equation = E.parse(left, variables=names | {"y"}) - E.parse(right, variables=names | {"y"})
    slope = sp.diff(equation, y)
    if slope == 0 or slope.has(y) or slope.free_symbols:
        raise ValueError("write the tangent line as an equation in x and y, such as y = 7x + 1")
    return sp.expand(-(equation - slope * y) / slope)


def _typed_undefined(text: str, names: set[str], var: sp.Symbol, want: Expected):
    """solver.typed_undefined of the answer as typed; of an equation (a tangent line), of each side, each against
    its own value: y = -8x + 12 + ln(x) - ln(x) was right where the same line without "y =" was not (attack27)."""
    if text.count("=") != 1:
        return solver.typed_undefined(text, names, var, want.expression, want.function)
    for side in text.split("="):
        with_y = names | {"y"}
        found = solver.typed_undefined(side, with_y, var, E.parse(side, variables=with_y), want.function)
        if found is not None:
            return found
    return None


def judged(want: Expected, text: str) -> tuple[bool | None, list[str]]:
    """judge() as data, for a worker: (None, [why]) when the answer cannot be read."""
    try:
        return judge(want, text)
    except ValueError as exc:
        return None, [str(exc)]


def judge(want: Expected, text: str) -> tuple[bool, list[str]]:
    """(right, what to say) for the learner's ``text``; ValueError if it cannot be read."""
    text = text.strip()
    if not text:
        raise ValueError("no answer was given")
    if want.expression is not None:
        names = set(map(str, want.expression.free_symbols)) | {want.variable}
        try:
            if want.noun == "the tangent line" and text.count("=") == 1:  # y = 7x + 1, 7x - y = -1, 7x + 1 = y
                text = "=".join(_y_named(side, want.variable) for side in text.split("="))
                given = _line(*text.split("="), names)
            else:
                if text.count("=") == 1:  # "f'(x) = 2x": what is left of = must name the derivative
                    label, text = text.split("=")
                    if not _names_derivative(label, want):
                        raise ValueError(f"\"{label.strip()[:30]}\" = ... does not name {want.noun}: write "
                                         f"{_label_for(want.order, want.variable)} = ... or the expression alone")
                given = E.parse(text, variables=names)
        except E.ExprError as exc:
            raise ValueError(f"your answer: {exc}") from None
        var = E.symbol(want.variable)
        same = solver._same(want.expression, given, var, -3.0, 3.0)
        typed = _typed_undefined(text, names, var, want) if same else None
        if same and typed is None:
            return True, ["right."]
        rounded = _line_in_decimals(want, given, text) if want.noun == "the tangent line" and not same else None
        if rounded and rounded[0]:
            return True, ["right.", f"  {rounded[1]}"]
        lines = ["not right."]
        where = solver._differs(want.expression, given, var, -3.0, 3.0) if typed is None else None
        parts = _line_parts(want.expression, given, var) if want.noun == "the tangent line" and typed is None else None
        if typed is not None:
            lines.append("  " + solver.undefined_line(typed, var, want.noun))
        elif parts:  # of the line solved for y where it was typed otherwise (attack61 F2: 2y = ... quoted halves)
            plain_y = re.fullmatch(r"\s*y\s*=.*|.*=\s*y\s*", text, re.DOTALL)
            lines.append(parts if plain_y else parts.replace("  your slope", "  solved for y, your slope", 1))
        elif where:
            yours, truth = solver.apart(where[1], where[2])
            lines.append(f"  at {var} = {where[0]:g} your answer gives {yours}, but {want.noun} is {truth}")
        else:  # apart by a rational difference, or too little for a point to show: said, as solve --check does (a
            # bare "not right." for 2x + 0.0000000001x: attack38b)
            from workbook import explain

            difference = sp.cancel(solver._expanded(given - want.expression))
            said = explain.pretty(difference)
            if difference != 0:
                lines.append(f"  it differs from {want.noun} by {said}, which is not 0" if len(said) <= 60 else
                             f"  it differs from {want.noun} by less than a decimal shows, but not by 0")
        if rounded:
            lines.append(f"  {rounded[1]}")
        if want.function is not None:  # which slip it looks like, as `workbook solve --check` says
            from workbook import mistakes, steps

            try:
                why = mistakes.diagnose(steps.derive(want.function, var), want.expression, given, want.function,
                                        lambda a, b: solver._same(a, b, var, -3.0, 3.0))
            except steps.StepError:
                why = None
            if why:
                lines.append(f"  it looks like {why}")
        return False, lines
    if want.expressions:
        return _judge_expressions(want, text)
    if want.points:
        return _judge_points(want, text)
    if want.words:
        given = [w.strip().lower() for w in re.split(r"[,;]+|\s+", text) if w.strip()]
        if len(given) != len(want.words):
            raise ValueError(f"give {len(want.words)} words: {want.what}")
        unknown = next((g for g in given if g not in VERDICTS), None)
        if unknown is not None:  # "convex" is not "converges": whole words, as a learner writes them
            raise ValueError(f"{unknown[:30]!r} is not one of converges, oscillates, diverges: {want.what}")
        wrong = [f"  {n}: not {g}" for n, w, g in zip(want.names, want.words, given) if VERDICTS[g] != w]
        return (not wrong), (["right."] if not wrong else ["not right."] + wrong)
    parts = numbers_typed(text, len(want.numbers), want.names)
    if len(parts) != len(want.numbers):
        raise ValueError(f"give {len(want.numbers)} number{'s' if len(want.numbers) > 1 else ''}: {want.what}")
    wrong = []
    for i, (part, truth) in enumerate(zip(parts, want.numbers)):
        try:
            value = number(part)
        except (E.ExprError, TypeError) as exc:
            raise ValueError(f"{part!r} is not a number: {exc}") from None
        name = want.names[i] if i < len(want.names) else f"number {i + 1}"
        known = want.whole[i] if i < len(want.whole) else None
        exactly = None
        if known is not None and solver.exact_form(part):  # 4 + 10^(-14) is not 4 (attack64 F2)
            try:
                exactly = (E.parse(part, variables=()), known)
            except E.ExprError:
                exactly = None
        right, _ = solver._judge_number(value, truth, part, name, relative=0.0 if want.exact else 5e-3,
                                        figures=want.figures[i] if i < len(want.figures) else 0,
                                        known=known, exactly=exactly)
        if not right:
            wrong.append(f"  {name}: {part} is not right")
    return (not wrong), (["right."] if not wrong else ["not right."] + wrong)


def _judge_expressions(want: Expected, text: str) -> tuple[bool, list[str]]:
    """Several expressions in several variables, each compared as a function along each variable
    (the others held) and along slanted lines through the domain."""
    typed = _in_order(parts(text), want)
    if len(typed) != len(want.expressions):
        raise ValueError(f"give {len(want.expressions)} expressions: {want.what}")
    rows = rows_typed(text) if want.columns else None
    tall = len(want.expressions) // want.columns if want.columns else 0
    if rows is not None and rows != [want.columns] * tall:
        shape = (f"  the matrix has {tall} row{'s' * (tall != 1)} of {want.columns}; yours has {len(rows)} "
                 f"row{'s' * (len(rows) != 1)} of {', '.join(map(str, rows))}")
        return False, ["not right.", shape]
    allowed = set(want.variables)
    wrong = []
    for name, truth, part in zip(want.names, want.expressions, typed):
        try:
            given = E.parse(part, variables=allowed)
        except E.ExprError as exc:
            raise ValueError(f"{name}: {exc}") from None
        where = _apart(truth, given, [E.symbol(v) for v in want.variables], want.within)
        if where:
            if math.isnan(where[1]) or math.isnan(where[2]):  # apart as functions, at no point a float reaches
                wrong.append(f"  {name}: not right; it is not the same function as the answer (they differ where "
                             "no sampled point shows a value: simplify yours and compare)")
                continue
            yours, truth = solver.apart(where[1], where[2])
            wrong.append(f"  {name}: not right; at {where[0]} yours gives {yours}, but it is {truth}")
            continue
        # as typed, along each variable, the others held, out past the box and where a piece switches exactly
        along = solver.typed_undefined_along(part, allowed, [E.symbol(v) for v in want.variables], truth, want.within)
        if along is not None:
            at, (_, right, yours) = along
            wrong.append(f"  {name}: not right; at {at} yours is undefined, as typed, but it is {right:.6g}"
                         if yours is None else
                         "  {}: not right; at {} yours gives {}, but it is {}".format(name, at, *solver.apart(yours, right)))
            continue
        # as typed, as the practice page reads it: 0 sqrt(-1 - x^2 - y^2) is 0 to SymPy, and has no value
        hole = solver.typed_undefined_box([part], allowed, [E.symbol(v) for v in want.variables], [truth],
                                          within=want.within)
        if hole:
            at = ", ".join(f"{v} = {x:.4g}" for v, x in hole[0].items())
            wrong.append(f"  {name}: not right; at {at} yours is undefined, as typed, but it is {hole[2]:.6g}")
    return (not wrong), (["right."] if not wrong else ["not right."] + wrong)


def _in_order(typed: list[str], want: Expected) -> list[str]:
    """The expressions typed, put in the order of ``want.names`` by their labels (f_x = ..., ∂f/∂y = ...)
    when they have them: every one labelled, each label naming one of the expressions asked for."""
    if not any(p.count("=") == 1 for p in typed):
        return typed
    return _by_labels(typed, want.names, lambda label: _naming(label, want.variables),
                      f"label every expression (as f_x = ...) or none: {want.what}")


def _by_labels(pieces: list[str], names, key, unlabelled: str) -> list[str]:
    """What each piece says after its label ("f_x = 2x" says "2x"), in the order of ``names``: every piece
    labelled, each label naming (as ``key`` reads it) one of the names, none twice. ValueError otherwise."""
    labels = [p.split("=", 1)[0] if p.count("=") == 1 else None for p in pieces]
    if not all(labels) or len(pieces) != len(names):
        raise ValueError(unlabelled)
    keys = [key(n) for n in names]
    placed: dict[int, str] = {}
    for label, piece in zip(labels, pieces):
        mine = key(label)
        spot = next((i for i, k in enumerate(keys) if mine is not None and k == mine and i not in placed), None)
        if spot is None:
            if mine is not None and mine in keys:  # f_x twice: it names one, given already (attack59 F5: "names none")
                left = [n for i, n in enumerate(names) if i not in placed]
                raise ValueError(f"\"{label.strip()[:30]}\" is given twice; label the other as {', '.join(left)}")
            raise ValueError(f"\"{label.strip()[:30]}\" names none of {', '.join(names)}")
        placed[spot] = piece.split("=", 1)[1]
    return [placed[i] for i in range(len(names))]


def _naming(label: str, variables) -> tuple[str, tuple[str, ...]] | None:
    """What a label names: (the function, the variables it is differentiated by, sorted) for f_x, f_{xy},
    ∂f/∂x, ∂²f/∂y∂x, df/dx or ∂F1/∂x; None for anything else."""
    text = label.replace(" ", "").translate(str.maketrans("²³", "23"))
    if len(text) > 24:  # no label is longer; names that run into each other (x, xx) backtrack on long ones
        return None
    one = "|".join(sorted(map(re.escape, variables), key=len, reverse=True))
    m = re.fullmatch(rf"([A-Za-z]\w*?)_\{{?((?:{one})+)\}}?", text)
    if m:
        return m[1], tuple(sorted(re.findall(one, m[2])))
    m = re.fullmatch(rf"[∂d](?:\^?\d)?([A-Za-z]\w*)/((?:[∂d](?:{one})(?:\^?\d)?)+)", text)
    if not m:
        return None
    wrt = []
    for name, power in re.findall(rf"[∂d]({one})(?:\^?(\d))?", m[2]):
        wrt += [name] * int(power or 1)
    return m[1], tuple(sorted(wrt))


LINES = [((sp.Rational(3, 10), sp.Rational(-7, 10), sp.Rational(11, 10)), (1, sp.Rational(2, 3), sp.Rational(-3, 4))),
         ((sp.Rational(-13, 10), sp.Rational(9, 10), sp.Rational(1, 5)), (sp.Rational(-1, 2), 1, sp.Rational(5, 7)))]


def _apart(truth: sp.Expr, given: sp.Expr, variables: list[sp.Symbol],
           within: sp.Expr | None = None) -> tuple[str, float, float] | None:
    """None when given is truth as a function of the variables (where the function ``within`` has a value, if
    given); else (where, yours, truth) at a point where they differ, where written as "x = .., y = .."."""
    if sp.expand(truth - given) == 0:
        return None
    t = sp.Symbol("t_line")
    for v in variables:  # along each variable, the others held at the check's constants
        held = solver.holding((truth.free_symbols | given.free_symbols) - {v})
        line = {u: t if u == v else held.get(u, solver._CONSTANTS[0]) for u in variables}
        # the function on the same line as the two (its names held as theirs are)
        inside = within.xreplace({**solver.holding(within.free_symbols - {v}), **held}) if within is not None else None
        same, witness = solver._compare(truth, given, v, -3.0, 3.0, within=inside)
        if same is not True:
            found = solver._differs(truth, given, v, -3.0, 3.0, within=inside) or _witnessed(truth, v, witness)
            return _where(found, line, t)
    for start, direction in LINES:  # and along slanted lines, every variable moving
        line = {v: start[i % 3] + direction[i % 3] * t for i, v in enumerate(variables)}
        a, b = truth.xreplace(line), given.xreplace(line)
        inside = within.xreplace(line) if within is not None else None
        same, witness = solver._compare(a, b, t, -3.0, 3.0, within=inside)
        if same is not True:
            return _where(solver._differs(a, b, t, -3.0, 3.0, within=inside) or _witnessed(a, t, witness), line, t)
    found = solver.apart_in_box(truth, given, variables, within=within)  # and at random points of the box: a bump
    if found is not None:  # off the lines
        point, yours, right = found
        return ", ".join(f"{v} = {x:.4g}" for v, x in point.items()), yours, right
    return None


def _witnessed(truth: sp.Expr, var: sp.Symbol, witness) -> tuple[float, float, float] | None:
    """(point, yours, truth) from the comparison's own witness (a point and truth minus yours there), where
    only it saw them apart (at 100 digits, or at a lone switch): "yours gives nan, but it is nan" said nothing
    (attack28)."""
    if witness is None:
        return None
    at, gap = witness
    held = solver.holding(truth.free_symbols - {var})
    try:
        right = float(sp.N(solver.written_out(truth).xreplace(held).xreplace({var: sp.Rational(repr(at))}), 30))
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    return at, right - gap, right


def _where(found, point: dict, t: sp.Symbol) -> tuple[str, float, float]:
    if found is None:  # they differ, but at no point the sampling reached
        return "a point", float("nan"), float("nan")
    at, yours, right = found
    return ", ".join(f"{v} = {float(sp.sympify(e).xreplace({t: sp.Rational(str(at))})):.4g}"
                     for v, e in point.items()), yours, right


def _judge_points(want: Expected, text: str) -> tuple[bool, list[str]]:
    """Critical points in any order, each followed by its kind."""
    n = len(want.variables)
    typed = []
    for entry in _entries(text):
        coords, kind = entry
        if len(coords) != n:
            raise ValueError(f"write each point with {n} coordinate{'s' if n > 1 else ''}: {want.what}")
        try:
            values = tuple(number(c) for c in coords)
        except (E.ExprError, TypeError) as exc:
            raise ValueError(f"({', '.join(coords)}) is not a point: {exc}") from None
        typed.append((coords, values, _kind(kind, coords)))
    lines, left, found = [], list(zip(want.points, want.kinds)), []

    def near(values, coords, point) -> bool:
        return all(solver._judge_number(v, t, c, "")[0] for v, t, c in zip(values, point, coords))

    for coords, values, kind in typed:
        match = next((k for k, (p, _) in enumerate(left) if near(values, coords, p)), None)
        shown = f"({', '.join(coords)})"
        if match is None:
            twice = any(near(values, coords, p) for p in found)
            lines.append(f"  {shown} is given twice" if twice else f"  {shown} is not a critical point")
            continue
        point, truth = left.pop(match)
        found.append(point)
        if KINDS[kind] != truth:
            lines.append(f"  {shown} is a critical point, but not a {kind}")
    if left:
        lines.append(f"  there {'is' if len(left) == 1 else 'are'} {len(left)} more critical "
                     f"point{'s' if len(left) > 1 else ''} to find")
    return (not lines), (["right."] if not lines else ["not right."] + lines)


def _kind(typed: str, coords: list[str]) -> str:
    """The kind a learner wrote after a point ("local minimum", "saddle point"), as a word of KINDS;
    ValueError for none, two, a negation, or a word that is not a kind."""
    words = typed.lower().replace("-", " ").split()
    said = [w for w in words if w not in FILLERS]
    if any(w in NEGATIONS for w in words) or len(said) != 1 or said[0] not in KINDS:
        raise ValueError(f"after the point ({', '.join(coords)}) write what it is: a minimum, a maximum or a "
                         "saddle point")
    return said[0]


def _entries(text: str) -> list[tuple[list[str], str]]:
    """(coordinates, kind) for each "(a, b) kind" typed, separated by commas or semicolons."""
    text = text.translate(str.maketrans("[]{}", "()()")).strip()
    out, i = [], 0
    while i < len(text):
        while i < len(text) and text[i] in " ,;\t":
            i += 1
        if i >= len(text):
            break
        if text[i] != "(":
            m = re.match(r"([^\s,;()]+)\s*([A-Za-z](?:[A-Za-z ]|-(?=[A-Za-z]))*)?", text[i:])
            if not m:
                raise ValueError(f"could not read {text[i:i + 20]!r}: write each point as (a, b) and its kind")
            out.append(([m.group(1)], (m.group(2) or "").strip()))
            i += m.end()
            continue
        depth, j = 0, i
        for j in range(i, len(text)):
            depth += (text[j] == "(") - (text[j] == ")")
            if depth == 0:
                break
        if depth:
            raise ValueError("missing ')'")
        m = re.match(r"\s*([A-Za-z](?:[A-Za-z ]|-(?=[A-Za-z]))*)?", text[j + 1:])
        out.append((parts(text[i + 1:j]), (m.group(1) or "").strip()))
        i = j + 1 + m.end()
    return out


def tangent_checked(result, answer_text: str, at: str) -> tuple[bool, list[str]]:
    """A tangent line typed with --at (y = 2x - 1), judged as the practice page and `show --try` judge one: the page
    sends a line it cannot weigh here, and an equation was refused (attack45 F8)."""
    slope, _ = solver.value_at(result, at)
    point = E.parse(at.strip(), variables=())
    line = sp.expand(result.expr.xreplace({result.var: point}) + slope * (result.var - point))
    if line.free_symbols - {result.var}:
        raise solver.SolveError("a tangent line is judged for an expression in one name alone")
    want = Expected(f"the tangent line at {result.var} = {at.strip()}", line, variable=str(result.var),
                    noun="the tangent line", at=point)
    try:
        right, said = judge(want, answer_text)
    except ValueError as exc:
        raise solver.SolveError(str(exc) if str(exc).startswith("your answer") else f"your answer: {exc}") from None
    head = (f"right: the tangent line to {pretty(result.expr)} at {result.var} = {at.strip()} is "
            f"y = {pretty(line)}" if right else
            f"not right: the tangent line to {pretty(result.expr)} at {result.var} = {at.strip()} is not "
            f"{printable(answer_text.strip())[:80]}")
    told = [t.strip() for t in said if t.strip() and t.strip() not in ("right.", "not right.")]
    return right, [head] + ["  " + t for t in told][:3]


_VECTOR_LABEL = re.compile(r"\s*(?:∇|grad|nabla)\s*f?\s*(?:\((?P<point>[^()=]{1,80})\))?\s*=\s*(?P<rest>[(\[⟨<].*)",
                           re.DOTALL)


def _vector_unlabelled(text: str, at: str | None, names: list[str]) -> str:
    """A gradient typed with one label for the whole vector, as the key writes it: ∇f = (2x y, x^2), grad f = (...),
    ∇f(-1, 0) = (-4, -1) (attack63 F12: "label every number"); a point in the label must be --at's."""
    m = _VECTOR_LABEL.fullmatch(text) if text.count("=") == 1 else None
    if m is None:
        return text
    if m["point"] is not None and at is None:  # ∇f(x, y) = ..., the gradient as a function
        if [p.strip() for p in m["point"].split(",")] != names:
            raise solver.SolveError(f"your answer: \"{printable(text.split('=')[0].strip())[:30]}\" names a point: "
                                    f"give the gradient as a function, ∇f({', '.join(names)}) = ..., or --at the point")
    elif m["point"] is not None:
        try:
            typed = [E.parse(p, variables=()) for p in m["point"].split(",")]
            given = [E.parse(p, variables=()) for p in at.split(",")] if at is not None else None
            same = given is not None and len(typed) == len(given) and all(sp.simplify(a - b) == 0
                                                                          for a, b in zip(typed, given))
        except (E.ExprError, TypeError, ValueError):
            same = False
        if not same:
            raise solver.SolveError(f"your answer: \"{printable(text.split('=')[0].strip())[:30]}\" names another "
                                    "point than --at's: give the gradient there, labelled ∇f = ... or not at all")
    return m["rest"]


def gradient_checked(expression: str, wrt: str | None, answer_text: str, at: str | None) -> tuple[bool, list[str]]:
    """A gradient typed for solve --gradient --check (2x sin(y), x^2 cos(y)), or its value at --at (1, 2), judged as
    the practice page and `show --try` judge one (user55 F4: it was refused, the message naming --order)."""
    grad = solver.gradient(expression, wrt)
    names = grad["variables"]
    function = E.parse(expression)
    others = sorted(str(v) for v in function.free_symbols if str(v) not in names)  # held, as --wrt x holds y
    partials = [E.parse(p, variables=tuple(names + others)) for p in grad["gradient"]]  # worked once, by gradient()
    labels = [f"∂f/∂{n}" for n in names]
    if at is None:
        want = Expected(f"{', '.join(labels)}, as expressions in {', '.join(names + others)}, separated by commas",
                        expressions=tuple(partials), variables=tuple(names + others), names=tuple(labels),
                        within=function)
    else:
        point = solver.gradient_at(grad, at)
        values = [E.parse(v, variables=tuple(names)) for v in point["value"]]
        if not all(v.is_number for v in values):
            raise solver.SolveError("--at: give a number for each of " + ", ".join(names))
        want = _numbers("the gradient's entries, separated by commas", [sp.sstr(v) for v in values], labels)
    answer_text = _vector_unlabelled(answer_text, at, names)
    try:
        right, said = judge(want, answer_text)
    except ValueError as exc:
        raise solver.SolveError(str(exc) if str(exc).startswith("your answer") else f"your answer: {exc}") from None
    where = f" at ({', '.join(names)}) = ({', '.join(p.strip() for p in at.split(','))})" if at is not None else ""
    shown = ", ".join(pretty(p) for p in partials)
    head = (f"right: the gradient of {pretty(function)}{where} is ({shown})" if right and at is None else
            f"right: the gradient of {pretty(function)}{where} is ({', '.join(map(pretty, values))})"
            + ("" if all(v.is_Integer for v in values) else f" = ({', '.join(f'{float(v):.6g}' for v in values)})")
            if right else
            f"not right: the gradient of {pretty(function)}{where} is not {printable(answer_text.strip())[:80]}")
    told = [t.strip() for t in said if t.strip() and t.strip() not in ("right.", "not right.")]
    return right, [head] + ["  " + t for t in told][:4]


def _as_printed(rate: str) -> str:
    """A rate as the question prints it, 0.25, not the claims record's 1/4 (user53 F4: Moodle's blanks said
    "rate 1/4" beside a question that said η = 0.25)."""
    from workbook.numbers import exact_decimal

    try:
        return exact_decimal(sp.Rational(rate))
    except (TypeError, ValueError):
        return rate
