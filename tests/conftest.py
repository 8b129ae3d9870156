"""Shared fixtures: a small edition and a built copy of it, made once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SOURCE_DATE_EPOCH", "1704067200")

SMALL_EDITION = """
title = "Test Sheet"
subtitle = "A small edition for the tests"
slug = "test-sheet"
seed = 7
paper = "Letter"

[[sections]]
title = "Warm-up"
intro = "Two quick ones."
families = ["power-polynomial", "chain-two-levels"]
count = 2

[[sections]]
title = "Tangents"
families = ["tangent-line", "derivative-at-point"]
count = 2
"""


def pytest_configure(config) -> None:
    """In a test process of several (pytest-xdist), each build a test starts has one worker process: two test
    processes on two cores, each with a pool of two, asked for four cores, and `solve --check`'s 10 s budget ran out
    beside them for answers it judges in 4 s. A test that sets its own --jobs or WORKBOOK_JOBS keeps it."""
    if hasattr(config, "workerinput"):
        os.environ.setdefault("WORKBOOK_JOBS", "1")


def pytest_xdist_auto_num_workers(config) -> int:
    """``-n auto`` (pyproject.toml): a test process for each core this process may use, at most four, since a test
    that builds starts a worker pool of its own beside them."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # (macOS)
        cores = os.cpu_count() or 1
    return max(1, min(4, cores))


@pytest.fixture(scope="session")
def small_edition(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("edition") / "small.toml"
    path.write_text(SMALL_EDITION, encoding="utf-8")
    return path


@pytest.fixture(scope="session")
def built_small(small_edition, tmp_path_factory):
    from workbook.build import build

    out_root = tmp_path_factory.mktemp("build")
    return build(small_edition, out_root=out_root)
