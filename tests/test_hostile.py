"""Hostile input, second round: files, folders and caches from a stranger.

Every case runs the real command line in a fresh process and asserts what the README promises about
a file from someone else: bad input gets exit 2 and one clear line (no traceback); no code runs (a
marker file never appears); nothing outside is read (a canary's text never reaches any output);
nothing outside the build folder is written or removed; the previous edition stays byte for byte;
and nothing hangs (every run has a timeout).
"""

from __future__ import annotations

import contextlib
import json
import marshal
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import sympy
import sympy as sp

from tests.test_faults import snapshot

ROOT = Path(__file__).resolve().parents[1]
CANARY = "CANARY-7f3a9c"  # the text of every file outside that nothing may read
EDITION = """
title = "Hostile"
slug = "hostile"
seed = 3

[[sections]]
title = "One"
families = ["tangent-line"]
count = 1
"""


@pytest.fixture(scope="module")
def key_home(tmp_path_factory) -> Path:
    """This user's cache-key folder for the tests (XDG_CACHE_HOME), outside every test's own folder."""
    return tmp_path_factory.mktemp("xdg-cache")


@pytest.fixture(scope="module")
def last_week(tmp_path_factory, key_home) -> Path:
    """The hostile edition built once, to stand in each test's build folder as last week's edition."""
    root = tmp_path_factory.mktemp("last-week")
    Place(root, key_home).build("-q", "--format", "html", "--format", "pdf")
    return root / "build"


@pytest.fixture
def place(tmp_path, key_home, last_week):
    """A working folder: an edition, last week's build of it, a canary outside the build folder, and a
    way to run workbook. ``refused`` checks that a refused run changed nothing here (but the cache)."""
    place = Place(tmp_path, key_home)
    shutil.copytree(last_week, place.out, symlinks=True)
    return place


@pytest.fixture
def bare(tmp_path, key_home):
    """A working folder with no build folder yet."""
    return Place(tmp_path, key_home)


class Place:
    def __init__(self, root: Path, key_home: Path):
        self.root, self.key_home = root, key_home
        self.out = root / "build"
        self.edition = root / "hostile.toml"
        self.edition.write_text(EDITION, encoding="utf-8")
        self.outside = root / "outside"
        self.outside.mkdir()
        (self.outside / "secret.txt").write_text(CANARY, encoding="utf-8")
        self.marker = root / "code-ran"
        self.bank = root / "bank"
        self.bank.mkdir()

    def run(self, *args, timeout: float = 180, env: dict | None = None, stdin: bytes | None = None,
            umask: int | None = None):
        code = "import sys; from workbook.cli import main; sys.exit(main())"
        before = self.state()
        started = time.monotonic()
        result = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, cwd=self.root,
                                timeout=timeout, input=stdin, check=False,
                                preexec_fn=None if umask is None else (lambda: os.umask(umask)),
                                env={**os.environ, "XDG_CACHE_HOME": str(self.key_home), **(env or {})})
        result.seconds = time.monotonic() - started
        result.out_text = result.stdout.decode("utf-8", "replace")
        result.err_text = result.stderr.decode("utf-8", "replace")
        after = self.state()
        result.changed = sorted(p for p in before.keys() | after.keys() if before.get(p) != after.get(p))
        return result

    def state(self) -> dict[str, object]:
        """Every file and link under the test's folder, by content (a link by where it points), but the
        content cache and the lock file, which a refused build may have used: links not followed."""
        found: dict[str, object] = {}
        for folder, dirs, files in os.walk(self.root):
            for name in dirs + files:
                path = Path(folder, name)
                key = path.relative_to(self.root).as_posix()
                if key.startswith(("build/.cache", "build/.hostile.lock")):
                    continue
                if path.is_symlink():
                    found[key] = "-> " + os.readlink(path)
                elif path.is_file():
                    found[key] = path.read_bytes()
        return found

    def build(self, *args, **kwargs):
        return self.run("build", self.edition, "--out", self.out, *args, **kwargs)

    def outside_state(self) -> dict:
        """Every file under the test's folder that is not in the build folder."""
        return {p: b for p, b in snapshot(self.root).items() if not p.startswith("build/")}

    def family(self, name: str, text: str) -> Path:
        path = self.bank / name
        path.write_text(text, encoding="utf-8")
        return path

    def templates(self, worksheet: str) -> Path:
        """A template folder of the test's own holding only this worksheet.html."""
        look = self.root / "look"
        look.mkdir()
        (look / "worksheet.html").write_text(worksheet)
        return look

    def outputs(self) -> str:
        return "\n".join(p.read_text("utf-8", "replace") for p in self.out.rglob("*")
                         if p.is_file() and p.suffix in (".html", ".json", ".xml"))


