"""coursekit grade / report on a tiny assignment in a temporary course folder.

One batch (good, blank, cheating, broken, looping, crashing, tampering submissions) is graded
once per module and checked from many sides; the same good submissions are graded by serial
`nbgrader autograde` for comparison.
"""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import nbformat
import pytest

from grading_fixtures.tiny_course import (ASSIGNMENT, make_course, make_submissions, nbgrader,
                                          tree_hash)

pytestmark = pytest.mark.slow

LIMITS = dict(timeout=5, memory_mb=1024, output_limit=100_000, wall_limit=12)
SERIAL = ["good1", "good2", "good3", "blank", "cheater", "deleted", "tampered"]


def scores(course: Path) -> dict[str, tuple[float, float, float, float]]:
    """student → (score, max, autograded score, autograded max) from the course gradebook."""
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            return {s.student.id: (s.score, s.max_score, s.code_score, s.max_code_score)
                    for s in gb.find_assignment(ASSIGNMENT).submissions}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    from coursekit.grading.grade import Limits, grade

    root = tmp_path_factory.mktemp("grading")
    course = make_course(root / "course")
    expected = make_submissions(course)
    serial = root / "serial"
    shutil.copytree(course, serial)
    for student in (serial / "submitted").iterdir():
        if student.name not in SERIAL:
            shutil.rmtree(student)
    before = tree_hash(course / "submitted")
    lines: list[str] = []
    results = grade(course, ASSIGNMENT, workers=2, limits=Limits(**LIMITS), progress=False,
                    echo=lines.append)
    after = tree_hash(course / "submitted")
    nbgrader(serial, "autograde", ASSIGNMENT, check=False)
    return {"course": course, "serial": serial, "expected": expected, "lines": lines,
            "results": {r.student: r for r in results}, "hashes": (before, after)}


def test_every_student_gets_the_expected_status(batch):
    got = {s: r.status for s, r in batch["results"].items()}
    assert got == batch["expected"]


def test_one_line_per_student_with_status_and_reason(batch):
    assert len(batch["lines"]) == len(batch["expected"])
    for line in batch["lines"]:
        student = line.split()[0]
        assert batch["results"][student].status in line
    for student in ("missing", "renamed", "corrupt", "deleted", "tampered", "looper", "crasher"):
        assert batch["results"][student].reason, student


def test_solution_full_blank_zero_and_partial_credit(batch):
    got = scores(batch["course"])
    full = got["good1"][3]
    assert full > 0
    assert got["good1"][2] == full
    assert got["good3"][2] == full            # another correct solution
    assert got["blank"][2] == 0
    assert got["good2"][2] == 2               # q1 right (2), q2 wrong (3)
    assert got["cheater"][2] == 3             # public check passes, hidden check does not


def test_bad_submissions_get_a_score_and_the_batch_goes_on(batch):
    got = scores(batch["course"])
    assert set(got) == set(batch["expected"])  # every student is in the gradebook
    for student in ("missing", "renamed", "corrupt", "looper", "crasher", "killer"):
        assert got[student][2] == 0, student
    for student in ("deleted", "tampered", "chatty"):   # restored / limited, then graded
        assert got[student][2] == got["good1"][2], student
    assert got["hog"][2] == 2                 # MemoryError in q2 only


def test_limits_are_reported(batch):
    res = batch["results"]
    assert "memory limit" in res["hog"].reason
    assert "output" in res["chatty"].reason
    chatty = batch["course"] / "autograded" / "chatty" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
    assert chatty.stat().st_size < 1_000_000  # 5 MB printed, 100 kB kept
    assert "wall-clock" in res["looper"].reason


def test_no_kernel_is_left_running(batch):
    import psutil

    leftovers = []
    for process in psutil.Process().children(recursive=True):  # ours only (xdist-safe)
        try:
            cmdline = " ".join(process.cmdline())  # forked kernels carry the zygote's
            if any(f"coursekit.grading.{name}" in cmdline
                   for name in ("kernel", "launcher", "zygote", "judge")):
                leftovers.append(process)
        except psutil.NoSuchProcess:
            pass
    assert leftovers == []


def test_submitted_folder_is_never_modified(batch):
    before, after = batch["hashes"]
    assert before == after


def test_parallel_scores_equal_serial_nbgrader_autograde(batch):
    parallel, serial = scores(batch["course"]), scores(batch["serial"])
    assert set(serial) == set(SERIAL)
    for student in SERIAL:
        assert parallel[student] == serial[student], student


def test_gradebook_works_with_nbgrader_export(batch, tmp_path):
    out = tmp_path / "export.csv"
    nbgrader(batch["course"], "export", "--to", str(out))
    with open(out, newline="") as handle:
        rows = {r["student_id"]: r for r in csv.DictReader(handle)}
    got = scores(batch["course"])
    assert float(rows["good1"]["score"]) == got["good1"][0]
    assert float(rows["blank"]["score"]) == 0


def test_report_csv_feedback_without_hidden_tests_and_histogram(batch):
    from coursekit.grading.report import report

    course = batch["course"]
    out = report(course, ASSIGNMENT)
    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = {r["student"]: r for r in csv.DictReader(handle)}
    assert set(rows) == set(batch["expected"])
    assert rows["crasher"]["status"] == "kernel died"
    assert float(rows["good1"]["score"]) == scores(course)["good1"][0]
    feedback = sorted((course / "feedback").glob(f"*/{ASSIGNMENT}/*.html"))
    assert {p.parts[-3] for p in feedback} >= {"good1", "cheater", "blank"}
    for path in feedback:
        text = path.read_text(encoding="utf-8")
        assert "SECRET_HIDDEN_MARKER" not in text
        assert "BEGIN HIDDEN TESTS" not in text
    cheater = (course / "feedback" / "cheater" / ASSIGNMENT / f"{ASSIGNMENT}.html").read_text()
    assert "double() is wrong for other numbers" in cheater  # says what, not how
    png = out / "histogram.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Histogram of tiny total scores" in (out / "index.html").read_text()


def test_leak_detector_catches_hidden_source(tmp_path):
    from coursekit.grading.report import ReportError, check_no_hidden_tests

    page = tmp_path / "f.html"
    page.write_text("<pre>assert answer == 42, &#x27;x&#x27;</pre>")
    with pytest.raises(ReportError, match="leaked"):
        check_no_hidden_tests([page], {"assert answer == 42, 'x'"})
    check_no_hidden_tests([page], {"something else"})


def test_tamper_check_ignores_hidden_tests_and_whitespace():
    from coursekit.grading.checks import normalise

    source = "x = 1\n### BEGIN HIDDEN TESTS\nassert x\n### END HIDDEN TESTS\n"
    assert normalise(source) == normalise("x = 1   \n\n")
    assert normalise(source) != normalise("x = 2")


def test_cli_usage_errors_exit_2(tmp_path):
    from coursekit.cli import main

    assert main(["grade", "nosuch", "--course-dir", str(tmp_path)]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["grade", "x", "--workers", "0"])
    assert exc.value.code == 2


def test_cli_grades_one_student(batch):
    result = subprocess.run(
        [sys.executable, "-m", "coursekit.cli", "grade", ASSIGNMENT, "--course-dir",
         str(batch["course"]), "--student", "good1", "--workers", "1", "--no-progress"],
        capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "good1" in result.stdout and "graded" in result.stdout
    assert scores(batch["course"])["good1"][2] == scores(batch["course"])["good1"][3]
    nb = nbformat.read(batch["course"] / "autograded" / "good1" / ASSIGNMENT
                       / f"{ASSIGNMENT}.ipynb", as_version=4)
    assert nb.cells
