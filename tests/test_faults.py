"""Faults: whatever goes wrong mid-build, the previous edition stays byte for byte as it was, the user
reads one clear line, and nothing is written outside the build folder."""

from __future__ import annotations

import os
import re
import resource
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from workbook import pdf
from workbook.build import build
from workbook.errors import BuildError
from workbook.staging import confined


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(out):
    return sorted(p.name for p in out.iterdir() if ".staging-" in p.name or ".old-" in p.name)


def cli(*args, limit_bytes=None, cwd=None, env=None):
    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails, as on a full disk
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    code = "import sys; from workbook.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=False,
                          preexec_fn=limit if limit_bytes is not None else None, cwd=cwd, timeout=300,
                          env=None if env is None else {**os.environ, **env})


@pytest.fixture
def previous(tmp_path, small_edition):
    """An edition built last week: its files, and the folder they are in."""
    out = tmp_path / "out"
    result = build(small_edition, out_root=out)
    return out, result.out_dir, snapshot(result.out_dir)


def broken_save(laid_out, target, *args, **kwargs):
    if target.name == "solutions.pdf":
        raise RuntimeError("the layout engine fell over")
    return REAL_SAVE(laid_out, target, *args, **kwargs)


REAL_SAVE = pdf.save


def test_an_exception_mid_render_keeps_the_previous_edition(previous, small_edition, monkeypatch):
    out, folder, before = previous
    monkeypatch.setattr(pdf, "save", broken_save)  # the workers fork after this
    with pytest.raises(BuildError) as caught:
        build(small_edition, out_root=out, seed=99)
    # (the documents one worker lays out together are named together: with one worker, all three)
    assert re.search(r"could not render the [^:]*solutions", str(caught.value)) and "fell over" in str(caught.value)
    assert snapshot(folder) == before
    assert leftovers(out) == []


def test_a_full_disk_keeps_the_previous_edition(previous, small_edition):
    out, folder, before = previous
    result = cli("build", small_edition, "--out", out, "--seed", "99", "-q", limit_bytes=40_000)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    assert "a file grew past the size this system allows" in lines[0] and "previous edition is kept" in lines[0]
    assert "Traceback" not in result.stderr
    assert snapshot(folder) == before
    assert leftovers(out) == []