def refused(result, *fragments: str) -> None:
    """Exit 2, one line on stderr starting with error:, naming what it should, and no traceback."""
    lines = result.err_text.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.err_text[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err_text[-2000:]
    assert "Traceback" not in result.err_text and len(lines[0]) < 600, lines[0][:600]
    assert "\x1b" not in result.err_text and "\u202e" not in result.err_text
    for fragment in fragments:
        assert fragment in lines[0], lines[0]
    assert result.changed == [], f"a refused run changed {result.changed[:5]}"  # last week's edition too


def one_problem_of(place, family_id: str) -> None:
    """The test's edition: one section, one problem of the family."""
    place.edition.write_text(f'title = "T"\nslug = "hostile"\nseed = 1\n[[sections]]\ntitle = "S"\n'
                             f'families = ["{family_id}"]\ncount = 1\n', encoding="utf-8")


def family_text(source: str, **changes: str) -> str:
    """A built-in family file, renamed to id `theirs`, with some lines replaced."""
    text = (ROOT / "problems" / f"{source}.toml").read_text(encoding="utf-8")
    text = text.replace(f'id = "{source}"', 'id = "theirs"')
    for old, new in changes.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def edition_with(family: str) -> str:
    return EDITION.replace('families = ["tangent-line"]', f'families = ["{family}"]')


# ---------------------------------------------------------------- the cache is data, never code


def cache_entries(place: Place, kind: str) -> list[Path]:
    return sorted((place.out / ".cache" / kind).glob("*.*"))


def plant(path: Path, payload: bytes) -> None:
    """Replace a cache entry: once as the bare payload, and keep the name, as a stranger would."""
    path.write_bytes(payload)


def test_compiled_templates_planted_in_the_cache_never_run(place):
    assert place.build("-q", "--format", "html").returncode == 0
    entries = cache_entries(place, "templates")
    assert entries, "the build keeps its compiled templates in the cache"
    code = compile(f"open({str(place.marker)!r}, 'w').write('ran')", "<planted>", "exec")
    from jinja2.bccache import bc_magic

    for i, entry in enumerate(entries):
        bucket = bc_magic + b"\x80\x04\x95" + marshal.dumps(code)  # roughly Jinja's own layout
        kept = entry.read_bytes()
        # a bare Jinja bucket, then one dressed in our header with a signature that is not ours
        plant(entry, bucket if i % 2 == 0 else kept[:17] + os.urandom(32) + marshal.dumps(code))
    for old in ("__jinja2_x.cache",):
        (entry.parent / old).write_bytes(bc_magic + marshal.dumps(code))
    result = place.build("-q", "--format", "html", "--seed", "4")
    assert result.returncode == 0, result.err_text
    assert not place.marker.exists()
    assert (place.out / "hostile" / "worksheet.html").is_file()


def test_a_planted_figure_or_draw_is_not_used(place):
    assert place.build("-q", "--format", "html").returncode == 0
    honest = json.loads((place.out / "hostile" / "manifest.json").read_text())
    figures = cache_entries(place, "figures")
    draws = cache_entries(place, "draws")
    assert figures and draws
    for path in figures:
        plant(path, b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert("planted")</script></svg>')
    for path in draws:
        record = {"record": {**honest["problems"][0], "answer": [{"text": "PLANTED ANSWER"}]}}
        plant(path, json.dumps(record).encode())
    shutil.rmtree(place.out / "hostile")  # the edition gone, the cache kept: everything is read back
    result = place.build("-q", "--format", "html")
    assert result.returncode == 0, result.err_text
    text = place.outputs()
    assert "planted" not in text and "PLANTED ANSWER" not in text and "<script" not in text
    assert json.loads((place.out / "hostile" / "manifest.json").read_text())["problems"] == honest["problems"]


def test_a_cache_copied_from_someone_else_is_not_trusted(place, tmp_path_factory):
    """A build folder shipped in a repository: entries signed with someone else's key are made again,
    and its marker does not pass the edition off as up to date."""
    assert place.build("-q", "--format", "html").returncode == 0
    html = (place.out / "hostile" / "worksheet.html")
    html.write_text(html.read_text().replace("Hostile", "Tampered"))
    stranger = tmp_path_factory.mktemp("stranger-key")
    result = place.build("--format", "html", env={"XDG_CACHE_HOME": str(stranger)})
    assert result.returncode == 0 and "up to date" not in result.out_text, result.out_text
    assert "Tampered" not in html.read_text()


def test_a_cache_folder_that_is_a_link_or_unmarked_is_not_used(place):
    elsewhere = place.outside / "cache"
    elsewhere.mkdir()
    shutil.rmtree(place.out / ".cache")
    (place.out / ".cache").symlink_to(elsewhere, target_is_directory=True)
    before = place.outside_state()
    result = place.build("--format", "html")
    assert result.returncode == 0, result.err_text
    assert "not made by workbook" in result.err_text and "without the cache" in result.err_text
    assert place.outside_state() == before and not any(elsewhere.iterdir())
    # an unmarked .cache of the user's own (say --out is their home folder) is left alone too
    (place.out / ".cache").unlink()
    (place.out / ".cache").mkdir()
    (place.out / ".cache" / "mine.txt").write_text("my own cache")
    result = place.build("--format", "html", "--seed", "5")
    assert result.returncode == 0 and sorted(p.name for p in (place.out / ".cache").iterdir()) == ["mine.txt"]


def test_a_cache_entry_that_is_a_link_out_is_not_read(place):
    assert place.build("-q", "--format", "html").returncode == 0
    for path in cache_entries(place, "figures") + cache_entries(place, "draws"):
        path.unlink()
        path.symlink_to(place.outside / "secret.txt")
    shutil.rmtree(place.out / "hostile")
    result = place.build("-q", "--format", "html")
    assert result.returncode == 0, result.err_text
    assert CANARY not in place.outputs()
    assert (place.outside / "secret.txt").read_text() == CANARY


# ---------------------------------------------------------------- markup from a bank


@pytest.mark.parametrize("source, changes, where", [
    ("backprop-neuron", {'x = "x0"': '"\\\\text{<script>alert(1)</script>}" = "x0"',
                         '["u", "mul", "w", "x"]': '["u", "mul", "w", "\\\\text{<script>alert(1)</script>}"]'},
     "leaves"),
    ("gradient-at-point", {'variables = ["x", "y"]': 'variables = ["x", "y<z"]'}, "variables[1]"),
    ("power-polynomial", {'id = "theirs"': 'id = "theirs"\nvariable = "<b>x</b>"'}, "variable"),
])
def test_a_name_that_is_not_a_name_is_refused(place, source, changes, where):
    place.family("theirs.toml", family_text(source, **changes))
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    result = place.build("--bank", place.bank)
    refused(result, "theirs.toml", where)
    assert not place.out.exists() or "<script" not in place.outputs()


def test_markup_in_titles_and_text_is_shown_never_run(place):
    place.family("theirs.toml", family_text(
        "derivative-at-point", **{'title = "The derivative at a point"': 'title = "<script>alert(1)</script>"',
                                  'description = "': 'description = "<img src=x onerror=alert(1)> '}))
    place.edition.write_text(edition_with("theirs").replace('title = "One"', 'title = "<b onclick=x>One</b>"')
                             + 'intro = "<iframe src=javascript:alert(1)>"\n', encoding="utf-8")
    result = place.build("--bank", place.bank, "-q", "--format", "html", "--format", "moodle")
    assert result.returncode == 0, result.err_text
    import xml.etree.ElementTree as ET

    pages = [p.read_text() for p in place.out.rglob("*.html")]
    quiz = ET.parse(place.out / "hostile" / "quiz.xml")  # well-formed, and its HTML fields are HTML
    pages += [t.findtext("text") or "" for t in quiz.iter() if t.get("format") == "html"]  # Moodle shows these as HTML
    assert len(pages) > 3
    for live in ("<script", "<b onclick", "<iframe", "<img src=x"):
        assert not any(live in page for page in pages), live


def test_math_never_makes_markup_or_links():
    from workbook import mathtex

    shown = mathtex.to_mathml(r"\text{<script>alert(1)</script>} + \mathrm{<b>}")
    assert "<script" not in shown and "&lt;script&gt;" in shown
    svg = mathtex.to_svg(r"\text{<script>a</script>} x").svg
    assert "<script" not in svg
    for latex in (r"\href{javascript:alert(1)}{x}", r"\style{color:red}{x}", r"\class{a}{x}"):
        with pytest.raises(mathtex.MathError):
            mathtex.to_mathml(latex)



@pytest.mark.parametrize("latex", [r"\rule{1000cm}{1000cm}", r"\rule{99999999999999999999999999cm}{1cm}",
                                   r"\rule{nan cm}{inf cm}", r"\hspace{10cm} x", r"\mathrm{\kern9cm}", r"\hskip 3in",
                                   r"\color{white} x", r"\textcolor{#fefefe}{x}", r"\color{ghostwhite} x",
                                   r"\colorbox{black}{x}", r"\colorbox{#101010}{x}",
                                   r"\Huge{\Huge{\Huge{\Huge x}}}"])  # (sizes inside sizes: attack58 F6)
def test_math_cannot_fill_the_page_or_hide_its_text(latex):
    # attack57 F1: \rule{1000cm}{1000cm} in a primer made a five-page sheet of black, \color{white} hid its words
    from workbook import mathtex

    with pytest.raises(mathtex.MathError):
        mathtex.to_mathml(latex)


@pytest.mark.parametrize("latex", [r"a \qquad b", r"\hspace{1cm} x", r"\rule{2cm}{0.4pt}", r"\color{blue} x",
                                   r"\textcolor{#1f5fa0}{x}", r"\colorbox{yellow}{x}", r"\Huge x", r"\!\! x"])
def test_math_keeps_its_ordinary_spaces_sizes_and_colours(latex):
    from workbook import mathtex

    assert "<math" in mathtex.to_mathml(latex)


def test_a_primer_rule_the_size_of_the_page_is_one_line_and_the_edition_left_alone(place):
    place.edition.write_text(EDITION.replace('count = 1', 'count = 1\nprimer = "Before $\\\\rule{1000cm}{1000cm}$ after"'),
                             encoding="utf-8")
    refused(place.build(timeout=60), "sections[0].primer", "1000cm", "make it smaller")
    # and rules each under the limit, many together: 120 of 5.9em blackened three pages (attack58 F6)
    many = " ".join([r"$\\rule{5.9em}{5.9em}$"] * 12)
    place.edition.write_text(EDITION.replace('count = 1', f'count = 1\nprimer = "{many}"'), encoding="utf-8")
    refused(place.build(timeout=60), "sections[0].primer", "square em in all")


# ---------------------------------------------------------------- folders that are not ours


def test_an_edition_named_after_a_strangers_folder_leaves_it_alone(bare):
    place = bare
    theirs = place.out / "hostile"
    theirs.mkdir(parents=True)
    (theirs / "notes.txt").write_text("a teacher's own notes")
    before = snapshot(place.root)
    result = place.build()
    refused(result, "not made by workbook")
    assert snapshot(place.root) == before


def test_clean_removes_only_what_workbook_made(place):
    home = place.root / "home"
    (home / ".cache").mkdir(parents=True)
    (home / ".cache" / "pip.txt").write_text("the user's own cache")
    (home / ".hostile.staging-x").mkdir()
    (home / ".hostile.staging-x" / "mine.txt").write_text("not a staging folder of ours")
    before = snapshot(home)
    result = place.run("clean", "--out", home)
    assert result.returncode == 0 and snapshot(home) == before, result.out_text
    # the build's own recovery leaves it alone too
    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", home, "-q", "--format", "html").returncode == 0
    assert (home / ".hostile.staging-x" / "mine.txt").read_text() == "not a staging folder of ours"
    assert (home / ".cache" / "pip.txt").read_text() == "the user's own cache"


def test_clean_counts_only_the_files_it_removed(place):
    # attack53 F4: students/ made a link to a copy elsewhere, clean said "removed the 16 files builds wrote" where it
    # removed none of them
    roster = place.root / "class.csv"
    roster.write_text("name,id\nAnn,a1\nBo,b2\n", encoding="utf-8")
    assert place.build("--roster", roster, "-q", "--format", "html").returncode == 0
    moved = place.outside / "students"
    (place.out / "hostile" / "students").rename(moved)
    (place.out / "hostile" / "students").symlink_to(moved, target_is_directory=True)
    own = [p for p in (place.out / "hostile").rglob("*") if p.is_file() and not p.is_symlink()
           and "students" not in p.relative_to(place.out / "hostile").parts and p.name != ".workbook-build"]
    # attack54 F2: and a file changed by hand, which stays, was counted among those removed
    changed = next(p for p in own if p.name == "worksheet.html")
    changed.write_text(changed.read_text("utf-8") + "<!-- my note -->", encoding="utf-8")
    own.remove(changed)
    before = snapshot(place.outside)
    result = place.run("clean", "--out", place.out, "--yes")
    assert result.returncode == 0, result.err_text
    said = re.search(r"removed the (\d+) files? builds wrote", result.out_text + result.err_text)
    assert (int(said[1]) if said else 0) == len(own), result.out_text + result.err_text
    assert snapshot(place.outside) == before


def test_clean_does_not_follow_a_folder_swapped_for_a_link_while_it_runs(tmp_path, monkeypatch):
    # a student's folder swapped for a link to an outside folder between clean's look at the edition and its
    # removal (renameat2 in a loop, in a shared build folder) had the outside folder's files deleted (attack30):
    # the removal now works through open folders, and a folder that is a link by then is kept, not followed
    from workbook import staging

    outside = tmp_path / "outside"
    outside.mkdir()
    for i in range(5):
        (outside / f"victim{i}.txt").write_text("precious")
    edition = tmp_path / "out" / "class"
    (edition / "students" / "s05").mkdir(parents=True)
    (edition / "students" / "s05" / "worksheet.html").write_text("a sheet")
    (edition / "worksheet.html").write_text("the sheet")
    (edition / staging.MARKER).write_text("marker")
    monkeypatch.setattr(staging, "foreign", lambda folder, trusted: [])  # every file the build's own, as written
    listed = os.scandir

    def scan(target):  # the swap lands just after the folder holding s05 is listed, s05 a folder in the listing
        with listed(target) as found:
            entries = list(found)
        if any(entry.name == "s05" for entry in entries) and not (edition / "students" / "s05").is_symlink():
            shutil.rmtree(edition / "students" / "s05")
            (edition / "students" / "s05").symlink_to(outside, target_is_directory=True)
        return contextlib.nullcontext(entries)

    monkeypatch.setattr(os, "scandir", scan)
    before = snapshot(outside)
    staging._remove_as_written(edition, {})
    assert snapshot(outside) == before
    assert not (edition / "worksheet.html").exists()


def test_clean_with_another_key_keeps_the_edition_and_says_why(place):
    # a build signed with another key (another user's, or this user's before ~/.cache/workbook was replaced)
    # cannot be told from files someone put there: clean keeps it whole and says why, not "added by hand"
    stranger = place.root / "other-key"
    before = snapshot(place.out / "hostile")
    result = place.run("clean", "--out", place.out, env={"XDG_CACHE_HOME": str(stranger)})
    assert result.returncode == 0 and "Traceback" not in result.err_text
    said = result.out_text + result.err_text
    assert "not signed with your key" in said and "remove it by hand" in said and "added or changed by hand" not in said
    assert "removed only its build marker" in said and "whole" not in said  # (as it does: attack43 F1)
    after = snapshot(place.out / "hostile")
    assert {k: v for k, v in after.items() if ".workbook-build" not in k} == {
        k: v for k, v in before.items() if ".workbook-build" not in k}  # every file kept, only unmarked


@pytest.mark.parametrize("marker", ["", "made by someone\n", "copied"])
def test_a_marker_that_lies_makes_no_folder_workbooks(place, marker):
    # an empty .workbook-build beside a teacher's notes made `clean` remove the folder, and `build` replace it;
    # a real marker copied into another folder did as much
    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html").returncode == 0
    built = place.out / "hostile"
    theirs = place.out / "notes"
    theirs.mkdir()
    (theirs / "thesis.txt").write_text("two years of notes")
    if marker == "copied":
        shutil.copy(built / ".workbook-build", theirs / ".workbook-build")
    else:
        (theirs / ".workbook-build").write_text(marker)
    (built / "mine.txt").write_text("added by hand to a built edition")
    result = place.run("clean", "--out", place.out, "--yes")
    assert result.returncode == 0, result.out_text
    assert (theirs / "thesis.txt").read_text() == "two years of notes"
    # the built edition goes but for the file added by hand, which is named, and its folder is no longer marked
    assert (built / "mine.txt").read_text() == "added by hand to a built edition"
    assert sorted(p.name for p in built.iterdir()) == ["mine.txt"], list(built.iterdir())
    assert "mine.txt" in result.out_text
    before = snapshot(place.root)
    refused(place.build(), "not made by workbook")  # and a build does not take it either
    assert snapshot(place.root) == before
    if marker != "copied":
        (place.out / "hostile").rename(place.out / "aside")
        (place.out / "notes").rename(place.out / "hostile")  # the empty marker where the edition goes
        before = snapshot(place.root)
        refused(place.build(), "not made by workbook")
        assert snapshot(place.root) == before


def test_a_build_folder_that_cannot_be_written_is_said_so(place):
    # as root, `chattr +i` stands for a folder the user may not write: the line blamed a lock file "a link?" that
    # was not there
    folder = place.root / "locked"
    folder.mkdir()
    if os.geteuid() == 0:
        locking = subprocess.run(["chattr", "+i", folder], check=False, capture_output=True) if shutil.which("chattr") else None
        if locking is None or locking.returncode:
            pytest.skip("as root, a folder can be made unwritable only with chattr +i, which this file system refuses")
    else:
        folder.chmod(0o555)
    try:
        place.edition.write_text(EDITION, encoding="utf-8")
        refused(place.run("build", place.edition, "--out", folder, "--format", "html"), "cannot write in", "--out")
    finally:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", folder], check=False, capture_output=True)
        folder.chmod(0o755)


def test_a_home_folder_made_the_build_folder_keeps_every_other_programs_cache(place):
    # `build --out ~` with no ~/.cache yet made ~/.cache the content cache (with its marker); pip then
    # kept its own files there, and `clean --out ~` removed the whole folder, pip's cache with it
    home = place.root / "home2"
    home.mkdir()
    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", home, "-q", "--format", "html").returncode == 0
    assert (home / ".cache" / ".workbook-cache").is_file()
    (home / ".cache" / "pip").mkdir()
    (home / ".cache" / "pip" / "wheel.txt").write_text("pip's own cache")
    (home / ".cache" / "notes.txt").write_text("a note")
    result = place.run("clean", "--out", home, "--yes")
    assert result.returncode == 0, result.out_text
    assert "kept 2 entries" in result.out_text
    assert (home / ".cache" / "pip" / "wheel.txt").read_text() == "pip's own cache"
    assert (home / ".cache" / "notes.txt").read_text() == "a note"
    assert not (home / ".cache" / "math").exists() and not (home / "hostile").exists()
    # with nothing else in it, the cache folder goes whole
    shutil.rmtree(home / ".cache" / "pip")
    (home / ".cache" / "notes.txt").unlink()
    assert place.run("build", place.edition, "--out", home, "-q", "--format", "html").returncode == 0
    assert place.run("clean", "--out", home, "--yes").returncode == 0
    assert sorted(p.name for p in home.iterdir()) == []


def test_a_lock_file_that_is_a_link_is_not_followed(place):
    target = place.outside / "secret.txt"
    (place.out / ".hostile.lock").unlink(missing_ok=True)  # a build removes its lock file; a stranger plants one
    (place.out / ".hostile.lock").symlink_to(target)
    result = place.build("--seed", "4")  # a change: the edition must be rebuilt, under the lock
    refused(result, "lock")
    assert target.read_text() == CANARY
    fifo = place.out / ".hostile.lock"
    fifo.unlink()
    os.mkfifo(fifo)
    refused(place.build("--seed", "4", timeout=60), "lock")


def test_a_marker_that_is_a_pipe_does_not_block_the_up_to_date_check(place):
    """The up-to-date check read the edition's marker with a plain open: a FIFO put in its place (or a link to
    one elsewhere) blocked the next build for ever, before anything had refused it."""
    assert place.build().returncode == 0  # built here: the next build of it asks whether it is up to date
    marker = place.out / "hostile" / ".workbook-build"
    marker.unlink()
    os.mkfifo(marker)
    refused(place.build(timeout=60), "marker")
    marker.unlink()
    os.mkfifo(place.outside / "pipe")
    marker.symlink_to(place.outside / "pipe")
    refused(place.build(timeout=60), "marker")


@pytest.mark.skipif(not Path("/proc/self/attr/current").exists(), reason="needs Linux's /proc")
def test_a_template_file_that_cannot_be_read_is_named(place):
    """/proc/self as a template folder: a file there fails to read, and the error named no file ("error:
    Invalid argument")."""
    refused(place.build("--templates", "/proc/self", "--format", "html", timeout=120), "cannot be read", "/proc/")


@pytest.mark.parametrize("name", ["worksheet.html", "partials/problem.html"])
@pytest.mark.parametrize("kind", ["pipe", "folder", "dangling link", "device link"])
def test_a_template_name_that_is_no_file_is_refused_not_passed_over(place, name, kind):
    # attack48 F3: a pipe, a folder, a link to nothing or to /dev/zero under a template's name was passed over: the
    # built-in page stood in for it without a word, the folder's other pages used, exit 0
    folder = place.root / "my-look"
    path = folder / name
    path.parent.mkdir(parents=True)
    (folder / "answers.html").write_text("{% extends 'base.html' %}", encoding="utf-8")
    {"pipe": lambda: os.mkfifo(path), "folder": path.mkdir, "dangling link": lambda: path.symlink_to("nothing.html"),
     "device link": lambda: path.symlink_to("/dev/zero")}[kind]()
    refused(place.build("--templates", folder, "--format", "html", timeout=120), name, "not a file")


def test_a_template_folder_inside_the_build_folder_is_refused(place):
    # attack48 F7: --templates naming the edition's own folder in the build folder read its old pages back as the new
    # edition's templates (what a bank printed on them as text was filled in the second time)
    refused(place.build("--templates", place.out / "hostile", "--format", "html", timeout=120), "inside the build folder")


def test_a_template_that_is_not_utf8_is_named(place):
    # attack48 F4: "a template is not UTF-8 text (byte 0)", in a folder of many, named none
    folder = place.root / "my-look"
    (folder / "partials").mkdir(parents=True)
    (folder / "partials" / "problem.html").write_bytes(b"\xff\xfe not text")
    refused(place.build("--templates", folder, "--format", "html", timeout=120), "partials/problem.html", "UTF-8")


def test_an_empty_folder_a_killed_removal_left_aside_goes_and_nothing_else_does(place):
    # attack48 F1: killed while removing the edition moved aside, a build left .<slug>.old-<pid>-<hex> empty (its marker
    # gone with the rest), and no later build or clean removed it; a folder under another name, or with anything in it,
    # stays as it was
    emptied = place.out / ".hostile.old-4242-0123456789ab"
    emptied.mkdir()
    theirs = place.out / ".hostile.old-77"
    theirs.mkdir()
    held = place.out / ".hostile.old-5-aaaaaaaaaaaa"
    held.mkdir()
    (held / "mine.txt").write_text("mine")
    result = place.build("--seed", "3", "--format", "html")
    assert result.returncode == 0, result.err_text[-600:]
    assert not emptied.exists() and theirs.is_dir() and (held / "mine.txt").read_text() == "mine"


def test_folders_planted_where_the_previous_edition_goes_aside_stop_no_build(place):
    """A build moves the previous edition aside as .<slug>.old-<pid> while the new one moves in: a stranger's
    folder planted under that name for each likely process id made every build fail (exit 1, "Directory not
    empty ... free some space"). The name now has a random part, and a name that is taken is passed over."""
    start = os.getpid()
    for pid in range(start, start + 3000):
        planted = place.out / f".hostile.old-{pid}"
        planted.mkdir()
        (planted / "theirs.txt").write_text("theirs")
    result = place.build("--seed", "3", "--format", "html")
    assert result.returncode == 0, result.err_text[-600:]
    assert (place.out / f".hostile.old-{start}" / "theirs.txt").read_text() == "theirs"  # left as they were
    from workbook import staging

    first, second = staging._aside(place.out / "hostile"), staging._aside(place.out / "hostile")
    assert first != second and not first.exists() and first.name.startswith(f".hostile.old-{os.getpid()}-")


def test_a_build_folder_name_that_leaves_the_build_is_refused(place):
    place.edition.write_text(EDITION.replace('slug = "hostile"', 'slug = "../outside"'), encoding="utf-8")
    before = place.outside_state()
    result = place.build()
    assert result.returncode == 2 and "Traceback" not in result.err_text
    assert place.outside_state() == before


# ---------------------------------------------------------------- hangs and unbounded reads


@pytest.mark.parametrize("where, line, key", [
    ("edition", ("seed = 3", "seed = true"), "seed"), ("edition", ("count = 1", 'count = "1"'), "count"),
    ("edition", ("seed = 3", "seed = 3\n[page]\nsolutions = \"no\""), "solutions"),
    ("edition", ("seed = 3", "seed = 3\n[page]\ncover = 0"), "cover"),
    ("bank", ("difficulty = 2", 'difficulty = "2"'), "difficulty"),
    ("bank", ("a = { int = [1, 4] }", 'a = { int = ["1", 4] }'), "int"),
    ("bank", ("b = { int = [-3, 3], nonzero = true }", 'b = { int = [-3, 3], nonzero = "yes" }'), "nonzero")])
def test_a_value_of_the_wrong_type_is_named_not_read_as_another(place, where, line, key):
    # seed = true built seed 1, count = "2" two problems, solutions = "no" no solutions book: a typo or a quoted
    # number built another book than the author meant, without a word
    if where == "edition":
        place.edition.write_text(EDITION.replace(*line), encoding="utf-8")
        refused(place.build(timeout=120), "hostile.toml" if "hostile" in str(place.edition) else "", key)
    else:
        place.family("theirs.toml", family_text("directional-derivative", **dict([line])))
        place.edition.write_text(edition_with("theirs"), encoding="utf-8")
        refused(place.build("--bank", place.bank, timeout=120), "theirs.toml", key)


@pytest.mark.parametrize("expression, ask", [("abs(x - y) + x^2", "directional"), ("max(x, y) + x^2", "gradient"),
                                             ("abs(x - y) + x^2", "steepest")])
def test_a_gradient_at_a_corner_is_no_answer(place, expression, ask):
    # |x - y| + x^2 at (1, 1): the key printed D_u f = 0.8944 (centred differences agreed, being the average of
    # the two sides), and Moodle marked the one-sided 1.342 wrong; there is no gradient there
    place.family("theirs.toml", family_text("directional-derivative", **{
        'expressions = ["a*x^2 + b*y^2", "x^2*y + a*x*y", "a*x*y + b*y^2 - x^2"]': f'expression = "{expression}"',
        'ask = "directional"': f'ask = "{ask}"', 'point = ["p", "q"]': 'point = ["1", "1"]',
        'direction = ["u", "v"]': 'direction = ["u", "v"]' if ask == "directional" else ""}))
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    refused(place.build("--bank", place.bank, "--format", "moodle", timeout=180), "theirs.toml", "corner at (1.0, 1.0)")
    # a descent stepping from a corner, and an optimizer's, are no answer either
    from workbook import verify

    x, y = sympy.symbols("x y")
    with pytest.raises(verify.VerifyError, match="corner"):
        verify.check_descent(abs(x - y) + x**2 + y**2, [x, y], [1.0, 1.0], 0.1, [[0.8, 0.8]])
    with pytest.raises(verify.VerifyError, match="corner"):
        verify.check_optimizer("momentum", 1.0, [0.5], {"lr": 0.1, "momentum": 0.9}, loss=abs(x - 1) + x**2, var=x)


def test_a_parameter_that_makes_a_huge_number_is_stopped_in_time(place):
    place.family("theirs.toml", family_text(
        "derivative-at-point", **{'expressions = ["a*x^3 + b*x^2 + c*x", "a*x^2*exp(x - x0)", "(x^2 + a)^2", "a*x + b/x"]':
                                  'expression = "x + a^a^a"', 'a = { int = [-5, 5], nonzero = true }':
                                  'a = { int = [9990, 9999] }'}))
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    result = place.build("--bank", place.bank, timeout=120)
    assert result.returncode in (1, 2) and "Traceback" not in result.err_text, result.err_text
    assert "too large" in result.err_text
    result = place.run("list", "--bank", place.bank, timeout=120)  # the file's mistake, said as build says it (exit 2)
    assert result.returncode == 2 and "theirs" in result.out_text and "no sample" in result.out_text
    assert "theirs.toml: x + a^a^a" in result.err_text and "too large" in result.err_text, result.err_text


@pytest.mark.parametrize("args, fragment", [
    (["solve", "((x^100+1)^100)^100"], "nest"),
    (["solve", "(x^10+1)^100", "--order", "2"], "nest"),
    (["solve", "x^2*y", "--wrt", ",".join(["x"] * 500)], "at most 20"),
    (["solve", "x^2*y", "--wrt", "x,y", "--order", "11"], "at most 20"),
])
def test_solve_refuses_work_that_would_not_end(place, args, fragment):
    result = place.run(*args, timeout=60)
    refused(result, fragment)
    assert result.seconds < 30


def test_solve_stops_an_expression_over_its_budget(place):
    result = place.run("solve", "(x^5+1)^40", "--order", "6", timeout=60)
    refused(result, "budget")


@pytest.mark.parametrize("value", ["0", "-5", "100000", "abc", "\u0662"])
def test_worker_counts_are_checked(place, value):
    refused(place.run("list", env={"WORKBOOK_JOBS": value}, timeout=60), "WORKBOOK_JOBS")


def test_a_pipe_or_a_device_in_a_bank_is_never_read(place):
    os.mkfifo(place.bank / "pipe.toml")
    (place.bank / "zero.toml").symlink_to("/dev/zero")
    result = place.run("list", "--bank", place.bank, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.err_text, result.err_text
    assert "pipe.toml" in result.err_text and "zero.toml" in result.err_text
    for name, target in (("pipe.toml", None), ("zero.toml", "/dev/zero")):
        path = place.root / f"edition-{name}"
        os.mkfifo(path) if target is None else path.symlink_to(target)
        refused(place.run("build", path, "--out", place.out, timeout=60), "not a regular file")
    os.mkfifo(place.root / "roster.csv")
    refused(place.build("--roster", place.root / "roster.csv", timeout=60), "not a regular file")
    (place.root / "big.toml").write_bytes(b"# " + b"x" * (2 << 20))
    refused(place.run("build", place.root / "big.toml", timeout=60), "MB")


def test_workers_die_with_a_killed_build(place):
    code = "import sys; from workbook.cli import main; sys.exit(main())"
    process = subprocess.Popen([sys.executable, "-c", code, "build", str(place.edition), "--out", str(place.out),
                                "--versions", "8", "-q"], env={**os.environ, "XDG_CACHE_HOME": str(place.key_home)},
                               start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        children: list[int] = []
        while time.monotonic() < deadline and not children:
            children = [int(p) for p in _children(process.pid)]
            time.sleep(0.05)
        assert children, "the build started no workers"
        os.kill(process.pid, signal.SIGKILL)  # the main process only, as the out-of-memory killer does
        process.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_alive(pid) for pid in children):
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in children)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def _children(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


# ---------------------------------------------------------------- one line, never a traceback


def test_toml_nested_thousands_deep_is_one_line(place):
    deep = "a = " + "[" * 5000 + "]" * 5000 + "\n"
    (place.root / "deep.toml").write_text(deep)
    refused(place.run("build", place.root / "deep.toml", timeout=60), "deep.toml", "nested")
    place.family("deep.toml", deep)
    refused(place.run("list", "--bank", place.bank, timeout=60), "deep.toml", "nested")


@pytest.mark.parametrize("digits", [40, 5000])
def test_integers_of_thousands_of_digits_are_one_line(place, digits):
    number = "9" * digits
    (place.root / "seed.toml").write_text(EDITION.replace("seed = 3", f"seed = {number}"))
    refused(place.run("build", place.root / "seed.toml", timeout=60), "seed.toml")
    place.family("theirs.toml", family_text("derivative-at-point", **{"x0 = { int = [1, 3] }": f"x0 = {{ int = [1, {number}] }}"}))
    refused(place.run("list", "--bank", place.bank, timeout=60), "theirs.toml")


def test_a_utf16_roster_without_its_mark_is_one_line_that_says_save_as_utf8(place):
    # attack58 F1: a line a row about the control character '\x00' (51 lines for a class of 60), never "UTF-8"
    roster = place.root / "roster.csv"
    roster.write_bytes("".join(f"Student {k},s{k}\n" for k in range(60)).encode("utf-16-le"))
    refused(place.build("--roster", roster, timeout=60), "UTF-16", "save it as UTF-8")
    roster.write_bytes("".join(f"Student {k},s{k}\n" for k in range(60)).encode("utf-32"))  # attack59 F6: "UTF-16"
    refused(place.build("--roster", roster, timeout=60), "UTF-32", "save it as UTF-8")


def test_a_roster_field_over_the_csv_limit_is_one_line(place):
    roster = place.root / "roster.csv"
    roster.write_text("name,id\n" + '"' + "a" * 200_000 + '",s1\n')
    result = place.build("--roster", roster, timeout=60)
    assert result.returncode == 2 and "Traceback" not in result.err_text
    assert all(len(line) < 600 for line in result.err_text.splitlines())
    roster.write_text("name,id\nAda\x1b[31m,s1\n")
    refused(place.build("--roster", roster, timeout=60), "control character")


@pytest.mark.parametrize("bad", [60, 20_000])
def test_a_roster_of_many_bad_rows_says_where_it_stopped_not_a_wrong_count(place, bad):
    # attack62 F1: 20 000 bad ids gave 50 lines and "... and 1 more like these"; the reader's own "stopped at line 52"
    # was cut, and 60 bad rows were "1 more" too
    roster = place.root / "roster.csv"
    roster.write_text("name,id\n" + "".join(f"n{k},bad id {k}\n" for k in range(bad)), encoding="utf-8")
    result = place.build("--roster", roster, timeout=60)
    lines = result.err_text.strip().splitlines()
    assert result.returncode == 2 and "Traceback" not in result.err_text and result.changed == []
    assert len(lines) == 50 and all(line.startswith("error: ") for line in lines), lines[-3:]
    assert "stopped at line 53" in lines[-1] and "1 more" not in result.err_text, lines[-1]


@pytest.mark.parametrize("bad", [49, 50])
def test_a_roster_of_as_many_bad_rows_as_are_shown_says_each_and_no_more(place, bad):
    # attack64 F13: 49 bad rows, good ones after, ended "... and more rows like these"; 50 hid one of them
    roster = place.root / "roster.csv"
    roster.write_text("name,id\n" + "".join(f"n{k},bad id {k}\n" for k in range(bad)) + "Ada,s1\nBob,s2\n\n",
                      encoding="utf-8")
    lines = place.build("--roster", roster, timeout=60).err_text.strip().splitlines()
    assert len(lines) == bad and not any("more" in line for line in lines), lines[-2:]


def test_a_bad_batch_line_fails_alone(place):
    lines = [b'{"input": "x^2"}', b"[" * 100_000, b"\xff\xfe not utf-8", b'{"input": "x^3", "order": true}',
             b'{"input": "x^3", "order": 99}', b'{"input": "x^2*y", "variable": "' + b"x," * 300 + b'x"}',
             b"x" * 50_000, b'{"input": "x^2", "order": 1, "order": 2}', b'{"input": "sin(x)"}']
    batch = place.root / "batch.jsonl"
    batch.write_bytes(b"\n".join(lines) + b"\n")
    result = place.run("solve", "--batch", batch, timeout=120)
    assert result.returncode == 0 and "Traceback" not in result.err_text, result.err_text
    answers = [json.loads(line) for line in result.out_text.splitlines()]
    assert len(answers) == len(lines)
    assert answers[0]["answer"] == "2*x" and answers[-1]["answer"] == "cos(x)"
    assert all("error" in a for a in answers[1:-1]), answers[1:-1]
    assert "given twice" in answers[-2]["error"]  # round thirteen: the second "order" was used, without a word


# ---------------------------------------------------------------- output that breaks or misleads


@pytest.mark.parametrize("bad", ["\\u0001", "\\u000b", "\\u001b[31m", "\\u202e", "\\u007f", "\\u2066"])
def test_control_and_bidi_characters_in_a_family_are_refused(place, bad):
    place.family("theirs.toml", family_text("derivative-at-point", **{
        'title = "The derivative at a point"': f'title = "The derivative{bad} at a point"'}))
    refused(place.run("list", "--bank", place.bank, timeout=60), "theirs.toml", "title", "character")


def test_a_title_cannot_forge_a_line(place):
    place.family("theirs.toml", family_text("derivative-at-point", **{
        'title = "The derivative at a point"': 'title = "Fine\\nerror: forged"'}))
    result = place.run("list", "--bank", place.bank, timeout=60)
    refused(result, "one line")
    assert not any(line.startswith("error: forged") for line in result.err_text.splitlines())


def test_a_file_name_reaches_the_terminal_escaped(place):
    name = "bad\x1b[31m\u202ename\nerror: forged.toml"
    (place.bank / name).write_text("not = [valid")
    result = place.run("list", "--bank", place.bank, timeout=60)
    refused(result, "not valid TOML")
    assert "\\x1b" in result.err_text and "\\u202e" in result.err_text


def test_an_error_quotes_only_an_excerpt(place):
    (place.root / "huge.toml").write_text(EDITION.replace('title = "Hostile"', 'title = "' + "x" * 500_000 + '"'))
    result = place.run("build", place.root / "huge.toml", timeout=60)
    refused(result, "title")
    (place.root / "huge.toml").write_text(EDITION.replace("seed = 3", 'seed = "' + "9" * 900_000 + '"'))
    refused(place.run("build", place.root / "huge.toml", timeout=60), "seed")


def test_two_sections_with_one_title_are_refused(place):
    twice = EDITION + '\n[[sections]]\ntitle = "One"\nfamilies = ["trig"]\n'
    place.edition.write_text(twice, encoding="utf-8")
    refused(place.build(timeout=60), "sections[1].title", "already the title")
    # attack62 F2: alike as printed, the one with a zero-width space in it
    place.edition.write_text(EDITION + '\n[[sections]]\ntitle = "O\\u200bne"\nfamilies = ["trig"]\n', encoding="utf-8")
    refused(place.build(timeout=60), "sections[1].title", "already the title")


def test_titles_that_print_apart_are_apart_and_those_alike_are_one():
    # attack64 F12: a family emoji and the same three people side by side, and a Persian word with and without its
    # non-joiner, were refused as one title: a joiner is invisible but changes what is drawn
    from workbook.errors import as_seen

    assert as_seen("\U0001F468\u200d\U0001F469") != as_seen("\U0001F468\U0001F469")
    assert as_seen("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645") != as_seen("\u0645\u06cc\u062e\u0648\u0627\u0647\u0645")
    assert as_seen("Chain\u200b rule") == as_seen("Chain rule") == as_seen("Chain  rule")


@pytest.mark.parametrize("title", [r"\u200b\u2060", r"\u0301\u0301\u0301", r"\u3164", r"\u00ad"])
def test_a_title_that_prints_nothing_is_refused(place, title):
    # attack62 F2: an edition titled "\u200b\u2060" built (exit 0) with every page headed by nothing, as a roster's
    # name of only invisible characters is refused; a section's title and a family's the same
    place.edition.write_text(EDITION.replace('title = "Hostile"', f'title = "{title}"'), encoding="utf-8")
    refused(place.build(timeout=60), "title: the title shows nothing")
    place.edition.write_text(EDITION.replace('title = "One"', f'title = "{title}"'), encoding="utf-8")
    refused(place.build(timeout=60), "sections[0].title: the title shows nothing")
    bank = place.root / "mine"
    bank.mkdir()
    (bank / "theirs.toml").write_text(family_text("trig", **{'title = "': f'title = "{title}" # '}), encoding="utf-8")
    refused(place.build("--bank", bank, timeout=60), "title: the title shows nothing")


def test_a_quiz_never_carries_a_character_xml_cannot_hold():
    from workbook import moodle

    doc = {"edition": {"title": "T\x01", "seed": 1}, "sections": [{"title": "S\x03", "problems": [{
        "number": 1, "title": "A\x0b", "prompt": [{"text": "x\x02"}], "steps": [], "answer": [{"text": "1"}],
        "numeric": None, "claims": {}}]}]}
    import xml.etree.ElementTree as ET

    ET.fromstring(moodle.quiz({"": doc}).split("\n", 1)[1])


@pytest.mark.parametrize("folder", [".", "./", "sub/..", "outside/.."])
def test_an_editions_template_folder_is_a_folder_of_its_own_not_the_editions(place, folder):
    # templates = "." made the folder the edition was saved in (Downloads, a course folder, ~) the template folder: a
    # stranger's worksheet.html beside it included the user's files into the page (attack33 F9)
    (place.root / "sub").mkdir()
    (place.root / "worksheet.html").write_text('{% include "outside/secret.txt" %}', encoding="utf-8")
    place.edition.write_text(f'templates = "{folder}"\n' + EDITION, encoding="utf-8")
    refused(place.build(timeout=60), "templates", "not that folder itself")
    assert not place.out.exists() or CANARY not in place.outputs()


@pytest.mark.parametrize("key, value", [("templates", '""'), ("templates", '" "'), ("bank", '[""]')])
def test_an_empty_folder_name_in_an_edition_is_refused(place, key, value):
    # attack53 F8: templates = "" passed the check "." fails and named the edition's own folder, so a stranger's
    # answers.html lying beside it was rendered into the answer key, exit 0
    (place.root / "answers.html").write_text("<p>" + CANARY + "</p>", encoding="utf-8")
    (place.root / "worksheet.html").write_text('{% include "outside/secret.txt" %}', encoding="utf-8")
    place.edition.write_text(f"{key} = {value}\n" + EDITION, encoding="utf-8")
    refused(place.build(timeout=60), key, "it is empty")
    assert not place.out.exists() or CANARY not in place.outputs()


@pytest.mark.parametrize("inside", ["hostile", "hostile/students", "hostile/new/deeper", ".cache"])
def test_a_build_folder_inside_a_folder_workbook_made_is_refused(place, inside):
    # attack53 F1: --out naming an edition's folder (or its students/, or the cache) built an edition there, exit 0,
    # which the next build of the edition around it removed as "files no build of yours wrote"
    assert (place.out / inside.split("/")[0]).is_dir()
    other = place.root / "other.toml"
    other.write_text(EDITION.replace('slug = "hostile"', 'slug = "other"'), encoding="utf-8")
    refused(place.run("build", other, "--out", place.out / inside, "--format", "html", timeout=120), "not a build folder",
            "--out ")
    refused(place.run("practice", "--topic", "chain-rule", "--out", place.out / inside, timeout=120), "not a build folder")


def test_a_template_includes_only_templates(place):
    # any UTF-8 file under 1 MB in the template folder, dot-folders too, could be included into the page (attack33 F9)
    own = place.root / "mine"
    (own / ".hidden").mkdir(parents=True)
    (own / "notes.txt").write_text(CANARY, encoding="utf-8")
    (own / ".hidden" / "x.html").write_text(CANARY, encoding="utf-8")
    for include in ("notes.txt", ".hidden/x.html"):
        (own / "worksheet.html").write_text(f'{{% include "{include}" %}}', encoding="utf-8")
        place.edition.write_text('templates = "mine"\n' + EDITION, encoding="utf-8")
        refused(place.build(timeout=60), "a template is an .html, .css or .js file")
        assert CANARY not in place.outputs()


@pytest.mark.parametrize("folder", ["../outside", "/etc", "link-out"])
def test_an_editions_template_folder_stays_beside_it(place, folder):
    far = place.root.parent / f"{place.root.name}-far"  # outside the edition's folder
    far.mkdir(exist_ok=True)
    (far / "worksheet.html").write_text(CANARY)
    (place.root / "link-out").symlink_to(far, target_is_directory=True)
    place.edition.write_text(f'templates = "{folder}"\n' + EDITION, encoding="utf-8")
    refused(place.build(timeout=60), "templates", "inside the edition file's folder")
    assert not place.out.exists() or CANARY not in place.outputs()


def test_a_family_too_slow_to_draw_is_given_up_in_seconds(place):
    place.family("slow.toml", family_text("derivative-at-point", **{
        'expressions = ["a*x^3 + b*x^2 + c*x", "a*x^2*exp(x - x0)", "(x^2 + a)^2", "a*x + b/x"]':
        'expression = "exp(x)^a*(x^2+1)^a*(x^2+3)^a/((x^3+2)^a*(x^3+5)^a)"',
        'a = { int = [-5, 5], nonzero = true }': 'a = { int = [40, 50] }'}))
    result = place.run("list", "--bank", place.bank, timeout=120)
    # its one sample is drawn again from its seed, given three times the budget (a busy machine must print what
    # a quiet one does): it is listed, or said to have overrun
    assert result.returncode == 0 and "theirs" in result.out_text, result.out_text[-500:]
    assert result.seconds < 60
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    result = place.build("--bank", place.bank, timeout=120)
    # given up as too slow to draw (each draw past its budget), or stopped by the run's pace: one line either way
    assert result.returncode in (1, 2) and result.seconds < 60, (result.returncode, result.err_text[-500:])
    assert ("overran" in result.err_text or "take" in result.err_text), result.err_text[-500:]
    assert len(result.err_text.strip().splitlines()) == 1


def test_a_prompt_cannot_print_a_line_of_its_own(place):
    place.family("theirs.toml", family_text("derivative-at-point", **{
        'id = "theirs"': 'id = "theirs"\nprompt = "Find {dfx} at {at} for {f}.\\nerror: forged\\n"'}))
    result = place.run("show", "theirs", "--bank", place.bank, timeout=60)
    assert result.returncode == 0, result.err_text
    assert not any(line.startswith("error:") for line in (result.out_text + result.err_text).splitlines())


def test_an_option_value_is_quoted_only_in_part(place):
    result = place.run("build", place.edition, "--seed", "9" * 100_000, timeout=60)
    assert result.returncode == 2 and len(result.err_text) < 1000, len(result.err_text)


@pytest.mark.parametrize("args", [["check", "a" * 300], ["build", "--out", "b" * 300], ["clean", "--out", "c" * 300],
                                  ["show", "trig", "--bank", "d" * 300]])
def test_a_path_the_system_refuses_is_one_line(place, args):
    result = place.run(*args, timeout=60)
    refused(result)


def test_a_batch_that_never_ends_a_line_is_stopped(place):
    (place.root / "zero.jsonl").symlink_to("/dev/zero")  # a device: refused before anything is read
    result = place.run("solve", "--batch", place.root / "zero.jsonl", timeout=120)
    assert result.returncode == 2 and "not a regular file" in result.err_text
    result = place.run("solve", "--batch", "-", stdin=b"\0" * (80 << 20), timeout=120)  # piped: no line end
    assert result.returncode == 2 and "no end" in result.err_text


def test_a_bank_file_that_links_out_of_its_folder_is_not_read(place):
    secret = place.outside / "secret.toml"
    secret.write_text(family_text("derivative-at-point", **{
        'title = "The derivative at a point"': f'title = "{CANARY}"', 'difficulty = 2': 'difficulty = "x"'}))
    (place.bank / "leak.toml").symlink_to(secret)
    result = place.run("list", "--bank", place.bank, timeout=60)
    refused(result, "leak.toml", "link out")
    assert CANARY not in result.out_text + result.err_text


def test_the_cache_works_for_a_group_that_may_write(bare):
    place = bare
    """A umask of 002 (many desktops) makes every folder group-writable: the signed cache still works."""
    assert place.build("-q", "--format", "html", umask=0o002).returncode == 0
    assert (place.out / ".cache").stat().st_mode & 0o020
    result = place.build("--format", "html", umask=0o002)
    assert result.returncode == 0 and "up to date" in result.out_text and not result.err_text, result.err_text


def test_a_template_cannot_call_a_method_of_what_it_is_handed(place):
    """pydantic's parse_raw (which unpickles) and parse_file (which reads a file) are methods of the page
    options a template is handed: only their fields may be shown, and the data is read-only."""
    look = place.root / "look"
    (look / "partials").mkdir(parents=True)
    original = (ROOT / "templates" / "partials" / "key.html").read_text(encoding="utf-8")
    pickle = "cos\\nsystem\\n(S'touch " + str(place.marker) + "'\\ntR0(d."
    attacks = {
        "unpickle": '{% set x = page.parse_raw("' + pickle + '", proto="pickle", allow_pickle=True) %}',
        "read": '{{ page.parse_file("' + str(place.outside / "secret.txt") + '") }}',
        "class": "{{ edition.of({}) }}{{ page.model_construct() }}",
        "mutate": "{% set _ = doc.sections.append(1) %}{% set _ = doc.update({'a': 1}) %}",
    }
    for name, attack in attacks.items():
        (look / "partials" / "key.html").write_text(attack + "\n" + original, encoding="utf-8")
        result = place.build("--templates", look, "--seed", "8", timeout=120)
        assert result.returncode == 2 and "Traceback" not in result.err_text, (name, result.err_text)
        assert not place.marker.exists(), name
        assert CANARY not in result.out_text + result.err_text + place.outputs(), name


def test_a_template_cannot_hand_its_own_record_to_the_page_data(place):
    """Attack 16, D1: practice_data, a global the templates call, took a record the template made up, and
    SymPy's Rational of its list "start" evaluated the text in it: a template folder (or an edition naming one)
    ran any code. It now takes only the problems the page was handed, and reads numbers as numbers."""
    look = place.root / "look"
    look.mkdir()
    touch = f"__import__('os').system('touch {place.marker}')"
    read = f"open('{place.outside / 'secret.txt'}').read()"
    made = {
        "one variable": '{"type": "descent_convergence", "function": "x^2", "variable": "x", "verdicts": ["converges"], '
                        '"rates": ["1/10"], "start": [%r]}',
        "two variables": '{"type": "gradient_descent", "function": "x^2+y^2", "variables": ["x", "y"], '
                         '"iterates": [["1", "1"]], "rate": "1/10", "start": [[%r], "1"]}',
        "optimizer": '{"type": "optimizer", "optimizer": "adam", "loss": "x^2", "variable": "x", "start": "1", '
                     '"hyper": {"lr": "1/10", "beta1": [%r]}, "eps": "1/100000000"}',
    }
    for name, claims in made.items():
        for payload in (touch, read):
            record = '{"family": "z", "seed": 1, "numeric": none, "claims": ' + claims % payload + "}"
            for call in ("practice_data(" + record + ")", "practice_json([{'problems': [" + record + "]}])"):
                (look / "worksheet.html").write_text("<p>{{ " + call + " }}</p>", encoding="utf-8")
                result = place.build("--templates", look, "--format", "html", "--seed", "8", timeout=120)
                refused(result, "practice_data takes only a problem the page was handed")
                assert not place.marker.exists(), (name, call)
                assert CANARY not in result.out_text + result.err_text, (name, call)
    # the problems the page was handed still work: the built-in practice page calls practice_data for each
    (look / "worksheet.html").write_text(
        "{% for s in sections %}{% for p in s.problems %}{{ practice_data(p) is not none }}{% endfor %}{% endfor %}"
        "{{ practice_json(sections)|length > 2 }}", encoding="utf-8")
    assert place.build("--templates", look, "--format", "html", "--seed", "8", timeout=120).returncode == 0


def test_page_data_reads_a_number_only_from_a_number():
    from workbook import interactive

    assert interactive._number("1/10") == sympy.Rational(1, 10) and interactive._number("-2.5e-3") == sympy.Rational(-1, 400)
    for bad in (["__import__('os')"], "__import__('os')", {"a": 1}, "1/0x", None):
        with pytest.raises(ValueError):
            interactive._number(bad)


def test_text_in_a_quiz_cannot_start_moodles_math(place):
    place.family("theirs.toml", family_text("derivative-at-point", **{
        'title = "The derivative at a point"': 'title = "See \\\\(\\\\href{javascript:alert(1)}{here}\\\\)"',
        'id = "theirs"': 'id = "theirs"\nprompt = "Find {dfx} for {f} $$\\\\style{{color:red}}{x}$$ [tex]\\\\href{x}{{y}}[/tex] \\\\[x\\\\]."'}))
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    result = place.build("--bank", place.bank, "--format", "moodle", "-q", timeout=120)
    assert result.returncode == 0, result.err_text
    import html
    import re
    import xml.etree.ElementTree as ET

    quiz = ET.parse(place.out / "hostile" / "quiz.xml")
    texts = [html.unescape(t.text or "") for t in quiz.iter("text")]
    assert any("href" in t for t in texts) and any("style" in t for t in texts)
    # what MathJax and Moodle's TeX filter would typeset: every span between a pair of delimiters
    maths = re.compile(r"\\\((.*?)\\\)|\\\[(.*?)\\\]|\$\$(.*?)\$\$|\[tex\](.*?)\[/tex\]", re.IGNORECASE | re.DOTALL)
    typeset = ["".join(m.groups(default="")) for t in texts for m in maths.finditer(t)]
    assert typeset and not any("href" in t or "style" in t for t in typeset), typeset


def test_paths_and_environment_reach_the_terminal_escaped(bare):
    place = bare
    odd = place.root / "out\x1b]0;owned\x07\nerror: forged"
    result = place.run("build", place.edition, "--out", odd, "--format", "html", timeout=120,
                       env={"XDG_CACHE_HOME": "/proc/nope\x1b[2J\nerror: forged"})
    assert result.returncode == 0, result.err_text
    for text in (result.out_text, result.err_text):
        assert "\x1b" not in text and not any(line.startswith("error: forged") for line in text.splitlines())
    result = place.run("clean", "--out", odd, timeout=60)
    assert result.returncode == 0 and "\x1b" not in result.out_text
    assert not any(line.startswith("error: forged") for line in result.out_text.splitlines())


@pytest.mark.parametrize("edition", [
    "".join(f'\n[[sections]]\ntitle = "S{i}"\nfamilies = ["trig"]\ncount = 60\n' for i in range(60)),
    '\nversions = 100\n' + "".join(f'\n[[sections]]\ntitle = "S{i}"\nfamilies = ["trig"]\ncount = 10\n' for i in range(10)),
])
def test_an_edition_too_large_to_build_is_refused(place, edition):
    (place.root / "huge.toml").write_text('title = "Huge"' + edition, encoding="utf-8")
    result = place.run("build", place.root / "huge.toml", "--out", place.out, timeout=60)
    refused(result, "at most")


def test_a_template_folder_of_huge_or_many_files_is_not_read_whole(place):
    look = place.root / "look"
    look.mkdir()
    with open(look / "huge.bin", "wb") as handle:
        handle.truncate(3 << 30)  # sparse: 3 GB that no template uses
    result = place.build("--templates", look, "--format", "html", "--seed", "9", timeout=120)
    assert result.returncode == 0 and result.seconds < 60, result.err_text
    for i in range(2100):
        (look / f"f{i}.txt").write_text("x")
    refused(place.build("--templates", look, "--seed", "10", timeout=60), "over 2000 files")


def test_a_template_folder_of_many_links_to_one_file_is_read_once_and_a_big_one_refused(place, monkeypatch):
    # 1990 links to one 1 MB file made every unchanged rebuild read 2 GB (13 s)
    from workbook import build

    look = place.root / "look"
    look.mkdir()
    (look / "logo.bin").write_bytes(os.urandom(1 << 20))
    for i in range(300):
        (look / f"link{i}.bin").symlink_to("logo.bin")
    reads: list[str] = []
    real = Path.read_bytes

    def counted(path):
        reads.append(path.name)
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", counted)
    build.fingerprint({}, ("worksheet",), ("html",), look)
    assert sum(name.endswith(".bin") for name in reads) == 1
    monkeypatch.setattr(Path, "read_bytes", real)
    for i in range(70):
        (look / f"big{i}.bin").write_bytes(b"x" * (1 << 20))  # 70 MB of distinct files
    refused(place.build("--templates", look, "--format", "html", "--seed", "9", timeout=120), "over 64 MB")


def test_links_that_loop_are_one_line(place):
    (place.bank / "loop.toml").symlink_to("loop.toml")
    refused(place.run("list", "--bank", place.bank, timeout=60))
    (place.bank / "loop.toml").unlink()
    (place.root / "look").symlink_to("look")
    refused(place.build("--templates", place.root / "look", "--seed", "6", timeout=60))
    (place.root / "self").symlink_to("self")
    refused(place.run("build", place.edition, "--out", place.root / "self", timeout=60))
    # attack53 F6: an edition file that is a loop was "no such edition file"
    (place.root / "loop.toml").symlink_to("loop.toml")
    refused(place.run("build", place.root / "loop.toml", "--out", place.out, timeout=60), "points at itself")
    (place.root / "gone.toml").symlink_to("nowhere.toml")
    refused(place.run("build", place.root / "gone.toml", "--out", place.out, timeout=60), "does not exist")


def test_a_template_nested_beyond_reason_is_one_line(place):
    look = place.root / "look"
    look.mkdir()
    (look / "worksheet.html").write_text("{{ " + "(" * 5000 + "1" + ")" * 5000 + " }}")
    refused(place.build("--templates", look, "--seed", "6", timeout=60), "nested too deeply")


@pytest.mark.parametrize("body", ['{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}',
                                  '{% include "worksheet.html" %}'])
def test_a_template_that_calls_itself_without_end_is_one_line_in_words(place, body):
    # it was "RecursionError: maximum recursion depth exceeded", Python's words (attack 15, H2)
    look = place.templates(body)
    result = place.build("--templates", look, "--seed", "6", timeout=60)
    refused(result, "calls itself without end")
    assert "RecursionError" not in result.err_text


@pytest.mark.parametrize("source, changes, where", [
    ("loss-mse", {'bias = ["b"]': "bias = []"}, "bias"),
    ("backprop-neuron", {"graphs = [": "graphs = [[], "}, "graphs[0]"),
    ("backprop-neuron", {'["a", ["sigmoid", "tanh", "relu"], "v"]': '["a", [], "v"]'}, "graphs[0][2]"),
])
def test_a_family_that_would_crash_its_kind_is_refused_with_its_key(place, source, changes, where):
    place.family("theirs.toml", family_text(source, **changes))
    refused(place.run("show", "theirs", "--bank", place.bank, timeout=60), "theirs.toml", where)


def test_scratch_folders_of_the_users_own_are_never_swept(place):
    temp = place.root / "tmp"
    (temp / "workbook-2024-exam").mkdir(parents=True)
    (temp / "workbook-2024-exam" / "draft.txt").write_text("my exam draft")
    (temp / "workbook-31337-notesabc").mkdir()
    result = place.run("solve", "x^2", env={"TMPDIR": str(temp)}, timeout=60)
    assert result.returncode == 0
    assert (temp / "workbook-2024-exam" / "draft.txt").read_text() == "my exam draft"
    assert (temp / "workbook-31337-notesabc").is_dir()


def test_an_edition_whose_files_were_changed_is_built_again(place):
    page = place.out / "hostile" / "worksheet.html"
    honest = page.read_bytes()
    page.write_bytes(honest.replace(b"</body>", b"<script>alert(1)</script></body>"))
    result = place.build()
    assert result.returncode == 0 and "up to date" not in result.out_text, result.out_text
    assert page.read_bytes() == honest
    (place.out / "hostile" / "extra.html").write_text("<script>alert(1)</script>")
    assert "up to date" not in place.build().out_text


@pytest.mark.parametrize("value", ["soon", "1e9", "-1", "9" * 40, "\u0661\u0662", "999999999999", "253402300800"])
def test_a_bad_source_date_epoch_is_named(place, value):  # past the year 9999: exit 1 while drawing (attack 16)
    refused(place.run("solve", "x^2", env={"SOURCE_DATE_EPOCH": value}, timeout=60), "SOURCE_DATE_EPOCH")


def test_an_edition_folder_that_is_a_link_to_another_edition_is_refused(place):
    (place.out / "hostile").rename(place.out / "other")
    (place.out / "hostile").symlink_to("other", target_is_directory=True)
    result = place.build("--seed", "6")
    refused(result, "is a link")


def test_a_roster_too_large_to_build_is_refused(place):
    roster = place.root / "class.csv"
    roster.write_text("name,id\n" + "".join(f"S{i},s{i}\n" for i in range(100_001)))
    refused(place.build("--roster", roster, timeout=60), "build the roster in parts")


def test_a_family_whose_ranges_make_every_draw_fail_is_bad_input(place):
    """Every draw refused by the family's own checks, each for its own drawn point (e^(a x0) past a float at
    each x0): exit 1 and no word of what to do, where a draw failing alike said 'change the family'."""
    place.family("far.toml", 'id = "far"\ntitle = "Far"\ntopic = "far"\ndifficulty = 1\nkind = "derivative"\n'
                             'expression = "exp(a*x)"\nask = "tangent"\nat = "x0"\ndomain = [-1000.0, 1000.0]\n'
                             '[params]\na = { int = [2, 5] }\nx0 = { int = [400, 999] }\n')
    place.edition.write_text(edition_with("far"), encoding="utf-8")
    result = place.build("--bank", place.bank, timeout=300)
    refused(result, "far.toml", "check its expressions, domain and parameter ranges")


@pytest.mark.parametrize("name, said", [("u<b>", "is not a name: a letter, then"), ("__class__", "is not a name"),
                                        ("x", "is not a new name: a leaf or an earlier node has it")])
def test_a_graph_node_name_is_refused_for_what_is_wrong_with_it(place, name, said):
    """'u<b>' and '__class__' were refused as 'not a new name', as if taken: the rule was never said."""
    place.family("g.toml", 'id = "g"\ntitle = "G"\ntopic = "g"\ndifficulty = 1\nkind = "backprop"\n'
                           f'graphs = [[["{name}", "mul", "x", "y"], ["L", "add", "{name}", "y"]]]\n'
                           '[leaves]\nx = "a"\ny = "b"\n[params]\na = { int = [1, 3] }\nb = { int = [1, 3] }\n')
    refused(place.run("list", "--bank", place.bank, timeout=120), "g.toml", said)


def test_a_family_whose_draws_all_fail_slowly_is_given_up(place):
    """Each draw takes a second or two, within its budget, and then fails its check (the function is
    defined nowhere on the real line): 40 redraws a slot would cost minutes; the family is given up
    after 20 s of failed draws with none sound."""
    place.family("slow.toml", 'id = "slow"\ntitle = "Slow"\ntopic = "slow"\ndifficulty = 1\nkind = "derivative"\n'
                              'expression = "log(-1 - sin(sin(sin(a*x)))^2)"\norder = 4\n[params]\na = { int = [2, 9] }\n')
    # a slower machine: each draw overruns its budget instead; a busy one: the run's pace stops the draws first
    given_up = ("no draw succeeded", "overran their", "the draws take")
    result = place.run("show", "slow", "--bank", place.bank, timeout=120)
    # each draw refused by the family's checks: its file's mistake (exit 2), with what to do about it; a draw that
    # overran its budget may be a slow machine's (exit 1)
    code = 2 if "no draw succeeded" in result.err_text or "the draws take" in result.err_text else 1
    assert result.returncode == code and any(w in result.err_text for w in given_up) and result.seconds < 60, result.err_text
    assert "check its expressions, domain and parameter ranges" in result.err_text
    place.edition.write_text(edition_with("slow").replace("count = 1", "count = 60"), encoding="utf-8")
    result = place.build("--bank", place.bank, timeout=120)
    code = 2 if "no draw succeeded" in result.err_text or "the draws take" in result.err_text else 1
    assert result.returncode == code and any(w in result.err_text for w in given_up) and result.seconds < 60, result.err_text
    assert len(result.err_text.strip().splitlines()) == 1


def test_a_huge_marker_is_not_read_whole(place):
    with open(place.out / "hostile" / ".workbook-build", "ab") as handle:
        handle.truncate(3 << 30)  # sparse: 3 GB
    code = ("import resource, sys; resource.setrlimit(resource.RLIMIT_AS, (1 << 31, 1 << 31)); "
            "from workbook.cli import main; sys.exit(main())")
    result = subprocess.run([sys.executable, "-c", code, "build", str(place.edition), "--out", str(place.out), "-q",
                             "--format", "html"], capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "XDG_CACHE_HOME": str(place.key_home)})
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-500:]


def test_a_roster_of_millions_of_rows_is_refused_quickly(place):
    roster = place.root / "class.csv"
    roster.write_text("name,id\n" + "n,a\n" * 1_500_000)  # 6 MB, every row after the first a repeat
    result = place.build("--roster", roster, timeout=60)
    refused(result, "more than 100000 students")
    assert result.seconds < 20


def test_a_family_of_many_fine_grained_parameters_loads_quickly(place):
    params = "".join(f"p{i} = {{ decimal = [0, 10000], step = 0.1 }}\n" for i in range(30))
    place.family("many.toml", 'id = "many"\ntitle = "Many"\ntopic = "many"\ndifficulty = 1\nkind = "derivative"\n'
                              'expression = "p0*x^2 + p29*x"\n[params]\n' + params)
    result = place.run("list", "--bank", place.bank, timeout=60)
    assert result.returncode == 0 and "many" in result.out_text and result.seconds < 30, result.err_text
    params = "".join(f"p{i} = {{ int = [1, 3] }}\n" for i in range(31))
    place.family("many.toml", 'id = "many"\ntitle = "Many"\ntopic = "many"\ndifficulty = 1\nkind = "derivative"\n'
                              'expression = "p0*x^2"\n[params]\n' + params)
    refused(place.run("list", "--bank", place.bank, timeout=60), "params")


def test_a_matplotlibrc_in_the_working_folder_changes_nothing(place):
    (place.root / "matplotlibrc").write_text("text.usetex: True\nlines.linewidth: 20\nfont.size: 40\n")
    result = place.build("--seed", "6", "-q", "--format", "html", timeout=120)
    assert result.returncode == 0, result.err_text
    with_rc = (place.out / "hostile" / "solutions.html").read_bytes()
    assert b"<svg" in with_rc or b"image/svg" in with_rc
    (place.root / "matplotlibrc").unlink()
    shutil.rmtree(place.out / "hostile")
    shutil.rmtree(place.out / ".cache")
    assert place.build("--seed", "6", "-q", "--format", "html", timeout=120).returncode == 0
    assert (place.out / "hostile" / "solutions.html").read_bytes() == with_rc


def test_a_prompt_of_many_placeholders_is_refused(place):
    place.family("theirs.toml", family_text("derivative-at-point", **{
        'id = "theirs"': 'id = "theirs"\nprompt = "' + "{f} " * 100 + '"'}))
    refused(place.run("list", "--bank", place.bank, timeout=60), "placeholders")


def test_a_template_that_fetches_is_one_line(place):
    look = place.root / "look"
    (look / "partials").mkdir(parents=True)
    original = (ROOT / "templates" / "partials" / "key.html").read_text(encoding="utf-8")
    (look / "partials" / "key.html").write_text('<img src="https://example.com/x.png">' + original)
    result = place.build("--templates", look, "--seed", "6", timeout=120)
    # refused before the layout ("asks to load ... from elsewhere") or by its fetcher ("refused to fetch"), whichever
    # document a worker reaches first: the address named either way
    refused(result, "https://example.com/x.png")
    (look / "partials" / "key.html").unlink()
    for css in ("@import url(https://example.com/a.css);", "p { background: u\\72l('file:///etc/passwd') }"):
        (look / "print.css").write_text(css)
        refused(place.build("--templates", look, "--seed", "6", timeout=60), "print.css", "fetch nothing")


@pytest.mark.parametrize("value", ["1e-300", "5e-324", "0.1234567890123456"])
def test_a_parameter_of_too_many_digits_is_refused(place, value):
    place.family("theirs.toml", family_text("derivative-at-point", **{
        "x0 = { int = [1, 3] }": f"x0 = {{ choice = [1, {value}] }}"}))
    refused(place.run("list", "--bank", place.bank, timeout=60), "params.x0", "digits")


def test_no_warning_reaches_the_terminal(place):
    result = place.run("solve", "(-8)^(1/3)*x", timeout=60)
    assert "Warning" not in result.err_text and "verify.py" not in result.err_text, result.err_text
    refused(_one(place.run("solve", "x + log(x, -2)", timeout=60)), "base must be positive")


def _one(result):
    """solve's error is one line, the place marked in the expression (it was three, with a caret under it)."""
    assert len(result.err_text.splitlines()) <= 1, result.err_text
    result.err_text = result.err_text.splitlines()[0] + "\n" if result.err_text else ""
    return result


def test_a_stylesheet_cannot_fetch_through_image_set(place):
    look = place.root / "look"
    look.mkdir()
    for css in ('body { background-image: image-set("https://evil.example/t.png" 1x); }',
                'p { background: -webkit-image-set("//evil.example/t.png" 1x); }'):
        (look / "print.css").write_text(css)
        refused(place.build("--templates", look, "--format", "html", "--seed", "6", timeout=60), "fetch nothing")


@pytest.mark.parametrize("expression", ["0^x", "0^(x^2)"])
def test_solve_says_in_words_that_a_power_of_zero_has_no_derivative(place, expression):
    # attack 16, H4: "step engine gave 0**x*zoo, sympy.diff gives nan"
    result = place.run("solve", expression, "--at", "2", timeout=60)
    refused(result, "no derivative the rules can give", "power or a logarithm of 0")
    assert "zoo" not in result.err_text and "nan" not in result.err_text


def test_a_stylesheet_naming_a_font_of_this_machine_is_refused_where_it_is_read(place):
    # attack 16, H3: local("DejaVu Sans") passed the check and failed at render, naming a system font's path
    look = place.root / "look"
    look.mkdir()
    for css in ('@font-face { font-family: "X"; src: local("DejaVu Sans"); }',
                '@font-face { font-family: "X"; src: local(DejaVu Sans), url(data:,x); }'):
        (look / "print.css").write_text(css)
        result = place.build("--templates", look, "--format", "pdf", "--seed", "6", timeout=60)
        refused(result, "print.css", "local(")
        assert "/usr/share/fonts" not in result.err_text


# ---------------------------------------------------------------- the third attack: what it found, as tests


@pytest.mark.parametrize("expression, fragment", [
    ("a*x + exp(exp(exp(exp(3))))^2", "number too large"),  # hung every command that loads a bank
    ("a*x^exp(exp(exp(3)))", "number too large"),
    ("a*x + DiracDelta(x, x)", "not defined for these arguments"),  # SymPy's ValueError was a traceback
    ("a*x + max(sqrt(-1), x)", "not a real number"),
    ("a*x + Heaviside(sqrt(-1))", "not a real number"),
    ("a*x + (-8)^(1/3)", "not real"),
])
def test_a_number_sympy_cannot_hold_or_refuses_is_one_line(place, expression, fragment):
    place.family("theirs.toml",
        f'id = "theirs"\ntitle = "T"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\nexpression = "{expression}"\n'
        '[params]\na = { int = [1, 3] }\n')
    result = place.run("list", "--bank", place.bank, timeout=60)
    refused(result, "theirs.toml", fragment)
    assert result.seconds < 30


def test_a_family_of_many_slow_expressions_is_read_in_bounded_time(place):
    slow = "min(" + ",".join(f"max(a,a^2,a^3,a^4,a^5,a^6,a^7,{i}*a)" for i in range(20)) + ")"
    leaves = "".join(f'l{i} = "{slow}"\n' for i in range(150))  # (a point of 150 such was refused, unread by partials)
    place.family("theirs.toml", 'id = "theirs"\ntitle = "T"\ntopic = "t"\ndifficulty = 1\nkind = "backprop"\n'
                                'graphs = [[["z", "mul", "l0", "l1"]]]\n[params]\na = { int = [1, 3] }\n'
                                f'[leaves]\n{leaves}')
    result = place.run("list", "--bank", place.bank, timeout=120)
    refused(result, "theirs.toml", "to read")
    assert result.seconds < 30


@pytest.mark.parametrize("body", [
    "{% set ns = namespace(s='x' * 90000) %}{% for i in range(12) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}",
    "{{ 'x' | center(300000000) }}",
    "{{ 'x'.ljust(300000000) }}",
    "{{ ('x' * 90000) + ('y' * 90000) }}",
    "{{ 'a' | replace('a', 'b' * 90000) | replace('b', 'c' * 90000) }}",
    '{{ "%05000000d" % 1 }}',
    '{{ "%*d" % (5000000, 1) }}',
    "{% set ns = namespace(s='x' * 60000) %}{{ '%s%s' % (ns.s, ns.s) }}",
    "{% set ns = namespace(s='x' * 60000) %}{{ '%(a)s%(a)s' % {'a': ns.s} }}",
    # attack 16: each was refused only after a gigabyte was made, or stopped by the worker's memory cap
    "{{ 'x' | center(10**9) }}",
    "{% set a = 'a' * 99999 %}{% set b = 'b' * 99999 %}{{ a | replace('', b) }}",
    "{% set a = 'a' * 99999 %}{% set b = 'b' * 99999 %}{{ a.replace('', b) }}",
    "{% set s = 's' * 100000 %}{{ ([s] * 100000) | join }}",
    "{% set s = 's' * 100000 %}{{ ''.join([s] * 100000) }}",
    "{% set s = 's' * 100000 %}{{ ([s] * 100000) | map('upper') | join }}",
    '{{ "{:>999999999}".format(1) }}',
    '{{ "{:>{}}".format(1, 999999999) }}',
    '{{ "%0999999999d" | format(1) }}',
    "{{ [1] | batch(10**9) | list | length }}",
    # attack 19: Jinja's own placeholder text, made in full (a minute) before its size was checked
    "{{ lipsum(n=10000000, html=false, min=100, max=101) | length }}",
    "{{ lipsum(n=100000) }}",
    # attack 19, D12: constants Jinja worked out while compiling, in the main process (11.7 GB, 5.6 GB)
    pytest.param("{{ '" + "x\\n" * 45000 + "' | indent(99999) }}", id="a constant indented while compiling"),
    "{{ [[[[[[[[1]]]]]]]] | tojson(indent=90000000) }}",
    # D13: a count of lines times a string, made in full in a worker
    "{% set s = 'x\\n' * 40000 %}{{ s | indent('y' * 1000) }}",
    "{% set s = 'x ' * 40000 %}{{ s | wordwrap(2, wrapstring='z' * 1000) }}",
    "{{ [[[[[[1]]]]]] | tojson(indent=99999) }}",
])
def test_a_template_cannot_build_a_huge_value_by_any_door(place, body):
    look = place.templates(body)
    result = place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120)
    refused(result, "worksheet.html, line 1")  # the rule, where it was broken: before the value was made
    assert any(w in result.err_text for w in ("longer than", "wider than", "width or count over"))


