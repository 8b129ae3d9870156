"""Drawing many slots at once in a pool of workers, with the same result whatever the number of workers.

Each slot's first draw runs in parallel. A draw that is degenerate, fails its check, overruns its
budget or its memory is redrawn from the next derived seed; a worker that dies is given the same
draw once more (a draw must not change because a process was killed from outside). Repeats are
settled afterwards in slot order, so the result never depends on timing.

    >>> draw([Slot(family, "Chain rule#0")], edition_seed=2026, pool=InlinePool())[0]["answer"]
"""

from __future__ import annotations

import hashlib
import json
import math
import platform
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np
import sympy as sp

from workbook.cache import Store, digest
from workbook.errors import BuildError
from workbook.family import Family
from workbook.generate import REDRAW, generate_one
from workbook.problem import Degenerate, OutOfRange, PlaceholderError
from workbook.seeds import derive_seed
from workbook.workers import InlinePool, Outcome, Pace, Pool, default_jobs

MAX_ATTEMPTS = 40
LIKENESS_TRIES = 24  # draws tried for one not like another on its sheet, before one alike is taken (a family
# of three optimizers whose last one is wanted misses it in 12 draws one time in a hundred: seed 3 did)
BUDGET = 5.0  # seconds of wall-clock time a single draw may take before its worker is killed
SLOW_RETRY = 3  # a draw that overran its budget is drawn again from the same seed with this many times the budget
MAX_OVERRUNS = 3  # draws of one slot that overrun their budget (or memory) before the family is given up
FAMILY_FUSE = 20.0  # seconds of failed draws a family may cost before its first sound one, then it is given up
REPEATS = "repeats a problem already on the sheet"
TOO_MUCH = "check its expressions, domain and parameter ranges (see docs/families.md)"  # the file's mistake: exit 2
SLOW = TOO_MUCH + ", or build where the machine is less busy"  # draws that overran: perhaps the machine's, exit 1
# seconds a draw may take on average over a run: the built-in families take under 0.05 s, the slowest draw 0.1 s
DRAW_ALLOWANCE = 0.5


def files_fault(outcomes) -> bool:
    """Whether a slot's failed draws are its family file's doing (exit 2): none succeeded, and at least half were
    refused by the family's own checks. Draws that overran their budget may be a busy machine's (exit 1), but a family
    whose ranges make most draws impossible (exp(a x) with a up to 10 000) is the file's however many others overran
    on the way (attack58 F4: 40 draws, some refused and some slow, exited 1)."""
    outcomes = [o for o in outcomes if o is not None]
    refused = sum(o.kind == "raised" for o in outcomes)
    return bool(outcomes) and not any(o.ok for o in outcomes) and 2 * refused >= len(outcomes)


@dataclass
class Slot:
    """One problem to draw: its family, its slot name (part of its seed) and its repeat group.

    Draws in the same ``group`` never repeat a problem; ``group=None`` skips the repeat check.
    Draws on the same ``sheet`` are never alike (see Problem.likeness), nor like an ``example``; the
    examples are drawn first. ``counted`` slots tick the progress callback (the worked examples do not).
    """

    family: Family
    slot: str
    group: str | None = "sheet"
    counted: bool = True
    seed: int | None = None  # the seed its draws derive from, if not the edition's
    sheet: str | None = None
    example: bool = False
    # the section's other families, tried (LIKENESS_TRIES draws each) where every draw of ``family`` is like
    # one already on the sheet: a fourth optimizer slot of a family of two forms, both taken
    alternates: tuple[Family, ...] = ()
    # its place in every copy (the slot's name without the copy's suffix): the copies' draws at one place are held
    # to the stars of the first taken there, the draw without a suffix (version A's, or the edition's own drawn for
    # the roster's sake), so that parallel versions and students' sheets ask the same work (user47: version B's
    # Adam, ★★★ and 6 points, where A and C had RMSprop, ★★ and 4)
    place: str | None = None
    # held to the form of the first copy's draw at its place as well (which of the family's expressions, graphs,
    # activations, optimizers: kinds.common.pick), its numbers its own: parallel versions practise the same skill
    # at a place (read48 F9, read49 F8, read50 F8: tanh(5x) in A, x σ(x) in C). The form is given to the draw, not
    # searched for among draws (a search made the 30-version benchmark 2.6 times slower). Not for a roster, whose
    # students would share more problems
    same_form: bool = False
    section: int = 0  # its section's place in the edition: a problem keeps clear of the rules the examples up to it use