def test_a_disk_that_fills_up_is_said_as_such_and_keeps_the_previous_edition(previous, small_edition, monkeypatch):
    import errno

    def full(laid_out, target, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    out, folder, before = previous
    monkeypatch.setattr(pdf, "save", full)  # the workers fork after this
    with pytest.raises(BuildError) as caught:
        build(small_edition, out_root=out, seed=99)
    assert caught.value.code == 1  # nothing in the input was wrong
    assert "no space is left on the disk; free some space (`workbook clean --cache` removes the build cache" in str(caught.value)
    assert "Errno" not in str(caught.value)
    assert snapshot(folder) == before
    assert leftovers(out) == []


@pytest.mark.parametrize("read", [0, 1])
def test_a_closed_stdout_keeps_the_finished_build(previous, small_edition, read):
    """`workbook build ... | head -1`: the reader gone, the build was thrown away and the line blamed the
    build folder's disk (attack 11, D8). It now finishes quietly, and so does an up-to-date rebuild."""
    out, folder, before = previous
    code = "import sys; from workbook.cli import main; sys.exit(main())"
    for seed in ("99", "99"):  # built, then up to date
        process = subprocess.Popen([sys.executable, "-c", code, "build", str(small_edition), "--out", str(out),
                                    "--seed", seed], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(read):
            process.stdout.readline()
        process.stdout.close()  # as `head -1` does once it has its line
        err = process.stderr.read()
        assert process.wait(timeout=300) == 0 and err == "", err
        assert snapshot(folder) != before and '"seed": 99' in (folder / "manifest.json").read_text()
        assert leftovers(out) == [] and not list(out.glob(".*.lock"))


def test_an_output_folder_that_cannot_be_made_is_one_clear_line(tmp_path, small_edition):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the build folder would go")
    result = cli("build", small_edition, "--out", blocker / "build", "-q")
    assert result.returncode == 2  # a file in the way of --out is the user's to move: bad input
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "could not write the edition" in lines[0] and "--out" in lines[0], result.stderr
    assert blocker.read_text() == "a file where the build folder would go"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_one_clear_line(previous, small_edition):
    out, folder, before = previous
    out.chmod(0o555)
    try:
        result = cli("build", small_edition, "--out", out, "--seed", "99", "-q")
    finally:
        out.chmod(0o755)
    assert result.returncode == 1 and len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert snapshot(folder) == before


@pytest.mark.parametrize("slug", ["../../etc", "/etc", "..", "build2/../../x", "a/b", "../build2"])
def test_an_edition_slug_cannot_leave_the_build_folder(tmp_path, slug):
    edition = tmp_path / "evil.toml"
    edition.write_text(f'title = "Evil"\nslug = "{slug}"\n[[sections]]\ntitle = "S"\ntopic = "trig"\ncount = 1\n')
    out = tmp_path / "build"
    result = cli("build", edition, "--out", out, "-q", cwd=tmp_path)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "evil.toml" in lines[0] and "slug" in lines[0], result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["evil.toml"]  # nothing written anywhere


@pytest.mark.parametrize("name", ["..", ".", "", "../build2", "../build2/x", "/etc", "a/../../b", "x/y"])
def test_confined_refuses_every_way_out(tmp_path, name):
    (tmp_path / "build2").mkdir()
    with pytest.raises(BuildError):
        confined(tmp_path / "build", name)


def test_confined_keeps_a_plain_name_inside(tmp_path):
    assert confined(tmp_path / "build", "my-sheet") == (tmp_path / "build" / "my-sheet").resolve()


def test_a_build_killed_midway_keeps_the_previous_edition_and_the_next_build_tidies_up(previous, small_edition):
    out, folder, before = previous
    temp = out.parent / "tmp"
    temp.mkdir()
    code = "import sys; from workbook.cli import main; sys.exit(main())"
    # twelve versions: seconds of layout after the staging folder appears, so the kill lands mid-write
    process = subprocess.Popen([sys.executable, "-c", code, "build", str(small_edition), "--out", str(out),
                                "--seed", "99", "--versions", "12", "-q"], start_new_session=True,
                               env={**os.environ, "TMPDIR": str(temp)})
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (any(".staging-" in p.name for p in out.iterdir())
                                               and any(p.is_file() for p in temp.rglob("*"))):
        time.sleep(0.05)  # wait until it is writing its staging folder and its workers lay out PDFs
    assert process.poll() is None, "the build finished before it could be killed"
    os.killpg(process.pid, signal.SIGKILL)  # the build and its workers, as a power cut would
    process.wait()
    assert snapshot(folder) == before
    assert list(temp.iterdir())  # the killed workers' scratch folders (WeasyPrint's font files)
    result = cli("build", small_edition, "--out", out, "--seed", "99", "-q", env={"TMPDIR": str(temp)})
    assert result.returncode == 0, result.stderr
    assert leftovers(out) == []
    assert list(temp.iterdir()) == []


def test_an_edition_moved_aside_by_a_killed_build_is_put_back(previous, small_edition):
    out, folder, before = previous
    from workbook import staging

    staging._sign_aside(folder, out / ".test-sheet.old-12345")  # as a build does, then killed between the two
    folder.rename(out / ".test-sheet.old-12345")  # renames of the swap
    (out / ".test-sheet.staging-abc").mkdir()
    result = cli("build", small_edition, "--out", out, "-q")
    assert result.returncode == 0, result.stderr
    assert snapshot(folder) == before and leftovers(out) == []


def test_a_build_leaves_no_temporary_files(tmp_path, small_edition):
    # WeasyPrint copies the math font into a folder of each worker's; a pool kills its workers, so
    # the pool removes those folders itself
    temp = tmp_path / "tmp"
    temp.mkdir()
    for jobs in ("1", "2"):
        result = cli("build", small_edition, "--out", tmp_path / "out", "--seed", jobs, "--jobs", jobs, "-q",
                     env={"TMPDIR": str(temp)})
        assert result.returncode == 0, result.stderr
        assert sorted(p.name for p in temp.iterdir()) == []


def test_a_folder_workbook_did_not_make_is_never_replaced(tmp_path, small_edition):
    """A build replaces its edition's folder whole: where that folder holds someone else's files (no
    marker), it stops with one line and leaves them as they were; an empty folder is used."""
    out = tmp_path / "out"
    theirs = out / "test-sheet"
    theirs.mkdir(parents=True)
    (theirs / "notes.txt").write_text("a teacher's own notes", encoding="utf-8")
    (theirs / "worksheet.pdf").write_text("not ours either", encoding="utf-8")
    before = snapshot(theirs)
    run = cli("build", small_edition, "--out", out, "--format", "html")
    assert run.returncode == 2 and "not made by workbook" in run.stderr and "Traceback" not in run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
    assert snapshot(theirs) == before and leftovers(out) == []
    for child in theirs.iterdir():
        child.unlink()
    assert cli("build", small_edition, "--out", out, "--format", "html").returncode == 0  # an empty folder is fine
    assert (theirs / "worksheet.html").is_file()


def test_removing_an_edition_never_follows_a_folder_swapped_for_a_link(tmp_path, monkeypatch):
    """Someone writing in a shared build folder swaps a folder of the edition being removed for a link to one
    outside, between the removal's look at it and its going in (attack 20, D12: the path-based removal moved
    20 files of the outside folder into the build folder)."""
    from workbook import userfiles

    victim = tmp_path / "outside"
    victim.mkdir()
    (victim / "v1").write_text("theirs")
    tree = tmp_path / "build" / ".old"
    (tree / "junk" / "sub").mkdir(parents=True)
    (tree / "file").write_text("ours")
    (tree / ".workbook-build").write_text("ours")
    real_unlink = os.unlink

    def unlink_then_swap(target, *args, **kwargs):
        real_unlink(target, *args, **kwargs)
        if (tree / "junk").is_dir() and not (tree / "junk").is_symlink():
            os.rename(tree / "junk", tmp_path / "build" / "junk-away")
            os.symlink(victim, tree / "junk")

    monkeypatch.setattr(userfiles.os, "unlink", unlink_then_swap)
    try:
        userfiles.remove_tree(tree)
    except OSError:  # refused to go through the link: what is left is still marked, for the next build to remove
        assert (tree / ".workbook-build").exists()
    assert sorted(p.name for p in victim.iterdir()) == ["v1"] and (victim / "v1").read_text() == "theirs"


SLOW_SEEDS = "WORKBOOK_TEST_SLOW_SEEDS"  # a file of seeds whose draws take 1.5 s, read in the workers


def slow_on_listed_seeds(family, seed):
    from workbook import generate

    path = os.environ.get(SLOW_SEEDS)
    if path and os.path.exists(path) and str(seed) in open(path).read().split():  # noqa: SIM115
        time.sleep(1.5)
    return generate.generate_one(family, seed)


def test_a_draw_that_overruns_its_budget_once_is_drawn_again_from_its_own_seed(tmp_path, monkeypatch):
    # a draw of 3.5 s overran its 5 s budget on a busy machine and the next seed's draw took its place: the same
    # edition printed another problem, silently (attack23's D3). It is now drawn again from the same seed, given
    # SLOW_RETRY times as long, so a busy machine prints what a quiet one does
    import json

    from workbook import scheduler

    edition = tmp_path / "one.toml"
    edition.write_text('title = "One"\nseed = 3\n[[sections]]\ntitle = "S"\nfamilies = ["power-polynomial"]\n'
                       'count = 1\n', encoding="utf-8")
    quiet = build(edition, out_root=tmp_path / "quiet", formats=("html",))
    first = json.loads((quiet.out_dir / "manifest.json").read_text())["problems"][0]
    (tmp_path / "slow").write_text(str(first["seed"]))
    monkeypatch.setenv(SLOW_SEEDS, str(tmp_path / "slow"))
    monkeypatch.setattr(scheduler, "generate_one", slow_on_listed_seeds)
    busy = build(edition, out_root=tmp_path / "busy", formats=("html",), budget=1.0)
    again = json.loads((busy.out_dir / "manifest.json").read_text())["problems"][0]
    assert (again["seed"], again["attempt"]) == (first["seed"], first["attempt"])
    assert (busy.out_dir / "worksheet.html").read_bytes() == (quiet.out_dir / "worksheet.html").read_bytes()


def test_a_stop_that_arrives_while_a_worker_is_forked_still_stops():
    # a SIGTERM landing inside the fork ran its handler in an at-fork callback, where Python prints the exception
    # and drops it; the build went on, deaf to every later signal, and replaced the edition (attack26). Here the
    # signal is sent from inside the fork itself, every time
    code = ("import os, signal\nfrom workbook import cli, workers\n"
            "signal.signal(signal.SIGTERM, cli._raise_stopped)\nfired = []\n"
            "def hook():\n    if not fired:\n        fired.append(1)\n        os.kill(os.getpid(), signal.SIGTERM)\n"
            "os.register_at_fork(after_in_parent=hook)\n"
            "try:\n    with workers.Pool(2) as pool:\n        pool.submit('t', 10, abs, -1)\n"
            "        print([o.value for o in pool.completed()])\n    print('went on')\n"
            "except cli.Stopped:\n    print('stopped')\n")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False)
    assert run.stdout.strip() == "stopped" and "Traceback" not in run.stderr, (run.stdout, run.stderr[-800:])


def test_an_edition_moved_aside_by_a_killed_build_keeps_its_files_when_the_next_build_is_another_mode(
        previous, small_edition):
    # killed between the swap's two moves, then built with a roster: the edition was put back only when the new one
    # was staged, after the build had read an empty folder for what to keep, and its files were removed as
    # "no build of yours wrote" (attack33 F5). It is put back first, under the lock
    out, folder, before = previous
    from workbook import staging

    staging._sign_aside(folder, out / ".test-sheet.old-12345-abcdef")
    folder.rename(out / ".test-sheet.old-12345-abcdef")
    roster = out.parent / "class.csv"
    roster.write_text("name,id\nAnn,s01\n", encoding="utf-8")
    result = cli("build", small_edition, "--out", out, "--roster", roster, "-q")
    assert result.returncode == 0 and "no build of yours" not in result.stderr, result.stderr
    now = snapshot(folder)
    assert {name: data for name, data in now.items() if name in before and name[0] != "."} == \
        {name: data for name, data in before.items() if name[0] != "."}  # the marker lists the students' files too
    assert leftovers(out) == []


def test_an_edition_put_back_keeps_its_other_formats_and_its_class(tmp_path, small_edition):
    # attack35a C07: killed between the swap's two moves, the next build read what the edition held before it was
    # put back (nothing), and then dropped every file it did not write: built --format moodle it kept only quiz.xml,
    # and a late student's roster dropped the class built before ("kept from earlier builds: students/ (2 files)")
    from workbook import staging

    out = tmp_path / "out"
    assert cli("build", small_edition, "--out", out, "--format", "html,moodle", "-q").returncode == 0
    roster = tmp_path / "class.csv"
    roster.write_text("name,id\nAnn,s01\nBen,s02\n", encoding="utf-8")
    assert cli("build", small_edition, "--out", out, "--roster", roster, "--format", "html", "-q").returncode == 0
    folder = out / "test-sheet"
    before = snapshot(folder)
    for kind, args in (("format", ("--format", "moodle")), ("class", ("--roster", tmp_path / "late.csv", "--format", "html"))):
        (tmp_path / "late.csv").write_text("name,id\nCy,s03\n", encoding="utf-8")
        aside = out / ".test-sheet.old-12345-abcdef"
        staging._sign_aside(folder, aside)
        folder.rename(aside)
        result = cli("build", small_edition, "--out", out, *args, "-q")
        assert result.returncode == 0, (kind, result.stderr)
        now = snapshot(folder)
        kept = {n for n in before if n[0] != "." and not n.endswith("manifest.json")}
        assert kept <= set(now), (kind, sorted(kept - set(now)))
        assert [n for n in kept if now[n] != before[n] and "key" not in n] == [], kind  # (the class key grows)
        assert leftovers(out) == [], kind
        before = now
    assert {"students/s01/worksheet.html", "students/s02/worksheet.html", "students/s03/worksheet.html"} <= set(before)


def test_an_edition_swapped_for_a_link_after_the_last_look_is_not_written_through(previous, small_edition, monkeypatch,
                                                                                  tmp_path):
    # attack35a C20: someone else writing in the build folder swapped the edition for a link to an outside folder
    # after the build's last look, and the build wrote its signed marker into that folder
    from workbook import staging

    out, folder, before = previous
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "x.txt").write_text("theirs", encoding="utf-8")
    real = staging._aside

    def swapped(out_dir):
        folder.rename(out / "test-sheet.real")
        os.symlink(outside, folder)
        return real(out_dir)

    monkeypatch.setattr(staging, "_aside", swapped)
    with pytest.raises(BuildError, match="was replaced while the build ran"):
        build(small_edition, out_root=out, seed=5)
    assert sorted(p.name for p in outside.iterdir()) == ["x.txt"]
    assert snapshot(out / "test-sheet.real") == before


