"""Worker processes: problems drawn and documents laid out on every core, each task under a budget.

A thread or a signal cannot interrupt SymPy inside C code, so a task that overruns its wall-clock
budget is stopped the only sure way: its process is killed and a fresh one takes its place. Each
worker's address space is capped, so a draw that explodes raises MemoryError in the worker instead
of taking the machine down. Tasks are plain module-level functions and picklable arguments; the
results come back in completion order, each as an Outcome the caller decides about.

    with Pool(jobs) as pool:
        pool.submit("a", 5.0, generate_one, family, seed)
        for outcome in pool.completed():
            ...  # may submit more; completed() runs until nothing is left
"""

from __future__ import annotations

import atexit
import gc
import math
import multiprocessing
import os
import shutil
import signal
import stat
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any, Self

from workbook.errors import TooSlow

MEMORY_LIMIT = 2 * 1024**3  # bytes a worker may grow by beyond what it starts with
# measured from what a worker holds when it starts, which is its parent's memory, shared: a build of 1,000
# students holds 2 GB, and a worker forked from it late (a Dask worker's) was replaced after each of 297 tasks
RELEASE_RSS = 100 * 1024**2  # a worker grown by more than this after a task hands freed memory back
RECYCLE_RSS = 150 * 1024**2  # a worker left grown by more than this after a task is replaced by a fresh one
_ENV_JOBS = "WORKBOOK_JOBS"
MAX_JOBS = 64


class JobsError(ValueError):
    """WORKBOOK_JOBS is not a number of workers."""


def default_jobs() -> int:
    """How many workers: WORKBOOK_JOBS if set, else the cores this process may use."""
    value = os.environ.get(_ENV_JOBS, "").strip()
    if value:
        # (its length first: int() of over 4300 digits raised Python's own ValueError, a traceback: attack36a F06)
        if not (value.isascii() and value.isdigit() and len(value) <= 6 and 1 <= int(value) <= MAX_JOBS):
            raise JobsError(f"{_ENV_JOBS}={value[:20]!r}: give a whole number of worker processes from 1 to {MAX_JOBS}")
        return int(value)
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


@dataclass
class Outcome:
    """How one task ended: ``ok`` with its ``value``, or one of the failure kinds with a one-line error.

    kind: "ok"; "raised" (the task raised ``exception``); "timeout" (killed after its budget);
    "memory" (ran out of its memory cap); "died" (its process ended without answering).
    """

    task: Hashable  # the name the task was submitted under
    kind: str
    value: Any = None
    exception: BaseException | None = None
    error: str = ""
    seconds: float = 0.0
    # the CPU time it took, where its worker measured it: the pace is of work, not of a busy machine's queue (a build
    # beside two other busy processes was stopped as "the math and figures take 26 s each", the built-in edition's)
    cpu: float | None = None
    exitcode: int | None = None  # for "died": how its process ended (-11: a crash, SIGSEGV)

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    @property
    def worked(self) -> float:
        """The seconds it worked: its CPU time where measured, else its time from start to end."""
        return self.seconds if self.cpu is None else min(self.seconds, self.cpu)


class _Worker:
    def __init__(self, context, memory: int | None):
        self.conn, child = context.Pipe()
        # its scratch folder is made here, marked, before it starts: a worker killed while it made its own
        # (between the folder and its marker) left a folder no one could tell was ours (CI, 2026-12-03)
        self.scratch = _new_scratch(f"workbook-{os.getpid()}-worker-")
        self.process = context.Process(target=_serve, args=(child, memory, os.getpid(), self.scratch), daemon=True)
        # a stop that arrived inside the fork ran its handler in an at-fork callback, where Python prints the
        # exception and drops it: the build went on, deaf to every later signal (attack26). It waits, and
        # arrives once the worker is started
        with stops_held():
            self.process.start()
        child.close()  # the parent's copy: a dead worker then reads as end-of-file
        self.task: tuple | None = None  # (name, budget, fn, args)
        self.started = 0.0

    def give(self, task: tuple) -> None:
        self.task, self.started = task, time.monotonic()
        self.conn.send((task[2], task[3]))

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join()
        self.conn.close()
        _remove_marked(self.scratch)  # killed: it could not


