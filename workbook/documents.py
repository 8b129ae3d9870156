"""The documents: what the templates are handed for each copy (a version or a student), the
teacher's key across copies, and manifest.json.

Each document is plain data, ``{"edition": head, "sections": [...]}``, with each section's primer,
worked example and numbered problems (the records the scheduler drew).
"""

from __future__ import annotations

import json
from pathlib import Path

from workbook import __version__, segments
from workbook.areas import Copy
from workbook.edition import Edition
from workbook.resources import DEPENDENCIES, dependency_version
from workbook.scheduler import BUDGET, DrawCache, Slot, draw

FIRST = "\0first"  # the sheet drawn for a roster's sake alone, whose stars its students' sheets keep


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
        label = f"{who} ({v.split('/')[-1]})" if who else f"Version {doc['edition']['version']}"
        sections += [{**section, "title": f"{label} · {section['title']}", "copy": v} for section in doc["sections"]]
    first, last = (docs[v]["edition"] for v in (next(iter(docs)), list(docs)[-1]))
    rosters = sorted({v["edition"]["roster"] for v in docs.values() if v["edition"].get("roster")})
    # a class built from several rosters has no one command: the first, and the others counted (user50 F5: the key
    # named a one-row roster that had corrected a name, which built again gives a class of one)
    more = f" (and {len(rosters) - 1} more roster{'s' * (len(rosters) > 2)}: each student's sheet names its own)" \
        if len(rosters) > 1 else ""
    head = {**first, "student": "", "version": "" if first.get("student") else f"{first['version']}–{last['version']}",
            "copies": len(docs), "copy_name": "student" if first.get("student") else "version",
            "rebuild": rebuild_of(edition) + "".join(f" --roster {r}" for r in rosters[:1]) + more}
    return {"edition": head, "sections": sections}


def generate_documents(edition: Edition, picked: list, bank: dict, copies: list[Copy], *,
                       pool, budget: float | None = BUDGET, progress=None, shared: bool = True,
                       cache: DrawCache | None = None) -> dict[str, dict]:
    """Every copy's document, by its folder: each version's or student's, or the edition's own.

    A copy's slots carry its suffix, so version A's problem 3 and version B's differ while the
    families and difficulties stay the same. With ``shared``, no problem repeats across the copies
    (versions); otherwise each copy is checked on its own (a student's sheet can be rebuilt alone).
    Each section's worked example is drawn once, the same in every copy.
    """
    slots = []
    # every copy's draw at a place has the stars of the draw without a suffix there (version A's): a roster's
    # students all have one, so the edition's own sheet is drawn first for them, and not printed (the same for a
    # student rebuilt alone as in the whole roster's build)
    first = [] if any(not copy.suffix for copy in copies) else [Copy(FIRST, "")]
    for copy in first + copies:
        for index, (section, families) in enumerate(zip(edition.sections, picked)):
            for k in range(section.count):
                again = section.reroll.count(k + 1)  # drawn again: a seed of its own, the others unchanged
                place = f"{section.title}#{k}" + (f"~{again}" if again else "")
                slot = place + (f"@{copy.suffix}" if copy.suffix else "")
                own = families[k % len(families)]
                slots.append(Slot(own, slot, "edition" if shared else copy.folder, sheet=copy.folder,
                                  alternates=tuple(f for f in families if f.id != own.id), place=place,
                                  counted=copy.folder != FIRST, section=index, same_form=shared))
    examples = [Slot(bank[s.example], f"{s.title}#example", None, counted=False, example=True, section=index)
                for index, s in enumerate(edition.sections) if s.example is not None]
    # the examples first: a sheet's problems keep clear of them
    records = iter(draw(examples + slots, edition.seed, pool=pool, budget=budget, progress=progress, cache=cache))
    example_of = {s.title: next(records) for s in edition.sections if s.example is not None}
    problems = [next(records) for _ in slots]
    docs, at = {}, sum(section.count for section in edition.sections) * len(first)
    for copy in copies:
        sections = []
        for section in edition.sections:
            mine, at = problems[at:at + section.count], at + section.count
            primer = [p.strip() for p in section.primer.split("\n\n") if p.strip()]
            example = dict(example_of[section.title]) if section.title in example_of else None
            sections.append({"title": section.title, "intro": segments.prose(section.intro) if section.intro else [],
                             "primer": primer, "example": example, "problems": mine, "points": section.points})
        docs[copy.folder] = document(edition, sections, copy.version, student=copy.student, roster=copy.roster,
                                     rebuild=f" --roster {copy.roster}" * bool(copy.roster) + f" --student {copy.id}"
                                     * bool(copy.id))
    return docs


def document(edition: Edition, sections: list[dict], version: str = "", student: str = "",
             rebuild: str = "", roster: str = "") -> dict:
    """The plain data the templates render: the edition's header and numbered problems."""
    number = 0
    for section in sections:
        for problem in section["problems"]:
            number += 1
            problem["number"] = number
    head = {"title": edition.title, "subtitle": edition.subtitle, "slug": edition.output_slug(),
            "seed": edition.seed, "version": version, "paper": edition.paper, "workbook_version": __version__,
            "date": edition.date, "page": edition.page.model_dump(), "student": student,
            "rebuild": rebuild_of(edition) + rebuild, "roster": roster}
    return {"edition": head, "sections": sections}


def rebuild_of(edition: Edition) -> str:
    """The command printed on its pages that builds the edition again."""
    return edition.rebuild or f"workbook build --seed {edition.seed}"


def manifest(edition: Edition, docs: dict[str, dict], area: str = "", record: dict | None = None) -> str:
    """manifest.json: the edition, the versions used, and each problem with its claims record; for an
    area, each copy's ``version`` is its folder there ("B", "s01"), and ``record`` what the next build reads."""
    problems = []
    for folder, doc in docs.items():
        version = folder.removeprefix(f"{area}/") if area else folder
        for section in doc["sections"]:
            examples = [{**section["example"], "number": "example"}] if section.get("example") else []
            for p in examples + section["problems"]:
                problems.append({
                "version": version, "number": p["number"], "section": section["title"], "family": p["family"],
                "kind": p["kind"],
                "seed": p["seed"], "slot": p["slot"], "attempt": p["attempt"], "params": p["params"],
                "prompt": p["prompt"], "answer": p["answer"], "claims": p["claims"], "verified": p["verified"],
                # a version's draw held to version A's form: drawn again as generate_one(family, seed, form)
                **({"form": p["form"]} if p.get("held_form") else {}),
                })
    data = {
        "workbook": __version__,
        "dependencies": {name: dependency_version(name) for name in DEPENDENCIES},
        "edition": {**next(iter(docs.values()))["edition"], "version": "", "student": "",
                    "rebuild": rebuild_of(edition),
                    "versions": [d["edition"]["version"] for d in docs.values() if d["edition"]["version"]],
                    "file": Path(edition.path).name},
        "problems": problems,
        **(record or {}),
    }
    return json.dumps(data, indent=1, ensure_ascii=False, sort_keys=False) + "\n"