def test_clean_never_removes_through_a_cache_folder_swapped_for_a_link(previous, monkeypatch, tmp_path):
    # attack35a C26: .cache/draws swapped for a link to another cache while clean emptied it: that cache's signed
    # entries were removed, and a file of it named
    from workbook import staging
    from workbook.areas import trusted_files

    out, _, _ = previous
    draws = out / ".cache" / "draws"
    other = tmp_path / "other-cache"
    other.mkdir()
    for entry in list(draws.iterdir())[:3]:
        (other / entry.name).write_bytes(entry.read_bytes())
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    kept = sorted(p.name for p in other.iterdir())
    assert len(kept) == 4, kept
    real, looked = os.open, Path.is_symlink

    def swap():  # at clean's last look at the folder, whichever it is
        if not os.path.islink(draws):
            draws.rename(draws.with_name("draws.real"))
            os.symlink(other, draws)

    def opening(path, flags, *args, dir_fd=None, **kwargs):
        if path == "draws" and dir_fd is not None:
            swap()
        return real(path, flags, *args, dir_fd=dir_fd, **kwargs)

    def looking(self):
        answer = looked(self)
        if self == draws:
            swap()
        return answer

    monkeypatch.setattr(os, "open", opening)
    monkeypatch.setattr(Path, "is_symlink", looking)
    _, _, left = staging.clean(out, trusted=trusted_files)
    monkeypatch.setattr(os, "open", real)
    monkeypatch.setattr(Path, "is_symlink", looked)
    assert sorted(p.name for p in other.iterdir()) == kept
    assert "notes.txt" not in " ".join(left), left