class Pool:
    """Up to ``size`` forked workers, started when first needed and killed on close."""

    def __init__(self, size: int | None = None, *, memory: int | None = MEMORY_LIMIT,
                 recycle: int | None = RECYCLE_RSS):
        self.size = max(1, size or default_jobs())
        self.memory, self.recycle = memory, recycle
        methods = multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
        self.workers: list[_Worker] = []
        self.queue: deque[tuple] = deque()
        self.pids: list[int] = []  # every worker process started, for tests and diagnostics
        _sweep_scratch()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def submit(self, task: Hashable, budget: float | None, fn: Callable, *args: Any) -> None:
        """Queue fn(*args); ``budget`` seconds of wall-clock time, or None for no limit."""
        self.queue.append((task, budget, fn, args))

    def share(self, **folders: Path | None) -> None:
        """The build's folders tasks may name (see ClusterPool.share): these workers see them as they are."""

    def drop(self, which: Callable[[Hashable], bool]) -> None:
        """Forget the queued tasks ``which`` picks by name (those already running finish)."""
        self.queue = deque(task for task in self.queue if not which(task[0]))

    def completed(self) -> Iterator[Outcome]:
        """Run the queue, yielding each task's Outcome as it ends; tasks submitted meanwhile run too."""
        while self.queue or any(w.task for w in self.workers):
            self._dispatch()
            busy = [w for w in self.workers if w.task]
            timeout = None
            budgets = [w.started + w.task[1] for w in busy if w.task[1] is not None]
            if budgets:
                timeout = max(0.0, min(budgets) - time.monotonic())
            ready = wait([w.conn for w in busy] + [w.process.sentinel for w in busy], timeout)
            for worker in busy:
                outcome = self._collect(worker, ready)
                if outcome is not None:
                    yield outcome

    def close(self) -> None:
        for worker in self.workers:
            worker.stop()
        self.workers.clear()
        self.queue.clear()

    def _dispatch(self) -> None:
        while self.queue:
            idle = next((w for w in self.workers if not w.task), None)
            if idle is None:
                if len(self.workers) >= self.size:
                    return
                idle = _Worker(self.context, self.memory)
                self.workers.append(idle)
                self.pids.append(idle.process.pid)
            idle.give(self.queue.popleft())

    def _collect(self, worker: _Worker, ready: list) -> Outcome | None:
        task, budget, _, _ = worker.task
        seconds = time.monotonic() - worker.started
        if worker.conn in ready:
            try:
                ok, payload, rss, cpu = worker.conn.recv()
            except (EOFError, OSError):
                pass  # it died: reported below
            else:
                worker.task = None
                if self.recycle is not None and rss > self.recycle:
                    worker.stop()  # a big layout leaves a big heap behind: start the next task afresh
                    self.workers.remove(worker)
                if ok:
                    return Outcome(task, "ok", value=payload, seconds=seconds, cpu=cpu)
                kind, exception, line = payload
                return Outcome(task, kind, exception=exception, error=line, seconds=seconds, cpu=cpu)
        overran = budget is not None and seconds >= budget
        if worker.conn in ready or worker.process.sentinel in ready or overran:
            worker.stop()
            self.workers.remove(worker)
            if overran and worker.process.exitcode in (-signal.SIGKILL, None):
                return Outcome(task, "timeout", error=f"took longer than its {budget:g} s budget and was stopped",
                               seconds=seconds)
            code = worker.process.exitcode
            how = f"signal {-code}" if code is not None and code < 0 else f"exit code {code}"
            return Outcome(task, "died", error=f"its worker process ended without answering ({how})", seconds=seconds,
                           exitcode=code)
        return None


PACE_BASE = 20.0  # seconds any stage may take in all, whatever the pace of its tasks


