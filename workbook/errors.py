"""Errors a user can act on. Each carries every problem found, one line each."""

from __future__ import annotations

from pathlib import Path


class InputError(Exception):
    """Bad input in a file the user gave (an edition, a family, a roster).

    ``lines`` holds every problem found, each naming the file and the key path, so that
    all of them can be fixed in one go.
    """

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines


class BuildError(Exception):
    """A build that cannot finish: a family that keeps failing its checks, say."""


def pydantic_lines(path: Path | str, error) -> list[str]:
    """One line per pydantic validation error: ``file: key.path: what is wrong (got ...)``."""
    lines = []
    for e in error.errors():
        where = _key_path(e.get("loc", ()))
        msg = e.get("msg", "invalid value")
        if e.get("type") == "extra_forbidden":
            msg = "unknown key; check its spelling against the documentation"
        elif e.get("type") == "missing":
            msg = "required key is missing"
        got = e.get("input")
        shown = "" if e.get("type") in ("missing", "extra_forbidden") or isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"{path}: {where or '(top level)'}: {msg}{shown}")
    return lines


def _key_path(loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif str(part).startswith(("function-", "tagged-union")):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out
