"""Worker processes: a task that hangs is killed at its budget, one that explodes hits its memory cap,
one whose process dies is reported; a build survives all three and stays the same whatever the
number of workers."""

from __future__ import annotations

import json
import os
import re
import signal
import time

import pytest

from workbook import generate, scheduler, workers
from workbook.bank import load_bank
from workbook.build import build
from workbook.errors import BuildError, TooSlow
from workbook.workers import InlinePool, Outcome, Pace, Pool


def square(x):
    return x * x


def sleep_forever():
    while True:
        time.sleep(1)


def spin_in_c():
    return sum(range(10**13))  # one C call: no signal handler runs until it returns


def allocate(gigabytes):
    return len(bytearray(gigabytes * 1024**3))


def die():
    os.kill(os.getpid(), signal.SIGKILL)


def fail():
    raise KeyError("broken")


def test_results_come_back_whatever_the_order():
    with Pool(2) as pool:
        for n in range(10):
            pool.submit(n, 5.0, square, n)
        got = {o.task: o.value for o in pool.completed() if o.ok}
    assert got == {n: n * n for n in range(10)}


def test_the_inline_pool_answers_the_same():
    with InlinePool() as pool:
        pool.submit("a", None, square, 7)
        pool.submit("b", None, fail)
        outcomes = {o.task: o for o in pool.completed()}
    assert outcomes["a"].value == 49
    assert outcomes["b"].kind == "raised" and isinstance(outcomes["b"].exception, KeyError)


@pytest.mark.parametrize("task", [sleep_forever, spin_in_c])
def test_a_task_over_its_budget_is_killed_and_the_pool_goes_on(task):
    start = time.monotonic()
    with Pool(1) as pool:
        pool.submit("slow", 0.5, task)
        pool.submit("next", 5.0, square, 3)
        outcomes = {o.task: o for o in pool.completed()}
        started = list(pool.pids)
    assert outcomes["slow"].kind == "timeout" and "0.5 s budget" in outcomes["slow"].error
    assert outcomes["next"].value == 9  # a fresh worker took its place
    assert len(started) == 2 and time.monotonic() - start < 5
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)  # no worker is left behind


@pytest.mark.parametrize("task, args, kind, says", [
    (allocate, (8,), "memory", "memory"),  # an explosion hits the worker's cap, not the machine
    (die, (), "died", "signal 9"),  # killed from outside: reported, and a fresh worker goes on
])
def test_a_worker_that_explodes_or_dies_is_reported_and_the_pool_goes_on(task, args, kind, says):
    with Pool(1, memory=512 * 1024**2) as pool:
        pool.submit("bad", 30.0, task, *args)
        pool.submit("next", 5.0, square, 4)
        outcomes = {o.task: o for o in pool.completed()}
    assert outcomes["bad"].kind == kind and says in outcomes["bad"].error
    assert outcomes["next"].value == 16


def test_an_exception_comes_back_with_its_type():
    with Pool(1) as pool:
        pool.submit("x", 5.0, fail)
        (outcome,) = list(pool.completed())
    assert outcome.kind == "raised" and isinstance(outcome.exception, KeyError) and "broken" in outcome.error


def test_a_workers_scratch_folder_is_marked_before_it_starts_and_goes_with_it(tmp_path, monkeypatch):
    """A worker made its scratch folder and then its marker: killed between the two (a build stopped by
    SIGTERM as its workers started), it left a folder no one could tell was ours (CI, 2026-12-03)."""
    import tempfile

    from workbook.workers import SCRATCH_MARKER, scratch_dir

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with Pool(1) as pool:
        pool.submit("where", 5.0, scratch_dir)
        (where,) = [o.value for o in pool.completed()]
        assert where.parent == tmp_path and (where / SCRATCH_MARKER).is_file()
        pool.submit("slow", 0.3, sleep_forever)  # killed at its budget, before it could tidy anything
        assert [o.kind for o in pool.completed()] == ["timeout"]
        assert not where.exists()  # the killed worker's folder went with it
        pool.submit("next", 5.0, square, 2)
        assert [o.value for o in pool.completed()] == [4]
        (fresh,) = tmp_path.iterdir()  # the fresh worker's, made and marked before it ran anything
        assert (fresh / SCRATCH_MARKER).is_file()
    assert list(tmp_path.iterdir()) == []


# --- the same through a build -------------------------------------------------------------------

HANG_SEEDS: set[int] = set()
REAL_GENERATE = generate.generate_one


def hangs_on_some_seeds(family, seed):
    if seed in HANG_SEEDS:
        sleep_forever()
    return REAL_GENERATE(family, seed)


def hangs_always(family, seed):
    sleep_forever()


def dies_once(family, seed):
    marker = os.environ["WORKBOOK_TEST_MARKER"]
    if not os.path.exists(marker):
        open(marker, "w").close()
        die()  # as if the machine's OOM killer or a user took this worker down
    return REAL_GENERATE(family, seed)


