"""The kinds of problem: every module here that defines ``KIND`` (see workbook.kind), found by name.

Adding a kind is adding its file: nothing else lists the kinds.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import cache

from workbook.kind import Kind


@cache
def registry() -> dict[str, Kind]:
    """Every kind, by the name family files give as ``kind``."""
    kinds: dict[str, Kind] = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        kind = getattr(importlib.import_module(f"{__name__}.{module}"), "KIND", None)
        if isinstance(kind, Kind):
            if kind.name in kinds:
                raise RuntimeError(f"two kinds are named {kind.name!r}")
            kinds[kind.name] = kind
    return kinds
