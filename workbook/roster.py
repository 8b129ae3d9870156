"""A class roster: one student a row, a name and an id, read from CSV."""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from workbook.errors import LINES_SAID, InputError, excerpt, printable, shows_something, unsafe_char, windows_device
from workbook.userfiles import HARD_LINK, hard_link, link_out, read_text

MAX_ROWS = 100_000  # students in one roster (each has at least one problem to draw)
ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]{0,31}")
MAX_NAME = 80


@dataclass(frozen=True)
class Student:
    name: str
    id: str


# letters and symbols that print as a blank: the Hangul fillers, the braille pattern with no dots


def read_roster(path: Path) -> list[Student]:
    """Every student in the file; every bad row reported with its line number, all at once.

    Columns are separated by commas, semicolons (spreadsheets in much of Europe) or tabs, whichever
    the first line uses. Without a header a row is ``name, id``; a header naming ``name`` and ``id``
    columns (as an LMS export has, among others) says where they are, and other columns are ignored.
    """
    if link_out(path):  # a class.csv in someone's repository or zip that points at a file of this user's: its lines
        # became students, printed on the sheets (attack55 F4)
        raise InputError([(f"{printable(str(path))}: the roster is a link to a file outside its own folder; give the "
                          "file itself")])
    if hard_link(path):
        raise InputError([f"{printable(str(path))}: the roster is {HARD_LINK}"])
    text = read_text(path, "roster", limit=8 << 20, encoding="utf-8-sig")  # 10^5 students is about 3 MB
    if "\r" in text:  # lines ended by CR alone (classic Mac OS, some exports), or some by CR and some by LF (a file
        # put together from two: Python's csv module called it "new-line character seen in unquoted field - do you
        # need to open the file in universal-newline mode?", attack53 F2)
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    students, problems, seen, where = [], [], {}, printable(str(path))
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(text))
    rows, lines, ended = [], [], 0  # each row, and the line of the file it starts on (a quoted name may hold a line
    try:  # break: "line 3" was the fourth line after one, attack32)
        for row in itertools.islice(reader, MAX_ROWS + 2):
            lines.append(ended + 1)
            ended = reader.line_num
            rows.append(row)
    except csv.Error as exc:  # a field over the csv module's limit, a NUL byte
        what = (f"a field is over {csv.field_size_limit()} characters (a quote left open, or not a roster?)"
                if "field larger" in str(exc) else str(exc))  # (said in our words, with its line: attack35a C14)
        raise InputError([f"{where}: line {ended + 1}: not a CSV roster the tool can read: {what}"]) from None
    if len(rows) > MAX_ROWS + 1:
        raise InputError([f"{where}: more than {MAX_ROWS} students; build the roster in parts"])
    columns, width, first = (0, 1), 2, 1
    if rows and {"name", "id"} <= set(header := [c.strip().lower() for c in rows[0]]):
        twice = [c for c in ("name", "id") if header.count(c) > 1]
        if twice:  # name,id,id took the first silently (attack31): which one is meant cannot be told
            said = f"{where}: line 1: the header names the column {twice[0]!r} {header.count(twice[0])} times; keep one"
            raise InputError([said])
        columns, width, first = (header.index("name"), header.index("id")), None, 2
    elif rows and (any(cell.strip().lower() in ("name", "id") or "name" in cell.strip().lower().split() for cell in rows[0])
                   or all(_heading(cell) for cell in rows[0] if cell.strip())):
        # a header naming one of them, or one like it (name,student_number; Full Name;ID;Email): no student of its
        # own (it was built a sheet, for "name", and put in the key: user47 F5), and one line for it, not one a row
        shown = ", ".join(excerpt(cell.strip(), 20) for cell in rows[0][:6])
        raise InputError([(f"{where}: line 1 looks like a header ({shown}) but does not name both a name and an id "
                           "column: call those two columns name and id (others are ignored), or remove the line")])
    for line, row in zip(lines[first - 1:], rows[first - 1:], strict=True):
        if len(problems) > LINES_SAID:  # more than the terminal shows: the last line it shows says where the reading
            # stopped (attack62 F1: it was the 51st, cut for "... and 1 more like these" with 19 950 more rows wrong),
            # and only where more rows are wrong (attack64 F13: 49 bad rows and good ones after were "and more")
            problems[LINES_SAID - 1:] = [f"{where}: ... and more rows like these; stopped at line {line}"]
            break
        if not row or all(not cell.strip() for cell in row):
            continue
        opened = "; a quote opened on it is never closed, and takes in the rest of the file" if \
            any(cell.count("\n") for cell in row) and line == lines[-1] and text.rstrip().count('"') % 2 else ""
        if width is None and len(row) <= max(columns):  # the header says where: "expected 2, found 2" (attack33 F2)
            problems.append(f"{where}: line {line}: the header puts name in column {columns[0] + 1} and id in column "
                            f"{columns[1] + 1}; this row has {len(row)}{opened}")
            continue
        if width is not None and len(row) != width:
            found = f"found {len(row)}" + ("; with other columns, give a header row naming name and id"
                                           if len(row) > 2 else "") + opened
            problems.append(f"{where}: line {line}: expected 2 columns (name, id), {found}")
            continue
        # one spelling of a name, as most tools save it (a roster re-saved on a Mac spells Zoë as e and a mark, which
        # read as another student, renamed: attack31)
        name, sid = unicodedata.normalize("NFC", row[columns[0]].strip()), row[columns[1]].strip()
        if not name or len(name) > MAX_NAME:
            problems.append(f"{where}: line {line}: the name must be 1 to {MAX_NAME} characters")
        elif not shows_something(name):  # a zero-width space, a soft hyphen, a Hangul filler (attack53 F3)
            problems.append(f"{where}: line {line}: the name shows nothing (only invisible characters); give the "
                            "student's name")
        elif (stacked := _most_marks(name)) > MOST_MARKS:  # a letter under 79 accents drew a column up the page
            # over its head and title (attack55 F2); a real name puts two or three on a letter (Vietnamese: ệ)
            problems.append(f"{where}: line {line}: the name stacks {stacked} marks on one letter (at most "
                            f"{MOST_MARKS}); give the student's name as it is written")
        elif any(unicodedata.category(c) == "Cn" for c in name):
            problems.append(f"{where}: line {line}: the name holds {next(c for c in name if unicodedata.category(c) == 'Cn')!a},"
                            " which is no character")
        elif "\n" in name:  # (a CR in the file too: read as a line's end, attack54 F9 was told '\n')
            problems.append(f"{where}: line {line}: the name holds a line break, inside its quotes; put the name "
                            "on one line")
        elif unsafe_char(name, newlines=False):
            problems.append(f"{where}: line {line}: the name holds the control character "
                            f"{unsafe_char(name, newlines=False)!a}")
        elif not ID.fullmatch(sid):
            problems.append(f"{where}: line {line}: the id {excerpt(sid)} must be 1 to 32 letters, digits, - or _, starting with a letter or a digit")
        elif sid.casefold() in seen:  # S01 and s01 are one folder on Windows and macOS
            problems.append(f"{where}: line {line}: the id {sid!r} is already used on line {seen[sid.casefold()]}"
                            " (ids that differ only in case name one folder on Windows and macOS)")
        elif windows_device(sid):
            problems.append(f"{where}: line {line}: the id {sid!r} is a device name on Windows, where no folder can "
                            "have it; give that student another id")
        else:
            seen[sid.casefold()] = line
            students.append(Student(name, sid))
    if not students and not problems:
        problems.append(f"{where}: the roster has no students (one row each: name, id)")
    if problems:
        raise InputError(problems)
    return students


