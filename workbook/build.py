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
from workbook.cache import DrawCache
from workbook.edition import Edition, default_path, load_edition, pick_families, version_label
from workbook.errors import BuildError
from workbook.roster import read_roster
from workbook.scheduler import BUDGET, Slot, draw
from workbook.workers import Pool

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
    docs: dict[str, dict] = field(default_factory=dict, repr=False)  # the documents' data, by copy
    unchanged: bool = False  # the edition was already built exactly so: nothing was written


def build(edition_path: Path | None = None, *, seed: int | None = None, out_root: Path = Path("build"),
          bank_folders: list[Path] | None = None, formats: tuple[str, ...] = ("html", "pdf"),
          versions: int | None = None, roster: Path | None = None, progress=None, jobs: int | None = None,
          budget: float | None = BUDGET, templates: Path | None = None) -> BuildResult:
    """Build an edition into ``out_root/<slug>/``; the previous build stays until this one is whole."""
    timings: dict[str, float] = {}
    overrides = {k: v for k, v in (("seed", seed), ("versions", versions),
                                   ("templates", str(templates) if templates is not None else None)) if v is not None}
    with _stage(timings, "load"):
        edition = load_edition(edition_path or default_path(), overrides)
        bank = load_bank(bank_folders)
        students = read_roster(roster) if roster is not None else None
    return build_edition(edition, bank, out_root=out_root, formats=formats, timings=timings, roster=students,
                         progress=progress, jobs=jobs, budget=budget)


def build_edition(edition: Edition, bank: dict, *, out_root: Path = Path("build"),
                  formats: tuple[str, ...] = ("html", "pdf"), documents: tuple[str, ...] | None = None,
                  timings: dict[str, float] | None = None, roster: list | None = None,
                  progress=None, jobs: int | None = None, budget: float | None = BUDGET) -> BuildResult:
    """Build an edition already read (a file's, or one made up like a practice set).

    ``progress(done, total)`` is called after each problem is drawn and checked. ``jobs`` worker
    processes (default: one a core) draw the problems, each draw within ``budget`` seconds.
    """
    timings = {} if timings is None else timings
    with _stage(timings, "load"):
        picked = pick_families(edition, bank)
    out_dir = confined(out_root, edition.output_slug())
    names = ("worksheet",) if roster else documents or edition_documents(edition)
    # each copy: (its folder, its slots' suffix, the student's name)
    copies = ([(f"students/{s.id}", f"id={s.id}", s.name) for s in roster] if roster else
              [(v, v, "") for v in ([version_label(i) for i in range(edition.versions)] if edition.versions > 1
                                    else [""])])
    total = len(copies) * sum(s.count for s in edition.sections)
    done = [0]

    def tick():
        done[0] += 1
        if progress is not None:
            progress(done[0], total)

    if "pdf" in formats:
        import weasyprint  # noqa: F401 - loaded once here, before the workers fork, not once in each
    template_dir = edition.template_folder()
    if {"html", "pdf"} & set(formats):
        from workbook import render

        render.warm_up(out_root / ".cache", template_dir)

    with Pool(jobs) as pool:
        with _stage(timings, "generate"):
            docs = generate_documents(edition, picked, bank, copies, pool=pool, budget=budget, progress=tick,
                                      shared=not roster, cache=DrawCache(out_root / ".cache"))
        digest = fingerprint(docs, names, formats, template_dir)
        expected = [out_dir / v / f"{n}.{ext}" for v in docs for n in names for ext in ("html", "pdf")
                    if ext in formats]
        count = sum(len(s["problems"]) for doc in docs.values() for s in doc["sections"])
        if _marker_digest(out_dir) == digest and all(p.is_file() for p in expected):
            # an unchanged edition whose files are all there: they are already these bytes
            files = {str(p.relative_to(out_dir)): p for p in sorted(out_dir.rglob("*"))
                     if p.is_file() and not p.name.startswith(".")}
            return BuildResult(out_dir=out_dir, files=files, problems=count, timings=timings, docs=docs,
                               unchanged=True)
        with staging(out_dir) as stage, _stage(timings, "render"):
            files = {}
            if {"html", "pdf"} & set(formats):
                made = render_documents(edition, docs, names, formats, stage, out_root / ".cache", pool, timings,
                                        template_dir)
                files.update({k: out_dir / p.relative_to(stage) for k, p in made.items()})
            if "moodle" in formats:
                from workbook import moodle

                for v, doc in docs.items():
                    folder = stage / v if v else stage
                    folder.mkdir(parents=True, exist_ok=True)
                    (folder / "quiz.xml").write_text(moodle.quiz(doc), encoding="utf-8")
                    files[f"{v}/quiz.xml" if v else "quiz.xml"] = out_dir / (folder / "quiz.xml").relative_to(stage)
            (stage / "manifest.json").write_text(manifest(edition, docs), encoding="utf-8")
            files["manifest"] = out_dir / "manifest.json"
            (stage / MARKER).write_text(f"{MARKER_TEXT}digest {digest}\n")
    return BuildResult(out_dir=out_dir, files=files, problems=count, timings=timings, docs=docs)


