"""Kind `gradient`: partial derivatives, second partials, the gradient, directional derivatives
and the direction of steepest descent, for a function of two or three variables.

Each partial is worked by the step engine (the other variables held constant) and compared with
``sympy.diff``; a mixed second partial is also compared with the one taken in the other order.
Checks: each partial (first or second) against the one measured from f alone over the box; a
gradient at a point against the one measured there coordinate by coordinate; a directional
derivative against the slope measured along the line itself; steepest descent by the slope along
the claimed direction (it must fall at the claimed rate) and along 12 other directions (none may
fall faster).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import sympy as sp
from pydantic import Field, model_validator

from workbook import explain, marking, steps, verify
from workbook import expr as E
from workbook.family import Domain, FunctionFamily, for_asks
from workbook.kind import Ask, Kind
from workbook.kinds.common import contour_data, draw_function, exact_at, given, most_of, shape, whole_around
from workbook.numbers import latex, number_latex, point_latex, vector_latex
from workbook.problem import Degenerate, Math, Problem, Segment, Step, Text, fill, param_math, with_params, words


class GradientFamily(FunctionFamily):
    """Partial derivatives and gradients of a function of two or three variables."""

    kind: Literal["gradient"] = Field(description="`gradient` for this kind.")
    variables: list[str] = Field(["x", "y"], min_length=2, max_length=3,
                                 description="The function's variables, e.g. [\"x\", \"y\"].")
    ask: Literal["partials", "second_partials", "gradient", "directional", "steepest"] = Field(
        "partials", description="Find the first partials, the second partials (mixed ones too), the gradient at "
                                "`point`, the directional derivative at `point` along `direction`, or the direction "
                                "of steepest descent at `point` and its rate.")
    point: list[str] | None = Field(None, description="The point, one expression over the params per variable.",
                                    json_schema_extra=for_asks("gradient", "directional", "steepest"))
    direction: list[str] | None = Field(None, description="The direction (need not be a unit vector).",
                                        json_schema_extra=for_asks("directional"))
    domain: Domain = Field((-2.0, 2.0), description="Where the check samples each variable.")

    @model_validator(mode="after")
    def _consistent(self):
        n = len(self.variables)
        if self.ask in ("gradient", "directional", "steepest") and (self.point is None or len(self.point) != n):
            raise ValueError(f"ask = {self.ask!r} needs point = [...] with {n} coordinates")
        if self.ask == "directional" and (self.direction is None or len(self.direction) != n):
            raise ValueError(f"ask = 'directional' needs direction = [...] with {n} coordinates")
        return self

    def names(self) -> list[str]:
        return list(self.variables)

    def formulas(self):
        extra = []
        for key in ("point", "direction"):
            for i, text in enumerate(getattr(self, key) or []):
                extra.append((f"{key}[{i}]", text, set(self.params), set()))
        return super().formulas() + extra



@dataclass
class Gradient:
    """One solved draw: f and its first partials, each with the step engine's rule trees; for
    second_partials, each second partial (keyed by the indices of its two variables, in the order
    differentiated); at a point, the point and the exact gradient there; then the direction, its
    unit vector and the directional derivative, or the direction of steepest descent and its rate."""

    family: GradientFamily
    params: dict
    f: sp.Expr
    variables: list[sp.Symbol]
    partials: list[sp.Expr]
    trees: list[list]
    seconds: dict[tuple[int, int], tuple[sp.Expr, list]] = field(default_factory=dict)
    others: dict[tuple[int, int], sp.Expr] = field(default_factory=dict)  # each mixed one, in the other order
    point: list[sp.Expr] | None = None
    grad: list[sp.Expr] | None = None
    direction: list[sp.Expr] | None = None
    length: sp.Expr | None = None
    unit: list[sp.Expr] | None = None
    value: sp.Expr | None = None
    descent: list[sp.Expr] | None = None
    rate: sp.Expr | None = None


# ---------------------------------------------------------------- the exact mathematics


def _vector(texts: list[str], params: dict) -> list[sp.Expr]:
    """A point or direction of the family, one expression over the params per coordinate."""
    return [given(t, params) for t in texts]


def solve(family: GradientFamily, params: dict, rng: np.random.Generator) -> Gradient:
    """Draw f (it must depend on every variable) and work each first partial, none of them 0."""
    variables = [E.symbol(n) for n in family.variables]
    f = draw_function(family, params, rng, family.variables)
    for v in variables:
        if not f.has(v):
            raise Degenerate(f"the function does not depend on {v}")
    partials, trees = [], []
    for v in variables:
        worked, d = steps.differentiate(f, v, 1)
        if d == 0:
            raise Degenerate(f"the partial with respect to {v} is 0")
        partials.append(d)
        trees.append(worked)
    return Gradient(family, params, f, variables, partials, trees)


def solve_second(family: GradientFamily, params: dict, rng: np.random.Generator) -> Gradient:
    """Each second partial, differentiating a first partial again; the first mixed one must equal
    the one taken in the other order (sympy.diff), as it does for a smooth function."""
    work = solve(family, params, rng)
    variables = work.variables
    for i in range(len(variables)):
        for j in range(i, len(variables)):
            worked, d = steps.differentiate(steps.again(work.partials[i]), variables[j], 1)
            work.seconds[(i, j)] = d, worked
    for i in range(len(variables)):
        for j in range(i + 1, len(variables)):  # each mixed one taken in the other order too, by the step engine
            _, other = steps.differentiate(steps.again(work.partials[j]), variables[i], 1)
            if not steps.equal(other, work.seconds[(i, j)][0]):
                raise steps.StepError("the mixed partials disagree")
            work.others[(i, j)] = other
    if all(d == 0 for d, _ in work.seconds.values()):
        raise Degenerate("every second partial is 0")
    return work


def solve_at(family: GradientFamily, params: dict, rng: np.random.Generator) -> Gradient:
    """The first partials, then the point and the exact gradient there, which must not be zero."""
    work = solve(family, params, rng)
    work.point = _vector(family.point, params)
    at = dict(zip(work.variables, work.point, strict=True))
    work.grad = [exact_at(d, at) for d in work.partials]
    whole_around(work.f, at)
    if all(g == 0 for g in work.grad):
        raise Degenerate("the gradient is zero at the point")
    return work


def solve_directional(family: GradientFamily, params: dict, rng: np.random.Generator) -> Gradient:
    """The gradient at the point, dotted with the unit vector of the direction (the result not 0)."""
    work = solve_at(family, params, rng)
    work.direction = _vector(family.direction, params)
    work.length = sp.sqrt(sum(c**2 for c in work.direction))
    if work.length == 0:
        raise Degenerate("the direction is the zero vector")
    work.unit = [c / work.length for c in work.direction]
    work.value = steps.tidy(sum(g * u for g, u in zip(work.grad, work.unit, strict=True)))
    if work.value == 0:
        raise Degenerate("the directional derivative is 0")
    return work


def solve_steepest(family: GradientFamily, params: dict, rng: np.random.Generator) -> Gradient:
    """The gradient at the point; steepest descent is -grad / |grad|, at the rate |grad|."""
    work = solve_at(family, params, rng)
    norm = sp.sqrt(sum(g**2 for g in work.grad))
    work.descent = [steps.tidy(-g / norm) for g in work.grad]
    work.rate = steps.tidy(norm)
    return work


# ---------------------------------------------------------------- the independent checks


def _plain_name(wrt: list[sp.Symbol]) -> str:
    """∂f/∂x, ∂²f/∂x², ∂²f/∂y∂x (differentiated by x, then y), for the verified record."""
    if len(wrt) == 1:
        return f"∂f/∂{wrt[0]}"
    if wrt[0] == wrt[1]:
        return f"∂²f/∂{wrt[0]}²"
    return f"∂²f/∂{wrt[1]}∂{wrt[0]}"


def _floats(values) -> list[float]:
    return [float(v) for v in values]


def _at_text(work: Gradient) -> str:
    return "(" + ", ".join(sp.sstr(p) for p in work.point) + ")"


def check(work: Gradient) -> list[verify.Check]:
    """Each first partial against the one measured along its own coordinate, over the box."""
    return [verify.check_partial(work.f, work.variables, [v], d, domain=work.family.domain).of(_plain_name([v]))
            for v, d in zip(work.variables, work.partials, strict=True)]


def check_second(work: Gradient) -> list[verify.Check]:
    """The first partials, then each second partial against the one measured from f alone."""
    out = check(work)
    for (i, j), (d2, _) in work.seconds.items():
        wrt = [work.variables[i], work.variables[j]]
        out.append(verify.check_partial(work.f, work.variables, wrt, d2, domain=work.family.domain)
                   .of(_plain_name(wrt)))
    return out


def check_at(work: Gradient) -> list[verify.Check]:
    """The first partials, and the gradient at the point against the one measured there."""
    measured = verify.check_gradient_at(work.f, work.variables, _floats(work.point), _floats(work.grad))
    return check(work) + [measured.of(f"∇f{_at_text(work)}")]


def check_directional(work: Gradient) -> list[verify.Check]:
    """The gradient, and the directional derivative against the slope measured along the line."""
    along = verify.check_directional(work.f, work.variables, _floats(work.point), _floats(work.unit),
                                     float(work.value))
    return check_at(work) + [along.of(f"D_u f{_at_text(work)}")]


def check_steepest(work: Gradient) -> list[verify.Check]:
    """The gradient; along the claimed direction f falls at the claimed rate, and no other falls faster."""
    point, rate = _floats(work.point), float(work.rate)
    along = verify.check_directional(work.f, work.variables, point, _floats(work.descent), -rate)
    fastest = verify.check_steepest(work.f, work.variables, point, rate)
    return check_at(work) + [along.of("f falls at the rate |∇f| along -∇f/|∇f|"),
                             fastest.of("no direction falls faster than |∇f|")]


# ---------------------------------------------------------------- what the page shows


def _partial_name(f_name: str, wrt: list[sp.Symbol]) -> str:
    if len(wrt) == 1:
        return r"\frac{\partial %s}{\partial %s}" % (f_name, latex(wrt[0]))
    if wrt[0] == wrt[1]:
        return r"\frac{\partial^{2} %s}{\partial %s^{2}}" % (f_name, latex(wrt[0]))
    return r"\frac{\partial^{2} %s}{\partial %s\,\partial %s}" % (f_name, latex(wrt[1]), latex(wrt[0]))


def _placeholders(work: Gradient) -> dict:
    fx, args = latex(work.f), ", ".join(latex(v) for v in work.variables)
    out = with_params({"f": Math(f"f({args}) = {fx}"), "fx": Math(fx)},
                      param_math(work.params), later=("point", "direction"))
    if work.point is not None:
        out["point"] = Math(point_latex(work.point))
    if work.direction is not None:
        out["direction"] = Math(vector_latex(work.direction))
    return out


def _partial_steps(v: sp.Symbol, trees: list, others: list[sp.Symbol], rule: str | None = None,
                   then: sp.Expr | None = None) -> list[Step]:
    """One partial derivative: what is held constant, then the engine's steps one level deeper (ending in ``then``,
    the form it is differentiated again in, where it is)."""
    held = ", ".join(latex(o) for o in others)
    head = Step(rule or f"Partial derivative with respect to {v}", "",
                words("Differentiate with respect to ", Math(latex(v)), ", treating ", Math(held),
                      " as constant" + ("s." if len(others) > 1 else ".")))
    return [head] + explain.as_partials(explain.worked_steps(trees, depth=1, then=then), [v, *others])


def _first_steps(work: Gradient, again: bool = False) -> list[Step]:
    """Each first partial's steps; with ``again``, each ending in the form its second partials differentiate."""
    out = []
    for v, trees, d in zip(work.variables, work.trees, work.partials, strict=True):
        out += _partial_steps(v, trees, [o for o in work.variables if o != v], then=steps.again(d) if again else None)
    return out


