"""From (family, seed) to a checked problem record.

A problem is fully determined by its family and its seed. The seed is derived by hashing
the edition seed, the slot (section and position) and the family id, so reordering or
adding sections leaves every other problem as it was. A draw that is degenerate or fails
its check is redrawn from the next derived seed; a family that keeps failing stops the build
with its id and the seeds it tried.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np
import sympy as sp
import sympy.core.random as sympy_random

from workbook.bank import Family
from workbook.errors import BuildError
from workbook.steps import StepError
from workbook.verify import VerifyError

MAX_ATTEMPTS = 40
PLACEHOLDER = re.compile(r"\{([A-Za-z][A-Za-z0-9_]*)\}")


class Degenerate(ValueError):
    """A draw a teacher would not print: a zero answer, a point outside the domain, a repeat."""


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


def fill(template: str, values: dict[str, dict]) -> list[dict]:
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
    from workbook.kinds import GENERATORS

    rng = np.random.default_rng(seed)
    sympy_random.seed(seed)
    params = draw_params(family, rng)
    record = GENERATORS[family.kind](family, params, rng)
    return {
        "family": family.id, "title": family.title, "topic": family.topic, "kind": family.kind,
        "difficulty": family.difficulty, "seed": seed,
        "params": {k: sp.sstr(v) for k, v in params.items()},
        **record,
    }


def generate_slot(family: Family, edition_seed: int, slot: str, seen: set[str] | None = None) -> dict:
    """The problem for one slot of an edition, redrawn until it is sound and new on the sheet."""
    seen = set() if seen is None else seen
    reasons = []
    for attempt in range(MAX_ATTEMPTS):
        seed = derive_seed(edition_seed, slot, family.id, attempt)
        try:
            record = generate_one(family, seed)
        except (Degenerate, VerifyError, StepError) as exc:
            reasons.append(f"seed {seed}: {exc}")
            continue
        if record["key"] in seen:
            reasons.append(f"seed {seed}: repeats a problem already on the sheet")
            continue
        seen.add(record["key"])
        record["slot"], record["attempt"] = slot, attempt
        return record
    raise BuildError(f"family {family.id!r} ({family.path}) failed {MAX_ATTEMPTS} draws for slot {slot}; "
                     f"first: {reasons[0]}; last: {reasons[-1]}")