EXAMPLES = "\0examples"  # the likenesses of the worked examples, among the groups of ``seen``
EXAMPLE_RULES = "\0example rules"  # the table's rules the worked examples use, by their section: "... 0", "... 1"
OTHER_STARS = "other stars than the same place's in the first copy"
SHOWN = "derives a rule a worked example before it uses"
CRAMPED = "of a form with too few draws for the versions held to it"
COURSE = "\0course "  # a draw's course, among its group's identities
SHEET_RULES = "\0sheet rules"  # the table's rules each problem taken on a sheet uses, with its place there


ROOM = 2  # a copy's draw is held to its place's form while the form has a draw to spare past the copies up to it
ROOMY_TRIES = 8  # draws a first copy tries for a form with room for its copies, before one without is taken


def _room(family: Family, form: tuple[int, ...]) -> int:
    """About how many draws a form of the family has: its parameters' values multiplied out, only those its
    expression names where the form picks one of the family's expressions (the product rule's (x + a) ln x has 5;
    held in 30 versions, 25 of them drew 24 repeats each before taking another form: 630 draws for nothing)."""
    names = list(family.params)
    templates = getattr(family, "templates", None)
    if callable(templates) and form and 0 <= form[0] < len(templates()):
        def named(text: str) -> set[str]:
            return set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text))

        # its own expression's, and those no expression names (a start, a rate, a point: read52 F5 found a descent's
        # form not held, its start and rate left out of the count)
        anywhere = set().union(*(named(t) for t in templates()))
        names = [n for n in names if n in named(templates()[form[0]]) or n not in anywhere]
    return math.prod(family.params[n].size() for n in names)


def _stars(record: dict) -> str:
    return str(record.get("difficulty"))


def _likes(record: dict) -> frozenset[str]:
    """What a draw must not share with another on its sheet or with a worked example: its likeness (its
    form), and its setting and course where its kind gives them (a descent's start, rate and steps, and its
    distances from the minimum; see Problem)."""
    return frozenset(filter(None, (record.get("likeness") or record["identity"], record.get("setting"),
                                   *_courses(record))))


def _courses(record: dict) -> list[str]:
    """A draw's courses: the work it fills in, one a line where a kind gives several (any one shared is a
    column copied: two of three second partials the same, a Nesterov table's first row)."""
    course = record.get("course")
    return course.split("\n") if isinstance(course, str) and course else []


def _too_like(record: dict, sheet: set | None, seen: dict[str, set[str]], group: set | None = None) -> int:
    """How much the draw is like what is drawn already (0: not at all): a likeness shared with one on its sheet or
    with a worked example, or a part of its work (a course) with one anywhere in its group, each counted: parallel
    versions' neighbours copy each other's columns, and where every draw shares one, the draw sharing fewest is
    taken (read57 F9: a fourth version's Jacobian took both rows of another's where one was to be had)."""
    likes = _likes(record)
    shared = sum(COURSE + course in group for course in _courses(record)) if group is not None else 0
    if sheet is not None:
        shared += len(likes & sheet) + len(likes & seen.get(EXAMPLES, set()))
    return shared


def _derives_shown(record: dict, seen: dict[str, set[str]], section: int, sheet: str | None = None) -> bool:
    """Whether the draw derives from its definition a rule that a worked example of its section, or of one before,
    uses (read47 F2: a Module 3 example printed tanh' = 1 - tanh² three pages before the problem asking to show it,
    whose rule the cover left blank), or a problem of a section before it on its sheet uses, so that the cover prints the rule
    the problem asks to show (read52 F1: version C's cover gave tanh' = 1 - tanh², for its problem 6's tanh²(2x),
    and its problem 18 asked to derive it). Only a preference: every form of the family that derives may be shown."""
    before = set().union(*(seen.get(f"{EXAMPLE_RULES} {k}", ()) for k in range(section + 1)))
    for entry in seen.get(f"{SHEET_RULES} {sheet}", ()) if sheet is not None else ():
        at, rules = entry
        if at[0] < section:  # a section before (one of its own leaves the rule blank: quoted.left_blank)
            before |= rules
    if not before:
        return False
    from workbook.quoted import rules_derived

    return not rules_derived(record).isdisjoint(before)


