"""The package's import graph: no cycle, counting imports inside functions, and no kind importing another."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "workbook"


def _graph() -> dict[str, set[str]]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(("workbook", *path.relative_to(PACKAGE).with_suffix("").parts))
        modules[name.removesuffix(".__init__")] = path
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):  # every import, at any depth
            if isinstance(node, ast.ImportFrom) and node.module:
                targets = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_no_import_cycle_in_the_package():
    assert _cycle(_graph()) is None, " -> ".join(_cycle(_graph()))


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_no_kind_imports_another_kind():
    graph = _graph()
    kinds = {m for m in graph if m.startswith("workbook.kinds.") and m != "workbook.kinds.common"}
    for kind in kinds:
        assert not graph[kind] & kinds, f"{kind} imports {graph[kind] & kinds}"
        assert not graph[kind] & {"workbook.generate", "workbook.bank", "workbook.build", "workbook.scheduler"}, kind


def test_the_command_line_starts_without_the_heavy_libraries():
    """`workbook --help` and each command's --help import neither SymPy, NumPy, matplotlib, WeasyPrint nor
    pydantic: the command line names its limits from workbook.limits, and each command imports its work."""
    import subprocess
    import sys

    heavy = ("sympy", "numpy", "matplotlib", "weasyprint", "pydantic", "jinja2")
    probe = ("import sys; from click.testing import CliRunner; from workbook.cli import main; "
             "[CliRunner().invoke(main, a) for a in (['--help'], ['build', '--help'], ['solve', '--help'], "
             "['show', '--help'], ['practice', '--help'], ['check', '--help'])]; "
             f"print(sorted(m for m in {heavy!r} if m in sys.modules))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert run.stdout.strip() == "[]", run.stdout


_FIND_LIBRARY_SPY = """
import ctypes.util, json
calls = []
lookup = ctypes.util.find_library
def spy(name):
    calls.append(name)
    return lookup(name)
ctypes.util.find_library = spy
{before}
from workbook import pdf
pdf.load_weasyprint()
from weasyprint.text import ffi
print(json.dumps({{"calls": calls, "subsetter": ffi.harfbuzz_subset is not None,
                  "restored": ctypes.util.find_library is spy}}))
"""


def _spied(before: str = "") -> tuple[dict, str]:
    import json
    import subprocess
    import sys

    run = subprocess.run([sys.executable, "-c", _FIND_LIBRARY_SPY.format(before=before)], capture_output=True,
                         text=True, timeout=60, check=True)
    *printed, last = run.stdout.strip().splitlines()
    return json.loads(last), "\n".join(printed)


def test_weasyprint_loads_its_libraries_without_looking_each_name_up():
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("the quick load is for Linux only")
    seen, printed = _spied()
    assert seen["restored"], "find_library is left as it was"
    # each look-up runs ldconfig, gcc and ld: WeasyPrint's own import made about twenty
    assert seen["calls"] == ([] if seen["subsetter"] else ["harfbuzz-subset"])
    assert printed == ""


def test_weasyprint_is_loaded_as_usual_where_a_library_loads_only_by_looking_it_up():
    import sys

    import pytest

    if not sys.platform.startswith("linux"):
        pytest.skip("the quick load is for Linux only")
    # Pango by its file name refused: only the look-up (of "pango-1.0") finds it, as on a system whose Pango
    # has another file name
    refuse = """
import cffi
dlopen = cffi.FFI.dlopen
def refusing(self, name, flags=0):
    if name == "libpango-1.0.so.0":
        raise OSError("refused by the test")
    return dlopen(self, name, flags)
cffi.FFI.dlopen = refusing
"""
    seen, printed = _spied(refuse)
    assert seen["restored"]
    assert "pango-1.0" in seen["calls"], "the second try looks names up, as WeasyPrint does"
    assert "could not import" not in printed, "WeasyPrint's banner from the quick try is not shown"
