"""The output folder: written in a staging folder and swapped in whole, one build of an edition at a
time, never outside the build folder, and only what workbook made is ever removed.

A build writes into a fresh folder beside the edition's and replaces the edition only once every
file is complete; a lock file stops a second build of the same edition; a build killed half-way is
tidied up by the next. Each folder workbook made carries a marker file, the only thing ``clean``
removes (with the content cache).
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from workbook.cache import CACHE, emptied, is_cache, read_own
from workbook.errors import BuildError, InTheWay
from workbook.userfiles import FOLDER_OPEN, remove_tree, remove_tree_quietly

MARKER = ".workbook-build"
MANIFEST = "manifest.json"  # an area's manifest (areas.MANIFEST: areas imports this module)
MARKER_TEXT = "made by workbook; safe to delete with `workbook clean`\n"
LOCK_TEXT = b"a workbook build's lock: held while it runs, removed when it ends\n"


def confined(root: Path, name: str) -> Path:
    """root/name, refusing any name that would leave root, and a folder there that workbook did not
    make or that is a link (to anywhere: even to another edition's folder beside it)."""
    root = root.resolve()
    target = root / name
    if name not in ("", ".", "..") and "/" not in name and target.is_symlink():  # a link out of the folder, said as
        refuse_foreign(target)  # one to a folder inside it is ("... is a link": attack33 F4)
    if target.resolve().parent != root or name in ("", ".", "..") or "/" in name:
        raise InTheWay(f"the edition's folder name {name!r} would leave {root}: give the edition a plain slug")
    refuse_foreign(target)
    return target


def _ours_or_empty(folder: Path) -> bool:
    return folder.is_dir() and not folder.is_symlink() and (marked(folder) or not any(folder.iterdir()))


def marked(folder: Path) -> bool:
    """Whether a folder carries a marker workbook wrote: a regular file that opens with workbook's line (an
    empty one, or any other file of that name, does not make a folder of someone's files workbook's)."""
    marker = folder / MARKER
    try:
        if not marker.is_file() or marker.is_symlink():
            return False
        with open(marker, "rb") as handle:
            return handle.read(len(MARKER_TEXT.encode())) == MARKER_TEXT.encode()
    except OSError:
        return False


def _aside_stamp(folder: Path) -> str | None:
    """A staging folder's own name, signed with this user's key (None without a key)."""
    from workbook.cache import stamp

    return stamp(f"aside\0{folder.name}")


def aside_line(folder: Path) -> str:
    """The line a staging folder's marker carries: its own name, signed with this user's key, so that a marker
    copied into a folder of someone's files (or planted as .<name>.staging-x) does not make it one to remove."""
    signed = _aside_stamp(folder)
    return f"aside {signed}\n" if signed else ""


def own_aside(folder: Path) -> bool:
    """Whether a folder is a staging folder a build of this user's made, under the name it has."""
    signed = _aside_stamp(folder)
    return signed is not None and marked(folder) and marker_fields(folder).get("aside") == signed


def refuse_foreign(out_dir: Path) -> None:
    """BuildError unless out_dir is free (absent or an empty folder) or an edition workbook built (it
    carries the marker): a build replaces the folder whole, and must not take someone else's files with it."""
    if out_dir.is_symlink():
        raise InTheWay(f"{out_dir} is a link; an edition is written only into a real folder: remove the link "
                       "or choose another --out; nothing was changed")
    if out_dir.exists() and not _ours_or_empty(out_dir):
        raise InTheWay(f"{out_dir} is in the way and was not made by workbook (it has no {MARKER} marker workbook wrote); "
                         "move it away or choose another --out; nothing was changed")


@contextmanager
def edition_lock(out_dir: Path, trusted: Callable[..., dict[str, str]] | None = None):
    """Hold the edition's lock for a whole build (drawing included, so that `clean` leaves the cache
    and the edition alone meanwhile); a folder that cannot hold it is one clear line. An edition a killed
    build moved aside is put back first (``trusted``: areas.trusted_files), before the build reads what the
    previous edition holds: put back only when the new one was staged, its files were taken for another's
    and removed (attack33 F5)."""
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
    except (NotADirectoryError, FileExistsError) as exc:
        raise InTheWay(f"could not write the edition into {out_dir.parent}: {exc.filename or out_dir} is in the way "
                       "(a file where a folder must be); choose another --out folder; nothing was changed") from None
    with _locked(out_dir.with_name(f".{out_dir.name}.lock")):
        if trusted is not None:
            _recover(out_dir, trusted)
        yield


@contextmanager
def staging(out_dir: Path, lock: bool = True, trusted: Callable[..., dict[str, str]] | None = None):
    """A fresh folder beside out_dir, swapped in only if the body finishes without error (the body may
    carry files of the previous edition over into it first: ``carry_over``).

    A lock file beside it stops a second build of the same edition from running at the same time.
    A folder that cannot be written (read-only, full, not a folder) is one clear BuildError.
    ``trusted(folder, name)`` lists what this user's builds wrote in an edition moved aside (areas.trusted_files):
    without it, such a folder a killed build left is not put back.
    """
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        if lock:
            with _locked(out_dir.with_name(f".{out_dir.name}.lock")):
                yield from _staged(out_dir, trusted)
        else:  # the caller holds the lock (edition_lock)
            yield from _staged(out_dir, trusted)
    except (NotADirectoryError, FileExistsError) as exc:  # a file stands where a folder of the path must be
        raise InTheWay(f"could not write the edition into {out_dir.parent}: {exc.filename or out_dir} is in the way "
                       "(a file where a folder must be); choose another --out folder; the previous edition is "
                       "unchanged") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        # what to do follows what went wrong: "free some space" for a folder made read-only was no help (attack35a C17)
        advice = ("free some space or choose another --out folder" if exc.errno in (errno.ENOSPC, errno.EFBIG,
                                                                                   getattr(errno, "EDQUOT", -1))
                  else "make it writable or choose another --out folder" if exc.errno in (errno.EACCES, errno.EPERM,
                                                                                          errno.EROFS)
                  else "choose another --out folder")
        # (the reason first, and paths cut to their ends: a 4000-character --out had the reason cut from the line and
        # "free some space" left: attack36a F08)
        raise BuildError(f"could not write the edition: {reason} (in {_tail(out_dir.parent)}, at {_tail(exc.filename or out_dir)}); "
                         f"{advice}; the previous edition is unchanged") from None


def _tail(path) -> str:
    """A path as a message quotes it: whole when short, else its last 60 characters."""
    text = str(path)
    return text if len(text) <= 80 else "..." + text[-60:]


@contextmanager
def _locked(path: Path):
    """Hold the edition's lock file: made new or reused, never through a link, never truncated, and
    removed when the build ends (however it ends), so no lock is left behind.

    A lock removed by the build that held it while another was waiting for it would let two builds
    hold two different files: so the file locked must still be the one at ``path``, or it is tried again.
    """
    import fcntl
    import stat

    for _ in range(20):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP or os.path.lexists(path):  # a link, or something else of that name
                raise InTheWay(f"{path} cannot be the lock file ({exc.strerror}; a link?): remove it and build "
                               "again; nothing was changed") from None
            raise InTheWay(f"cannot write in {path.parent} ({exc.strerror}): give a build folder you can write "
                           "(--out); nothing was changed") from None
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise InTheWay(f"{path} is in the way of the lock file (not a regular file): remove it and build "
                               "again; nothing was changed")
            # a hard link to a file elsewhere would be written (its text) and removed as the lock (attack33 F1), and
            # another program's lock of that name removed at the end (~/.gitconfig.lock for a slug "gitconfig": F3)
            if os.fstat(fd).st_nlink > 1:
                raise InTheWay(f"{path} is in the way of the lock file (a hard link to another file): remove it and "
                               "build again; nothing was changed")
            if os.pread(fd, len(LOCK_TEXT), 0) not in (LOCK_TEXT, b""):
                raise InTheWay(f"{path} is in the way of the lock file (not a workbook lock; another program's?): move "
                               "it away or choose another --out; nothing was changed")
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BuildError(f"another build of {path.name[1:-5]!r} is running; wait for it to finish") from None
            except OSError as exc:  # NFS without lockd, some FUSE and SMB mounts (attack33 F8)
                if os.fstat(fd).st_size == 0 and _same_file(fd, path):
                    with suppress(OSError):
                        os.unlink(path)  # empty: made now, or a lock's own
                raise InTheWay(f"cannot lock {path} ({exc.strerror}: the build folder's file system has no file "
                               "locks): build into a local folder (--out); nothing was changed") from None
            if not _same_file(fd, path):
                continue  # removed (or replaced) by the build that held it: lock the one there now
            if os.fstat(fd).st_size == 0:  # says whose it is: `clean --cache` looks only at workbook's locks
                with suppress(OSError):  # (a full disk: an empty lock is looked at too)
                    os.write(fd, LOCK_TEXT)
            try:
                yield
            finally:
                with suppress(OSError):
                    os.unlink(path)  # while still held: a build waiting for it tries the new one
                fcntl.flock(fd, fcntl.LOCK_UN)
            return
        finally:
            os.close(fd)
    raise BuildError(f"could not take the lock {path}: it kept changing; try again")


def _same_file(fd: int, path: Path) -> bool:
    try:
        there = os.stat(path, follow_symlinks=False)
    except OSError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


_DEBRIS = re.compile(r"\.removing-\d+")


class NotRemoved(OSError):
    """What a build of this user's wrote could not all be removed (a folder made read-only or immutable since):
    the rest was, and the folder keeps its marker and manifests, so that a later build or clean finishes it."""


def _recover(out_dir: Path, trusted_files: Callable[..., dict[str, str]] | None = None) -> list[str]:
    """Tidy up after a build that was killed (we hold the lock: no other build is running).

    Its staging folder is removed. Killed in the instant between moving the previous edition
    aside and moving the new one in, it left the previous edition as ``.<name>.old-<pid>``:
    that is put back. Returns a line for each previous edition moved aside that could not be removed
    whole (NotRemoved): the build goes on beside it, and says so.
    """
    notes: list[str] = []
    # a marker a killed build was replacing (_replace_marker's new file): its own, said to be nobody's (attack33 F6)
    for leftover in out_dir.glob(f"{MARKER}.*") if out_dir.is_dir() and not out_dir.is_symlink() else ():
        if re.fullmatch(re.escape(MARKER) + r"\.[0-9a-f]{12}", leftover.name) and leftover.is_file() \
                and not leftover.is_symlink():
            with suppress(OSError):
                leftover.unlink()
    for leftover in sorted(out_dir.parent.glob(f".{out_dir.name}.staging-*")):
        # a staging folder is marked first thing, with its name signed; another is left alone (a marker copied
        # into a folder of someone's files had it removed whole: attack28)
        if leftover.is_dir() and not leftover.is_symlink() and (own_aside(leftover) or not any(leftover.iterdir())):
            remove_tree_quietly(leftover)
    for old in sorted(out_dir.parent.glob(f".{out_dir.name}.old-*")):
        if re.fullmatch(re.escape(f".{out_dir.name}.old-") + r"\d+-[0-9a-f]{12}", old.name) and old.is_dir() \
                and not old.is_symlink():
            with suppress(OSError):  # one a killed removal had emptied, its marker gone with the rest, stayed for good
                old.rmdir()  # (attack48 F1): a folder of _aside's own name with nothing in it; anything in it, kept
            if not old.exists():
                continue
        if not old.is_dir() or old.is_symlink() or not own_moved(old) or trusted_files is None:
            continue  # (a copy a user made under such a name: not moved aside by a build, left alone)
        trusted = trusted_files(old, out_dir.name)  # the edition moved aside: its manifests signed as the edition's
        if not trusted and not _debris_only(old):
            continue  # marked, but by no build of this user's: someone's files, left alone
        # (one holding nothing but its marker and what remove_tree had moved up when it was stopped is this user's own,
        # signed so under its name: a roster-only edition's, its manifest already gone, stayed for good: attack39 F1)
        # put back whole or not at all: one a removal had half emptied (a folder in it made unchangeable) came back
        # as the edition with half its files (attack36a F09)
        whole = all(os.path.lexists(old / rel) for rel in trusted)
        if not out_dir.exists() and whole and not any(foreign(old, trusted)):  # nothing in it a build did not write
            os.replace(old, out_dir)
            with suppress(OSError):
                _replace_marker(out_dir, _marker_without(out_dir, "moved"))  # as it was before it was moved
        else:
            try:
                left = _remove_as_written(old, trusted)
                if left:  # what no build of the user's wrote there: kept, and said (attack39: silent, for good)
                    notes.append(f"kept {len(left)} entr{'ies' if len(left) != 1 else 'y'} of {_tail(old)}, a previous "
                                 f"edition moved aside, that no build of yours wrote as they are (e.g. "
                                 f"{_tail(left[0])}): remove them by hand if they are yours")
            except NotRemoved as exc:  # a folder in it made unchangeable: every later build refused with
                # "solutions.pdf: Operation not permitted", no folder named (attack36a F09)
                notes.append(f"a previous edition, moved aside to {_tail(old)}, could not be removed ({exc}): make "
                             "it writable, and the next build or clean removes it")
    return notes


def _debris_only(folder: Path) -> bool:
    """Whether a folder holds nothing but workbook's marker and manifest and remove_tree's own ``.removing-N``."""
    try:
        with os.scandir(folder) as entries:
            return all(_DEBRIS.fullmatch(e.name) or e.name in (MARKER, MANIFEST) for e in entries)
    except OSError:
        return False


def leftover_notes(out_dir: Path, trusted_files: Callable[..., dict[str, str]]) -> list[str]:
    """After the swap (the edition's lock held): the previous edition, and any an earlier build moved aside,
    removed, or a line for each that could not be."""
    return _recover(out_dir, trusted_files)


def _staged(out_dir: Path, trusted: Callable[..., dict[str, str]] | None = None):
    """Yield a staging folder; on success it replaces out_dir, on failure it is removed."""
    _recover(out_dir, trusted)
    # private while it is written (mkdtemp's 0700): with a group-writable umask a group member's file dropped in it
    # became part of the edition, listed and signed as this build's (attack33 F16); it follows the umask when moved in
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        (stage / MARKER).write_text(MARKER_TEXT + aside_line(stage))
        yield stage
        refuse_foreign(out_dir)  # checked again: something may have appeared while the build ran
        from workbook.workers import stops_held

        # a stop (Ctrl-C, SIGTERM, SIGHUP) waits for the swap: between its two moves it left no edition in place
        # under "the previous edition is kept as it was" (attack33 F11)
        swapped = False
        _IN_PLACE[0] = False
        try:
            with stops_held():
                swapped = _swap(out_dir, stage)
                _IN_PLACE[0] = bool(swapped)
        except KeyboardInterrupt as stop:  # held until the swap was done, when it was: the new edition is in place
            stop.swapped = swapped  # (the stop said "the previous edition is kept", and left it aside: attack35a C19)
            raise
        finally:
            if swapped and swapped is not True:
                try:
                    remove_tree_quietly(swapped)  # the previous edition, moved aside
                except KeyboardInterrupt as stop:  # stopped while it went: the new edition is in place all the same,
                    stop.swapped = True  # and the rest of the old goes with the next build (attack36a F03c)
                    raise
    finally:
        if stage.exists():
            remove_tree_quietly(stage)


_IN_PLACE: list[bool] = [False]  # whether this process's build has moved its new edition in (a stop after says so)


def in_place() -> bool:
    """Whether the new edition was moved in: a stop that arrives after the swap, while the build notes what it
    kept or remembers its inputs, finds the new edition in place (attack58 F3 was told "the previous is kept")."""
    return _IN_PLACE[0]


def _swap(out_dir: Path, stage: Path) -> Path | bool:
    """The stage moved in where out_dir was: the previous edition (moved aside, its path returned) or True where
    there was none; OSError with the previous edition put back where the second move fails."""
    old = None
    os.chmod(stage, 0o777 & ~_umask())
    if out_dir.exists():
        old = _aside(out_dir)
        _sign_aside(out_dir, old)
        os.replace(out_dir, old)
    try:
        os.replace(stage, out_dir)
    except OSError:  # a full disk, a quota, a folder made there meanwhile: the previous edition put back,
        if old is not None:  # as the error says it is (attack33 F7)
            os.replace(old, out_dir)
            with suppress(OSError):
                _replace_marker(out_dir, _marker_without(out_dir, "moved"))
            old = None
        raise
    # the staging folder's signed name, kept to the last move (a build killed before it leaves a folder the
    # next one knows as its own: attack31), is no part of the edition at rest: its marker is the same each build
    with suppress(OSError):  # (the edition is in place: a marker left with the line is harmless)
        _replace_marker(out_dir, _marker_without(out_dir, "aside"))
    return old if old is not None else True


def _moved_stamp(folder: Path) -> str | None:
    from workbook.cache import stamp

    return stamp(f"moved\0{folder.name}")


def own_moved(folder: Path) -> bool:
    """Whether a folder is an edition a build of this user's moved aside, under the name it has (_sign_aside)."""
    signed = _moved_stamp(folder)
    return signed is not None and marked(folder) and marker_fields(folder).get("moved") == signed


def _sign_aside(out_dir: Path, old: Path) -> None:
    """The edition's marker, before it is moved aside to ``old``, with that name signed on a line of its own, so
    that a build killed in between finds it as its own to put back, and a copy a user made under such a name
    (cp -a ed .ed.old-backup) is no edition moved aside (attack31: its files went). Replaced, not written through."""
    try:
        text = _marker_without(out_dir, "moved")
        signed = _moved_stamp(old)
        _replace_marker(out_dir, text + (f"moved {signed}\n" if signed else ""))
    except OSError as exc:
        if exc.errno not in (errno.ELOOP, errno.ENOTDIR, errno.ENOENT):
            raise
        raise InTheWay(f"{out_dir} was replaced while the build ran (by a link, or removed: does someone else write "
                       "in this build folder?); nothing was written through it and the new edition was not put in "
                       "place: build again") from None


def _in_folder(folder: Path) -> int:
    """The folder, open to work in: never through a link (swapped in for the edition after the build's last look,
    the marker was written in the folder it pointed to: attack35a C20). OSError (ELOOP) if it is one."""
    from workbook.userfiles import FOLDER_OPEN

    return os.open(folder, FOLDER_OPEN)


def _marker_without(folder: Path, key: str) -> str:
    fd = _in_folder(folder)
    try:
        data = read_own(MARKER, 1 << 20, dir_fd=fd) or MARKER_TEXT.encode()
    finally:
        os.close(fd)
    return "".join(line for line in data.decode("utf-8", "replace").splitlines(keepends=True)
                   if not line.startswith(f"{key} "))


def _replace_marker(folder: Path, text: str) -> None:
    """The folder's marker replaced at once (a new file moved over it: a link planted there is replaced, not
    written through, and a build killed meanwhile leaves the old marker, never none), in the folder as opened."""
    import secrets

    where = _in_folder(folder)
    new = f"{MARKER}.{secrets.token_hex(6)}"
    try:
        fd = os.open(new, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666, dir_fd=where)  # (the umask's)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
            os.replace(new, MARKER, src_dir_fd=where, dst_dir_fd=where)
        except BaseException:
            with suppress(OSError):
                os.unlink(new, dir_fd=where)
            raise
    except OSError as exc:  # named by the folder to make writable, not by a temporary name in it (attack39 F5)
        raise OSError(exc.errno, exc.strerror, str(folder)) from None
    finally:
        os.close(where)


def _aside(out_dir: Path) -> Path:
    """A name beside out_dir that nothing has: where the previous edition goes while the new one moves in
    (a folder planted as .<name>.old-<pid> for every process id had made each build fail, "Directory not
    empty"). The random part makes a clash as good as impossible; a name that is taken is passed over."""
    import secrets

    for _ in range(64):
        old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}-{secrets.token_hex(6)}")
        if not os.path.lexists(old):
            return old
    raise InTheWay(f"{out_dir.parent} holds too many .{out_dir.name}.old-* entries workbook did not make; move "
                   "them away")


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def carry_over(out_dir: Path, stage: Path, trusted: dict[str, str], keep) -> list[str]:
    """Link (or copy) into the stage each file of out_dir it lacks that ``keep(relative path)`` keeps and
    that is exactly as ``trusted`` (path -> "sha256 size", from a signed record of workbook's) says it
    was written: a file added or changed by someone else is left behind (its size is compared before
    anything is read, so a planted file of terabytes costs nothing). Links, and anything not a regular
    file, are never followed. Files are never changed in place, so a link is safe."""
    carried = []
    for rel, digest in sorted(trusted.items()):
        path, target = out_dir / rel, stage / rel
        if not keep(rel) or target.exists() or target.is_symlink() or rel == MARKER:
            continue
        if not as_written(out_dir, rel, digest):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target, follow_symlinks=False)
        except OSError:
            shutil.copy2(path, target, follow_symlinks=False)
        carried.append(rel)
    return carried


