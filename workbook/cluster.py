"""A build's tasks on a Dask cluster, when one machine's cores are not enough (``--cluster ADDRESS``).

ClusterPool has the worker pool's interface (``submit``, ``completed``, ``drop``, ``size``, ``close``),
so the build and ``workbook check`` use it unchanged, and the output is the same bytes as the local
pool's: each task is the same function of the same arguments, and every Dask worker must run the same
workbook code (checked when the pool opens).

On each Dask worker a task runs in a workbook worker process of its own (``workers.Pool`` of one),
under the same wall-clock budget and memory cap as on one machine: a draw that hangs is killed there
and comes back as a timeout, to be redrawn. A Dask worker that is lost has its tasks run again on
another by Dask's scheduler; a task that loses its worker too often comes back as "died", which the
build retries once and then reports. Nothing is dropped silently.

The workers need not see this machine's files. A task's folder arguments are replaced on the worker:

- the build's staging folder, by a private folder whose files come back with the answer and are
  written here;
- the build's content cache, by the worker machine's own (``~/.cache/workbook/cluster/.cache``, signed
  with that machine's key: a cache per machine, or one shared by every machine that shares a home);
- a user's template folder, by a copy sent with the task.

    with ClusterPool("local") as pool:   # a LocalCluster on this machine
        pool.submit("a", 5.0, generate_one, family, seed)
        for outcome in pool.completed():
            ...
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Callable, Hashable, Iterator
from pathlib import Path
from typing import Any, Self

from workbook.errors import InputError
from workbook.workers import MEMORY_LIMIT, Outcome, Pool, default_jobs, said

ENV = "WORKBOOK_CLUSTER"
LOCAL = "local"
CONNECT_TIMEOUT = 20.0  # seconds to reach the scheduler, and for its first worker to join
_ADDRESS = re.compile(r"(tcp|tls|ucx)://[A-Za-z0-9._\-\[\]:]{1,255}:\d{1,5}")
_INSTALL = "pip install -e '.[cluster]'"
MAX_FILES = 2000  # files of a user's template folder sent with each task (build.MAX_TEMPLATE_FILES)
FILE_LIMIT = 1 << 20  # bytes of one template file (what FolderLoader reads)


def address_of(given: str | None) -> str | None:
    """The cluster to use: ``given`` (the --cluster option), else $WORKBOOK_CLUSTER, else None (the
    local pool). ``local`` or a scheduler address such as tcp://host:8786; anything else is bad input."""
    value = given if given is not None else os.environ.get(ENV, "").strip() or None
    if value is None:
        return None
    if value != LOCAL and not _ADDRESS.fullmatch(value):
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
    ``jobs`` worker processes (default: one a core)."""

    def __init__(self, address: str, *, jobs: int | None = None, memory: int | None = MEMORY_LIMIT):
        self.address, self.jobs, self.memory = address, jobs, memory
        self.client = self.cluster = None
        self.futures: dict[Any, Hashable] = {}
        self.done = None
        self.shared: dict[str, Any] = {}  # the folders a task's arguments name: see share()

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
        try:
            with dask.config.set({"distributed.worker.daemon": False,  # their own workers are ours to start
                                  "distributed.scheduler.allowed-failures": 3}):
                if self.address == LOCAL:
                    self.cluster = LocalCluster(n_workers=self.jobs or default_jobs(), threads_per_worker=1,
                                                processes=True, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                                                memory_limit=0, silence_logs=logging.ERROR)
                    self.client = Client(self.cluster, timeout=CONNECT_TIMEOUT)
                else:
                    self.client = Client(self.address, timeout=CONNECT_TIMEOUT)
                    self.client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise InputError([(f"could not reach a Dask scheduler with workers at {self.address} in "
                              f"{CONNECT_TIMEOUT:g} s ({type(exc).__name__}); start one with `dask scheduler` and "
                              "`dask worker ADDRESS`, or use --cluster local")]) from None
        self._check_code()
        self.done = as_completed()

    @property
    def size(self) -> int:
        """How many tasks run at once: the workers' threads."""
        self.open()
        return max(1, sum(self.client.nthreads().values()))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _check_code(self) -> None:
        """Every worker runs this code: a worker with another version of workbook (or of SymPy) would
        draw other problems, and the output would depend on where a task ran."""
        from workbook.scheduler import _code_digest

        mine = _code_digest()
        try:
            theirs = self.client.run(_code_digest_here)
        except Exception as exc:  # noqa: BLE001 - a worker without workbook: said in one line
            self.close()
            raise InputError([(f"the Dask workers at {self.address} could not run workbook ({said(exc)[:200]}); "
                              "install the same workbook on every worker machine")]) from None
        other = sorted(worker for worker, code in theirs.items() if code != mine)
        if other:
            self.close()
            raise InputError([(f"{len(other)} Dask worker{'s' * (len(other) != 1)} at {self.address} (e.g. {other[0]}) "
                              "run another version of workbook, Python, SymPy or NumPy: the problems would depend on "
                              "where they were drawn; install the same versions everywhere")])

    def share(self, **folders: Path | None) -> None:
        """Name the build's folders that tasks' arguments may point into: ``stage`` (where documents
        are written), ``cache`` (the content cache), ``templates`` (a user's template folder)."""
        for role, path in folders.items():
            if role == "templates" and path is not None:
                self.shared[role] = (path, _folder_files(path))
            else:
                self.shared[role] = path

    def submit(self, task: Hashable, budget: float | None, fn: Callable, *args: Any) -> None:
        """Queue fn(*args) on the cluster; ``budget`` seconds of wall-clock time, or None for no limit."""
        self.open()
        future = self.client.submit(run, fn, args, budget, self.memory, self.shared, pure=False)
        self.futures[future] = task
        self.done.add(future)

    def drop(self, which: Callable[[Hashable], bool]) -> None:
        """Forget the tasks ``which`` picks by name (a worker may still finish one: its answer is ignored)."""
        dropped = [future for future, task in self.futures.items() if which(task)]
        for future in dropped:
            del self.futures[future]
        if dropped:
            self.client.cancel(dropped)

    def completed(self) -> Iterator[Outcome]:
        """Each task's Outcome as it ends; tasks submitted meanwhile run too."""
        while self.futures:
            future = next(self.done)
            task = self.futures.pop(future, None)
            if task is not None:
                yield self._outcome(task, future)

    def _outcome(self, task: Hashable, future) -> Outcome:
        from distributed import KilledWorker

        try:
            outcome, files = future.result()
        except KilledWorker:
            return Outcome(task, "died", error="the Dask workers running it were lost, one after another")
        except Exception as exc:  # noqa: BLE001 - what the cluster said, for the caller to decide
            return Outcome(task, "raised", exception=exc, error=said(exc))
        finally:
            future.release()
        stage = self.shared.get("stage")
        for name, data in files.items():
            path = stage / name
            if stage is None or not path.resolve().is_relative_to(stage.resolve()):
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


