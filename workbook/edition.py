"""The edition file: a typed schema with a default and a one-line doc per field.

Every problem in the file is reported at once, each with the file and the key path.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from workbook.errors import InputError, as_seen, excerpt, printable, pydantic_lines, windows_device
from workbook.family import ONE_LINE, SLUG, SLUG_MOST, TITLE, Family, Title
from workbook.limits import MAX_DRAWN, MAX_PROBLEMS, MAX_VERSIONS
from workbook.resources import DEFAULT_EDITION, editions_dir
from workbook.userfiles import load_toml


class Section(BaseModel):
    """A run of problems under one heading."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "7" is no number, true no seed

    title: Title = Field(min_length=1, max_length=120, pattern=TITLE, description="The heading printed above the problems.")
    intro: str = Field("", max_length=1000, description="A sentence or two printed under the heading; math "
                                                       "between dollar signs, as in the primer.")
    families: list[str] = Field(default_factory=list, max_length=50,
                                description="Family ids to draw from, in turn (see `workbook list`).")
    topic: str | None = Field(None, pattern=SLUG,
                              description="Or: draw from every family of this topic (see `workbook list`).")
    difficulty: int | None = Field(None, ge=1, le=3,
                                   description="With `topic`: only families of this difficulty (1-3).")
    count: int = Field(4, ge=1, le=60, description="How many problems the section has.")
    points: StrictInt | None = Field(None, ge=0, le=100, description=(
        "Marks for each problem of the section, printed beside it on the sheet and in the key; left out, the key "
        "gives 2 for each star of a problem (stars follow the work) and the sheet prints none."))
    primer: str = Field("", max_length=3000, description="A short primer printed before the problems "
                                                        "(paragraphs separated by a blank line); math between dollar "
                                                        "signs, $f''$ or $2/f''$ ($$...$$ on a line of its own), is set as math (LaTeX), "
                                                        "with no space, rule or letter past 6em. A price such "
                                                        "as $5 stays text; \\\\$ in the file is a dollar sign.")
    example: str | None = Field(None, pattern=SLUG, description="A family id: one of its problems is printed "
                                                               "fully worked, with its diagram, before the practice.")
    reroll: list[StrictInt] = Field(
        default_factory=list, max_length=60,
        description="Positions in the section (1 for its first problem) to draw again, e.g. [3]: that problem is "
                    "replaced, the others stay. Give a position twice for the next draw after that.")

    @model_validator(mode="after")
    def _picks_something(self):
        if not self.families and self.topic is None:
            raise ValueError("a section needs `families` or `topic`")
        if self.families and self.topic is not None:
            raise ValueError("give `families` or `topic`, not both")
        if self.difficulty is not None and self.topic is None:
            raise ValueError("`difficulty` filters a `topic`; with `families` pick the ids you want")
        outside = [k for k in self.reroll if not 1 <= k <= self.count]
        if outside:
            raise ValueError(f"reroll: {outside[0]} is not a position in the section (1 to {self.count})")
        return self




def version_label(index: int) -> str:
    """A, B, ... Z, then AA, AB ...: the letter printed on version ``index`` (from 0)."""
    label = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        label = chr(ord("A") + rest) + label
    return label