def as_written(out_dir: Path, rel: str, digest: str) -> bool:
    """Whether out_dir/rel is a regular file, reached through no link, with the digest ("sha256 size") a build
    of this user's recorded for it (a file of another size is not read)."""
    path = out_dir / rel
    try:
        return (not path.is_symlink() and path.is_file()
                and not any(p.is_symlink() for p in path.parents if out_dir in p.parents)
                and digest_of(path, digest) == digest)
    except OSError:
        return False


def digest_of(path: Path, expected: str | None = None) -> str:
    """A file's "sha256 size"; with ``expected``, a file of another size is not read (its digest differs)."""
    size = path.stat().st_size
    if expected is not None and not expected.endswith(f" {size}"):
        return f"- {size}"
    with open(path, "rb") as handle:
        return f"{hashlib.file_digest(handle, 'sha256').hexdigest()} {size}"


def file_names(folder: Path, within) -> list[str]:
    """Every regular file under folder (relative paths) for which ``within(path)`` is true, without
    reading any, nor following a link."""
    names, stack = [], [folder]
    while stack:  # without recursion: a folder nested thousands deep is walked, not a RecursionError
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(Path(entry.path))
                    elif entry.is_file(follow_symlinks=False):
                        rel = Path(entry.path).relative_to(folder).as_posix()
                        if rel != MARKER and within(rel):
                            names.append(rel)
        except OSError:  # a name too long to open: not a file workbook wrote
            continue
    return sorted(names)


