"""What every family file has, whatever its kind: the common keys and how parameters are drawn.

Each kind's own schema (its extra keys) lives in its file in ``workbook/kinds/`` and extends
``Family`` or ``FunctionFamily``.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from typing import Annotated

import numpy as np
import sympy as sp
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from workbook.errors import shows_something
from workbook.problem import (
    PLACEHOLDER,
    OutOfRange,
    PlaceholderError,
    formula,
    formula_names,
    formulas_of,
    prompt_tokens,
    prompt_words,
)

SLUG_MOST = 48  # characters
SLUG = r"^[a-z0-9][a-z0-9-]{0,%d}$" % (SLUG_MOST - 1)


def _domain(value: tuple[float, float]) -> tuple[float, float]:
    lo, hi = value
    if not (-1000 <= lo < hi <= 1000):  # NaN compares false: refused too
        raise ValueError("domain must be [low, high] with low < high, within ±1000")
    return value


# where a kind's check samples points: every kind's, checked as its file loads (a chain family's [1, 1] had
# recorded 16 points that were one, and [nan, nan] was found only by drawing: attack23)
Domain = Annotated[tuple[float, float], AfterValidator(_domain)]
ONE_LINE = r"^[^\n\r\t]*$"  # a title or a date: printed on one line, in a listing or a running header
TITLE = r"^[^\n\r\t]*\S[^\n\r\t]*$"  # and a title shows something: " " was a title (attack30)


def _shown(text: str) -> str:
    if not shows_something(text):  # "\u200b\u2060" headed every page with nothing (attack62 F2)
        raise ValueError("the title shows nothing (only invisible characters); give it words")
    return text


Title = Annotated[str, AfterValidator(_shown)]  # a title that prints something
NAME = r"^[A-Za-z][A-Za-z0-9_]{0,15}$"
NAME_RULE = "a letter, then up to 15 letters, digits or underscores"
MAX_BOUND = 10_000
MAX_PLACEHOLDERS = 12  # in a prompt; the built-in ones use at most 5
DISTINCT_TRIES = 100  # draws of the params for one problem before a ``distinct`` group is given up
DIGITS = 12  # the most digits a parameter's value may have, written as a fraction: 0.000001 or 9999.5


def _arrays_as_tuples(model: type[BaseModel], data):
    """A TOML array given for a pair (``int = [1, 5]``, ``domain``) as the tuple a strict model takes; its
    items are then checked strictly, each a number."""
    if not isinstance(data, dict):
        return data
    fields = {(f.alias or name): f.annotation for name, f in model.model_fields.items()}
    return {key: tuple(value) if isinstance(value, list) and "tuple[" in str(fields.get(key)) else value
            for key, value in data.items()}


class Param(BaseModel):
    """How one parameter is drawn: exactly one of ``int``, ``decimal`` or ``choice``."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, strict=True)

    _pairs = model_validator(mode="before")(lambda cls, data: _arrays_as_tuples(cls, data))

    int_: tuple[int, int] | None = Field(None, alias="int", description="A whole number from [low, high].")
    decimal: tuple[float, float] | None = Field(
        None, description="A decimal from [low, high] on a grid of `step` (shown as written, used exactly).")
    step: float | None = Field(None, gt=0, le=100, description="The grid spacing of a `decimal`, e.g. 0.5.")
    choice: list[int | float] | None = Field(None, min_length=1, max_length=100,
                                             description="One of these numbers.")
    nonzero: bool = Field(False, description="Never draw 0.")
    exclude: list[int | float] = Field(default_factory=list, max_length=100,
                                       description="Values never drawn.")

    @model_validator(mode="after")
    def _one_source(self):
        given = [k for k in ("int_", "decimal", "choice") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of int, decimal or choice")
        numbers = [*(self.int_ or ()), *(self.decimal or ()), *([self.step] if self.step else []),
                   *(self.choice or ()), *self.exclude]
        for v in numbers:
            if not math.isfinite(v):
                raise ValueError(f"{v} is not a number to draw")
            exact = Fraction(str(v))
            if max(abs(exact.numerator), exact.denominator) >= 10**DIGITS:
                raise ValueError(f"{v} has more than {DIGITS} digits; use numbers such as 0.001 or 2500")
        for bounds in (self.int_, self.decimal):
            if bounds is not None:
                lo, hi = bounds
                if lo > hi:
                    raise ValueError(f"the range [{lo}, {hi}] is empty: low must not exceed high")
                if max(abs(lo), abs(hi)) > MAX_BOUND:
                    raise ValueError(f"bounds must lie within ±{MAX_BOUND}")
        if self.decimal is not None:
            if self.step is None:
                raise ValueError("a decimal needs a step, e.g. step = 0.5")
            if (self.decimal[1] - self.decimal[0]) / self.step > 100_000:
                raise ValueError("too many values: widen the step or narrow the range")
        elif self.step is not None:
            raise ValueError("step only goes with decimal")
        if self.size() < 1:
            raise ValueError("no value is left to draw once nonzero and exclude are applied")
        missing = [v for v in self.exclude if not self._can_draw(_exact(v))]
        if missing:  # it excluded nothing: a typo, or a range the author meant to be wider (attack27)
            raise ValueError(f"exclude: {missing[0]} is not a value this parameter draws; remove it or fix the range")
        if self.nonzero and not self._can_draw(sp.Integer(0)):  # the same typo: it removed nothing (attack29)
            raise ValueError("nonzero: 0 is not a value this parameter draws; remove it or fix the range")
        return self

    def _can_draw(self, value: sp.Rational) -> bool:
        """Whether the value is one of the grid's (or the choices'), before any is banned."""
        if self.choice is not None:
            return value in {_exact(c) for c in self.choice}
        return self._index(value) is not None

    def _index(self, value: sp.Rational) -> int | None:
        """The value's place on the grid of an int or a decimal, or None where it is off the grid."""
        lo, step, last = self._grid()
        j = (Fraction(int(value.p), int(value.q)) - lo) / step
        return int(j) if j.denominator == 1 and 0 <= j <= last else None

    def written_decimal(self) -> bool:
        """Whether its values are written as decimals: a `decimal`, or a `choice` holding one (0.1, 0.25)."""
        return self.decimal is not None or any(isinstance(c, float) and not c.is_integer() for c in self.choice or ())

    def size(self) -> int:
        """How many values this parameter can take."""
        return self._grid()[2] + 1 - len(self._banned())

    def value(self, k: int) -> sp.Rational:
        """The k-th value it can take, in order, exactly, without listing the others (a decimal may
        have 100 000 values): the k-th point of the grid, stepping over the banned ones."""
        lo, step, _ = self._grid()
        if self.choice is not None:
            return [v for v in (_exact(c) for c in self.choice) if v not in self._banned_values()][k]
        j = k
        for banned in self._banned():  # ascending
            if banned <= j:
                j += 1
            else:
                break
        return sp.Rational(lo + j * step)

    def _grid(self) -> tuple[Fraction, Fraction, int]:
        """(first value, step, index of the last): the grid the values lie on (a choice: its list)."""
        if self.int_ is not None:
            return Fraction(self.int_[0]), Fraction(1), self.int_[1] - self.int_[0]
        if self.decimal is not None:
            lo, step = Fraction(str(self.decimal[0])), Fraction(str(self.step))
            return lo, step, int((Fraction(str(self.decimal[1])) - lo) / step)
        return Fraction(0), Fraction(1), len(self.choice) - 1

    def _banned_values(self) -> set[sp.Rational]:
        return {_exact(v) for v in self.exclude} | ({sp.Integer(0)} if self.nonzero else set())

    def _banned(self) -> list[int]:
        """The grid indices of the values never drawn, ascending (each once)."""
        banned = self._banned_values()
        if self.choice is not None:
            return sorted(i for i, c in enumerate(self.choice) if _exact(c) in banned)
        return sorted({j for j in map(self._index, banned) if j is not None})


def _exact(v: float) -> sp.Rational:
    """The number as written in the file, exactly: 0.1 is 1/10, not a binary float."""
    return sp.Rational(str(Fraction(str(v))))


def for_asks(*asks: str) -> dict:
    """A key only these asks read (a field's ``json_schema_extra``): a family that gives it with another ask
    is refused, naming the key, since the key would do nothing (an ``at`` without ask = "value" printed a
    plain derivative, attack25 D21)."""
    return {"asks": list(asks)}


class Family(BaseModel):
    """What every family file has, whatever its kind."""

    # strict: a file's "2", true or "no" is not read as 2, 1 or False: a quoted number is a mistake to name
    model_config = ConfigDict(extra="forbid", strict=True)

    _pairs = model_validator(mode="before")(lambda cls, data: _arrays_as_tuples(cls, data))

    id: str = Field(pattern=SLUG, description="Unique id, lower case with dashes, e.g. `chain-two-levels`.")
    title: Title = Field(min_length=1, max_length=80, pattern=TITLE, description="A short title shown in listings.")
    topic: str = Field(pattern=SLUG, description="The topic an edition can pick by, e.g. `chain-rule`.")
    difficulty: int = Field(ge=1, le=3, description=(
        "1 (warm-up) to 3 (challenging), printed as stars: let it follow the work the solution writes (a warm-up "
        "is a few lines; a long forward and backward pass is three stars)."))
    kind: str = Field(description="The kind of problem; decides the keys below.")
    description: str = Field("", max_length=500, description="One or two sentences for authors and listings.")
    params: dict[str, Param] = Field(default_factory=dict, max_length=30,
                                     description="The parameters and how each is drawn (at most 30).")
    distinct: list[list[str]] = Field(default_factory=list,
                                      description="Groups of parameters that must all differ, e.g. [[\"a\", \"b\"]].")
    prompt: str | None = Field(None, max_length=500,
                               description="The question, with placeholders like {f}; the kind's default if left out.")
    path: str = Field("", exclude=True, description="Where the family was read from (set by the loader).")

    @model_validator(mode="after")
    def _prompt_fills_in_little(self):
        """Each placeholder prints a whole formula: a prompt of 150 {f}s would take minutes to lay out."""
        formulas = formulas_of(self.prompt or "")  # as fill() reads them (one after a brace too: attack56 F1)
        # a formula holding a brace ({= y = {a}}) is no formula: its text printed as it stood (attack41)
        if len(re.findall(r"(?<!\{)\{=", self.prompt or "")) > len(formulas):
            raise ValueError("prompt: a formula {= ...} may not hold a brace: write a parameter by its name in it "
                             "({= a x + b}), which prints its value")
        if self.prompt is not None and len(PLACEHOLDER.findall(self.prompt)) + len(formulas) > MAX_PLACEHOLDERS:
            raise ValueError(f"prompt: at most {MAX_PLACEHOLDERS} placeholders such as {{f}}")
        for text in formulas:  # each read as the file loads, not at a draw
            try:
                formula(text)
            except PlaceholderError as exc:
                raise ValueError(f"prompt: {exc}") from None
        return self

    @model_validator(mode="after")
    def _keys_the_ask_reads(self):
        ask = getattr(self, "ask", None)
        for name in sorted(self.model_fields_set, key=list(type(self).model_fields).index):
            extra = type(self).model_fields[name].json_schema_extra
            asks = extra.get("asks") if isinstance(extra, dict) else None
            if ask is not None and asks and ask not in asks:
                named = " or ".join(repr(a) for a in asks)
                raise ValueError(f"{name}: ask = {ask!r} does not read it ({name} is for ask = {named}); "
                                 f"remove it, or change ask")
        return self

    def formulas(self) -> list[tuple[str, str, set[str], set[str]]]:
        """(key, text, names allowed, names that must appear) for every expression in the file."""
        return []

    def unused(self) -> list[str]:
        """The parameters no expression and no prompt uses, each of which would be drawn for nothing (and a
        `distinct` on it cost redraws for nothing: attack28). Asked once the file has validated, when
        formulas() lists every expression it holds."""
        texts = [text for _, text, _, _ in self.formulas()] + [self.prompt or ""]
        used = {name for text in texts if isinstance(text, str) for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text)}
        return [name for name in self.params if name not in used]

    def idle_distinct(self) -> list[int]:
        """The ``distinct`` groups whose parameters can never be equal, their values apart (int [1, 2] and int
        [3, 4]): each asks nothing (attack30). Only parameters of at most 2000 values are looked at."""
        idle = []
        for i, group in enumerate(self.distinct):
            if not set(group) <= set(self.params) or any(self.params[n].size() > 2000 for n in group):
                continue
            values = [{self.params[n].value(k) for k in range(self.params[n].size())} for n in group]
            if all(not a & b for j, a in enumerate(values) for b in values[j + 1:]):
                idle.append(i)
        return idle

    def declared_names(self) -> list[tuple[str, list[str] | str]]:
        """(key, its name or names) for every key that names something the problem prints, each checked
        as a name of the expression language by the loader (a name is never markup or math)."""
        return [(key, value) for key in ("variable", "variables", "parameters")
                if (value := getattr(self, key, None)) is not None]

    def draw_params(self, rng: np.random.Generator) -> dict[str, sp.Rational]:
        """Draw each parameter in file order; redraw a group until its values differ."""
        for _ in range(DISTINCT_TRIES):
            values = {}
            for name, spec in self.params.items():
                values[name] = spec.value(int(rng.integers(spec.size())))
            alike = [i for i, group in enumerate(self.distinct) if len({values[n] for n in group}) < len(group)]
            if not alike:
                return values
        group = self.distinct[alike[0]]  # a slot none of whose draws meets it stops the build, naming this key
        raise OutOfRange(f"distinct[{alike[0]}]", f"was never met in {DISTINCT_TRIES} tries: {', '.join(group)} "
                         "must all differ",
                         ", ".join(f"{n} = {values[n]}" for n in group)[:60])

    def never_distinct(self, group: list[str]) -> str | None:
        """Why the parameters of a ``distinct`` group can never all differ, or None: each must be given a
        value of its own. One with as many values as the group has names always has one left over, so
        only those with fewer are matched to values (augmenting paths)."""
        if len(set(group)) < len(group):
            return "names a parameter twice, and it cannot differ from itself"
        few = {n: [self.params[n].value(k) for k in range(self.params[n].size())] for n in group
               if self.params[n].size() < len(group)}
        owner: dict = {}  # value -> the parameter given it

        def give(name: str, tried: set) -> bool:
            for value in few[name]:
                if value not in tried:
                    tried.add(value)
                    if value not in owner or give(owner[value], tried):
                        owner[value] = name
                        return True
            return False

        for name in few:
            tried: set = set()
            if not give(name, tried):
                stuck = sorted({name} | {owner[v] for v in tried}, key=group.index)
                shown = ", ".join(map(str, sorted(tried)))
                return (f"{', '.join(stuck)} can never all differ: between them they take only "
                        f"{len(tried)} value{'s' * (len(tried) != 1)} ({shown}); widen their ranges")
        return None