def test_a_stop_held_through_the_swap_says_the_new_edition_is_in_place_and_leaves_no_old_one(previous, small_edition,
                                                                                          monkeypatch):
    # attack35a C19: a SIGTERM that arrived during the swap (held until it was done) said "stopped (the previous
    # edition is kept as it was)" with the new edition in place, and left the previous one aside as .<name>.old-*
    from workbook import staging

    out, folder, before = previous
    real, sent = staging._sign_aside, []

    def signalled(out_dir, old):
        sent.append(os.kill(os.getpid(), signal.SIGTERM))
        return real(out_dir, old)

    def stop(signum, frame):
        raise KeyboardInterrupt

    monkeypatch.setattr(staging, "_sign_aside", signalled)
    handler = signal.signal(signal.SIGTERM, stop)
    try:
        with pytest.raises(KeyboardInterrupt) as stopped:
            build(small_edition, out_root=out, seed=5)
    finally:
        signal.signal(signal.SIGTERM, handler)
    assert sent and getattr(stopped.value, "swapped", False)
    assert snapshot(folder) != before and (folder / "worksheet.html").is_file() and leftovers(out) == []


def test_a_stop_after_the_swap_says_the_new_edition_is_in_place(previous, small_edition, monkeypatch):
    # attack58 F3: Ctrl-C 15-70 ms after the new edition was moved in, while the build noted its inputs for the next
    # up-to-date check, said "stopped (the previous edition is kept as it was)", the new edition in place
    from click.testing import CliRunner

    from workbook import quick
    from workbook.cli import main

    out, folder, before = previous

    def stopped(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(quick, "remember", stopped)
    result = CliRunner().invoke(main, ["build", str(small_edition), "--out", str(out), "--seed", "5", "-q"])
    assert result.exit_code == 130 and "the new edition had been written and is in place" in result.stderr, (
        result.exit_code, result.stderr)
    assert snapshot(folder) != before


def test_a_swap_whose_second_move_fails_puts_the_previous_edition_back(previous, small_edition, monkeypatch):
    # the stage moved in failed (a full disk, a quota, a folder made there meanwhile) after the previous edition was
    # moved aside: "the previous edition is unchanged", and it was in a dot-folder the user does not see (attack33 F7)
    out, folder, before = previous
    real = os.replace

    def failing(src, dst, *args, **kwargs):
        if ".staging-" in str(src) and str(dst) == str(folder):
            raise OSError(28, "No space left on device", str(src))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", failing)
    with pytest.raises(BuildError, match="the previous edition is unchanged"):
        build(small_edition, out_root=out, seed=9)
    monkeypatch.setattr(os, "replace", real)
    assert snapshot(folder) == before and leftovers(out) == []


def test_the_staging_folder_is_private_while_it_is_written(tmp_path, small_edition, monkeypatch):
    # with a group-writable umask the stage was drwxrwxr-x from the start: a group member's file dropped in it was
    # listed in the manifest and signed as the build's own (attack33 F16). It follows the umask only when moved in
    from contextlib import contextmanager

    import workbook.build as building

    seen = []
    real = building.staging

    @contextmanager
    def looking(*args, **kwargs):
        with real(*args, **kwargs) as stage:
            seen.append(os.stat(stage).st_mode & 0o777)  # as the build starts writing, and when it has written all
            yield stage
            seen.append(os.stat(stage).st_mode & 0o777)

    monkeypatch.setattr(building, "staging", looking)
    old = os.umask(0o002)
    try:
        result = build(small_edition, out_root=tmp_path / "out", formats=("html",), jobs=1)
    finally:
        os.umask(old)
    assert seen and all(mode & 0o077 == 0 for mode in seen), [oct(m) for m in seen]
    assert os.stat(result.out_dir).st_mode & 0o777 == 0o775


def test_a_lock_file_that_is_a_hard_link_or_another_programs_is_refused_and_kept(previous, small_edition, tmp_path):
    # a hard link planted as the lock had the lock's text written into the file it links to, outside the build
    # folder, and was removed; another program's lock of that name was taken and removed (attack33 F1, F3)
    out, folder, before = previous
    outside = tmp_path / "elsewhere.cfg"
    outside.write_bytes(b"")
    lock = out / ".test-sheet.lock"
    os.link(outside, lock)
    for command in (("build", small_edition, "--out", out, "--seed", "9"), ("clean", "--out", out, "--yes")):
        result = cli(*command)
        assert result.returncode == 2 and "hard link" in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and outside.read_bytes() == b"" and lock.exists()
    lock.unlink()
    lock.write_text("pid 4242 of otherapp\n", encoding="utf-8")
    result = cli("build", small_edition, "--out", out, "--seed", "9")
    assert result.returncode == 2 and "not a workbook lock" in result.stderr, result.stderr
    assert lock.read_text(encoding="utf-8") == "pid 4242 of otherapp\n" and snapshot(folder) == before


def test_without_a_key_an_edition_built_before_is_kept_not_removed(previous, small_edition):
    # with HOME=/ (a container) there is no key to tell this user's files by: a roster build removed every file of
    # the edition built before as "no build of yours wrote" (attack33 F18). It stops, and says what to do
    out, folder, before = previous
    roster = out.parent / "class.csv"
    roster.write_text("name,id\nAnn,s01\n", encoding="utf-8")
    result = cli("build", small_edition, "--out", out, "--roster", roster, env={"HOME": "/", "XDG_CACHE_HOME": ""})
    assert result.returncode == 2 and "HOME is /, empty or relative" in result.stderr, result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and snapshot(folder) == before
    # attack48 F5: the line blamed HOME where the key was a link, its folder open to others, or XDG_CACHE_HOME a file
    keys = out.parent / "keys"
    (keys / "workbook").mkdir(parents=True, mode=0o700)
    (keys / "workbook" / "cache-key").symlink_to(out.parent / "elsewhere")
    (out.parent / "a-file").write_text("x")
    for home, said in ((keys, "cache-key is a link"), (out.parent / "a-file", "a file stands in its way")):
        result = cli("build", small_edition, "--out", out, "--roster", roster, env={"XDG_CACHE_HOME": str(home)})
        assert result.returncode == 2 and said in result.stderr and "HOME is" not in result.stderr, result.stderr
        assert snapshot(folder) == before and not (out.parent / "elsewhere").exists()
    (keys / "workbook" / "cache-key").unlink()
    (keys / "workbook").chmod(0o777)
    result = cli("build", small_edition, "--out", out, "--roster", roster, env={"XDG_CACHE_HOME": str(keys)})
    assert result.returncode == 2 and "not yours alone" in result.stderr and snapshot(folder) == before, result.stderr


def test_a_clean_stopped_midway_leaves_the_manifest_so_the_next_clean_finishes(previous, monkeypatch):
    # the manifest went first, in the folder's order: killed then, the files it listed were left unlisted, never
    # removed again, and clean said workbook did not write them (attack33 F17). It goes after them
    out, folder, _ = previous
    from workbook import staging
    from workbook.areas import trusted_files

    real, calls = os.unlink, []

    def stopping(path, *args, **kwargs):
        calls.append(path)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "unlink", stopping)
    with pytest.raises(KeyboardInterrupt):
        staging.clean(out, trusted=trusted_files)
    monkeypatch.setattr(os, "unlink", real)
    assert (folder / "manifest.json").is_file()
    removed, skipped, kept = staging.clean(out, trusted=trusted_files)
    assert folder in removed and not folder.exists() and skipped == [] and kept == [], (skipped, kept)