@pytest.mark.parametrize("body, said", [
    ("{{ " + "9" * 5000 + " }}", "at most 4300 digits"),
    ("{% macro f(a, a) %}{% endmacro %}", "repeats a name"),
    ("{% macro f(a) %}{% endmacro %}{{ f(a=1, a=2) }}", "repeats a name"),
])
def test_a_template_python_cannot_compile_is_one_line(place, body, said):
    """A number past Python's 4300 digits gave a traceback and exit 1; a macro with an argument twice was
    'nested too deeply to compile'."""
    look = place.templates(body)
    refused(place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120), said)


def test_a_template_too_long_to_compile_is_one_line(place):
    look = place.root / "look"
    look.mkdir()
    (look / "worksheet.html").write_text("{{ " + "+".join(["which"] * 300) + " }}")
    refused(place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120), "nested too deeply")


def test_a_template_cannot_ask_for_a_figure_of_any_size(place):
    look = place.root / "look"
    look.mkdir()
    (look / "worksheet.html").write_text(
        '{{ figure({"kind": "graph", "layers": [range(20000) | map("string") | list], "edges": []}) }}')
    result = place.build("--templates", look, "--format", "html", "--seed", "6", timeout=300)
    refused(result, "spec")
    assert result.seconds < 120


@pytest.mark.parametrize("spec", ['{"kind": "bars", "alt": "a"}', '{"kind": "graph", "alt": "a", "nodes": [], "edges": []}',
                                  '{"kind": "tangent", "alt": "a", "x": [], "y": [], "x0": 0, "y0": 0, "slope": 1}'])