def foreign(folder: Path, trusted: dict[str, str]) -> Iterator[str]:
    """Each entry under folder (relative path) that no build wrote as it is now, judged by its name, kind
    and size alone (nothing is read, no link followed): a link, a pipe or anything else that is neither a
    regular file nor a folder; a file ``trusted`` (path -> "sha256 size") does not list, or of another
    size; an empty folder (a build makes a folder only to hold its files). A folder that cannot be
    listed is one too, named "." at the top. Walked through open folders, never by a path: the edition swapped
    for a link while a build ran had the build name a file of the folder it pointed to (attack35a C20)."""
    from workbook.userfiles import FOLDER_OPEN

    try:
        top = os.open(folder, FOLDER_OPEN)
    except OSError:
        yield "."
        return
    stack = [(top, "")]
    try:
        while stack:  # without recursion: a folder nested thousands deep is walked, not a RecursionError
            here, rel = stack.pop()
            try:
                with os.scandir(here) as scan:
                    entries = list(scan)
            except OSError:
                entries = None
            if entries is None or (not entries and rel):
                os.close(here)
                yield rel or "."
                continue
            for entry in entries:
                name = f"{rel}/{entry.name}" if rel else entry.name
                try:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((os.open(entry.name, FOLDER_OPEN, dir_fd=here), name))
                    elif not _as_written(entry, name, trusted):
                        yield name
                except OSError:  # gone meanwhile, a link now, or a name too long: not as a build wrote it
                    yield name
            os.close(here)
    finally:
        for here, _ in stack:
            os.close(here)