def _delimiter(text: str) -> str:
    """The first line's separator: a tab or a semicolon if it has one outside quotes, else a comma."""
    line = re.sub(r'"[^"]*"', "", text.split("\n", 1)[0])
    for candidate in ("\t", ";"):
        if candidate in line and "," not in line:
            return candidate
    return ","


# the words of a column's heading in the class lists of schools and LMSs (Student, StudentID, SIS User ID, Email,
# Login ID, Student Number; Nom, Identifiant; Apellido, Correo): a first line of them is a header, never a student
# (user53 F2: "Student,StudentID" built a sheet for a student called Student; attack56 F2: SID, Matric, Code)
HEADING_WORDS = {
    "name", "names", "id", "ids", "sid", "uid", "no", "nr", "num", "number", "code", "student", "students", "pupil",
    "learner", "email", "e", "mail", "login", "username", "user", "sis", "surname", "first", "last", "given", "family",
    "full", "section", "grade", "class", "group", "year", "team", "role", "sortable", "integration", "display",
    "matric", "matriculation", "registration", "roll", "candidate", "index",
    "nom", "prénom", "prenom", "identifiant", "courriel", "élève", "eleve", "numéro", "numero", "matricule",
    "nombre", "apellido", "apellidos", "correo", "alumno", "alumna", "código", "codigo",
    "vorname", "nachname", "kennung", "schüler", "schueler", "nummer", "nome", "cognome", "matricola",
}


MOST_MARKS = 3  # combining marks on one letter


def _most_marks(name: str) -> int:
    """The most combining marks in a row in the name."""
    most = run = 0
    for c in name:
        run = run + 1 if unicodedata.combining(c) else 0
        most = max(most, run)
    return most


def _heading(cell: str) -> bool:
    """Whether a first line's cell reads as a column's heading: one to four words, each a heading's word, alone or
    run together with capitals (StudentID, FullName, student_id). "Grace Family" is a name: grace is no heading's
    word (attack56 F2 found it refused)."""
    words = [w.lower() for run in re.findall(r"[^\W\d_]+", cell)
             for w in re.findall(r"[A-Z]{2,}(?![a-z])|[A-Z]?[^\W\dA-Z_]+|[A-Z]", run)]
    return 0 < len(words) <= 4 and all(w in HEADING_WORDS for w in words) and not re.search(r"\d", cell)


MOST_LETTERS = 200  # letters of a class's names looked up in the installed fonts


def letters_without_a_font(students: list[Student]) -> dict[str, list[str]]:
    """The letters of the students' names that no installed font has (fontconfig asked, where it is there), each
    with the ids of the students whose names hold it: in the PDF they print as empty boxes (user50 F3: Chinese,
    Korean and Hindi names, with no word). Latin letters are not asked: the page's own font has them."""
    import shutil
    import subprocess

    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return {}
    holders: dict[str, list[str]] = {}
    for student in students:
        for c in dict.fromkeys(student.name):
            if ord(c) > 0x24F and unicodedata.category(c)[0] in "LNS":
                holders.setdefault(c, []).append(student.id)
    missing = {}
    for c in list(holders)[:MOST_LETTERS]:
        try:
            found = subprocess.run([fc_list, f":charset={ord(c):x}", "family"], capture_output=True, timeout=10,
                                   check=False).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return {}
        if not found:
            missing[c] = holders[c]
    return missing
