"""Adversarial suite: submissions that try to get marks without answering.

Each attack is the blank release plus a few lines in its first answer cell (see
grading_fixtures/attacks.py). The whole class — honest students and attackers — is graded in one
``coursekit grade`` run; then each attack must score no more than the blank submission, be
flagged where it can be detected, change no file outside its scratch folder, leave nothing
running, and leak no hidden check; honest students must score what serial
``nbgrader autograde`` gives them.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import time
import uuid
import warnings
from pathlib import Path

import nbformat
import pytest

from grading_fixtures.attacks import (ASSIGNMENT, ATTACKS, MARKER, honest, make_arena,
                                      submit_attacks)
from grading_fixtures.tiny_course import nbgrader

pytestmark = pytest.mark.slow

LIMITS = dict(timeout=10, memory_mb=1024, output_limit=100_000, wall_limit=25)
#: attacks the grader can recognise and must report in the student's status line
FLAGGED = {"helper_score", "helper_module", "display_formatter", "showtraceback", "custom_exc",
           "builtins_bool", "always_equal", "numpy_pandas_patch", "spy_thread", "double_fork",
           "os_exit", "forged_export"}


def autograded_scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            return {s.student.id: s.code_score for s in gb.find_assignment(ASSIGNMENT).submissions}


def tree_digest(*folders: Path) -> str:
    digest = hashlib.sha256()
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            digest.update(str(path).encode())
            if path.is_file():
                digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def arena(tmp_path_factory):
    from coursekit.grading.grade import Limits, grade

    # a course folder other users could read, as a course folder often is: the sandbox must
    # still keep the hidden tests, other students' folders and the gradebook out of reach
    root = Path(tempfile.mkdtemp(prefix="ck-arena-"))
    os.chmod(root, 0o755)
    course = make_arena(root / "course")
    expected = honest(course)
    serial = root / "serial"
    shutil.copytree(course, serial)
    token = uuid.uuid4().hex[:12]
    students = submit_attacks(course, token)
    protected = [course / "exercises", course / "release", course / "submitted"]
    before = tree_digest(*protected)
    lines: list[str] = []
    results = grade(course, ASSIGNMENT, workers=2, limits=Limits(**LIMITS), progress=False,
                    echo=lines.append)
    after = tree_digest(*protected)
    nbgrader(serial, "autograde", ASSIGNMENT, check=False)
    late = Path(f"/tmp/LATE-{token}.txt")
    first = late.stat().st_mtime if late.exists() else None
    time.sleep(1.0)
    second = late.stat().st_mtime if late.exists() else None
    yield {"course": course, "serial": serial, "expected": expected, "students": students,
           "results": {r.student: r for r in results}, "lines": lines, "token": token,
           "digests": (before, after), "late": (first, second)}
    late.unlink(missing_ok=True)
    shutil.rmtree(root, ignore_errors=True)


def test_print_scores(arena):
    """Not a check: the table the report quotes (visible with pytest -s)."""
    got = autograded_scores(arena["course"])
    for student in sorted(arena["results"]):
        result = arena["results"][student]
        print(f"{student:<26} {got.get(student)!s:>6}  {result.status:<22} {result.reason[:150]}")
    assert got


def test_honest_students_score_as_serial_nbgrader(arena):
    got, serial = autograded_scores(arena["course"]), autograded_scores(arena["serial"])
    for student, points in arena["expected"].items():
        assert serial[student] == points, student
        assert got[student] == serial[student], student
        assert arena["results"][student].status == "graded", student


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_scores_no_more_than_blank(arena, attack):
    got = autograded_scores(arena["course"])
    assert got[f"atk_{attack}"] <= got["blank"], (attack, ATTACKS[attack][0])


@pytest.mark.parametrize("attack", sorted(FLAGGED))
def test_attack_is_flagged(arena, attack):
    result = arena["results"][f"atk_{attack}"]
    assert result.status != "graded" or result.reason, result


def test_no_file_outside_the_scratch_folder_changes(arena):
    course, token = arena["course"], arena["token"]
    before, after = arena["digests"]
    assert before == after  # exercises/, release/, submitted/ (other students' folders)
    assert not list(course.glob(f"*{token}*"))


def test_nothing_left_running(arena):
    first, second = arena["late"]
    assert first == second, "a process the student started still runs after grading"
    import psutil

    for process in psutil.process_iter(["cmdline"]):
        assert arena["token"] not in " ".join(process.info["cmdline"] or [])


def test_gradebook_survives_and_the_class_is_graded(arena):
    course = arena["course"]
    got = autograded_scores(course)
    assert set(arena["students"]) | set(arena["expected"]) <= set(got)
    import sqlite3

    with sqlite3.connect(course / "gradebook.db") as con:
        sources = [s for (s,) in con.execute("SELECT source FROM source_cell")]
    assert "pwned" not in sources
    assert any(MARKER in (s or "") for s in sources)


def test_no_hidden_check_in_outputs_or_feedback(arena):
    from coursekit.grading.report import report

    course = arena["course"]
    for path in sorted((course / "autograded").glob(f"*/{ASSIGNMENT}/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                assert MARKER not in str(output), (path.parts[-3], output)
    report(course, ASSIGNMENT)
    for path in sorted((course / "feedback").glob(f"*/{ASSIGNMENT}/*.html")):
        assert MARKER not in path.read_text(encoding="utf-8"), path.parts[-3]


def test_network_is_cut_in_the_sandbox(arena):
    from coursekit.grading.sandbox import sandbox_status

    if not sandbox_status().enabled:
        pytest.skip(sandbox_status().why)
    nb = nbformat.read(arena["course"] / "autograded" / "atk_network" / ASSIGNMENT
                       / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "".join(str(o) for c in nb.cells for o in c.get("outputs", []))
    assert "NETWORK:" in text and "NETWORK: connected" not in text
    assert os.geteuid() == 0