class Pace:
    """How long a stage of tasks may take in all: ``base`` seconds, and each task's allowance (seconds
    of a worker's time, many times what the built-in files need) shared among the workers.

    Each task is bounded by its budget, but a stranger's template, family or batch can keep every task
    just under it and multiply it by versions, students or lines into hours. As each task ends, the
    stage is stopped (TooSlow) once it has run past what it is allowed, or once it has run half its base
    time, every worker has ended a task, and the tasks so far, taken against their allowances, say it will.

        pace = Pace("the template fill-ins", pool.size, advice="make the templates simpler")
        for doc in docs:
            pace.add(1.0)
            pool.submit(...)
        for outcome in pace.over(pool.completed(), 1.0):
            ...
    """

    def __init__(self, what: str, workers: int | Callable[[], int], advice: str | Callable[[], str],
                 base: float | None = None):
        # workers: a number, or how to learn it once a task has ended (a Dask cluster's size is asked of its
        # scheduler: a stage whose tasks all come from the cache never contacts it)
        self.what, self._workers, self.advice = what, workers, advice
        self.base = PACE_BASE if base is None else base
        self.allowed = 0.0  # worker-seconds allowed to every task submitted
        self.tasks = self.ended = 0
        self.spent = self.spent_allowed = 0.0  # seconds the ended tasks worked, and what they were allowed
        self.waited = 0.0  # and the seconds they took, from start to end
        self.started: float | None = None  # when the first task to end began: a pool's start (a LocalCluster's,
        # seconds on a busy machine) is not the stage's

    @property
    def workers(self) -> int:
        if callable(self._workers):
            self._workers = self._workers()
        return max(1, self._workers)

    def add(self, allowance: float, tasks: int = 1) -> None:
        """Count ``tasks`` more tasks, each allowed ``allowance`` seconds of a worker's time."""
        self.allowed += allowance * tasks
        self.tasks += tasks

    def over(self, outcomes: Iterator[Outcome], allowance: float | Callable[[Hashable], float]) -> Iterator[Outcome]:
        """The outcomes as they come, each checked against the pace (``allowance`` by task name, or one for all)."""
        for outcome in outcomes:
            self.ended_task(outcome.seconds, allowance(outcome.task) if callable(allowance) else allowance, outcome.cpu)
            yield outcome

    def ended_task(self, seconds: float, allowance: float, cpu: float | None = None) -> None:
        """One task ended after ``seconds`` (of which ``cpu`` working, where measured): raise TooSlow if the stage cannot
        finish in its time. Work is what is paced: a task's CPU time where its worker measured it, and the stage's
        time so far in the share of it its tasks had a CPU (on a machine busy with other work, a task waits)."""
        if self.started is None:
            self.started = time.monotonic() - seconds
        self.ended += 1
        self.spent += seconds if cpu is None else min(seconds, cpu)
        self.waited += seconds
        self.spent_allowed += allowance
        limit = self.base + self.allowed / self.workers
        elapsed = (time.monotonic() - self.started) * (self.spent / self.waited if self.waited > 0 else 1.0)
        rate = self.spent / self.spent_allowed if self.spent_allowed > 0 else 0.0
        # a forecast once the stage has had half its base time (one slow task among quick ones says little),
        # and every worker has ended a task
        settled = elapsed >= self.base / 2 and self.ended >= min(self.workers, self.tasks)
        if elapsed > limit or (settled and rate * self.allowed / self.workers > limit):
            each, allowed = self.spent / self.ended, self.spent_allowed / self.ended
            whole = max(elapsed, rate * self.allowed / self.workers)
            raise TooSlow(f"{self.what} take {each:.1f} s each, where {allowed:.2g} s is allowed: the {self.tasks} "
                          f"of them would take about {_duration(whole, up=True)} on {self.workers} worker"
                          f"{'s' if self.workers > 1 else ''}, over the {_duration(limit)} allowed; "
                          f"{self.advice() if callable(self.advice) else self.advice}")


def _duration(seconds: float, up: bool = False) -> str:
    """Seconds as a person reads them, rounded ``up`` or down (a forecast over its limit never reads as equal)."""
    rounded = math.ceil if up else math.floor
    for unit, size, below in (("s", 1, 120), ("min", 60, 7200), ("h", 3600, math.inf)):
        if seconds < below:
            return f"{rounded(seconds / size)} {unit}"
    return ""


