"""build(edition): the pipeline, one stage a line, in order.

edition file -> families -> problems (generate, solve with steps, verify) -> HTML and PDF
(figures and math drawn on the way) -> manifest.json, all written into a staging folder that
replaces the previous edition only once every file is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shlex
import stat
import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from workbook import __version__
from workbook.areas import (
    MANIFEST,
    STUDENTS,
    VERSIONS,
    Previous,
    area_files,
    area_of,
    class_of,
    content_digest,
    copies_of,
    copy_of,
    in_area,
    intact,
    manifest_seal,
    medium,
    record,
    signed_manifest,
    tag,
    trusted_files,
)
from workbook.bank import load_bank
from workbook.cache import MARKER as CACHE_MARKER
from workbook.cache import cache_root, stamp
from workbook.cluster import open_pool
from workbook.documents import (
    edition_documents,
    generate_documents,
    manifest,
    teacher_key,
)
from workbook.edition import Edition, default_path, load_edition, pick_families
from workbook.errors import BuildError, InputError, InTheWay, disk_full, excerpt, printable
from workbook.resources import DEFAULT_EDITION, DEPENDENCIES, dependency_version
from workbook.roster import letters_without_a_font, read_roster
from workbook.scheduler import BUDGET, DrawCache
from workbook.staging import (
    MARKER,
    MARKER_TEXT,
    as_written,
    aside_line,
    carry_over,
    confined,
    edition_lock,
    file_hashes,
    file_names,
    foreign,
    leftover_notes,
    marked,
    marker_fields,
    staging,
)


@dataclass
class BuildResult:
    """What a build made and what each stage cost."""

    out_dir: Path
    files: dict[str, Path]
    problems: int
    timings: dict[str, float] = field(default_factory=dict)
    docs: dict[str, dict] = field(default_factory=dict, repr=False)  # the documents' data, by copy
    unchanged: bool = False  # the edition was already built exactly so: nothing was written
    notes: list[str] = field(default_factory=list)  # things the user should know, e.g. the cache was not used
    kept: list[str] = field(default_factory=list)  # files other builds made, kept (paths in out_dir)
    area: str = ""  # the part of out_dir this build wrote: "" (the edition alone), versions or students


def build(edition_path: Path | None = None, *, seed: int | None = None, out_root: Path = Path("build"),
          bank_folders: list[Path] | None = None, formats: tuple[str, ...] = ("html", "pdf"),
          versions: int | None = None, roster: Path | None = None, progress=None, jobs: int | None = None,
          budget: float | None = BUDGET, templates: Path | None = None,
          students: tuple[str, ...] = (), cluster: str | None = None) -> BuildResult:
    """Build an edition into ``out_root/<slug>/``; the previous build stays until this one is whole.

    ``students`` (ids) rebuilds those students' sheets alone: from ``roster`` if given, else from the
    class already built there. ``cluster``: a Dask scheduler's address, or ``local`` (see workbook.cluster).
    """
    timings: dict[str, float] = {}
    overrides = {k: v for k, v in (("seed", seed), ("versions", versions),
                                   ("templates", str(templates) if templates is not None else None)) if v is not None}
    with _timed(timings, "load"):
        edition = load_edition(edition_path or default_path(), overrides)
        _prose_math(edition)
        bank = load_bank(edition.bank_folders() + list(bank_folders or []))
        chosen = read_roster(roster) if roster is not None else None
        if students:
            chosen = _pick_students(students, chosen, roster, confined(out_root, edition.output_slug()))
        edition.rebuild = rebuild_command(edition, edition_path, bank_folders or [], students=chosen is not None,
                                          templates=templates)
        roster_name = shown(roster) if roster is not None else None
        lms = [f for f in formats if f in ("moodle", "canvas")]
        if chosen is not None and lms:
            raise InputError([(f"--format {lms[0]} with a roster: a quiz in a learning platform is per class, not "
                               "per student; build the quiz with --versions N instead")])
        if chosen is not None and versions is not None:  # dropped without a word, exit 0 (attack25)
            raise InputError([("--versions with a roster: each student gets a sheet of their own, drawn for them; "
                               "build the versions without --roster, or the students without --versions")])
    made = _missing_folders(out_root)
    try:
        return build_edition(edition, bank, out_root=out_root, formats=formats, timings=timings, roster=chosen,
                             progress=progress, jobs=jobs, budget=budget, roster_name=roster_name, cluster=cluster,
                             roster_file=roster)
    except BaseException:
        _remove_if_empty(made)  # a build that failed (a name too long, a disk full) leaves no empty folders behind
        raise


def _shared_problems(docs: dict[str, dict]) -> list[str]:
    """A note for each problem of a class's sheets that many students share word for word: a family of few forms
    gave 34 of 300 students, neighbours among them, one chain-rule problem and its answer, and nothing said so
    (user50 F4; `workbook check` notes such a family)."""
    sheets = [doc for folder, doc in docs.items() if folder.startswith(f"{STUDENTS}/")]
    if len(sheets) < 10:
        return []
    by_place: dict[int, list[str]] = {}
    family: dict[int, str] = {}
    for doc in sheets:
        for section in doc["sections"]:
            for problem in section["problems"]:
                by_place.setdefault(problem["number"], []).append(problem["identity"])
                family[problem["number"]] = problem["family"]
    notes = []
    for number, identities in sorted(by_place.items()):
        counted = Counter(identities)
        most = max(counted.values())
        if most > max(3, len(sheets) // 20):
            notes.append(f"problem {number} ({printable(family[number])}): {len(counted)} different problems among "
                         f"{len(sheets)} students, up to {most} alike (answers too): give the section a family with more "
                         "forms, or wider parameter ranges, for students who sit side by side")
    return notes[:3]


PROSE_MATH_MOST = 200  # characters of math in a primer's or an intro's $...$
PROSE_MATH_DEPTH = 8  # braces deep


def _prose_math(edition: Edition) -> None:
    """Refuse math in a primer or an intro ($...$) that would not print: a LaTeX command the converters do not know
    (which ziamath prints literally), or markup; with the key and an excerpt, as every other bad key is said."""
    from workbook import mathtex, segments

    problems = []
    for i, section in enumerate(edition.sections):
        for key in ("primer", "intro"):
            ink = 0.0  # the rules its spans draw, together (attack58 F6)
            for piece in segments.prose(getattr(section, key)):
                if "math" not in piece:
                    continue
                latex, depth, deepest = piece["math"], 0, 0
                for c in latex:
                    depth += {"{": 1, "}": -1}.get(c, 0)
                    deepest = max(deepest, depth)
                if len(latex) > PROSE_MATH_MOST or deepest > PROSE_MATH_DEPTH or latex.count("\\frac") > 8:
                    # (200 braces deep stopped the build with a RecursionError, naming nothing: attack54 F1)
                    problems.append(f"{printable(edition.path)}: sections[{i}].{key}: ${printable(latex[:40])}$: math in "
                                    f"prose is a few symbols (at most {PROSE_MATH_MOST} characters, {PROSE_MATH_DEPTH} "
                                    "braces deep, 8 fractions); write a longer formula as a problem's")
                    continue
                try:
                    mathtex.to_mathml(piece["math"])
                    ink += mathtex.ink_area(piece["math"])
                    if ink > mathtex.MOST_EM ** 2:
                        problems.append(f"{printable(edition.path)}: sections[{i}].{key}: its math draws rules of "
                                        f"{ink:.0f} square em in all, past {mathtex.MOST_EM ** 2:g}; draw fewer or smaller")
                        break
                except Exception as exc:  # noqa: BLE001 - any converter failure is the input's
                    said = str(exc).split(" in ", 1)[0].rstrip(" ,;:") if isinstance(exc, mathtex.MathError) \
                        else "not LaTeX it can read"
                    # (a size or a colour is math already: the dollar sign's advice is for what is not LaTeX)
                    tail = "" if said.startswith(("a size", "sizes", "the colour", "the background")) else \
                        "; write it as LaTeX math, or \\$ for a dollar sign"
                    problems.append(f"{printable(edition.path)}: sections[{i}].{key}: ${printable(piece['math'][:40])}$: "
                                    f"{printable(said[:80])}{tail}")
    if problems:
        raise InputError(problems[:10])


def _out_is_a_build_folder(out_root: Path) -> None:
    """Refuse a build folder that is, or is inside, a folder workbook made: an edition's folder (its students/ too)
    or the cache. An edition built there was removed by the next build of the edition around it, as "files no build
    of yours wrote" (attack53 F1)."""
    root = out_root.resolve()
    for folder in (root, *root.parents):
        what = "an edition's folder, which a build replaces whole" if marked(folder) else \
            "workbook's cache" if (folder / CACHE_MARKER).is_file() and not (folder / CACHE_MARKER).is_symlink() else None
        if what:
            return_to = folder.parent
            # (a marker planted above a user's folder makes it look like an edition's: said, so that they can tell:
            # attack54 F3)
            marker = MARKER if marked(folder) else CACHE_MARKER
            raise InputError([(f"--out {printable(shown(out_root))}: {printable(shown(folder))} is {what} (it holds "
                               f"workbook's {marker} marker), not a build folder; build into the folder that holds it "
                               f"(--out {printable(shown(return_to))}) or another, or remove the marker if the folder is "
                               "not workbook's")])


