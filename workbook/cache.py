"""The content cache under build/.cache (safe to delete): draws, math and figures, each kept in a file
named by the digest of everything that made it, so that nothing unchanged is made twice.

One ``Store`` a kind of content (``draws``, ``math``, ``figures``); every write is atomic. A cache
is data, never code: a draw is JSON, read back only when it has the shape a draw has
(scheduler.DrawCache); math is JSON checked field by field; figures are image bytes, only ever
embedded. This module imports nothing heavy, so math and figures can use it without the kinds.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from workbook.resources import write_atomic


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
