"""Where the files that ship with the package are: templates, the problem bank, editions.

In an installed wheel they sit inside the package (``workbook/templates`` ...); in a source
checkout or an editable install they sit beside it, at the top of the repository.
"""

from __future__ import annotations

import os
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _folder(name: str) -> Path:
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the package's {name}/ folder is missing; reinstall workbook")


def templates_dir() -> Path:
    """The built-in Jinja templates and the print stylesheet."""
    return _folder("templates")


def problems_dir() -> Path:
    """The built-in problem bank: one TOML file per family."""
    return _folder("problems")


def editions_dir() -> Path:
    """The editions that ship, among them the default workbook."""
    return _folder("editions")


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write a cache file whole or not at all: worker processes may read it at the same moment.

    The cache is an optimisation: a folder that cannot be written (read-only, full) is skipped.
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temp.write_bytes(text.encode() if isinstance(text, str) else text)
        os.replace(temp, path)
    except OSError:
        try:
            temp.unlink(missing_ok=True)
        except (OSError, UnboundLocalError):
            pass
