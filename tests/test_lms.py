"""`coursekit report --lms`: gradebook CSVs for Canvas, Moodle and Blackboard from a real
nbgrader gradebook, mapped through a roster; bad rosters name file and row and write nothing."""
from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grading_fixtures.tiny_course import ASSIGNMENT, answered, make_course, submit

ROSTER = {
    "canvas": "student_id,name,canvas_id,sis_user_id,sis_login_id,section\n"
              "good1,\"Khan, Amina\",101,S001,akhan,Sec 1\n"
              "good2,\"Lee, Bo\",102,S002,blee,Sec 1\n"
              "absent,\"Ortiz, Carla\",103,S003,cortiz,Sec 2\n",
    "moodle": "student_id,email\ngood1,amina@uni.example\ngood2,bo@uni.example\n"
              "absent,carla@uni.example\n",
    "blackboard": "student_id,last_name,first_name,username,student_number\n"
                  "good1,Khan,Amina,akhan,S001\ngood2,Lee,Bo,blee,S002\n"
                  "absent,Ortiz,Carla,cortiz,S003\n",
}


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from coursekit.grading.grade import Limits, grade

    course = make_course(tmp_path_factory.mktemp("lms") / "course")
    submit(course, "good1", answered(course))                       # 5 autograded points
    submit(course, "good2", answered(course, q2="total = 11"))      # q2 wrong
    results = grade(course, ASSIGNMENT, workers=1, limits=Limits(timeout=30), progress=False,
                    echo=lambda line: None)
    assert {r.student: r.status for r in results} == {"good1": "graded", "good2": "graded"}
    return course


def recorded(course: Path, student: str) -> str:
    """The student's total as nbgrader's gradebook holds it, written as the export writes it."""
    import warnings

    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            return f"{round(gb.find_submission(ASSIGNMENT, student).score, 2):g}"


def rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


@pytest.mark.slow
@pytest.mark.parametrize("lms", ["canvas", "moodle", "blackboard"])
def test_lms_file(course, tmp_path, lms):
    from coursekit.cli import main

    roster = tmp_path / "roster.csv"
    roster.write_text(ROSTER[lms])
    out = tmp_path / f"{lms}.csv"
    assert main(["report", ASSIGNMENT, "--course-dir", str(course), "--lms", lms,
                 "--roster", str(roster), "--out", str(out)]) == 0
    table = rows(out)
    s1, s2 = recorded(course, "good1"), recorded(course, "good2")
    # max 7 = 2 + 3 autograded + 2 manual (the memo)
    if lms == "canvas":
        assert table[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", ASSIGNMENT]
        assert table[1] == ["Points Possible", "", "", "", "", "7"]
        assert table[2] == ["Khan, Amina", "101", "S001", "akhan", "Sec 1", s1]
        assert table[3][-1] == s2 and table[4][:2] == ["Ortiz, Carla", "103"]
        assert table[4][-1] == ""   # on the roster, no submission: empty, not 0
    elif lms == "moodle":
        assert table == [["Email address", ASSIGNMENT], ["amina@uni.example", s1],
                         ["bo@uni.example", s2], ["carla@uni.example", ""]]
    else:
        assert table[0] == ["Last Name", "First Name", "Username", "Student ID",
                            f"{ASSIGNMENT} [Total Pts: 7 Score]"]
        assert table[1:] == [["Khan", "Amina", "akhan", "S001", s1],
                             ["Lee", "Bo", "blee", "S002", s2],
                             ["Ortiz", "Carla", "cortiz", "S003", ""]]


@pytest.mark.slow
@pytest.mark.parametrize("roster, message", [
    ("student_id,name,canvas_id,sis_user_id,section\ngood1,A,1,S1,x\n",
     "row 1 (header): missing column sis_login_id"),
    (ROSTER["canvas"] + "good1,\"Again, A\",104,S004,again,Sec 1\n",
     "row 5: duplicate student_id 'good1' (also in row 2)"),
    (ROSTER["canvas"].replace(",103,", ",101,"), "row 4: duplicate canvas_id '101'"),
    ("student_id,name,canvas_id,sis_user_id,sis_login_id,section\n"
     "good1,\"Khan, Amina\",101,S001,akhan,Sec 1\n", "no row for student good2"),
    ("student_id,name,canvas_id,sis_user_id,sis_login_id,section\n"
     ",\"Khan, Amina\",101,S001,akhan,Sec 1\n", "row 2: field 'student_id' is empty"),
])
def test_bad_roster_names_file_and_row_and_writes_nothing(course, tmp_path, capsys, roster,
                                                         message):
    from coursekit.cli import main

    path = tmp_path / "roster.csv"
    path.write_text(roster)
    out = tmp_path / "canvas.csv"
    assert main(["report", ASSIGNMENT, "--course-dir", str(course), "--lms", "canvas",
                 "--roster", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and message in err, err
    assert not out.exists()