def said(exc: BaseException) -> str:
    """What an exception from a task says: its own words for the ones written for people (``plain``,
    such as a failed check or a typo in a family's text), else its type too, for a bug report."""
    text = str(exc) if getattr(exc, "plain", False) else f"{type(exc).__name__}: {exc}"
    return text if len(text) <= SAID_LIMIT else text[:SAID_LIMIT - 1] + "\u2026"  # one line, not a page of digits


SAID_LIMIT = 300
GC_YOUNG = 50_000  # allocations between collections of the youngest generation in a worker (Python's default: 700)


class InlinePool:
    """The same interface run in this process, one task at a time, with no budget: for library calls
    that draw a single problem (``generate_slot``), where starting a process would cost more than the draw."""

    def __init__(self):
        self.queue: deque[tuple] = deque()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.queue.clear()

    def submit(self, task: Hashable, budget: float | None, fn: Callable, *args: Any) -> None:
        self.queue.append((task, fn, args))

    def completed(self) -> Iterator[Outcome]:
        while self.queue:
            task, fn, args = self.queue.popleft()
            start, began = time.monotonic(), time.process_time()
            try:
                value = fn(*args)
            except MemoryError:
                yield Outcome(task, "memory", error="ran out of memory", seconds=time.monotonic() - start)
            except Exception as exc:  # noqa: BLE001 - reported to the caller, which decides
                yield Outcome(task, "raised", exception=exc, error=said(exc), seconds=time.monotonic() - start,
                              cpu=time.process_time() - began)
            else:
                yield Outcome(task, "ok", value=value, seconds=time.monotonic() - start, cpu=time.process_time() - began)


def _serve(conn, memory: int | None, parent: int, scratch: Path) -> None:
    """A worker: run each task it is sent and answer (True, result) or (False, (kind, exception, line))."""
    _SCRATCH.update(pid=os.getpid(), path=scratch)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it kills us
    for signum in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):  # the parent's handlers, inherited by a fork:
        if signum is not None:  # a worker sent one of these simply ends, and its parent reports it
            signal.signal(signum, signal.SIG_DFL)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, STOPS)  # held while the parent forked us
    _die_with(parent)
    gc.freeze()  # what the parent made stays shared: our collector never writes to those pages
    gc.set_threshold(GC_YOUNG, 50, 100)  # a layout makes millions of objects: a collection every 700 was 3% of its time
    if memory is not None:
        _cap_memory(memory)
    start = _rss()  # the parent's pages, shared: what this worker grows by is its own
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return
        fn, args = message
        began = time.process_time()
        try:
            answer = (True, fn(*args))
        except MemoryError:
            answer = (False, ("memory", None, f"ran out of memory (over {memory // 1024**2} MB more than at start)"
                                               if memory else "ran out of memory"))
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which decides
            answer = (False, ("raised", exc, said(exc)))
        del fn, args, message
        if _rss() - start > RELEASE_RSS:  # after a layout, not after each small draw (it costs 3 ms)
            _release()
        answer = (*answer, _rss() - start, time.process_time() - began)
        try:
            conn.send(answer)
        except Exception as exc:  # noqa: BLE001 - an answer that cannot be pickled
            conn.send((False, ("raised", None, f"could not send the result back: {type(exc).__name__}: {exc}"),
                       _rss(), time.process_time() - began))


def _die_with(parent: int) -> None:
    """Be killed when the process that started us ends, however it ends (the out-of-memory killer
    takes only the biggest process): Linux's parent-death signal; elsewhere, a thread that watches."""
    try:
        import ctypes

        if ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL) != 0:  # PR_SET_PDEATHSIG
            raise OSError
    except (OSError, AttributeError):
        import threading

        def watch() -> None:
            while os.getppid() == parent:
                time.sleep(1.0)
            os._exit(1)

        threading.Thread(target=watch, daemon=True).start()
        return
    if os.getppid() != parent:  # it died before the signal was asked for
        os._exit(1)


_SCRATCH: dict = {}


