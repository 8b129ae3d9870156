"""Editions the tests build on the fly."""

from __future__ import annotations

from pathlib import Path

from workbook.bank import load_bank
from workbook.build import build

EVERY_FAMILY = """
title = "Every family"
slug = "every-family"
seed = {seed}

[page]
cover = false
"""
SECTION = """
[[sections]]
title = "Part {part}"
families = [{families}]
count = {count}
"""
PER_SECTION = 40  # a section names at most 50 families


def every_family_doc(folder: Path, seed: int) -> dict:
    """One problem of every family in the bank, built (HTML only) into folder: the document's data."""
    ids = sorted(load_bank())
    edition = folder / f"every-{seed}.toml"
    parts = [ids[k:k + PER_SECTION] for k in range(0, len(ids), PER_SECTION)]
    sections = "".join(SECTION.format(part=n + 1, families=", ".join(f'"{i}"' for i in part), count=len(part))
                       for n, part in enumerate(parts))
    edition.write_text(EVERY_FAMILY.format(seed=seed) + sections)
    (doc,) = build(edition, out_root=folder / f"build-{seed}", formats=("html",)).docs.values()
    return doc
