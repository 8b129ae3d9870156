"""Where the files that ship with the package are: templates, the problem bank, editions.

In an installed wheel they sit inside the package (``workbook/templates`` ...); in a source
checkout or an editable install they sit beside it, at the top of the repository.
"""

from __future__ import annotations

from importlib import metadata
from pathlib import Path

DEFAULT_EDITION = "visual-workbook.toml"  # what `workbook build` builds when given no file, in editions_dir()

# the libraries whose versions the files a build writes depend on (a new WeasyPrint lays out anew)
DEPENDENCIES = ("sympy", "numpy", "matplotlib", "contourpy", "jinja2", "weasyprint", "ziamath", "latex2mathml",
                "pikepdf")

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


def inside(path: Path, folder: Path) -> bool:
    """Whether path, links followed, is a regular file inside folder (not a device, a pipe or a link out)."""
    return path.resolve().is_relative_to(folder.resolve()) and path.is_file()


def dependency_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
