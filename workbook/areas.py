"""Where each way of building an edition writes, so that none takes away what another made.

An edition's folder holds one area for each mode: the single edition at its top (``worksheet.pdf``,
``quiz.xml``, ...), ``versions/`` (a folder a version, and the key to them all) and ``students/`` (a
folder a student, and the class key). A build rewrites its own area and carries every other file over
unchanged. Within its area, a file of a medium the build does not write (the HTML, when only the PDF
is asked for) is kept while the copy it shows is unchanged, and dropped once that copy's problems change,
so no file ever shows an older draw than the key beside it.

Each area's ``manifest.json`` records a digest of every copy's content, which is how a later build
knows what changed. A roster adds to the class: students built before stay, and the class key covers
them all.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.errors import unsafe_char
from workbook.roster import ID, MAX_NAME, Student

if TYPE_CHECKING:  # the edition's schema imports SymPy: the up-to-date check (workbook.quick) reads areas without it
    from workbook.edition import Edition

VERSIONS, STUDENTS = "versions", "students"
MEDIA = {".pdf": "pdf", ".html": "html"}
NAMED = {"quiz.xml": "moodle", "canvas.zip": "canvas"}
MANIFEST = "manifest.json"
MANIFEST_LIMIT = 64 << 20  # an area's manifest.json read back: 10^5 students' records fit


@dataclass(frozen=True)
class Copy:
    """One copy of the edition: a version or a student's sheet (or the edition itself)."""

    folder: str  # under the edition's folder: "", "versions/B", "students/s01"
    suffix: str  # added to its slots' names, so part of their seeds: "" for the edition and for version A
    version: str = ""  # the letter printed on it
    student: str = ""  # the student's name
    id: str = ""  # the student's id
    roster: str = ""  # the roster file the student's sheet is built from, as printed on it

    @property
    def name(self) -> str:
        """Its name in its area's manifest: "B", "s01", or ""."""
        return self.folder.rsplit("/", 1)[-1]


def area_of(edition: Edition, roster: list[Student] | None) -> str:
    """The area a build writes: "" (the edition's top), "versions" or "students"."""
    if roster:
        return STUDENTS
    return VERSIONS if edition.versions > 1 else ""


def copies_of(edition: Edition, roster: list[Student] | None, rosters: dict[str, str] | None = None) -> list[Copy]:
    """Every copy a build makes. Version A draws what the single edition draws (its slots carry no
    suffix), so the sheet reviewed alone is the one handed out as version A."""
    if roster:
        return [Copy(f"{STUDENTS}/{s.id}", f"id={s.id}", student=s.name, id=s.id, roster=(rosters or {}).get(s.id, ""))
                for s in roster]
    if edition.versions > 1:
        from workbook.edition import version_label

        labels = [version_label(i) for i in range(edition.versions)]
        return [Copy(f"{VERSIONS}/{v}", v if i else "", version=v) for i, v in enumerate(labels)]
    return [Copy("", "")]


def medium(path: str) -> str | None:
    """What writes a file of an edition's folder: "pdf", "html", "moodle", or None (a manifest, a note
    the teacher put there): files of no medium are never dropped."""
    name = path.rsplit("/", 1)[-1]
    return NAMED.get(name) or MEDIA.get(Path(name).suffix)


def in_area(path: str, area: str) -> bool:
    return "/" not in path if not area else path.startswith(area + "/")


def area_files(out_dir: Path, area: str) -> dict[str, Path]:
    """An area's files, by path in the edition's folder."""
    from workbook.userfiles import files_under

    return {rel: p for p in files_under(out_dir)
            if p.is_file() and not p.name.startswith(".") and in_area(rel := p.relative_to(out_dir).as_posix(), area)}


def copy_of(path: str, area: str) -> str | None:
    """The copy folder a file of ``area`` belongs to, or None for the area's own files (its key)."""
    if not area:
        return ""
    parts = path.split("/")
    return "/".join(parts[:2]) if len(parts) > 2 else None


def content_digest(doc: dict) -> str:
    """What a copy's files show, as one digest: its problems, its header, its page options; not the
    command printed at its foot (and the roster file it names), which says how that file was made (a sheet
    kept keeps its own)."""
    shown = {**doc, "edition": {k: v for k, v in doc["edition"].items() if k not in ("rebuild", "roster")}}
    return hashlib.sha256(json.dumps(shown, sort_keys=True, default=str).encode()).hexdigest()


@dataclass
class Previous:
    """What an area's manifest says its last build made: each copy's content digest, and the students."""

    contents: dict[str, str]  # copy folder -> content digest ("" folder for the single edition)
    key: str | None  # the teacher key's content digest
    students: list[Student]
    rosters: dict[str, str] = dataclasses.field(default_factory=dict)  # id -> the roster file it came from

    @classmethod
    def read(cls, out_dir: Path, area: str) -> Previous:
        """The area's record, or an empty one (never built, or a manifest this user's build did not
        sign: then every copy counts as changed, so nothing stale or planted is kept)."""
        empty = cls({}, None, [])
        signed = signed_manifest(out_dir, area)
        data = signed[0] if signed is not None else None
        record = data.get("copies") if isinstance(data, dict) else None
        if not isinstance(record, dict):
            return empty
        contents, students, rosters = {}, [], {}
        for name, entry in record.items():
            if not (isinstance(name, str) and isinstance(entry, dict) and isinstance(entry.get("content"), str)):
                return empty
            contents[f"{area}/{name}" if area else ""] = entry["content"]
            if area == STUDENTS:
                sid, who = entry.get("id"), entry.get("student")
                if not (isinstance(sid, str) and sid == name and ID.fullmatch(sid) and isinstance(who, str)
                        and 0 < len(who) <= MAX_NAME and not unsafe_char(who, newlines=False)):
                    return empty  # what a roster could not hold: trusted for nothing
                students.append(Student(who, sid))
                named = entry.get("roster")
                if isinstance(named, str) and len(named) <= 300 and not unsafe_char(named):
                    rosters[sid] = named
        key = data.get("key")
        return cls(contents, key if isinstance(key, str) else None, students, rosters)