SCRATCH_MARKER = ".workbook-scratch"


def scratch_dir() -> Path:
    """This process's own temporary folder, for files a library insists on writing (WeasyPrint copies
    each @font-face font to a folder): private (mkdtemp), never one that was there before, and marked
    as workbook's. A pool's worker is handed its folder, made by the pool before the worker starts, and
    the pool removes it when it stops the worker, since a killed process cleans up nothing; any other
    process makes its own on first use and removes it at exit."""
    if _SCRATCH.get("pid") != os.getpid():
        path = _new_scratch(f"workbook-{os.getpid()}-")
        _SCRATCH.update(pid=os.getpid(), path=path)
        atexit.register(shutil.rmtree, path, True)  # not run in a worker, which ends with os._exit
    return _SCRATCH["path"]


STOPS = {signal.SIGTERM, signal.SIGINT} | ({signal.SIGHUP} if hasattr(signal, "SIGHUP") else set())


@contextmanager
def stops_held():
    """Ctrl-C, SIGTERM and SIGHUP wait until the block is done, then arrive as they would have. The mask
    holds them in this thread; another thread of the process (a test runner's, a library's) could still
    take one and have Python run its handler here, so in the main thread the handlers only note a stop
    until the block is done, then pass it on (CI's clean was stopped halfway so)."""
    masked = hasattr(signal, "pthread_sigmask")
    noted: list[int] = []
    handlers: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in STOPS:
            if signal.getsignal(signum) is not None:  # None: a handler set outside Python, left as it is
                handlers[signum] = signal.signal(signum, lambda caught, _frame: noted.append(caught))
    before = signal.pthread_sigmask(signal.SIG_BLOCK, STOPS) if masked else None
    try:
        yield
    finally:
        if masked:
            signal.pthread_sigmask(signal.SIG_SETMASK, before)
        for signum, handler in handlers.items():
            signal.signal(signum, handler)
        for signum in dict.fromkeys(noted):
            signal.raise_signal(signum)


def _new_scratch(prefix: str) -> Path:
    """A new private folder in the temporary folder, marked as workbook's before anything can stop us
    (SIGTERM and SIGHUP wait until the marker is there; the folder goes if making the marker fails)."""
    with stops_held():
        path = Path(tempfile.mkdtemp(prefix=prefix))
        try:
            (path / SCRATCH_MARKER).touch()
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise
    return path


def _remove_marked(path: Path) -> None:
    """Remove ``path`` if it is a scratch folder: a real folder of this user's that carries the marker,
    never a link (a folder of the user's own named like one, say workbook-2024-exam, stays)."""
    try:
        info = os.lstat(path)
        marked = stat.S_ISREG(os.lstat(path / SCRATCH_MARKER).st_mode)
    except OSError:
        return
    if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid() and marked:
        shutil.rmtree(path, ignore_errors=True)


def _remove_scratch(pid: int) -> None:
    """The scratch folders of process ``pid`` (see _remove_marked: only ours)."""
    for path in Path(tempfile.gettempdir()).glob(f"workbook-{pid}-*"):
        _remove_marked(path)


def _sweep_scratch() -> None:
    """Remove the scratch folders of processes that are gone (a build killed with its workers)."""
    for path in Path(tempfile.gettempdir()).glob("workbook-*-*"):
        pid = path.name.split("-")[1]
        if pid.isdigit() and _gone(int(pid)):
            _remove_scratch(int(pid))


def _gone(pid: int) -> bool:
    """Whether the process has ended (a zombie, killed but not yet reaped, has)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False  # it exists, under another user
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state in ("Z", "X")


def _release() -> None:
    """Give the memory a finished task freed back to the system (glibc keeps it otherwise)."""
    gc.collect()
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: the allocator keeps it, and recycling catches a worker that grew too big


def _rss() -> int:
    """This process's resident memory in bytes (0 where /proc is missing)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _cap_memory(extra: int) -> None:
    try:
        import resource

        with open("/proc/self/status") as status:
            size = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
        limit = size + extra
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, StopIteration, ValueError):
        pass  # no /proc or no resource module: the cap is best effort