def _inputs_outside(out_root: Path, out_dir: Path, inputs: list[tuple[str, str | Path | None]]) -> None:
    """Refuse a file the build reads that lies inside the edition's folder, or inside another folder workbook made
    in the build folder: each build of that edition puts its folder in place whole, and removes what it did not
    write, so a class.csv or a bank kept in build/<slug>/ was read, built from and then deleted (attack52 F2)."""
    root = out_root.resolve()
    for what, path in inputs:
        if not path:
            continue
        where = Path(path).resolve()
        if not where.is_relative_to(root):
            continue
        held = next((folder for folder in (where, *where.parents) if folder.parent == root), None)
        if held is not None and held != where and (held == out_dir.resolve() or marked(held)):
            raise InputError([(f"{printable(shown(Path(path)))}: {what} is inside {printable(shown(held))}, an edition's "
                               "folder, which a build replaces whole (removing what it did not write); keep it "
                               "outside the edition folders")])


def _missing_folders(folder: Path) -> list[Path]:
    """The folders of the path that do not exist yet, deepest first (a build makes them)."""
    missing = []
    for path in (folder.absolute(), *folder.absolute().parents):
        try:
            os.lstat(path)
            break
        except FileNotFoundError:
            missing.append(path)
        except OSError:  # a name too long, or a folder we may not look in: nothing of it can be made either
            continue
    return missing


def _remove_if_empty(folders: list[Path]) -> None:
    """Remove each folder (deepest first) that exists and is empty, never following a link."""
    for path in folders:
        try:
            if stat.S_ISDIR(os.lstat(path).st_mode):
                os.rmdir(path)  # only an empty folder goes
        except OSError:  # not made, not empty (its parents then fail the same way), or a name too long
            continue


def _typed_again(path: Path) -> str:
    """An absolute path as it is typed again to rebuild: from the folder built in where it is inside it, else from
    ~ where it is inside the home folder (which is never printed), else whole (user49 F6: --bank /tmp/b printed as
    --bank b, which named no folder). /dev/stdin redirected from ed.toml, or /proc/self/fd/7, is the file it reaches."""
    if path.parts[1:2] in (("proc",), ("dev",)):
        try:
            path = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return path.name
        if path.parts[1:2] in (("proc",), ("dev",)):  # a pipe, a terminal: no file to name but its own
            return path.name
    for base, mark in ((Path.cwd, ""), (Path.home, "~/")):
        try:
            root = base()
            if len(root.parts) > 1:
                inside = path.relative_to(root).as_posix()
                return (mark + inside) if inside != "." else (mark.rstrip("/") or ".")
        except (ValueError, OSError, RuntimeError, KeyError):
            continue
    return path.as_posix()


def shown(path: Path) -> str:
    """A path in a printed command: as given when relative, an absolute one as typed again from here (a student's
    sheet never carries the teacher's home folder: ~ stands for it); quoted for a shell, and never read as an
    option."""
    if not path.is_absolute():  # ./-x.toml is a file, -x.toml an option; ./~/t.toml a folder named ~, ~/t.toml the
        text = path.as_posix()  # home folder's (attack53 F5)
        return shell_word(f"./{text}" if text.startswith(("-", "~")) else text)
    text = _typed_again(path)
    if text == "~" or text.startswith("~/"):  # the shell's own ~, outside the quotes
        return text if text == "~" else "~/" + shell_word(text[2:])
    return shell_word(f"./{text}" if text.startswith("-") else text)


def shell_word(text: str) -> str:
    """One word for a shell, as printed on a page: quoted where needed; a name holding a control or
    bidirectional character (which would print reordered or hidden) in bash's $'...' with each such
    character as an escape, so that the printed command still names the file."""
    if printable(text) == text:
        return shlex.quote(text)
    out = []
    for ch in text:
        if printable(ch) != ch:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x80 else f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF
                       else f"\\U{ord(ch):08x}")
        else:
            out.append({"\\": "\\\\", "'": "\\'"}.get(ch, ch))
    return "$'" + "".join(out) + "'"


def rebuild_command(edition: Edition, path: Path | None, banks: list[Path], students: bool = False,
                    templates: Path | None = None) -> str:
    """``workbook build FILE --seed N --bank F ... --templates DIR``: what builds the same book again, printed on it
    (a student's sheet adds its own ``--roster FILE --student ID``). A template folder given on the command line is
    in it: without it the command built the book with the built-in templates, another book (attack40)."""
    from workbook.resources import editions_dir

    if path is not None and path.resolve().parent == editions_dir().resolve():
        named = [path.stem] if path.name != DEFAULT_EDITION else []  # a shipped edition: by its name
    else:
        named = [shown(path)] if path is not None else []
    parts = ["workbook build", *named, f"--seed {edition.seed}"]
    parts += [f"--bank {shown(b)}" for b in banks]
    parts += [f"--templates {shown(templates)}"] if templates is not None else []
    parts += [f"--versions {edition.versions}"] if edition.versions > 1 and not students else []
    return " ".join(parts)


