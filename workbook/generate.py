"""From (family, seed) to a checked problem record.

A problem is fully determined by its family and its seed. The seed is derived by hashing
the edition seed, the slot (section and position) and the family id, so reordering or
adding sections leaves every other problem as it was. A draw that is degenerate or fails
its check is redrawn from the next derived seed; a family that keeps failing stops the build
with its id and the seeds it tried.
"""

from __future__ import annotations

import hashlib
import json
import platform
from dataclasses import dataclass
from typing import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np
import sympy as sp
import sympy.core.random as sympy_random

from workbook.errors import BuildError
from workbook.family import Family
from workbook.kinds import registry
from workbook.problem import PLACEHOLDER, Degenerate
from workbook.resources import write_atomic
from workbook.steps import StepError
from workbook.verify import VerifyError
from workbook.workers import InlinePool, Outcome

MAX_ATTEMPTS = 40
BUDGET = 5.0  # seconds of wall-clock time a single draw may take before its worker is killed


REDRAW = (Degenerate, VerifyError, StepError)  # what a redraw answers; anything else is a bug to report


def derive_seed(*parts: object) -> int:
    """A 63-bit seed from the parts, the same in every process and on every platform."""
    digest = hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def draw_params(family: Family, rng: np.random.Generator) -> dict[str, sp.Rational]:
    """Draw each parameter in file order; redraw a group until its values differ."""
    for _ in range(100):
        values = {}
        for name, spec in family.params.items():
            options = spec.values()
            values[name] = options[int(rng.integers(len(options)))]
        if all(len({values[n] for n in group}) == len(group) for group in family.distinct):
            return values
    raise Degenerate("could not draw distinct values for " + ", ".join(map(str, family.distinct)))


def fill(template: str, values: dict[str, dict]) -> list[dict]:  # TRANSITION
    """Split prompt text into segments, each known {name} becoming its segment.

    Bank text is never compiled as a template: only the exact placeholders named in
    ``values`` are replaced; everything else stays literal text.
    """
    out: list[dict] = []
    pos = 0
    for m in PLACEHOLDER.finditer(template):
        if m[1] not in values:
            continue
        if m.start() > pos:
            out.append({"text": template[pos:m.start()]})
        out.append(values[m[1]])
        pos = m.end()
    if pos < len(template):
        out.append({"text": template[pos:]})
    return out


def generate_one(family: Family, seed: int) -> dict:
    """One draw of the family at this seed: a checked record, or Degenerate / a check error."""
    rng = np.random.default_rng(seed)
    sympy_random.seed(seed)
    params = draw_params(family, rng)
    record = registry()[family.kind].make(family, params, rng).record()
    return {
        "family": family.id, "title": family.title, "topic": family.topic, "kind": family.kind,
        "difficulty": family.difficulty, "seed": seed,
        "params": {k: sp.sstr(v) for k, v in params.items()},
        **record,
    }


def generate_slot(family: Family, edition_seed: int, slot: str, seen: set[str] | None = None) -> dict:
    """The problem for one slot, drawn in this process: redrawn until it is sound and new in ``seen``."""
    request = Slot(family, slot, "sheet")
    return draw([request], edition_seed, pool=InlinePool(), seen={"sheet": set() if seen is None else seen})[0]