def _problems(result):
    data = json.loads(result.files["manifest"].read_text())
    return [(p["slot"], p["seed"], p["attempt"], p["answer"]) for p in data["problems"]]


def test_a_draw_that_hangs_is_redrawn_from_the_next_seed(tmp_path, small_edition, monkeypatch):
    normal = build(small_edition, out_root=tmp_path / "a", formats=("html",))
    first = json.loads((normal.out_dir / "manifest.json").read_text())["problems"][0]
    HANG_SEEDS.add(first["seed"])
    monkeypatch.setattr(scheduler, "generate_one", hangs_on_some_seeds)
    try:
        start = time.monotonic()
        result = build(small_edition, out_root=tmp_path / "b", formats=("html",), budget=1.0)
        took = time.monotonic() - start
    finally:
        HANG_SEEDS.clear()
    redrawn = json.loads((result.out_dir / "manifest.json").read_text())["problems"][0]
    assert redrawn["slot"] == first["slot"] and redrawn["attempt"] == first["attempt"] + 1
    assert redrawn["seed"] != first["seed"]
    assert took < 30


def test_a_family_that_always_hangs_fails_the_build_with_its_id_and_seeds(tmp_path, small_edition, monkeypatch):
    monkeypatch.setattr(scheduler, "generate_one", hangs_always)
    monkeypatch.setattr(scheduler, "MAX_ATTEMPTS", 2)
    with pytest.raises(BuildError) as caught:
        build(small_edition, out_root=tmp_path, formats=("html",), budget=0.3)
    message = str(caught.value)
    assert "failed 2 draws" in message and "seed " in message and "0.3 s budget" in message
    assert not (tmp_path / "test-sheet").exists()


def test_a_killed_worker_changes_nothing(tmp_path, small_edition, monkeypatch):
    normal = build(small_edition, out_root=tmp_path / "a", formats=("html",))
    monkeypatch.setenv("WORKBOOK_TEST_MARKER", str(tmp_path / "killed"))
    monkeypatch.setattr(scheduler, "generate_one", dies_once)
    result = build(small_edition, out_root=tmp_path / "b", formats=("html",))
    assert (tmp_path / "killed").exists()  # a worker really was killed
    assert _problems(result) == _problems(normal)  # its draw was given again, same seed


def test_the_number_of_workers_changes_nothing(tmp_path, small_edition):
    one = build(small_edition, out_root=tmp_path / "one", formats=("html",), jobs=1)
    three = build(small_edition, out_root=tmp_path / "three", formats=("html",), jobs=3, versions=1)
    assert _problems(one) == _problems(three)
    for name in ("worksheet.html", "answers.html", "solutions.html"):
        assert (one.out_dir / name).read_bytes() == (three.out_dir / name).read_bytes()


def test_workbook_check_reports_a_hanging_family_with_its_seed(monkeypatch):
    from workbook.bankcheck import check_families

    monkeypatch.setattr(scheduler, "generate_one", hangs_always)
    monkeypatch.setattr(scheduler, "MAX_ATTEMPTS", 1)
    family = load_bank()["trig"]
    (report,) = check_families([family], range(3), budget=0.3)
    assert [seed for seed, _ in report.failures] == [0, 1, 2]
    assert all("budget" in reason for _, reason in report.failures)


def test_redraws_for_repeats_are_the_same_whatever_the_number_of_workers(tmp_path):
    # a small family over many versions: repeats, so redraws (drawn ahead, several at once)
    edition = tmp_path / "repeats.toml"
    edition.write_text('title = "Repeats"\nslug = "repeats"\nseed = 5\nversions = 8\n'
                       '[[sections]]\ntitle = "Products"\nfamilies = ["product-rule"]\ncount = 3\n')
    one = build(edition, out_root=tmp_path / "one", formats=("html",), jobs=1)
    three = build(edition, out_root=tmp_path / "three", formats=("html",), jobs=3)
    assert any(p[2] > 0 for p in _problems(one))  # some slots really were redrawn
    assert _problems(one) == _problems(three)


def test_a_worker_forked_from_a_big_parent_is_not_replaced_after_every_task():
    # a Dask worker's pool is forked late, from a build of 1,000 students holding 2 GB: each worker started
    # over the old 300 MB line with its parent's pages alone, and was replaced after each of 297 tasks
    ballast = bytearray(400 * 2**20)
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1  # resident, as a big build's records are
    with Pool(1) as pool:
        for k in range(5):
            pool.submit(k, 30.0, square, k)
        assert sorted(o.value for o in pool.completed()) == [0, 1, 4, 9, 16]
        assert len(pool.pids) == 1, pool.pids
    del ballast


# ---------------------------------------------------------------- the pace of a whole stage


