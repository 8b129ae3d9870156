"""The content cache under build/.cache (safe to delete): draws, math, figures and compiled templates,
each kept in a file named by the digest of everything that made it, so that nothing unchanged is made
twice.

A cache is data that someone else may have written: a build folder can come from a repository, or
sit on a shared drive. So an entry is used only when

- the cache folder is one workbook made (it carries the ``.workbook-cache`` marker), a real folder,
  not a symbolic link, owned by this user, as is each entry, read without following a link;
- the entry carries a signature (HMAC-SHA256) made with this user's own secret key, which lives
  outside the build folder in ``$XDG_CACHE_HOME/workbook/cache-key`` (``~/.cache/workbook``), a
  file only this user can read, so no one else can write an entry this user's builds will accept;
- and, on top, it has the shape its kind of content has (checked by each reader).

Anything else is ignored and made again. Without a usable key (no home folder, one that cannot be
written, a key file others can read) nothing is cached: builds are only slower. This module imports
nothing heavy, so math and figures can use it without the kinds.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from contextlib import suppress
from functools import lru_cache
from pathlib import Path

from workbook.errors import printable

CACHE = ".cache"
MARKER = ".workbook-cache"
MARKER_TEXT = "the content cache of workbook; safe to delete\n"
KINDS = ("draws", "math", "figures", "templates")
_MAGIC = b"workbook-cache-1\n"
_MAC = 32
_LIMIT = 64 << 20  # no entry is this large; a bigger file is not ours


def digest(*parts: object) -> str:
    """The name of a cache entry: a digest of everything the entry depends on."""
    return hashlib.sha256("|".join(str(p) for p in parts).encode()).hexdigest()


def _mine(info: os.stat_result, kind: int, shared: int) -> bool:
    """A file or folder of this user, of the kind expected, that no one else may write, but for the
    permission bits in ``shared``."""
    return (stat.S_IFMT(info.st_mode) == kind and info.st_uid == os.geteuid()
            and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH) & ~shared)


def _private_folder(folder: Path, shared: int = stat.S_IWGRP) -> bool:
    """A real folder (not a link) of this user's that no one else may write: one's own group may,
    as a umask of 002 makes every folder (the entries are signed: the group cannot forge them),
    but not for the key's folder, which is strictly private (``shared=0``)."""
    try:
        return _mine(os.lstat(folder), stat.S_IFDIR, shared)
    except OSError:
        return False


def key_folder() -> Path | None:
    """Where this user's cache key is kept: $XDG_CACHE_HOME/workbook, else ~/.cache/workbook; None where the
    home folder is given as no absolute path (HOME empty made it /.cache at the filesystem's root, HOME
    relative a .cache in whatever folder the build ran in)."""
    base = os.environ.get("XDG_CACHE_HOME")
    if base and os.path.isabs(base):
        return Path(base) / "workbook"
    home = os.environ.get("HOME")
    if home is not None and (not os.path.isabs(home) or home.strip("/") == ""):
        return None
    try:
        return Path.home() / ".cache" / "workbook"
    except RuntimeError:  # no home folder at all
        return None


@lru_cache(maxsize=1)
def secret() -> bytes | None:
    """This user's cache key, made on first use; None when there is no safe place for one."""
    try:
        folder = key_folder()
        if folder is None:
            return None
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _private_folder(folder, shared=0):
            return None
        path = folder / "cache-key"
        if not os.path.lexists(path):
            _new_key(path)
        data = read_own(path, 64)
        if data is None or len(data) != 32 or os.lstat(path).st_mode & 0o077:
            return None
        return data
    except (OSError, RuntimeError):  # RuntimeError: no home folder
        return None


def why_no_secret() -> str:
    """Why secret() has no key, in a few words with what to do: the message named HOME where HOME was fine and the
    key was a link, or its folder open to others, or XDG_CACHE_HOME a file (attack48 F5)."""
    folder = key_folder()
    if folder is None:
        return "HOME is /, empty or relative, and XDG_CACHE_HOME is not set: set either to your own folder"
    shown = printable(str(folder))
    if os.path.lexists(folder) and not os.path.isdir(folder) or any(
            os.path.lexists(p) and not os.path.isdir(p) for p in folder.parents):
        return f"{shown} cannot be a folder (a file stands in its way): set XDG_CACHE_HOME to a folder of yours"
    if not _private_folder(folder, shared=0):
        return f"{shown} is a link, or not yours alone (others may write it): make it a folder of yours (chmod 700)"
    key = folder / "cache-key"
    return (f"{printable(str(key))} is a link, not a file of yours, or readable by others: remove it, and a build makes "
            "a new one")


