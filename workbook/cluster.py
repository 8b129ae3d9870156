"""A build's tasks on a Dask cluster, when one machine's cores are not enough (``--cluster ADDRESS``).

ClusterPool has the worker pool's interface (``submit``, ``completed``, ``drop``, ``size``, ``close``),
so the build and ``workbook check`` use it unchanged, and the output is the same bytes as the local
pool's: each task is the same function of the same arguments, and every Dask worker must run the same
workbook code (checked when the pool opens, and by every task).

On each Dask worker a task runs in a workbook worker process of its own (``workers.Pool`` of one),
under the same wall-clock budget and memory cap as on one machine: a draw that hangs is killed there
and comes back as a timeout, to be redrawn. A Dask worker that is lost has its tasks run again on
another by Dask's scheduler; a task that loses its worker too often comes back as "died", which the
build retries once and then reports. Nothing is dropped silently.

``local`` is a LocalCluster in this process: its workers are threads talking over inproc://, so
nothing outside the process can reach it, and they see this machine's files as they are. A remote
cluster's workers need not see them; a task's folder arguments are replaced on the worker:

- the build's staging folder, by a private folder whose files come back with the answer and are
  written here;
- the build's content cache, by the worker machine's own (``~/.cache/workbook/cluster/.cache``, signed
  with that machine's key: a cache per machine, or one shared by every machine that shares a home);
- a user's template folder, by a copy sent to each worker once and written out for each task.

    with ClusterPool("local") as pool:   # a LocalCluster in this process
        pool.submit("a", 5.0, generate_one, family, seed)
        for outcome in pool.completed():
            ...
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any, Self

from workbook.errors import BuildError, InputError, printable
from workbook.userfiles import remove_tree_quietly
from workbook.workers import MEMORY_LIMIT, Outcome, Pool, _new_scratch, _sweep_scratch, default_jobs, said

ENV = "WORKBOOK_CLUSTER"
RETURNED_FILE_LIMIT = 256 << 20  # bytes of a file a worker sends back: a document of thousands of pages is less
UNBUDGETED = 600.0  # seconds a task without a budget may take, for the deadline on this side
STALL_MARGIN = 60.0  # seconds added to a batch's longest run before its worker is given up
LOCAL = "local"
CONNECT_TIMEOUT = 20.0  # seconds to reach the scheduler, and for its first worker to join
_ADDRESS = re.compile(r"(tcp|tls)://[A-Za-z0-9._\-\[\]:]{1,255}:(\d{1,5})")
_INSTALL = "pip install -e '.[cluster]'"
MAX_FILES = 2000  # files of a user's template folder sent to the workers (build.MAX_TEMPLATE_FILES)
FILE_LIMIT = 1 << 20  # bytes of one template file (what FolderLoader reads)
TEMPLATE_BYTES = 16 << 20  # bytes of a template folder sent to the workers, once to each
BATCH = 16  # tasks sent to a worker as one Dask task, at most


def address_of(given: str | None) -> str | None:
    """The cluster to use: ``given`` (the --cluster option), else $WORKBOOK_CLUSTER, else None (the
    local pool). ``local`` or a scheduler address such as tcp://host:8786; anything else is bad input."""
    value = given if given is not None else os.environ.get(ENV, "").strip() or None
    if value is None:
        return None
    found = _ADDRESS.fullmatch(value)
    if value != LOCAL and not (found and 0 < int(found[2]) <= 65535):
        where = "--cluster" if given is not None else ENV
        shown = value[:60].encode("ascii", "backslashreplace").decode()
        raise InputError([(f"{where} {shown!r}: give a Dask scheduler's address such as tcp://host:8786, or "
                          f"'{LOCAL}' for a LocalCluster on this machine")])
    return value


def open_pool(jobs: int | None, cluster: str | None) -> Pool | ClusterPool:
    """The local worker pool, or a cluster's when ``cluster`` names one (see ``address_of``)."""
    return Pool(jobs) if cluster is None else ClusterPool(cluster, jobs=jobs)