def test_a_template_figure_that_cannot_be_drawn_is_said_as_such(place, spec):
    """attack 19, D5: "could not draw the math and figures: KeyError: 'labels'", naming no template."""
    look = place.root / "look"
    look.mkdir()
    (look / "worksheet.html").write_text("{{ figure(" + spec + ") }}")
    result = place.build("--templates", look, "--format", "html", "--seed", "6", timeout=300)
    refused(result, "a figure() in the templates of", "cannot be drawn")


def test_a_template_figure_without_alt_text_is_refused_before_it_is_drawn(place):
    # attack 16, H5: drawn in full (28 s), then "KeyError: 'alt'"
    look = place.root / "look"
    look.mkdir()
    (look / "worksheet.html").write_text('{{ figure({"kind": "sigmoid", "z": 1, "yhat": 0.7, "label": 1}) }}')
    result = place.build("--templates", look, "--format", "html", "--seed", "6", timeout=300)
    refused(result, "alt text")
    assert "KeyError" not in result.err_text


def test_a_stylesheet_cannot_close_its_style_element(place):
    look = place.root / "look"
    look.mkdir()
    (look / "print.css").write_text("p { color: red }\n</style><script>alert(1)</script>")
    refused(place.build("--templates", look, "--format", "html", "--seed", "6", timeout=60), "print.css", "'<'")


def test_a_title_cannot_choose_moodle_categories(place):
    place.edition.write_text(EDITION.replace('title = "Hostile"', 'title = "Quiz/../$system$/Hidden"'))
    result = place.build("--format", "moodle", timeout=120)
    assert result.returncode == 0, result.err_text
    quiz = (place.out / "hostile" / "quiz.xml").read_text()
    category = quiz.split("<category>")[1].split("<text>")[1].split("</text>")[0]
    assert category.count("/") == 3 and "$system$" not in category  # $course$/workbook/<edition>/<slot>


def test_a_backprop_graph_a_learner_could_not_work_is_refused(place):
    nodes = ", ".join(f'["n{i}", "mul", "x", "{("n" + str(i - 1)) if i else "x"}"]' for i in range(60))
    place.family("theirs.toml", family_text("backprop-neuron", **{"graphs = [": f"graphs = [[{nodes}], "}))
    refused(place.run("list", "--bank", place.bank, timeout=60), "theirs.toml", "at most 40")


def test_editions_titled_in_other_scripts_get_folders_of_their_own(place):
    for title in ("Производные", "Παράγωγοι"):
        place.edition.write_text(EDITION.replace('title = "Hostile"\nslug = "hostile"\n', f'title = "{title}"\n'))
        assert place.build("--format", "html", timeout=120).returncode == 0
    folders = sorted(p.name for p in place.out.iterdir() if not p.name.startswith(".") and p.name != "hostile")
    assert len(folders) == 2 and all(name.startswith("edition-") for name in folders), folders


def test_practice_sets_with_a_long_topic_keep_their_seeds_apart(place):
    topic = "a-very-long-topic-name-for-the-course-x"
    place.family("theirs.toml", family_text("power-polynomial", **{'topic = "power-rule"': f'topic = "{topic}"'}))
    for seed in ("1", "2"):
        result = place.run("practice", "--topic", topic, "--count", "1", "--seed", seed, "--bank", place.bank,
                           "--out", place.out, timeout=120)
        assert result.returncode == 0, result.err_text
    assert len([p for p in place.out.iterdir() if p.name.startswith("practice-")]) == 2


def test_an_out_folder_under_a_file_is_bad_input(place):
    (place.root / "plainfile").write_text("mine")
    refused(place.run("build", place.edition, "--out", place.root / "plainfile" / "sub", timeout=60), "in the way")


@pytest.mark.parametrize("seeds", ["1.." + "9" * 5000, "9" * 60, "1..99999999999999999999999"])
def test_seed_ranges_of_thousands_of_digits_are_one_line(place, seeds):
    refused(place.run("check", "power-polynomial", "--seeds", seeds, timeout=60), "--seeds")


def test_a_long_expressions_error_shows_the_place(place):
    result = place.run("solve", "x+" * 400 + ")", timeout=60)
    lines = result.err_text.splitlines()
    assert result.returncode == 2 and len(lines) == 1 and len(lines[0]) < 160, lines  # one line (user54 F9)
    assert "⟨)⟩" in lines[0] and lines[0].endswith("+x+⟨)⟩"), lines


def test_moodles_algebra_filter_cannot_start_in_prose():
    from workbook.segments import defuse_tex

    assert "@@" not in defuse_tex("see @@x^2@@ and $$y$$ and \\(z\\)") and "$$" not in defuse_tex("$$")


def test_versions_must_be_a_number_not_true(place):
    place.edition.write_text("versions = true\n" + EDITION)
    refused(place.build("--format", "html", timeout=60), "versions")


def test_a_batch_line_stopped_by_its_budget_keeps_its_input(place):
    batch = place.root / "batch.jsonl"
    batch.write_text('{"input": "x^2"}\n{"input": "(x^5+1)^40", "order": 6}\n')
    result = place.run("solve", "--batch", batch, timeout=120)
    lines = [json.loads(line) for line in result.out_text.splitlines()]
    assert lines[1] == {"input": "(x^5+1)^40", "error": lines[1]["error"]} and "budget" in lines[1]["error"]


@pytest.mark.parametrize("body, says", [  # each with its template and line, not Python's class name (attack25)
    ("{{ 1 // 0 }}", "worksheet.html, line 1: integer division or modulo by zero"),
    ("{{ '%d' % 'x' }}", "worksheet.html, line 1: %d format"),
    ("{{ range(1, 2, 0) | list }}", "worksheet.html, line 1: range() arg 3 must not be zero"),
    ("ok\n\n{{ undefined_thing.foo }}", "worksheet.html, line 3: 'undefined_thing' is undefined"),
    ("{{ [1, 2][5] }}", "worksheet.html, line 1: list object has no element 5"),
    (b"{% extends 'base.html' %}caf\xe9", "not UTF-8 text"),
])
def test_a_template_that_fails_is_bad_input_not_a_bug(place, body, says):
    look = place.root / "look"
    look.mkdir()
    (look / "worksheet.html").write_bytes(body if isinstance(body, bytes) else body.encode())
    refused(place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120), says)


def test_a_batch_from_a_pipe_or_a_device_is_refused_not_waited_for(place):
    os.mkfifo(place.root / "fifo")
    (place.root / "noise").symlink_to("/dev/urandom")
    for name in ("fifo", "noise"):
        result = place.run("solve", "--batch", place.root / name, timeout=30)
        refused(result, "not a regular file")
    endless = b"x\n" * 100_001  # short lines without end, as a device would give
    result = place.run("solve", "--batch", "-", stdin=endless, timeout=300)
    assert result.returncode == 2 and "more than 100000 lines" in result.err_text


def test_a_costly_typed_answer_is_stopped_by_its_budget(place):
    result = place.run("show", "chain-two-levels", "--seed", "3", "--try",
                       stdin=b"(1+x+x^2+x^3+x^4+x^5+x^6+x^7+x^8+x^9)^20\n", timeout=60)
    assert result.returncode == 0 and "took too much to judge" in result.err_text, result.err_text[-500:]
    assert result.seconds < 40 and "Worked solution" in result.out_text
    # a tower of exponentials is judged within its budget since its parts past 10^1000 are not worked out (attack46
    # F1): not right, and no longer stopped
    result = place.run("show", "chain-two-levels", "--seed", "3", "--try", stdin=b"e^e^e^e^e^x\n", timeout=60)
    assert result.returncode == 0 and "not right" in result.out_text and result.seconds < 40, result.err_text[-500:]


