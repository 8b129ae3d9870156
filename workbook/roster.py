"""A class roster: one student a row, a name and an id, read from CSV."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from workbook.errors import InputError

ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")


@dataclass(frozen=True)
class Student:
    name: str
    id: str


def read_roster(path: Path) -> list[Student]:
    """Every student in the file; every bad row reported with its line number, all at once."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError([f"{path}: cannot read the roster: {exc}"]) from None
    students, problems, seen = [], [], {}
    for line, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or all(not cell.strip() for cell in row):
            continue
        if line == 1 and [c.strip().lower() for c in row] == ["name", "id"]:
            continue
        if len(row) != 2:
            problems.append(f"{path}: line {line}: expected 2 columns (name, id), found {len(row)}")
            continue
        name, sid = row[0].strip(), row[1].strip()
        if not name or len(name) > 80:
            problems.append(f"{path}: line {line}: the name must be 1 to 80 characters")
        elif not ID.fullmatch(sid):
            problems.append(f"{path}: line {line}: the id {sid!r} must be 1 to 32 letters, digits, - or _")
        elif sid in seen:
            problems.append(f"{path}: line {line}: the id {sid!r} is already used on line {seen[sid]}")
        else:
            seen[sid] = line
            students.append(Student(name, sid))
    if not students and not problems:
        problems.append(f"{path}: the roster has no students (one row each: name, id)")
    if problems:
        raise InputError(problems)
    return students
