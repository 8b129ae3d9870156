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