def _pick_students(ids: tuple[str, ...], roster: list | None, path: Path | None, out_dir: Path) -> list:
    """The students ``--student`` names, from the roster file or from the class built in out_dir."""
    if out_dir.parent.is_dir() and any(out_dir.parent.glob(f".{out_dir.name}.old-*")):
        with edition_lock(out_dir, trusted_files):  # a class a killed build moved aside is put back first (C07)
            pass
    built = Previous.read(out_dir, STUDENTS).students
    if not built and _holds_files(out_dir / STUDENTS):
        # its manifest changed by hand (or signed with another key): the class is unknown, and a build of one
        # student would drop every other student's sheet and the key
        raise InputError([(f"--student: the class in {printable(str(out_dir / STUDENTS))} is not as your build wrote it "
                          f"(its {MANIFEST} was changed, or signed with another key), so no class has been built there "
                          "to take a student from; build the whole class again with --roster FILE, without --student")])
    known = roster if roster is not None else built
    if not known:
        raise InputError([(f"--student: no class has been built into {printable(str(out_dir / STUDENTS))}; "
                          "give the class with --roster FILE")])
    by_id = {s.id: s for s in known}
    where = printable(str(path)) if path is not None else f"the class in {printable(str(out_dir / STUDENTS))}"
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise InputError([f"--student {excerpt(missing[0])}: no student has that id in {where}"])
    return [by_id[i] for i in dict.fromkeys(ids)]


def build_edition(edition: Edition, bank: dict, *, out_root: Path = Path("build"),
                  formats: tuple[str, ...] = ("html", "pdf"), documents: tuple[str, ...] | None = None,
                  timings: dict[str, float] | None = None, roster: list | None = None,
                  progress=None, jobs: int | None = None, budget: float | None = BUDGET,
                  roster_name: str | None = None, cluster: str | None = None,
                  roster_file: Path | None = None) -> BuildResult:
    """Build an edition already read (a file's, or one made up like a practice set).

    Each mode writes its own area of the edition's folder (see ``workbook.areas``) and keeps the rest.
    A ``roster`` adds its students to the class built before: their sheets are written, and the class
    key again if the class changed. ``progress(stage, done, total)`` is called as each stage starts and
    after each of its items (a problem drawn and checked, a part of the math and figures drawn, a
    document laid out). ``jobs`` worker processes (default: one a core) draw the problems, each within ``budget`` s;
    or the workers of a Dask ``cluster``.
    """
    timings = {} if timings is None else timings
    with _timed(timings, "load"):
        picked = pick_families(edition, bank)
    _out_is_a_build_folder(out_root)
    out_dir = confined(out_root, edition.output_slug())
    _inputs_outside(out_root, out_dir, [("the edition", edition.path), ("the roster", roster_file)]
                    + [(f"the family {family_id!r}", family.path) for family_id, family in sorted(bank.items())])
    # the edition's lock from here: an edition a killed build moved aside is put back before what it holds is read
    # (read first, the next build found no previous edition and dropped its other formats and students: attack35a C07)
    with edition_lock(out_dir, trusted_files):
        _same_edition(edition, out_dir)
        area = area_of(edition, roster)
        previous = Previous.read(out_dir, area)
        asked = {f"{STUDENTS}/{s.id}" for s in roster or ()}
        renamed: list[tuple[str, str, str]] = []
        if roster:
            built = {s.id.casefold(): s.id for s in previous.students}
            clash = [(s.id, built[s.id.casefold()]) for s in roster if built.get(s.id.casefold(), s.id) != s.id]
            if clash:  # S01 beside a built s01: one folder on Windows and macOS, as within one roster
                raise InputError([(f"the roster's id {new!r} differs only in case from {old!r}, a student built before in "
                                   f"{printable(str(out_dir / STUDENTS))} (one folder on Windows and macOS); give the "
                                   f"id as it was, {old!r}") for new, old in clash[:5]])
            before = {s.id: s.name for s in previous.students}
            # an id given again with another name: the sheet of the student built before is now this one's (a name
            # corrected), said, not done silently: Bob's sheet went to Mallory, who reused his id (attack30)
            renamed = [(s.id, before[s.id], s.name) for s in roster if before.get(s.id, s.name) != s.name]
            roster = class_of(previous, roster)
            if len(roster) * edition.problem_count() > MAX_STUDENT_DRAWS:
                raise InputError([(f"the class built in {printable(str(out_dir / STUDENTS))} and the roster: {len(roster)} "
                                  f"students x {edition.problem_count()} problems is over {MAX_STUDENT_DRAWS} problems "
                                  "to draw at once; build the roster into another --out folder")])
        names = documents or edition_documents(edition)
        given = {f.removeprefix(f"{STUDENTS}/") for f in asked}
        # the roster file printed on a student's sheet: the one it was first built from (a lost sheet rebuilt
        # from a roster of one row is the same sheet), else this build's
        rosters = ({sid: roster_name for sid in given} if roster_name else {}) | previous.rosters
        # but a student renamed by this roster: theirs, or what the sheet prints rebuilds the old name (user47 F9)
        rosters |= {sid: roster_name for sid, _, _ in renamed} if roster_name else {}
        copies = copies_of(edition, roster, rosters)
        template_dir = edition.template_folder()
        if template_dir is not None and template_dir.resolve().is_relative_to(out_root.resolve()):
            # the build's own pages read back as templates: the old edition came back as the new, and what a bank had
            # printed on it as text was filled in as a template the second time (attack48 F7)
            raise InputError([(f"{printable(str(template_dir))}: a template folder inside the build folder "
                               f"{printable(str(out_root))}, where the build writes; keep your templates in a folder "
                               "of their own")])
        cache, why = cache_root(out_root)
        notes = [why] if why else []
        for sid, old, new in renamed[:5]:
            notes.append(f"the id {printable(sid)} was {printable(old)}'s in the class built before; the roster names it "
                         f"{printable(new)}, and its sheet now does too (a name corrected; a new student needs an id of "
                         "their own)")
        _load_before_fork(formats, cache, template_dir)
        if "pdf" in formats and roster:
            missing = letters_without_a_font(roster)
            if missing:
                ids = sorted({sid for holders in missing.values() for sid in holders})
                notes.append(f"the names of {len(ids)} student{'s' * (len(ids) != 1)} ({', '.join(ids[:5])}"
                             f"{', ...' if len(ids) > 5 else ''}) hold letters no installed font has "
                             f"({''.join(list(missing)[:8])}): they print as empty boxes in the PDFs; install a font "
                             "that has them (Debian: fonts-noto-cjk for Chinese, Japanese and Korean, fonts-noto-core "
                             "for the others)")
        if "pdf" in formats and not subsetter():
            notes.append("WeasyPrint is laying out PDFs without HarfBuzz's font subsetter, about 5 times slower: install "
                         "it (libharfbuzz-subset0 on Debian and Ubuntu, harfbuzz on Fedora and Homebrew)")
        with open_pool(jobs, cluster) as pool:
            pool.share(cache=cache, templates=template_dir)
            with _timed(timings, "generate"):
                docs = generate_documents(edition, picked, bank, copies, pool=pool, budget=budget, shared=not roster,
                                          progress=_counter(progress, DRAWING, len(copies) * edition.problem_count()),
                                          cache=DrawCache(cache, _origin(cluster)) if cache is not None else None)
            count = sum(len(s["problems"]) for doc in docs.values() for s in doc["sections"])
            notes += _shared_problems(docs) if roster else []
            digest = fingerprint(docs, names, formats, template_dir, origin=_origin(cluster))
            if _up_to_date(out_dir, area, digest, docs, names, formats):
                return BuildResult(out_dir=out_dir, files=area_files(out_dir, area), problems=count, timings=timings,
                                   docs=docs, unchanged=True, notes=notes, area=area)
            contents = {folder: content_digest(doc) for folder, doc in docs.items()}
            key = teacher_key(edition, docs) if len(docs) > 1 else None
            key_content = content_digest(key) if key is not None else None
            changed = {f for f in contents if previous.contents.get(f) != contents[f]}
            trusted = trusted_files(out_dir)  # what this user's builds wrote there, as they wrote it
            if not trusted and (out_dir / MANIFEST).is_file():
                from workbook.cache import secret, why_no_secret

                if secret() is None:  # no key to tell this user's files by: a roster build removed the whole edition
                    raise InTheWay(f"{printable(str(out_dir))} was built before, and without your key (kept in "  # (F18)
                                   "$XDG_CACHE_HOME or ~/.cache) its files cannot be told from ones put there by someone "
                                   f"else: {why_no_secret()}, or choose another --out; nothing was changed")

            def lacks(folder: str) -> bool:  # a sheet deleted, changed, linked or planted since: written again
                sheets = [f"{folder}/{n}.{ext}" for n in names for ext in ("html", "pdf") if ext in formats]
                return not all(rel in trusted and as_written(out_dir, rel, trusted[rel]) for rel in sheets)

            # a student whose sheet changed, or is missing or not as written, is written; one asked for whose sheet is
            # as it was is kept (user50 F2: one name corrected in a roster of 300 laid out all 300 sheets again);
            # every version is written, and the edition itself
            written = {f for f in docs if f in changed or lacks(f)} if roster else set(docs)
            redrawn = sorted(f for f in written - asked if f in changed and f in previous.contents)
            if roster and redrawn:  # sheets handed out would no longer be the ones their students hold
                raise InputError([(f"the edition changed since the class in {printable(str(out_dir / STUDENTS))} was "
                                  f"built: {len(redrawn)} other student{'s' * (len(redrawn) != 1)}' sheets would change "
                                  f"too (e.g. {redrawn[0].removeprefix(STUDENTS + '/')}); build the whole class again "
                                  "with --roster FILE, or build these students into another --out")])
            write_key = key is not None and (key_content != previous.key or not roster)

            def keep(path: str) -> bool:
                """Whether a file of the previous edition stays: every other area's; in this one, each file
                of a medium this build does not write, while what it shows is unchanged."""
                if not in_area(path, area) or medium(path) is None:
                    return path != (f"{area}/{MANIFEST}" if area else MANIFEST)
                folder = copy_of(path, area)
                if folder is None:  # the area's key
                    return key_content == previous.key
                return folder in contents and folder not in changed

            with staging(out_dir, lock=False, trusted=trusted_files) as stage, _workers_stopped_first(pool), _timed(timings, "render"):
                pool.share(stage=stage)
                mine = {f: docs[f] for f in docs if f in written}
                files = render_documents(mine, names, formats, stage, cache, pool, timings, template_dir,
                                         key=key if write_key else None, area=area,
                                         progress=progress) if {"html", "pdf"} & set(formats) else {}
                files |= _write_quizzes(docs, stage, area, pool, formats) if {"moodle", "canvas"} & set(formats) else {}
                carried = carry_over(out_dir, stage, trusted, keep) if out_dir.exists() else []
                made = set(file_names(stage, lambda p: True))
                # a file no build of the user's wrote, or not of the size it wrote (nothing is read to say so),
                # a link, a pipe, an empty folder
                odd = sorted(foreign(out_dir, trusted)) if out_dir.exists() else []
                # (and one of an output's name, which this build's own replaces: a hand-made quiz.xml went unsaid: attack40)
                left, replaced = [r for r in odd if r not in made], [r for r in odd if r in made]
                if area and "pdf" in formats:
                    files["print"] = _print_pdf(stage, area, list(docs))
                listing = file_hashes(stage, lambda p: in_area(p, area) and p != (f"{area}/{MANIFEST}" if area else MANIFEST))
                state = _state(edition, picked)
                files["manifest"] = _write(stage / area / MANIFEST, manifest(
                    edition, docs, area, record(copies, contents, key_content) | {"files": listing, "state": state}))
                notes += _older(out_dir, area, state, carried)
                _mark(stage, out_dir, area, digest, carried, _named(edition, out_dir))
                # what an earlier build of the user's wrote that this one neither writes nor keeps: it showed that
                # build's problems (a quiz.xml of the last seed, removed by a plain build of another without a word:
                # user47 F3)
                dropped = sorted(r for r in trusted if r not in carried and not (stage / r).exists()
                                 and (out_dir / r).is_file())
            notes += _dropped(dropped)
            notes += leftover_notes(out_dir, trusted_files)  # the previous edition, moved aside: removed, or said
        kept = sorted(carried)
        if kept:
            notes.append(_kept(kept))
        if left:  # a file no build of this user's wrote, or changed since: not passed off as the user's
            # said as what happened to them: "left out" read as kept (attack31)
            notes.append(f"removed {len(left)} file{'s' * (len(left) != 1)} that no build of yours wrote as they are now "
                         f"(changed, added by hand, or from someone else's build), e.g. {printable(left[0])}: keep your "
                         "own files outside an edition's folder")
        if replaced:
            notes.append(f"replaced {len(replaced)} file{'s' * (len(replaced) != 1)} that no build of yours wrote as "
                         f"{'they are' if len(replaced) != 1 else 'it is'} now (changed, added by hand, or from someone "
                         f"else's build) with this build's own of the same name, e.g. {printable(replaced[0])}: keep "
                         "your own files outside an edition's folder")
        return BuildResult(out_dir=out_dir, files={k: out_dir / p.relative_to(stage) for k, p in files.items()},
                           problems=count, timings=timings, docs=docs, notes=notes, kept=kept, area=area)


