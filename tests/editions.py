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

[[sections]]
title = "All"
families = [{families}]
count = {count}
"""


def every_family_doc(folder: Path, seed: int) -> dict:
    """One problem of every family in the bank, built (HTML only) into folder: the document's data."""
    ids = sorted(load_bank())
    edition = folder / f"every-{seed}.toml"
    edition.write_text(EVERY_FAMILY.format(seed=seed, families=", ".join(f'"{i}"' for i in ids), count=len(ids)))
    (doc,) = build(edition, out_root=folder / f"build-{seed}", formats=("html",)).docs.values()
    return doc