class FunctionFamily(Family):
    """A family built on a function given as an expression over its parameters."""

    expression: str | None = Field(None, max_length=400,
                                   description="The function, in the expression language, over the params.")
    expressions: list[str] | None = Field(None, min_length=1, max_length=20,
                                          description="Alternatives; each draw picks one.")
    domain: Domain = Field((-3.0, 3.0), description="Where the check samples points.")

    @model_validator(mode="after")
    def _one_expression(self):
        if (self.expression is None) == (self.expressions is None):
            raise ValueError("give exactly one of expression or expressions")
        return self

    @model_validator(mode="after")
    def _prompt_states_the_function(self):
        """A prompt of the author's own says the function drawn (attack55 F3: "Let {= f(x) = x^3 + 1}. Find {dfx}."
        for a draw of a x²: the key said 4x and the Moodle quiz marked 3x² wrong). Its value is in {f} or {fx}; a
        formula of the author's own may not define the function's name otherwise."""
        if self.prompt is None:
            return self
        tokens = prompt_tokens(self.prompt)
        if not any(m[1] in ("f", "fx") for m in tokens):
            import difflib

            # a typo of {f} or {fx} named, which the author believes says it (user57 F7: {fxx} was told to put {f})
            near = [m[1][:30] for m in tokens if not m[1].startswith("=") and difflib.get_close_matches(m[1], ["f", "fx"])]
            typo = f" ({{{near[0]}}} is no placeholder: a typo of {{f}} or {{fx}}?)" if near else ""
            raise ValueError("prompt: never says the function drawn, which the answer is about: put {f} (or {fx}) in "
                             f"it{typo}")
        name = getattr(self, "function", "f")
        for text in formulas_of(self.prompt):  # a formula naming the function anywhere (x^3 + 1 = f(x): attack56 F1)
            try:
                named = name in formula_names(text)
            except (ValueError, TypeError, RecursionError):
                named = False  # (a formula that cannot be read is refused with its own line)
            if named:
                raise ValueError(f"prompt: the formula {{={text[:30]}}} names {name}, the function drawn, which only "
                                 f"{{f}} prints: write {{f}} for it")
        text = prompt_words(self.prompt)  # and its own words: "Let f(x) = x^3 + 1." as text
        if re.search(rf"(?<![\w']){re.escape(name)}\s*\([^()=]*\)\s*=", text):
            raise ValueError(f"prompt: its text writes {name}(...) = itself, where the function is the one drawn: "
                             f"write {{f}} for it")
        return self

    def templates(self) -> list[str]:
        return [self.expression] if self.expression is not None else list(self.expressions)

    def names(self) -> list[str]:
        """The function's variables."""
        raise NotImplementedError

    def formulas(self) -> list[tuple[str, str, set[str], set[str]]]:
        """(key, text, names allowed, names that must appear) for every expression in the file."""
        params = set(self.params)
        key = "expression" if self.expression is not None else "expressions"
        out = []
        for i, text in enumerate(self.templates()):
            where = key if self.expression is not None else f"{key}[{i}]"
            out.append((where, text, params | set(self.names()), set(self.names())))
        return out