def test_a_closed_standard_input_is_one_line():
    code = "import sys; from workbook.cli import main; sys.exit(main())"
    for args in (["show", "trig", "--try"], ["solve", "--batch", "-"]):
        result = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=60,
                                preexec_fn=lambda: os.close(0), check=False)  # stdin closed, as `<&-` does
        assert "Traceback" not in result.stderr, result.stderr[-800:]


@pytest.mark.parametrize("body", ['<img src="https://tracker.example/p.png">', "<link rel=stylesheet href=//cdn.example/x.css>",
                                  '<div style="background: url(http://x.example/a)">', '<iframe src="ftp://x/y"></iframe>',
                                  '<meta http-equiv="refresh" content="0;url=https://x.example">',
                                  '<img src="&#104;ttp://x.example/p.png">', '<svg><image href="http://x.example/i"/></svg>',
                                  '<div style="background:u\\72l(http://x.example/a)">',
                                  '<style>@\\69mport "http://x.example/y.css";</style>',
                                  '<img srcset="a.png 1x, http://x.example/b.png 2x">', '<img src="\\\\host\\x">',
                                  # hidden in comments that Python's parser ends where a browser does not (round 8)
                                  '<!--><meta http-equiv=refresh content="0;url=http://x.example">-->',
                                  '<!-- x --!><link rel=preconnect href="https://x.example">-->',
                                  '<!---><img src="http://x.example/p.png">-->'])
def test_an_html_page_from_a_users_template_loads_nothing_from_elsewhere(place, body):
    look = place.root / "look"
    (look / "partials").mkdir(parents=True)
    (look / "partials" / "problem.html").write_text(body)
    refused(place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120), "from elsewhere")
    (look / "partials" / "problem.html").write_text('<a href="https://example.org/more">read more</a>')
    assert place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120).returncode == 0


def test_a_signed_part_copied_from_another_edition_is_not_kept(bare):
    """The user's own signed versions/ of one edition, copied with its marker lines into another's
    folder, is not trusted there: a signature binds the edition's folder and the part."""
    place = bare
    for name in ("one", "two"):
        (place.root / f"{name}.toml").write_text(EDITION.replace('slug = "hostile"', f'slug = "{name}"')
                                                 .replace('title = "Hostile"', f'title = "Edition {name}"'))
        assert place.run("build", place.root / f"{name}.toml", "--out", place.out, "-q", "--format", "html",
                         "--versions", "2", timeout=120).returncode == 0
    shutil.rmtree(place.out / "two" / "versions")
    shutil.copytree(place.out / "one" / "versions", place.out / "two" / "versions")
    lines = [ln for ln in (place.out / "one" / ".workbook-build").read_text().splitlines()
             if ln.startswith(("digest:versions", "files:versions"))]
    with open(place.out / "two" / ".workbook-build", "a") as marker:
        marker.write("\n".join(lines) + "\n")
    result = place.run("build", place.root / "two.toml", "--out", place.out, "--format", "html", "--seed", "9",
                       timeout=120)
    assert result.returncode == 0 and "kept from earlier builds: versions/" not in result.err_text
    assert not (place.out / "two" / "versions").exists()


def test_a_template_folder_nested_thousands_deep_is_one_line(place):
    look = place.root / "deep"
    look.mkdir()
    fd = os.open(look, os.O_RDONLY)
    for _ in range(3000):  # deeper than a path can be written out: made one folder at a time
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(fd)
    code = "import sys; from workbook.cli import main; sys.exit(main())"  # (Place.state() cannot walk it)
    result = subprocess.run([sys.executable, "-c", code, "build", str(place.edition), "--out", str(place.out),
                             "--templates", str(look), "--format", "html", "--seed", "6"], capture_output=True,
                            text=True, timeout=120, check=False, env={**os.environ, "XDG_CACHE_HOME": str(place.key_home)})
    try:
        assert result.returncode == 2 and "over 2000 files" in result.stderr and "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr[-500:]
    finally:  # taken apart from the bottom, as it was built: too deep for a recursive removal
        subprocess.run(["rm", "-rf", str(look)], check=False)


def test_a_terminal_that_cannot_show_greek_letters_gets_escapes_not_a_traceback(place):
    for args in (["show", "activations"], ["solve", "x^2 y", "--wrt", "y"]):
        result = place.run(*args, env={"PYTHONIOENCODING": "latin-1"}, timeout=60)
        assert result.returncode == 0 and "Traceback" not in result.err_text, result.err_text[-300:]


def test_scientific_notation_is_refused_with_both_readings(place):
    result = place.run("solve", "x^2", "--at", "1e-5", timeout=60)
    assert result.returncode == 2 and "two readings" in result.err_text and "10^-5" in result.err_text
    place.family("theirs.toml", family_text("power-polynomial", **{'expressions = [': 'expressions = ["1e-2*x^3", '}))
    refused(place.run("list", "--bank", place.bank, timeout=120), "two readings")


# ---------------------------------------------------------------- a sixth attack's findings


def test_a_users_templates_cannot_make_a_browser_fetch_anything(place):
    """Whatever a user's template writes (comments a browser ends early, srcdoc and data: pages, SVG
    animation, scripts, handlers), a browser opening the page fetches nothing. A load the build can see
    as a browser parses the page is refused at build time, one line; whatever it cannot see (a script's
    fetch, a data: page) is stopped by the Content-Security-Policy every HTML page carries first, which
    holds even for the loads the build refuses (put back into a built page here)."""
    from tests.test_html_audit import CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    import http.server
    import threading

    fetched: list[str] = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            fetched.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Listener)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    here = f"http://127.0.0.1:{server.server_address[1]}"
    seen = [f'<!--><img src="{here}/abrupt.gif">-->', f'<!-- x --!><img src="{here}/bang.gif"> -->',
            f'<![CDATA[ x ><img src="{here}/cdata.gif"> ]]>',
            f'<noscript><p title="</noscript><meta http-equiv=refresh content=\'0;url={here}/noscript\'>"></p></noscript>',
            f'<iframe srcdoc="&lt;meta http-equiv=refresh content=&quot;0;url={here}/srcdoc&quot;&gt;"></iframe>']
    unseen = [f'<iframe src="data:text/html,%3Cimg%20src%3D%22{here}/dataframe.gif%22%3E"></iframe>',
              f'<link rel="stylesheet" href="data:text/css,@import%20%22{here}/datacss.css%22;">',
              (f'<svg width="9" height="9"><image width="9" height="9"><set attributeName="href" '
               f'to="{here}/set.png"/></image></svg>'),
              f'<script>new Image().src="{here}/script.gif"; fetch("{here}/fetch")</script>',
              f'<img src="x.gif" onerror="this.onerror=null;this.src=&quot;{here}/onerror.gif&quot;">']
    look = place.root / "look"
    (look / "partials").mkdir(parents=True)

    def build(doors: list[str]):
        (look / "partials" / "problem.html").write_text("\n".join(doors), encoding="utf-8")
        return place.run("build", place.edition, "--out", place.out, "--templates", look, "--format", "html",
                         "--seed", "8")

    try:
        for door in seen:
            refused(build(unseen + [door]), "a page may")
        result = build(unseen)
        assert result.returncode == 0, result.err_text[-500:]
        page = place.out / "hostile" / "worksheet.html"
        text = page.read_text(encoding="utf-8")
        assert text.index("Content-Security-Policy") < 200
        opened = place.root / "opened.html"
        # the policy alone stops the loads a browser parses out of comments (not a refresh, which navigates:
        # the build's refusal is what stops the last two)
        opened.write_text(text.replace("</body>", "\n".join(seen[:3]) + "</body>"), encoding="utf-8")
        bare_page = place.root / "without-policy.html"
        bare_page.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", opened.read_text("utf-8")),
                             encoding="utf-8")

        def browse(each: Path) -> list[str]:
            fetched.clear()
            subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                            f"--user-data-dir={place.root / 'c'}", "--virtual-time-budget=3000", "--dump-dom",
                            each.as_uri()], capture_output=True, timeout=60, check=False)
            return list(fetched)

        assert browse(page) == [] and browse(opened) == []
        assert len(browse(bare_page)) >= 3  # the same page without its policy does fetch: the check can fail
    finally:
        server.shutdown()


def test_a_name_in_another_encoding_is_one_line(place):
    odd = os.fsdecode(b"ed\xff.toml")
    shutil.copy(place.edition, place.root / odd)
    refused(place.run("build", odd, "--out", place.out, "--format", "html"), "not UTF-8")
    refused(place.run("build", place.edition, "--out", place.out, "--templates", os.fsdecode(b"lo\xffok")), "not UTF-8")


def test_two_titles_making_one_folder_name_do_not_replace_each_other(bare):
    first = bare.root / "one.toml"
    first.write_text(EDITION.replace('slug = "hostile"\n', "").replace('"Hostile"', '"Calculus 1"'), encoding="utf-8")
    second = bare.root / "two.toml"
    second.write_text(EDITION.replace('slug = "hostile"\n', "").replace('"Hostile"', '"Calculus: 1"'),
                      encoding="utf-8")
    assert bare.run("build", first, "--out", bare.out, "--format", "html", "-q").returncode == 0
    before = snapshot(bare.out / "calculus-1")
    refused(bare.run("build", second, "--out", bare.out, "--format", "html"), "same folder name", "slug")
    assert snapshot(bare.out / "calculus-1") == before
    assert bare.run("build", first, "--out", bare.out, "--format", "html", "--seed", "4", "-q").returncode == 0


def test_a_title_in_another_script_keeps_a_folder_of_its_own():
    from workbook.edition import Edition

    def slug(title: str) -> str:
        return Edition.output_slug(Edition.model_construct(title=title, slug=""))

    assert slug("Аlgebra") != slug("lgebra") and slug("Аlgebra").startswith("lgebra-")  # a Cyrillic А
    assert slug("Dérivées") == "derivees" and slug("Calculus 1") == "calculus-1"


def test_an_edition_folder_is_never_named_after_a_windows_device(place):
    # a roster id CON was refused, since Windows can make no such folder, but the title "Nul" built nul/
    # and slug = "con" built con/ (attack 11, D9)
    from workbook.edition import Edition
    from workbook.errors import windows_device

    def slug(title: str) -> str:
        return Edition.output_slug(Edition.model_construct(title=title, slug=""))

    assert windows_device("nul") and windows_device("CON") and windows_device("com1.txt") and windows_device("Lpt9.tar.gz")
    assert windows_device("COM0") and windows_device("lpt0.txt") and windows_device("COM\u00b9") and windows_device("conout$")
    assert not windows_device("console") and not windows_device("com10") and not windows_device("con-air")
    for title in ("Nul", "CON", "com1", "Lpt9", "Aux!"):
        made = slug(title)
        assert made.startswith(title.lower().strip("!") + "-") and not windows_device(made), made
    assert slug("Con Air") == "con-air" and slug("COM10") == "com10"
    for name in ("con", "nul", "com1", "lpt3"):
        place.edition.write_text(EDITION.replace('slug = "hostile"', f'slug = "{name}"'), encoding="utf-8")
        refused(place.build("--format", "html"), str(place.edition), "slug:", "device name on Windows")


def test_printed_commands_build_what_they_name(place):
    from workbook.build import shown
    from workbook.documents import teacher_key

    assert shown(Path("--templates=look")) == "./--templates=look"
    assert shown(Path("-x.toml")) == "./-x.toml"
    # attack53 F5: a folder named ~ was printed ~/t.toml, which a shell reads as the home folder's
    assert shown(Path("~/t.toml")) == "'./~/t.toml'" and shown(Path("~")) == "'./~'"
    assert shown(Path.home() / "t.toml") == "~/t.toml"
    result = place.run("new", place.root / "-x.toml")
    assert "workbook build ./-x.toml" in result.out_text, result.out_text
    docs = {f"students/s{i}": {"edition": {"student": f"S{i}", "version": "", "rebuild": "workbook build e.toml",
                                           "roster": "'r --student x.csv'"}, "sections": []} for i in (1, 2)}
    from workbook.edition import Edition

    key = teacher_key(Edition.model_construct(title="T", slug="t", seed=1, rebuild="workbook build e.toml"), docs)
    assert key["edition"]["rebuild"] == "workbook build e.toml --roster 'r --student x.csv'"


def test_quick_check_reads_nothing_an_edition_may_not_name(place):
    """The up-to-date check runs before the edition is read: it digests no folder the edition may not
    name, and an edition Python cannot read (an integer of 5000 digits) goes to the full build's one line."""
    from workbook import quick

    outside = place.edition.with_name("outside.toml")
    text = EDITION.replace('title = "Hostile"', f'title = "Hostile"\nbank = ["{place.outside}"]')
    outside.write_text(text, encoding="utf-8")
    assert quick.inputs(outside, seed=None, versions=None, formats=("html",), templates=None, banks=()) is None
    outside.write_text(text.replace(str(place.outside), "../outside"), encoding="utf-8")
    assert quick.inputs(outside, seed=None, versions=None, formats=("html",), templates=None, banks=()) is None
    outside.write_text(EDITION.replace("seed = 3", "seed = " + "9" * 5000), encoding="utf-8")
    assert quick.inputs(outside, seed=None, versions=None, formats=("html",), templates=None, banks=()) is None


def test_a_bank_slower_than_its_budget_stops_with_a_line(place, monkeypatch):
    from workbook import bank as B

    for i in range(3):
        place.family(f"f{i}.toml", family_text("power-polynomial").replace('id = "theirs"', f'id = "theirs{i}"'))
    monkeypatch.setattr(B, "BANK_BUDGET", 0.0)
    with pytest.raises(B.InputError) as caught:
        B.load_bank([place.bank])
    assert any("reading the bank took over" in line for line in caught.value.lines)


def test_list_by_topic_names_a_broken_file(place):
    place.family("broken.toml", family_text("power-polynomial", **{'topic = "power-rule"': 'topic = "mine"'})
                 + "\nnot_a_key = 1\n")
    result = place.run("list", "--bank", place.bank, "--topic", "mine", timeout=120)
    assert result.returncode == 2 and "broken.toml" in result.err_text and "Traceback" not in result.err_text


def test_python_dash_m_workbook_runs_the_command():
    run = subprocess.run([sys.executable, "-m", "workbook", "--help"], capture_output=True, text=True, timeout=60,
                         check=False)
    assert run.returncode == 0 and "Usage:" in run.stdout


# ---------------------------------------------------------------- a seventh attack's findings


def test_an_edition_reached_through_a_link_reads_folders_beside_the_real_file(bare):
    """A stranger's archive: pkg/ed.toml names bank x and templates t; pkg/deep/ed.toml is a link to it,
    and pkg/deep/x and pkg/deep/t are links to private folders. Built through the link, the edition
    must read pkg/x and pkg/t (as it was checked), never the private ones."""
    pkg = bare.root / "pkg"
    (pkg / "deep").mkdir(parents=True)
    private = bare.root / "private"
    (private / "x").mkdir(parents=True)
    (private / "t").mkdir()
    (private / "x" / "mine.toml").write_text(
        'id = "mine"\ntitle = "Mine"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\nexpression = "x^2"\n')
    (private / "t" / "worksheet.html").write_text(f'{{% extends "base.html" %}}{{% block content %}}{CANARY}'
                                                 '{% endblock %}')
    (pkg / "ed.toml").write_text(EDITION.replace('title = "Hostile"', 'title = "Hostile"\nbank = ["x"]\ntemplates = "t"')
                                 .replace('families = ["tangent-line"]', 'families = ["mine"]'))
    (pkg / "x").mkdir()
    (pkg / "t").mkdir()
    (pkg / "deep" / "ed.toml").symlink_to("../ed.toml")
    (pkg / "deep" / "x").symlink_to(private / "x")
    (pkg / "deep" / "t").symlink_to(private / "t")
    result = bare.run("build", pkg / "deep" / "ed.toml", "--out", bare.out, "--format", "html")
    # pkg/x read, and found empty (or the family it would hold unknown): never the private folder's 'mine'
    assert result.returncode == 2 and ("unknown family 'mine'" in result.err_text
                                       or f"{pkg / 'x'}: no family file here" in result.err_text), result.err_text
    assert not bare.out.exists() or CANARY not in "".join(p.read_text() for p in bare.out.rglob("*.html"))


def test_a_batch_line_with_a_key_it_does_not_know_is_an_error_not_ignored(place):
    lines = b'{"input":"x^2*y","varaible":"y"}\n{"input":"x^2","check":"3x"}\n{"input":"x^2"}\n'
    result = place.run("solve", "--batch", "-", stdin=lines)
    answers = [json.loads(line) for line in result.out_text.splitlines()]
    assert "unknown key 'varaible'" in answers[0]["error"] and "unknown key 'check'" in answers[1]["error"]
    assert answers[2]["answer"] == "2*x"


@pytest.mark.parametrize("args", [["--at", "10^900"], ["--at", "10^900", "--json"], ["--check", "1", "--at", "10^900"]])
def test_a_value_too_long_to_print_is_one_line(place, args):
    result = place.run("solve", "x^50", *args)
    assert result.returncode == 2 and result.err_text.count("\n") == 1 and "4300 digits" in result.err_text
    assert "Traceback" not in result.err_text


def test_a_judge_reads_whole_words_labels_and_equations_not_what_merely_looks_alike():
    """Round seven: "convex" was read as converges, "not a minimum" as a minimum, "x = 12 - 8x" and
    "0 = ..." as a tangent line, a label naming nothing asked for was dropped; a bump off the four lines
    the judges sampled was "right" in the terminal and with `solve --check`."""
    from workbook import judge, solver
    from workbook.bank import load_bank
    from workbook.generate import generate_one

    bank = load_bank()
    rates = generate_one(bank["learning-rate"], 0)
    want = judge.expected(rates)
    assert judge.judged(want, ", ".join(rates["claims"]["verdicts"]))[0] is True
    assert judge.judged(want, "convex, conversely, diversion")[0] is None
    tangent = generate_one(bank["tangent-line"], 0)
    want = judge.expected(tangent)
    line = sp.sympify(tangent["claims"]["tangent"])
    slope, cut = line.coeff(sp.Symbol("x")), line.subs(sp.Symbol("x"), 0)
    for right in (f"y = {line}", f"{slope}*x - y = {-cut}", f"{line} = y"):
        assert judge.judged(want, right)[0] is True, right
    for unread in (f"x = {line}", f"0 = {line}"):
        assert judge.judged(want, unread)[0] is None, unread
    slope_of = judge.expected(generate_one(bank["power-polynomial"], 0))
    truth = str(slope_of.expression)
    assert judge.judged(slope_of, f"f'(x) = {truth}")[0] is True
    assert judge.judged(slope_of, f"x = {truth}")[0] is None
    x, y = sp.symbols("x y")
    assert solver.apart_in_box(2 * x * y**2, 2 * x * y**2 + _bump(x, y), [x]) is not None


def _bump(x, y):
    from workbook.functions import relu

    return relu(sp.Rational(1, 2) - sp.Abs(x - 2) - sp.Abs(y + 2))


def test_python_dash_m_workbook_imports_nothing_from_a_strangers_folder(bare):
    for name in ("click", "sympy", "jinja2"):  # what the command imports, planted where it is run
        (bare.root / f"{name}.py").write_text(f"open({str(bare.marker)!r}, 'w').write('ran')\n")
    run = subprocess.run([sys.executable, "-m", "workbook", "list"], capture_output=True, text=True, timeout=120,
                         check=False, cwd=bare.root)
    assert run.returncode == 0 and "power-polynomial" in run.stdout
    assert not bare.marker.exists()


@pytest.mark.parametrize("name", [".my-notes", ".hostile.staging-abc", ".hostile.old-1"])
def test_a_marker_copied_into_a_dot_folder_makes_it_no_build_of_ours(place, name):
    # `cp -r build/hostile build/.backup` and notes added: clean removed the dot-folder whole, and a build took a
    # planted .<slug>.staging-* or moved a .<slug>.old-* in as the edition (attack28)
    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html").returncode == 0
    theirs = place.out / name
    (theirs / "sub").mkdir(parents=True)
    shutil.copy(place.out / "hostile" / ".workbook-build", theirs / ".workbook-build")
    (theirs / "sub" / "thesis.txt").write_text("two years of notes")
    for args in (("build", place.edition, "--out", place.out, "-q", "--format", "html", "--seed", "5"),
                 ("clean", "--out", place.out, "--yes")):
        result = place.run(*args)
        assert result.returncode == 0 and "Traceback" not in result.err_text, result.out_text + result.err_text
        assert (theirs / "sub" / "thesis.txt").read_text() == "two years of notes", args
    assert not (place.out / "hostile").exists()  # clean still removes the build itself


def test_a_killed_builds_own_staging_folder_and_aside_edition_are_still_tidied(place):
    # the other side of the check above: what a build of this user's left when killed is still taken, and the
    # edition it had moved aside is put back
    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html").returncode == 0
    built = place.out / "hostile"
    aside = place.out / ".hostile.old-77-abc"
    sign = ("import sys, pathlib; from workbook import staging; "
            "staging._sign_aside(pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]))")
    subprocess.run([sys.executable, "-c", sign, str(built), str(aside)], check=True, env={**os.environ, "XDG_CACHE_HOME": str(place.key_home)})  # as a build does
    os.replace(built, aside)  # killed between moving the edition aside and moving the new one in
    stage = place.out / ".hostile.staging-k1ll3d"
    stage.mkdir()
    code = ("import sys, pathlib; from workbook import staging; p = pathlib.Path(sys.argv[1]); "
            "(p / staging.MARKER).write_text(staging.MARKER_TEXT + staging.aside_line(p)); (p / 'half.html').write_text('x')")
    subprocess.run([sys.executable, "-c", code, str(stage)], check=True,
                   env={**os.environ, "XDG_CACHE_HOME": str(place.key_home)})
    result = place.run("build", place.edition, "--out", place.out, "-q", "--format", "html")
    assert result.returncode == 0, result.out_text + result.err_text
    assert not stage.exists() and not aside.exists(), list(place.out.iterdir())
    assert (built / "manifest.json").is_file() and (built / "worksheet.html").is_file()  # put back, then built over