def test_a_cache_made_under_a_wide_umask_is_used_by_the_next_build(tmp_path, small_edition):
    # under umask 000 the first build made .cache writable by all, then refused it as someone else's, every build
    # after saying so (attack33 F12)
    out = tmp_path / "out"
    for seed in ("3", "4"):
        result = subprocess.run([sys.executable, "-c", "import sys; from workbook.cli import main; sys.exit(main())",
                                 "build", str(small_edition), "--out", str(out), "--seed", seed, "--format", "html"],
                                capture_output=True, text=True, timeout=300, check=False, preexec_fn=lambda: os.umask(0))
        assert result.returncode == 0 and "not made by workbook" not in result.stderr, result.stderr
    assert not os.stat(out / ".cache").st_mode & 0o002  # (a group may write it, as a umask of 002 says: test_hostile)


def test_a_marker_a_killed_build_was_replacing_is_swept_quietly(previous, small_edition):
    # killed inside the marker's replacement, the build left .workbook-build.<12 hex>, and the next one said it had
    # removed "1 file that no build of yours wrote" (attack33 F6)
    out, folder, _ = previous
    (folder / ".workbook-build.604f67fc7ac8").write_text("made by workbook\n", encoding="utf-8")
    result = cli("build", small_edition, "--out", out, "--seed", "9")
    assert result.returncode == 0 and "no build of yours" not in result.stderr, result.stderr
    assert not (folder / ".workbook-build.604f67fc7ac8").exists()


