"""Builds and checks on a Dask cluster (``--cluster``): the same bytes as the local pool, the same
budget, no task lost. A LocalCluster on this machine stands in for a cluster; its workers get
nothing from this process but what a remote worker would (they are separate processes, and the
build folder is not theirs: files travel with the tasks)."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import pytest

pytest.importorskip("distributed", reason="Dask's distributed scheduler is not installed (pip install -e '.[cluster]')")

from click.testing import CliRunner

from workbook import cluster, generate, scheduler
from workbook.bank import load_bank
from workbook.bankcheck import check_families
from workbook.build import build
from workbook.cli import main
from workbook.cluster import ClusterPool
from workbook.errors import InputError

HANGS = "WORKBOOK_TEST_HANG_SEEDS"  # a file of seeds whose draws hang, read on the workers


@pytest.fixture(scope="module")
def address(tmp_path_factory):
    """A scheduler and two workers, as `dask scheduler` and `dask worker` would start them."""
    import dask
    from distributed import LocalCluster

    os.environ[HANGS] = str(tmp_path_factory.mktemp("hangs") / "seeds")  # the workers inherit it
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        local = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                             dashboard_address="127.0.0.1:0", memory_limit=0)
    yield local.scheduler_address
    local.close()
    del os.environ[HANGS]


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_on_a_cluster_is_byte_identical_to_the_local_pools(tmp_path, small_edition, address):
    templates = tmp_path / "templates"  # a user's template folder travels with the tasks
    templates.mkdir()
    (templates / "answers.html").write_text('{% extends "base.html" %}{% block content %}<p>Our key</p>'
                                            '{% endblock %}')
    home = build(small_edition, out_root=tmp_path / "home", versions=2, templates=templates)
    away = build(small_edition, out_root=tmp_path / "away", versions=2, templates=templates, cluster=address)
    assert not home.unchanged and not away.unchanged
    mine, theirs = _files(home.out_dir), _files(away.out_dir)
    assert "versions/A/worksheet.pdf" in mine and "versions/print.pdf" in mine
    assert b"Our key" in mine["versions/A/answers.html"]
    assert mine.keys() == theirs.keys()
    # every file the same; the folder's signed marker records where the files were laid out, and differs
    assert [name for name in mine if mine[name] != theirs[name]] == [".workbook-build"]
    # the cluster's build is this user's, as a local one is; with every problem in the cache, a rebuild
    # never contacts the cluster (no scheduler listens at this address)
    again = build(small_edition, out_root=tmp_path / "away", versions=2, templates=templates,
                  cluster="tcp://127.0.0.1:9")
    assert again.unchanged
    # the draws a remote cluster made are kept apart: a build on this machine alone draws its own
    kept = sorted(p.name for p in (tmp_path / "away" / ".cache").rglob("*") if "draws" in p.parts and p.is_file())
    here = build(small_edition, out_root=tmp_path / "away", versions=2, templates=templates)
    assert not here.unchanged  # laid out here again: a remote worker's files are not taken as up to date
    assert _files(here.out_dir).keys() == theirs.keys()
    assert [n for n, data in _files(here.out_dir).items() if data != mine[n] and n != ".workbook-build"] == []
    after = sorted(p.name for p in (tmp_path / "away" / ".cache").rglob("*") if "draws" in p.parts and p.is_file())
    assert kept and len(after) == 2 * len(kept) and set(kept) < set(after)


def test_check_on_a_cluster_reports_what_the_local_pool_does(address):
    families = [load_bank()[name] for name in ("trig", "product-rule")]
    with ClusterPool(address) as pool:
        assert pool.size == 2
        away = check_families(families, range(12), pool=pool)
    home = check_families(families, range(12), jobs=2)
    for mine, theirs in zip(home, away, strict=True):
        assert (mine.problems, mine.answers, mine.redraws, mine.failures) == \
            (theirs.problems, theirs.answers, theirs.redraws, theirs.failures)


def hangs_on_listed_seeds(family, seed):
    path = Path(os.environ[HANGS])
    if path.exists() and str(seed) in path.read_text().split():
        time.sleep(3600)
    return REAL_GENERATE(family, seed)


REAL_GENERATE = generate.generate_one


def test_a_draw_that_hangs_on_a_cluster_is_stopped_and_redrawn(tmp_path, small_edition, address, monkeypatch):
    home = build(small_edition, out_root=tmp_path / "home", formats=("html",))
    first = json.loads((home.out_dir / "manifest.json").read_text())["problems"][0]
    Path(os.environ[HANGS]).write_text(str(first["seed"]))
    monkeypatch.setattr(scheduler, "generate_one", hangs_on_listed_seeds)
    start = time.monotonic()
    try:
        away = build(small_edition, out_root=tmp_path / "away", formats=("html",), budget=4.0, cluster=address)
    finally:
        Path(os.environ[HANGS]).unlink()
    redrawn = json.loads((away.out_dir / "manifest.json").read_text())["problems"][0]
    assert redrawn["attempt"] == first["attempt"] + 1 and redrawn["seed"] != first["seed"]
    assert time.monotonic() - start < 60


def kills_its_dask_worker_once(marker: str) -> str:
    """A task whose Dask worker is lost (say, its machine goes down) the first time it runs."""
    if not os.path.exists(marker):
        open(marker, "w").close()
        os.kill(os.getppid(), signal.SIGKILL)  # our worker process's parent is the Dask worker
        time.sleep(60)
    return "done"


def kills_its_dask_worker_always() -> str:
    os.kill(os.getppid(), signal.SIGKILL)
    time.sleep(60)
    return "never"


def test_a_lost_workers_task_is_run_again_and_one_never_finished_is_reported(tmp_path, address):
    outcomes = {}
    with ClusterPool(address) as pool:  # one at a time: a worker lost counts against every task it held
        pool.submit("once", 120.0, kills_its_dask_worker_once, str(tmp_path / "killed"))
        outcomes |= {o.task: o for o in pool.completed()}
        pool.submit("always", 120.0, kills_its_dask_worker_always)
        outcomes |= {o.task: o for o in pool.completed()}
    assert (tmp_path / "killed").exists()  # a worker really was lost
    assert outcomes["once"].ok and outcomes["once"].value == "done"
    assert outcomes["always"].kind == "died" and "lost" in outcomes["always"].error


def test_the_cluster_option_is_checked_before_any_work(tmp_path, monkeypatch):
    runner = CliRunner()
    for args, env in ((["--cluster", "somewhere"], {}), ([], {cluster.ENV: "http://x:1"}),
                      (["--cluster", "tcp://h:1\x1b[2J"], {})):
        result = runner.invoke(main, ["build", "--out", str(tmp_path), *args], env=env)
        assert result.exit_code == 2, result.output
        (line,) = result.output.strip().splitlines()
        assert line.startswith("error:") and "tcp://host:8786" in line and "\x1b" not in line
    assert not any(tmp_path.iterdir())


def test_a_scheduler_that_cannot_be_reached_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2.0)
    result = CliRunner().invoke(main, ["check", "trig", "--seeds", "1..2", "--cluster", "tcp://127.0.0.1:9"])
    assert result.exit_code == 2
    (line,) = result.output.strip().splitlines()
    assert "could not reach a Dask scheduler" in line and "dask scheduler" in line


def test_without_dask_the_option_says_what_to_install(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(InputError) as caught:
        ClusterPool("local").open()
    assert "pip install -e '.[cluster]'" in str(caught.value)


def test_check_with_a_local_cluster_prints_what_the_local_pool_does():
    args = ["check", "trig", "--seeds", "1..6"]
    home = CliRunner().invoke(main, args)
    away = CliRunner().invoke(main, [*args, "--cluster", "local", "--jobs", "2"])
    assert home.exit_code == away.exit_code == 0, away.output
    assert away.output == home.output and "1 families" in home.output


def test_a_local_cluster_cannot_be_reached_from_another_process(tmp_path):
    # a LocalCluster on TCP let any local user run code as the teacher: ours talks over inproc://, in this
    # process, and its HTTP servers listen on 127.0.0.1 and serve nothing
    import tempfile

    shared = Path(tempfile.gettempdir()) / "dask-scratch-space"
    existed = shared.exists()
    with ClusterPool("local", jobs=2) as pool:
        pool.open()
        scratch = pool.scratch
        assert scratch is not None and scratch.is_dir() and (scratch.stat().st_mode & 0o077) == 0
        assert pool.client.scheduler.address.startswith("inproc://")
        assert all(worker.startswith("inproc://") for worker in pool.client.nthreads())
        pool.submit("a", 10.0, generate.generate_one, load_bank()["trig"], 3)
        (outcome,) = list(pool.completed())
        assert outcome.ok and outcome.value["seed"] == 3
    assert not scratch.exists() and shared.exists() == existed  # its own scratch, removed; not /tmp's shared one


def test_a_peer_that_is_not_dask_is_one_line_in_bounded_time(monkeypatch):
    import socket
    import threading

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 2.0)
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]

    def answer():  # an HTTP server's answer, or any bytes a stranger's service sends
        for _ in range(4):
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n" + b"\xff" * 64)

    threading.Thread(target=answer, daemon=True).start()
    start = time.monotonic()
    try:
        with pytest.raises(InputError) as caught:
            ClusterPool(f"tcp://127.0.0.1:{port}").open()
    finally:
        server.close()
    assert time.monotonic() - start < 20
    (line,) = caught.value.lines
    assert "could not reach a Dask scheduler" in line and "\n" not in line


@pytest.mark.parametrize("address", ["ucx://127.0.0.1:8786", "tcp://127.0.0.1:99999", "tcp://127.0.0.1:0"])
def test_addresses_the_cluster_cannot_use_are_refused_before_any_work(address):
    with pytest.raises(InputError, match="tcp://host:8786"):
        cluster.address_of(address)


def test_a_template_folder_goes_to_the_workers_once_and_leaves_nothing_behind(tmp_path, small_edition, address):
    import tempfile

    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "answers.html").write_text('{% extends "base.html" %}{% block content %}<p>Ours</p>{% endblock %}')
    before = set(Path(tempfile.gettempdir()).glob("workbook-*-task-*"))
    result = build(small_edition, out_root=tmp_path / "out", templates=templates, formats=("html",), cluster=address)
    assert "Ours" in (result.out_dir / "answers.html").read_text()
    assert set(Path(tempfile.gettempdir()).glob("workbook-*-task-*")) == before  # each task's scratch is removed
    for i in range(17):  # over 16 MB: refused in one line, not sent with every task
        (templates / f"big-{i}.html").write_bytes(b"x" * (1 << 20))
    with pytest.raises(InputError, match="at most 16 MB"):
        build(small_edition, out_root=tmp_path / "out2", templates=templates, formats=("html",), cluster=address)


def sleeps(seconds: float) -> str:
    time.sleep(seconds)
    return "woke"


def test_a_worker_that_stops_answering_stops_the_build_on_this_side(address, monkeypatch):
    # the budget is kept on the worker; a worker that never answers (stuck, or hostile) hung the build, and
    # then (given up as "died") its tasks were drawn again on the same worker without end
    from workbook.errors import BuildError

    monkeypatch.setattr(cluster, "UNBUDGETED", 1.0)
    monkeypatch.setattr(cluster, "STALL_MARGIN", 2.0)
    start = time.monotonic()
    with ClusterPool(address) as pool, pytest.raises(BuildError, match="did not answer within 4 s"):
        pool.submit("stuck", None, sleeps, 60.0)
        list(pool.completed())
    assert time.monotonic() - start < 30


def test_outcomes_a_caller_did_not_take_wait_for_the_next(address):
    # a draw that has enough problems stops reading outcomes mid-batch; the next stage's read found the
    # batch neither in Dask's queue nor handed out: "generator raised StopIteration" with several versions
    with ClusterPool(address) as pool:
        for k in range(3):
            pool.submit(f"t{k}", 30.0, sleeps, 0.0)
        first = next(pool.completed())
        rest = list(pool.completed())
    assert sorted(o.task for o in [first, *rest]) == ["t0", "t1", "t2"]


@pytest.mark.parametrize("files", [{"a\0b": b"x"}, {"x": "text"}, {"": b"x"}, {".": b"x"}, {"../up": b"x"}, "nope"])
def test_a_file_a_worker_sends_back_is_checked_before_it_is_written(tmp_path, files):
    # a NUL in a name or data that is not bytes were tracebacks; "" and "." said "free some space"
    from workbook.workers import Outcome

    pool = ClusterPool("local")
    pool.shared["stage"] = tmp_path
    outcome = pool._outcome("task", Outcome("task", "ok", value=1), files)
    assert outcome.kind == "raised" and "a Dask worker sent back" in outcome.error
    assert list(tmp_path.iterdir()) == []


def test_a_worker_may_send_back_only_the_documents_its_task_lays_out(tmp_path):
    # a worker added evil.html and notes/secret.txt to each answer: both were written and signed as the user's
    from workbook import render
    from workbook.workers import Outcome

    pool = ClusterPool("local")
    pool.shared["stage"] = tmp_path
    pool.client = object()  # opened: submit only queues the task here
    folder = tmp_path / "versions" / "A"
    pool.submit("layout", 10.0, render.render_job, {}, folder, None, ("html", "pdf"), ("worksheet",), None)
    good = pool._outcome("layout", Outcome("layout", "ok", value=1),
                         {"versions/A/worksheet.html": b"<p>", "versions/A/worksheet.pdf": b"%PDF"})
    assert good.ok and (folder / "worksheet.pdf").read_bytes() == b"%PDF"
    pool.submit("layout", 10.0, render.render_job, {}, folder, None, ("html",), ("worksheet",), None)
    bad = pool._outcome("layout", Outcome("layout", "ok", value=1),
                        {"versions/A/worksheet.html": b"<p>", "versions/A/evil.html": b"<script>"})
    assert bad.kind == "raised" and "does not write" in bad.error and not (folder / "evil.html").exists()
    pool.submit("draw", 10.0, sleeps, 0.0)  # a task that lays out nothing sends nothing back
    assert pool._outcome("draw", Outcome("draw", "ok", value=1), {"notes/secret.txt": b"x"}).kind == "raised"


def test_a_local_cluster_leaves_no_scratch_folder_behind(tmp_path, small_edition, monkeypatch):
    # the tenth attack: `--cluster local` left its workbook worker processes' scratch folders in /tmp
    # (3 builds of 5); a LocalCluster's pools are now closed with it
    import tempfile

    temp = tmp_path / "tmp"  # this build's alone: another build on the machine makes its own in /tmp
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    build(small_edition, out_root=tmp_path / "out", formats=("pdf",), cluster="local")  # WeasyPrint's fonts
    left = {p for p in temp.iterdir() if p.name.split("-")[1] != str(os.getpid())}  # ours goes at exit
    assert left == set()
