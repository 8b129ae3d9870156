"""A class roster: one student a row, a name and an id, read from CSV."""

from __future__ import annotations

import csv
import io
import itertools
import re
from dataclasses import dataclass
from pathlib import Path

from workbook.errors import InputError, excerpt, printable, unsafe_char
from workbook.userfiles import read_text

MAX_ROWS = 100_000  # students in one roster (each has at least one problem to draw)
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
MAX_NAME = 80


@dataclass(frozen=True)
class Student:
    name: str
    id: str


def read_roster(path: Path) -> list[Student]:
    """Every student in the file; every bad row reported with its line number, all at once."""
    text = read_text(path, "roster", limit=8 << 20, encoding="utf-8-sig")  # 10^5 students is about 3 MB
    students, problems, seen, where = [], [], {}, printable(str(path))
    try:
        rows = list(itertools.islice(csv.reader(io.StringIO(text)), MAX_ROWS + 2))
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte
        raise InputError([f"{where}: not a CSV roster the tool can read: {exc}"]) from None
    if len(rows) > MAX_ROWS + 1:
        raise InputError([f"{where}: more than {MAX_ROWS} students; build the roster in parts"])
    for line, row in enumerate(rows, start=1):
        if len(problems) >= 50:
            problems.append(f"{where}: ... and more rows like these; stopped at line {line}")
            break
        if not row or all(not cell.strip() for cell in row):
            continue
        if line == 1 and [c.strip().lower() for c in row] == ["name", "id"]:
            continue
        if len(row) != 2:
            problems.append(f"{where}: line {line}: expected 2 columns (name, id), found {len(row)}")
            continue
        name, sid = row[0].strip(), row[1].strip()
        if not name or len(name) > MAX_NAME:
            problems.append(f"{where}: line {line}: the name must be 1 to {MAX_NAME} characters")
        elif unsafe_char(name, newlines=False):
            problems.append(f"{where}: line {line}: the name holds the control character "
                            f"{unsafe_char(name, newlines=False)!a}")
        elif not ID.fullmatch(sid):
            problems.append(f"{where}: line {line}: the id {excerpt(sid)} must be 1 to 32 letters, digits, - or _")
        elif sid in seen:
            problems.append(f"{where}: line {line}: the id {sid!r} is already used on line {seen[sid]}")
        else:
            seen[sid] = line
            students.append(Student(name, sid))
    if not students and not problems:
        problems.append(f"{where}: the roster has no students (one row each: name, id)")
    if problems:
        raise InputError(problems)
    return students