def test_a_clean_stopped_by_a_signal_removes_the_edition_whole_first(previous, monkeypatch):
    # SIGTERM or Ctrl-C while clean removed an edition left half of it, its marker and two files (attack33 F15): the
    # stop waits for the edition being removed
    out, folder, _ = previous
    from workbook import staging
    from workbook.areas import trusted_files

    def stop(signum, frame):
        raise KeyboardInterrupt

    real, sent = os.unlink, []

    def signalling(path, *args, **kwargs):
        if not sent:
            sent.append(os.kill(os.getpid(), signal.SIGTERM))
        return real(path, *args, **kwargs)

    # another thread in the process (CI's full run had one) takes the signal the main thread holds, and Python
    # still runs the handler in the main thread: the stop got in halfway there
    waiting = threading.Event()
    other = threading.Thread(target=waiting.wait, daemon=True)
    other.start()
    previous_handler = signal.signal(signal.SIGTERM, stop)
    try:
        monkeypatch.setattr(os, "unlink", signalling)
        with pytest.raises(KeyboardInterrupt):
            staging.clean(out, trusted=trusted_files)
    finally:
        signal.signal(signal.SIGTERM, previous_handler)
        waiting.set()
    assert sent and not folder.exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
def test_a_build_whose_output_is_a_full_device_builds_and_says_so(tmp_path, small_edition):
    # attack35a C24: stdout sent to /dev/full stopped the build with "no space is left on the disk ... the previous
    # edition is kept": the disk had room; the output had none
    with open("/dev/full", "w") as full:
        run = subprocess.run([sys.executable, "-c", "import sys; from workbook.cli import main; sys.exit(main())",
                              "build", str(small_edition), "--out", str(tmp_path / "out"), "--format", "html"],
                             stdout=full, stderr=subprocess.PIPE, text=True, timeout=300, check=False)
    assert run.returncode == 0 and "could not be written to its output" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr and (tmp_path / "out" / "test-sheet" / "worksheet.html").is_file()


