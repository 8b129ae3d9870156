"""A second, minimal implementation of every claims record in manifest.json.

It uses plain SymPy and NumPy only (no workbook code), the way an outside program would:
read the strings with sympify (they are workbook's own output, not bank text), recompute,
and compare. One module a kind, each with a ``CHECKERS`` table by check type; a new kind's
checker is a new module here, found by name like the kinds themselves.
"""

from __future__ import annotations

import importlib
import pkgutil


def _collect() -> dict:
    table = {}
    for module in sorted(m.name for m in pkgutil.iter_modules(__path__)):
        for check_type, fn in getattr(importlib.import_module(f"{__name__}.{module}"), "CHECKERS", {}).items():
            assert check_type not in table, f"two checkers for {check_type!r}"
            table[check_type] = fn
    return table


CHECKERS = _collect()


def verify(check: dict) -> None:
    """Re-verify one claims record; AssertionError if it is wrong."""
    CHECKERS[check["type"]](check)
