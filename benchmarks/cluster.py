"""Benchmark: a roster on the local worker pool against the same build on a Dask LocalCluster of the
same cores, through the command line as a user runs it (a measurement, not a test).

    python benchmarks/cluster.py                  # 1,000 students (about 25 minutes on 2 cores)
    python benchmarks/cluster.py --students 100   # a quicker look

Each run is cold: a new build folder and a new cache folder (XDG_CACHE_HOME), so the cluster's
per-machine cache starts empty too. The sheet is benchmarks/roster-sheet.toml (five derivative
problems, worksheet and key, PDF and HTML). Printed: wall and CPU time of each, the cluster's
overhead (target: at most 15%), whether the two builds wrote the same bytes, and, from the measured
cost of a sheet, an estimate of the time 10^5 students take on N machines.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import os
import resource
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
EDITION = HERE / "roster-sheet.toml"
OVERHEAD = 0.15  # the cluster may cost at most this much more than the local pool


def roster(path: Path, students: int) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "id"])
        writer.writerows([f"Student {i}", f"s{i:06d}"] for i in range(students))
    return path


def run(args: list[str], scratch: Path, name: str) -> tuple[float, float, Path]:
    """One cold build through the CLI: (wall seconds, CPU seconds of it and its workers, its folder)."""
    out, cache = scratch / name, scratch / f"{name}-cache"
    env = dict(os.environ, XDG_CACHE_HOME=str(cache))
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(["workbook", "build", str(EDITION), "--out", str(out), "--quiet", *args], env=env, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, out


def files(folder: Path) -> dict[str, str]:
    """Every file the build wrote, by name, with the digest of its bytes: not its cache, nor the edition's
    marker, whose up-to-date stamps are signed with the key of the run's own cache folder."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".cache" not in p.parts
            and p.name != ".workbook-build"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=1000)
    options = parser.parse_args()
    cores = len(os.sched_getaffinity(0))
    scratch = Path(tempfile.mkdtemp(prefix="workbook-cluster-bench-"))
    try:
        names = roster(scratch / "roster.csv", options.students)
        base = ["--roster", str(names)]
        local_wall, local_cpu, local_out = run(base, scratch, "local")
        cluster_wall, cluster_cpu, cluster_out = run([*base, "--cluster", "local"], scratch, "cluster")
        mine, theirs = files(local_out), files(cluster_out)
        differ = sorted(n for n in mine.keys() | theirs.keys() if mine.get(n) != theirs.get(n))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    overhead = cluster_wall / local_wall - 1
    print(f"{options.students} students, {EDITION.name}, {cores} cores, load average at the end "
          f"{os.getloadavg()[0]:.2f}")
    print("| run | wall | CPU (user + system) | a sheet, core-seconds |")
    print("|---|---|---|---|")
    for name, wall, cpu in (("local pool", local_wall, local_cpu), ("LocalCluster", cluster_wall, cluster_cpu)):
        print(f"| {name} | {wall:.1f} s | {cpu:.1f} s | {wall * cores / options.students:.3f} |")
    verdict = "met" if overhead <= OVERHEAD else "MISSED"
    print(f"cluster overhead: {overhead:+.1%} (target at most {OVERHEAD:.0%}: {verdict}); "
          f"the same bytes: {'yes' if not differ else f'NO ({len(differ)} files differ, e.g. {differ[0]})'}")
    per_sheet = cluster_wall * cores / options.students  # core-seconds a sheet, as the cluster ran it
    print(f"estimate for 100,000 students at {per_sheet:.3f} core-seconds a sheet:")
    print("| machines x cores | time |")
    print("|---|---|")
    for machines, each in ((1, cores), (10, 8), (50, 8), (100, 16)):
        seconds = 100_000 * per_sheet / (machines * each)
        print(f"| {machines} x {each} | {seconds / 60:.0f} min |")


if __name__ == "__main__":
    main()
