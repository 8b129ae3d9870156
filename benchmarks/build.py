"""Benchmark: build the default edition and print the time of each stage and per problem.

    python benchmarks/build.py [EDITION.toml] [--repeat N]

A measurement, not a test: it prints figures and asserts nothing. Stages: load (edition and
bank), generate (draw + solve with steps + sympy.diff comparison + numeric check; the check's own
share is shown on its own line), figures, math, html, pdf, as reported by the build.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from workbook import verify
from workbook.build import build


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("edition", nargs="?", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    check_time = [0.0]
    original = verify.check_derivative

    def timed_check(*a, **k):
        start = time.perf_counter()
        try:
            return original(*a, **k)
        finally:
            check_time[0] += time.perf_counter() - start

    verify.check_derivative = timed_check
    import workbook.kinds.derivative as derivative_kind

    derivative_kind.verify.check_derivative = timed_check

    runs = []
    for i in range(args.repeat):
        check_time[0] = 0.0
        with tempfile.TemporaryDirectory() as out:
            start = time.perf_counter()
            result = build(args.edition, out_root=Path(out))
            wall = time.perf_counter() - start
        runs.append((wall, dict(result.timings), check_time[0], result.problems))

    wall, timings, checks, n = min(runs, key=lambda r: r[0])
    print(f"edition: {args.edition or 'default'}; problems: {n}; runs: {args.repeat} (best shown)")
    print(f"{'stage':<22}{'seconds':>10}{'ms/problem':>12}")
    # math and figures are drawn while the templates render: show the templates' own share
    timings["html"] = timings.get("html", 0.0) - timings.get("math", 0.0) - timings.get("figures", 0.0)
    order = ["load", "generate", "figures", "math", "html", "pdf"]
    for stage in sorted(timings, key=lambda s: order.index(s) if s in order else len(order)):
        seconds = timings[stage]
        print(f"{stage:<22}{seconds:>10.3f}{1000 * seconds / n:>12.1f}")
        if stage == "generate":
            print(f"{'  of which: d/dx checks':<22}{checks:>10.3f}{1000 * checks / n:>12.1f}")
    print(f"{'total (wall)':<22}{wall:>10.3f}{1000 * wall / n:>12.1f}")
    if args.repeat > 1:
        print(f"wall over runs: median {statistics.median(r[0] for r in runs):.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