def _check_record(work: Gradient, **extra) -> dict:
    return {"type": "gradient", "function": sp.sstr(work.f), "variables": [str(v) for v in work.variables],
            "partials": [sp.sstr(d) for d in work.partials], **extra}


def _join(parts: list[Segment]) -> list[Segment]:
    """The parts separated by semicolons."""
    out: list[Segment] = []
    for i, p in enumerate(parts):
        if i:
            out.append(Text("; "))
        out.append(p)
    return out


def _likeness(work: Gradient) -> str:
    """Problems alike: the same form of f, whatever its coefficients and the point (see common.shape)."""
    return f"gradient {shape(work.f, work.variables)}"


def _at(work: Gradient) -> str:
    """A gradient asked for at a point: two on one sheet at the same point are worked alike (seed 99's #10 and
    #11, 4x² + xy - 2y² and 4x² - 2y² at (1, -2), printed near-identical contour plots)."""
    return f"gradient at {work.point}"


def present(work: Gradient) -> Problem:
    """Find every first partial."""
    pairs = list(zip(work.variables, work.partials, strict=True))
    answer = [Math(f"{_partial_name('f', [v])} = {latex(d)}") for v, d in pairs]
    prompt = fill(work.family.prompt or "Find every first partial derivative of {f}.", _placeholders(work))
    return Problem(identity=str(work.f), likeness=_likeness(work), prompt=prompt, answer=_join(answer),
                   answer_text="; ".join(f"d/d{v}: {sp.sstr(d)}" for v, d in pairs),
                   # of three partials, any two shared is a column copied; of two, either one (read56 F13: two versions'
                   # answers both said ∂f/∂y = -3x - 3y^2)
                   course=most_of("partials", sorted(f"d/d{v}: {sp.sstr(d)}" for v, d in pairs)) if len(pairs) > 2
                   else "\n".join(f"partials d/d{v}: {sp.sstr(d)}" for v, d in pairs),
                   steps=_first_steps(work), claims=_check_record(work))