class PageOptions(BaseModel):
    """How the printed pages look."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "7" is no number, true no seed

    key: Literal["separate", "end", "none"] = Field(
        "separate", description="The answer key as its own document, at the end of the worksheet, or not at all.")
    solutions: bool = Field(True, description="Write the solutions book.")
    cover: bool = Field(True, description="Open the worksheet and the solutions with a cover page, the contents and the table of derivatives the solutions quote.")
    work_space: Literal["blank", "lines", "grid"] = Field("lines", description="The space under each problem.")
    work_height: StrictFloat | None = Field(None, ge=0, le=20, description=(
        "Its height in centimetres (0 for none); left out, each problem's is sized from its worked solution: "
        "0.75 cm a line of working (a line for each row of a matrix written out), from 3 to 18 cm."))
    font_size: StrictFloat = Field(11, ge=8, le=16, description="Body text size in points.")
    labels: bool = Field(True, description="Print each problem's family title and difficulty stars beside it on "
                                           "the worksheet; false for a quiz, where they would name the method (the key "
                                           "and the solutions keep them).")


class Edition(BaseModel):
    """One workbook: its title, its seed and its sections."""

    model_config = ConfigDict(extra="forbid", strict=True)  # "7" is no number, true no seed

    title: Title = Field(min_length=1, max_length=120, pattern=TITLE, description="The title on every page.")
    subtitle: str = Field("", max_length=200, pattern=ONE_LINE, description="A line under the title on the first page.")
    slug: str | None = Field(None, pattern=SLUG,
                             description="The output folder name under build/; made from the title if left out. "
                                         "Not a name Windows keeps for a device (con, nul, com1 ...).")
    seed: int = Field(2026, ge=0, le=2**53, description="The seed: the same seed gives the same workbook.")
    paper: Literal["A4", "Letter"] = Field("A4", description="Paper size of the PDFs.")
    date: str = Field("", max_length=40, pattern=ONE_LINE, description="The edition's date as printed on the cover, e.g. 2026-09-01.")
    page: PageOptions = Field(default_factory=PageOptions, description="Page options (a [page] table).")
    versions: StrictInt = Field(1, ge=1, le=MAX_VERSIONS, description="Parallel versions A, B, C ... (after Z: AA, AB ...): the same families and "
                                                      "difficulties, different draws, and one teacher's key.")
    sections: list[Section] = Field(min_length=1, max_length=60, description="The sections, in order.")
    templates: str | None = Field(
        None, max_length=300,
        description="A folder of templates searched before the built-in ones, inside the edition file's folder, "
                    "e.g. \"my-templates\" (--templates names one elsewhere): a file there (print.css, partials/problem.html ...) replaces the "
                    "built-in one of the same name; the rest stay as they are.")
    bank: list[str] = Field(
        [], max_length=8,
        description="Folders of the edition's own problem families, inside the edition file's folder, e.g. "
                    "[\"families\"]: read as if given with --bank, so the edition file alone rebuilds the book.")
    path: str = Field("", exclude=True, description="Where the edition was read from (set by the loader).")
    rebuild: str = Field("", exclude=True, description="The command printed on every page to build it again (set by the builder).")

    @field_validator("slug")
    @classmethod
    def _not_a_device(cls, slug: str | None) -> str | None:
        """A folder named con, nul or com1 cannot be made on Windows (nor copied there): refused, as a roster id is."""
        if slug is not None and windows_device(slug):
            raise ValueError("a device name on Windows, where no folder can have it; give the edition another slug")
        return slug

    @model_validator(mode="after")
    def _titles_differ(self):
        """A section's problems and worked example are drawn from seeds named by its title (so that
        reordering sections changes nothing); two sections with one title would print the same ones."""
        seen: dict[str, int] = {}
        for i, section in enumerate(self.sections):
            # as the page shows them: "\u200b" and "\u200b\u200b", "Chain" and "Chain\u200b" (attack62 F2)
            if (shown := as_seen(section.title)) in seen:
                raise ValueError(f"sections[{i}].title: {section.title[:40]!r} is already the title of "
                                 f"sections[{seen[shown]}]; give each section its own title")
            seen[shown] = i
        if self.problem_count() > MAX_PROBLEMS:
            raise ValueError(f"sections: {self.problem_count()} problems in all; an edition has at most {MAX_PROBLEMS} "
                             "(lower the counts, or make two editions)")
        if self.problem_count() * self.versions > MAX_DRAWN:
            raise ValueError(f"versions: {self.versions} versions of {self.problem_count()} problems is "
                             f"{self.problem_count() * self.versions}; at most {MAX_DRAWN} are built at once")
        return self

    def problem_count(self) -> int:
        """How many problems one copy of the edition has."""
        return sum(s.count for s in self.sections)

    def template_folder(self) -> Path | None:
        """The edition's own template folder, resolved against the folder the edition file is in (the
        real one: an edition reached through a link names folders beside the file, as it was checked)."""
        if self.templates is None:
            return None
        return (Path(self.path).resolve().parent / self.templates).resolve()

    def bank_folders(self) -> list[Path]:
        """The edition's own bank folders, resolved against the folder the edition file is in (the real one)."""
        return [(Path(self.path).resolve().parent / folder).resolve() for folder in self.bank]

    def output_slug(self) -> str:
        """The folder name under build/."""
        if self.slug:
            return self.slug
        # letters with accents lose them (Dérivées: derivees); a letter of another script has no Latin name,
        # so a title holding one gets its own hash too ("Аlgebra" with a Cyrillic А is not "lgebra")
        latin = "".join(c for c in unicodedata.normalize("NFKD", self.title) if not unicodedata.combining(c))
        slug = re.sub(r"[^a-z0-9]+", "-", latin.lower()).strip("-")[:48]
        foreign = any(c.isalpha() and not c.isascii() for c in latin)
        if re.search(r"[a-z]", slug) and not foreign and not windows_device(slug):
            return slug
        if re.search(r"[a-z]", slug):  # with its title's hash: "Nul" builds into nul-<hash>, a folder Windows can make
            return f"{slug[:39].rstrip('-')}-{hashlib.sha256(self.title.encode()).hexdigest()[:8]}"
        # a title in another script (or of digits only) has no Latin words to name it by: its own hash keeps two
        # such editions in folders of their own
        return f"edition-{hashlib.sha256(self.title.encode()).hexdigest()[:8]}"