def _holds_files(folder: Path) -> bool:
    """Whether a folder (not a link) holds anything."""
    try:
        return folder.is_dir() and not folder.is_symlink() and any(folder.iterdir())
    except OSError:
        return False


def _state(edition: Edition, picked: list) -> str:
    """What an edition's problems depend on, beyond each copy's own: its settings (but the number of
    versions) and its families' definitions."""
    settings = edition.model_dump(mode="json", exclude={"versions"})
    families = [[f.model_dump_json() for f in chosen] for chosen in picked]
    return hashlib.sha256(json.dumps([settings, families], sort_keys=True).encode()).hexdigest()


def _older(out_dir: Path, area: str, state: str, carried: list[str]) -> list[str]:
    """A note for each part kept from a build of an earlier state of the edition: its sheets may not be
    this build's (version A not the sheet built alone, the class of other problems)."""
    said = []
    for other, how in (("", "without --versions or --roster"), (VERSIONS, "with --versions N"),
                       (STUDENTS, "with --roster FILE")):
        manifest = f"{other}/{MANIFEST}" if other else MANIFEST
        if other == area or manifest not in carried:
            continue
        signed = signed_manifest(out_dir, other)
        if signed is not None and signed[0].get("state") != state:
            where = f"{other}/" if other else "the edition built alone"
            said.append(f"{where} was built from an earlier state of this edition and is kept as it was; "
                        f"its problems may differ from these; build again {how} to bring it up to date")
    return said


def _dropped(dropped: list[str]) -> list[str]:
    """A line for the files of an earlier build that this one removed, as they showed other problems."""
    if not dropped:
        return []
    formats = sorted({medium(r) for r in dropped} - {None})
    again = f": build again with --format {','.join(formats)} to make them for these problems" if formats else ""
    shown = ", ".join(printable(r) for r in dropped[:3]) + (", ..." if len(dropped) > 3 else "")
    return [(f"removed {len(dropped)} file{'s' * (len(dropped) != 1)} of an earlier build that showed its problems, "
            f"not these ({shown}){again}")]