class DrawCache:
    """Draws kept by content under build/.cache/draws (safe to delete), so that rebuilding an edition
    whose problems have not changed does not draw them again: each sound record, and each draw that
    had to be redrawn with its reason. Not kept: budgets overrun and workers lost, which depend on
    the machine rather than on the draw.

    A draw is looked up by everything it depends on: the family's definition, the seed, and the
    code that draws it (every module of workbook, and the versions of Python, SymPy and NumPy).
    Only what comes back from JSON exactly as it went in is kept.
    """

    def __init__(self, folder: Path):
        self.folder = folder / "draws"

    def get(self, key: tuple[int, int], family: Family, seed: int) -> Outcome | None:
        try:
            kept = json.loads(self._path(family, seed).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # not drawn yet, or a damaged file: drawn again
        if not isinstance(kept, dict):
            return None
        record, reason = kept.get("record"), kept.get("redraw")
        if isinstance(record, dict) and record.get("seed") == seed:
            return Outcome(key, "ok", value=record)
        if isinstance(reason, str):
            return Outcome(key, "raised", exception=Degenerate(reason), error=reason)
        return None

    def put(self, family: Family, seed: int, outcome: Outcome) -> None:
        if outcome.ok:
            kept = {"record": outcome.value}
        elif outcome.kind == "raised" and isinstance(outcome.exception, REDRAW):
            kept = {"redraw": outcome.error}
        else:
            return
        try:
            text = json.dumps(kept)
        except (TypeError, ValueError):
            return
        if json.loads(text) == kept:
            write_atomic(self._path(family, seed), text)

    def _path(self, family: Family, seed: int) -> Path:
        key = f"{_code_digest()}|{type(family).__name__}|{family.model_dump_json()}|{seed}"
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()}.json"


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of what draws a problem: this package's code and the libraries' versions."""
    digest = hashlib.sha256(f"{platform.python_version()}|{sp.__version__}|{np.__version__}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass
class Slot:
    """One problem to draw: its family, its slot name (part of its seed) and its repeat group.

    Draws in the same ``group`` never repeat a problem; ``group=None`` skips the repeat check.
    ``counted`` slots tick the progress callback (the worked examples do not).
    """

    family: Family
    slot: str
    group: str | None = "sheet"
    counted: bool = True
    seed: int | None = None  # the seed its draws derive from, if not the edition's


def draw(slots: list[Slot], edition_seed: int, *, pool, budget: float | None = BUDGET, progress=None,
         seen: dict[str, set[str]] | None = None, failures: dict[int, str] | None = None,
         cache: DrawCache | None = None) -> list[dict | None]:
    """Every slot's problem, drawn in the pool's workers, the same whatever the number of workers.

    Each draw runs under ``budget`` seconds. A draw that is degenerate, fails its check, overruns
    its budget or its memory is redrawn from the next derived seed; a worker that dies is given the
    same draw once more (a draw must not change because a process was killed from outside).
    Repeats are settled afterwards in slot order, so the result never depends on timing.

    A slot that cannot be drawn stops everything with a BuildError naming the family and the
    seeds, unless ``failures`` is given: then its message is stored there by slot index and its
    record is None (``workbook check`` reports every failing seed). With a ``cache``, a draw made
    before is read back instead of drawn again, and each new sound draw is stored.
    """
    seen = {} if seen is None else seen
    done: dict[tuple[int, int], Outcome] = {}
    reasons: dict[int, list[str]] = {i: [] for i in range(len(slots))}
    retried: set[tuple[int, int]] = set()
    seed_of = {}

    dead: set[int] = set()

    def submit(i: int, attempt: int) -> None:
        base = edition_seed if slots[i].seed is None else slots[i].seed
        seed = seed_of[i, attempt] = derive_seed(base, slots[i].slot, slots[i].family.id, attempt)
        kept = cache.get((i, attempt), slots[i].family, seed) if cache is not None else None
        if kept is not None:
            handle(kept)
        else:
            pool.submit((i, attempt), budget, generate_one, slots[i].family, seed)

    def finished() -> Iterator[Outcome]:
        """The pool's outcomes as they come, each kept in the cache."""
        for outcome in pool.completed():
            if cache is not None:
                cache.put(slots[outcome.key[0]].family, seed_of[outcome.key], outcome)
            yield outcome

    def handle(outcome: Outcome) -> None:
        i, attempt = key = outcome.key
        if outcome.kind == "died" and key not in retried:
            retried.add(key)
            pool.submit(key, budget, generate_one, slots[i].family, seed_of[key])
            return
        if outcome.kind == "raised" and not isinstance(outcome.exception, REDRAW):
            family = slots[i].family
            message = (f"family {family.id!r} ({family.path}) failed at seed {seed_of[key]} "
                       f"(slot {slots[i].slot}): {outcome.error}")
            if failures is None:
                raise BuildError(message)
            failures[i] = outcome.error
            dead.add(i)
            done[key] = outcome
            return
        done[key] = outcome
        if outcome.ok:
            if slots[i].counted and progress is not None:
                progress()
            return
        reasons[i].append(f"seed {seed_of[key]}: {outcome.error}")
        if attempt + 1 < MAX_ATTEMPTS and (i, attempt + 1) not in seed_of:
            submit(i, attempt + 1)

    def result(key: tuple[int, int]) -> Outcome:
        if key not in done:
            i, attempt = key
            # a repeat to redraw: draw the next few attempts at once, one a worker, rather than one by one
            for ahead in range(attempt, min(attempt + getattr(pool, "size", 1), MAX_ATTEMPTS)):
                if (i, ahead) not in seed_of:
                    submit(i, ahead)
            for outcome in ([] if key in done else finished()):  # read from the cache: done already
                handle(outcome)
                if key in done:
                    break
        return done[key]

    for i in range(len(slots)):
        submit(i, 0)
    for outcome in finished():  # every slot's first sound draw, all slots at once
        handle(outcome)

    records: list[dict | None] = []
    for i, request in enumerate(slots):
        group = seen.setdefault(request.group, set()) if request.group is not None else None
        for attempt in range(MAX_ATTEMPTS):
            if i in dead:
                records.append(None)
                break
            outcome = result((i, attempt))
            if not outcome.ok:
                continue
            record = dict(outcome.value)
            if group is not None and record["identity"] in group:
                reasons[i].append(f"seed {record['seed']}: repeats a problem already on the sheet")
                continue
            if group is not None:
                group.add(record["identity"])
            record["slot"], record["attempt"] = request.slot, attempt
            records.append(record)
            break
        else:
            family = request.family
            if failures is not None:
                failures[i] = reasons[i][-1]
                records.append(None)
                continue
            raise BuildError(f"family {family.id!r} ({family.path}) failed {MAX_ATTEMPTS} draws for slot "
                             f"{request.slot}; first: {reasons[i][0]}; last: {reasons[i][-1]}")
    for _ in finished():
        pass  # draws started ahead and not needed (kept for next time): the pool is handed back idle
    return records