def default_path() -> Path:
    """The edition `workbook build` builds when given no file."""
    return editions_dir() / DEFAULT_EDITION


@dataclass(frozen=True)
class Heading:
    """What a document shows about its edition on every page, typed for the templates. It is made
    from the plain record a document carries (workbook.documents.document), the page options'
    defaults coming from PageOptions: defined there once."""

    title: str
    slug: str
    seed: int
    workbook_version: str
    page: PageOptions
    subtitle: str = Edition.model_fields["subtitle"].default
    paper: str = Edition.model_fields["paper"].default
    date: str = Edition.model_fields["date"].default
    version: str = ""  # A, B ... of parallel versions
    student: str = ""  # the student's name on a roster's sheet
    rebuild: str = ""  # the command that builds this document again
    copies: int = 0  # in a teacher key, the versions or students it holds
    copy_name: str = ""  # "version" or "student"

    @classmethod
    def of(cls, record: dict) -> Heading:
        known = {f.name for f in fields(cls)} - {"page"}
        return cls(**{k: v for k, v in record.items() if k in known},
                   page=PageOptions.model_construct(**record.get("page", {})))  # checked when the edition was read


def load_edition(path: Path, overrides: dict | None = None) -> Edition:
    """Read and check an edition file; raise InputError listing every problem in it."""
    data = load_toml(path, "edition file")
    own = data.get("templates")
    if isinstance(own, str) and not own.strip():  # "" is the edition's own folder, which "." may not be (attack53 F8)
        raise InputError([(f"{printable(str(path))}: templates: it is empty: name a folder inside the edition file's "
                          "folder (such as \"my-templates\"), or remove the key")])
    if isinstance(own, str) and not _beside(path, own, itself=False):
        raise InputError([(f"{printable(str(path))}: templates: {excerpt(own)} must be a folder inside the edition "
                          "file's folder, not that folder itself (a relative path such as \"my-templates\", no ..); "
                          "use --templates for a folder elsewhere")])
    banks = data.get("bank")
    for i, folder in enumerate(banks if isinstance(banks, list) else []):
        if isinstance(folder, str) and not folder.strip():
            raise InputError([(f"{printable(str(path))}: bank[{i}]: it is empty: name a folder beside the edition "
                              "file (\".\" for the edition's own folder), or remove it from the list")])
        if isinstance(folder, str) and not _beside(path, folder):
            raise InputError([(f"{printable(str(path))}: bank[{i}]: {excerpt(folder)} must be a folder inside the "
                              "edition file's folder (a relative path, no ..); use --bank for a folder elsewhere")])
    data.update(overrides or {})
    try:
        edition = Edition.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_lines(path, exc)) from None
    edition.path = str(path)
    folder = edition.template_folder()
    if folder is not None and not folder.is_dir():
        raise InputError([(f"{path}: templates: {excerpt(edition.templates)} is not a folder beside the edition file "
                          f"({folder}); create it or remove the key")])
    for i, (name, folder) in enumerate(zip(edition.bank, edition.bank_folders())):
        if not folder.is_dir():
            raise InputError([(f"{printable(str(path))}: bank[{i}]: {excerpt(name)} is not a folder beside the "
                              "edition file; create it or remove it from the list")])
    return edition


def _beside(edition: Path, folder: str, itself: bool = True) -> bool:
    """Whether folder, relative to the edition file's folder, stays inside it (links followed); with ``itself``
    False, a folder of its own inside it, not that folder itself ("." made every file beside the edition,
    a user's Downloads, a template to include: attack33 F9)."""
    home = edition.resolve().parent
    there = (home / folder).resolve()
    return not Path(folder).is_absolute() and there.is_relative_to(home) and (itself or there != home)