def _as_written(entry: os.DirEntry, rel: str, trusted: dict[str, str]) -> bool:
    """Whether an entry that is not a folder is a regular file a build wrote there, of the size it wrote."""
    if not entry.is_file(follow_symlinks=False):
        return False
    return rel == MARKER or trusted.get(rel, "").endswith(f" {entry.stat(follow_symlinks=False).st_size}")


def file_hashes(folder: Path, within, expected: dict[str, str] | None = None) -> dict[str, str]:
    """Every regular file under folder (relative path -> "sha256 size") for which ``within(path)`` is
    true; one whose size is not the one ``expected`` says is not read."""
    return {rel: digest_of(folder / rel, (expected or {}).get(rel, "") if expected is not None else None)
            for rel in file_names(folder, within)}


def marker_fields(out_dir: Path) -> dict[str, str]:
    """The ``name value`` lines of a built edition's marker (its signed stamps), or {}."""
    # a regular file of this user's, read without following a link or waiting on a pipe (a marker replaced by
    # a FIFO had blocked the up-to-date check for ever); a marker is a few lines: no more is read
    data = read_own(out_dir / MARKER, 1 << 20)
    if data is None:
        return {}
    text = data[:16384].decode("utf-8", "replace")
    return dict(line.split(" ", 1) for line in text.splitlines()[1:] if " " in line)


