"""Gradebook plumbing for parallel grading: merge worker copies, record zero scores.

Worker gradebooks start as byte copies of the course gradebook, so assignment, notebook, cell
and student rows share their ids; only the submission rows of the students a worker graded are
copied back (``INSERT OR REPLACE``: a re-grade keeps the ids, and so any manual grades).
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

SUBMISSION_TABLES = ("submitted_assignment", "submitted_notebook", "grade", "comment")


def _submission_filters(assignment: str) -> dict[str, str]:
    sub = ("SELECT sa.id FROM {db}.submitted_assignment sa JOIN {db}.assignment a "
           "ON a.id = sa.assignment_id WHERE a.name = :assignment AND sa.student_id = :student")
    nb = f"SELECT id FROM {{db}}.submitted_notebook WHERE assignment_id IN ({sub})"
    return {
        "submitted_assignment": f"id IN ({sub})",
        "submitted_notebook": f"assignment_id IN ({sub})",
        "grade": f"notebook_id IN ({nb})",
        "comment": f"notebook_id IN ({nb})",
    }


def merge_submissions(main_db: Path, worker_db: Path, assignment: str,
                      students: list[str]) -> None:
    """Copy these students' submission rows for ``assignment`` from worker_db into main_db."""
    if not students:
        return
    filters = _submission_filters(assignment)
    with sqlite3.connect(main_db) as con:
        con.execute("ATTACH DATABASE ? AS w", (str(worker_db),))
        for student in students:
            params = {"assignment": assignment, "student": student}
            # delete children first (main copy), then copy parents first (worker copy)
            for table in reversed(SUBMISSION_TABLES):
                con.execute(f"DELETE FROM main.{table} WHERE "
                            + filters[table].format(db="main"), params)
            for table in SUBMISSION_TABLES:
                con.execute(f"INSERT INTO main.{table} SELECT * FROM w.{table} WHERE "
                            + filters[table].format(db="w"), params)
        con.commit()
        con.execute("DETACH DATABASE w")


def zero_autograded(db: Path, assignment: str, student: str, comment: str) -> None:
    """Set every autograded (code) grade of this submission to 0 with an explanation.

    Used when a submission could not be run (corrupt, missing, killed at the wall-clock limit):
    as nbgrader itself does for a missing notebook. Manually graded cells keep needing a grade.
    """
    filters = _submission_filters(assignment)
    params = {"assignment": assignment, "student": student}
    with sqlite3.connect(db) as con:
        grade_ids = [row[0] for row in con.execute(
            "SELECT g.id FROM grade g JOIN base_cell c ON c.id = g.cell_id "
            "JOIN grade_cells gc ON gc.id = c.id WHERE gc.cell_type = 'code' "
            "AND c.name NOT IN (SELECT b.name FROM base_cell b JOIN solution_cells s "
            "ON s.id = b.id WHERE b.notebook_id = c.notebook_id) AND g."
            + filters["grade"].format(db="main"), params)]
        con.executemany("UPDATE grade SET auto_score = 0, needs_manual_grade = 0 WHERE id = ?",
                        [(g,) for g in grade_ids])
        con.execute("UPDATE comment SET auto_comment = :text WHERE "
                    + filters["comment"].format(db="main"), {**params, "text": comment})
        con.commit()


def submission_rows(db: Path, assignment: str, student: str) -> dict[str, list[tuple]]:
    """This student's submission rows for ``assignment`` (to send from a grading worker)."""
    filters = _submission_filters(assignment)
    params = {"assignment": assignment, "student": student}
    with sqlite3.connect(db) as con:
        return {table: [tuple(r) for r in con.execute(
            f"SELECT * FROM main.{table} WHERE " + filters[table].format(db="main"), params)]
            for table in SUBMISSION_TABLES}


def replace_submission_rows(db: Path, assignment: str, student: str,
                            rows: dict[str, list[tuple]]) -> None:
    """Put a worker's rows for this student in place of the course gradebook's."""
    filters = _submission_filters(assignment)
    params = {"assignment": assignment, "student": student}
    with sqlite3.connect(db) as con:
        for table in reversed(SUBMISSION_TABLES):
            con.execute(f"DELETE FROM main.{table} WHERE " + filters[table].format(db="main"),
                        params)
        for table in SUBMISSION_TABLES:
            for row in rows.get(table, []):
                marks = ", ".join("?" for _ in row)
                con.execute(f"INSERT INTO main.{table} VALUES ({marks})", row)
        con.commit()