def _kept(kept: list[str]) -> str:
    """One line saying what earlier builds made that this one kept, by area."""
    by_area = {"": 0, VERSIONS: 0, STUDENTS: 0}
    for path in kept:
        top = path.split("/", 1)[0] if "/" in path else ""
        by_area[top] = by_area.get(top, 0) + 1
    parts = [f"{f'{where}/' if where else 'the single edition'} ({n} file{'s' * (n != 1)})"
             for where, n in by_area.items() if n]
    return "kept from earlier builds: " + ", ".join(parts)


def _named(edition: Edition, out_dir: Path) -> str:
    """What the marker records of the edition that built a folder: its title's digest and the digest of
    the edition file's place as seen from the folder, so that another title making the same name ("Calculus
    1", "Calculus: 1"), or another file naming the same slug (someone else's edition), is not built over it,
    while an edition retitled in its own file keeps its folder with slug = "...". The place is relative, so
    a course folder moved or copied whole (edition and build folder together) is still the same edition."""
    title = hashlib.sha256(edition.title.encode()).hexdigest()[:32]
    if not edition.path or not Path(edition.path).is_file():  # a practice set has no file: its title alone (the
        return title  # same command run from another folder was refused as another file wearing its title: attack30)
    seen_from = os.path.relpath(Path(edition.path).resolve(), out_dir.resolve())
    place = hashlib.sha256(os.fsencode(seen_from)).hexdigest()[:16]
    return f"{title}:{place}"


def _same_edition(edition: Edition, out_dir: Path) -> None:
    named, built = _named(edition, out_dir), marker_fields(out_dir).get("named")
    if built is None or built == named:
        return
    title, _, place = named.partition(":")
    built_title, _, built_place = built.partition(":")
    if edition.path == "practice" and title != built_title:  # practice has no slug to give (attack52 F3)
        raise InputError([(f"{printable(str(out_dir))} holds an edition of yours whose slug is this practice set's "
                           "folder name; write the practice set into another --out, or give it another --seed")])
    if place and built_place and place == built_place:
        return  # the same file, retitled
    if place and built_place and title == built_title:  # another file wearing the same title
        raise InputError([(f"{printable(str(out_dir))} holds an edition built from another file with the same title; "
                           "give this one a slug of its own, or build into another --out (if it is the same edition, "
                           "moved, `workbook clean` its folder first)")])
    if title == built_title:
        return  # one side's file unknown (a practice set, a folder built before places were kept): its title
    if edition.slug and not built_place:
        return  # a folder built before places were recorded: a slug given keeps it, as it did
    if edition.slug:
        raise InputError([(f"{printable(str(out_dir))} holds another edition (another title, from another file) "
                           f"with slug = \"{edition.slug}\"; give this one a slug of its own, or build into another "
                           "--out (if it is the same edition, moved and retitled, `workbook clean` its folder first)")])
    raise InputError([(f"{printable(str(out_dir))} holds another edition whose title makes the same folder name; "
                       f"give this one a folder of its own with slug = \"...\" in its file (or slug = "
                       f"\"{edition.output_slug()}\" if it is the same edition, retitled), or build into "
                       "another --out")])


def _mark(stage: Path, out_dir: Path, area: str, digest: str, carried: list[str], named: str | None = None) -> None:
    """The marker: for each area, what built it (signed, so that a marker a stranger's folder carries
    does not pass as up to date) and the digest of its manifest, which lists every file of the area
    with its own digest (signed, so that only what this user's build wrote is ever carried into the
    next). Another area's lines stay while its manifest was carried over, as it was."""
    lines = {}
    for key, value in marker_fields(out_dir).items():
        kind, _, other = key.partition(":")
        if kind in ("digest", "files") and other != tag(area):
            manifest = MANIFEST if other == "." else f"{other}/{MANIFEST}"
            if manifest in carried:
                lines[key] = value
    path = stage / area / MANIFEST
    signed = stamp(digest), stamp(manifest_seal(out_dir, area, path.read_bytes()))
    if signed[0] and signed[1]:
        lines |= {f"digest:{tag(area)}": signed[0], f"files:{tag(area)}": signed[1]}
    if named is not None:
        lines["named"] = named
    text = "".join(f"{k} {v}\n" for k, v in sorted(lines.items()))
    # with the staging folder's own name signed, as it was marked first (aside_line): a build killed from here to
    # its last move leaves a staging folder the next build and clean know as theirs to remove (attack31)
    _write(stage / MARKER, MARKER_TEXT + aside_line(stage) + text)


DRAWING, PREPARING, LAYING_OUT = "drawing and checking problems", "drawing math and figures", "laying out documents"


def _counter(progress, stage: str, total: int):
    """A callback for each item of a stage done, calling ``progress(stage, done, total)``; the stage's
    start is reported at once, with done = 0."""
    done = [0]
    if progress is not None:
        progress(stage, 0, total)

    def tick(count: int = 1):
        done[0] += count
        if progress is not None:
            progress(stage, done[0], total)

    return tick


def subsetter() -> bool:
    """Whether WeasyPrint subsets fonts with HarfBuzz (otherwise with fontTools, in pure Python)."""
    from workbook import pdf

    pdf.load_weasyprint()
    from weasyprint.text import ffi

    return bool(getattr(ffi, "harfbuzz_subset", None)) and bool(ffi.harfbuzz.hb_version_atleast(4, 1, 0))


def _entries(folder: Path, most: int) -> int:
    """How many files and folders are under folder, counted without recursion (a folder nested
    thousands deep is a count, not a RecursionError), stopping at ``most``; a folder nested deeper than
    quick.MAX_DEPTH counts as ``most`` more (no template folder is; walking it is slow and recursive)."""
    from workbook.quick import MAX_DEPTH

    count, stack = 0, [(folder, 0)]
    while stack and count < most:
        where, depth = stack.pop()
        if depth > MAX_DEPTH:
            return count + most
        try:
            with os.scandir(where) as entries:
                for entry in entries:
                    count += 1
                    if entry.is_dir(follow_symlinks=False):
                        stack.append((Path(entry.path), depth + 1))
        except OSError:
            continue
    return count


def _origin(cluster: str | None) -> str:
    """Where draws come from, for the draw cache: "" for this machine (its pool, or ``--cluster local``,
    a cluster in this process), "cluster" for a remote scheduler's workers."""
    from workbook.cluster import LOCAL

    return "cluster" if cluster not in (None, LOCAL) else ""


def _load_before_fork(formats: tuple[str, ...], cache: Path, template_dir: Path | None) -> None:
    """Load WeasyPrint and compile the templates here, once, before the workers fork, not once in each; and the
    parts of NumPy that SymPy's lambdify loads on its first use (its ``from numpy import *`` loads numpy.f2py,
    numpy.testing and more: 60 ms in each worker)."""
    if "pdf" in formats:
        from workbook import pdf

        pdf.load_weasyprint()
    import sympy as sp

    from workbook import verify

    x = sp.Symbol("x")
    verify.numeric(x**2, [x])
    if template_dir is not None and _entries(template_dir, MAX_TEMPLATE_FILES + 1) > MAX_TEMPLATE_FILES:
        why = (f"the template folder holds over {MAX_TEMPLATE_FILES} files or folders within folders over 32 deep; "
               "give a folder of templates only")
        raise InputError([f"{printable(str(template_dir))}: {why}"])
    if {"html", "pdf"} & set(formats):
        if template_dir is None:
            _compile_templates(cache, None)
        else:  # a user's folder is compiled in a worker, under a budget and its memory cap: a template can take
            _compile_in_worker(cache, template_dir)  # minutes to compile (a call with 110 000 keywords, 270 s)


