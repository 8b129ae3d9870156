"""Benchmark: every speed target of the tool, measured and printed (a measurement, not a test).

    python benchmarks/build.py            # all targets (about four minutes on 2 cores)
    python benchmarks/build.py --quick    # the default edition only: cold, warm and the floor
    python benchmarks/build.py --cli      # only the command-line targets (6-9 below)

Targets, each printed with its figure:
  1. the default edition, cold (empty cache): at most 2x the floor, the time WeasyPrint alone takes
     to lay out the same final HTML (measured in this run, one document after another);
  2. a warm rebuild of the unchanged default edition: at most 10% of the cold build;
  3. 30 versions x 5 derivative problems, worksheet + key PDF (and HTML): under 8 s;
  4. generate + solve + check, in one process: median at most 15 ms a problem;
  5. 200 problems cost at most 10.5x what 20 cost, with peak memory (the proportional set size
     of this process and its workers, summed) under 1 GB.

Through the command line, as a user runs it (a new process each time, start-up and imports included;
benchmarks/rexams-30.toml, cold = an empty build folder; best of three runs, run one after another):
  6. 30 versions x 5 derivatives, PDF + HTML and --format pdf: under 5 s (5x faster than R/exams'
     25.3 s for its own 30-version sheet on this machine);
  7. the CPU it takes (user + system, the workers included): under 8.4 s (3x less than R/exams' 25.2 s);
  8. a warm rebuild of the unchanged edition: at most 10% of its cold build;
  9. `workbook --help` and the imports `workbook solve` makes before it works: under 0.3 s of imports.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from workbook.bank import load_bank
from workbook.build import build, build_edition
from workbook.edition import default_path, load_edition
from workbook.generate import generate_one
from workbook.seeds import derive_seed
from workbook.workers import default_jobs

HERE = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the default edition only")
    parser.add_argument("--cli", action="store_true", help="the command-line targets only")
    parser.add_argument("--jobs", type=int, default=None, help="worker processes (default: one a core)")
    args = parser.parse_args()
    print(f"workbook benchmark: {default_jobs() if args.jobs is None else args.jobs} workers, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    rows = []
    if args.cli:
        rows += cli_rows(args.jobs)
        report(rows)
        return 0

    with tempfile.TemporaryDirectory() as out:
        cold, result = timed(lambda: build(None, out_root=Path(out), jobs=args.jobs))
        stages(result)
        floor = weasyprint_floor(result, Path(out))
        warm, _ = timed(lambda: build(None, out_root=Path(out), jobs=args.jobs))
    rows.append(("default edition, cold", f"{cold:.2f} s", f"<= 2x floor ({floor:.2f} s)",
                 f"{cold / floor:.2f}x", cold <= 2 * floor))
    rows.append(("default edition, warm rebuild", f"{warm:.2f} s", "<= 10% of cold", f"{100 * warm / cold:.1f}%",
                 warm <= 0.1 * cold))

    if not args.quick:
        with tempfile.TemporaryDirectory() as out:  # as the target says: worksheet + key, as PDF
            wall, result = timed(lambda: build(HERE / "derivatives-30.toml", out_root=Path(out), jobs=args.jobs,
                                               formats=("pdf",)))
        pdfs = sum(1 for name in result.files if name.endswith(".pdf"))
        rows.append((f"30 versions x 5 derivatives ({pdfs} PDFs)", f"{wall:.2f} s", "< 8 s (peer: 25 s)",
                     f"{25 / wall:.1f}x", wall < 8.0))
        with tempfile.TemporaryDirectory() as out:
            wall, result = timed(lambda: build(HERE / "derivatives-30.toml", out_root=Path(out), jobs=args.jobs))
        rows.append(("  the same with HTML too", f"{wall:.2f} s", "", "", None))

        median, n = generate_median()
        rows.append((f"generate+solve+check ({n} draws)", f"{median:.1f} ms", "median <= 15 ms", "", median <= 15))

        small, _, _ = scaled_build(20, args.jobs)
        large, peak, _ = scaled_build(200, args.jobs)
        rows.append(("20 problems, cold", f"{small:.2f} s", "", "", None))
        rows.append(("200 problems, cold", f"{large:.2f} s", "<= 10.5x the 20", f"{large / small:.1f}x",
                     large <= 10.5 * small))
        rows.append(("peak memory at 200 problems", f"{peak / 1024**2:.0f} MB", "< 1 GB", "", peak < 1024**3))
        rows += cli_rows(args.jobs)

    report(rows)
    return 0


def report(rows) -> None:
    print()
    print(f"{'measure':<44}{'figure':>11}  {'target':<28}{'ratio':>8}  result")
    for name, figure, target, ratio, ok in rows:
        verdict = "" if ok is None else ("met" if ok else "MISSED")
        print(f"{name:<44}{figure:>11}  {target:<28}{ratio:>8}  {verdict}")


PEER_WALL, PEER_CPU = 25.3, 25.2  # R/exams 2.4-2, 30 versions of its derivative sheet, on this machine (issue 15)


# A user's Python writes each module's bytecode the first time it runs and reads it after; a shell with
# PYTHONDONTWRITEBYTECODE set (as CI's and a container's often are) compiles all of workbook's modules again in every
# process, a quarter of a second before `solve` starts, which no user pays.
AS_A_USER = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def cli(*args: str, jobs: int | None = None) -> tuple[float, float]:
    """Run `workbook ARGS` as a user would: (wall seconds, CPU seconds of it and every process it started)."""
    env = {**AS_A_USER, **({"WORKBOOK_JOBS": str(jobs)} if jobs else {})}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    command = shutil.which("workbook") or sys.exit("the benchmark runs the installed `workbook` command: pip install -e .")
    subprocess.run([command, *args], check=True, env=env, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def import_seconds(module: str) -> float:
    """Seconds a fresh interpreter spends importing ``module`` (the best of five, its bytecode written by the first)."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return min(float(subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, env=AS_A_USER,
                                    text=True).stdout) for _ in range(5))