def _remove_as_written(folder: Path, trusted: dict[str, str]) -> list[str]:
    """Remove from an edition's folder what a build of this user's wrote there, as it wrote it (the files
    its signed manifests list, of the size they were written), then the folders left empty and the marker;
    the entries left (relative paths), which are someone else's: nothing is read, no link followed. Where
    any is left, so is the folder, without its marker: a build then refuses it rather than take them.
    ``trusted`` is what the folder's signed manifests list (areas.trusted_files)."""
    left = set(foreign(folder, trusted))
    stuck: dict[str, str] = {}  # what could not be removed, by its path in the edition: why
    if "." in left:  # a folder that cannot be listed: nothing is taken from it
        return ["."]
    # what remove_tree had moved up to empty a folder when it was stopped (a folder in it made unchangeable, or a
    # kill): its own, under its own names; left as someone else's, the folder stayed for good (attack36a F09)
    debris = {e.split("/")[0] for e in left if _DEBRIS.fullmatch(e.split("/")[0])} if own_moved(folder) else set()
    left = {e for e in left if e.split("/")[0] not in debris}
    # every step through an open folder (a file descriptor), never by a path: a folder swapped for a link to one
    # outside while clean ran (someone else writing in a shared build folder) had that folder's files deleted
    # (attack30); now a folder that is a link by the time it is opened is refused (ELOOP) and kept as someone else's
    try:
        top = os.open(folder, FOLDER_OPEN)
    except OSError:
        return ["."]
    frames = [(top, "", None, "", _entries(top))]  # (folder, its path in the edition, its parent, its name, entries)
    while frames:  # without recursion: a folder nested thousands deep is walked, not a RecursionError
        fd, rel, parent, name, entries = frames[-1]
        entry = next(entries, None)
        if entry is not None:
            here = f"{rel}/{entry.name}" if rel else entry.name
            if here in left or not rel and entry.name == MARKER:
                continue  # (a folder that cannot be listed is someone else's, kept whole)
            if not rel and entry.name in debris:
                try:
                    remove_tree(folder / entry.name)
                except OSError as exc:
                    stuck.setdefault(here, exc.strerror or str(exc))
                continue
            if entry.name == MANIFEST and not entry.is_dir(follow_symlinks=False):
                continue  # after the files it lists: killed between, a clean left them unlisted for good (attack33 F17)
            if entry.is_dir(follow_symlinks=False):
                try:
                    inner = os.open(entry.name, FOLDER_OPEN, dir_fd=fd)
                except OSError:  # a link now, or past the open-file limit: kept
                    left.add(here)
                    continue
                frames.append((inner, here, fd, entry.name, _entries(inner)))
            else:
                try:
                    os.unlink(entry.name, dir_fd=fd)  # a link is removed itself, never followed
                except FileNotFoundError:
                    pass
                except OSError as exc:  # a folder made unchangeable since (chattr +i, another owner): the rest goes
                    stuck.setdefault(here, exc.strerror or str(exc))
            continue
        frames.pop()
        inside = any(k == rel or k.startswith(rel + "/") for k in stuck) if rel else bool(stuck)
        if (f"{rel}/{MANIFEST}" if rel else MANIFEST) not in left and not inside:  # (kept with what it lists)
            with suppress(FileNotFoundError, IsADirectoryError, PermissionError):
                os.unlink(MANIFEST, dir_fd=fd)
        if parent is None and not stuck:
            with suppress(FileNotFoundError):
                os.unlink(MARKER, dir_fd=fd)
        empty = not os.listdir(fd)
        os.close(fd)
        if parent is not None and empty:
            try:
                os.rmdir(name, dir_fd=parent)
            except OSError as exc:
                stuck.setdefault(rel, exc.strerror or str(exc))
        elif parent is not None and not inside and not any(k.startswith(rel + "/") for k in left):
            left.add(rel)  # something came into it while it was emptied: kept, with it
    if stuck:
        first = min(stuck)
        raise NotRemoved(f"{stuck[first]} at {_tail(first)}" + (f" and {len(stuck) - 1} more" if len(stuck) > 1 else ""))
    if not left:
        with suppress(OSError):  # a link or a file there now is not ours to remove
            os.rmdir(folder)
    return sorted(left)