COMPILE_BUDGET = 30.0  # seconds to compile a user's template folder: the built-in one takes half a second


def _compile_in_worker(cache: Path, template_dir: Path) -> None:
    """Compile a user's templates in a worker process, to learn of any that does not (one line each, exit 2),
    without this process paying for it: the workers forked later compile them again, each for itself."""
    from workbook.workers import Pool

    with Pool(1) as pool:
        pool.submit(0, COMPILE_BUDGET, _compile_problems, cache, template_dir)
        outcome = next(pool.completed())
    if outcome.kind in ("timeout", "memory"):
        raise InputError([(f"{printable(str(template_dir))}: the templates take more than {COMPILE_BUDGET:g} s, or "
                           "more memory than a worker has, to compile: give smaller templates")])
    if not outcome.ok:
        raise InputError([f"{printable(str(template_dir))}: the templates do not compile ({outcome.error})"])
    if outcome.value:
        raise InputError(outcome.value)


def _compile_problems(cache: Path, template_dir: Path) -> list[str]:
    """What is wrong with a template folder, found by compiling it: one line a problem, none if it compiles."""
    try:
        _compile_templates(cache, template_dir)
    except InputError as exc:
        return list(exc.lines)
    return []


def _compile_templates(cache: Path, template_dir: Path | None) -> None:
    """Compile the templates (and read their stylesheet), each that does not said as one line (InputError)."""
    from jinja2 import TemplateError

    from workbook import render

    try:
        render.warm_up(cache, template_dir)
        render.stylesheet_text(render.environment(template_dir))  # a bad print.css: one line, before forking
    except (RecursionError, MemoryError):
        raise InputError([f"{printable(str(template_dir))}: a template nested too deeply to compile"]) from None
    except SyntaxError as exc:  # Python's, compiling what Jinja made of a template: nested past its limit (200
        # brackets), or a macro with an argument twice ({% macro f(a, a) %}), which Jinja lets through
        said = "nested too deeply to compile" if "nest" in str(exc.msg) or "too many" in str(exc.msg) else \
            f"does not compile ({excerpt(str(exc.msg), 80)}): a macro or call that repeats a name?"
        raise InputError([f"{printable(str(template_dir))}: a template {said}"]) from None
    except UnicodeDecodeError as exc:  # a ValueError too: said before the one below
        raise InputError([(f"{printable(str(template_dir))}: a template is not UTF-8 text (byte {exc.start}); "
                          "save it as UTF-8")]) from None
    except ValueError as exc:  # int("9" * 5000): past Python's limit on the digits of a number written out
        raise InputError([(f"{printable(str(template_dir))}: a template does not compile ({excerpt(str(exc), 80)}); "
                           "write numbers of at most 4300 digits")]) from None
    except TemplateError as exc:  # a user's template that does not compile
        where = f"{getattr(exc, 'filename', None) or template_dir}"
        line = f", line {exc.lineno}" if getattr(exc, "lineno", None) else ""
        raise InputError([f"{where}{line}: {exc.message or exc}"]) from None


def _up_to_date(out_dir: Path, area: str, digest: str, docs: dict, names: tuple[str, ...],
                formats: tuple[str, ...]) -> bool:
    """An area built from exactly this before, whose files are all there as that build wrote them
    (its signed manifest lists each with its digest, and nothing else is there): already these bytes."""
    expected = [f"{v}/{n}.{ext}" if v else f"{n}.{ext}" for v in docs for n in names for ext in ("html", "pdf")
                if ext in formats]
    expected += [f"{area}/{name}" if area else name for name, wanted in
                 (("quiz.xml", "moodle"), ("canvas.zip", "canvas"), ("print.pdf", "pdf")) if wanted in formats
                 and (name != "print.pdf" or area)]
    if stamp(digest) is None or marker_fields(out_dir).get(f"digest:{tag(area)}") != stamp(digest):
        return False
    whole = intact(out_dir, area)
    return whole is not None and all(p in whole[0]["files"] for p in expected)


def _write_quizzes(docs: dict[str, dict], stage: Path, area: str, pool, formats: tuple[str, ...]) -> dict[str, Path]:
    """The LMS exports of the area's copies: quiz.xml (Moodle XML) and canvas.zip (QTI 1.2 for Canvas),
    a question group a problem slot. The wrong answers multiple-choice derivatives are offered among
    are worked out in the pool's workers, once for both."""
    from workbook import canvas, moodle
    from workbook.workers import Pace

    asked = [(folder, p["number"], p["claims"], p.get("family", "")) for folder, doc in docs.items()
             for s in doc["sections"] for p in s["problems"] if p["claims"].get("type") == "derivative"]
    pace = Pace("the quizzes' wrong answers", lambda: getattr(pool, "size", 1),
                "a family's derivatives take far longer to work with than the built-in ones: make them simpler")
    for i, (_, _, claims, _) in enumerate(asked):
        pace.add(QUIZ_ALLOWANCE)
        pool.submit(i, QUIZ_BUDGET, moodle.distractors, claims)
    choices = {}
    for outcome in pace.over(pool.completed(), QUIZ_ALLOWANCE):
        folder, number, _, family = asked[outcome.task]
        if outcome.ok and outcome.value:  # none: an essay, graded by hand
            choices[folder, number] = outcome.value
        elif not outcome.ok and outcome.kind != "raised":  # an essay only for what the problem is, never because
            # the machine was busy: the same edition is the same quiz (attack22 saw one dropped to an essay)
            where = f" of version {folder}" if folder else ""
            raise BuildError(f"could not work out the wrong answers of problem {number}{where} (family "
                             f"{printable(family)[:40]!r}) for the quiz ({outcome.error}): make its expressions "
                             "simpler, or build where the machine is less busy")
    files = {}
    where = stage / area if area else stage
    if "moodle" in formats:
        files[f"{area}/quiz.xml" if area else "quiz.xml"] = _write(where / "quiz.xml", moodle.quiz(docs, choices))
    if "canvas" in formats:
        where.mkdir(parents=True, exist_ok=True)
        (where / "canvas.zip").write_bytes(canvas.package(docs, choices))
        files[f"{area}/canvas.zip" if area else "canvas.zip"] = where / "canvas.zip"
    return files


QUIZ_BUDGET = 10.0  # seconds one problem's wrong answers may take: the built-in families' slowest took 0.12 s
QUIZ_ALLOWANCE = 0.5  # and on average over a quiz (they average 0.02 s)


