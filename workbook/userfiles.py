"""Reading a file a stranger may have written: an edition, a family, a roster.

Such a file is read only if it is a regular file of sensible size (a pipe, a device or a link to
one is refused before anything is read, so nothing blocks or reads without end), decoded as UTF-8,
and, for TOML, parsed into plain data no deeper than any real edition or family and holding no
integer longer than any real one and no character that would change how a terminal or a page shows
the text around it. Each problem is one line naming the file (and the key), quoting at most a
short excerpt.
"""

from __future__ import annotations

import os
import stat
import tomllib
from pathlib import Path

from workbook.errors import InputError, excerpt, printable, unsafe_char

LIMIT = 1 << 20  # 1 MB: the largest built-in family or edition is under 10 kB
DEPTH = 12  # the deepest real structure is a backprop graph: graphs[g][k][op list], 4 levels
DIGITS = 30  # no seed, bound or value needs more (a seed is at most 2^53, 16 digits)


def link_out(path: Path, folder: Path | None = None) -> bool:
    """Whether ``path`` is a link to somewhere outside ``folder`` (its own folder if not given): a file from someone
    else (a bank, a roster in a repository or a zip) that could point at any file of this user's."""
    if not os.path.islink(path):
        return False
    try:
        return not Path(path).resolve().is_relative_to((folder or Path(path).parent).resolve())
    except (OSError, RuntimeError):  # a loop: read, it fails with its own line
        return False


def hard_link(path: Path) -> bool:
    """Whether ``path`` is a file with another name somewhere (a hard link): the same file as one that may be
    outside the folder, which no look at the path can tell (a tar archive or ``cp -al`` makes them; attack58 F5)."""
    try:
        info = os.stat(path)
    except OSError:  # read, it fails with its own line
        return False
    return stat.S_ISREG(info.st_mode) and info.st_nlink > 1


HARD_LINK = "a hard link (the same file as another name, which may be outside the folder); not read: copy the file in"


def read_text(path: Path, what: str, limit: int = LIMIT, encoding: str = "utf-8") -> str:
    """The file's text, or InputError with one line: what it is, and why it cannot be read."""
    shown = printable(str(path))
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError([f"{shown}: no such {what}"]) from None
    except OSError as exc:
        raise InputError([f"{shown}: cannot read the {what}: {exc.strerror}"]) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError([f"{shown}: the {what} is not a regular file (a folder, a pipe or a device)"])
        if info.st_size > limit:
            raise InputError([f"{shown}: the {what} is {info.st_size / 2**20:.1f} MB; at most {limit >> 10} kB is read"])
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError([f"{shown}: cannot read the {what}: {exc.strerror}"]) from None
    finally:
        os.close(fd)
    if len(data) > limit:
        raise InputError([f"{shown}: the {what} is over {limit >> 10} kB; at most that is read"])
    if encoding.startswith("utf-8") and data.count(b"\0") * 4 > len(data) > 0:
        # UTF-16 without its byte-order mark reads as UTF-8, a NUL between every letter: one line, not one per row
        # about a control character (attack58 F1)
        how = " (in a spreadsheet: save as \"CSV UTF-8\")" if what == "roster" else ""
        wide = "UTF-32 text (three NUL bytes in four)" if data.count(b"\0") * 4 >= 2.5 * len(data) else \
            "UTF-16 text (a NUL byte every other byte)"  # (attack59 F6: UTF-32 was called UTF-16)
        raise InputError([f"{shown}: the {what} looks like {wide}; save it as UTF-8{how}"])
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        how = " (in a spreadsheet: save as \"CSV UTF-8\")" if what == "roster" else ""
        raise InputError([(f"{shown}: the {what} is not UTF-8 text (line {line}, byte {exc.start}); save it as "
                          f"UTF-8{how}")]) from None


def load_toml(path: Path, what: str) -> dict:
    """The file as TOML data, checked as the module says; InputError listing every problem."""
    text = read_text(path, what, encoding="utf-8-sig")  # a byte-order mark (Windows' Notepad) is not TOML's
    shown = printable(str(path))
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError([f"{shown}: not valid TOML: {printable(str(exc))[:200]}"]) from None
    except RecursionError:
        raise InputError([f"{shown}: nested more than {DEPTH} levels deep; no {what} is"]) from None
    except ValueError:  # an integer too long for Python to read
        raise InputError([f"{shown}: a number has thousands of digits; no {what} needs more than {DIGITS}"]) from None
    problems = [f"{shown}: {p}" for p in data_problems(data)]
    if problems:
        raise InputError(problems[:20])
    return data