def test_a_removal_of_the_previous_edition_stopped_halfway_is_finished_by_the_next_build(previous, small_edition,
                                                                                        monkeypatch):
    # attack36a F03a/F03c: killed or stopped while it removed the previous edition (after the swap), a build left
    # .<slug>.old-* without the manifest that lists its files, which no build or clean took again; and a stop there
    # said "the previous edition is kept as it was"
    from workbook import userfiles

    out, folder, _ = previous
    real, gone = os.unlink, []

    def stopping(path, *args, **kwargs):
        gone.append(str(path))
        if len(gone) == 4 and kwargs.get("dir_fd") is not None:
            raise KeyboardInterrupt
        return real(path, *args, **kwargs)

    monkeypatch.setattr(userfiles.os, "unlink", stopping)
    with pytest.raises(KeyboardInterrupt) as stopped:
        build(small_edition, out_root=out, seed=5)
    monkeypatch.setattr(userfiles.os, "unlink", real)
    assert getattr(stopped.value, "swapped", False) and (folder / "worksheet.html").is_file()
    left = [p for p in out.iterdir() if ".old-" in p.name]
    assert left and (left[0] / "manifest.json").is_file()  # the manifest goes last: the folder is known again
    assert "manifest.json" not in [Path(g).name for g in gone]
    build(small_edition, out_root=out, seed=5)
    assert leftovers(out) == []


def test_a_full_clean_keeps_the_cache_while_a_first_build_draws(previous, tmp_path):
    # attack36a F05: a build drawing an edition not yet written holds only its lock; a full clean removed the cache
    from workbook import staging
    from workbook.areas import trusted_files

    out, _, _ = previous
    with staging._locked(out / ".another-sheet.lock"):
        _, skipped, _ = staging.clean(out, trusted=trusted_files)
    assert (out / ".cache").is_dir() and any(".cache" in s for s in skipped), skipped


def _chattr(path, flag: str) -> bool:
    try:
        return subprocess.run(["chattr", flag, str(path)], capture_output=True, check=False, timeout=30).returncode == 0
    except OSError:
        return False


def test_a_previous_edition_that_cannot_be_removed_is_said_and_removed_once_it_can_be(tmp_path, small_edition):
    # attack36a F09: a subfolder made unchangeable (chattr +i, another owner) left the previous edition moved aside,
    # silently; every later build and clean then failed with "solutions.pdf: Operation not permitted", no folder
    # named; made changeable again, a half-removed copy came back as the edition, and debris stayed for good
    out = tmp_path / "out"
    assert cli("build", small_edition, "--out", out, "--versions", "2", "-q").returncode == 0
    folder = next(p for p in out.iterdir() if not p.name.startswith("."))
    stuck = folder / "versions" / "B"
    if not _chattr(stuck, "+i"):
        pytest.skip("needs chattr +i (root, on a file system with the immutable flag) to make a folder unchangeable")
    try:
        first = cli("build", small_edition, "--out", out, "--versions", "2", "--seed", "8")
        assert first.returncode == 0, first.stderr
        assert "could not be removed" in first.stderr and ".old-" in first.stderr, first.stderr
        assert "Traceback" not in first.stderr
        again = cli("build", small_edition, "--out", out, "--versions", "2", "--seed", "10", "-q")
        assert again.returncode == 0 and "Operation not permitted" in again.stderr, again.stderr
        cleaned = cli("clean", "--out", out, "--yes")
        assert cleaned.returncode == 0 and "could not remove all of" in cleaned.stderr + cleaned.stdout, cleaned
    finally:
        for path in [stuck, *out.glob(".*.old-*/versions/B")]:
            _chattr(path, "-i")
    last = cli("build", small_edition, "--out", out, "--seed", "9", "-q")
    assert last.returncode == 0, last.stderr
    assert leftovers(out) == [] and not list(out.glob(".*.old-*"))
    assert (folder / "worksheet.pdf").is_file() and not (folder / "versions").exists()