class DrawCache:
    """Draws kept by content under build/.cache/draws (safe to delete), so that rebuilding an edition
    whose problems have not changed does not draw them again: each sound record, and each draw that
    had to be redrawn with its reason. Not kept: budgets overrun and workers lost, which depend on
    the machine rather than on the draw.

    A draw is looked up by everything it depends on: the family's definition, the seed, and the
    code that draws it (every module of workbook, and the versions of Python, SymPy and NumPy).
    Only what comes back from JSON exactly as it went in is kept.

    Draws that came back from a remote cluster (``origin="cluster"``) are kept apart, under names of
    their own: a build on that cluster reads them, a build on this machine alone never does, so that
    the trust given to a cluster's workers ends with the builds that asked for them.
    """

    def __init__(self, folder: Path, origin: str = ""):
        self.store, self.origin = Store(folder, "draws"), origin

    def get(self, task: tuple[int, int], family: Family, seed: int, form: tuple[int, ...] | None = None) -> Outcome | None:
        data = self.store.read(self._name(family, seed, form=form), "json")
        if data is None and self.origin:
            data = self.store.read(self._name(family, seed, "", form), "json")  # drawn here: as good on a cluster
        try:
            kept = json.loads(data) if data is not None else None
        except ValueError:
            return None  # a damaged file: drawn again
        if not isinstance(kept, dict):
            return None
        record, reason, out = kept.get("record"), kept.get("redraw"), kept.get("out_of_range")
        if isinstance(record, dict) and record.get("seed") == seed and (form is None or record.get("form") == list(form)):
            return Outcome(task, "ok", value=record)
        if isinstance(reason, str):
            ranged = isinstance(out, list) and len(out) == 3 and all(isinstance(part, str) for part in out)
            return Outcome(task, "raised", exception=OutOfRange(*out) if ranged else Degenerate(reason), error=reason)
        return None

    def put(self, family: Family, seed: int, outcome: Outcome, form: tuple[int, ...] | None = None) -> None:
        if outcome.ok:
            kept = {"record": outcome.value}
        elif outcome.kind == "raised" and isinstance(outcome.exception, REDRAW):
            kept = {"redraw": outcome.error}
            if isinstance(outcome.exception, OutOfRange):  # its key, for the line that says no draw was in range
                kept["out_of_range"] = [outcome.exception.key, outcome.exception.why, outcome.exception.value]
        else:
            return
        try:
            text = json.dumps(kept)
        except (TypeError, ValueError):
            return
        if json.loads(text) == kept:
            self.store.write(self._name(family, seed, form=form), "json", text)

    def _name(self, family: Family, seed: int, origin: str | None = None, form: tuple[int, ...] | None = None) -> str:
        origin = self.origin if origin is None else origin
        parts = (_code_digest(), type(family).__name__, family.model_dump_json(), seed) + ((list(form),) if form else ())
        return digest(*parts, origin) if origin else digest(*parts)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of what draws a problem: this package's code and the libraries' versions."""
    digest = hashlib.sha256(f"{platform.python_version()}|{sp.__version__}|{np.__version__}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class Scheduler:
    """The draws of a list of slots: which attempts are out, which came back, why each failed.

    A draw is named by ``(slot index, attempt)``; attempt k of slot i has the seed derived from the
    base seed, the slot's name, its family and k.
    """

    def __init__(self, slots: list[Slot], edition_seed: int, pool, *, budget: float | None, progress,
                 failures: dict[int, str] | None, cache: DrawCache | None):
        self.slots, self.edition_seed, self.pool = slots, edition_seed, pool
        self.budget, self.progress, self.failures, self.cache = budget, progress, failures, cache
        self.seeds: dict[tuple[int, int], int] = {}  # every draw submitted, with its seed
        self.forms: dict[int, tuple[int, ...]] = {}  # the form a copy's slot is held to: its place's in the first copy
        self.held: dict[str, tuple[int, ...]] = {}  # each place's form in the first copy, as it is taken
        self.taken_from: dict[str, str] = {}  # each place's family in the first copy (an alternate, where it took one)
        # the copies held to each place's form: its first copy's draw is one of a form with room for them all
        self.copies = Counter(s.place for s in slots if s.same_form and s.place is not None)
        self.done: dict[tuple[int, int], Outcome] = {}  # every draw that came back for good
        self.reasons: dict[int, list[str]] = {i: [] for i in range(len(slots))}  # why each slot was redrawn
        self.retried: set[tuple[int, int]] = set()  # draws whose worker died once
        self.slow_retried: set[tuple[int, int]] = set()  # draws that overran once, drawn again given longer
        self.dead: set[int] = set()  # slots given up (a bug, or too slow), reported through ``failures``
        self.overruns: dict[int, int] = dict.fromkeys(range(len(slots)), 0)  # draws over budget, by slot
        self.sound: set[str] = set()  # families with at least one sound draw
        self.wasted: dict[str, float] = {}  # seconds spent on failed draws, by family
        self.took: dict[str, tuple[float, int, Family]] = {}  # seconds spent drawing, and draws, by family
        # a run of draws each under its budget can still add up to hours (a roster of students): paced
        self.pace = None if isinstance(pool, InlinePool) else Pace("the draws", lambda: pool.size, self._slowest)

    def family_of(self, i: int, attempt: int) -> Family:
        """The family attempt k of slot i draws from: its own for the first MAX_ATTEMPTS, then each alternate's."""
        block = attempt // MAX_ATTEMPTS
        return self.slots[i].family if block == 0 else self.slots[i].alternates[block - 1]

    @staticmethod
    def block_end(attempt: int) -> int:
        """The attempt after the last of attempt's family: an alternate is drawn LIKENESS_TRIES times."""
        start = attempt // MAX_ATTEMPTS * MAX_ATTEMPTS
        return start + (MAX_ATTEMPTS if start == 0 else LIKENESS_TRIES)

    def submit(self, i: int, attempt: int) -> None:
        """Start a draw, or read it from the cache."""
        slot, family = self.slots[i], self.family_of(i, attempt)
        base = self.edition_seed if slot.seed is None else slot.seed
        seed = self.seeds[i, attempt] = derive_seed(base, slot.slot, family.id, attempt)
        form = self.form_of(i, attempt)
        kept = self.cache.get((i, attempt), family, seed, form) if self.cache is not None else None
        if kept is not None:
            self.handle(kept)
        else:
            self._submit((i, attempt), family, seed)

    def form_of(self, i: int, attempt: int) -> tuple[int, ...] | None:
        """The form attempt k of slot i is held to: its place's in the first copy, for the slot's own family's
        first LIKENESS_TRIES draws (then any form: a form with too few draws to go round the versions; its room
        counts its parameters' values, not its sound draws: backprop-fanout's max graph has 180, of which 12 in 100
        are sound and most of those work A's column again, so version B took another graph: read54 F5)."""
        return self.forms.get(i) if attempt < LIKENESS_TRIES else None

    def _submit(self, task: tuple[int, int], family: Family, seed: int, budget: float | None = None) -> None:
        if self.pace is not None:
            self.pace.add(DRAW_ALLOWANCE)
        form = self.form_of(*task)
        args = (family, seed) if form is None else (family, seed, form)
        self.pool.submit(task, self.budget if budget is None else budget, generate_one, *args)

    def _slowest(self) -> str:
        """What to do when the draws are too slow: the slowest family, named."""
        seconds, count, family = max(self.took.values(), key=lambda took: took[0] / took[1])
        return (f"the slowest family, {family.id!r} ({family.path}), takes {seconds / count:.1f} s a draw: "
                f"{TOO_MUCH}, or ask for fewer problems")

    def finished(self) -> Iterator[Outcome]:
        """The pool's outcomes as they come, each kept in the cache."""
        for outcome in self.pool.completed():
            family = self.family_of(*outcome.task)
            seconds, count, _ = self.took.get(family.id, (0.0, 0, family))
            self.took[family.id] = (seconds + outcome.worked, count + 1, family)
            if self.pace is not None:
                self.pace.ended_task(outcome.seconds, DRAW_ALLOWANCE, outcome.cpu)
            if self.cache is not None:
                self.cache.put(self.family_of(*outcome.task), self.seeds[outcome.task], outcome, self.form_of(*outcome.task))
            yield outcome

    def handle(self, outcome: Outcome) -> None:
        """Record a draw that came back: retry a lost worker once, stop on a bug, redraw a bad draw."""
        i, attempt = task = outcome.task
        if outcome.kind == "died" and task not in self.retried:
            self.retried.add(task)
            self._submit(task, self.family_of(i, attempt), self.seeds[task])
            return
        if outcome.kind == "timeout" and task not in self.slow_retried and not self.overruns[i]:
            # the same seed again, given longer, before any other is drawn in its place: a draw of 3.5 s that
            # overran on a busy machine was replaced by the next seed's, so the sheet depended on the machine
            # (attack23). Only a draw that overruns SLOW_RETRY times its budget as well is redrawn: one that
            # hangs, or a machine more than that much slower. The slot's first overrun only: a family too slow
            # to draw at all is still given up in seconds
            self.slow_retried.add(task)
            self._submit(task, self.family_of(i, attempt), self.seeds[task], self.budget * SLOW_RETRY if self.budget else None)
            return
        if attempt >= MAX_ATTEMPTS:  # an alternate's draw: taken if sound, never the slot's end if not
            self.done[task] = outcome
            if not outcome.ok and attempt + 1 < self.block_end(attempt) and (i, attempt + 1) not in self.seeds:
                self.submit(i, attempt + 1)
            return
        if outcome.kind == "raised" and not isinstance(outcome.exception, REDRAW):
            self.done[task] = outcome
            self._give_up(i, outcome.error, f"at seed {self.seeds[task]} ",
                          code=2 if isinstance(outcome.exception, PlaceholderError) else 1)
            return
        self.done[task] = outcome
        family = self.slots[i].family.id
        if outcome.ok:
            self.sound.add(family)
            if self.slots[i].counted and self.progress is not None:
                self.progress()
            return
        if i in self.dead:
            return
        self.reasons[i].append(f"seed {self.seeds[task]}: {outcome.error}")
        self.wasted[family] = self.wasted.get(family, 0.0) + outcome.worked
        if family not in self.sound and self.wasted[family] > FAMILY_FUSE:
            # every draw so far failed, slowly: a family that never works must not cost minutes a slot
            # every draw refused by the family's own checks: what its file asks for cannot be drawn, bad input; a
            # draw that overran its budget may be the machine's doing (a slow or busy one), as below
            raised = files_fault(o for (k, _), o in self.done.items() if self.slots[k].family.id == family)
            why = (f"no draw succeeded in {self.wasted[family]:.0f} s of failed draws; "
                   f"last: {self.reasons[i][-1]}; {TOO_MUCH if raised else SLOW}")
            for j, slot in enumerate(self.slots):
                if slot.family.id == family and j not in self.dead:
                    self._give_up(j, why, code=2 if raised else 1)
            return
        if outcome.kind in ("timeout", "memory"):
            self.overruns[i] += 1
            if self.overruns[i] >= MAX_OVERRUNS:  # a family too slow to draw costs seconds, not minutes
                self._give_up(i, f"{MAX_OVERRUNS} draws overran their {self.budget:g} s budget or memory; "
                                 f"last: {self.reasons[i][-1]}; {SLOW}")  # exit 1: perhaps a slow machine's
                return
        if attempt + 1 < MAX_ATTEMPTS and (i, attempt + 1) not in self.seeds:
            self.submit(i, attempt + 1)

    def _give_up(self, i: int, error: str, where: str = "", code: int = 1) -> None:
        """Stop drawing slot i: a BuildError (``code`` 2 for a mistake in the family's file), or (for
        ``workbook check``) its failure noted."""
        family = self.slots[i].family
        if self.failures is None:
            failed = BuildError(f"family {family.id!r} ({family.path}) failed {where}(slot {self.slots[i].slot}): {error}")
            failed.code = code
            raise failed
        self.failures[i] = Failed(error, code)
        self.dead.add(i)
        drop = getattr(self.pool, "drop", None)
        if drop is not None:  # its draws still waiting for a worker are not started
            drop(lambda task: task[0] == i)

    def result(self, task: tuple[int, int]) -> Outcome:
        """A draw's outcome, waiting for it if need be."""
        if task not in self.done:
            i, attempt = task
            if task not in self.seeds:  # from the cache where it is kept, before the pool is asked anything: a
                self.submit(i, attempt)  # cluster's pool connects to learn its size, and a rebuild all in the cache
                # tried to reach a cluster it never needed (found by the full suite)
            # a repeat to redraw: draw the next few attempts at once, one a worker, rather than one by one
            ahead = range(attempt + 1, min(attempt + getattr(self.pool, "size", 1), self.block_end(attempt))) \
                if task not in self.done else ()
            for later in ahead:
                if (i, later) not in self.seeds:
                    self.submit(i, later)
            for outcome in ([] if task in self.done else self.finished()):  # read from the cache: done already
                self.handle(outcome)
                if task in self.done or i in self.dead:
                    break
        # a slot given up meanwhile may have had this draw dropped before it started
        return self.done.get(task) or Outcome(task, "raised", error="its family was given up")

    def _take(self, i: int, attempt: int, record: dict, group: set | None, sheet: set | None,
              seen: dict[str, set[str]]) -> dict:
        """Slot i's record, this draw: its identity and likeness noted where later draws look."""
        request = self.slots[i]
        likes = _likes(record)
        if group is not None:
            group.add(record["identity"])
            group.update(COURSE + course for course in _courses(record))
        if sheet is not None:
            sheet.update(likes)
        if request.example:
            from workbook.quoted import rules_quoted

            seen.setdefault(EXAMPLES, set()).update(likes)
            seen.setdefault(f"{EXAMPLE_RULES} {request.section}", set()).update(rules_quoted(record))
        if request.sheet is not None and not request.example:
            from workbook.quoted import rules_quoted

            seen.setdefault(f"{SHEET_RULES} {request.sheet}", []).append(
                ((request.section, _position(request)), rules_quoted(record)))
        if request.place is not None:
            seen.setdefault(f"\0stars {request.place}", {_stars(record)})
            if request.place == request.slot:
                self.taken_from[request.place] = record["family"]
                if record.get("form"):
                    self.held[request.place] = tuple(record["form"])
        record["slot"], record["attempt"] = request.slot, attempt
        if self.form_of(i, attempt) is not None:
            record["held_form"] = True  # drawn as generate_one(family, seed, form): the manifest says so
        return record

    def record(self, i: int, seen: dict[str, set[str]]) -> dict | None:
        """Slot i's record: its first sound draw that repeats nothing in its group."""
        request = self.slots[i]
        group = seen.setdefault(request.group, set()) if request.group is not None else None
        sheet = seen.setdefault(f"\0like {request.sheet}", set()) if request.sheet is not None else None
        fallback = None  # the draw that repeats nothing but is like one on the sheet, least alike
        fallback_rank = (True, 0)
        unlike = None  # the first that is like nothing there but has other stars than its place's first copy
        shown = None  # the first like nothing there that derives a rule a worked example before it used
        cramped = None  # the first copy's first draw of a form with too few draws to go round the copies
        for attempt in range(MAX_ATTEMPTS):
            if i in self.dead:
                return None
            if (fallback or unlike or shown) is not None and attempt >= LIKENESS_TRIES:
                break  # a family with few forms: a draw alike, or of other stars, is better than none
            outcome = self.result((i, attempt))
            if not outcome.ok:
                continue
            record = dict(outcome.value)
            if group is not None and record["identity"] in group:
                self.reasons[i].append(f"seed {record['seed']}: {REPEATS}")
                continue
            if alike := _too_like(record, sheet, seen, group):
                self.reasons[i].append(f"seed {record['seed']}: too like a problem or example already drawn")
                # the first alike with its place's stars before one with others, and of those the least alike
                rank = (self._other_stars(i, record, seen), alike)
                if fallback is None or rank < fallback_rank:
                    fallback, fallback_rank = (attempt, record), rank
                continue
            if _derives_shown(record, seen, request.section, request.sheet):
                self.reasons[i].append(f"seed {record['seed']}: {SHOWN}")
                if shown is None or self._cramped(i, shown[0], shown[1]) and not self._cramped(i, attempt, record):
                    shown = (attempt, record)  # the first, or the first with room for the versions
                continue
            if self._other_stars(i, record, seen):
                self.reasons[i].append(f"seed {record['seed']}: {OTHER_STARS}")
                unlike = unlike or (attempt, record)
                continue
            if attempt < ROOMY_TRIES and self._cramped(i, attempt, record):
                self.reasons[i].append(f"seed {record['seed']}: {CRAMPED}")
                cramped = cramped or (attempt, record)
                continue
            return self._take(i, attempt, record, group, sheet, seen)
        if cramped is not None:  # like nothing on the sheet, only its form short of draws for the versions
            return self._take(i, *cramped, group, sheet, seen)
        if unlike is not None:  # its own family's, like nothing on the sheet: before another family's
            return self._take(i, *unlike, group, sheet, seen)
        if shown is not None:  # like nothing on the sheet: before a draw alike
            return self._take(i, *shown, group, sheet, seen)
        if fallback is not None:
            # a parallel version keeps its place's family, a column shared rather than another skill asked (read57
            # F1: version D's slot 12 asked a gradient at a point where A-C asked every second partial, for the same
            # points)
            alternate = None if request.same_form and request.place != request.slot else self._alternate(i, group, sheet,
                                                                                                          seen)
            return alternate or self._take(i, *fallback, group, sheet, seen)
        if self.failures is not None:  # for show and check: the same exit code a build would give
            raised = files_fault(self.done.get((i, k)) for k in range(MAX_ATTEMPTS))
            self.failures[i] = Failed(self.reasons[i][-1], 2 if raised else 1)
            return None
        family = request.family
        never = self._never_in_range(i)
        if never is not None:  # the file's mistake, as surely as a number written out of range
            failed = BuildError(f"{family.path}: {never.key}: none of {MAX_ATTEMPTS} draws is allowed: it {never.why} "
                                f"(the first drawn is {never.value}); change the params it is made of")
            failed.code = 2
            raise failed
        same = {reason.split(": ", 1)[-1] for reason in self.reasons[i]}
        outcomes = [self.done.get((i, k)) for k in range(MAX_ATTEMPTS)]
        if len(same) == 1 and all(o is not None and o.kind == "raised" for o in outcomes):  # (a draw that overran its budget is not the file's doing)
            # every draw failed alike (a point the file fixes where f has a corner): the file's mistake, said once
            failed = BuildError(f"{family.path}: family {family.id!r} cannot be drawn: every one of {MAX_ATTEMPTS} "
                                f"draws failed alike: {same.pop()}; change the family")
            failed.code = 2
            raise failed
        repeats = sum(r.endswith(REPEATS) for r in self.reasons[i])
        sound = sum(1 for k in range(MAX_ATTEMPTS) if (o := self.done.get((i, k))) is not None and o.ok)
        if repeats and repeats == sound:  # the edition's doing, not the family's: it asks for more than there are
            failed = BuildError(f"the edition asks for more problems of family {family.id!r} than it can draw: each "
                                f"of {repeats} sound draws for slot {request.slot} repeats one already drawn for the edition; "
                                "ask for fewer (the section's count, or --versions) or give the section more families")
            failed.code = 2
            failed.too_many = True  # `practice` says it in its own terms (attack32)
            raise failed
        failed = BuildError(f"family {family.id!r} ({family.path}) failed {MAX_ATTEMPTS} draws for slot "
                            f"{request.slot}; first: {self.reasons[i][0]}; last: {self.reasons[i][-1]}; {TOO_MUCH}")
        failed.code = 2 if files_fault(outcomes) else 1
        raise failed

    def _cramped(self, i: int, attempt: int, record: dict) -> bool:
        """Whether a first copy's draw is of a form with too few draws for the copies held to it (read59 F6: version
        A drew x σ(x), a form with no number to vary, and versions B to D, let go of it, asked σ(6x), 5σ²(x) and
        tanh²(x): three skills at one place)."""
        request = self.slots[i]
        copies = self.copies.get(request.place, 0)
        if copies < 2 or request.place != request.slot or not record.get("form"):
            return False
        return _room(self.family_of(i, attempt), tuple(record["form"])) < copies - 1 + ROOM

    def _other_stars(self, i: int, record: dict, seen: dict[str, set[str]]) -> bool:
        """Whether the draw's stars differ from those taken at its place in the first copy."""
        place = self.slots[i].place
        held = seen.get(f"\0stars {place}") if place is not None else None
        return held is not None and _stars(record) not in held

    def _never_in_range(self, i: int) -> OutOfRange | None:
        """The first draw's OutOfRange when every draw of slot i was out of range for that same key, else None."""
        failed = [self.done.get((i, attempt)) for attempt in range(MAX_ATTEMPTS)]
        errors = [outcome.exception if outcome is not None else None for outcome in failed]
        if all(isinstance(e, OutOfRange) for e in errors) and len({e.key for e in errors}) == 1:
            return errors[0]
        return None


    def _alternate(self, i: int, group: set | None, sheet: set | None, seen: dict[str, set[str]]) -> dict | None:
        """Slot i's record from one of its alternates, the first draw like nothing on the sheet, or None."""
        for block in range(1, len(self.slots[i].alternates) + 1):
            for attempt in range(block * MAX_ATTEMPTS, block * MAX_ATTEMPTS + LIKENESS_TRIES):
                outcome = self.result((i, attempt))
                if not outcome.ok:
                    continue
                record = dict(outcome.value)
                if (group is not None and record["identity"] in group or _too_like(record, sheet, seen, group)
                        or self._other_stars(i, record, seen)):
                    continue
                self.reasons[i].append(f"drawn from {self.family_of(i, attempt).id!r}: every draw of its own "
                                       "family was like one already on the sheet")
                return self._take(i, attempt, record, group, sheet, seen)
        return None


