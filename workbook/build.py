"""build(edition): the pipeline, one stage a line, in order.

edition file -> families -> problems (generate, solve with steps, verify) -> HTML and PDF
(figures and math drawn on the way) -> manifest.json, all written into a staging folder that
replaces the previous edition only once every file is complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from workbook import __version__
from workbook.bank import load_bank
from workbook.edition import Edition, default_path, load_edition, pick_families
from workbook.errors import BuildError
from workbook.generate import generate_slot
from workbook.roster import read_roster

MARKER = ".workbook-build"
MARKER_TEXT = "made by workbook; safe to delete with `workbook clean`\n"
DEPENDENCIES = ("sympy", "numpy", "matplotlib", "jinja2", "weasyprint", "ziamath", "latex2mathml")


@dataclass
class BuildResult:
    """What a build made and what each stage cost."""

    out_dir: Path
    files: dict[str, Path]
    problems: int
    timings: dict[str, float] = field(default_factory=dict)


def build(edition_path: Path | None = None, *, seed: int | None = None, out_root: Path = Path("build"),
          bank_folders: list[Path] | None = None, formats: tuple[str, ...] = ("html", "pdf"),
          versions: int | None = None, roster: Path | None = None, progress=None) -> BuildResult:
    """Build an edition into ``out_root/<slug>/``; the previous build stays until this one is whole."""
    timings: dict[str, float] = {}
    overrides = {k: v for k, v in (("seed", seed), ("versions", versions)) if v is not None}
    with _stage(timings, "load"):
        edition = load_edition(edition_path or default_path(), overrides)
        bank = load_bank(bank_folders)
        students = read_roster(roster) if roster is not None else None
    return build_edition(edition, bank, out_root=out_root, formats=formats, timings=timings, roster=students,
                         progress=progress)


def build_edition(edition: Edition, bank: dict, *, out_root: Path = Path("build"),
                  formats: tuple[str, ...] = ("html", "pdf"), documents: tuple[str, ...] | None = None,
                  timings: dict[str, float] | None = None, roster: list | None = None,
                  progress=None) -> BuildResult:
    """Build an edition already read (a file's, or one made up like a practice set).

    ``progress(done, total)`` is called after each problem is drawn and checked.
    """
    timings = {} if timings is None else timings
    with _stage(timings, "load"):
        picked = pick_families(edition, bank)
    out_dir = confined(out_root, edition.output_slug())
    names = documents or edition_documents(edition)
    copies = len(roster) if roster else edition.versions
    total = copies * sum(s.count for s in edition.sections)
    done = [0]

    def tick():
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    if roster:
        # each student's problems depend only on the edition seed and the student's id, so one
        # sheet can be rebuilt alone; the sheets are independent (no shared repeat check)
        with _stage(timings, "generate"):
            docs = {f"students/{s.id}": document(edition, generate_sections(edition, picked, f"id={s.id}", progress=tick, bank=bank), "",
                                                 student=s.name) for s in roster}
        names = ("worksheet",)
    else:
        letters = [chr(ord("A") + i) for i in range(edition.versions)] if edition.versions > 1 else [""]
        seen: set[str] = set()  # versions differ from each other, and no problem repeats within one
        with _stage(timings, "generate"):
            docs = {v: document(edition, generate_sections(edition, picked, v, seen, progress=tick, bank=bank), v)
                    for v in letters}
    digest = fingerprint(docs, names, formats)
    expected = [out_dir / v / f"{n}.{ext}" for v in docs for n in names for ext in ("html", "pdf") if ext in formats]
    if _marker_digest(out_dir) == digest and all(p.is_file() for p in expected):
        # an unchanged edition whose files are all there: they are already these bytes
        files = {str(p.relative_to(out_dir)): p for p in sorted(out_dir.rglob("*"))
                 if p.is_file() and not p.name.startswith(".")}
        count = sum(len(s["problems"]) for doc in docs.values() for s in doc["sections"])
        return BuildResult(out_dir=out_dir, files=files, problems=count, timings=timings)
    with staging(out_dir) as stage:
        from workbook import render

        files = {}
        for v, doc in docs.items():
            folder = stage / v if v else stage
            made = {}
            if {"html", "pdf"} & set(formats):
                made = render.write_documents(doc, folder, cache_dir=out_root / ".cache", timings=timings,
                                              formats=formats, documents=names)
            if "moodle" in formats:
                from workbook import moodle

                folder.mkdir(parents=True, exist_ok=True)
                (folder / "quiz.xml").write_text(moodle.quiz(doc), encoding="utf-8")
                made["quiz.xml"] = folder / "quiz.xml"
            files.update({f"{v}/{k}" if v else k: out_dir / Path(p).relative_to(stage) for k, p in made.items()})
        if len(docs) > 1 and {"html", "pdf"} & set(formats):
            made = render.write_documents(teacher_key(edition, docs), stage, cache_dir=out_root / ".cache",
                                          timings=timings, formats=formats, documents=("teacher-key",))
            files.update({k: out_dir / Path(p).relative_to(stage) for k, p in made.items()})
        (stage / "manifest.json").write_text(manifest(edition, docs), encoding="utf-8")
        files["manifest"] = out_dir / "manifest.json"
        (stage / MARKER).write_text(f"{MARKER_TEXT}digest {digest}\n")
    count = sum(len(s["problems"]) for doc in docs.values() for s in doc["sections"])
    return BuildResult(out_dir=out_dir, files=files, problems=count, timings=timings)


def fingerprint(docs: dict, names: tuple[str, ...], formats: tuple[str, ...]) -> str:
    """What the output files depend on: the documents' data, the templates, the versions of the tools."""
    from workbook.resources import templates_dir

    h = hashlib.sha256()
    h.update(json.dumps([docs, list(names), sorted(formats), __version__,
                         {n: _version(n) for n in DEPENDENCIES}], sort_keys=True, default=str).encode())
    for path in sorted(templates_dir().rglob("*")):
        if path.is_file():
            h.update(path.name.encode() + path.read_bytes())
    return h.hexdigest()


def _marker_digest(out_dir: Path) -> str | None:
    try:
        text = (out_dir / MARKER).read_text()
    except OSError:
        return None
    return text.rsplit("digest ", 1)[-1].strip() if "digest " in text else None


def edition_documents(edition: Edition) -> tuple[str, ...]:
    """Which documents the page options ask for."""
    names = ["worksheet"]
    if edition.page.key == "separate":
        names.append("answers")
    if edition.page.solutions:
        names.append("solutions")
    return tuple(names)


def teacher_key(edition: Edition, docs: dict[str, dict]) -> dict:
    """One key for every version (or every student): each one's sections, titled with who it is for."""
    sections = []
    for v, doc in docs.items():
        who = doc["edition"].get("student")
        label = f"{who} ({v.split('/')[-1]})" if who else f"Version {v}"
        sections += [{**section, "title": f"{label} · {section['title']}"} for section in doc["sections"]]
    first = next(iter(docs.values()))["edition"]
    head = {**first, "student": "", "version": "" if first.get("student") else "A–" + list(docs)[-1]}
    return {"edition": head, "sections": sections}


def generate_sections(edition: Edition, picked: list, version: str = "", seen: set[str] | None = None,
                      progress=None, bank: dict | None = None) -> list[dict]:
    """Every section's problems, each drawn for its own slot and never repeated on the sheet.

    A version's slots carry its letter, so version A's problem 3 and version B's differ while
    the families and difficulties stay the same.
    """
    seen = set() if seen is None else seen
    sections = []
    for section, families in zip(edition.sections, picked):
        problems = []
        for k in range(section.count):
            family = families[k % len(families)]
            slot = f"{section.title}#{k}" + (f"@{version}" if version else "")
            problems.append(generate_slot(family, edition.seed, slot, seen))
            if progress is not None:
                progress()
        intro = [{"text": section.intro}] if section.intro else []
        primer = [p.strip() for p in section.primer.split("\n\n") if p.strip()]
        example = None
        if section.example is not None:  # the same worked example in every version
            example = generate_slot(bank[section.example], edition.seed, f"{section.title}#example")
        sections.append({"title": section.title, "intro": intro, "primer": primer, "example": example,
                         "problems": problems})
    return sections



def document(edition: Edition, sections: list[dict], version: str = "", student: str = "") -> dict:
    """The plain data the templates render: the edition's header and numbered problems."""
    number = 0
    for section in sections:
        for problem in section["problems"]:
            number += 1
            problem["number"] = number
    head = {"title": edition.title, "subtitle": edition.subtitle, "slug": edition.output_slug(),
            "seed": edition.seed, "version": version, "paper": edition.paper, "workbook_version": __version__,
            "date": edition.date, "page": edition.page.model_dump(), "student": student}
    return {"edition": head, "sections": sections}


def manifest(edition: Edition, docs: dict[str, dict]) -> str:
    """manifest.json: the edition, the versions used, and each problem with its check record."""
    problems = []
    for version, doc in docs.items():
        for section in doc["sections"]:
            examples = [{**section["example"], "number": "example"}] if section.get("example") else []
            for p in examples + section["problems"]:
                problems.append({
                "version": version, "number": p["number"], "section": section["title"], "family": p["family"],
                "kind": p["kind"],
                "seed": p["seed"], "slot": p["slot"], "attempt": p["attempt"], "params": p["params"],
                "prompt": p["prompt"], "answer": p["answer"], "check": p["check"], "verified": p["verified"],
                })
    data = {
        "workbook": __version__,
        "dependencies": {name: _version(name) for name in DEPENDENCIES},
        "edition": {**next(iter(docs.values()))["edition"], "version": "", "versions": list(docs) if len(docs) > 1
                    else [], "file": Path(edition.path).name},
        "problems": problems,
    }
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def confined(root: Path, name: str) -> Path:
    """root/name, refusing any name that would leave root."""
    root = root.resolve()
    target = (root / name).resolve()
    if target.parent != root or name in ("", ".", ".."):
        raise BuildError(f"output name {name!r} would leave {root}")
    return target


@contextmanager
def staging(out_dir: Path):
    """A fresh folder beside out_dir, swapped in only if the body finishes without error.

    A lock file beside it stops a second build of the same edition from running at the same time.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with _locked(out_dir.with_name(f".{out_dir.name}.lock")):
        yield from _staged(out_dir)


@contextmanager
def _locked(path: Path):
    import fcntl

    with open(path, "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another build of {path.name[1:-5]!r} is running; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _staged(out_dir: Path):
    """Yield a staging folder; on success it replaces out_dir, on failure it is removed."""
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        (stage / MARKER).write_text(MARKER_TEXT)
        yield stage
        old = None
        if out_dir.exists():
            old = out_dir.with_name(f".{out_dir.name}.old-{os.getpid()}")
            os.replace(out_dir, old)
        os.replace(stage, out_dir)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


@contextmanager
def _stage(timings: dict[str, float], name: str):
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


def clean(out_root: Path) -> list[Path]:
    """Remove the builds under out_root that carry workbook's marker, and the math cache; nothing else."""
    removed = []
    if not out_root.is_dir():
        return removed
    for child in sorted(out_root.iterdir()):
        if child.is_dir() and not child.is_symlink() and (child / MARKER).is_file():
            shutil.rmtree(child)
            removed.append(child)
        elif child.name == ".cache" and child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
            removed.append(child)
    return removed