def present_second(work: Gradient) -> Problem:
    """Find every second partial, mixed ones included."""
    shown, answer, text, seconds = _first_steps(work, again=True), [], [], {}
    for (i, j), (d2, trees) in work.seconds.items():
        v, w = work.variables[i], work.variables[j]
        shown += _partial_steps(w, trees, [o for o in work.variables if o != w],
                                rule=f"Second partial: differentiate the {v}-partial with respect to {w}")
        # a mixed one named in both orders, which the prompt's "mixed ones included" asks for (read49 F5)
        both = f"{_partial_name('f', [v, w])} = {_partial_name('f', [w, v])}" if i != j else _partial_name('f', [v, w])
        answer.append(Math(f"{both} = {latex(d2)}"))
        text.append(f"d2/d{v}d{w}: {sp.sstr(d2)}")
        seconds[f"{v},{w}"] = sp.sstr(d2)
    for (i, j), other in work.others.items():  # worked in the other order, not only said to agree
        v, w = work.variables[i], work.variables[j]
        shown.append(Step("Mixed partials agree", r"%s = \frac{\partial}{\partial %s}\left[%s\right] = %s" % (
            _partial_name("f", [w, v]), latex(v), latex(work.partials[j]), latex(other)), words(
            "Differentiating the ", Math(latex(w)), "-partial with respect to ", Math(latex(v)),
            " gives the same result, as it must for a smooth function (Clairaut's theorem).")))
    default = "Find every second partial derivative of {f}, mixed ones included."
    return Problem(identity=f"{work.f} second", likeness=_likeness(work), prompt=fill(work.family.prompt or default, _placeholders(work)),
                   course=most_of("second partials", sorted(text)),
                   answer=_join(answer), answer_text="; ".join(text), steps=shown,
                   claims=_check_record(work, second_partials=seconds))