def _from_family_taken(slot: Slot, taken: str | None) -> Slot:
    """A copy's slot, drawn from the family its place's first copy took: an alternate where that one took one (read58
    F11: version A's Module 5 took momentum from another family where its own, Nesterov, was the worked example's;
    versions B and C kept Nesterov, asked no Adam, and slot 30 was worth 4 marks in A and 6 in B and C)."""
    if taken is None or taken == slot.family.id:
        return slot
    family = next((f for f in slot.alternates if f.id == taken), None)
    if family is None:
        return slot
    return replace(slot, family=family, alternates=(slot.family, *(f for f in slot.alternates if f.id != taken)))


def generate_slot(family: Family, edition_seed: int, slot: str, seen: set[str] | None = None) -> dict:
    """The problem for one slot, drawn in this process: redrawn until it is sound and new in ``seen``."""
    request = Slot(family, slot, "sheet")
    return draw([request], edition_seed, pool=InlinePool(), seen={"sheet": set() if seen is None else seen})[0]


class Failed(str):
    """Why a slot could not be drawn, with the exit code it means: 2 for a mistake in the family's file (a
    parameter named like a placeholder: ``show`` had said so and exited 1, as for a fault of ours)."""

    code: int

    def __new__(cls, text: str, code: int = 1):
        said = super().__new__(cls, text)
        said.code = code
        return said