def data_problems(data: object, where: str = "", depth: int = 0) -> list[str]:
    """What is wrong with parsed data from a stranger: too deep, an integer too long, a control or
    bidirectional character in a key or a value (a line break only in a value)."""
    here = where or "(top level)"
    if depth > DEPTH:
        return [f"{here}: nested more than {DEPTH} levels deep"]
    if isinstance(data, bool | float):
        return []
    if isinstance(data, int):
        return [f"{here}: the number has more than {DIGITS} digits"] if abs(data) >= 10**DIGITS else []
    if isinstance(data, str):
        ch = unsafe_char(data)
        return [f"{here}: the text holds the control character {ch!a}; remove it"] if ch else []
    problems: list[str] = []
    if isinstance(data, dict):
        for key, value in data.items():
            ch = unsafe_char(key, newlines=False)
            if ch:
                problems.append(f"{where or '(top level)'}: the key {excerpt(key)} holds the character {ch!a}")
                continue
            problems += data_problems(value, f"{where}.{key}" if where else key, depth + 1)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            problems += data_problems(value, f"{where}[{i}]", depth + 1)
    return problems


def files_under(folder: Path, depth: int = 8) -> list[Path]:
    """What is under folder but folders (files, links, whatever else), at most ``depth`` folders down; links
    to folders not followed. Walked without recursion: a folder someone planted thousands deep is skipped,
    not a RecursionError."""
    found, stack = [], [(folder, 0)]
    while stack:
        where, level = stack.pop()
        try:
            with os.scandir(where) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if level < depth:
                            stack.append((Path(entry.path), level + 1))
                    else:  # a file, or a link (not followed here: the caller checks where it leads)
                        found.append(Path(entry.path))
        except OSError:
            continue
    return sorted(found)


def remove_tree(path: Path) -> None:
    """shutil.rmtree without recursion and without long paths: each folder's folders are emptied into
    it, a level at a time, so a folder nested thousands deep is removed like a shallow one. Links are
    removed, never followed. OSError if something cannot be removed.

    Every step is taken through an open folder (a file descriptor), never by a path: a folder swapped for
    a link to one outside while the removal runs (someone else writing in a shared build folder) is not
    followed. The path-based walk it replaces moved 20 files of such an outside folder into the build folder.
    """
    path = Path(path)
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return
    if not stat.S_ISDIR(info.st_mode):
        os.unlink(path)
        return
    top = os.open(path, FOLDER_OPEN)
    try:
        if not os.path.samestat(os.fstat(top), info):
            raise OSError(f"{path}: changed while it was being removed")
        moved = 0
        while True:
            inner = []
            with os.scandir(top) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        inner.append(entry.name)
                    elif entry.name not in LAST:
                        os.unlink(entry.name, dir_fd=top)  # a link is removed, itself
            if not inner:
                break
            for name in inner:
                folder = os.open(name, FOLDER_OPEN, dir_fd=top)  # refused (ELOOP, ENOTDIR) if now a link or a file
                try:
                    # a folder's own manifest and marker go after what they list, at every level: a removal stopped in
                    # versions/ had moved its manifest up first, and its files were left listed by none (attack39)
                    for child in sorted(os.listdir(folder), key=lambda n: n in LAST):
                        while _exists(f".removing-{moved}", top):
                            moved += 1
                        os.rename(child, f".removing-{moved}", src_dir_fd=folder, dst_dir_fd=top)
                finally:
                    os.close(folder)
                os.rmdir(name, dir_fd=top)
        for name in LAST:  # a removal stopped halfway leaves a folder still marked as workbook's: the next
            if _exists(name, top):  # build removes it, where an unmarked one is left alone as someone else's
                os.unlink(name, dir_fd=top)
    finally:
        os.close(top)
    os.rmdir(path)


# the markers of an edition and of a cache, and an edition's manifest, removed last: a build killed while it removed
# the previous edition left its files without the manifest that lists them, a folder no build or clean would take
# again (attack36a F03a); with it, the next one finishes the removal
LAST = ("manifest.json", ".workbook-build", ".workbook-cache")
FOLDER_OPEN = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)  # a folder opened to work in, never through a link


def _exists(name: str, folder: int) -> bool:
    try:
        os.stat(name, dir_fd=folder, follow_symlinks=False)
    except FileNotFoundError:
        return False
    return True


def remove_tree_quietly(path: Path) -> None:
    """remove_tree, whatever it cannot remove left (as shutil.rmtree(path, ignore_errors=True))."""
    try:
        remove_tree(path)
    except OSError:
        pass