def _at_steps(work: Gradient) -> list[Step]:
    """The first partials, then each evaluated at the point."""
    put = r",\; ".join(f"{latex(v)} = {latex(p)}" for v, p in zip(work.variables, work.point, strict=True))
    evaluate = Step("Evaluate at the point", r"\nabla f%s = %s" % (point_latex(work.point), vector_latex(work.grad)),
                    words("Put ", Math(put), " into each partial derivative."))
    return _first_steps(work) + [evaluate]


def _at_record(work: Gradient, **extra) -> dict:
    return _check_record(work, at=[sp.sstr(p) for p in work.point], gradient=[sp.sstr(g) for g in work.grad],
                         **extra)


def _function_course(work: Gradient) -> str:
    """A problem at a point's function, its course: two versions' x² + xy + y² at (1, 0) and at (2, -1) shared every
    partial, only the numbers put in apart (read59 F2)."""
    return f"function {sp.sstr(work.f)}"


def present_gradient(work: Gradient) -> Problem:
    """Find the gradient at the point, drawn on the contours when f has two variables."""
    default = "Find the gradient of {f} at the point {point}."
    answer = Math(r"\nabla f%s = %s" % (point_latex(work.point), vector_latex(work.grad)))
    text = f"grad f{tuple(work.point)} = ({', '.join(sp.sstr(g) for g in work.grad)})"
    prompt = fill(work.family.prompt or default, _placeholders(work))
    return Problem(identity=f"{work.f} at {work.point}", likeness=_likeness(work), setting=_at(work), prompt=prompt, answer=[answer], answer_text=text,
                   course=_function_course(work),
                   steps=_at_steps(work), claims=_at_record(work), **_figures(work, GRADIENT))