def samples(families: list[Family], edition_seed: int, slot: str, jobs: int | None = None) -> list[dict | str]:
    """One problem of each family, drawn in worker processes under the budget (as a build draws):
    its record, or why it could not be drawn. For ``list`` and ``show``: no family can hang them."""
    failures: dict[int, str] = {}
    with Pool(min(jobs or default_jobs(), max(1, len(families)))) as pool:
        records = draw([Slot(f, slot, None) for f in families], edition_seed, pool=pool, failures=failures)
    return [failures.get(i, "") if record is None else record for i, record in enumerate(records)]


def _position(slot: Slot) -> int:
    """A slot's position in its section (its name's "#k")."""
    position = re.match(r"\d*", slot.slot.rpartition("#")[2])[0]
    return int(position) if position else -1


def _in_turn(slot: Slot) -> tuple:
    """The order in which slots take their draws, where two alike cannot both stay: the worked examples first,
    then by sheet, section title and position, whatever the order of the edition's sections. In the edition's
    order, putting a section first made its problem the one kept and the other section's the one redrawn, so
    reordering sections changed problems the docs promise it leaves alone (seed 11, once a coefficient of 1
    counted)."""
    name, _, rest = slot.slot.rpartition("#")
    # the first copy (its slots named as their place) before the others, whose stars it holds: version A before AA
    return (not slot.example, slot.place != slot.slot, slot.sheet or "", name, _position(slot), rest)