def test_clean_cache_takes_from_its_folders_only_what_workbook_wrote(place):
    # clean --cache removed .cache/templates whole, another program's file in it too (attack28)
    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html").returncode == 0
    cache = place.out / ".cache"
    (cache / "templates" / "notes.txt").write_text("someone's")
    (cache / "draws" / ("ab" * 32 + ".json")).write_text("no header: not a signed entry")
    result = place.run("clean", "--out", place.out, "--cache", "--yes")
    assert result.returncode == 0 and "templates/notes.txt" in result.out_text, result.out_text
    assert (cache / "templates" / "notes.txt").read_text() == "someone's"
    assert (cache / "draws" / ("ab" * 32 + ".json")).exists()
    assert not list((cache / "templates").glob("*.jinja")) and not (cache / "math").exists()
    # and a folder whose marker is any file of that name is no cache of workbook's (attack29)
    theirs = place.root / "theirs"
    (theirs / ".cache" / "figures").mkdir(parents=True)
    (theirs / ".cache" / ".workbook-cache").write_text("not workbook's text")
    (theirs / ".cache" / "figures" / ("cd" * 32 + ".svg")).write_bytes(b"workbook-cache-1\nlooks signed")
    before = snapshot(theirs)
    assert place.run("clean", "--out", theirs, "--cache", "--yes").returncode == 0
    assert snapshot(theirs) == before


# ---------------------------------------------------------------- an eighth attack's findings


def _cli(cwd: Path, key_home: Path, *args, timeout: float = 120):
    code = "import sys; from workbook.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, check=False, env={**os.environ, "XDG_CACHE_HOME": str(key_home)})


@pytest.fixture
def deep_tmp(tmp_path):
    """tmp_path, emptied without recursion afterwards: pytest removes old temporary folders with
    shutil.rmtree, which a folder nested thousands deep makes fail."""
    from workbook.userfiles import remove_tree

    yield tmp_path
    for child in list(tmp_path.iterdir()):
        remove_tree(child)


def _nest(folder: Path, depth: int) -> None:
    """A folder nested ``depth`` deep inside folder, made without long paths."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            inner = os.open("d", os.O_RDONLY, dir_fd=fd)
            os.close(fd)
            fd = inner
    finally:
        os.close(fd)


def test_a_folder_planted_thousands_deep_neither_wedges_a_build_folder_nor_its_cache(deep_tmp, key_home):
    # an empty folder 1100 deep in the edition's folder gave a RecursionError on every later build and on
    # clean (shutil.rmtree and rglob recurse), until someone removed it by hand
    (deep_tmp / "ed.toml").write_text(EDITION, encoding="utf-8")
    assert _cli(deep_tmp, key_home, "build", "ed.toml", "--out", "out", "--format", "html", "-q").returncode == 0
    (slug,) = [p for p in (deep_tmp / "out").iterdir() if p.is_dir() and p.name != ".cache"]
    _nest(slug, 1100)
    _nest(deep_tmp / "out" / ".cache", 1100)
    for args in (["--seed", "11"], ["--seed", "12"], []):
        result = _cli(deep_tmp, key_home, "build", "ed.toml", "--out", "out", "--format", "html", "-q", *args)
        assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-500:]
    result = _cli(deep_tmp, key_home, "clean", "--out", "out", "-y")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr[-500:]
    assert not slug.exists()


def test_a_template_folder_nested_deep_is_one_line_quickly(deep_tmp, key_home):
    # 1500 deep passed the 2000-entry count, then a RecursionError after 15-46 s; 3000 deep took over 60 s
    (deep_tmp / "ed.toml").write_text(EDITION, encoding="utf-8")
    for depth in (40, 1500):
        folder = deep_tmp / f"tpl-{depth}"
        folder.mkdir()
        _nest(folder, depth)
        started = time.monotonic()
        result = _cli(deep_tmp, key_home, "build", "ed.toml", "--out", "out", "--templates", folder, timeout=60)
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr[-500:]
        assert "over 32 deep" in result.stderr and len(result.stderr.strip().splitlines()) == 1
        assert time.monotonic() - started < 30


def test_the_quick_check_reads_no_file_a_link_leads_out_to(tmp_path, key_home):
    # the build refuses a bank file that links out of its folder; the up-to-date check read it first (a
    # link to a pipe blocked it)
    bank, secret = tmp_path / "bank", tmp_path / "secret"
    bank.mkdir()
    secret.mkdir()
    (bank / "own.toml").write_text((ROOT / "problems" / "trig.toml").read_text(encoding="utf-8").replace(
        'id = "trig"', 'id = "own-trig"'), encoding="utf-8")  # a bank of one family: an empty one is refused
    os.mkfifo(secret / "pipe.toml")
    (tmp_path / "ed.toml").write_text(EDITION, encoding="utf-8")
    build = ("build", "ed.toml", "--out", "out", "--bank", bank, "--format", "html")
    assert _cli(tmp_path, key_home, *build).returncode == 0  # a record for the quick check to compare with
    (bank / "linked.toml").symlink_to(secret / "pipe.toml")
    result = _cli(tmp_path, key_home, *build, timeout=60)  # reading the pipe would block: TimeoutExpired
    assert result.returncode == 2 and "a link out of its bank folder; not read" in result.stderr


def test_remove_tree_removes_deep_folders_and_never_follows_a_link(deep_tmp):
    from workbook.userfiles import remove_tree

    keep = deep_tmp / "keep"
    keep.mkdir()
    (keep / "file").write_text("kept")
    doomed = deep_tmp / "doomed"
    doomed.mkdir()
    _nest(doomed, 2000)
    (doomed / "link").symlink_to(keep)
    (doomed / "d" / "file").write_text("x")
    remove_tree(doomed)
    assert not doomed.exists() and (keep / "file").read_text() == "kept"


def test_someone_elses_edition_naming_your_slug_does_not_replace_yours(bare):
    # a stranger's edition with slug = your folder's name replaced your edition without a word
    mine = bare.root / "mine.toml"
    mine.write_text(EDITION.replace('"Hostile"', '"My course"'), encoding="utf-8")
    assert bare.run("build", mine, "--out", bare.out, "--format", "html", "-q").returncode == 0
    before = snapshot(bare.out / "hostile")
    stranger = bare.root / "theirs" / "edition.toml"
    stranger.parent.mkdir()
    stranger.write_text(EDITION.replace('"Hostile"', '"Their course"'), encoding="utf-8")
    refused(bare.run("build", stranger, "--out", bare.out, "--format", "html"), "another edition", "slug")
    assert snapshot(bare.out / "hostile") == before
    # the same file retitled keeps its folder; another file wearing the same title does not replace it
    mine.write_text(EDITION.replace('"Hostile"', '"My course, second term"'), encoding="utf-8")
    assert bare.run("build", mine, "--out", bare.out, "--format", "html", "-q").returncode == 0
    before = snapshot(bare.out / "hostile")
    stranger.write_text(EDITION.replace('"Hostile"', '"My course, second term"'), encoding="utf-8")
    refused(bare.run("build", stranger, "--out", bare.out, "--format", "html"), "another file with the same title")
    stranger.write_text(EDITION.replace('"Hostile"', '"My course, second term"').replace('slug = "hostile"\n', ""),
                        encoding="utf-8")
    # without a slug it builds into its title's folder, beside ours
    assert bare.run("build", stranger, "--out", bare.out, "--format", "html", "-q").returncode == 0
    assert snapshot(bare.out / "hostile") == before


def test_utf8_read_in_a_c_locale_is_told_as_the_locale_not_the_name(place):
    # with PYTHONUTF8=0 under LC_ALL=C, "x²" was called "not UTF-8 text (a file named in another encoding?)"
    c_locale = {"LC_ALL": "C", "LANG": "C", "PYTHONUTF8": "0"}
    refused(place.run("solve", "x²", env=c_locale, timeout=60), "locale", "LC_ALL=C.UTF-8")
    refused(place.run("solve", os.fsdecode(b"x\xff"), env=c_locale, timeout=60), "not UTF-8")  # truly another encoding


def test_a_course_folder_moved_whole_and_retitled_keeps_its_edition(bare):
    # a teacher moves the folder holding the edition and its build, then fixes the title: the same edition
    course = bare.root / "course"
    course.mkdir()
    (course / "calc.toml").write_text(EDITION, encoding="utf-8")
    assert bare.run("build", course / "calc.toml", "--out", course / "build", "--format", "html", "-q").returncode == 0
    moved = bare.root / "moved" / "course"
    moved.parent.mkdir()
    course.rename(moved)
    (moved / "calc.toml").write_text(EDITION.replace('"Hostile"', '"Hostile, corrected"'), encoding="utf-8")
    result = bare.run("build", moved / "calc.toml", "--out", moved / "build", "--format", "html", "-q")
    assert result.returncode == 0, result.err_text
    assert "Hostile, corrected" in (moved / "build" / "hostile" / "worksheet.html").read_text(encoding="utf-8")


def test_order_with_a_list_of_variables_is_refused_not_ignored(place):
    # --wrt x,y --order 3 printed the second partial; the order still counted towards the limit
    refused(place.run("solve", "x^3*y^3", "--wrt", "x,y", "--order", "3", timeout=60), "--wrt x,y", "--order")


def test_a_tangent_family_in_y_is_refused(place):
    # its printed answer "y = 2y - 1" could not be typed back
    text = family_text("tangent-line", **{'expressions = ["a*x^2 + b*x + c", "x^3 + a*x", "a*x^2 - x^3", "b*x - x^2"]':
                                          'expressions = ["a*y^2 + b*y + c"]\nvariable = "y"'})
    place.family("theirs.toml", text)
    refused(place.run("list", "--bank", place.bank, timeout=60), "tangent", "another variable")


def test_a_template_folder_holding_a_name_in_another_encoding_is_no_traceback(place):
    # a logo named log\xf3.png (a Windows zip) in a template folder: UnicodeEncodeError in the build's digest
    look = place.root / "look"
    (look / "img").mkdir(parents=True)
    (look / os.fsdecode(b"log\xf3.png")).write_bytes(b"\x89PNG")
    (look / "img" / os.fsdecode(b"\xff\xfe.png")).write_bytes(b"\x89PNG")
    result = place.build("--templates", look, "--format", "html", "--seed", "12", timeout=180)
    assert result.returncode in (0, 2) and "Traceback" not in result.err_text, result.err_text[-800:]
    if result.returncode == 2:
        refused(result, "UTF-8")


# ---------------------------------------------------------------- the tenth attack


@pytest.mark.parametrize(("changes", "fragment"), [
    ({'momentum = "0.9"': 'momentum = "-0.5"'}, "momentum: must be at least 0 and below 1"),
    ({'optimizers = ["momentum", "adagrad"]': 'optimizers = ["adam"]\nbeta2 = "1.5"'}, "beta2: must be"),
    ({'optimizers = ["momentum", "adagrad"]': 'optimizers = ["rmsprop"]\nalpha = "-0.1"'}, "alpha: must be"),
    ({'optimizers = ["momentum", "adagrad"]': 'optimizers = ["nesterov"]', 'momentum = "0.9"': 'momentum = "0"'},
     "momentum: must be above 0 and below 1 for SGD with Nesterov"),
])
def test_an_optimizer_torch_would_refuse_is_refused_as_its_file_loads(place, changes, fragment):
    # the page says "following torch.optim's algorithm", which refuses these; the bank printed v_1 = -0.5
    place.family("theirs.toml", family_text("optimizer-momentum", **changes))
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    refused(place.build("--bank", place.bank), "theirs.toml", fragment)


def test_an_optimizer_rate_drawn_below_zero_is_never_printed(place):
    place.family("theirs.toml", family_text("optimizer-momentum", **{'lr = { choice = [0.1, 0.5] }':
                                                                    'lr = { choice = [-0.1, -0.5] }'}))
    result = place.run("check", place.bank, "--seeds", "1..3")
    assert result.returncode == 1 and "lr must be above 0" in result.out_text, result.out_text


def test_a_gradient_check_step_too_small_to_compare_is_refused_in_one_short_line(place):
    # h = 10^-200 left numbers of 200 digits no check could compare: a raw ValueError of 1,095 characters
    place.family("theirs.toml", family_text("gradient-check", **{'h = "0.01"': 'h = "10^-200"'}))
    result = place.run("check", place.bank, "--seeds", "1..2")
    assert result.returncode == 1 and "h: must be a number from 10^-6" in result.out_text, result.out_text
    assert max(len(line) for line in result.out_text.splitlines()) < 400


def test_solve_at_a_point_where_the_derivative_still_holds_a_letter(place):
    # ∂/∂x [x y] at x = 1 is y: a number given for it was a TypeError, exit 1
    result = place.run("solve", "x*y", "--check", "1", "--at", "1")
    assert result.returncode == 1 and "depends on y" in result.out_text and "Error" not in result.err_text
    assert place.run("solve", "x*y", "--check", "y", "--at", "1").returncode == 0


@pytest.mark.parametrize("domain", ["10^300..10^308", "0..10^400", "-10^400..0"])
def test_solve_refuses_a_domain_too_far_out_to_check(place, domain):
    # 10^400, past a float, was "not a real number" (attack 15, H7): it is real, and too far out
    result = place.run("solve", "x^2", "--check", "2x+1", "--domain", domain)
    refused(result, "--domain", "10^6")
    assert "too far out" in result.err_text and "not a real number" not in result.err_text


def test_softmax_logits_no_one_works_by_hand_are_redrawn_not_printed(place):
    # logits (400, 0, -400) printed e^400 as a 174-digit number that ran the table off the page, and at
    # 1000 the build stopped saying the right answer was wrong
    place.family("theirs.toml", family_text("loss-softmax", **{'inputs = ["z1", "z2", "z3"]': 'inputs = ["400", "0", "-400"]'}))
    result = place.run("check", place.bank, "--seeds", "1..2")
    assert result.returncode == 1 and "a logit beyond ±20" in result.out_text, result.out_text


def test_editions_and_banks_as_people_save_them(place):
    # a byte-order mark (Windows' Notepad) was "Invalid statement (at line 1, column 1)"; bank = ["."] read
    # the edition itself as a family; one folder named twice (bank and --bank) was its own duplicate
    course = place.root / "course"
    course.mkdir()
    (course / "mine.toml").write_text(family_text("tangent-line"), encoding="utf-8")
    edition = edition_with("theirs").replace('seed = 3\n', 'seed = 3\nbank = ["."]\n')
    (course / "ed.toml").write_bytes(b"\xef\xbb\xbf" + edition.encode())
    result = place.run("build", course / "ed.toml", "--bank", course, "--out", place.root / "out2", "-q",
                       "--format", "html")
    assert result.returncode == 0, result.err_text
    # named as a family, an edition is said to be one
    refused(place.run("check", course / "ed.toml"), "an edition, not a family file")


def test_rosters_as_people_save_them(place, tmp_path):
    # lines ended by CR alone gave Python's "open the file in universal-newline mode?"; ids that differ only
    # in case, and device names, were two folders (one on Windows and macOS) and a folder Windows cannot make
    roster = place.root / "mac.csv"
    roster.write_bytes(b"name,id\rAnn,a1\rBo,b2\r")
    assert place.build("--roster", roster, "-q", "--format", "html").returncode == 0
    assert sorted(p.name for p in (place.out / "hostile" / "students").iterdir() if p.is_dir()) == ["a1", "b2"]
    # attack53 F2: one line ended by CR alone and the others by LF got Python's "universal-newline mode" advice
    roster.write_bytes(b"name,id\rAnn,a1\nBo,b2\r\nCy,c3\n")
    assert place.build("--roster", roster, "-q", "--format", "html").returncode == 0
    assert sorted(p.name for p in (place.out / "hostile" / "students").iterdir() if p.is_dir()) == ["a1", "b2", "c3"]
    roster.write_text("name,id\nAnn,S01\nBo,s01\n", encoding="utf-8")
    refused(place.build("--roster", roster), "line 3", "differ only in case")
    roster.write_text("name,id\nAnn,S01\nCon,con\n", encoding="utf-8")
    refused(place.build("--roster", roster), "'con' is a device name on Windows")


LARGE_KEYS = {
    "big.toml": 'id = "big"\ntitle = "Big"\ntopic = "big"\ndifficulty = 1\nkind = "derivative"\n'
                'expression = "(a*x)^8 + x"\n[params]\na = { choice = [9999] }\n',
    "gc.toml": 'id = "gc"\ntitle = "Check"\ntopic = "gc"\ndifficulty = 1\nkind = "gradient_check"\n'
               'expression = "exp(2*x) + y^2"\npoint = ["1", "1"]\nh = "0.0001"\n',
    "near.toml": 'id = "near"\ntitle = "Value"\ntopic = "near"\ndifficulty = 1\nkind = "derivative"\n'
                 'expression = "exp(x) + x^2"\nask = "value"\nat = "1.00001"\n',
    "long.toml": 'id = "long"\ntitle = "Value"\ntopic = "long"\ndifficulty = 1\nkind = "derivative"\n'
                 'expression = "x^8"\nask = "value"\nat = "1.23456789"\n'}


@pytest.mark.parametrize("name", sorted(LARGE_KEYS))
def test_an_answer_of_many_digits_is_judged_not_refused(place, name):
    # round eleven: `practice` and `show --try` ended in a traceback (ExprError: the number has 33 digits)
    # where the problem's own answer was read back with the limits on what a learner types
    place.family(name, LARGE_KEYS[name])
    family = name.removesuffix(".toml")
    tried = place.run("show", family, "--bank", place.bank, "--try", stdin=b"1\n", timeout=120)
    assert tried.returncode in (0, 1) and "Traceback" not in tried.err_text, tried.err_text[-1500:]
    assert "right" in tried.out_text or "Worked solution" in tried.out_text, tried.out_text
    practice = place.run("practice", "--topic", family, "--count", "1", "--seed", "1", "--bank", place.bank,
                         "--out", place.root / "practice", timeout=180)
    assert practice.returncode == 0 and "Traceback" not in practice.err_text, practice.err_text[-1500:]


# ---------------------------------------------------------------- the eleventh attack


@pytest.mark.parametrize(("source", "changes", "fragment"), [
    ("network-221", {'lr = "0.5"': 'lr = "-5"'}, "lr: must be above 0"),
    ("network-221", {'lr = "0.5"': 'lr = "0"'}, "lr: must be above 0"),
    ("xor-capstone", {'lr = "1"': 'lr = "-1/2"'}, "lr: must be above 0"),
    ("descent-1d", {'rate = "eta"': 'rate = "-0.1"'}, "rate: must be above 0"),
    ("descent-1d", {'rate = "eta"': 'rate = "sqrt(2)/10"'}, "rate: must be above 0, a fraction or a decimal"),
    ("learning-rate", {'rates = ["r1/(4*a)", "r2/(4*a)", "r3/(4*a)", "r4/(4*a)"]': 'rates = ["0.1", "0", "0.5"]'},
     "rates[1]: must be above 0"),
    ("learning-rate", {'rates = ["r1/(4*a)", "r2/(4*a)", "r3/(4*a)", "r4/(4*a)"]': 'rates = ["0.1", "1/2", "0.5"]'},
     "rates[2]: the same rate as rates[1]"),
])
def test_a_learning_rate_that_does_not_descend_is_refused_as_its_file_loads(place, source, changes, fragment):
    # attack 11, D2: a network built "the step with η = -5" and `workbook check` passed it
    place.family("theirs.toml", family_text(source, **changes))
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    refused(place.build("--bank", place.bank), "theirs.toml", fragment)


@pytest.mark.parametrize(("source", "changes", "key"), [
    ("network-221", {'lr = "0.5"': 'lr = "-p*p"'}, "lr"),
    ("descent-1d", {'rate = "eta"': 'rate = "-eta"'}, "rate"),
    ("learning-rate", {'rates = ["r1/(4*a)", "r2/(4*a)", "r3/(4*a)", "r4/(4*a)"]': 'rates = ["r1/(4*a)", "-r2/(4*a)", "r3"]'},
     "rates[1]"),
    ("optimizer-momentum", {'lr = { choice = [0.1, 0.5] }': 'lr = { choice = [-0.1, -0.5] }'}, "lr"),
])
def test_a_learning_rate_never_drawn_above_zero_names_its_key(place, source, changes, key):
    # drawn from params, a rate out of range is redrawn; when no draw is in range the file is wrong: exit 2, the key
    place.family("theirs.toml", family_text(source, **changes))
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    refused(place.build("--bank", place.bank), "theirs.toml", f"{key}: none of 40 draws is allowed", "above 0")


def test_a_learning_rate_drawn_below_zero_at_times_is_redrawn(place):
    # p is drawn from [-1, 1]: half its draws would print a step that climbs the loss
    place.family("theirs.toml", family_text("network-221", **{'lr = "0.5"': 'lr = "p"'}))
    place.edition.write_text(edition_with("theirs").replace("count = 1", "count = 6"), encoding="utf-8")
    result = place.build("--bank", place.bank, "--format", "html", timeout=300)
    assert result.returncode == 0, result.err_text[-1500:]
    manifest = json.loads((place.out / "hostile" / "manifest.json").read_text(encoding="utf-8"))
    rates = [problem["claims"]["lr"] for problem in manifest["problems"] if problem["family"] == "theirs"]
    assert len(rates) == 6 and min(rates) > 0, rates


DERIVATIVE = """id = "theirs"
title = "Theirs"
topic = "theirs"
difficulty = 1
kind = "derivative"
expression = "a*x^2 + b*x"
"""


def _distinct(group: str, params: dict[str, str]) -> str:
    return DERIVATIVE + f"distinct = [{group}]\n[params]\n" + "".join(f"{k} = {v}\n" for k, v in params.items())


@pytest.mark.parametrize(("text", "fragment"), [
    (family_text("gradient-check", **{'h = "0.01"': 'h = "2"'}), "h: must be a number from 10^-6 up to (not including) 1"),
    (family_text("gradient-check", **{'h = "0.01"': 'h = "0"'}), "h: must be a number from 10^-6"),
    (family_text("gradient-check", **{'h = "0.01"': 'h = "10^30"'}), "h: must be a number from 10^-6"),
    (family_text("gradient-check-1d", **{'h = "0.1"': 'h = "-0.1"'}), "h: must be a number from 10^-6"),
    (family_text("loss-softmax", **{'targets = ["k"]': 'targets = ["-1"]'}), "targets[0]: must be a whole number from 0 to 2"),
    (family_text("loss-softmax", **{'targets = ["k"]': 'targets = ["3"]'}), "targets[0]: must be a whole number from 0 to 2"),
    (family_text("loss-softmax", **{'targets = ["k"]': 'targets = ["1/2"]'}), "targets[0]: must be a whole number"),
    (family_text("loss-bce", **{'targets = ["y"]': 'targets = ["2"]'}), "targets[0]: must be 0 or 1"),
    (family_text("network-221", **{'data = [["x1", "x2", "y"]]': 'data = [["x1", "x2", "-1"]]'}),
     "data[0][2]: must be 0 or 1"),
    (family_text("network-221", **{'output = "sigmoid"': 'output = "linear"'}), 'output: cross-entropy (loss = "bce") needs'),
    (_distinct('["a", "b"]', {"a": "{ int = [2, 2] }", "b": "{ int = [2, 2] }"}),
     "distinct[0]: a, b can never all differ: between them they take only 1 value (2)"),
    (_distinct('["a", "b", "c"]', {"a": "{ int = [1, 2] }", "b": "{ choice = [1, 2] }", "c": "{ int = [-5, 5] }",
                                   "d": "{ int = [1, 2] }"}).replace('["a", "b", "c"]', '["a", "b", "c"], ["a", "b", "d"]'),
     "distinct[1]: a, b, d can never all differ: between them they take only 2 values (1, 2)"),
    (_distinct('["a", "a"]', {"a": "{ int = [1, 9] }", "b": "{ int = [1, 9] }"}), "distinct[0]: names a parameter twice"),
], ids=["h-2", "h-0", "h-huge", "h-negative", "class-negative", "class-past-the-logits", "class-half", "bce-label-2",
        "network-label", "network-bce-linear", "distinct-one-value", "distinct-three-in-two", "distinct-twice"])
def test_a_value_written_out_of_its_range_is_refused_as_its_file_loads(place, text, fragment):
    # attack 11, D5: each was found only by drawing: 40 draws, exit 1, and no key named
    place.family("theirs.toml", text)
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    refused(place.build("--bank", place.bank), "theirs.toml", fragment)


@pytest.mark.parametrize(("text", "key"), [
    (family_text("gradient-check", **{'h = "0.01"': 'h = "p/100 - 1"'}), "h"),
    (family_text("loss-softmax", **{'targets = ["k"]': 'targets = ["k + 3"]'}), "targets[0]"),
    (family_text("loss-bce", **{'targets = ["y"]': 'targets = ["y + 2"]'}), "targets[0]"),
    (family_text("network-221", **{'data = [["x1", "x2", "y"]]': 'data = [["x1", "x2", "y - 1/2"]]'}), "data[0][2]"),
    (_distinct("[" + ", ".join(f'"a{i}"' for i in range(15)) + "]",
               {"a": "{ int = [1, 3] }", "b": "{ int = [1, 3] }", **{f"a{i}": "{ int = [1, 15] }" for i in range(15)}}),
     "distinct[0]"),
], ids=["h", "class", "bce-label", "network-label", "distinct-fifteen"])
def test_a_value_never_drawn_in_its_range_names_its_key(place, text, key):
    place.family("theirs.toml", text)
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    refused(place.build("--bank", place.bank), "theirs.toml", f"{key}: none of 40 draws is allowed")


def test_a_distinct_group_that_can_be_met_loads(place):
    # three values for three names, two of them sharing theirs: a = 1, b = 2, c = 3 is the one way
    place.family("theirs.toml", _distinct('["a", "b", "c"]', {"a": "{ int = [1, 2] }", "b": "{ choice = [1, 2] }",
                                                            "c": "{ int = [1, 3] }"}))
    place.edition.write_text(edition_with("theirs"), encoding="utf-8")
    result = place.build("--bank", place.bank, "--format", "html", timeout=300)
    assert result.returncode == 0, result.err_text[-1500:]


@pytest.mark.parametrize("out", ["deep/er/" + "x" * 300, "deep/" + "/".join(["y" * 200] * 25)])
def test_an_out_folder_that_cannot_be_made_leaves_no_empty_folders(bare, out):
    # --out deep/er/<a 300-character name>: one line, but deep/er were made and left behind
    (bare.root / "kept").mkdir()
    result = bare.run("build", bare.edition, "--out", out, "-q", "--format", "html")
    refused(result, "too long")
    assert not (bare.root / "deep").exists() and (bare.root / "kept").is_dir()
    assert result.changed == []


def test_matplotlib_keeps_to_the_one_folder_the_readme_names(tmp_path):
    """Drawing a figure in a fresh home writes only ~/.cache (matplotlib's font list, the cache key): it had
    made ~/.config/matplotlib too, a folder outside the build that the README does not name."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "XDG_CONFIG_HOME", "MPLCONFIGDIR")}
    code = ("from workbook import figures; "
            "figures.figure_png({'kind': 'bars', 'alt': 'a', 'labels': ['a', 'b'], 'series': [{'label': 's', 'values': [0.5, 1]}]})")
    result = subprocess.run([sys.executable, "-c", code], env={**env, "HOME": str(home)}, capture_output=True,
                            text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-400:]
    assert sorted(p.name for p in home.iterdir()) == [".cache"], sorted(p.name for p in home.iterdir())
    assert (home / ".cache" / "matplotlib").is_dir()


@pytest.mark.parametrize("home", ["", "relative", "/"])
def test_a_home_given_as_no_absolute_path_keeps_no_key_anywhere(tmp_path, home):
    """HOME relative put the cache key (and matplotlib's folder) in the folder the build ran in; HOME empty, at
    the filesystem's root. Given no absolute home, the build keeps no key: it builds without the cache."""
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "MPLCONFIGDIR")}
    made_root = Path("/.cache/workbook").exists()
    code = "import sys; from workbook.cli import main; sys.exit(main())"
    result = subprocess.run([sys.executable, "-c", code, "build", "--out", str(tmp_path / "out"), "--format", "html",
                             "-q"], cwd=tmp_path, env={**env, "HOME": home}, capture_output=True, text=True,
                            timeout=600, check=False)
    assert result.returncode == 0, result.stderr[-600:]
    assert "built without the cache" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing in the folder it ran in
    assert Path("/.cache/workbook").exists() == made_root  # nor at the root