def _bracketed(e: sp.Expr) -> str:
    """A factor of a written product: in brackets where it is negative or a sum."""
    return rf"\left({latex(e)}\right)" if e.could_extract_minus_sign() or e.is_Add else latex(e)


def present_directional(work: Gradient) -> Problem:
    """Find the directional derivative at the point along the direction; the number an LMS grades."""
    shown = _at_steps(work) + [
        Step("Unit direction", r"\hat{u} = \frac{%s}{%s} = %s" % (
            vector_latex(work.direction), latex(work.length), vector_latex(work.unit)),
             words("Divide the direction by its length so that it measures change per unit step.")),
        # the products written out: "= −1" alone skipped the dot product the step is named for (read41)
        Step("Dot product", r"D_{\hat{u}} f = \nabla f \cdot \hat{u} = %s = %s" % (" + ".join(
            rf"{_bracketed(g)} \cdot {_bracketed(u)}" for g, u in zip(work.grad, work.unit, strict=True)),
            number_latex(work.value)),
             words("The rate of change along ", Math(r"\hat{u}"), " is the gradient dotted with it.")),
    ]
    default = "Find the directional derivative of {f} at {point} in the direction of {direction}."
    check = _at_record(work, direction=[sp.sstr(c) for c in work.direction], directional=sp.sstr(work.value))
    return Problem(identity=f"{work.f} at {work.point} along {work.direction}", likeness=_likeness(work), setting=_at(work),
                   course=_function_course(work),
                   prompt=fill(work.family.prompt or default, _placeholders(work)),
                   answer=[Math(r"D_{\hat{u}} f%s = %s" % (point_latex(work.point), number_latex(work.value)))],
                   answer_text=sp.sstr(work.value), steps=shown, claims=check, **_figures(work, DIRECTIONAL),
                   numeric=float(work.value))