def draw(slots: list[Slot], edition_seed: int, *, pool, budget: float | None = BUDGET, progress=None,
         seen: dict[str, set[str]] | None = None, failures: dict[int, str] | None = None,
         cache: DrawCache | None = None) -> list[dict | None]:
    """Every slot's problem, drawn in the pool's workers, the same whatever the number of workers.

    Each draw runs under ``budget`` seconds. A slot that cannot be drawn stops everything with a
    BuildError naming the family and the seeds, unless ``failures`` is given: then its message is
    stored there by slot index and its record is None (``workbook check`` reports every failing
    seed). With a ``cache``, a draw made before is read back instead of drawn again, and each new
    sound draw is stored.
    """
    seen = {} if seen is None else seen
    scheduler = Scheduler(slots, edition_seed, pool, budget=budget, progress=progress, failures=failures,
                          cache=cache)
    held = [i for i, slot in enumerate(slots) if slot.same_form and slot.place not in (None, slot.slot)]
    for i in sorted(set(range(len(slots))) - set(held)):
        scheduler.submit(i, 0)
    for outcome in scheduler.finished():  # every slot's first sound draw, all slots at once
        scheduler.handle(outcome)
    records: list[dict | None] = [None] * len(slots)
    waiting = set(held)  # the copies held to a form: drawn once their places' first copies are taken
    for i in sorted(range(len(slots)), key=lambda i: _in_turn(slots[i])):
        if i in waiting:
            ranks = Counter()  # the copies at each place so far, in order: version B's first
            for j in sorted(waiting):
                ranks[slots[j].place] += 1
                slots[j] = _from_family_taken(slots[j], scheduler.taken_from.get(slots[j].place))
                form = scheduler.held.get(slots[j].place)
                if scheduler.taken_from.get(slots[j].place) != slots[j].family.id:
                    form = None  # a form is one of the family the first copy took (its index means nothing in another)
                # held while the form has a draw to spare past this copy's and those before it (version A's among
                # them): σ(ax), a from 2 to 5, is held in B and C, not in D (read53 F2: C asked 6, and was not)
                if form is not None and _room(slots[j].family, form) >= ranks[slots[j].place] + ROOM:
                    scheduler.forms[j] = form
                scheduler.submit(j, 0)
            waiting.clear()
            for outcome in scheduler.finished():  # all at once, as the first copies' were
                scheduler.handle(outcome)
        records[i] = scheduler.record(i, seen)
    for _ in scheduler.finished():
        pass  # draws started ahead and not needed (kept for next time): the pool is handed back idle
    return records