def _print_pdf(stage: Path, area: str, folders: list[str]) -> Path:
    """print.pdf: every copy's worksheet in one file, in order, each starting on an odd page (a blank
    page after one that ends on an odd page), for a duplex printer. Each sheet is read from the stage:
    written by this build, or carried over from the last as it wrote it.

    pikepdf (qpdf) joins them: 0.2 s for 30 sheets where pypdf, parsing in Python, took 1.8 s, after the
    layouts and in this process alone. The file's /ID is worked out from its content: the same sheets give
    the same bytes.
    """
    import io

    import pikepdf

    path = stage / area / "print.pdf"
    sheets = []  # qpdf copies a page's streams when it saves: each sheet stays open until then, in memory (no file
    with pikepdf.new() as joined:  # handle each: a class of thousands would run out of them)
        for folder in folders:
            sheets.append(pikepdf.open(io.BytesIO((stage / folder / "worksheet.pdf").read_bytes())))
            joined.pages.extend(sheets[-1].pages)
            if len(joined.pages) % 2:
                box = joined.pages[-1].mediabox
                joined.add_blank_page(page_size=(float(box[2] - box[0]), float(box[3] - box[1])))
        joined.save(path, deterministic_id=True)
    for sheet in sheets:
        sheet.close()
    return path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _prepare(documents: list[tuple[dict, tuple[str, ...]]], formats: tuple[str, ...], cache: Path, pool,
             timings: dict, template_dir: Path | None = None, progress=None) -> None:
    """Draw every math expression and figure the documents show once, spread over the workers."""
    from workbook import render

    math: set = set()
    specs: dict = {}
    with _timed(timings, "collect"):
        for m, f in _assets_used(documents, pool, template_dir):
            math |= m
            specs.update(f)
    math_items, spec_items = sorted(math), [specs[k] for k in sorted(specs)]
    parts = 8 * pool.size  # small parts: the workers finish together
    start = time.perf_counter()
    tick = _counter(progress, PREPARING, sum(1 for i in range(parts) if math_items[i::parts] or spec_items[i::parts]))
    pace = _paced(pool, "the math and figures", template_dir)

    def allowance(task) -> float:  # many times what the built-in families' figures and math take
        return 2.0 + 1.0 * len(spec_items[task[1]::parts]) + 0.05 * len(math_items[task[1]::parts])

    for i in range(parts):
        if math_items[i::parts] or spec_items[i::parts]:
            # a budget: a family's figure or a template's spec may ask for more than a page can show
            budget = PREPARE_BUDGET + 2.0 * len(spec_items[i::parts]) + 0.2 * len(math_items[i::parts])
            pace.add(allowance(("prepare", i)))
            pool.submit(("prepare", i), budget, render.prepare_job, math_items[i::parts], spec_items[i::parts],
                        formats, cache)
    for outcome in pace.over(pool.completed(), allowance):
        if not outcome.ok:
            from workbook.figures import FigureError

            error = _failed("could not draw the math and figures", outcome, template_dir)
            spec_fault = template_dir is not None and isinstance(outcome.exception, LookupError | TypeError
                                                                   | ValueError | ArithmeticError)
            if spec_fault and not isinstance(outcome.exception, FigureError):  # Python's words named no one
                error = BuildError(f"a figure() in the templates of {printable(str(template_dir))} cannot be drawn "
                                   f"({outcome.error}): give it the keys its kind draws from, as the built-in "
                                   "templates' figures have them")
            if outcome.kind in ("timeout", "memory") or isinstance(outcome.exception, FigureError) or spec_fault:
                error.code = 2  # what a page shows is bounded by the edition: too much is bad input
            raise error
        _add_timings(timings, outcome.value)
        tick()
    timings["prepare"] = timings.get("prepare", 0.0) + time.perf_counter() - start


def _assets_used(documents: list[tuple[dict, tuple[str, ...]]], pool, template_dir: Path | None) -> list[tuple]:
    """What each document shows, by filling in its templates: the built-in ones here (the fastest way),
    a user's folder in the workers, under a time budget and their memory cap."""
    from workbook import render

    if template_dir is None:
        return [render.assets_used(doc, names) for doc, names in documents]
    pace = _paced(pool, "the template fill-ins", template_dir)

    def allowance(task) -> float:
        return FILL_ALLOWANCE + 0.02 * render.problem_count(documents[task[1]][0])

    for i, (doc, names) in enumerate(documents):
        pace.add(allowance(("collect", i)))
        pool.submit(("collect", i), _budget(doc, template_dir, 0.2), render.assets_used, doc, names, template_dir)
    found = []
    for outcome in pace.over(pool.completed(), allowance):
        if not outcome.ok:
            raise _failed(f"could not fill in the templates of {template_dir}", outcome, template_dir)
        found.append(outcome.value)
    return found


def _failed(what: str, outcome, template_dir: Path | None) -> BuildError:
    """A render job that failed: with a user's templates, one that broke a rule of the sandbox or
    overran its budget is bad input (exit 2); anything else is ours to fix (exit 1)."""
    said = disk_full(outcome.exception) or outcome.error
    if (template_dir is not None and outcome.exception is not None and "templates of" in what
            and (isinstance(outcome.exception, ArithmeticError | ValueError | TypeError | LookupError | AttributeError)
                 or type(outcome.exception).__name__ == "UndefinedError")
            and ", line " in str(outcome.exception)):  # the template and line, not Python's class name (attack25)
        said = printable(str(outcome.exception))[:300]
    if template_dir is not None and isinstance(outcome.exception, RecursionError):  # Python's words, not the user's
        said = ("a template calls itself without end (a macro that calls itself, or an include of a template "
                "that includes it): make each call stop")
    if (template_dir is not None and isinstance(outcome.exception, AttributeError | TypeError)
            and "templates of" not in what):  # key_cell(1): a helper handed a value of another kind
        said = f"a template in {printable(str(template_dir))} handed a helper a value of the wrong kind ({said})"
    crashed = template_dir is not None and outcome.kind == "died" and outcome.exitcode in (-11, -7, -6)
    if crashed:  # a tuple nested a million deep, hashed: Python's own C code runs out of stack, in the worker
        said = (f"a template in {printable(str(template_dir))} crashed the worker running it ({said}): a value "
                "nested too deeply? make the templates simpler")
    error = BuildError(f"{what}: {said}")
    if template_dir is not None and (outcome.kind in ("timeout", "memory") or crashed
                                     or isinstance(outcome.exception, RecursionError | ArithmeticError | ValueError
                                                   | TypeError | LookupError | AttributeError)  # {{ 1 // 0 }}, "%d" % "x"
                                     or type(outcome.exception).__name__ == "FetchRefused"
                                     or type(outcome.exception).__module__.startswith("jinja2")):
        error.code = 2
    return error


# relative cost of laying out each document, a problem's worth: the heaviest are started first
WEIGHT = {"solutions": 4.0, "worksheet": 1.5, "practice": 2.0, "interactive": 2.0, "answers": 1.0, "teacher-key": 1.0}


