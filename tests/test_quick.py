"""A rebuild of an unchanged edition is answered before SymPy or WeasyPrint are imported (workbook.quick),
and only then: any input changed, or any file of the edition changed, goes on to the full build."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from workbook import cache

QUIZ = """title = "Quick quiz"
slug = "quick"
seed = 5
bank = ["families"]

[page]
key = "separate"
solutions = false

[[sections]]
title = "Derivatives"
families = ["power-polynomial", "own-chain"]
count = 2
"""

FAMILY = """id = "own-chain"
title = "Our own chain"
topic = "chain-rule"
difficulty = 1
kind = "derivative"
expression = "sin(a x^2)"
[params]
a = { int = [2, 5] }
"""

# the build, run as the command would be in a fresh process, reporting what it imported
PROBE = """
import sys
from click.testing import CliRunner
from workbook.cli import main
result = CliRunner().invoke(main, sys.argv[1:])
print("IMPORTED:" + ",".join(m for m in ("sympy", "weasyprint", "matplotlib") if m in sys.modules))
print("EXIT:%d" % result.exit_code)
print(result.output)
"""


@pytest.fixture
def quiz(tmp_path) -> Path:
    (tmp_path / "families").mkdir()
    (tmp_path / "families" / "own-chain.toml").write_text(FAMILY)
    path = tmp_path / "quiz.toml"
    path.write_text(QUIZ)
    return path


def build(quiz: Path, *args: str, relative: bool = False) -> tuple[str, str]:
    """(what the build imported, what it printed); ``relative``: run in the edition's folder, as `workbook
    build quiz.toml --out out`."""
    env = {**os.environ, "WORKBOOK_JOBS": "1"}
    named = (quiz.name, "out") if relative else (str(quiz), str(quiz.parent / "out"))
    run = subprocess.run([sys.executable, "-c", PROBE, "build", named[0], "--out", named[1], "--format", "html", *args],
                         capture_output=True, text=True, env=env, timeout=300, check=False, cwd=quiz.parent)
    assert "EXIT:0" in run.stdout, run.stdout + run.stderr
    imported = run.stdout.split("IMPORTED:")[1].split("\n")[0]
    return imported, run.stdout.split("EXIT:0\n")[1]


@pytest.mark.parametrize("relative", [False, True])
def test_an_unchanged_edition_is_answered_without_the_heavy_libraries(quiz, relative):
    imported, said = build(quiz, relative=relative)
    assert "sympy" in imported and "built 2 problems" in said
    imported, said = build(quiz, relative=relative)
    assert imported == "" and "is up to date: the same 2 problems" in said and "worksheet.html" in said


@pytest.mark.parametrize("change", ["edition", "bank", "seed", "format", "output", "added", "behind a link",
                                    "a linked file, same size and time", "pycache"])
def test_any_change_goes_to_the_full_build(quiz, change):
    if change == "behind a link":  # the bank folder a link to a folder beside it: a file edited in place there
        (quiz.parent / "families").rename(quiz.parent / "real")
        (quiz.parent / "families").symlink_to("real")
    extra: tuple[str, ...] = ()
    if change == "a linked file, same size and time":  # --bank names a link to a family file kept elsewhere
        (quiz.parent / "elsewhere").mkdir()
        (quiz.parent / "families" / "own-chain.toml").rename(quiz.parent / "elsewhere" / "own.toml")
        (quiz.parent / "own-link.toml").symlink_to(quiz.parent / "elsewhere" / "own.toml")
        quiz.write_text(QUIZ.replace('bank = ["families"]\n', ""))
        extra = ("--bank", str(quiz.parent / "own-link.toml"))
    if change == "pycache":  # a template the edition's own folder keeps in a folder named __pycache__
        (quiz.parent / "look" / "__pycache__").mkdir(parents=True)
        (quiz.parent / "look" / "__pycache__" / "note.html").write_text("NOTE-ONE")
        (quiz.parent / "look" / "worksheet.html").write_text(
            '{% extends "base.html" %}{% block content %}{% include "__pycache__/note.html" %}{% endblock %}')
        quiz.write_text(QUIZ.replace('bank = ["families"]', 'bank = ["families"]\ntemplates = "look"'))
    build(quiz, *extra)
    folder = quiz.parent / "out" / "quick"
    if change == "edition":
        quiz.write_text(QUIZ.replace("seed = 5", "seed = 6"))
    elif change == "bank":
        (quiz.parent / "families" / "own-chain.toml").write_text(FAMILY.replace("[2, 5]", "[2, 6]"))
    elif change == "seed":
        extra = ("--seed", "9")
    elif change == "format":
        extra = ("--format", "pdf")
    elif change == "output":  # a file of the edition edited by hand
        (folder / "worksheet.html").write_text("<p>changed</p>")
    elif change == "added":
        (folder / "extra.html").write_text("<p>planted</p>")
    elif change == "behind a link":
        with open(quiz.parent / "real" / "own-chain.toml", "r+") as handle:  # the folder's time does not change
            handle.write(FAMILY.replace("[2, 5]", "[2, 6]"))
    elif change == "a linked file, same size and time":
        target = quiz.parent / "elsewhere" / "own.toml"
        was = target.stat()
        target.write_text(FAMILY.replace("sin(a x^2)", "cos(a x^2)"))
        os.utime(target, ns=(was.st_atime_ns, was.st_mtime_ns))
    elif change == "pycache":
        note = quiz.parent / "look" / "__pycache__" / "note.html"
        was = note.stat()
        note.write_text("NOTE-TWO")
        os.utime(note, ns=(was.st_atime_ns, was.st_mtime_ns))
    imported, said = build(quiz, *extra)
    assert "sympy" in imported, (change, said)
    if change in ("output", "added"):  # the full build sees the edition is not whole, and writes it
        assert "built 2 problems" in said and "changed" not in (folder / "worksheet.html").read_text()
        assert not (folder / "extra.html").exists()
    if change == "pycache":
        assert "NOTE-TWO" in (folder / "worksheet.html").read_text()


@pytest.mark.parametrize("planted", ["a link", "a pipe", "an empty folder", "a link in a folder", "a file in a folder",
                                     "a link in versions"])
def test_a_link_a_pipe_or_a_folder_planted_in_the_edition_is_not_up_to_date(quiz, tmp_path, planted):
    """The quick check looked at regular files only: links (to a private file), a pipe and a folder
    planted in the edition's folder since were "up to date", and kept (attack 11, D7)."""
    build(quiz, "--versions", "2")
    build(quiz)
    folder = quiz.parent / "out" / "quick"
    secret = tmp_path / "secret.txt"
    secret.write_text("PRIVATE")
    where = {"a link": "notes.txt", "a pipe": "pipe", "an empty folder": "extra", "a link in a folder": "extra/private",
             "a file in a folder": "extra/notes.txt", "a link in versions": "versions/A/notes.txt"}[planted]
    path = folder / where
    path.parent.mkdir(exist_ok=True)
    if planted == "a pipe":
        os.mkfifo(path)
    elif planted == "an empty folder":
        path.mkdir()
    elif planted == "a file in a folder":
        path.write_text("PLANTED")
    else:
        path.symlink_to(secret)
    imported, said = build(quiz)
    assert "sympy" in imported and "is up to date" not in said and "built 2 problems" in said, said
    assert f"removed 1 file that no build of yours wrote as they are now (changed, added by hand, or from someone " \
           f"else's build), e.g. {where}" in said, said
    assert not os.path.lexists(path) and not (folder / "extra").exists()
    assert (folder / "versions" / "A" / "worksheet.html").is_file()  # the other area's files are kept
    imported, said = build(quiz)
    assert imported == "" and "is up to date" in said, said


def test_an_edition_folder_replaced_by_a_link_is_not_up_to_date(quiz, tmp_path):
    build(quiz)
    folder = quiz.parent / "out" / "quick"
    folder.rename(tmp_path / "moved")
    folder.symlink_to(tmp_path / "moved")
    run = subprocess.run([sys.executable, "-c", PROBE, "build", str(quiz), "--out", str(quiz.parent / "out"),
                          "--format", "html"], capture_output=True, text=True, timeout=300, check=False)
    assert "is up to date" not in run.stdout and "sympy" in run.stdout.split("IMPORTED:")[1].split("\n")[0]


@pytest.mark.parametrize("signed", [False, True])
def test_a_remembered_build_is_believed_only_when_this_user_signed_it(quiz, signed):
    """After the edition changed, an entry saying its new inputs built the old files: written by anyone
    but this user's workbook (unsigned), it is not believed and the edition is built again."""
    from workbook import quick

    build(quiz)
    quiz.write_text(QUIZ.replace("seed = 5", "seed = 6"))
    key = quick.inputs(quiz, seed=None, versions=None, formats=("html",), templates=None, banks=())
    manifest = hashlib.sha256((quiz.parent / "out" / "quick" / "manifest.json").read_bytes()).hexdigest()
    entry = json.dumps({"folder": "quick", "area": "", "problems": 2, "manifest": manifest})
    store = cache.Store(quiz.parent / "out" / cache.CACHE, "quick")
    if signed:  # the control: the same entry signed with this user's key is believed
        store.write(key, "json", entry)
    else:
        store.path(key, "json").write_text(entry)
    imported, said = build(quiz)
    assert ("sympy" not in imported) is signed, said


def test_an_input_changed_while_the_build_ran_is_not_remembered_as_up_to_date(quiz, monkeypatch):
    # a family file saved while a build ran, and put back after it, was answered "up to date" with the sheet of
    # the version saved: the inputs' digest was taken before the build and remembered after (attack30)
    from click.testing import CliRunner

    from workbook import build as building
    from workbook.cli import main

    family = quiz.parent / "families" / "own-chain.toml"
    was = family.stat()
    real = building.build

    def saved_meanwhile(*args, **kwargs):  # the author saves a change once the digest is taken
        family.write_text(FAMILY.replace("sin(a x^2)", "cos(a x^3)"))
        return real(*args, **kwargs)

    monkeypatch.setenv("WORKBOOK_JOBS", "1")
    monkeypatch.setattr(building, "build", saved_meanwhile)
    out = quiz.parent / "out"
    first = CliRunner().invoke(main, ["build", str(quiz), "--out", str(out), "--format", "html"])
    assert first.exit_code == 0, first.output
    monkeypatch.setattr(building, "build", real)
    family.write_text(FAMILY)  # and puts it back, its time too (as a checkout or a copy that keeps times does)
    os.utime(family, ns=(was.st_atime_ns, was.st_mtime_ns))
    again = CliRunner().invoke(main, ["build", str(quiz), "--out", str(out), "--format", "html"])
    assert again.exit_code == 0, again.output
    sheet = (out / "quick" / "worksheet.html").read_text(encoding="utf-8")
    assert "cos" not in sheet and "sin" in sheet, again.output
    third = CliRunner().invoke(main, ["build", str(quiz), "--out", str(out), "--format", "html"])
    assert "up to date" in third.output, third.output  # a build nothing changed under is remembered
