"""The contract of a kind of problem: its family schema, a table of its asks, three steps an ask.

A kind is one file in ``workbook/kinds/`` that defines ``KIND = Kind(...)``; ``workbook.kinds``
finds it there, so adding a kind edits nothing else (docs/kinds.md walks through one). Each ask
is three functions, kept apart so each can be read and tested alone:

- ``solve(family, params, rng) -> work``: the exact mathematics (SymPy, exact numbers) of one draw,
  raising ``Degenerate`` for a draw a teacher would not print;
- ``check(work) -> [Check]``: the independent checks, through ``workbook.verify`` only, each
  returning what it measured (``VerifyError`` when the answer is wrong); the problem's
  ``verified`` record is made from these and nothing else;
- ``present(work) -> Problem``: the prompt, worked steps, answer, figure, claims record and the
  number an LMS grades.

``work`` is the kind's own record of the solved draw (usually a small dataclass).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from workbook.family import Family
from workbook.problem import Problem
from workbook.verify import Check, verified


@dataclass(frozen=True)
class Ask:
    """One question a kind asks: its exact mathematics, its independent check, its presentation."""

    solve: Callable[[Any, dict, np.random.Generator], Any]
    check: Callable[[Any], list[Check]]
    present: Callable[[Any], Problem]


@dataclass(frozen=True)
class Kind:
    """A kind of problem: the name family files give as ``kind``, their schema, and the asks.

    A kind with a single question keys it by the kind's own name; otherwise the family's ``ask``
    field picks one.
    """

    name: str
    schema: type[Family]
    asks: dict[str, Ask]
    # what the answer depends on, read from a problem's claims: each name with its numbers (SymPy text) or
    # words, every one of which the prompt must state (tests/test_claims.py reads each prompt for them)
    givens: Callable[[dict], dict[str, list[str]]] | None = None

    def ask(self, family: Family) -> Ask:
        return self.asks[getattr(family, "ask", self.name)]

    def make(self, family: Family, params: dict, rng: np.random.Generator) -> Problem:
        """Solve one draw, check it, present it; ``verified`` is what the checks returned."""
        ask = self.ask(family)
        work = ask.solve(family, params, rng)
        checks = ask.check(work)
        problem = ask.present(work)
        problem.verified = verified(checks)
        return problem
