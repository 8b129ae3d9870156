"""The content cache under build/.cache (safe to delete): draws, math and figures, each kept in a file
named by the digest of everything that made it, so that nothing unchanged is made twice.

One ``Store`` a kind of content (``draws``, ``math``, ``figures``); every write is atomic. A cache
is data, never code: a draw is JSON, read back only when it has the shape a draw has; math is JSON
checked field by field; figures are image bytes, only ever embedded.
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


def digest(*parts: object) -> str:
    """The name of a cache entry: a digest of everything the entry depends on."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


class Store:
    """One kind of content in the cache: build/.cache/<kind>/<digest>.<ext>; no folder, no cache."""

    def __init__(self, root: Path | None, kind: str):
        self.folder = root / kind if root is not None else None

    def path(self, name: str, ext: str) -> Path | None:
        return self.folder / f"{name}.{ext}" if self.folder is not None else None

    def read(self, name: str, ext: str) -> bytes | None:
        """The entry's bytes, or None when it is not there (or cannot be read: then it is made again)."""
        path = self.path(name, ext)
        if path is None:
            return None
        try:
            return path.read_bytes()
        except OSError:
            return None

    def write(self, name: str, ext: str, data: str | bytes) -> None:
        path = self.path(name, ext)
        if path is not None:
            write_atomic(path, data)


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
        self.store = Store(folder, "draws")

    def get(self, task: tuple[int, int], family: Family, seed: int) -> Outcome | None:
        data = self.store.read(self._name(family, seed), "json")
        try:
            kept = json.loads(data) if data is not None else None
        except ValueError:
            return None  # a damaged file: drawn again
        if not isinstance(kept, dict):
            return None
        record, reason = kept.get("record"), kept.get("redraw")
        if isinstance(record, dict) and record.get("seed") == seed:
            return Outcome(task, "ok", value=record)
        if isinstance(reason, str):
            return Outcome(task, "raised", exception=Degenerate(reason), error=reason)
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
            self.store.write(self._name(family, seed), "json", text)

    def _name(self, family: Family, seed: int) -> str:
        return digest(_code_digest(), type(family).__name__, family.model_dump_json(), seed)


@lru_cache(maxsize=1)
def _code_digest() -> str:
    """A digest of what draws a problem: this package's code and the libraries' versions."""
    digest = hashlib.sha256(f"{platform.python_version()}|{sp.__version__}|{np.__version__}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()
