"""Errors a user can act on. Each carries every problem found, one line each."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

EXCERPT = 40  # the most of a bad value an error message quotes
LINES_SAID = 50  # the most lines one failure prints; a reader that stops early says so in the last of them

# Characters that change how a terminal or a page shows the text around them: bidirectional
# overrides and isolates, and the line and paragraph separators.
FORMATTING = frozenset("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def unsafe_char(text: str, newlines: bool = True) -> str | None:
    """The first character in text that a file from a stranger may not carry (a control character, a
    bidirectional override; a line break only where ``newlines`` is False), or None."""
    for ch in text:
        if ch in FORMATTING or unicodedata.category(ch) == "Cc" and not (newlines and ch in "\n\t\r"):
            return ch
    return None


# Names Windows keeps for devices: no file or folder can have one, with or without an extension
# (nul.txt is the device NUL too), in any case.
# Microsoft's list ("Naming files, paths, and namespaces"): COM0 and LPT0 too, and the superscript digits
WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
                             *(f"{port}{digit}" for port in ("COM", "LPT") for digit in "0123456789\u00b9\u00b2\u00b3")})


def windows_device(name: str) -> bool:
    """Whether a file or folder name is a device on Windows (CON, nul, com1.txt ...), where none can be made."""
    return name.split(".", 1)[0].rstrip(" ").upper() in WINDOWS_DEVICES


# letters that print as nothing (the Hangul fillers, the braille blank: attack53 F3)
BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u2800")
JOINERS = frozenset("\u200c\u200d")  # zero-width non-joiner and joiner: invisible, but they change the glyphs drawn


def shows_something(text: str) -> bool:
    """Whether the text prints anything: a letter, digit, mark of punctuation or symbol that is not blank (a
    zero-width space, a soft hyphen, a word joiner or an accent alone print nothing)."""
    return any(unicodedata.category(c)[0] in "LNPS" and c not in BLANK_LETTERS for c in text)


def as_seen(text: str) -> str:
    """The text as a reader sees it: one spelling of each letter, no character that prints as nothing, one space
    for each run of them; two titles alike here look alike on the page ("\u200b" and "\u200b\u200b")."""
    seen = "".join(c for c in unicodedata.normalize("NFC", text)  # (the joiners kept: they change what is drawn, a
                   if (unicodedata.category(c) not in ("Cf", "Cc") or c in JOINERS)  # family emoji, a Persian word:
                   and c not in BLANK_LETTERS)  # attack64 F12)
    return " ".join(seen.split())


def printable(text: str) -> str:
    """Text safe to print on one terminal line: control, bidirectional and line-break characters are
    shown as escapes (\\x1b, \\u202e, \\n), never sent to the terminal."""
    if text.isprintable() and not FORMATTING & set(text):
        return text
    # a space of another width (a no-break space in a prompt, "(-2, 3)") is a space: Python calls it unprintable, and
    # `workbook list` showed "(-2,\xa03)" (user48 F1)
    return "".join(ch if (ch.isprintable() or unicodedata.category(ch) == "Zs") and ch not in FORMATTING
                   else ascii(ch)[1:-1] for ch in text)


def excerpt(value: object, limit: int = EXCERPT) -> str:
    """A value as an error message quotes it: repr'd, printable, and cut to ``limit`` characters."""
    import datetime

    if isinstance(value, (datetime.date, datetime.time)):  # TOML reads 2026-09-01 unquoted as a date: say so
        return f"the date or time {value.isoformat()} (a text needs quotes: \"{value.isoformat()}\")"
    if isinstance(value, bool):  # as the file writes it, not as Python does (True): attack30
        return "true" if value else "false"
    try:
        text = printable(repr(value))
    except ValueError:  # an integer too long to write out
        text = f"an integer of about {int(value.bit_length() * 0.30103)} digits"
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def disk_full(exc: BaseException | None) -> str | None:
    """What to tell a user whose disk filled up (or whose quota or file-size limit was reached) while a
    build wrote its files, or None for any other error. The build's work goes, and the edition it was
    to replace stays; nothing in the input was wrong, so it is not said as if it were."""
    import errno

    codes = {errno.ENOSPC: "no space is left on the disk", errno.EFBIG: "a file grew past the size this system allows",
             getattr(errno, "EDQUOT", -1): "the disk quota is used up"}
    if not isinstance(exc, OSError) or exc.errno not in codes:
        return None
    where = f" (writing {printable(str(exc.filename))[-80:]})" if exc.filename else ""
    return (f"{codes[exc.errno]}{where}; free some space (`workbook clean --cache` removes the build cache, which "
            "this build may have added to) and build again: the previous edition is kept as it was")


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

    code = 1  # the exit status


class TooSlow(BuildError):
    """A stage whose tasks, each within its own budget, add up to far more time than their kind needs
    (see workers.Pace)."""

    code = 2  # the pace is many times the built-in files': the file at fault is bad input


class InTheWay(BuildError):
    """Something the tool did not make stands where it would write (a folder, a link): the user's to
    move, so it is bad input (exit 2), and nothing was changed."""

    code = 2


# what a pattern a key must match asks for, in words (pydantic quotes the regular expression)
PATTERNS_SAID = {
    r"^[a-z0-9][a-z0-9-]{0,47}$": "use lower-case letters, digits and dashes (at most 48), starting with a letter "
                                  "or a digit, e.g. chain-rule",
    r"^[A-Za-z][A-Za-z0-9_]{0,15}$": "use a name of letters, digits and _ (at most 16), starting with a letter, e.g. x1",
}


def pydantic_lines(path: Path | str, error) -> list[str]:
    """One line per pydantic validation error: ``file: key.path: what is wrong (got ...)``."""
    lines = []
    for e in error.errors():
        where = _key_path(e.get("loc", ()))
        msg = e.get("msg", "invalid value").removeprefix("Value error, ")
        if e.get("type") == "value_error" and re.match(r"[\w.\[\]]+: ", msg):
            where, msg = (f"{where}." if where else "") + msg.split(": ", 1)[0], msg.split(": ", 1)[1]
        if e.get("type") == "extra_forbidden":
            msg = "unknown key; check its spelling against the documentation"
        elif e.get("type") == "missing":
            msg = "required key is missing"
        elif e.get("type") == "string_pattern_mismatch" and "\\n\\r\\t" in str(e.get("ctx", {}).get("pattern")):
            msg = ("must show something, not spaces alone" if isinstance(e.get("input"), str) and not e["input"].strip()
                   else "must be one line (no line break or tab)")
        elif e.get("type") == "string_pattern_mismatch" and str(e.get("ctx", {}).get("pattern")) in PATTERNS_SAID:
            msg = PATTERNS_SAID[str(e["ctx"]["pattern"])]
        elif isinstance(e.get("input"), float) and e["input"] != e["input"]:  # nan: not "should be at most 16" (attack31)
            msg = "must be a number, and nan is none"
        got = e.get("input")
        shown = "" if e.get("type") in ("missing", "extra_forbidden") or isinstance(got, dict) else f" (got {excerpt(got)})"
        msg = msg if len(msg) <= 200 else msg[:199] + "\u2026"  # a message may quote the value itself
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
