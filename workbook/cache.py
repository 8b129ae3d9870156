"""The draw cache: problems kept by content under build/.cache/draws (safe to delete).

Rebuilding an edition whose problems have not changed does not draw them again. A cache is data,
never code: each entry is JSON, read back only when it has the shape a draw has.
"""

from __future__ import annotations

import hashlib
import json
import platform
from functools import lru_cache
from pathlib import Path

import numpy as np
import sympy as sp

from workbook.family import Family
from workbook.generate import REDRAW
from workbook.problem import Degenerate
from workbook.resources import write_atomic
from workbook.workers import Outcome


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