def _ended(pace: Pace, *seconds: float, allowance: float = 1.0) -> None:
    for i, spent in enumerate(seconds):
        list(pace.over(iter([Outcome(i, "ok", seconds=spent)]), allowance))


def test_a_stage_whose_tasks_are_each_slow_is_stopped_once_every_worker_has_ended_one():
    pace = Pace("the fill-ins", 2, "make them simpler", base=0.0)
    pace.add(1.0, tasks=100)
    _ended(pace, 3.0)  # one worker's task: no forecast from one
    with pytest.raises(TooSlow) as caught:
        _ended(pace, 3.0)
    said = str(caught.value)
    assert said.startswith("the fill-ins take 3.0 s each, where 1 s is allowed: the 100 of them would take about "
                           "3 min on 2 workers, over the 50 s allowed; make them simpler"), said
    assert caught.value.code == 2


def test_a_stage_at_its_pace_or_with_one_slow_task_is_not_stopped():
    quick = Pace("the draws", 2, "", base=0.0)
    quick.add(0.5, tasks=1000)
    _ended(quick, *[0.05] * 1000, allowance=0.5)  # the built-in families' pace, ten times under
    early = Pace("the draws", 2, "")  # the default base: no forecast before half of it has passed
    early.add(0.5, tasks=50)
    _ended(early, 5.0, 0.02, 0.02, allowance=0.5)


def test_tasks_of_different_sizes_are_taken_against_their_own_allowances():
    pace = Pace("the layouts", 1, "", base=0.0)
    pace.add(10.0)
    pace.add(1.0, tasks=10)
    list(pace.over(iter([Outcome("big", "ok", seconds=9.0), Outcome(0, "ok", seconds=0.9)]),
                   lambda task: 10.0 if task == "big" else 1.0))
    with pytest.raises(TooSlow):
        list(pace.over(iter([Outcome(1, "ok", seconds=30.0)]), 1.0))


def slow_draw(family, seed):
    end = time.process_time() + 0.2  # working, not waiting: the pace is of CPU time
    while time.process_time() < end:
        pass
    return REAL_GENERATE(family, seed)


def test_draws_each_within_their_budget_but_slow_stop_the_build(tmp_path, small_edition, monkeypatch):
    monkeypatch.setattr(scheduler, "generate_one", slow_draw)
    monkeypatch.setattr(scheduler, "DRAW_ALLOWANCE", 0.02)
    monkeypatch.setattr(workers, "PACE_BASE", 0.5)
    with pytest.raises(TooSlow) as caught:
        build(small_edition, out_root=tmp_path, formats=("html",), versions=4)
    assert re.match(r"the draws take 0\.[2-9] s each, where 0.02 s is allowed: the \d+ of them", str(caught.value))
    assert "the slowest family, " in str(caught.value)
    assert not (tmp_path / "test-sheet").exists()


def test_a_slot_whose_draws_were_mostly_refused_is_the_family_files_fault():
    """attack58 F4: exp(a x) with a up to 10 000: on a busy machine some of the 40 draws overran their budget on the
    way to being refused, and the build said exit 1 (perhaps the machine's) where the file was at fault (exit 2)."""
    from workbook.scheduler import files_fault

    def outcomes(**kinds):
        return [Outcome((0, k), kind) for kind, n in kinds.items() for k in range(n)]

    assert files_fault(outcomes(raised=40))
    assert files_fault(outcomes(raised=30, timeout=10))
    assert files_fault(outcomes(raised=20, timeout=20) + [None])  # a draw not yet done is not counted
    assert not files_fault(outcomes(raised=10, timeout=30))  # mostly overruns: perhaps a slow machine
    assert not files_fault(outcomes(raised=39, ok=1))  # one sound draw: the family can be drawn
    assert not files_fault([None, None])


def test_the_pace_is_of_work_not_of_a_busy_machines_queue():
    # a build beside two busy processes on two cores was stopped: "the math and figures take 26.4 s each, where 7.5 s is
    # allowed ... make them simpler", for the built-in edition; its tasks had worked a fraction of that
    busy = Pace("the math and figures", 2, "make them simpler", base=0.0)
    busy.add(7.5, tasks=16)
    for k in range(4):
        busy.ended_task(26.0, 7.5, cpu=1.5)  # waiting for a CPU most of the time
    slow = Pace("the math and figures", 2, "make them simpler", base=0.0)
    slow.add(7.5, tasks=16)
    slow.ended_task(26.0, 7.5, cpu=25.0)
    with pytest.raises(TooSlow):
        slow.ended_task(26.0, 7.5, cpu=25.0)
    with Pool(1) as pool:
        pool.submit("spin", 30.0, spin_for, 0.3)
        pool.submit("nap", 30.0, time.sleep, 0.3)
        done = {o.task: o for o in pool.completed()}
    assert done["spin"].cpu > 0.2 and done["nap"].cpu < 0.1 and done["nap"].seconds >= 0.3


def spin_for(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass
