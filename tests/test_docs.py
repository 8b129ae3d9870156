"""The docs cannot drift: generated reference pages are current, every command and family is documented."""

from __future__ import annotations

from pathlib import Path

from workbook import docs
from workbook.bank import load_bank
from workbook.cli import main

ROOT = Path(__file__).resolve().parents[1]


def test_generated_reference_pages_are_current():
    for name, make in docs.PAGES.items():
        if name == "cli.md":
            continue  # click's wording varies between its versions; checked by content below
        on_disk = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert on_disk == make(), f"docs/{name} is stale: run `python -m workbook.docs`"


def test_cli_reference_lists_every_command_and_option():
    on_disk = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert f"## `workbook {name}`" in on_disk, f"docs/cli.md lacks {name}: run `python -m workbook.docs`"
        section = on_disk.split(f"## `workbook {name}`", 1)[1].split("\n## ", 1)[0]
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--"):
                    assert opt in section, f"docs/cli.md: workbook {name} lacks {opt}"


def test_every_command_is_in_the_readme():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        assert f"workbook {name}" in readme, name
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt not in ("--help",):
                    assert opt in readme, f"workbook {name} {opt} is not in the README"


def test_every_schema_field_has_a_description():
    from workbook.bank import schemas
    from workbook.edition import Edition, PageOptions, Section
    from workbook.family import Param

    for model in (Edition, Section, PageOptions, Param, *schemas().values()):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"


def test_every_family_is_described():
    for family in load_bank().values():
        assert family.description, family.id


def test_the_readme_names_the_default_edition_it_builds():
    from workbook.edition import default_path, load_edition

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    edition = load_edition(default_path())
    first_command = next(line for line in readme.splitlines() if line.startswith("pip install -e . && workbook build"))
    assert f"build/{edition.output_slug()}/" in first_command
    assert edition.title in readme


def _shown_runs() -> list[tuple[str, str, list[str]]]:
    """Each `$ workbook ...` example the README and docs/ show, with the lines they say it prints."""
    import re

    found = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```\n(\$ workbook [^\n]*)\n(.*?)```", page.read_text(encoding="utf-8"), re.DOTALL):
            found.append((page.name, block[0][2:], [line for line in block[1].splitlines() if line.strip() != "..."]))
    return found


def test_every_example_run_the_docs_show_prints_what_they_say():
    # user59 F3.1: docs/expressions.md showed three error lines where solve prints one, and SymPy's x^2*sin(x) where
    # it prints x^2 sin(x); no test read those blocks
    import shlex

    from click.testing import CliRunner

    runs = _shown_runs()
    assert len(runs) >= 3, runs
    for page, command, lines in runs:
        printed = CliRunner().invoke(main, shlex.split(command)[1:]).output.splitlines()
        at = 0
        for line in lines:  # each line shown is printed, in the order shown ("..." leaves some out)
            spot = next((k for k in range(at, len(printed)) if printed[k].rstrip() == line.rstrip()), None)
            assert spot is not None, (page, command, line, printed)
            at = spot + 1
