"""Grades out of nbgrader, into an LMS gradebook: a CSV in each LMS's documented import format.

``coursekit report <assignment> --lms canvas|moodle|blackboard --roster roster.csv``

nbgrader knows students by its own ids (the folder names under submitted/); the LMS knows them by
its ids. The roster maps one to the other: one row per student, column ``student_id`` (nbgrader's
id) plus the columns the LMS needs (:data:`ROSTER_COLUMNS`). Every student on the roster gets a row;
a student with no submission gets an **empty** cell (not a zero: the LMS then shows "not
submitted", and a zero stays the instructor's decision).

Formats (docs/lms_export.md cites the documentation each one follows):

- canvas: ``Student, ID, SIS User ID, SIS Login ID, Section, <assignment>``; the second row is
  ``Points Possible`` with the assignment's maximum, as in Canvas's own gradebook export.
- moodle: ``Email address, <assignment>`` (map "Email address" to the user's email in Moodle's
  CSV import; an ``ID number`` column is added when the roster has ``id_number``).
- blackboard: ``Last Name, First Name, Username, Student ID, <assignment> [Total Pts: N Score]``
  (with ``|<column id>`` appended when the Grade Center column already exists).

Bad input never writes a file: a missing roster column, a duplicate id, or a graded student who
is not on the roster raises :class:`RosterError` naming the file and the row.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError

LMS_NAMES = ("canvas", "moodle", "blackboard")
ROSTER_COLUMNS = {
    "canvas": ("student_id", "name", "canvas_id", "sis_user_id", "sis_login_id", "section"),
    "moodle": ("student_id", "email"),
    "blackboard": ("student_id", "last_name", "first_name", "username", "student_number"),
}
# The column whose values the LMS matches users on: it must be unique too.
LMS_KEY = {"canvas": "canvas_id", "moodle": "email", "blackboard": "username"}


class RosterError(UsageError):
    """The roster (or the gradebook against it) is wrong; the message names file and row."""


@dataclass
class Score:
    score: float
    max_score: float


def read_roster(path: Path, lms: str) -> list[dict[str, str]]:
    """The roster's rows (stripped strings); raises RosterError naming the file and row."""
    if lms not in ROSTER_COLUMNS:
        raise RosterError(f"unknown LMS '{lms}': choose one of {', '.join(LMS_NAMES)}")
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise RosterError(f"{path}: cannot read the roster ({exc})") from None
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in ROSTER_COLUMNS[lms] if c not in header]
    if missing:
        raise RosterError(f"{path}, row 1 (header): missing column{'s' * (len(missing) > 1)} "
                          f"{', '.join(missing)} (needed for {lms}; the header has: "
                          f"{', '.join(header) or 'nothing'})")
    rows, seen = [], {}
    unique = ("student_id", LMS_KEY[lms])
    for number, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()
               if isinstance(v, str) or v is None}
        if not any(row.values()):
            continue  # a blank line
        for column in unique:
            value = row.get(column, "")
            if not value:
                raise RosterError(f"{path}, row {number}: field '{column}' is empty")
            if (column, value) in seen:
                raise RosterError(f"{path}, row {number}: duplicate {column} '{value}' "
                                  f"(also in row {seen[(column, value)]})")
            seen[(column, value)] = number
        rows.append(row)
    if not rows:
        raise RosterError(f"{path}: the roster has a header but no students")
    return rows


def _cell(score: Score | None) -> str:
    return "" if score is None else f"{round(score.score, 2):g}"


def render(lms: str, assignment: str, roster: list[dict[str, str]], scores: dict[str, Score],
           max_score: float, *, column_id: str | None = None) -> str:
    """The CSV text for one assignment (pure: no files)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    points = f"{round(max_score, 2):g}"
    if lms == "canvas":
        column = f"{assignment} ({column_id})" if column_id else assignment
        writer.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", column])
        writer.writerow(["Points Possible", "", "", "", "", points])
        for r in roster:
            writer.writerow([r["name"], r["canvas_id"], r["sis_user_id"], r["sis_login_id"],
                             r["section"], _cell(scores.get(r["student_id"]))])
    elif lms == "moodle":
        with_number = any(r.get("id_number") for r in roster)
        writer.writerow(["Email address", *(["ID number"] if with_number else []), assignment])
        for r in roster:
            writer.writerow([r["email"], *([r.get("id_number", "")] if with_number else []),
                             _cell(scores.get(r["student_id"]))])
    elif lms == "blackboard":
        column = f"{assignment} [Total Pts: {points} Score]"
        if column_id:
            column += f" |{column_id}"
        writer.writerow(["Last Name", "First Name", "Username", "Student ID", column])
        for r in roster:
            writer.writerow([r["last_name"], r["first_name"], r["username"],
                             r["student_number"], _cell(scores.get(r["student_id"]))])
    else:
        raise RosterError(f"unknown LMS '{lms}': choose one of {', '.join(LMS_NAMES)}")
    return out.getvalue()


def gradebook_scores(db: Path, assignment: str) -> tuple[dict[str, Score], float]:
    """``{nbgrader student id: Score}`` for every submission, and the assignment's maximum."""
    from nbgrader.api import Gradebook, MissingEntry

    from .nbgrader_env import quiet_nbgrader

    with quiet_nbgrader(), Gradebook(f"sqlite:///{db}") as gb:
        try:
            found = gb.find_assignment(assignment)
        except MissingEntry:
            raise RosterError(f"assignment '{assignment}' is not in the gradebook {db}") from None
        maximum = float(found.max_score)
        scores = {s.student.id: Score(float(s.score), float(s.max_score))
                  for s in found.submissions}
    return scores, maximum


def export(course_dir: Path, assignment: str, lms: str, roster_path: Path,
           out: Path | None = None, *, column_id: str | None = None) -> Path:
    """Write the LMS import file; nothing is written if the roster or the mapping is wrong."""
    from .nbgrader_env import gradebook_path

    roster = read_roster(roster_path, lms)
    db = gradebook_path(Path(course_dir))
    if not db.exists():
        raise RosterError(f"no gradebook at {db}: run `coursekit grade {assignment}` first")
    scores, maximum = gradebook_scores(db, assignment)
    on_roster = {r["student_id"] for r in roster}
    strangers = sorted(set(scores) - on_roster)
    if strangers:
        raise RosterError(f"{roster_path}: no row for student{'s' * (len(strangers) > 1)} "
                          f"{', '.join(strangers)}, who {'have' if len(strangers) > 1 else 'has'}"
                          f" a submission of {assignment} in the gradebook — add a row per "
                          "student (nothing was written)")
    text = render(lms, assignment, roster, scores, maximum, column_id=column_id)
    target = Path(out) if out else Path(course_dir) / "reports" / assignment / f"{lms}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return target