def _new_key(path: Path) -> None:
    temp = path.with_name(f".cache-key.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    try:
        os.write(fd, secrets.token_bytes(32))
    finally:
        os.close(fd)
    try:
        os.link(temp, path)  # never replaces a key another build made at the same moment
    except FileExistsError:
        pass
    finally:
        os.unlink(temp)


def read_own(path: Path | str, limit: int, dir_fd: int | None = None) -> bytes | None:
    """A regular file of this user, read without following a link or blocking on a pipe (``path`` a name in the
    open folder ``dir_fd``, where one is given)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if stat.S_IFMT(info.st_mode) != stat.S_IFREG or info.st_uid != os.geteuid() or info.st_size > limit:
            return None
        chunks, size = [], 0
        while chunk := os.read(fd, min(1 << 20, limit + 1 - size)):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                return None
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _unwritable_by_others(folder: Path) -> None:
    """A cache folder of this user's never writable by others, whatever the umask (a group's, as the umask gives):
    under umask 000 the cache a first build made was refused as someone else's, for good (attack33 F12)."""
    here = folder.stat(follow_symlinks=False)
    if here.st_mode & 0o002 and here.st_uid == os.getuid() and stat.S_ISDIR(here.st_mode):
        os.chmod(folder, stat.S_IMODE(here.st_mode) & ~0o002)


def cache_root(out_root: Path) -> tuple[Path | None, str | None]:
    """The build folder's content cache, made here if absent: (its path, None), or (None, why not)."""
    root = out_root / CACHE
    try:
        out_root.mkdir(parents=True, exist_ok=True)
        made = False
        try:
            root.mkdir()
            _unwritable_by_others(root)
            made = True
        except FileExistsError:
            pass
        if made:
            _write_new(root / MARKER, MARKER_TEXT.encode())
        if not _private_folder(root) or read_own(root / MARKER, 4096) is None:
            return None, (f"{root} was not made by workbook for you (no {MARKER} marker, a link, another owner, "
                          "or others may write it): built without the cache; move it away to use the cache")
    except OSError as exc:
        return None, f"{root} cannot be used ({exc.strerror or exc}): built without the cache"
    if secret() is None:
        return None, (f"no private place for the cache key in {key_folder() or 'a home folder (HOME is no absolute path)'}: built without the cache "
                      "(set XDG_CACHE_HOME to a folder only you can write)")
    return root, None


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


def is_cache(folder: Path) -> bool:
    """A content cache workbook made (for ``clean``): a real folder with the marker, as workbook writes it (any
    file of that name had made another program's folder one: attack29)."""
    if folder.is_symlink() or not folder.is_dir():
        return False
    text = read_own(folder / MARKER, 4096)
    return text is not None and text.startswith(MARKER_TEXT.encode())


KINDS = ("draws", "math", "figures", "templates", "quick")  # the cache's folders, the only ones clean removes


_OURS = re.compile(r"\.?[0-9a-f]{16,128}\.[a-z]{2,5}(\.\d{1,10}\.tmp)?")


def _ours(name: str, folder: int) -> bool:
    """Whether an entry of a cache folder (open as the descriptor ``folder``) is one workbook wrote: a regular file
    with a digest's name that opens with the signed entries' header (or a temporary one being written,
    .<name>.<pid>.tmp). Opened in that folder, never through a link."""
    if not _OURS.fullmatch(name):
        return False
    try:
        fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return False
        return name.endswith(".tmp") or os.read(fd, len(_MAGIC)) == _MAGIC
    except OSError:
        return False
    finally:
        os.close(fd)