def render_documents(docs: dict[str, dict], names: tuple[str, ...], formats: tuple[str, ...], stage: Path,
                     cache: Path, pool, timings: dict, template_dir: Path | None = None, *, key: dict | None = None,
                     area: str = "", progress=None) -> dict[str, Path]:
    """Every document of each copy in ``docs`` (by folder), and the teacher's ``key`` into the ``area``
    folder, laid out in the pool's workers.

    With fewer copies than workers each document is its own task; otherwise each copy is one task
    (its documents share their math). Returns the files made, named as in BuildResult.files.
    """
    from workbook import render

    jobs = []
    media = [(m,) for m in ("pdf", "html") if m in formats]
    whole = all(len(docs) >= pool.size or v.startswith(STUDENTS) for v in docs)
    for v, doc in docs.items():
        folder = stage / v if v else stage
        size = render.problem_count(doc)
        if whole:  # one job a copy: its documents share their math
            jobs.append((size * sum(WEIGHT.get(n, 1.0) for n in names), v, doc, folder, names, formats))
        else:  # one job a document and a medium, the heaviest first
            jobs += [(size * WEIGHT.get(n, 1.0) * (1 if m == ("pdf",) else 0.1), v, doc, folder, (n,), m)
                     for n in names for m in media if not (m == ("pdf",) and n in render.HTML_ONLY)]
    if not whole or template_dir is not None:
        # jobs that split a copy would each draw the math and figures its documents share: they are drawn
        # first, once, over all the workers. A job that holds a whole copy draws what it shows itself (what
        # copies share is little: a separate stage cost more than it saved, the 30-version quiz 0.3 s of 5),
        # but a user's templates are first filled in here, under their budget, to learn what they show
        everything = [(doc, names) for doc in docs.values()] + ([(key, ("teacher-key",))] if key is not None else [])
        _prepare(everything, formats, cache, pool, timings, template_dir, progress)
    if key is not None:
        size = sum(len(s["problems"]) for s in key["sections"])
        jobs.append((size * WEIGHT["teacher-key"], area, key, stage / area, ("teacher-key",), formats))
    jobs.sort(key=lambda job: -job[0])
    # counted in the files laid out, each job's documents in each of its formats: "4 documents" was said of 18 and a
    # teacher key, a job holding a version's three counted one (user53 F7), and the count changed with --jobs, which
    # splits a copy's PDF and HTML into two jobs or not (user54 F5)
    tick = _counter(progress, LAYING_OUT, sum(len(job[4]) * _laid_out(job[5]) for job in jobs))
    pace = _paced(pool, "the layouts", template_dir)

    def allowance(i: int) -> float:  # a user's templates: many times what the built-in ones take to lay out
        return LAYOUT_ALLOWANCE + LAYOUT_EACH * jobs[i][0] if template_dir is not None else 0.0

    for i, (_, v, doc, folder, group, fmts) in enumerate(jobs):
        pace.add(allowance(i))
        pool.submit(i, _budget(doc, template_dir, 2.0), render.render_job, doc, folder, cache, fmts, group,
                    template_dir)
    files = {}
    for outcome in (pace.over(pool.completed(), allowance) if template_dir is not None else pool.completed()):
        _, v, _, _, group, _ = jobs[outcome.task]
        if not outcome.ok:
            what = ", ".join(group) + (f" of version {v}" if v else "")
            raise _failed(f"could not render the {what}", outcome, template_dir)
        made, spent = outcome.value
        files.update({f"{v}/{k}" if v else k: p for k, p in made.items()})
        _add_timings(timings, spent)
        tick(len(group) * _laid_out(jobs[outcome.task][5]))
    return dict(sorted(files.items()))


def _laid_out(formats: tuple[str, ...]) -> int:
    """How many files a layout job writes for each of its documents: one a format it lays out."""
    return sum(1 for fmt in formats if fmt in ("html", "pdf")) or 1


def _paced(pool, what: str, template_dir: Path | None):
    """A stage's Pace (see workers.Pace): what to do when it is too slow names the templates, if a user's."""
    from workbook.workers import Pace

    advice = (f"the templates of {printable(str(template_dir))} take far longer than the built-in ones: make them "
              "simpler" if template_dir is not None else
              "a family's figures or math take far longer than the built-in ones: make them simpler")
    return Pace(what, lambda: getattr(pool, "size", 1), advice)


# seconds of a worker's time a stage may take on average, a document: the built-in templates fill one in 0.1 s
FILL_ALLOWANCE = 2.0
LAYOUT_ALLOWANCE = 5.0  # and lay one out in about 0.03 s a problem's worth (WEIGHT): allowed this, and
LAYOUT_EACH = 0.5  # this a problem's worth (0.15 stopped two versions of the built-in templates on a busy machine)


def _budget(doc: dict, template_dir: Path | None, per_problem: float) -> float | None:
    """A task's time budget when it runs templates from a user's folder (which might never end):
    a minute, and ``per_problem`` seconds a problem. The built-in templates run without one."""
    if template_dir is None:
        return None
    from workbook.render import problem_count

    return 60.0 + per_problem * problem_count(doc)


def _add_timings(timings: dict[str, float], spent: dict[str, float]) -> None:
    """Add a worker's seconds by stage to the build's (so they are CPU-side sums, not wall-clock)."""
    for name, seconds in spent.items():
        timings[name] = timings.get(name, 0.0) + seconds


PREPARE_BUDGET = 60.0  # seconds for one part of the math and figures, and more for each item in it
MAX_STUDENT_DRAWS = 100_000  # a roster's students x the edition's problems: about half an hour on 2 cores
MAX_TEMPLATE_FILES = 2000  # a template folder is a few files
MAX_TEMPLATE_BYTES = 64 << 20  # and a few hundred kB (a logo among them); each build reads it all to compare


def fingerprint(docs: dict, names: tuple[str, ...], formats: tuple[str, ...],
                template_dir: Path | None = None, origin: str = "") -> str:
    """What the output files depend on: the documents' data, the templates (a user's folder too),
    the versions of the tools, and where they were laid out (a remote cluster's files are not taken as
    up to date by a build on this machine alone)."""
    from workbook.quick import MAX_DEPTH
    from workbook.resources import inside, templates_dir
    from workbook.userfiles import LIMIT, files_under, hard_link

    h = hashlib.sha256()
    h.update(json.dumps([docs, list(names), sorted(formats), __version__,
                         {n: dependency_version(n) for n in DEPENDENCIES}], sort_keys=True, default=str).encode())
    if origin:
        h.update(b"\0laid out by\0" + origin.encode())
    read: dict[tuple[int, ...], bytes] = {}  # each file once, however many links reach it
    total = 0
    for folder in [templates_dir()] + ([template_dir] if template_dir is not None else []):
        h.update(b"\0folder\0")
        for path in files_under(folder, depth=MAX_DEPTH):
            # what FolderLoader may read: no link out, no device, nothing over its limit
            if not inside(path, folder) or (info := path.stat()).st_size > LIMIT or (
                    folder != templates_dir() and hard_link(path)):  # (never read, not even into a hash: attack60 F6)
                continue
            same = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
            if same not in read:
                total += info.st_size
                if total > MAX_TEMPLATE_BYTES:
                    raise InputError([(f"{printable(str(folder))}: the template folder holds over "
                                       f"{MAX_TEMPLATE_BYTES >> 20} MB; give a folder of templates only")])
                try:
                    read[same] = hashlib.sha256(path.read_bytes()).digest()
                except OSError as exc:  # a read error names no file ("Invalid argument"): this one does
                    raise InputError([(f"{printable(str(path))}: cannot be read ({exc.strerror or exc}); give a "
                                       "folder of templates only")]) from None
            h.update(os.fsencode(path.relative_to(folder)) + b"\0" + read[same])
    return h.hexdigest()


@contextmanager
def _workers_stopped_first(pool):
    """A build that fails or is stopped (Ctrl-C, SIGTERM) stops its workers before its staging folder is
    removed: a worker still laying out a document writes into it, and a file written there while the
    folder was being removed left it behind."""
    try:
        yield
    except BaseException:
        pool.close()
        raise


@contextmanager
def _timed(timings: dict[str, float], name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start