def _prepare(documents: list[tuple[dict, tuple[str, ...]]], formats: tuple[str, ...], cache: Path, pool,
             timings: dict, template_dir: Path | None = None) -> None:
    """Draw every math expression and figure the documents show once, spread over the workers."""
    from workbook import render

    math: set = set()
    specs: dict = {}
    with _stage(timings, "collect"):
        for doc, names in documents:
            m, f = render.assets_used(doc, names, template_dir)
            math |= m
            specs.update(f)
    math_items, spec_items = sorted(math), [specs[k] for k in sorted(specs)]
    parts = 8 * pool.size  # small parts: the workers finish together
    start = time.perf_counter()
    for i in range(parts):
        if math_items[i::parts] or spec_items[i::parts]:
            pool.submit(("prepare", i), None, render.prepare_job, math_items[i::parts], spec_items[i::parts],
                        formats, cache)
    for outcome in pool.completed():
        if not outcome.ok:
            raise BuildError(f"could not draw the math and figures: {outcome.error}")
        _add_timings(timings, outcome.value)
    timings["prepare"] = timings.get("prepare", 0.0) + time.perf_counter() - start


# relative cost of laying out each document, a problem's worth: the heaviest are started first
WEIGHT = {"solutions": 4.0, "worksheet": 1.5, "practice": 2.0, "answers": 1.0, "teacher-key": 1.0}


def render_documents(edition: Edition, docs: dict[str, dict], names: tuple[str, ...], formats: tuple[str, ...],
                     stage: Path, cache: Path, pool, timings: dict, template_dir: Path | None = None) -> dict[str, Path]:
    """Every document of every copy (and the teacher's key), laid out in the pool's workers.

    With fewer copies than workers each document is its own task; otherwise each copy is one task
    (its documents share their math). Returns the files made, named as in BuildResult.files.
    """
    from workbook import render

    everything = [(doc, names) for doc in docs.values()]
    if len(docs) > 1:
        key = teacher_key(edition, docs)
        everything.append((key, ("teacher-key",)))
    _prepare(everything, formats, cache, pool, timings, template_dir)

    jobs = []
    media = [(m,) for m in ("pdf", "html") if m in formats]
    for v, doc in docs.items():
        folder = stage / v if v else stage
        size = sum(len(s["problems"]) + bool(s.get("example")) for s in doc["sections"])
        if len(docs) >= pool.size:  # one job a copy: its documents share their math
            jobs.append((size * sum(WEIGHT.get(n, 1.0) for n in names), v, doc, folder, names, formats))
        else:  # one job a document and a medium, the heaviest first
            jobs += [(size * WEIGHT.get(n, 1.0) * (1 if m == ("pdf",) else 0.1), v, doc, folder, (n,), m)
                     for n in names for m in media]
    if len(docs) > 1:
        size = sum(len(s["problems"]) for s in key["sections"])
        jobs.append((size * WEIGHT["teacher-key"], "", key, stage, ("teacher-key",), formats))
    jobs.sort(key=lambda job: -job[0])
    for i, (_, v, doc, folder, group, fmts) in enumerate(jobs):
        pool.submit(i, None, render.render_job, doc, folder, cache, fmts, group, template_dir)
    files = {}
    for outcome in pool.completed():
        _, v, _, _, group, _ = jobs[outcome.key]
        if not outcome.ok:
            what = ", ".join(group) + (f" of version {v}" if v else "")
            raise BuildError(f"could not render the {what}: {outcome.error}")
        made, spent = outcome.value
        files.update({f"{v}/{k}" if v else k: p for k, p in made.items()})
        _add_timings(timings, spent)
    return dict(sorted(files.items()))