UNKNOWN_HINT = ("`workbook list` shows the families; one of your own needs its folder, with --bank FOLDER or "
                "bank = [\"FOLDER\"] in the edition")


def did_you_mean(name: object, bank: dict) -> str:
    """ "did you mean 'my-neuron-slope'? " for a family id a letter or two off one of the bank's (user49 F11), else ""."""
    import difflib

    if not isinstance(name, str) or len(name) > 100:
        return ""
    plain = name.strip().lower().removesuffix(".toml")  # Exp-Log, exp-log.toml (attack51 F11)
    close = [plain] if plain in bank else difflib.get_close_matches(plain, list(bank), n=1, cutoff=0.8)
    return f"did you mean {close[0]!r}? " if close else ""


def pick_families(edition: Edition, bank: dict[str, Family]) -> list[list[Family]]:
    """The families each section draws from, in order; every unknown name reported at once."""
    problems, picked = [], []
    topics = sorted({f.topic for f in bank.values()})
    for i, section in enumerate(edition.sections):
        if section.example is not None and section.example not in bank:
            problems.append(f"{edition.path}: sections[{i}].example: unknown family {excerpt(section.example)}; "
                            f"{did_you_mean(section.example, bank)}{UNKNOWN_HINT}")
        if section.families:
            chosen = []
            for j, fid in enumerate(section.families):
                if fid in bank:
                    chosen.append(bank[fid])
                else:
                    problems.append(f"{edition.path}: sections[{i}].families[{j}]: unknown family {excerpt(fid)}; "
                                    f"{did_you_mean(fid, bank)}{UNKNOWN_HINT}")
        else:
            chosen = [f for f in bank.values() if f.topic == section.topic
                      and (section.difficulty is None or f.difficulty == section.difficulty)]
            chosen.sort(key=lambda f: (f.difficulty, f.id))
            if not chosen:
                levels = sorted({f.difficulty for f in bank.values() if f.topic == section.topic})
                if levels:  # the topic is there, not at this difficulty
                    have = ", ".join(map(str, levels))
                    problems.append(f"{edition.path}: sections[{i}].difficulty: topic {section.topic!r} has no family "
                                    f"at difficulty {section.difficulty}; its difficulties are {have}")
                else:
                    problems.append(f"{edition.path}: sections[{i}].topic: no family has topic {excerpt(section.topic)}; "
                                    f"the topics are: {', '.join(topics)}")
        picked.append(chosen)
    if problems:
        raise InputError(problems)
    return picked


def practice_edition(topic: str, count: int, difficulty: int | None, seed: int, paper: str = "A4") -> Edition:
    """The edition behind `workbook practice`: one section of one topic."""
    level = f" (difficulty {difficulty})" if difficulty else ""
    name = topic.replace("-", " ")
    # the topic is cut, never the difficulty or the seed: two sets differing in those get folders of their own
    # (cut to what the slug's 48 characters leave: a 37-character topic and a 16-digit seed were refused,
    # blaming a "slug" the user never gave: attack23)
    rest = f"-{difficulty or 'all'}-{seed}"
    room = max(1, min(24, SLUG_MOST - len("practice-") - len(rest)))
    cut = topic[:room].rstrip("-")
    if len(topic) > room:  # two topics alike in their first 24 characters shared a folder, the second set replacing
        import hashlib  # the first without a word (attack33 F10): a cut topic carries a digest of the whole

        cut = topic[:max(1, room - 9)].rstrip("-") + "-" + hashlib.sha256(topic.encode()).hexdigest()[:8]
    slug = re.sub(r"[^a-z0-9-]+", "-", f"practice-{cut}{rest}".lower())
    # (with the answers and worked solutions, not "at the back": on the page each is under its own problem: read48)
    data = {"title": f"Practice: {name}", "paper": paper, "subtitle": f"{count} problems{level}, with answers and "
                                                      "worked solutions", "slug": slug, "seed": seed,
            "sections": [{"title": name.capitalize() + level, "topic": topic, "count": count,
                          **({"difficulty": difficulty} if difficulty else {})}]}
    try:
        edition = Edition.model_validate(data)
    except ValidationError as exc:
        raise InputError(pydantic_lines("practice", exc)) from None
    edition.path = "practice"
    return edition