class ClusterPool:
    """Tasks run on a Dask cluster: the scheduler at ``address``, or a LocalCluster (``local``) of
    ``jobs`` workers in this process (default: one a core)."""

    def __init__(self, address: str, *, jobs: int | None = None, memory: int | None = MEMORY_LIMIT):
        self.address, self.jobs, self.memory = address, jobs, memory
        self.client = self.cluster = None
        self.scratch: Path | None = None
        self.futures: dict[Any, list[Hashable]] = {}  # each Dask task: the names of the tasks it runs
        self.pending: list[tuple] = []  # tasks submitted and not yet sent: sent in batches
        self.ready: deque[Outcome] = deque()  # outcomes come back a batch at a time, and are handed out one by one
        self.limits: dict[Any, float] = {}  # each batch's longest run (see _send)
        self.done = None
        self.threads = 1
        self.shared: dict[str, Any] = {}  # the folders a task's arguments name: see share()
        self.expected: dict[Hashable, set[str] | None] = {}  # the files each task may send back, by task

    def open(self) -> None:
        """Reach the scheduler (or start the LocalCluster) and check its workers; done on first use,
        so that a build whose problems all come from the cache never starts a cluster."""
        if self.client is not None:
            return
        try:
            import dask
            from distributed import Client, LocalCluster, as_completed
        except ImportError:
            raise InputError([f"--cluster needs Dask's distributed scheduler: {_INSTALL}"]) from None
        quiet = {"distributed.worker.daemon": False,  # the workers start processes of their own: ours
                 "distributed.scheduler.allowed-failures": 3,
                 "distributed.worker.profile.enabled": False,  # a sampler of every thread's stack, 100 times a second
                 "distributed.scheduler.http.routes": [], "distributed.worker.http.routes": []}  # serve nothing
        if self.address == LOCAL:
            # in this process: its workers are threads (each hands its tasks to a workbook worker process, as
            # on any cluster) talking over inproc://, so no other process, user or program can reach them, no
            # interpreter starts from the current folder, and Ctrl-C stops one process
            self.scratch = Path(tempfile.mkdtemp(prefix="workbook-dask-"))  # the workers' own, not /tmp's shared one
            with dask.config.set(quiet | {"temporary-directory": str(self.scratch)}):
                self.cluster = LocalCluster(n_workers=self.jobs or default_jobs(), threads_per_worker=1,
                                            processes=False, dashboard_address="127.0.0.1:0",
                                            worker_dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR,
                                            local_directory=str(self.scratch),
                                            memory_limit=0)  # the cap is our workers' own: Dask must not pause
                                                             # a worker for this process's documents
                self.client = Client(self.cluster)
        else:
            self.client = _connect(self.address, quiet, Client)
        self._check_code()
        self.done = as_completed()
        self.threads = max(1, sum(self.client.nthreads().values()))

    @property
    def size(self) -> int:
        """How many tasks run at once: the workers' threads (when the pool was opened)."""
        self.open()
        return self.threads

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_code(self) -> None:
        """Every worker runs this code: a worker with another version of workbook (or of SymPy) would
        draw other problems, and the output would depend on where a task ran."""
        from workbook.scheduler import _code_digest

        mine = _code_digest()
        from concurrent.futures import ThreadPoolExecutor
        from concurrent.futures import TimeoutError as Late

        asking = ThreadPoolExecutor(1)
        try:
            theirs = asking.submit(self.client.run, _code_digest_here).result(timeout=CONNECT_TIMEOUT)
        except Late:
            self.close()
            raise InputError([f"the Dask workers at {self.address} did not answer within {CONNECT_TIMEOUT:.0f} s"]) from None
        except Exception as exc:  # noqa: BLE001 - a worker without workbook: said in one line
            self.close()
            raise InputError([(f"the Dask workers at {self.address} could not run workbook ({said(exc)[:200]}); "
                              "install the same workbook on every worker machine")]) from None
        finally:
            asking.shutdown(wait=False)
        other = sorted(worker for worker, code in theirs.items() if code != mine)
        if other:
            self.close()
            raise InputError([(f"{len(other)} Dask worker{'s' * (len(other) != 1)} at {self.address} (e.g. {other[0]}) "
                              "run another version of workbook, Python, SymPy or NumPy: the problems would depend on "
                              "where they were drawn; install the same versions everywhere")])

    def share(self, **folders: Path | None) -> None:
        """Name the build's folders that tasks' arguments may point into: ``stage`` (where documents
        are written), ``cache`` (the content cache), ``templates`` (a user's template folder). A
        LocalCluster's workers see them as they are; another cluster's get a template folder once each,
        at most TEMPLATE_BYTES of it."""
        if self.address == LOCAL:
            return
        for role, path in folders.items():
            if role == "templates" and path is not None:
                files = _folder_files(path)
                if sum(map(len, files.values())) > TEMPLATE_BYTES:
                    raise InputError([(f"{path}: a template folder sent to a cluster may hold at most "
                                      f"{TEMPLATE_BYTES >> 20} MB; give a folder of templates only")])
                self.shared[role] = (path, files)
            else:
                self.shared[role] = path

    def submit(self, task: Hashable, budget: float | None, fn: Callable, *args: Any) -> None:
        """Queue fn(*args) on the cluster; ``budget`` seconds of wall-clock time, or None for no limit.
        Tasks go out in batches when their outcomes are asked for (a Dask task costs milliseconds of
        this process's time; a batch runs its tasks one by one, each under its own budget)."""
        self.open()
        self.pending.append((task, budget, fn, args))
        self.expected[task] = _outputs(fn, args, self.shared.get("stage"))

    def _send(self) -> None:
        """Send the tasks waiting, in batches: at most BATCH a batch, at least four batches a thread."""
        if not self.pending:
            return
        shared = self.shared
        if isinstance(shared.get("templates"), tuple) and isinstance(shared["templates"][1], dict):
            # the folder's files go to every worker once, not with every task
            folder, files = shared["templates"]
            # one piece of data (a dict given to scatter would go as one piece a file)
            shared["templates"] = (folder, self.client.scatter([files], broadcast=True, hash=False)[0])
        from workbook.scheduler import _code_digest

        # the folder's files as an argument of their own: Dask hands a task the data of a future given at the
        # top level of its arguments, not of one inside a dict
        plain = {role: value for role, value in shared.items() if role != "templates"}
        folder, files = shared.get("templates") or (None, None)
        per = max(1, min(BATCH, -(-len(self.pending) // (4 * self.threads))))
        for i in range(0, len(self.pending), per):
            batch = self.pending[i:i + per]
            future = self.client.submit(run_batch, batch, self.memory, plain, folder, files, _code_digest(), pure=False)
            self.futures[future] = [task for task, *_ in batch]
            # the longest a batch may take once a worker has it: each task twice its budget (a lost worker's
            # tasks are run again), and a margin for the worker's start
            self.limits[future] = sum(2 * (budget or UNBUDGETED) for _, budget, *_ in batch) + STALL_MARGIN
            self.done.add(future)
        self.pending = []

    def drop(self, which: Callable[[Hashable], bool]) -> None:
        """Forget the tasks ``which`` picks by name (one a worker is running finishes: its answer is ignored)."""
        self.pending = [item for item in self.pending if not which(item[0])]
        self.ready = deque(outcome for outcome in self.ready if not which(outcome.task))
        idle = []
        for future, names in self.futures.items():
            names[:] = [task for task in names if not which(task)]
            if not names:
                idle.append(future)
        for future in idle:
            del self.futures[future]
        if idle:
            self.client.cancel(idle)

    def completed(self) -> Iterator[Outcome]:
        """Each task's Outcome as it ends; tasks submitted meanwhile run too. A caller may stop iterating
        at any point (a draw that has enough problems): a batch's outcomes not yet handed out wait in
        ``ready`` for the next call, and no batch is left behind in ``futures`` that Dask will not return."""
        while True:
            if self.ready:
                yield self.ready.popleft()
                continue
            self._send()
            if not self.futures:
                return
            future = self._next_finished()
            if future is None:  # no batch came back in time: a worker that stopped answering holds them
                waited = max(self.limits.get(f, STALL_MARGIN) for f in self.futures)
                stuck, self.futures = self.futures, {}
                self.client.cancel(list(stuck))
                # its tasks run again would go to the same worker, and wait as long again, without end:
                # the build stops here, with one line, rather than redraw on a cluster that does not answer
                raise BuildError(f"the Dask cluster at {printable(self.address)[:80]} did not answer within "
                                 f"{waited:.0f} s (a worker that stopped answering holds the work): restart or "
                                 "remove that worker, or build without --cluster")
            self.limits.pop(future, None)
            names = self.futures.pop(future, None)
            if names is None:  # all its tasks were dropped
                continue
            self.ready.extend(outcome for outcome in self._outcomes(future, list(names)) if outcome.task in names)

    def _next_finished(self):
        """The next batch Dask has finished, or None when none has for as long as the slowest batch out may
        take (a worker that stops answering is not stopped by the budget on its side)."""
        deadline = time.monotonic() + max(self.limits.get(f, STALL_MARGIN) for f in self.futures)
        while not self.done.has_ready():
            if time.monotonic() > deadline:
                return None
            time.sleep(0.01)
        return next(self.done)

    def _outcomes(self, future, names: list[Hashable]) -> list[Outcome]:
        """The outcomes of a batch's tasks, their files written into the stage."""
        from distributed import KilledWorker

        try:
            answers = future.result()
        except KilledWorker:
            return [Outcome(task, "died", error="the Dask workers running it were lost, one after another")
                    for task in names]
        except Exception as exc:  # noqa: BLE001 - what the cluster said, for the caller to decide
            return [Outcome(task, "raised", exception=exc, error=said(exc)) for task in names]
        finally:
            future.release()
        return [self._outcome(task, outcome, files) for task, outcome, files in answers]

    def _outcome(self, task: Hashable, outcome: Outcome, files: dict[str, bytes]) -> Outcome:
        """One task's outcome, named, with the files it wrote written into the stage here."""
        stage = self.shared.get("stage")
        if not isinstance(files, dict):
            return Outcome(task, "raised", error="a Dask worker sent back something that is not a task's files")
        allowed = self.expected.pop(task, None)
        for name, data in files.items():
            if (not isinstance(name, str) or not isinstance(data, bytes) or "\0" in name or not name.strip("./")
                    or len(data) > RETURNED_FILE_LIMIT or (allowed is not None and name not in allowed)):
                return Outcome(task, "raised", error=f"a Dask worker sent back a file workbook does not write: "
                                                     f"{printable(str(name))[:80]!r}")
            path = stage / name if stage is not None else None
            if path is None or not path.resolve().is_relative_to(stage.resolve()):
                return Outcome(task, "raised", error=f"a Dask worker sent back a file outside the build: {name[:80]!r}")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        outcome.task = task
        return outcome

    def close(self) -> None:
        client, cluster = self.client, self.cluster
        self.client = self.cluster = None
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
            with _OPENED_LOCK:  # a LocalCluster's workers are threads of this process: their worker processes too
                opened = _OPENED[:]
                _OPENED.clear()
            for pool in opened:
                pool.close()
        if self.scratch is not None:
            remove_tree_quietly(self.scratch)
            self.scratch = None


def _connect(address: str, config: dict, client_type):
    """A client of the scheduler at ``address`` with a worker, or one line saying why not: within
    CONNECT_TIMEOUT (and a hard deadline past it: a peer that is not Dask may never answer)."""
    import dask

    found: dict[str, Any] = {}

    def connect() -> None:
        try:
            with dask.config.set(config):
                client = client_type(address, timeout=CONNECT_TIMEOUT)
                found["client"] = client
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except BaseException as exc:  # noqa: BLE001 - whatever the peer made Dask raise, said in one line
            found["error"] = exc

    thread = threading.Thread(target=connect, daemon=True)
    thread.start()
    thread.join(2 * CONNECT_TIMEOUT + 5)
    if "client" in found and "error" not in found and not thread.is_alive():
        return found["client"]
    if "client" in found:
        try:
            found["client"].close(timeout=5)
        except Exception:  # noqa: BLE001, S110 - closing a client that half connected: nothing more to say
            pass
    error = found.get("error")
    why = f"{type(error).__name__}: {str(error)[:160]}" if error is not None else "no answer"
    why = why.encode("ascii", "backslashreplace").decode().replace("\n", " ")
    hint = (" (a tls:// address needs Dask's TLS settings: distributed.comm.tls in Dask's configuration)"
            if address.startswith("tls://") else "")
    raise InputError([(f"could not reach a Dask scheduler with workers at {address} ({why}){hint}; start one with "
                      "`dask scheduler` and `dask worker ADDRESS`, or use --cluster local")])


def _code_digest_here() -> str:
    from workbook.scheduler import _code_digest

    return _code_digest()


def _folder_files(folder: Path) -> dict[str, bytes]:
    """A user's template folder as {relative name: bytes}: what FolderLoader may read (no link out,
    no device, nothing over its limit)."""
    from workbook.resources import inside

    files = {}
    from workbook.quick import MAX_DEPTH
    from workbook.userfiles import HARD_LINK, files_under, hard_link

    total = 0
    for path in files_under(folder, depth=MAX_DEPTH)[:MAX_FILES]:
        if inside(path, folder) and hard_link(path):  # refused as the local loader refuses it, not sent as a file
            raise InputError([f"{printable(str(path))}: {HARD_LINK}"])
        if inside(path, folder) and (size := path.stat().st_size) <= FILE_LIMIT:
            total += size
            if total > TEMPLATE_BYTES:  # counted before reading: a folder of links to one big file is not read
                raise InputError([(f"{folder}: a template folder sent to a cluster may hold at most "
                                   f"{TEMPLATE_BYTES >> 20} MB; give a folder of templates only")])
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


# --- on a Dask worker ----------------------------------------------------------------------------

_LOCAL = threading.local()  # each worker thread's own workbook worker process
_OPENED: list = []  # every such pool of this process, closed with a LocalCluster (a Dask worker's thread ends
_OPENED_LOCK = threading.Lock()  # without a word, and a worker process left running keeps its scratch folder)


def run_batch(batch: list[tuple], memory: int | None, shared: dict[str, Any], templates: Path | None,
              files: dict[str, bytes] | None, code: str) -> list[tuple[Hashable, Outcome, dict[str, bytes]]]:
    """A batch of tasks on this Dask worker, one after another, each as ``run`` runs it; ``templates``
    is the build's template folder, ``files`` what it holds."""
    if templates is not None:
        shared = shared | {"templates": (templates, files)}
    return [(task, *run(fn, args, budget, memory, shared, code)) for task, budget, fn, args in batch]


def run(fn: Callable, args: tuple, budget: float | None, memory: int | None, shared: dict[str, Any],
        code: str) -> tuple[Outcome, dict[str, bytes]]:
    """Run one task on this Dask worker: in a worker process of our own, under ``budget`` and the
    memory cap, with the build's folders replaced by this machine's. Returns its Outcome and the
    files it wrote into the stage, by name under the stage. A worker whose code differs from the
    build's (``code``: one that joined after the pool was opened) runs nothing."""
    import multiprocessing
    import warnings

    from workbook.scheduler import _code_digest

    if _code_digest() != code:
        return Outcome(None, "raised", error="a Dask worker runs another version of workbook, Python, SymPy or "
                                             "NumPy than the build: install the same versions everywhere"), {}
    warnings.simplefilter("ignore")  # as on the command line; the worker processes inherit it
    # our worker processes die with this one (a parent-death signal), which is what a daemon's must do
    multiprocessing.current_process()._config.pop("daemon", None)
    pool = getattr(_LOCAL, "pool", None)
    if pool is None:
        _load_before_fork()
        pool = _LOCAL.pool = Pool(1, memory=memory)
        with _OPENED_LOCK:
            _OPENED.append(pool)
    if not getattr(_LOCAL, "swept", False):  # the task folders of Dask workers killed mid-task, on this machine
        _sweep_scratch()
        _LOCAL.swept = True
    # this task's, removed when it ends; named and marked as a process's scratch folder, so that the next
    # sweep removes it if this worker is killed first
    scratch = _new_scratch(f"workbook-{os.getpid()}-task-")
    stage = scratch / "stage"
    stage.mkdir()
    try:
        here = {}
        if shared.get("stage") is not None:
            here[shared["stage"]] = stage
        if shared.get("cache") is not None:
            here[shared["cache"]] = _machine_cache()
        if shared.get("templates") is not None:
            folder, files = shared["templates"]
            here[folder] = _unpacked(files, scratch / "templates")
        pool.submit(0, budget, fn, *(_moved(args, here) if here else args))  # a LocalCluster's: as they are
        outcome = next(pool.completed())
        if outcome.ok and here:
            outcome.value = _moved(outcome.value, {new: old for old, new in here.items() if new is not None})
        written = {path.relative_to(stage).as_posix(): path.read_bytes()
                   for path in sorted(stage.rglob("*")) if path.is_file() and not path.is_symlink()}
        return outcome, written
    finally:
        remove_tree_quietly(scratch)


def _outputs(fn: Callable, args: tuple, stage: Path | None) -> set[str] | None:
    """The names under the stage a task may send back: a layout's documents in its formats; nothing for
    any other task (a draw, the math and figures, which go to the worker's own cache)."""
    from workbook import render

    if fn is not render.render_job:
        return set()
    out_dir, formats, documents = args[1], args[3], args[4]
    if stage is None or not isinstance(out_dir, Path) or not out_dir.is_relative_to(stage):
        return None
    folder = out_dir.relative_to(stage).as_posix()
    prefix = "" if folder == "." else f"{folder}/"
    return {f"{prefix}{which}.{fmt}" for which in documents for fmt in formats if fmt in ("html", "pdf")}


def _load_before_fork() -> None:
    """Load what tasks use here, once, before our worker process forks: as at home, a first draw must
    not pay SymPy's import inside its budget (it would overrun, be redrawn, and change the problem)."""
    import workbook.render
    from workbook import pdf

    pdf.load_weasyprint()
    import workbook.scheduler  # noqa: F401


def _moved(value: Any, folders: dict[Path, Path | None]) -> Any:
    """``value`` with every path in (or at) one of ``folders`` moved to the folder it maps to."""
    if isinstance(value, Path):
        for old, new in folders.items():
            if value == old or value.is_relative_to(old):
                return None if new is None else new / value.relative_to(old)
        return value
    if isinstance(value, tuple | list):
        return type(value)(_moved(v, folders) for v in value)
    if isinstance(value, dict):
        return {k: _moved(v, folders) for k, v in value.items()}
    return value


def _machine_cache() -> Path | None:
    """This machine's content cache for cluster tasks, made on first use; None without a safe one."""
    from workbook.cache import cache_root, key_folder

    folder = key_folder()
    return cache_root(folder / "cluster")[0] if folder is not None else None


def _unpacked(files: dict[str, bytes], folder: Path) -> Path:
    """A template folder sent to this worker, written out for one task (inside its scratch folder)."""
    folder.mkdir()
    for relative, data in files.items():
        path = folder / relative
        if path.resolve().is_relative_to(folder.resolve()):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    return folder
