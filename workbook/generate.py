"""From (family, seed) to a checked problem record.

A problem is fully determined by its family and its seed: the parameters are drawn from a
generator seeded with it, then the family's kind solves, checks and presents the draw
(workbook.kind). A draw that is degenerate or fails its check raises one of ``REDRAW``, and the
scheduler (workbook.scheduler) redraws it from the next derived seed.
"""

from __future__ import annotations

import numpy as np
import sympy as sp
import sympy.core.random as sympy_random

from workbook.family import Family
from workbook.kinds import registry
from workbook.kinds.common import FORM
from workbook.problem import DECIMALS, DRAWN, Degenerate
from workbook.steps import StepError
from workbook.verify import VerifyError

REDRAW = (Degenerate, VerifyError, StepError)  # what a redraw answers; anything else is a bug to report


def generate_one(family: Family, seed: int, form: tuple[int, ...] | None = None) -> dict:
    """One draw of the family at this seed: a checked record, or Degenerate / a check error.

    Its ``form`` is the choices it made among the family's expressions, graphs, ops, activations and
    optimizers (see kinds.common.pick); given one, the draw makes those choices, its numbers its own.
    """
    rng = np.random.default_rng(seed)
    sympy_random.seed(seed)
    made: list[int] = []
    held = FORM.set((made, tuple(form or ())))
    try:
        params = family.draw_params(rng)
        drawn = DRAWN.set(params)  # a prompt's formula prints a parameter's value
        decimals = DECIMALS.set(frozenset(k for k, p in getattr(family, "params", {}).items() if p.written_decimal()))
        try:
            record = registry()[family.kind].make(family, params, rng).record()
        finally:
            DRAWN.reset(drawn)
            DECIMALS.reset(decimals)
    finally:
        FORM.reset(held)
    return {
        "family": family.id, "title": family.title, "topic": family.topic, "kind": family.kind,
        "difficulty": family.difficulty, "seed": seed,
        "params": {k: sp.sstr(v) for k, v in params.items()},
        **record, "form": made,
    }