def _entries(fd: int):
    """A folder's entries, listed at once through its descriptor."""
    with os.scandir(fd) as scan:
        return iter(list(scan))


def _held(lock: Path) -> bool:
    """Whether a build holds this lock file now: looked at, never made, written or removed. A file of that name
    that is not a lock a build made (another program's ``.name.lock``, a link, a pipe, a folder) is no build's:
    attack31 lost another program's lock files to a probe that took the lock, and removed it after."""
    import fcntl
    import stat

    try:
        fd = os.open(lock, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode) or os.read(fd, len(LOCK_TEXT)) not in (LOCK_TEXT, b""):
            return False  # (empty: a build that has made its lock and not yet said whose it is)
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    finally:
        os.close(fd)


def cleanable(out_root: Path) -> list[Path]:
    """The built editions under out_root that clean would remove."""
    if not out_root.is_dir():
        return []
    return [child for child in sorted(out_root.iterdir()) if not child.name.startswith(".") and child.is_dir()
            and not child.is_symlink() and marked(child)]


def _reached_without_links(folder: Path, rel: str) -> bool:
    """Whether ``folder/rel`` is a file reached through no link: a students/ made a link to a copy elsewhere was
    counted among "the 16 files builds wrote" that clean removed, though it removed none of them (attack53 F4)."""
    path = folder
    for part in Path(rel).parts:
        path = path / part
        if path.is_symlink():
            return False
    return path.is_file()