def cli_rows(jobs: int | None) -> list[tuple]:
    """Targets 6-9: the peer comparison through the command line, cold and warm, and start-up."""
    rows = []
    edition = str(HERE / "rexams-30.toml")
    for label, extra in (("PDF + HTML", ()), ("--format pdf", ("--format", "pdf"))):
        runs = []
        for _ in range(3):
            out = tempfile.mkdtemp()
            try:
                runs.append(cli("build", edition, "--out", out, "--quiet", *extra, jobs=jobs))
            finally:
                shutil.rmtree(out, ignore_errors=True)
        wall, cpu = min(runs)
        rows.append((f"CLI 30 versions x 5, {label}, cold", f"{wall:.2f} s", f"< 5 s (peer {PEER_WALL} s)",
                     f"{PEER_WALL / wall:.1f}x", wall < 5.0))
        rows.append(("  CPU, user + system", f"{cpu:.2f} s", f"< 8.4 s (peer {PEER_CPU} s)",
                     f"{PEER_CPU / cpu:.1f}x", cpu < PEER_CPU / 3))
    with tempfile.TemporaryDirectory() as out:
        cold, _ = cli("build", edition, "--out", out, "--quiet", jobs=jobs)
        warm = min(cli("build", edition, "--out", out, "--quiet", jobs=jobs)[0] for _ in range(3))
    rows.append(("CLI warm rebuild, unchanged", f"{warm:.2f} s", "<= 10% of cold", f"{100 * warm / cold:.1f}%",
                 warm <= 0.1 * cold))
    start = import_seconds("workbook.cli")
    rows.append(("imports before --help", f"{start:.3f} s", "< 0.3 s", "", start < 0.3))
    solve = import_seconds("workbook.solver")
    rows.append(("imports before solve works", f"{start + solve:.3f} s", "< 0.3 s", "", start + solve < 0.3))
    help_wall = min(cli("--help")[0] for _ in range(3))
    rows.append(("  workbook --help, wall (Python start-up too)", f"{help_wall:.2f} s", "", "", None))
    return rows


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return time.perf_counter() - start, value


def stages(result) -> None:
    """What each stage cost: wall-clock for the build's own stages, CPU-side seconds summed over workers."""
    t = dict(result.timings)
    layout = t.get("render", 0.0) - t.get("prepare", 0.0)
    print(f"default edition: {result.problems} problems")
    print(f"  wall-clock   load {t.get('load', 0):.2f} s, generate {t.get('generate', 0):.2f} s, "
          f"draw math and figures {t.get('prepare', 0):.2f} s, lay out {layout:.2f} s")
    print(f"  in workers   figures {t.get('figures', 0):.2f} s, math {t.get('math', 0):.2f} s, "
          f"templates {t.get('html', 0):.2f} s, WeasyPrint {t.get('pdf', 0):.2f} s")


def weasyprint_floor(result, out: Path) -> float:
    """Seconds WeasyPrint alone takes to lay out the build's final PDF-medium HTML, document by document."""
    from workbook import mathtex, pdf, render

    total = 0.0
    for doc in result.docs.values():
        for name in [Path(f).stem for f in result.files if f.endswith(".pdf") and "/" not in f]:
            with tempfile.TemporaryDirectory(dir=out) as folder:
                assets_dir = Path(folder) / "assets"
                assets_dir.mkdir()
                assets = render.Assets("pdf", assets_dir, mathtex.SVGCache(out / ".cache"), {})
                html = render.render_html(doc, name, "pdf", assets)
                start = time.perf_counter()  # WeasyPrint alone: the same HTML, stylesheet and images
                pdf.write_pdf(html, Path(folder), Path(folder) / "x.pdf", name, assets_dir)
                total += time.perf_counter() - start
    return total


def generate_median() -> tuple[float, int]:
    """Median milliseconds of one draw (generate, solve with steps, check), every family, 10 seeds each."""
    bank = load_bank(None)
    times = []
    for family in bank.values():
        for k in range(10):
            start = time.perf_counter()
            try:
                generate_one(family, derive_seed("benchmark", family.id, k))
            except ValueError:
                pass  # a degenerate draw still counts: the build pays for it too
            times.append(1000 * (time.perf_counter() - start))
    return statistics.median(times), len(times)


def scaled_build(problems: int, jobs: int | None) -> tuple[float, int, int]:
    """A cold build of the default edition's sections scaled to ``problems``: seconds, peak memory, problems."""
    edition = load_edition(default_path())
    sections = edition.sections
    base = sum(s.count for s in sections)
    counts = [max(1, round(s.count * problems / base)) for s in sections]
    counts[0] += problems - sum(counts)
    edition = edition.model_copy(update={
        "slug": f"scale-{problems}",
        "sections": [s.model_copy(update={"count": c}) for s, c in zip(sections, counts)]})
    bank = load_bank(None)
    with tempfile.TemporaryDirectory() as out, MemorySampler() as memory:
        seconds, result = timed(lambda: build_edition(edition, bank, out_root=Path(out), jobs=jobs))
    return seconds, memory.peak, result.problems


class MemorySampler:
    """The largest sum of proportional set sizes (PSS) of this process and its children, every 50 ms."""

    def __init__(self):
        self.peak, self.stop = 0, threading.Event()

    def __enter__(self):
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def run(self):
        while not self.stop.wait(0.05):
            self.peak = max(self.peak, sum(pss(pid) for pid in [os.getpid(), *children(os.getpid())]))


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