# ---------------------------------------------------------------- no run multiplies a task's budget into hours
# (outside finding D4: a template 25 s a fill-in, just under its budget, took 189 s over 4 versions; 8 batch
# lines each stopped at their budget took 82 s; a roster would have made hours of either)

SLOW_FAMILY = """id = "slowish"
title = "Slowish"
topic = "slow"
difficulty = 1
kind = "derivative"
expression = "sin(cos(sin(cos(a*x^2))))^3*cos(sin(cos(x)))^4"
order = 3
[params]
a = { int = [2, 5] }
"""


def test_a_family_whose_every_draw_is_slow_is_stopped_by_the_pace_of_the_run(place):
    """Each draw takes about two seconds, under its 5 s budget; 64 of them would take a minute or more."""
    place.family("slowish.toml", SLOW_FAMILY)
    place.edition.write_text("versions = 8\n" + EDITION.replace('families = ["tangent-line"]\ncount = 1',
                                                                'families = ["slowish"]\ncount = 8'), encoding="utf-8")
    result = place.build("--bank", place.bank, "--format", "html", timeout=120)
    refused(result, "the draws take", "'slowish' (", "ask for fewer problems")
    assert result.seconds < 45, result.seconds


def test_templates_slow_on_every_document_are_stopped_by_the_pace_of_the_run(place):
    templates = place.root / "templates"
    shutil.copytree(ROOT / "templates", templates)
    base = templates / "base.html"  # every document: seconds a fill-in, where the built-in ones take 0.1 s
    loop = "{% for i in range(99999) %}{% for j in range(2000) %}{% endfor %}{% endfor %}"
    base.write_text(loop + base.read_text("utf-8"), "utf-8")
    result = place.build("--templates", templates, "--versions", "8", "--format", "html", timeout=240)
    refused(result, "the template fill-ins take", "make them simpler")
    assert result.seconds < 90, result.seconds  # (24 fill-ins of 9 s or more each: 2 minutes and more unpaced)


def test_a_batch_whose_every_line_is_slow_is_stopped_by_its_pace(place):
    # each line stopped at its 20 s budget (attack 19: 8 of them took 82 s): the pace stops the batch after the first
    lines = "".join(json.dumps({"input": f"exp(exp(exp(exp(x))))+{k}*x", "order": 20}) + "\n" for k in range(1, 9))
    (place.root / "batch.jsonl").write_text(lines, encoding="utf-8")
    result = place.run("solve", "--batch", place.root / "batch.jsonl", timeout=150)
    refused(result, "batch.jsonl: the batch's lines take", "split the batch")
    assert result.seconds < 55, result.seconds


# ---------------------------------------------------------------- attack 20: the sandbox's doors, shut by what it
# lets a template call (an allowlist of methods on plain values), and by measuring before making


@pytest.mark.parametrize("body, said", [
    # D1: a string's encode gave bytes, which nothing sized (1 GB made, the build passed)
    ('{{ ("x".encode() * 1000000000)|length }}', "'encode' of 'str' object is unsafe"),
    ('{{ ("x"*99999).encode().replace("".encode(), ("y"*9999).encode())|length }}', "unsafe"),
    # D2: a list of lists, each within the limit, printed or turned to JSON (10^10 characters first)
    ("{{ [[0]*99999]*99999 }}", "characters of values"),
    ("{{ ([[0]*99999]*99999)|tojson|length }}", "longer than"),
    ("{{ ([[0]*99999]*99999)|sum(start=[])|length }}", "its start must be a number"),
    ("{{ [[0]*99999]*99999 ~ 'x' }}", "longer than"),
    ("{{ ([[0]*99999]*9)|join(',') }}", "longer than"),
    # D3: numbers squared again and again (the 60 s budget, every version)
    ("{% set ns = namespace(v=9**99) %}{% for i in range(40) %}{% set ns.v = ns.v * ns.v %}{% endfor %}{{ ns.v > 0 }}",
     "more than 4000 digits"),
    ("{{ ((((9**99)**99)**99)**99) > 0 }}", "more than 4000 digits"),
    # D5: a field repeated, or the format filter given many arguments (1.5-3 GB first)
    ('{{ ("{0}"*33333).format("x"*99999)|length }}', "longer than"),
    ('{{ ("%s"*33333)|format(*(["x"*99999]*33333))|length }}', "longer than"),
    # D6: translate, expandtabs, join(attribute=…)
    ('{{ ("x"*15000).translate({120: "y"*99999})|length }}', "unsafe"),
    ('{{ ("\\t"*15000).expandtabs(99999)|length }}', "unsafe"),
    ('{{ ([{"a": "x"*99999}]*15000)|join(",", attribute="a")|length }}', "longer than"),
    # D9: a {% set %} block or a macro captured half a gigabyte
    ('{% set s = "x"*99999 %}{% set big %}{% for i in range(5000) %}{{ s }}{% endfor %}{% endset %}{{ big|length }}',
     "characters of values"),
    ('{% set s = "x"*99999 %}{% macro m() %}{% for i in range(9000) %}{{ s }}{% endfor %}{% endmacro %}{{ m()|length }}',
     "characters of values"),
    ('{% set big %}{% for i in range(99999) %}' + "y" * 400 + '{% endfor %}{% endset %}{{ big|length }}', "capture more"),
    # attack 21, D1: a filter that makes its value text did str() of a list of lists first (900 million characters)
    ('{{ (["x"*99999]*9000)|wordcount }}', "longer than"),
    ('{{ (["x"*99999]*99999)|upper|length }}', "longer than"),
    ('{{ (["x"*99999]*99999)|e|length }}', "longer than"),
    ('{{ (["x"*99999]*99999)|string|length }}', "longer than"),
    ('{{ (["x"*99999]*9000)|caption }}', "longer than"),
    # D2: many values each within the limit, each a new copy (sorted without case, lower-cased one by one)
    ('{{ (["X"*99999]*15000)|sort|length }}', "longer than"),
    ('{{ (["x"*99999]*30000)|map("lower")|list|length }}', "characters of text a page"),
    # D6, D7: numbers a filter makes: round to -10^9 places, int of 99 999 hex digits, int of infinity
    ("{{ 5|round(-1000000000) }}", "precision of at most 100"),
    ('{{ ("f"*99999)|int(base=16) }}', "more than 4000 digits"),
    ('{{ ("9"*400)|float|int }}', "int cannot make a number"),
    # D9: a mapping's view printed whole
    ('{% set d = {"a": [[0]*99999]*99999} %}{{ d.values() }}', "characters of values"),
    ('{% set d = {"a": [[0]*99999]*99999} %}{{ "" ~ d.items() }}', "longer than"),
])
def test_a_template_cannot_make_a_huge_value_through_another_door(place, body, said):
    look = place.templates(body)
    result = place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120)
    refused(result, "worksheet.html, line 1", said)
    assert result.seconds < 30


@pytest.mark.parametrize("body, said", [
    # D10: what a template asks to draw went back to the main process unmeasured (a gigabyte a version there)
    ('{% for i in range(8000) %}{{ math(("x+"*49990) ~ i) }}{% endfor %}', "at most 10000 characters"),
    ('{% for i in range(8000) %}{{ math(("x+"*4900) ~ i) }}{% endfor %}', "formulas of"),
    # attack 21, D5: many short formulas, each within every limit (300 000 a page: a build ran six minutes)
    ('{% for i in range(600) %}{% for j in range(500) %}{{ math("x" ~ i ~ "," ~ j) }}{% endfor %}{% endfor %}',
     "formulas of"),
    # D7: a formula nested 300 deep was said to be "a template that calls itself"
    ('{{ math("\\\\frac{" * 300 ~ "x" ~ "}{2}" * 300) }}', "nest at most"),
    # D11: a helper handed a value of another kind was a traceback in the main process, or exit 1
    ("{{ math(5) }}", "take LaTeX text"),
    ('{{ math("x", 1) }}', "take LaTeX text"),
    ("{{ display_lines(5) }}", "take LaTeX text"),
    ("{{ figure(5) }}", "figure() takes"),
    ("{{ key_cell(1) }}", "worksheet.html, line 1: "),  # said with its line, not the class (attack25)
    ('{{ beside({"figure": 5}, "A4") }}', "handed"),
    # attack 21, D8: a problem a template made up, measured by beside() unchecked (a formula 300 groups deep)
    ('{{ beside({"steps": [{"math": "\\frac{" * 300 ~ "x" ~ "}{2}" * 300}]}) }}', "the page was handed"),
    ('{{ display_lines("x", -100) }}', "takes a depth"),
    # D10: a figure's spec measured before its JSON is made
    ('{{ figure({"kind": "bars", "alt": "a", "labels": [[0]*99999]*99999}) }}', "at most 64000 characters"),
])
def test_what_a_template_asks_to_draw_is_checked_in_the_worker(place, body, said):
    look = place.templates(body)
    result = place.build("--templates", look, "--format", "html,pdf", "--seed", "6", "-j", "1", timeout=120)
    refused(result, said)
    assert result.seconds < 30


@pytest.mark.parametrize("line", ['bank = ["a\\u0000b"]', 'templates = "t\\u0000"'])
def test_a_folder_named_with_a_nul_is_one_line(place, line):
    # D8: the up-to-date check walked the edition's folders before its keys were checked: a traceback
    place.edition.write_text(line + "\n" + EDITION, encoding="utf-8")
    result = place.build("--format", "html", timeout=60)
    place.edition.write_text(EDITION, encoding="utf-8")
    result.changed = [p for p in result.changed if p != "hostile.toml"]
    refused(result, "control character")


def test_a_template_slow_to_compile_is_stopped_in_a_worker(place):
    # attack 20, D13: the main process compiled a user's folder with no budget (one call with 110 000 keyword
    # arguments: 54 s a file, 270 s for five, before any worker started)
    look = place.templates("{{ m(" + ",".join(f"a{i}=1" for i in range(110_000)) + ") }}")
    result = place.build("--templates", look, "--format", "html", timeout=150)
    refused(result, "to compile")
    assert result.seconds < 45


def test_a_template_that_crashes_its_worker_is_bad_input(place):
    # attack 20, D14: a tuple nested a million deep, hashed, overflows Python's C stack (SIGSEGV): exit 1, "its
    # worker process ended", as if the machine were at fault
    look = place.templates(
        "{% set ns = namespace(t=1) %}{% for j in range(10) %}{% for i in range(99999) %}{% set ns.t = (ns.t,) %}"
        "{% endfor %}{% endfor %}{{ {ns.t: 1}|length }}")
    result = place.build("--templates", look, "--format", "html", "-j", "1", timeout=120)
    refused(result, "crashed the worker", "make the templates simpler")


def test_a_users_template_that_extends_another_keeps_the_blocks_it_calls(place):
    # attack 21, D4: the sandbox's measured join read super()'s generator twice, and joined nothing the second
    look = place.templates('{% extends "b.html" %}{% block c %}[{{ super() }}|{{ self.d() }}]{% endblock %}')
    (look / "b.html").write_text("X{% block c %}BUILTIN{% endblock %}Y{% block d %}D{% endblock %}")
    result = place.build("--templates", look, "--format", "html", timeout=120)
    assert result.returncode == 0, result.err_text
    assert "X[BUILTIN|D]YD" in (place.out / "hostile" / "worksheet.html").read_text()


@pytest.mark.parametrize("ask", ["count", "versions"])
def test_an_edition_that_asks_for_more_problems_than_a_family_has_is_told_so(place, ask):
    # a family of two problems asked for five, or a built-in one for thirty versions: exit 1 as a failed build,
    # telling the user to edit the family file, a built-in one too (attack22's D2)
    place.family("few.toml", 'id = "few"\ntitle = "Few"\ntopic = "few"\ndifficulty = 1\nkind = "derivative"\n'
                              'expression = "a*x^2"\n[params]\na = { int = [2, 3] }\n')
    count, extra = (5, []) if ask == "count" else (1, ["--versions", "3"])
    place.edition.write_text(f'title = "T"\nslug = "hostile"\nseed = 1\n[[sections]]\ntitle = "S"\n'
                             f'families = ["few"]\ncount = {count}\n', encoding="utf-8")
    before = place.outside_state()
    result = place.build("--bank", place.bank, "--format", "html", *extra)
    lines = result.err_text.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "Traceback" not in result.err_text, result.err_text[-800:]
    assert "asks for more problems of family 'few'" in lines[0] and "ask for fewer" in lines[0], lines[0]
    assert place.outside_state() == before


def test_a_curve_far_off_its_plot_is_checked_within_bounded_memory(place):
    # 1/x^9 + x: the legibility check cut every drawn segment into 1-unit steps, the curve's 10^14 off the plot
    # too: 650 million points, "ran out of memory" and exit 1 naming nothing (attack23's D8)
    from workbook import figcheck

    assert len(figcheck._dense(np.array([[0.0, 0.0], [0.0, 1e14]]), window=(-10, -10, 110, 110))) < 200
    place.family("steep.toml", 'id = "steep"\ntitle = "Steep"\ntopic = "t"\ndifficulty = 2\nkind = "derivative"\n'
                                'expression = "1/x^9 + x"\nask = "tangent"\nat = "x0"\ndomain = [-3.0, 3.0]\n'
                                '[params]\nx0 = { int = [1, 2] }\n')
    one_problem_of(place, "steep")
    result = place.build("--bank", place.bank, "--format", "html", timeout=120)
    assert result.returncode == 0, result.err_text[-600:]


@pytest.mark.parametrize("loss", ["(x - c)^2 + abs(x)", "x^2 + 2*abs(x - c)"])
def test_a_descent_on_a_loss_that_is_not_a_polynomial_builds(place, loss):
    # sp.degree raised PolynomialError for abs(x) before the polynomial test ran: exit 1 and SymPy's words for
    # every build of an ordinary convex loss with a kink (attack23's D9)
    place.family("kink.toml", family_text("descent-1d", **{
        'expressions = ["(x - c)^2", "a*(x - c)^2 + b", "x^2 - 2*c*x"]': f'expressions = ["{loss}"]'}))
    one_problem_of(place, "theirs")
    result = place.build("--bank", place.bank, "--format", "html", timeout=120)
    assert result.returncode == 0 and "PolynomialError" not in result.err_text, result.err_text[-600:]


@pytest.mark.parametrize("domain", ["[1.0, 1.0]", "[5.0, -5.0]", "[nan, nan]", "[-inf, inf]"])
@pytest.mark.parametrize("source", ["chain-layers", "gradient-at-point", "critical-points"])
def test_every_kinds_domain_is_checked_as_its_file_loads(place, source, domain):
    # a chain family's [1, 1] built, its check recording 16 points that were one, and [nan, nan] was found only
    # after 40 draws, naming no key: only the one-variable kinds checked a domain (attack23's D1)
    text = family_text(source)
    text = re.sub(r"(?m)^domain = .*\n", "", text).replace("\n[params]", f"\ndomain = {domain}\n[params]", 1)
    place.family("theirs.toml", text)
    one_problem_of(place, "theirs")
    refused(place.build("--bank", place.bank, "--format", "html"), "domain", "theirs.toml")


@pytest.mark.parametrize("source, name", [("power-polynomial", "f"), ("power-polynomial", "dfx"),
                                          ("gradient-at-point", "point"), ("descent-1d", "rate")])
def test_a_parameter_named_like_a_placeholder_is_refused(place, source, name):
    # a parameter f put its value where the function goes: the question lost its function, silently (attack23's D6)
    text = family_text(source).replace("\n[params]\n", f"\n[params]\n{name} = {{ int = [2, 3] }}\n", 1)
    place.family("theirs.toml", text)
    one_problem_of(place, "theirs")
    refused(place.build("--bank", place.bank, "--format", "html"), f"the parameter '{name}'", "rename the parameter")


