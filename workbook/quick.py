"""The up-to-date check a rebuild meets first, before SymPy, the bank or WeasyPrint are imported.

A build's inputs are digested as bytes: the edition file, every file of the folders it and the
command name (banks, templates), the options that change what is written, the package's own files
and the libraries' versions. After a build, the cache remembers, signed with this user's key (see
``workbook.cache``), which edition folder and part a build of exactly those inputs wrote and the
digest of the manifest it signed there. A rebuild with the same inputs checks that every file that
manifest lists is there as it was written (sizes first, then contents) and nothing else is in the
edition's folder (no file, link, pipe or folder a build did not write), and stops: the same bytes, without drawing a problem. Anything else (never built, any input
different, a file changed, missing or added, a roster, no usable cache) goes on to the full build,
which decides again from the drawn problems.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
import tomllib
from pathlib import Path

from workbook import __version__
from workbook.cache import CACHE, Store, cache_root
from workbook.resources import DEFAULT_EDITION, DEPENDENCIES, dependency_version, editions_dir

ENTRIES = 2000  # files walked in the folders a build reads, past which the full build decides
SMALL = 1 << 20  # a file up to this size is digested by its bytes; a larger one by its size and time
PACKAGE = Path(__file__).resolve().parent
MAX_DEPTH = 32  # folders within folders: a bank or template folder is a few deep; the build refuses deeper


def inputs(edition: Path | None, *, seed: int | None, versions: int | None, formats: tuple[str, ...],
           templates: Path | None, banks: tuple[Path, ...] | list[Path], origin: str = "") -> str | None:
    """The digest of everything a build of these options reads, or None when it cannot be told here."""
    path = edition if edition is not None else editions_dir() / DEFAULT_EDITION
    h = hashlib.sha256()
    options = {"workbook": __version__, "edition": str(edition) if edition is not None else None,
               "path": str(path.resolve()), "seed": seed, "versions": versions, "formats": sorted(formats),
               "templates": str(templates.resolve()) if templates is not None else None,
               "banks": [str(b) for b in banks], "resolved": [str(b.resolve()) for b in banks],
               "env": os.environ.get("SOURCE_DATE_EPOCH"), **({"origin": origin} if origin else {}),
               "libraries": {n: dependency_version(n) for n in DEPENDENCIES}}
    h.update(json.dumps(options, sort_keys=True).encode())
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > SMALL:
            return None
        text = path.read_bytes()
        data = tomllib.loads(text.decode("utf-8"))
    except (OSError, ValueError, RecursionError):  # unreadable, not UTF-8, not TOML, an integer past Python's limit
        return None
    h.update(b"\0edition\0" + text)
    named_templates, named_banks = data.get("templates"), data.get("bank", [])
    if not (named_templates is None or isinstance(named_templates, str)) or not (
            isinstance(named_banks, list) and all(isinstance(b, str) for b in named_banks)):
        return None
    named = named_banks + ([named_templates] if named_templates else [])
    if any("\0" in n for n in named):  # no path holds a NUL: the full build says so, one line
        return None
    home = path.resolve().parent
    if any(Path(n).is_absolute() or not (home / n).resolve().is_relative_to(home) for n in named):
        return None  # a folder the edition may not name: the full build refuses it, and nothing there is read
    own = [(home / n).resolve() for n in named]  # as the build reads them: beside the real file, links followed
    folders = [PACKAGE, PACKAGE.parent / "templates", PACKAGE.parent / "problems", editions_dir()]
    folders += own + [b.resolve() for b in banks]
    folders += [templates.resolve()] if templates is not None else []
    count = 0
    for folder in dict.fromkeys(folders):
        h.update(b"\0folder\0" + os.fsencode(folder))
        for entry in _walk(folder):
            count += 1
            if count > ENTRIES:
                return None
            h.update(entry)
    return h.hexdigest()


def _walk(top: Path):
    """What a folder (or a file) holds, as bytes to digest: each entry's path, kind, size and time, and
    the bytes of every small regular file. Links are followed, as the build follows them (a file edited
    in place behind a link changes the digest); a folder met twice is walked once. Only workbook's own
    package skips its __pycache__ (in a user's folder a template may live there)."""
    try:
        real = top.resolve()
    except (OSError, RuntimeError):
        yield b"\0missing\0" + os.fsencode(top)
        return
    ours = real.is_relative_to(PACKAGE)
    stack, seen = [(top, 0)], set()
    while stack:
        path, depth = stack.pop()
        try:
            linked = path.is_symlink()
            if linked and path != top and not path.resolve().is_relative_to(real):
                # a link out of the folder: the build does not follow it, and neither is it read here
                yield b"\0link out\0" + os.fsencode(path.relative_to(top)) + b"\0" + os.fsencode(os.readlink(path))
                continue
            info = path.stat()
        except (OSError, RuntimeError):  # RuntimeError: a loop of links
            yield b"\0missing\0" + os.fsencode(path)
            continue
        rel = os.fsencode(path.relative_to(top)) if path != top else b"."
        head = b"\0" + rel + f"\0{stat.S_IFMT(info.st_mode)}\0{info.st_size}\0{info.st_mtime_ns}\0{linked}\0".encode()
        if stat.S_ISDIR(info.st_mode):
            yield head
            if (info.st_dev, info.st_ino) in seen:
                continue
            seen.add((info.st_dev, info.st_ino))
            if depth >= MAX_DEPTH:  # deeper than any folder of templates or families: the build refuses it
                yield b"\0too deep\0"
                continue
            try:
                names = sorted(os.listdir(path))
            except OSError:
                continue
            stack.extend((path / n, depth + 1) for n in reversed(names) if not (ours and n == "__pycache__"))
        elif stat.S_ISREG(info.st_mode) and info.st_size <= SMALL:
            try:
                yield head + path.read_bytes()
            except OSError:
                yield head
        else:
            yield head


def _store(out_root: Path) -> Store | None:
    """The build folder's cache, only if a build already made it (a check never creates a folder)."""
    if not (out_root / CACHE).is_dir():
        return None
    root, _ = cache_root(out_root)
    store = Store(root, "quick") if root is not None else None
    return store if store is not None and store.folder is not None else None


def up_to_date(out_root: Path, key: str) -> tuple[Path, str, int] | None:
    """(the edition's folder, the part, the number of problems) if a build of these inputs wrote that
    part and every file of it is still as written; else None."""
    from workbook.areas import intact

    store = _store(out_root)
    raw = store.read(key, "json") if store is not None else None
    try:
        record = json.loads(raw) if raw is not None else None
    except ValueError:
        return None
    if not (isinstance(record, dict) and isinstance(record.get("folder"), str)
            and re.fullmatch(r"[a-z0-9][a-z0-9-]{0,80}", record["folder"]) and record.get("area") in ("", "versions")
            and isinstance(record.get("manifest"), str) and isinstance(record.get("problems"), int)):
        return None
    out_dir, area = out_root / record["folder"], record["area"]
    if out_dir.is_symlink() or not out_dir.is_dir():  # the build never writes through a link: nor is one trusted
        return None
    if any(out_root.glob(f".{record['folder']}.old-*")) or any(out_root.glob(f".{record['folder']}.staging-*")):
        return None  # a killed or stopped build's leftovers: the build, under its lock, tidies them (attack35a C06, C19)
    whole = intact(out_dir, area)
    if whole is None or hashlib.sha256(whole[1]).hexdigest() != record["manifest"]:
        return None
    return out_dir, area, record["problems"]


def remember(out_root: Path, key: str, out_dir: Path, area: str, problems: int) -> None:
    """Note that the inputs ``key`` built ``area`` of ``out_dir`` as its signed manifest now says."""
    from workbook.areas import signed_manifest

    store, signed = _store(out_root), signed_manifest(out_dir, area)
    if store is None or signed is None or area not in ("", "versions"):
        return
    store.write(key, "json", json.dumps({"folder": out_dir.name, "area": area, "problems": problems,
                                         "manifest": hashlib.sha256(signed[1]).hexdigest()}))