def _add_timings(timings: dict[str, float], spent: dict[str, float]) -> None:
    """Add a worker's seconds by stage to the build's (so they are CPU-side sums, not wall-clock)."""
    for name, seconds in spent.items():
        timings[name] = timings.get(name, 0.0) + seconds


def fingerprint(docs: dict, names: tuple[str, ...], formats: tuple[str, ...],
                template_dir: Path | None = None) -> str:
    """What the output files depend on: the documents' data, the templates (a user's folder too),
    the versions of the tools."""
    from workbook.resources import templates_dir

    h = hashlib.sha256()
    h.update(json.dumps([docs, list(names), sorted(formats), __version__,
                         {n: _version(n) for n in DEPENDENCIES}], sort_keys=True, default=str).encode())
    for folder in [templates_dir()] + ([template_dir] if template_dir is not None else []):
        h.update(b"\0folder\0")
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                h.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
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


def generate_documents(edition: Edition, picked: list, bank: dict, copies: list[tuple[str, str, str]], *,
                       pool, budget: float | None = BUDGET, progress=None, shared: bool = True,
                       cache: DrawCache | None = None) -> dict[str, dict]:
    """Every copy's document: ``copies`` is (name, slot suffix, student) for each version or student.

    A copy's slots carry its suffix, so version A's problem 3 and version B's differ while the
    families and difficulties stay the same. With ``shared``, no problem repeats across the copies
    (versions); otherwise each copy is checked on its own (a student's sheet can be rebuilt alone).
    Each section's worked example is drawn once, the same in every copy.
    """
    slots = []
    for name, suffix, _ in copies:
        for section, families in zip(edition.sections, picked):
            for k in range(section.count):
                slot = f"{section.title}#{k}" + (f"@{suffix}" if suffix else "")
                slots.append(Slot(families[k % len(families)], slot, "edition" if shared else name))
    examples = [Slot(bank[s.example], f"{s.title}#example", None, counted=False)
                for s in edition.sections if s.example is not None]
    records = iter(draw(slots + examples, edition.seed, pool=pool, budget=budget, progress=progress, cache=cache))
    problems = [next(records) for _ in slots]
    example_of = {s.title: next(records) for s in edition.sections if s.example is not None}
    docs, at = {}, 0
    for name, suffix, student in copies:
        sections = []
        for section in edition.sections:
            mine, at = problems[at:at + section.count], at + section.count
            primer = [p.strip() for p in section.primer.split("\n\n") if p.strip()]
            example = dict(example_of[section.title]) if section.title in example_of else None
            sections.append({"title": section.title, "intro": [{"text": section.intro}] if section.intro else [],
                             "primer": primer, "example": example, "problems": mine})
        docs[name] = document(edition, sections, suffix if shared else "", student=student)
    return docs


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
    A folder that cannot be written (read-only, full, not a folder) is one clear BuildError.
    """
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        with _locked(out_dir.with_name(f".{out_dir.name}.lock")):
            yield from _staged(out_dir)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise BuildError(f"could not write the edition into {out_dir.parent}: {reason} ({exc.filename or out_dir}); "
                         "free some space or choose another --out folder; the previous edition is unchanged") from None


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


def _recover(out_dir: Path) -> None:
    """Tidy up after a build that was killed (we hold the lock: no other build is running).

    Its staging folder is removed. Killed in the instant between moving the previous edition
    aside and moving the new one in, it left the previous edition as ``.<name>.old-<pid>``:
    that is put back.
    """
    for leftover in sorted(out_dir.parent.glob(f".{out_dir.name}.staging-*")):
        if leftover.is_dir() and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
    for old in sorted(out_dir.parent.glob(f".{out_dir.name}.old-*")):
        if not old.is_dir() or old.is_symlink() or not (old / MARKER).is_file():
            continue
        if not out_dir.exists():
            os.replace(old, out_dir)
        else:
            shutil.rmtree(old, ignore_errors=True)


def _staged(out_dir: Path):
    """Yield a staging folder; on success it replaces out_dir, on failure it is removed."""
    _recover(out_dir)
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
        if child.is_dir() and not child.is_symlink() and (child / MARKER).is_file() or child.name == ".cache" and child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
            removed.append(child)
    return removed