@pytest.mark.parametrize("variables, said", [('["x1", "x_1"]', "prints as 'x1' does"), ('["x", "x_"]', "x_{}"),
                                             ('["x", "xprime"]', "a mark"), ('["x", "yhat"]', "a mark")])
def test_two_names_never_print_alike_and_no_name_prints_as_a_mark(place, variables, said):
    # x1 and x_1 both printed x₁: the key gave one variable two derivatives; x_ printed x_{}; xprime printed x′, a
    # derivative (attack23's D5)
    names = json.loads(variables)
    text = family_text("partial-derivatives")
    text = re.sub(r'(?m)^variables = .*$', f"variables = {variables}", text)
    text = re.sub(r'(?m)^expressions? = .*$', f'expression = "{names[0]}^2*{names[1]} + {names[1]}^3"', text)
    place.family("theirs.toml", text)
    one_problem_of(place, "theirs")
    refused(place.build("--bank", place.bank, "--format", "html"), said, "theirs.toml")


@pytest.mark.parametrize("name", ["f", "eta", "H", "k"])
def test_a_variable_may_not_take_a_symbol_the_page_uses_for_itself(place, name):
    # a variable f printed ∂f/∂f, eta η_(k+1) = η_k - η f'(η_k), H inside the Hessian H (attack24's D1)
    text = family_text("partial-derivatives")
    text = re.sub(r'(?m)^variables = .*$', f'variables = ["x", "{name}"]', text)
    text = re.sub(r'(?m)^expressions? = .*$', f'expression = "a*x^2*{name} + b*{name}^2"', text)
    place.family("theirs.toml", text)
    one_problem_of(place, "theirs")
    refused(place.build("--bank", place.bank, "--format", "html"), "is what the page calls", "theirs.toml")


def test_critical_points_sympy_cannot_solve_for_are_one_line(place):
    # 4y^3 - 6y + exp(y) = 0: SymPy's NotImplementedError ended every build with exit 1 (attack24's D2)
    text = family_text("critical-points")
    text = re.sub(r'(?m)^expressions = .*$', 'expressions = ["x^3 - 3*a^2*x + y^4 - 3*y^2 + exp(y)"]', text)
    place.family("theirs.toml", text)
    one_problem_of(place, "theirs")
    refused(place.build("--bank", place.bank, "--format", "html"), "cannot solve", "theirs.toml")


def test_options_and_folders_that_do_nothing_are_said_in_one_line(tmp_path):
    # `check` of a folder holding no family file said "0 failing", exit 0; --versions beside --roster was dropped,
    # exit 0; an unquoted TOML date was quoted as datetime.date(2026, 9, 1); a parameter named x took a Jacobian's x
    # (attack25)
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "empty").mkdir()
    (tmp_path / "r.csv").write_text("name,id\nAda,1\nBo,2\n", encoding="utf-8")
    (tmp_path / "ed.toml").write_text('title = "T"\ndate = 2026-09-01\nseed = 1\n[[sections]]\ntitle = "S"\n'
                                      'families = ["trig"]\ncount = 1\n', encoding="utf-8")
    (tmp_path / "bank").mkdir()
    (tmp_path / "bank" / "jac.toml").write_text(
        'id = "jac"\ntitle = "J"\ntopic = "t"\ndifficulty = 1\nkind = "hessian"\nask = "jacobian"\n'
        'variables = ["x", "y"]\ncomponents = ["a*x^2*y", "x + y"]\n[params]\na = { int = [2, 5] }\n'
        'x = { int = [2, 5] }\n', encoding="utf-8")
    cases = [(["check", str(tmp_path / "empty"), "--seeds", "1..2"], "no family file here"),
             (["build", "--roster", str(tmp_path / "r.csv"), "--versions", "3", "--out", str(tmp_path / "o")],
              "--versions with a roster"),
             (["build", str(tmp_path / "ed.toml"), "--out", str(tmp_path / "o")], 'needs quotes: "2026-09-01"'),
             (["show", "jac", "--bank", str(tmp_path / "bank")], "params.x: a parameter cannot share a variable's name")]
    for args, said in cases:
        result = CliRunner().invoke(main, args)
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert result.exit_code == 2 and len(lines) == 1 and said in lines[0], (args, result.output)
        assert "Traceback" not in result.output and "datetime" not in result.output
    assert not (tmp_path / "o").exists()


# ---------------------------------------------------------------- the thirty-first attack's findings


def test_clean_cache_leaves_lock_files_it_did_not_make_and_is_not_stopped_by_them(place):
    # clean --cache took every .*.lock to see whether a build ran, and removed each after: another program's lock
    # files went (--out ~ is supported); a link, a pipe or a folder of such a name said "a build is running" (attack31)
    import fcntl

    from workbook.staging import edition_lock

    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html").returncode == 0
    (place.out / ".myapp.lock").write_text("precious data")
    (place.out / ".empty.lock").write_text("")
    (place.out / ".dangling.lock").symlink_to(place.root / "nowhere")
    (place.out / ".to-secret.lock").symlink_to(place.outside / "secret.txt")
    os.mkfifo(place.out / ".fifo.lock")
    (place.out / ".dir.lock").mkdir()
    with open(place.out / ".held.lock", "w") as theirs:  # another program holds its own lock: no build of ours
        theirs.write("another program's")
        theirs.flush()
        fcntl.flock(theirs, fcntl.LOCK_EX | fcntl.LOCK_NB)
        result = place.run("clean", "--out", place.out, "--cache", "--yes")
    assert result.returncode == 0 and "running" not in result.err_text, result.err_text
    assert not (place.out / ".cache").exists()
    assert (place.out / ".myapp.lock").read_text() == "precious data" and (place.out / ".empty.lock").exists()
    assert (place.out / ".held.lock").read_text() == "another program's"
    assert (place.out / ".dangling.lock").is_symlink() and (place.out / ".fifo.lock").exists()
    assert (place.out / ".dir.lock").is_dir() and (place.outside / "secret.txt").read_text() == CANARY
    # a build's own lock, held, still keeps the cache, and is left as it was
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html").returncode == 0
    with edition_lock(place.out / "hostile"):
        result = place.run("clean", "--out", place.out, "--cache", "--yes")
        assert (place.out / ".hostile.lock").is_file()
    assert result.returncode == 1 and "kept while a build is running" in result.err_text, result.err_text
    assert (place.out / ".cache").is_dir() and not (place.out / ".hostile.lock").exists()


def test_a_users_copy_named_as_an_edition_moved_aside_is_left_alone(place):
    # cp -a build/hostile build/.hostile.old-backup: the next build took it for the edition a killed build had moved
    # aside (its manifests were signed with this user's key) and removed every file it had written (attack31)
    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html").returncode == 0
    copy = place.out / ".hostile.old-backup"
    shutil.copytree(place.out / "hostile", copy, symlinks=True)
    (copy / "notes.txt").write_text("mine")
    before = snapshot(copy)
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html", "--seed", "8").returncode == 0
    assert snapshot(copy) == before
    result = place.run("clean", "--out", place.out, "--yes")
    assert result.returncode == 0 and snapshot(copy) == before, result.out_text + result.err_text
    assert "no build of yours moved it there" in result.out_text + result.err_text
    assert not (place.out / "hostile").exists()


def test_a_build_killed_after_its_last_marker_leaves_nothing_the_next_cannot_tidy(place):
    # the staging folder's marker was written again at the end without its signed name: killed from then to the
    # last move, the folder stayed for good, and clean said it was "a marker copied in" (attack31)
    place.edition.write_text(EDITION, encoding="utf-8")
    code = ("import sys, os, signal; from workbook import staging; real = os.replace\n"
            "def killed(src, dst, *a, **k):  # at the move of the staging folder itself\n"
            "    if '.staging-' in str(src) and '.workbook-build' not in str(src):\n"
            "        os.kill(os.getpid(), signal.SIGKILL)\n"
            "    return real(src, dst, *a, **k)\n"
            "staging.os.replace = killed\n"
            "from workbook.cli import main; sys.exit(main())")
    run = subprocess.run([sys.executable, "-c", code, "build", str(place.edition), "--out", str(place.out), "-q",
                          "--format", "html", "--jobs", "1"], capture_output=True, text=True, timeout=300, check=False,
                         env={**os.environ, "XDG_CACHE_HOME": str(place.key_home)})
    assert run.returncode == -signal.SIGKILL, run.stderr
    left = list(place.out.glob(".hostile.staging-*"))
    assert left and (left[0] / "manifest.json").is_file()  # killed at the last move, its files all written
    result = place.run("build", place.edition, "--out", place.out, "-q", "--format", "html")
    assert result.returncode == 0, result.err_text
    assert not list(place.out.glob(".hostile.staging-*")) and (place.out / "hostile" / "worksheet.html").is_file()


@pytest.mark.parametrize("planted", ["file", "fifo", "link"])
def test_a_cache_kind_that_is_no_folder_is_kept_and_named_and_the_cache_stays_marked(place, planted):
    # a pipe, file or link where .cache/draws goes: clean removed the cache's marker, then stopped at "Directory not
    # empty" (exit 2), and later builds ran without their cache (attack31)
    place.edition.write_text(EDITION, encoding="utf-8")
    assert place.run("build", place.edition, "--out", place.out, "-q", "--format", "html").returncode == 0
    draws = place.out / ".cache" / "draws"
    shutil.rmtree(draws)
    {"file": lambda: draws.write_text("x"), "fifo": lambda: os.mkfifo(draws),
     "link": lambda: draws.symlink_to(place.outside)}[planted]()
    result = place.run("clean", "--out", place.out, "--yes")
    assert result.returncode == 0 and "draws" in result.out_text, result.out_text + result.err_text
    assert os.path.lexists(draws) and (place.out / ".cache" / ".workbook-cache").is_file()
    assert not (place.out / "hostile").exists() and (place.outside / "secret.txt").read_text() == CANARY


def test_a_family_with_no_real_value_is_said_so_in_words(tmp_path):
    # sqrt(a - x^2) with a < 0: "StepError: step engine gave I*x/sqrt(x**2 + 1), sympy.diff gives ..." (attack31): an
    # internal name, SymPy's spelling, and two engines said to disagree where the function has no value
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "neg.toml").write_text('id = "neg"\ntitle = "N"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                       'expressions = ["sqrt(a - x^2)"]\n[params]\na = { int = [-3, -1] }\n',
                                       encoding="utf-8")
    result = CliRunner().invoke(main, ["show", "neg", "--bank", str(tmp_path)])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code != 0 and len(lines) == 1 and "has a real value at 0 of the" in lines[0], result.output
    assert "StepError" not in result.output and "sympy" not in result.output and "**" not in result.output


@pytest.mark.parametrize("written", ["{0}", "{}", "{a!r}", "{a.__class__}", "{a:>99}"])
def test_anything_in_single_braces_in_a_prompt_is_a_placeholder_or_a_typo(tmp_path, written):
    # {0}, {}, {a!r} printed as they stood, where the docs say a name that is no placeholder stops the build (attack31)
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "p.toml").write_text('id = "p"\ntitle = "P"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
                                     f'expressions = ["a*x^2"]\nprompt = "Find {{dfx}} for {{f}}. {written}"\n'
                                     '[params]\na = { int = [2, 5] }\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["show", "p", "--bank", str(tmp_path)])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "which this kind does not fill" in lines[0], result.output


@pytest.mark.parametrize("body", ["<p><![foo[ x ]]></p>", "<![1 x"])
def test_a_page_the_check_cannot_read_through_is_refused_in_one_line(place, body):
    # Python 3.11's parser raises AssertionError on a marked section it does not know: "AssertionError: unknown
    # status keyword 'foo'", exit 1 (attack31)
    look = place.root / "look"
    (look / "partials").mkdir(parents=True)
    (look / "partials" / "problem.html").write_text(body)
    refused(place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120), "marked section")
    assert "FetchRefused" not in place.build("--templates", look, "--format", "html", "--seed", "6").err_text


@pytest.mark.parametrize("roster, said", [("name,id,id\nA,s01,x\n", "names the column 'id' 2 times"),
                                          ("name,id\n\u200b,s01\n", "shows nothing"),
                                          ("name,id\n\u00ad\u2060,s01\n", "shows nothing"),
                                          ("name,id\nAl\uffffice,s01\n", "which is no character"),
                                          # attack53 F3: letters that print as a blank
                                          ("name,id\n\u3164,s01\n", "shows nothing"),
                                          ("name,id\n\u2800\uffa0 \u115f,s01\n", "shows nothing")])
def test_a_roster_that_cannot_be_read_one_way_or_names_no_one_is_refused(tmp_path, roster, said):
    # a header with two id columns took the first silently; invisible names printed blank name lines (attack31)
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "r.csv").write_text(roster, encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "o")])
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and said in lines[0], result.output
    assert not (tmp_path / "o").exists()


def test_a_name_spelled_in_another_normal_form_is_the_same_student(tmp_path):
    # Zoë saved as e and a combining mark (a Mac re-saving the roster) was taken for another student, "renamed" (attack31)
    from workbook.roster import read_roster

    (tmp_path / "a.csv").write_text("name,id\nZo\u00eb,s01\n", encoding="utf-8")
    (tmp_path / "b.csv").write_text("name,id\nZoe\u0308,s01\n", encoding="utf-8")
    assert read_roster(tmp_path / "a.csv") == read_roster(tmp_path / "b.csv")


def test_nan_for_a_number_is_said_to_be_no_number(tmp_path):
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "e.toml").write_text('title = "T"\nseed = 1\n[page]\nfont_size = nan\n[[sections]]\ntitle = "S"\n'
                                     'families = ["trig"]\ncount = 1\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(tmp_path / "e.toml"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "page.font_size: must be a number, and nan is none" in result.output, result.output


def test_a_template_holding_a_nul_is_refused(place):
    # a NUL in a template file was copied into the page as it stood, exit 0 (attack32)
    look = place.root / "look"
    (look / "partials").mkdir(parents=True)
    (look / "partials" / "problem.html").write_bytes(b"x\x00y")
    refused(place.build("--templates", look, "--format", "html", "--seed", "6", timeout=120), "NUL")


def test_a_roster_line_is_the_files_line_after_a_name_on_two(tmp_path):
    # after a quoted name holding a line break, "line 3" was the file's fourth (attack32)
    from click.testing import CliRunner

    from workbook.cli import main

    (tmp_path / "r.csv").write_text('name,id\n"Al\nice",s01\nBob,bad id\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "line 4: the id 'bad id'" in result.output, result.output


# ---------------------------------------------------------------- attack52

@pytest.mark.parametrize("what", ["roster", "bank", "bank key", "edition"])
def test_a_file_the_build_reads_inside_its_edition_folder_is_refused_and_kept(place, what):
    # a roster kept in build/<slug>/ beside the keys it made was read, built from, then removed as "a file no build
    # of yours wrote", exit 0; a bank folder there the same, by --bank or the edition's own key (attack52 F2)
    inside = place.out / "hostile"
    args = ["--format", "html"]
    if what == "roster":
        (inside / "class.csv").write_text("name,id\nAnn,s01\n", encoding="utf-8")
        args += ["--roster", inside / "class.csv"]
    elif what == "edition":
        (inside / "mine.toml").write_text(place.edition.read_text(encoding="utf-8"), encoding="utf-8")
    else:
        (inside / "mybank").mkdir()
        (inside / "mybank" / "mine.toml").write_text(family_text("exp-log"), encoding="utf-8")
        if what == "bank key":
            place.edition.write_text(place.edition.read_text(encoding="utf-8").replace(
                'seed = 3', 'seed = 3\nbank = ["build/hostile/mybank"]'), encoding="utf-8")
        else:
            args += ["--bank", inside / "mybank"]
    if what == "edition":
        result = place.run("build", inside / "mine.toml", "--out", place.out, *args, timeout=120)
        refused(result, "the edition is inside", "keep it outside")
        assert (inside / "mine.toml").exists()
    else:
        refused(place.build(*args, timeout=120), "inside", "keep it outside")


def test_a_roster_in_the_build_folder_beside_the_edition_folders_is_read_and_kept(place):
    (place.out / "class.csv").write_text("name,id\nAnn,s01\n", encoding="utf-8")
    result = place.build("--roster", place.out / "class.csv", "--format", "html", "-q", timeout=300)
    assert result.returncode == 0, result.err_text
    assert (place.out / "class.csv").read_text(encoding="utf-8") == "name,id\nAnn,s01\n"


def test_a_practice_set_meeting_an_editions_folder_is_told_what_it_can_change(place):
    # "give this one a slug of its own": practice has no slug (attack52 F3)
    place.edition.write_text(place.edition.read_text(encoding="utf-8").replace(
        'slug = "hostile"', 'slug = "practice-exp-log-all-5"'), encoding="utf-8")
    assert place.build("--format", "html", "-q", timeout=300).returncode == 0
    result = place.run("practice", "--topic", "exp-log", "--seed", "5", "--out", place.out, timeout=120)
    refused(result, "another --out", "--seed")
    assert "slug of its own" not in result.err_text


def test_a_usage_hint_names_the_command_not_python_m(tmp_path):
    # "(see `python -m workbook solve --help`)": in a folder someone else made that runs their workbook/ package,
    # which the README warns of; the hint is the safe command's (attack52 F1)
    result = subprocess.run([sys.executable, "-P", "-m", "workbook", "solve", "x^2", "--order", "abc"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2 and "(see `workbook solve --help`)" in result.stderr, result.stderr


def test_a_roster_or_a_bank_file_that_links_out_of_its_folder_is_not_read(place):
    # attack55 F4: a roster in someone's repository, `class.csv -> ~/.aws/credentials`, was read: a line of the secret
    # file became a student, its id the secret, printed on the sheets and in the key; a --bank FILE the same
    secret = place.outside / "creds"
    secret.write_text(f"aws_access_key_id = AKIA,{CANARY}\n", encoding="utf-8")
    (place.root / "theirs").mkdir()
    (place.root / "theirs" / "class.csv").symlink_to(secret)
    result = place.build("--roster", place.root / "theirs" / "class.csv", "--format", "html")
    refused(result, "the roster is a link to a file outside its own folder")
    assert CANARY not in result.out_text + result.err_text and not result.changed
    (place.outside / "fam.toml").write_text(family_text("trig").replace('title = "', f'title = "{CANARY[:20]} '),
                                            encoding="utf-8")
    (place.root / "theirs" / "fam.toml").symlink_to(place.outside / "fam.toml")
    result = place.run("list", "--bank", place.root / "theirs" / "fam.toml")
    assert result.returncode == 2 and "a link to a file outside its own folder" in result.err_text
    assert CANARY[:20] not in result.out_text + result.err_text
    (place.root / "theirs" / "mine.csv").write_text("name,id\nAda,s01\n", encoding="utf-8")
    (place.root / "theirs" / "link.csv").symlink_to("mine.csv")  # a link beside its file: read
    result = place.build("--roster", place.root / "theirs" / "link.csv", "--format", "html")
    assert result.returncode == 0, result.err_text


def test_a_hard_link_in_a_template_bank_or_roster_is_not_read(place):
    # attack57 F4, attack58 F5: a hard link (from a tar archive, `cp -al`) is a regular file of the folder, the same
    # file as one outside it; the symbolic-link check passed it, and `{% include %}` put the outside file in the page
    (place.outside / "secret.html").write_text(f"<p>{CANARY}</p>", encoding="utf-8")
    (place.outside / "fam.toml").write_text(family_text("trig").replace('title = "', f'title = "{CANARY[:20]} '),
                                            encoding="utf-8")
    (place.outside / "class.csv").write_text(f"name,id\nAda,{CANARY[:20]}\n", encoding="utf-8")
    look, theirs = place.root / "look", place.root / "theirs"
    (look / "partials").mkdir(parents=True)
    theirs.mkdir()
    os.link(place.outside / "secret.html", look / "partials" / "stolen.html")
    (look / "partials" / "problem.html").write_text("{% include 'partials/stolen.html' %}", encoding="utf-8")
    os.link(place.outside / "fam.toml", theirs / "fam.toml")
    os.link(place.outside / "class.csv", theirs / "class.csv")
    refused(place.build("--templates", look, "--format", "html", timeout=120), "stolen.html", "hard link")
    refused(place.build("--roster", theirs / "class.csv", "--format", "html", timeout=120), "class.csv", "hard link")
    for args in (["list", "--bank", theirs], ["list", "--bank", theirs / "fam.toml"], ["check", theirs / "fam.toml"]):
        result = place.run(*args, timeout=60)  # a folder holding one, one named, one checked (attack60 F6)
        assert result.returncode == 2 and "fam.toml: a hard link" in result.err_text, result.err_text
        assert CANARY[:20] not in result.out_text + result.err_text
    assert CANARY[:20] not in place.outputs() if place.out.exists() else True
    (look / "partials" / "stolen.html").unlink()  # the same folder without it builds
    (look / "partials" / "stolen.html").write_text("<p>mine</p>", encoding="utf-8")
    result = place.build("--templates", look, "--format", "html", timeout=120)
    assert result.returncode == 0 and "<p>mine</p>" in place.outputs(), result.err_text


def test_a_part_folder_that_is_a_link_is_never_read_for_its_sheets(place):
    # attack55 F1: a stranger's students/ linking to a class built elsewhere (signed by this user) was read, and its
    # students taken into this build's class and key
    (place.root / "class.csv").write_text("name,id\nAda Lovelace,s01\nAlan Turing,s02\n", encoding="utf-8")
    assert place.build("--roster", place.root / "class.csv", "--format", "html").returncode == 0
    edition = next(p for p in place.out.iterdir() if p.is_dir() and not p.name.startswith("."))
    elsewhere = place.outside / "st"
    shutil.copytree(edition / "students", elsewhere)
    shutil.rmtree(edition / "students")
    (edition / "students").symlink_to(elsewhere)
    (place.root / "late.csv").write_text("name,id\nGrace Hopper,s03\n", encoding="utf-8")
    result = place.build("--roster", place.root / "late.csv", "--format", "html")
    assert result.returncode == 0, result.err_text
    students = edition / "students"
    assert not students.is_symlink() and sorted(p.name for p in students.iterdir() if p.is_dir()) == ["s03"]
    assert "Ada Lovelace" not in (students / "manifest.json").read_text(encoding="utf-8")