def clean(out_root: Path, cache_only: bool = False, *,
          trusted: Callable[..., dict[str, str]]) -> tuple[list[Path], list[str], list[str]]:
    """Remove the builds under out_root that carry workbook's marker (with what a killed build of
    each left behind: of an edition, only the files ``trusted(folder)`` lists as its builds wrote them),
    and the content cache if workbook made it (it carries its own marker); nothing else. An edition a build is writing is left alone, and so is the cache while any build runs: the
    second list says what was skipped and why, the third what was kept in the cache folder that was not
    workbook's."""
    removed: list[Path] = []
    skipped: list[str] = []
    kept: list[str] = []
    if not out_root.is_dir():
        return removed, skipped, kept
    editions: dict[str, list[Path]] = {}
    for child in sorted(out_root.iterdir()) if not cache_only else ():
        if child.is_dir() and not child.is_symlink() and marked(child):
            # an edition, or a killed build's staging or old folder of one; any other dot-folder (a copy made
            # by hand, with the marker copied in) is no build's (attack28 lost .my-notes whole)
            aside = re.fullmatch(r"\.(.+)\.(?:staging|old)-[A-Za-z0-9_-]+", child.name)
            if child.name.startswith(".") and aside is None:
                continue
            editions.setdefault(aside[1] if aside else child.name, []).append(child)
    from workbook.workers import stops_held

    for name, folders in editions.items():
        try:  # a stop (Ctrl-C, SIGTERM) waits for the edition being removed: half of one was left (attack33 F15)
            with stops_held(), _locked(out_root / f".{name}.lock"):
                for folder in folders:
                    if folder.name.startswith(f".{name}.old-") and not own_moved(folder):
                        kept.append(f"kept {folder}: named as an edition a build moves aside, but no build of yours "
                                    "moved it there")
                        continue
                    if folder.name.startswith(f".{name}.staging-"):  # a killed build's staging folder: whole, if
                        if own_aside(folder):  # its marker is this user's own, for this very name (attack28)
                            remove_tree(folder)
                            removed.append(folder)
                        else:
                            kept.append(f"kept {folder}: a marker copied in, not one a build of yours wrote there")
                        continue
                    listed = trusted(folder) if not folder.name.startswith(".") else trusted(folder, name)
                    there = [path for path in listed if _reached_without_links(folder, path)]
                    try:
                        left = _remove_as_written(folder, listed)
                    except NotRemoved as exc:  # said with the folder and why, not "solutions.pdf: Operation not
                        # permitted" (attack36a F09); the rest of it was removed, its marker kept for the next clean
                        kept.append(f"could not remove all of {folder} ({exc}): make it writable and clean again")
                        continue
                    # those that went: a file changed by hand stays, and was counted among them (attack54 F2)
                    present = sum(1 for path in there if not os.path.lexists(folder / path))
                    if left and not listed and (folder / "manifest.json").is_file():
                        # a build's manifest signed with no key of this user's: another user's build, or this
                        # user's cache key (in key_folder()) replaced since; which it is cannot be told apart
                        from workbook.cache import key_folder

                        # (every file of it as it was but its marker, which is removed, and said so: "kept whole"
                        # was said of a folder whose marker went, attack43 F1)
                        kept.append(f"kept the files of {folder} as they are and removed only its build marker: its "
                                    "manifest is not signed "
                                    f"with your key ({key_folder() or '~/.cache/workbook'}/cache-key) for a folder of "
                                    "this name, so no file in it can be told from one someone put there (built by "
                                    "another user, built under another name and then renamed or copied here, or "
                                    "built before your key was replaced); remove it by hand if it is yours")
                    elif left:  # what went, then what stayed (user49 F8: every sheet went, and only what stayed
                        # was said)
                        gone = f"removed the {present} file{'s' * (present != 1)} builds wrote in {folder}; " \
                            if present else ""
                        shown = ", ".join(left[:3]) + (", …" if len(left) > 3 else "")
                        kept.append(f"{gone}kept {len(left)} entr{'ies' if len(left) != 1 else 'y'} of {folder} "
                                    f"workbook did not write as they are (added or changed by hand, or a marker copied "
                                    f"in): {shown}")
                    else:
                        removed.append(folder)
        except InTheWay as exc:  # a lock that cannot be taken (a hard link, another program's, a read-only folder):
            # not a running build, which clean was told to wait for, for ever (attack33 F13)
            said = str(exc).replace("build again", "clean again")
            if removed:
                said = said.replace("nothing was changed", f"{len(removed)} removed before it")
            raise InTheWay(said) from None
        except BuildError:
            skipped.append(f"{name}: a build of it is running; clean again when it has finished")
    cache = out_root / CACHE
    # a build drawing an edition it has not written yet holds only its lock: the cache it draws into stays too (a
    # full clean removed it: attack36a F05)
    running = any(_held(lock) for lock in out_root.glob(".*.lock"))
    if cache.is_dir() and not cache.is_symlink() and is_cache(cache):
        if skipped or running:
            skipped.append(f"{CACHE}: kept while a build is running")
        else:
            try:
                gone, left = emptied(cache)
            except OSError as exc:  # a folder in it made unchangeable: said with the folder, the rest reported (attack39
                # F4: "dc99….json: Operation not permitted", exit 2, the edition removed before it never said)
                gone, left = [], []
                kept.append(f"could not empty {cache} ({exc.strerror or exc}"
                            + (f" at {_tail(exc.filename)}" if exc.filename else "") + "): make it writable and clean again")
            removed += gone
            if left:  # another program's files in a folder that is also workbook's cache (--out ~): not ours
                kept.append(f"kept {len(left)} entr{'ies' if len(left) != 1 else 'y'} of {cache} workbook did not make "
                            f"({', '.join(left[:3])}{', ...' if len(left) > 3 else ''})")
    return removed, skipped, kept