def emptied(folder: Path) -> tuple[list[Path], list[str]]:
    """Remove what workbook put in a content cache (its kinds' folders and its marker), and the folder
    if nothing else is left: (what was removed, the names of what was left). Another program's files
    are left: ``--out ~`` makes ``~/.cache`` the cache, where pip and others keep theirs.

    Every step is taken through an open folder, never by a path: a kind's folder swapped for a link to another
    cache while clean ran (someone else writing in a shared build folder) had that cache's entries removed, and
    a file of it named (attack35a C26)."""
    from workbook.userfiles import FOLDER_OPEN

    removed: list[Path] = []
    kept: list[str] = []
    try:
        top = os.open(folder, FOLDER_OPEN)
    except OSError:
        return removed, ["."]  # a link now, or gone: left alone
    try:
        for kind in KINDS:
            try:
                inner = os.open(kind, FOLDER_OPEN, dir_fd=top)
            except FileNotFoundError:
                continue
            except OSError:  # a file, pipe or link where a kind's folder goes: not workbook's (attack31 removed the
                kept.append(kind)  # marker, then stopped at "Directory not empty")
                continue
            try:
                # only the entries workbook wrote there (a digest's name, its signed header, or a temporary file
                # of one being written): another program's files in .cache/templates went too (attack28)
                names = os.listdir(inner)
                theirs = [name for name in names if not _ours(name, inner)]
                for name in names:
                    if name not in theirs:
                        with suppress(FileNotFoundError):
                            os.unlink(name, dir_fd=inner)
            finally:
                os.close(inner)
            if theirs:
                kept += [f"{kind}/{name}" for name in theirs]
                continue
            os.rmdir(kind, dir_fd=top)  # emptied of what was ours, which was all of it (a link is no folder to rmdir)
            removed.append(folder / kind)
        left = sorted(name for name in os.listdir(top) if name != MARKER and name not in KINDS) + kept
        if not left:
            with suppress(FileNotFoundError):
                os.unlink(MARKER, dir_fd=top)
            os.rmdir(folder)
            return [folder], []
        return removed, left
    finally:
        os.close(top)


class Store:
    """One kind of content in the cache: <root>/<kind>/<digest>.<ext>, signed; no root, no cache.

    ``root`` is what ``cache_root`` returned. A subfolder that is a link, or someone else's, turns
    the store off.
    """

    def __init__(self, root: Path | None, kind: str):
        assert kind in KINDS, kind  # clean removes these folders only
        folder = root / kind if root is not None else None
        if folder is not None:
            try:
                folder.mkdir(exist_ok=True)
                _unwritable_by_others(folder)
            except OSError:
                folder = None
        self.folder = folder if folder is not None and _private_folder(folder) else None

    def path(self, name: str, ext: str) -> Path | None:
        return self.folder / f"{name}.{ext}" if self.folder is not None else None

    def read(self, name: str, ext: str) -> bytes | None:
        """The entry's bytes if this user's workbook wrote them; None otherwise (then it is made again)."""
        path, key = self.path(name, ext), secret()
        if path is None or key is None:
            return None
        data = read_own(path, _LIMIT)
        head = len(_MAGIC) + _MAC
        if data is None or not data.startswith(_MAGIC) or len(data) < head:
            return None
        body = data[head:]
        if not hmac.compare_digest(data[len(_MAGIC):head], _sign(key, path.name, body)):
            return None
        return body

    def write(self, name: str, ext: str, data: str | bytes) -> None:
        path, key = self.path(name, ext), secret()
        if path is None or key is None:
            return
        body = data.encode() if isinstance(data, str) else data
        write_atomic(path, _MAGIC + _sign(key, path.name, body) + body)


def stamp(text: str) -> str | None:
    """``text`` signed with this user's key (hex), for a record outside the cache that must be this
    user's own, such as the up-to-date stamp in a built edition's marker; None without a key."""
    key = secret()
    return hmac.new(key, b"stamp\0" + text.encode(), hashlib.sha256).hexdigest() if key is not None else None


def _sign(key: bytes, name: str, body: bytes) -> bytes:
    """Bound to the entry's name too: a signed entry copied under another name is refused."""
    return hmac.new(key, name.encode() + b"\0" + body, hashlib.sha256).digest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write a cache file whole or not at all: worker processes may read it at the same moment.

    The temporary file is made new (never through a link planted under its name), and the rename
    replaces a link at ``path`` rather than writing where it points. A cache that cannot be written
    (read-only, full) is skipped: it is an optimisation.
    """
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        if os.path.lexists(temp):  # left by a killed build of the same process id
            os.unlink(temp)
        _write_new(temp, data)
        os.replace(temp, path)
    except OSError:
        try:
            os.unlink(temp)
        except OSError:
            pass