def _code_digest_here() -> str:
    from workbook.scheduler import _code_digest

    return _code_digest()


def _folder_files(folder: Path) -> dict[str, bytes]:
    """A user's template folder as {relative name: bytes}: what FolderLoader may read (no link out,
    no device, nothing over its limit)."""
    from workbook.resources import inside

    files = {}
    for path in sorted(folder.rglob("*"))[:MAX_FILES]:
        if inside(path, folder) and path.stat().st_size <= FILE_LIMIT:
            files[path.relative_to(folder).as_posix()] = path.read_bytes()
    return files


# --- on a Dask worker ----------------------------------------------------------------------------

_LOCAL = threading.local()  # each worker thread's own workbook worker process
_TEMPLATES: dict[str, Path] = {}  # template folders sent here, by digest
_LOCK = threading.Lock()


def run(fn: Callable, args: tuple, budget: float | None, memory: int | None,
        shared: dict[str, Any]) -> tuple[Outcome, dict[str, bytes]]:
    """Run one task on this Dask worker: in a worker process of our own, under ``budget`` and the
    memory cap, with the build's folders replaced by this machine's. Returns its Outcome and the
    files it wrote into the stage, by name under the stage."""
    import multiprocessing
    import warnings

    warnings.simplefilter("ignore")  # as on the command line; the worker processes inherit it
    # our worker processes die with this one (a parent-death signal), which is what a daemon's must do
    multiprocessing.current_process()._config.pop("daemon", None)
    pool = getattr(_LOCAL, "pool", None)
    if pool is None:
        _load_before_fork()
        pool = _LOCAL.pool = Pool(1, memory=memory)
    stage = Path(tempfile.mkdtemp(prefix="workbook-stage-"))
    try:
        here = {}
        if shared.get("stage") is not None:
            here[shared["stage"]] = stage
        if shared.get("cache") is not None:
            here[shared["cache"]] = _machine_cache()
        if shared.get("templates") is not None:
            folder, files = shared["templates"]
            here[folder] = _templates_here(files)
        pool.submit(0, budget, fn, *_moved(args, here))
        outcome = next(pool.completed())
        if outcome.ok:
            outcome.value = _moved(outcome.value, {new: old for old, new in here.items() if new is not None})
        written = {path.relative_to(stage).as_posix(): path.read_bytes()
                   for path in sorted(stage.rglob("*")) if path.is_file() and not path.is_symlink()}
        return outcome, written
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _load_before_fork() -> None:
    """Load what tasks use here, once, before our worker process forks: as at home, a first draw must
    not pay SymPy's import inside its budget (it would overrun, be redrawn, and change the problem)."""
    import weasyprint  # noqa: F401

    import workbook.render
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

    root, _ = cache_root(key_folder() / "cluster")
    return root


def _templates_here(files: dict[str, bytes]) -> Path:
    """A private copy, on this machine, of a template folder sent with a task (made once a folder)."""
    name = hashlib.sha256(repr(sorted(files.items())).encode()).hexdigest()
    with _LOCK:
        folder = _TEMPLATES.get(name)
        if folder is None or not folder.is_dir():
            folder = Path(tempfile.mkdtemp(prefix="workbook-templates-"))
            for relative, data in files.items():
                path = folder / relative
                if not path.resolve().is_relative_to(folder.resolve()):
                    continue
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
            _TEMPLATES[name] = folder
    return folder