def test_a_removal_stopped_in_a_subfolder_leaves_its_manifest_with_what_it_lists(tmp_path, monkeypatch):
    # attack39: remove_tree moved versions/manifest.json up (as .removing-N, then deleted) before a folder it could not
    # move stopped it: the files left were listed by no manifest, and the next build left them for good, unmarked.
    # Whether it did followed the file system's listing order: here the manifest is listed first, as it was there
    from workbook import userfiles
    from workbook.userfiles import remove_tree

    listed = os.listdir
    monkeypatch.setattr(userfiles.os, "listdir", lambda fd: sorted(listed(fd), key=lambda n: n != "manifest.json"))

    top = tmp_path / "edition"
    (top / "versions" / "B").mkdir(parents=True)
    for name in ("manifest.json", ".workbook-build"):
        (top / name).write_text("x")
    for name in ["manifest.json", "print.pdf", *(f"f{i}.pdf" for i in range(12))]:
        (top / "versions" / name).write_text("x")
    (top / "versions" / "B" / "worksheet.pdf").write_text("x")
    if not _chattr(top / "versions" / "B", "+i"):
        pytest.skip("needs chattr +i (root, on a file system with the immutable flag)")
    try:
        with pytest.raises(OSError):
            remove_tree(top)
        assert (top / "versions" / "manifest.json").is_file() and (top / ".workbook-build").is_file()
    finally:
        _chattr(top / "versions" / "B", "-i")
    remove_tree(top)
    assert not top.exists()


def test_an_edition_folder_made_unchangeable_is_named_as_the_folder_to_make_writable(tmp_path, small_edition):
    # attack39 F5: "Operation not permitted (in out, at .workbook-build.c5164f0069bd)": a temporary file's name, which
    # did not exist, for the folder the user must make writable
    out = tmp_path / "out"
    assert cli("build", small_edition, "--out", out, "-q").returncode == 0
    (edition,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    before = {p: p.read_bytes() for p in edition.rglob("*") if p.is_file()}
    if not _chattr(edition, "+i"):
        pytest.skip("needs chattr +i (root, on a file system with the immutable flag)")
    try:
        run = cli("build", small_edition, "--out", out, "--versions", "2", "-q")
        said = run.stdout + run.stderr
        assert run.returncode != 0 and "Traceback" not in said and len(said.strip().splitlines()) == 1, said
        # the folder named, its path's start cut to "..." where it is long (a test worker's folder is)
        shown = re.search(r"\bat (\S+)\)", said)
        assert shown and (shown[1] == str(edition) or shown[1].startswith("...")
                          and str(edition).endswith(shown[1][3:])), said
        assert "make it writable" in said and ".workbook-build." not in said, said
    finally:
        _chattr(edition, "-i")
    assert {p: p.read_bytes() for p in edition.rglob("*") if p.is_file()} == before


def test_clean_names_a_cache_folder_it_cannot_empty_and_what_it_removed_before(tmp_path, small_edition):
    # attack39 F4: "error: dc99….json: Operation not permitted", exit 2; the edition removed before it never said
    out = tmp_path / "out"
    assert cli("build", small_edition, "--out", out, "-q").returncode == 0
    math = out / ".cache" / "math"
    if not _chattr(math, "+i"):
        pytest.skip("needs chattr +i (root, on a file system with the immutable flag)")
    try:
        run = cli("clean", "--out", out, "--yes")
        said = run.stdout + run.stderr
        assert "Traceback" not in said and "removed" in said and "could not empty" in said and ".cache" in said, said
        assert "nothing to clean" not in said
    finally:
        _chattr(math, "-i")
    assert cli("clean", "--out", out, "--yes").returncode == 0 and not (out / ".cache").exists()


def test_a_roster_only_edition_half_removed_is_said_and_removed_once_it_can_be(tmp_path, small_edition):
    # attack39 F1: the previous edition held students/ alone; a file in it unchangeable stopped its removal after its
    # manifest had gone, and the folder, holding only the marker and remove_tree's .removing-N, stayed for good, unsaid
    out = tmp_path / "out"
    (tmp_path / "r.csv").write_text("name,id\nAnn,s01\nBob,s02\n", encoding="utf-8")
    (tmp_path / "r2.csv").write_text("name,id\nCid,s03\n", encoding="utf-8")
    assert cli("build", small_edition, "--out", out, "--roster", tmp_path / "r.csv", "-q").returncode == 0
    stuck = next(out.glob("*/students/s01/worksheet.pdf"))
    if not _chattr(stuck, "+i"):
        pytest.skip("needs chattr +i (root, on a file system with the immutable flag)")
    try:
        run = cli("build", small_edition, "--out", out, "--roster", tmp_path / "r2.csv", "-q")
        assert run.returncode == 0 and "could not be removed" in run.stderr and ".old-" in run.stderr, run.stderr
    finally:
        for path in out.rglob("worksheet.pdf"):
            _chattr(path, "-i")
    assert cli("build", small_edition, "--out", out, "--seed", "3", "-q").returncode == 0
    assert not list(out.glob(".*.old-*")) and leftovers(out) == []