def present_steepest(work: Gradient) -> Problem:
    """Find the unit direction in which f falls fastest at the point, and the rate."""
    descent, rate = vector_latex(work.descent), number_latex(work.rate)
    shown = _at_steps(work) + [Step(
        "Steepest descent", r"-\frac{\nabla f}{\|\nabla f\|} = %s,\quad \|\nabla f\| = %s" % (
            descent, rate),
        words("The gradient points uphill fastest; its negative, scaled to length 1, points downhill fastest, "
              "and ", Math("f"), " falls at the rate ", Math(r"\|\nabla f\|"),
              ". This is the direction gradient descent steps in."))]
    default = "At the point {point}, in which unit direction does {f} decrease fastest, and at what rate?"
    check = _at_record(work, descent_direction=[sp.sstr(c) for c in work.descent], rate=sp.sstr(work.rate))
    text = f"direction ({', '.join(sp.sstr(c) for c in work.descent)}), rate {sp.sstr(work.rate)}"
    prompt = fill(work.family.prompt or default, _placeholders(work))
    return Problem(identity=f"{work.f} at {work.point}", likeness=_likeness(work), setting=_at(work), prompt=prompt,
                   course=_function_course(work),
                   answer=[Math(r"\hat{u} = %s" % descent), Text("; rate "), Math(rate)], answer_text=text,
                   steps=shown, claims=check, **_figures(work, STEEPEST))


GRADIENT = ("Sketch the gradient at the marked point: it points uphill, at right angles to the contour line "
            "through the point.")
DIRECTIONAL = ("Sketch the direction you are given and the gradient at the marked point; the directional derivative "
               "is how much of the gradient lies along that direction.")
STEEPEST = ("Sketch the direction of steepest descent at the marked point: downhill, at right angles to the contour "
            "line through the point.")


def _figures(work: Gradient, instruction: str) -> dict:
    """The solution's figure, and the worksheet's: the contours and the point, the arrows left to the student."""
    figure = _figure(work)
    return {"figure": figure, "worksheet_figure": marking.contour(figure, instruction) if figure else None}


def _figure(work: Gradient) -> dict | None:
    """For two variables, the contours around the point with the gradient and its negative."""
    if len(work.variables) != 2:
        return None
    point, grad = _floats(work.point), _floats(work.grad)
    data = contour_data(work.f, work.variables, (point[0], point[1]))
    arrows = [{"vector": grad, "label": r"\nabla f", "color": "#c0504d"},
              {"vector": [-g for g in grad], "label": r"-\nabla f", "color": "#2e7d32"}]
    said = ""
    if work.unit is not None:  # a directional derivative: the direction it is taken along, drawn too
        unit = _floats(work.unit)
        # û as the steps write the unit direction, not a bare u (read26)
        arrows.append({"vector": unit, "label": r"\hat{u}", "color": "#1f4e79"})
        said = f"; the direction \u00fb = ({unit[0]:.3g}, {unit[1]:.3g}) is drawn from the same point"
    through = float(work.f.subs(dict(zip(work.variables, work.point, strict=True))))
    return {"kind": "contour", **data, "point": point, "arrows": arrows, "through": through,
            "xlabel": str(work.variables[0]), "ylabel": str(work.variables[1]), "label": f"f = {latex(work.f)}",
            "alt": (f"Contour lines of f near the point ({point[0]:g}, {point[1]:g}); the gradient arrow "
                    f"({grad[0]:.3g}, {grad[1]:.3g}) points uphill across the contours and its negative points "
                    f"downhill{said}.")}


def givens(claims: dict) -> dict[str, list[str]]:
    """The point and the direction, where the problem has them."""
    return {key: list(claims[key]) for key in ("at", "direction") if key in claims}


KIND = Kind("gradient", GradientFamily, {
    "partials": Ask(solve, check, present),
    "second_partials": Ask(solve_second, check_second, present_second),
    "gradient": Ask(solve_at, check_at, present_gradient),
    "directional": Ask(solve_directional, check_directional, present_directional),
    "steepest": Ask(solve_steepest, check_steepest, present_steepest),
}, givens)
