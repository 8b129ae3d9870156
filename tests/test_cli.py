"""The CLI through click's CliRunner: build, list, bad input, and an edition that survives a failure."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook.cli import main


def run(*args):
    return CliRunner().invoke(main, list(args))


def test_list_shows_every_family_with_a_sample():
    from workbook.bank import load_bank

    result = run("list")
    assert result.exit_code == 0, result.output
    for family_id in load_bank():
        assert family_id in result.output
    assert result.output.count("e.g.") == len(load_bank())
    assert "difficulty" in result.output


def test_list_by_topic():
    result = run("list", "--topic", "chain-rule")
    assert result.exit_code == 0 and "chain-two-levels" in result.output and "trig " not in result.output
    assert run("list", "--topic", "nope").exit_code == 2


def test_build_outputs(built_small):
    out = built_small.out_dir
    for name in ("worksheet", "answers", "solutions"):
        assert (out / f"{name}.pdf").read_bytes().startswith(b"%PDF")
        assert (out / f"{name}.html").read_text().lstrip().lower().startswith("<!doctype html")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["edition"]["seed"] == 7
    assert len(manifest["problems"]) == 4
    for p in manifest["problems"]:
        assert p["claims"]["type"] == "derivative" and p["claims"]["answer"]
    assert "sympy" in manifest["dependencies"]


def test_bad_edition_reports_everything_and_keeps_the_previous_build(tmp_path, small_edition):
    out_root = tmp_path / "build"
    assert run("build", str(small_edition), "--out", str(out_root), "-q").exit_code == 0
    before = {p.name: p.read_bytes() for p in (out_root / "test-sheet").iterdir() if p.is_file()}

    bad = tmp_path / "bad.toml"
    bad.write_text(small_edition.read_text().replace('paper = "Letter"', 'paper = "A5"\ncolour = "red"')
                   .replace("count = 2", "count = 500", 1))
    result = run("build", str(bad), "--out", str(out_root))
    assert result.exit_code == 2
    errors = result.stderr.strip().splitlines()
    assert len(errors) == 3, errors
    assert all(line.startswith(f"error: {bad}: ") for line in errors)
    joined = "\n".join(errors)
    assert "paper" in joined and "colour: unknown key" in joined and "sections[0].count" in joined
    assert "Traceback" not in result.output + result.stderr
    after = {p.name: p.read_bytes() for p in (out_root / "test-sheet").iterdir() if p.is_file()}
    assert after == before


def test_unknown_family_and_topic_are_reported(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "T"\n[[sections]]\ntitle = "A"\nfamilies = ["nope"]\n'
                   '[[sections]]\ntitle = "B"\ntopic = "no-such-topic"\n')
    result = run("build", str(bad), "--out", str(tmp_path / "b"))
    assert result.exit_code == 2
    assert "sections[0].families[0]: unknown family 'nope'" in result.stderr
    assert "sections[1].topic: no family has topic 'no-such-topic'" in result.stderr


def test_malformed_toml(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "T\n')
    result = run("build", str(bad), "--out", str(tmp_path / "b"))
    assert result.exit_code == 2 and "not valid TOML" in result.stderr


def test_broken_family_file_is_reported_with_path_and_field(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "broken.toml").write_text(
        'id = "broken"\ntitle = "B"\ntopic = "t"\ndifficulty = 5\nkind = "derivative"\n'
        'expression = "__import__(\'os\')"\n[params]\na = { int = [3, 1] }\n')
    result = run("list", "--bank", str(folder))
    assert result.exit_code == 2
    assert f"{folder / 'broken.toml'}: difficulty" in result.stderr
    assert "params.a" in result.stderr


def test_bad_family_expression_is_reported(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "bad-expr.toml").write_text(
        'id = "bad-expr"\ntitle = "B"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
        'expression = "().__class__"\n')
    result = run("list", "--bank", str(folder))
    assert result.exit_code == 2
    assert f"{folder / 'bad-expr.toml'}: expression: " in result.stderr


def test_seed_override_changes_the_problems(tmp_path, small_edition):
    a = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--seed", "1", "-q")
    b = run("build", str(small_edition), "--out", str(tmp_path / "b"), "--seed", "2", "-q")
    assert a.exit_code == b.exit_code == 0
    ma = json.loads((tmp_path / "a" / "test-sheet" / "manifest.json").read_text())
    mb = json.loads((tmp_path / "b" / "test-sheet" / "manifest.json").read_text())
    assert ma["edition"]["seed"] == 1 and mb["edition"]["seed"] == 2
    assert [p["claims"] for p in ma["problems"]] != [p["claims"] for p in mb["problems"]]


def test_show_prints_problem_steps_and_answer():
    result = run("show", "chain-two-levels", "--seed", "4")
    assert result.exit_code == 0, result.output
    assert "Worked solution:" in result.output and "Answer: f'(x) = " in result.output
    assert "\\frac" not in result.output and "\\left" not in result.output
    assert run("show", "no-such-family").exit_code == 2


def test_check_reports_every_family_and_passes():
    result = run("check", "--seeds", "1..3")
    assert result.exit_code == 0, result.output
    from workbook.bank import load_bank

    for family_id in load_bank():
        assert family_id in result.output
    assert result.output.strip().endswith("0 failing")


def test_check_finds_a_failing_family_with_its_seed(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "never.toml").write_text(
        'id = "never"\ntitle = "Never works"\ntopic = "t"\ndifficulty = 1\nkind = "derivative"\n'
        'description = "The point is always outside the domain."\nexpression = "sqrt(x - 5)"\n'
        'ask = "value"\nat = "a"\ndomain = [6.0, 9.0]\n[params]\na = { int = [-3, 0] }\n')
    result = run("check", str(folder), "--seeds", "1..2")
    assert result.exit_code == 1
    assert "FAIL never" in result.output and "FAIL seed 1:" in result.output
    assert run("check", "--seeds", "banana").exit_code == 2


def test_practice_set_has_problems_then_answers_then_solutions(tmp_path):
    result = run("practice", "--topic", "chain-rule", "--count", "3", "--difficulty", "2", "--seed", "5",
                 "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    folder = tmp_path / "practice-chain-rule-2-5"
    html = (folder / "practice.html").read_text()
    assert (folder / "practice.pdf").read_bytes().startswith(b"%PDF")
    first_answer, first_solution = html.index("<h2>Answers</h2>"), html.index("<h2>Worked solutions</h2>")
    assert html.index("space for your work") < first_answer < first_solution
    manifest = json.loads((folder / "manifest.json").read_text())
    assert len(manifest["problems"]) == 3
    from workbook.bank import load_bank

    chosen = {f.id for f in load_bank().values() if f.topic == "chain-rule" and f.difficulty == 2}
    assert "chain-two-levels" in chosen and all(p["family"] in chosen for p in manifest["problems"])
    # its solutions quote "the table of derivatives": the set prints it, on paper and on the page (read48 F11)
    for name in ("practice.html", "interactive.html"):
        page = (folder / name).read_text()
        assert "From the table of derivatives" not in page or '<table class="quoted' in page, name
    assert "From the table of derivatives" in html


def test_practice_with_an_unknown_topic():
    result = run("practice", "--topic", "nope")
    assert result.exit_code == 2 and "error: --topic: no family has topic 'nope'" in result.stderr


def test_practice_with_a_topic_too_long_says_so_once(tmp_path):
    """The set's title and heading are made from the topic: a topic over their length had added lines about
    `practice: title` and `sections[0].title`, keys no one gave."""
    for length in (60, 120, 500):
        result = run("practice", "--topic", "x" * length, "--out", str(tmp_path))
        lines = result.stderr.strip().splitlines()
        assert result.exit_code == 2 and len(lines) == 1 and lines[0].startswith("error: --topic:"), lines


def test_parallel_versions_and_the_teachers_key(tmp_path, small_edition):
    result = run("build", str(small_edition), "--out", str(tmp_path), "--versions", "3", "-q")
    assert result.exit_code == 0, result.output
    out = tmp_path / "test-sheet" / "versions"
    for v in "ABC":
        for name in ("worksheet", "answers", "solutions"):
            assert (out / v / f"{name}.pdf").exists() and (out / v / f"{name}.html").exists()
        assert f"Version {v}" in (out / v / "worksheet.html").read_text()
    key = (out / "teacher-key.html").read_text()
    assert all(f"Version {v} · Warm-up" in key for v in "ABC")
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["edition"]["versions"] == ["A", "B", "C"]
    by_version = {v: [(p["family"], p["claims"]) for p in manifest["problems"] if p["version"] == v] for v in "ABC"}
    families = [[f for f, _ in by_version[v]] for v in "ABC"]
    assert families[0] == families[1] == families[2]  # the same families in the same places
    checks = [json.dumps(c, sort_keys=True) for v in "ABC" for _, c in by_version[v]]
    assert len(set(checks)) == len(checks)  # different draws, nothing repeated


def test_page_options(tmp_path, small_edition):
    text = small_edition.read_text() + '\n[page]\nkey = "end"\nsolutions = false\nwork_space = "grid"\n' \
                                       'work_height = 3\nfont_size = 12\ncover = true\n'
    edition = tmp_path / "options.toml"
    edition.write_text(text.replace('paper = "Letter"', 'paper = "Letter"\ndate = "2026-10-01"'))
    result = run("build", str(edition), "--out", str(tmp_path / "out"), "-q")
    assert result.exit_code == 0, result.output
    out = tmp_path / "out" / "test-sheet"
    names = sorted(p.name for p in out.iterdir() if not p.name.startswith("."))
    assert names == ["manifest.json", "worksheet.html", "worksheet.pdf"]
    html = (out / "worksheet.html").read_text()
    work = re.search(r'class="work grid">((?:<div class="work-part" style="height: [\d.]+cm"></div>)+)', html)
    assert work and sum(map(float, re.findall(r"height: ([\d.]+)cm", work[1]))) == 3.0  # in parts of 1.5 cm
    assert "font-size: 12.0pt" in html
    assert html.index("space for your work") < html.index("<h2>Answers</h2>")
    assert "Contents" in html and "2026-10-01" in html
    bad = tmp_path / "bad.toml"
    bad.write_text(small_edition.read_text() + '\n[page]\nwork_space = "dots"\nfont_size = 40\n')
    result = run("build", str(bad), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "page.work_space" in result.stderr and "page.font_size" in result.stderr


def test_roster_builds_one_sheet_per_student_and_a_key_by_student(tmp_path, small_edition):
    roster = tmp_path / "class.csv"
    roster.write_text("name,id\nAda Lovelace,s01\n<b>Bob</b> Tables,s02\n")
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster), "-q")
    assert result.exit_code == 0, result.output
    out = tmp_path / "a" / "test-sheet" / "students"
    ada = (out / "s01" / "worksheet.html").read_text()
    assert "Ada Lovelace" in ada
    bob = (out / "s02" / "worksheet.html").read_text()
    assert "&lt;b&gt;Bob&lt;/b&gt; Tables" in bob and "<b>Bob</b>" not in bob  # markup in a roster is text
    key = (out / "teacher-key.html").read_text()
    assert "Ada Lovelace (s01) · Warm-up" in key
    # a student's sheet depends only on the edition seed and the student's id: rebuilt alone, it is the same
    alone = tmp_path / "alone.csv"
    alone.write_text("Bob Tables,s02\n")
    run("build", str(small_edition), "--out", str(tmp_path / "b"), "--roster", str(alone), "-q")
    one = json.loads((tmp_path / "b" / "test-sheet" / "students" / "manifest.json").read_text())["problems"]
    both = json.loads((out / "manifest.json").read_text())["problems"]
    assert [p["claims"] for p in one] == [p["claims"] for p in both if p["version"] == "s02"]


def test_a_bad_roster_row_is_reported_with_its_line(tmp_path, small_edition):
    roster = tmp_path / "bad.csv"
    roster.write_text("Ada,s01\nBob\nCarl,s01\n")
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster))
    assert result.exit_code == 2
    assert f"{roster}: line 2: expected 2 columns" in result.stderr
    assert f"{roster}: line 3: the id 's01' is already used on line 1" in result.stderr
    # with a header of three columns, a short row was "expected 2 columns (name, id), found 2" (attack33 F2)
    roster.write_text("email,name,id\nAnn,s01\n")
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster))
    assert result.exit_code == 2 and "line 2: the header puts name in column 2 and id in column 3; this row has 2" \
        in result.stderr, result.stderr
    # a header naming a name but no id column was a student called "name", built a sheet and put in the key (user47
    # F5); a header of an export's own (Full Name;ID;Email) was a row too, among a line for every row
    # and an LMS's headings, none of them the word name or id (user53 F2: Student,StudentID built "Student" a sheet)
    for header in ("name,student_number\nAda,s01\n", "Full Name;ID;Email\nAda L;s01;a@x\n",
                   "Student,StudentID\nAda,123\n", "Student,SIS User ID\nAda,1\n", "Pupil,Email\nAda,a\n",
                   "Student,SID\nAda,1\n", "Learner,Code\nAda,1\n", "Nom,Identifiant\nAda,1\n"):  # (attack56 F2)
        roster.write_text(header)
        result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster))
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.stderr
        assert "line 1 looks like a header" in result.stderr and "call those two columns name and id" in result.stderr
    assert not (tmp_path / "a").exists() or not any((tmp_path / "a").rglob("worksheet.pdf"))
    roster.write_text("a" + "\u0301" * 79 + ",s01\nNguy\u1ec5n,s02\n")  # 79 accents on a letter drew up the page
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster))
    assert result.exit_code == 2 and "line 1: the name stacks 78 marks on one letter" in result.stderr, result.stderr
    assert "line 2" not in result.stderr  # (attack55 F2; Nguyễn's two are a name's)
    roster.write_bytes(b'Ann,S01\r"Smith\rJohn",S02\rBob,S03\r')  # a CR inside quotes (attack54 F9: said as '\n')
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster))
    assert result.exit_code == 2 and "line 2: the name holds a line break, inside its quotes" in result.stderr
    roster.write_text("Sam Student,s01\nGrace Family,grace_family\n")  # names with such words: students
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster), "--format", "html")
    assert result.exit_code == 0, result.stderr
    # a quote left open took in the rest of the file, and the line blamed the columns alone (attack35a C14)
    roster.write_text('name,id\n"Alice,s01\nBob,s02\n')
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster))
    assert result.exit_code == 2 and "a quote opened on it is never closed" in result.stderr, result.stderr
    roster.write_text("name,id\n" + "x" * 200_000 + ",s01\n")
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"), "--roster", str(roster))
    assert result.exit_code == 2 and "line 2: not a CSV roster" in result.stderr and "characters" in result.stderr, \
        result.stderr


def test_progress_a_bar_on_a_terminal_a_line_a_stage_when_piped_nothing_when_quiet(capsys):
    from workbook.cli import _Progress

    for quiet, terminal in ((True, True), (True, False), (False, False)):
        progress = _Progress(quiet, terminal)
        for stage, total in (("drawing and checking problems", 3), ("drawing math and figures", 2),
                             ("laying out documents", 4)):
            for done in range(total + 1):
                progress(stage, done, total)
        progress.close()
        assert progress.bar is None  # a bar only on a terminal
    lines = capsys.readouterr().out.splitlines()
    assert lines == ["drawing and checking problems (3 problems)", "drawing math and figures",
                     "laying out documents (4 files)"]  # the piped run's; the quiet runs printed nothing


def test_a_piped_build_says_each_stage_as_it_starts(tmp_path, small_edition):
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", "import sys; from workbook.cli import main; sys.exit(main())",
                             "build", str(small_edition), "--out", str(tmp_path), "--jobs", "2"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    stages = [line.split(" (")[0] for line in result.stdout.splitlines()[:3]]
    # one copy over two workers: its documents are laid out apart, their math and figures drawn first
    assert stages == ["drawing and checking problems", "drawing math and figures", "laying out documents"]
    versions = tmp_path / "versions.toml"
    versions.write_text(small_edition.read_text().replace('slug = ', 'versions = 2\nslug = ', 1))
    result = subprocess.run([sys.executable, "-c", "import sys; from workbook.cli import main; sys.exit(main())",
                             "build", str(versions), "--out", str(tmp_path / "v"), "--jobs", "2"], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stderr
    stages = [line.split(" (")[0] for line in result.stdout.splitlines()[:2]]
    assert stages == ["drawing and checking problems", "laying out documents"]  # a job a copy draws its own
    assert result.stderr == ""  # stderr is for errors


def test_primer_and_worked_example_open_a_section(tmp_path, small_edition):
    text = small_edition.read_text().replace(
        'title = "Warm-up"\n',
        'title = "Warm-up"\nprimer = """\nThe idea. A slope.\n\nIn training. Downhill."""\nexample = "tangent-line"\n')
    edition = tmp_path / "primer.toml"
    edition.write_text(text)
    result = run("build", str(edition), "--out", str(tmp_path), "-q")
    assert result.exit_code == 0, result.output
    out = tmp_path / "test-sheet"
    sheet = (out / "worksheet.html").read_text()
    # each paragraph's last two words bound, so that no short word ends it alone on a line
    assert "<p>The idea. A\u00a0slope.</p>" in sheet and "<p>In training.\u00a0Downhill.</p>" in sheet
    assert sheet.index("Worked example") < sheet.index('id="problem-1"')
    assert "Point-slope form" in sheet  # the example is worked in full on the worksheet
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["problems"][0]["number"] == "example" and manifest["problems"][1]["number"] == 1
    assert "Worked example" not in (out / "answers.html").read_text()
    bad = tmp_path / "bad.toml"
    bad.write_text(text.replace('example = "tangent-line"', 'example = "no-such-family"'))
    result = run("build", str(bad), "--out", str(tmp_path))
    assert result.exit_code == 2 and "sections[0].example: unknown family 'no-such-family'" in result.stderr


def test_check_one_family_by_id():
    result = run("check", "trig", "--seeds", "1..4")
    assert result.exit_code == 0 and "trig" in result.output and result.output.count("\n") <= 3
    assert run("check", "no-such-family").exit_code == 2


def test_a_second_build_of_the_same_edition_is_refused_while_one_runs(tmp_path, small_edition):
    import fcntl

    out = tmp_path / "out"
    out.mkdir()
    with open(out / ".test-sheet.lock", "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)  # as a running build holds it
        result = run("build", str(small_edition), "--out", str(out))
    assert result.exit_code == 1 and "another build of 'test-sheet' is running" in result.stderr
    assert run("build", str(small_edition), "--out", str(out), "-q").exit_code == 0  # free again


def test_clean_of_a_folder_that_is_not_there_says_so(tmp_path):
    # attack62 F3: a mistyped --out was told "nothing to clean" as an empty build folder is
    result = run("clean", "--out", str(tmp_path / "buidl"), "--yes")
    assert result.exit_code == 0 and "no folder of that name: check --out" in result.output, result.output
    (tmp_path / "build").mkdir()
    result = run("clean", "--out", str(tmp_path / "build"), "--yes")
    assert result.exit_code == 0 and "nothing to clean" in result.output and "no folder" not in result.output


def test_clean_removes_only_what_workbook_made(tmp_path, small_edition):
    out = tmp_path / "out"
    assert run("build", str(small_edition), "--out", str(out), "-q").exit_code == 0
    mine = out / "notes"
    mine.mkdir()
    (mine / "keep.txt").write_text("a teacher's own file")
    result = run("clean", "--out", str(out))
    assert result.exit_code == 0 and "test-sheet" in result.output
    assert not (out / "test-sheet").exists() and not (out / ".cache").exists()
    assert (mine / "keep.txt").read_text() == "a teacher's own file"


def test_an_unchanged_edition_is_not_rebuilt(tmp_path, small_edition):
    out = tmp_path / "out"
    assert run("build", str(small_edition), "--out", str(out), "-q").exit_code == 0
    pdf = out / "test-sheet" / "worksheet.pdf"
    before = pdf.stat().st_mtime_ns
    assert run("build", str(small_edition), "--out", str(out), "-q").exit_code == 0
    assert pdf.stat().st_mtime_ns == before  # nothing rewritten
    (out / "test-sheet" / "answers.pdf").unlink()  # a missing file forces a rebuild
    assert run("build", str(small_edition), "--out", str(out), "-q").exit_code == 0
    assert (out / "test-sheet" / "answers.pdf").exists()
    assert run("build", str(small_edition), "--out", str(out), "--seed", "8", "-q").exit_code == 0
    assert pdf.stat().st_mtime_ns != before  # a changed edition is rebuilt


def test_an_output_folder_that_is_a_symlink_out_of_the_build_is_refused(tmp_path, small_edition):
    out, elsewhere = tmp_path / "build", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (elsewhere / "precious.txt").write_text("keep me")
    (out / "test-sheet").symlink_to(elsewhere, target_is_directory=True)
    result = run("build", str(small_edition), "--out", str(out))
    # said as a link, what to do with it (it was "output name 'test-sheet' would leave ...": attack33 F4)
    assert result.exit_code == 2 and "is a link; an edition is written only into a real folder" in result.stderr
    assert (elsewhere / "precious.txt").read_text() == "keep me"


def test_an_editions_template_folder_overrides_one_file_and_is_part_of_the_fingerprint(tmp_path, small_edition):
    edition = tmp_path / "mine.toml"
    edition.write_text('templates = "look"\n' + small_edition.read_text(encoding="utf-8"), encoding="utf-8")
    look = tmp_path / "look"
    look.mkdir()
    css = (Path(__file__).parents[1] / "templates" / "print.css").read_text(encoding="utf-8")
    (look / "print.css").write_text(css + "\n.marker-one { color: red; }\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run("build", str(edition), "--out", str(out), "--format", "html").exit_code == 0
    sheet = next(out.glob("*/worksheet.html"))
    assert "marker-one" in sheet.read_text(encoding="utf-8")
    (look / "print.css").write_text(css + "\n.marker-two { color: red; }\n", encoding="utf-8")
    again = run("build", str(edition), "--out", str(out), "--format", "html")
    assert "up to date" not in again.output  # a changed override is a changed edition
    assert "marker-two" in sheet.read_text(encoding="utf-8")


def test_the_printed_command_names_a_template_folder_given_on_the_command_line(tmp_path, small_edition, monkeypatch):
    # attack40 F1: built with --templates look, every page printed "workbook build small.toml --seed N", which builds
    # with the built-in templates: another book
    look = tmp_path / "look"
    look.mkdir()
    css = (Path(__file__).parents[1] / "templates" / "print.css").read_text(encoding="utf-8")
    (look / "print.css").write_text(css + "\n.marker-one { color: red; }\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run("build", str(small_edition), "--out", "out", "--templates", "look", "--format", "html").exit_code == 0
    sheet = next((tmp_path / "out").glob("*/worksheet.html")).read_text(encoding="utf-8")
    command = re.search(r"<code>(workbook build [^<]*)</code>", sheet).group(1)
    assert command.endswith(" --templates look") and "marker-one" in sheet, command


def test_a_missing_template_folder_is_one_line_and_a_strangers_template_cannot_reach_python(tmp_path, small_edition):
    edition = tmp_path / "mine.toml"
    edition.write_text('templates = "nowhere"\n' + small_edition.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("build", str(edition), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "templates:" in result.output and "Traceback" not in result.output
    look = tmp_path / "look"
    (look / "partials").mkdir(parents=True)
    (look / "partials" / "segments.html").write_text(
        "{% macro segments(items, math, big=False, blanks=True) %}{{ ''.__class__.__mro__[1].__subclasses__() }}"
        "{% endmacro %}", encoding="utf-8")
    result = run("build", str(small_edition), "--out", str(tmp_path / "out"), "--templates", str(look),
                 "--format", "html")
    # one line and exit 1, not an exception escaping (CliRunner would keep it in result.exception)
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.exception
    assert "SecurityError" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*/worksheet.html"))


def test_a_strangers_template_cannot_build_a_huge_value_or_read_a_file_through_a_link(tmp_path, small_edition):
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("SECRET-TEXT", encoding="utf-8")
    look = tmp_path / "look"
    (look / "partials").mkdir(parents=True)
    (look / "leak.html").symlink_to(secret)
    attacks = {"a template may not build a value": "{{ 'a' * 10**9 }}",
               "a link out of its template folder": "{% include 'leak.html' %}"}
    for reason, body in attacks.items():
        (look / "partials" / "segments.html").write_text(
            "{% macro segments(items, math, big=False, blanks=True) %}" + body + "{% endmacro %}", encoding="utf-8")
        out = tmp_path / "out"
        result = run("build", str(small_edition), "--out", str(out), "--templates", str(look), "--format", "html")
        assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (reason, result.exception)
        assert reason in result.output, result.output
        assert not any("SECRET-TEXT" in p.read_text(errors="ignore") for p in out.rglob("*.html")) if out.exists() else True


def test_a_stylesheet_fetches_nothing_but_data():
    from workbook import pdf

    fetch = pdf.confined_fetcher(None)
    for url in ("http://127.0.0.1:9/x.css", "https://example.org/font.ttf", "file:///etc/hostname"):
        with pytest.raises(pdf.RenderError):
            fetch.fetch(url)
    assert fetch.fetch("data:text/css,p%7Bcolor:red%7D") is not None


@pytest.mark.parametrize("variables, point, expected", [
    ('["x", "y", "w\\u0007"]', '["p", "q", "1"]', "variables[2]: the text holds the control character '\\x07'"),
    ('["x", "y", "<b>w</b>"]', '["p", "q", "1"]', "variables[2]: '<b>w</b>' is not a name"),
    ('["x", "y", "x"]', '["p", "q", "1"]', "variables[2]: 'x' is named twice"),
])
def test_a_familys_variables_must_be_names_once_each(tmp_path, variables, point, expected):
    bank = tmp_path / "bank"
    bank.mkdir()
    text = (Path(__file__).parents[1] / "problems" / "gradient-check.toml").read_text(encoding="utf-8")
    text = text.replace('id = "gradient-check"', 'id = "odd-names"').replace(
        'variables = ["x", "y"]', f"variables = {variables}").replace('point = ["p", "q"]', f"point = {point}")
    (bank / "odd.toml").write_text(text, encoding="utf-8")
    result = run("show", "odd-names", "--bank", str(bank))
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), result.exception
    assert expected in result.output and len(result.output.strip().splitlines()) == 1, result.output


def test_a_second_signal_does_not_break_off_the_clean_up_of_the_first():
    # a build stopped by Ctrl-C or SIGTERM removes its staging folder, its lock and its workers as it unwinds;
    # a second Ctrl-C or kill in that time broke the clean-up off halfway: now it is ignored until the end
    import signal

    from workbook.cli import Stopped, _stopped_as_by_ctrl_c

    before = signal.getsignal(signal.SIGTERM)
    cleaned = []
    for first in (signal.SIGTERM, signal.SIGINT):
        # raise_signal sends to this thread, which handles it before the call returns; os.kill sent to the process,
        # and under load a worker thread could take it, to be handled some lines later, inside the clean-up
        with pytest.raises(KeyboardInterrupt) as stopped, _stopped_as_by_ctrl_c():
            try:
                signal.raise_signal(first)
                raise AssertionError("the first signal stops the command")
            finally:
                signal.raise_signal(signal.SIGTERM)  # the second, during the clean-up
                signal.raise_signal(signal.SIGINT)
                cleaned.append(first)
        assert isinstance(stopped.value, Stopped) is (first == signal.SIGTERM)
    assert cleaned == [signal.SIGTERM, signal.SIGINT]
    assert signal.getsignal(signal.SIGTERM) == before  # and the handlers are put back after
    assert signal.getsignal(signal.SIGINT) == signal.default_int_handler


def test_a_name_that_breaks_a_pattern_is_told_what_to_use_in_words(tmp_path):
    # pydantic's "String should match pattern '^[a-z0-9][a-z0-9-]{0,47}$'" was the line for slug = "a b"
    from workbook.errors import PATTERNS_SAID
    from workbook.family import NAME, SLUG

    assert SLUG in PATTERNS_SAID and NAME in PATTERNS_SAID  # the patterns the models use, said in words
    edition = tmp_path / "e.toml"
    edition.write_text('title = "T"\nslug = "a b"\nseed = 1\n[[sections]]\ntitle = "One"\n'
                       'families = ["power-polynomial"]\ncount = 1\n')
    result = CliRunner().invoke(main, ["build", str(edition), "--out", str(tmp_path / "out"), "-q"])
    assert result.exit_code == 2 and "slug: use lower-case letters, digits and dashes" in result.output, result.output


def test_a_point_that_is_no_point_is_refused_whatever_the_answer():
    # attack 15, D5: solve --check 2x --at ")))" (or 1/0) passed over the bad point and exited 0
    for at in (")))", "1/0", "nan"):
        result = CliRunner().invoke(main, ["solve", "x^2", "--check", "2x", "--at", at])
        assert result.exit_code == 2 and "--at" in result.output, (at, result.output)


def test_a_roster_id_that_differs_only_in_case_from_a_built_student_is_refused(tmp_path, small_edition):
    # attack 15, D7: Carl,S01 after s01 was built made a second folder students/S01/ (one folder on Windows)
    (tmp_path / "a.csv").write_text("name,id\nAnn,s01\n")
    (tmp_path / "b.csv").write_text("name,id\nCarl,S01\n")
    out = tmp_path / "out"
    first = CliRunner().invoke(main, ["build", str(small_edition), "--roster", str(tmp_path / "a.csv"), "--out", str(out),
                                      "-q", "--format", "html"])
    assert first.exit_code == 0, first.output
    second = CliRunner().invoke(main, ["build", str(small_edition), "--roster", str(tmp_path / "b.csv"), "--out",
                                       str(out), "-q", "--format", "html"])
    assert second.exit_code == 2 and "differs only in case from 's01'" in second.output, second.output
    assert not any(p.name == "S01" for p in out.rglob("S01"))


def test_a_corner_at_an_irrational_point_says_its_two_slopes():
    # attack 15, D6: |x - pi| at pi was said to jump ("from the left it is none, from the right none")
    for function, at, slopes in (("|x - pi|", "pi", "from the left it is -1, from the right 1"),
                                 ("|x^2 - 2|", "sqrt(2)", "from the left it is -2 sqrt(2), from the right 2 sqrt(2)")):
        result = CliRunner().invoke(main, ["solve", function, "--at", at])
        assert slopes in result.output and "jumps" not in result.output, result.output


def test_formats_may_be_given_as_a_list_and_a_bad_one_is_named(tmp_path, small_edition):
    out = tmp_path / "out"
    result = run("build", str(small_edition), "--out", str(out), "--format", "html, moodle", "--format", "html", "-q")
    assert result.exit_code == 0, result.output
    folder = next(out.glob("*/manifest.json")).parent
    assert sorted(p.name for p in folder.iterdir() if not p.name.startswith(".")) == [
        "answers.html", "manifest.json", "quiz.xml", "solutions.html", "worksheet.html"]
    bad = run("build", str(small_edition), "--out", str(out), "--format", "pdf,xml")
    assert bad.exit_code == 2 and "'xml' is not one of" in bad.output and len(bad.output.strip().splitlines()) == 1


def test_practice_with_a_long_topic_and_a_long_seed_builds():
    # a 37-character topic with a 16-digit seed made a slug over 48 characters, refused as "slug: ..." though the
    # user gave no slug (attack23's D2)
    from workbook.edition import practice_edition

    edition = practice_edition("abcdefghijklmnopqrstuvwxyz-abcdefghij", 1, None, 9007199254740992)
    assert edition.slug.startswith("practice-abcdefghi") and edition.slug.endswith("-all-9007199254740992")
    assert len(edition.slug) <= 48
    # two topics alike in the part kept shared a folder, the second set replacing the first (attack33 F10)
    one, two = (practice_edition(f"optimisation-of-the-loss-{n}", 4, None, 3).slug for n in ("one", "two"))
    assert one != two and one.startswith("practice-optimisation") and len(one) <= 48


@pytest.mark.parametrize("command", [["build"], ["clean", "--yes"], ["practice", "--topic", "derivatives"]])
def test_an_empty_out_is_refused_not_taken_as_this_folder(command, tmp_path, monkeypatch):
    # --out "$OUT" with OUT unset built into the current folder, its .cache and all
    monkeypatch.chdir(tmp_path)
    result = run(*command, "--out", "")
    assert result.exit_code == 2, result.output
    assert "'--out': it is empty: name a folder" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("extra", [[], ["--gradient"]])
@pytest.mark.parametrize("wrt", ["", " "])
def test_an_empty_wrt_is_refused_not_taken_as_x(wrt, extra):
    # --wrt "$VAR" with VAR unset worked the derivative by x, or the gradient by every name
    result = run("solve", "x*y", "--wrt", wrt, *extra)
    assert result.exit_code == 2 and "--wrt is empty: name the variable" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1


def test_practice_is_quiet_when_asked(tmp_path):
    # build had --quiet and practice did not: a script making a set for each of its topics had every file listed
    loud = run("practice", "--topic", "chain-rule", "--count", "1", "--seed", "3", "--out", str(tmp_path / "a"))
    quiet = run("practice", "--topic", "chain-rule", "--count", "1", "--seed", "3", "--out", str(tmp_path / "b"), "-q")
    assert loud.exit_code == 0 and "wrote 1 problem on chain-rule" in loud.output, loud.output
    assert quiet.exit_code == 0 and quiet.output == "", quiet.output
    assert sorted(p.name for p in (tmp_path / "b").rglob("*.pdf")) == sorted(p.name for p in (tmp_path / "a").rglob("*.pdf"))


def test_practice_asked_for_more_problems_than_its_topic_has_says_so_in_its_own_terms(tmp_path):
    # "the edition asks for more problems ... (the section's count, or --versions)": practice has neither (attack32)
    result = run("practice", "--topic", "chain-rule", "--difficulty", "3", "--count", "60", "-q", "--out", str(tmp_path))
    assert result.exit_code == 2 and "--count 60: 'chain-rule' at difficulty 3 has fewer different problems" in result.stderr
    assert "edition" not in result.stderr and "--versions" not in result.stderr


@pytest.mark.parametrize("option", ["--roster", "--templates", "--bank"])
def test_an_empty_path_option_is_said_to_be_empty(option, tmp_path, small_edition):
    # --roster "" (an unset shell variable) was "error: .: the roster is not a regular file" (attack33 F14)
    result = run("build", str(small_edition), "--out", str(tmp_path / "b"), option, "")
    assert result.exit_code == 2 and "it is empty: name a" in result.output and len(result.output.strip().splitlines()) == 1


def test_a_jobs_value_of_thousands_of_digits_is_one_line(tmp_path, small_edition, monkeypatch):
    # attack36a F06: WORKBOOK_JOBS over 4300 digits was Python's own ValueError, a traceback
    monkeypatch.setenv("WORKBOOK_JOBS", "9" * 5000)
    result = run("build", str(small_edition), "--out", str(tmp_path / "a"))
    assert result.exit_code == 2 and "WORKBOOK_JOBS" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and len(result.stderr) < 300, result.stderr


def test_a_hand_made_file_of_an_outputs_name_is_named_as_replaced(tmp_path, small_edition):
    # attack40 F3: a hand-made quiz.xml (and an edited worksheet.html) were replaced by the build's own, and the note
    # counted only the files removed
    out = tmp_path / "out"
    assert run("build", str(small_edition), "--out", str(out), "--format", "html").exit_code == 0
    folder = next(p for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    (folder / "quiz.xml").write_text("my own quiz", encoding="utf-8")
    with open(folder / "worksheet.html", "a", encoding="utf-8") as sheet:
        sheet.write("<!-- mine -->")
    result = run("build", str(small_edition), "--out", str(out), "--format", "html,moodle")
    assert result.exit_code == 0, result.output
    assert "replaced 2 files that no build of yours wrote as they are now" in result.output, result.output
    assert "e.g. quiz.xml" in result.output and "my own quiz" not in (folder / "quiz.xml").read_text(encoding="utf-8")


@pytest.mark.parametrize("args", [["show", "\x1b[31m"], ["list", "--topic", "\x1b[31m"], ["check", "\x1b[31m"]])
def test_a_control_character_in_a_name_is_escaped_once(args):
    # attack43 F2: show, list --topic and check printed '\\x1b[31m', escaped twice, where every other command prints
    # '\x1b[31m'
    result = CliRunner().invoke(main, args)
    said = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert result.exit_code == 2 and "\\x1b[31m" in said and "\\\\x1b" not in said and "\x1b" not in said, said


@pytest.mark.parametrize("command", [["list"], ["build", "--format", "html"], ["practice", "--topic", "trig"]])
def test_a_bank_folder_with_no_family_file_in_it_is_said_in_every_command(tmp_path, command, monkeypatch):
    # user49 F4: `list --bank` on an empty folder, or one whose families are in folders inside it, listed the
    # built-in families, exit 0; `check` said what was wrong
    monkeypatch.chdir(tmp_path)
    (tmp_path / "bank" / "calculus").mkdir(parents=True)
    from workbook.resources import problems_dir

    (tmp_path / "bank" / "calculus" / "mine.toml").write_text((problems_dir() / "trig.toml").read_text().replace(
        'id = "trig"', 'id = "my-trig"'))
    (tmp_path / "empty").mkdir()
    for folder, said in (("bank", "its folders hold some"), ("empty", "no family file here")):
        out = ["--out", "out"] if command[0] != "list" else []
        result = run(*command, "--bank", folder, *out)
        assert result.exit_code == 2 and said in result.stderr and "Traceback" not in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize("command", [["build", ""], ["new", ""], ["check", ""]])
def test_an_empty_argument_is_said_to_be_empty_not_read_as_this_folder(command, tmp_path, monkeypatch):
    # attack50 F6: `workbook build ""` and `workbook new ""` answered about ".", and `check ""` checked the whole bank
    monkeypatch.chdir(tmp_path)
    result = run(*command)
    assert result.exit_code == 2 and "empty" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_a_family_id_a_letter_off_is_told_the_one_meant(tmp_path):
    # user49 F11: "unknown family 'my-neuron-slop'" with my-neuron-slope one letter away
    for typed, meant in (("trg", "trig"), ("Exp-Log", "exp-log"), ("exp-log.toml", "exp-log")):  # (attack51 F11)
        result = run("show", typed)
        assert result.exit_code == 2 and f"did you mean '{meant}'?" in result.stderr, result.stderr
    result = run("list", "--topic", "")
    assert result.exit_code == 2 and "--topic is empty" in result.stderr, result.stderr
    edition = tmp_path / "ed.toml"
    edition.write_text('title = "T"\nseed = 1\n[[sections]]\ntitle = "S"\nfamilies = ["chain-two-level", "zzzz"]\n'
                       "count = 2\n")
    result = run("build", str(edition), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2 and "did you mean 'chain-two-levels'?" in result.stderr, result.stderr
    assert result.stderr.count("did you mean") == 1, result.stderr


def test_clean_says_what_it_removed_beside_the_hand_made_file_it_kept(tmp_path, small_edition):
    # user49 F8: "kept 1 entry of ... e.g. handmade.txt", while every sheet and key in that folder went unsaid
    out = tmp_path / "out"
    assert run("build", str(small_edition), "--out", str(out), "--format", "html", "-q").exit_code == 0
    (edition,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    written = len([p for p in edition.rglob("*") if p.is_file()])
    (edition / "handmade.txt").write_text("mine")
    result = run("clean", "--out", str(out), "--yes")
    said = result.output + result.stderr
    assert result.exit_code == 0 and f"removed the {written - 1} files builds wrote in {edition}" in said, said
    assert "kept 1 entry" in said and ": handmade.txt" in said and "e.g." not in said, said
    assert sorted(p.name for p in edition.iterdir()) == ["handmade.txt"]


def test_the_layouts_are_counted_in_documents(tmp_path, small_edition):
    # user53 F7: "laying out documents (4 documents)" was said of three versions' worksheets, keys and solutions and a
    # teacher key: the layouts' jobs were counted, a version's three documents one
    result = run("build", str(small_edition), "--out", str(tmp_path), "--versions", "3", "--format", "html")
    assert result.exit_code == 0, result.output
    folder = next(p for p in tmp_path.iterdir() if p.is_dir() and not p.name.startswith("."))
    made = sorted(folder.glob("versions/*.html")) + sorted(folder.glob("versions/*/*.html"))
    assert f"laying out documents ({len(made)} files)" in result.output, (result.output, made)
    for jobs in ("1", "2"):  # the same whatever the workers (user54 F5: 3 with one, 6 with two)
        again = run("build", str(small_edition), "--out", str(tmp_path / jobs), "--format", "html,pdf", "--jobs", jobs)
        assert f"laying out documents ({2 * len(list((tmp_path / jobs).rglob('*.html')))} files)" in again.output, \
            again.output


def test_a_name_whose_letters_no_installed_font_has_is_said(tmp_path, small_edition):
    # user50 F3: Chinese, Korean and Hindi names printed as empty boxes, and the build said nothing
    import shutil
    import subprocess

    if shutil.which("fc-list") is None:
        pytest.skip("fontconfig's fc-list is not installed: the fonts cannot be asked")
    letter = "\U0001e900"  # Adlam: no font of a plain install has it
    if subprocess.run(["fc-list", f":charset={ord(letter):x}", "family"], check=False, capture_output=True).stdout.strip():
        pytest.skip("a font here has Adlam")
    roster = tmp_path / "class.csv"
    roster.write_text(f"name,id\n{letter}da,s01\nAda Lovelace,s02\nJosé,s03\n", encoding="utf-8")
    result = run("build", str(small_edition), "--out", str(tmp_path / "o"), "--roster", str(roster), "--format", "pdf")
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if "no installed font has" in line]
    assert len(notes) == 1 and "(s01)" in notes[0] and letter in notes[0], result.output


def test_list_with_a_bank_shows_its_own_families_first(tmp_path):
    # user55 F15: an author's families, and their mistakes, stood after some 110 lines of the built-in catalogue
    folder = tmp_path / "bank"
    folder.mkdir()
    (folder / "mine.toml").write_text('id = "zz-mine"\ntitle = "Mine"\ntopic = "zz"\ndifficulty = 1\n'
                                      'kind = "derivative"\nexpression = "a*x^2"\n[params]\na = { int = [2, 5] }\n')
    result = run("list", "--bank", str(folder))
    assert result.exit_code == 0 and result.stdout.splitlines()[0].startswith("zz-mine  [zz, difficulty 1"), result.stdout