def tag(area: str) -> str:
    """An area's name in the marker's lines."""
    return area or "."


def signed_manifest(out_dir: Path, area: str, name: str | None = None) -> tuple[dict, bytes] | None:
    """An area's manifest.json (parsed, and its bytes) if it is the one this user's build wrote: its
    digest signed with this user's key in the edition's marker. A manifest from anyone else, or
    changed since, is None. ``name``: the edition's folder name, where the folder is the edition moved
    aside (``.<name>.old-*``)."""
    from workbook.cache import stamp
    from workbook.staging import marker_fields

    path = out_dir / area / MANIFEST if area else out_dir / MANIFEST
    # nor one reached through a folder that is a link: a stranger's students/ pointing at a class built elsewhere was
    # read, and its sheets taken into this build (attack55 F1)
    folders = [out_dir / Path(*Path(area).parts[:k]) for k in range(1, len(Path(area).parts) + 1)] if area else []
    try:
        if any(folder.is_symlink() for folder in folders):
            return None
        if not path.is_file() or path.is_symlink() or path.stat().st_size > MANIFEST_LIMIT:
            return None
        data = path.read_bytes()
    except OSError:
        return None
    signed = marker_fields(out_dir).get(f"files:{tag(area)}")
    if signed is None or stamp(manifest_seal(out_dir.with_name(name or out_dir.name), area, data)) != signed:
        return None
    try:
        parsed = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return (parsed, data) if isinstance(parsed, dict) else None


def manifest_seal(out_dir: Path, area: str, data: bytes) -> str:
    """What the marker signs for an area's manifest: its digest bound to the edition's folder name and
    the area, so a signed manifest copied into another edition or another area is not trusted there."""
    return f"manifest\0{out_dir.name}\0{tag(area)}\0{hashlib.sha256(data).hexdigest()}"


def intact(out_dir: Path, area: str) -> tuple[dict, bytes] | None:
    """The area's signed manifest (parsed, and its bytes) if every file it lists is there as that build
    wrote it and nothing else is in the area (sizes compared first: nothing huge is read), nor anywhere
    in the edition's folder anything a build of the user's did not write there (a link, a pipe, a
    folder or a file added); else None."""
    from workbook.staging import file_hashes, file_names, foreign

    signed = signed_manifest(out_dir, area)
    listed = signed[0].get("files") if signed is not None else None
    if not isinstance(listed, dict):
        return None
    own = f"{area}/{MANIFEST}" if area else MANIFEST
    if sorted(listed) != file_names(out_dir, lambda p: in_area(p, area) and p != own):
        return None
    if next(foreign(out_dir, trusted_files(out_dir)), None) is not None:  # a full build would leave it out
        return None
    return signed if file_hashes(out_dir, lambda p: p in listed, expected=listed) == listed else None


def trusted_files(out_dir: Path, name: str | None = None) -> dict[str, str]:
    """Every file of the edition folder a signed manifest lists (path -> sha256), with the manifests
    themselves: what workbook wrote there, as it wrote it. Nothing else is ever carried into a build.
    ``name`` as for signed_manifest."""
    trusted = {}
    for area in ("", VERSIONS, STUDENTS):
        signed = signed_manifest(out_dir, area, name)
        if signed is None:
            continue
        data, raw = signed
        listed = data.get("files")
        if not isinstance(listed, dict):
            continue
        for rel, digest in listed.items():
            if (isinstance(rel, str) and isinstance(digest, str) and in_area(rel, area) and rel != MANIFEST
                    and re.fullmatch(r"[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*", rel) and ".." not in rel.split("/")
                    and re.fullmatch(r"[0-9a-f]{64} [0-9]{1,15}", digest)):
                trusted[rel] = digest
        trusted[f"{area}/{MANIFEST}" if area else MANIFEST] = f"{hashlib.sha256(raw).hexdigest()} {len(raw)}"
    return trusted


def class_of(previous: Previous, roster: list[Student]) -> list[Student]:
    """The class a roster build makes: the students built before, then the roster's new ones; a name
    given again in the roster replaces the one built before."""
    given = {s.id: s for s in roster}
    kept = [given.pop(s.id, s) for s in previous.students]
    return kept + [s for s in roster if s.id in given]


def record(copies: list[Copy], contents: dict[str, str], key: str | None) -> dict:
    """The ``copies`` and ``key`` entries an area's manifest carries for the next build to read."""
    entries = {}
    for c in copies:
        entry = {"content": contents[c.folder]}
        if c.id:
            entry |= {"id": c.id, "student": c.student} | ({"roster": c.roster} if c.roster else {})
        entries[c.name] = entry
    return {"copies": entries, "key": key}
