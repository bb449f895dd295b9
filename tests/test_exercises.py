"""The real exercises: nbgrader metadata, honest prompts, and grading round trips.

Each assignment is released with `nbgrader generate_assignment` in a temporary course folder;
the instructor's source notebook (solutions) and the blank release are submitted and graded with
`coursekit grade`. The solution must earn every autograded point, the blank release none.
"""
from __future__ import annotations

import re
import shutil
import warnings
from pathlib import Path

import nbformat
import pytest

from grading_fixtures.tiny_course import REPO, nbgrader

EXERCISES = REPO / "exercises"
ASSIGNMENTS = sorted(p.name for p in EXERCISES.iterdir()
                     if p.is_dir() and (p / f"{p.name}.ipynb").exists())


# Submissions made from the solution by one edit: student -> (text in a solution cell, its
# replacement).
VARIANTS = {
    "ex1_pandas": {
        "wrong": ('pips["year"] >= 2022', 'pips["year"] >= 2021'),   # 2021 counted as "after"
        "q1wrong": ('        & (attacks["region"] == "Pakistan")\n', ''),  # provinces kept
    },
    "ex2_chart": {  # the dishonest chart: one line straight across the missing years
        "bridged": ('ax.plot(full.index, full["attacks"]', 'ax.plot(pips["year"], pips["attacks"]'),
    },
}


def nbg(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def source(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(EXERCISES / assignment / f"{assignment}.ipynb", as_version=4)


def quiz_key(nb) -> dict:
    """The answer key held in the hidden cell of a quiz exercise (read, not hard-coded here)."""
    for cell in nb.cells:
        match = re.search(r"^KEY = .*?(?=^# end of key)", cell.source, re.DOTALL | re.MULTILINE)
        if match:
            namespace: dict = {}
            exec(match.group(0), namespace)  # noqa: S102 — our own exercise file
            return namespace["KEY"]
    return {}


def test_there_are_at_least_three_assignments():
    assert {"ex1_pandas", "ex2_chart", "ex3_arguments"} <= set(ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_metadata_points_and_hidden_tests(assignment):
    nb = source(assignment)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    ids = [nbg(c).get("grade_id") for c in nb.cells if nbg(c)]
    assert len(ids) == len(set(ids)), "duplicate grade_id"
    prompts = {nbg(c)["grade_id"]: c.source for c in nb.cells
               if nbg(c).get("grade_id", "").endswith("_prompt")}
    for cell in nb.cells:
        meta = nbg(cell)
        assert meta and meta["schema_version"] == 3, cell.source[:60]
        if not meta.get("grade"):
            continue
        question = meta["grade_id"].split("_")[0]
        points = meta["points"]
        shown = f"({points:g} point"
        assert shown in prompts.get(f"{question}_prompt", ""), (meta["grade_id"], shown)
        if cell.cell_type == "code" and not meta.get("solution"):
            assert "### BEGIN HIDDEN TESTS" in cell.source, meta["grade_id"]
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1]
            assert "Hidden(" in hidden or "score_answers" in hidden
            assert "assert " not in hidden  # failures print what is wrong, never a traceback


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    from coursekit.grading.grade import Limits, grade

    course = tmp_path_factory.mktemp("exercises") / "course"
    shutil.copytree(EXERCISES, course / "exercises")
    shutil.copy(REPO / "nbgrader_config.py", course)
    results = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COURSEKIT_ROOT", str(REPO))
        mp.delenv("MPLBACKEND", raising=False)
        for assignment in ASSIGNMENTS:
            nbgrader(course, "generate_assignment", assignment, "--force")
            release = course / "release" / assignment
            solution = course / "submitted" / "solution" / assignment
            shutil.copytree(release, solution)
            shutil.copy(EXERCISES / assignment / f"{assignment}.ipynb", solution)
            key = quiz_key(source(assignment))
            if key:  # answer the quiz through the real widgets, as a student would
                from coursekit.quiz import quiz

                q = quiz(solution / f"{assignment}.yaml", answers_dir=solution, show=False)
                for qid, spec in key.items():
                    q.questions[qid].set_answer(spec["answer"])
                    q.questions[qid].check()
                assert (solution / f"{assignment}.answers.json").exists()
                # the same answers inside the notebook only (uploaded to an LMS without the file)
                from coursekit.quiz.bank import load_bank
                from coursekit.quiz.record import MIME, payload

                nbonly = course / "submitted" / "nbonly" / assignment
                shutil.copytree(release, nbonly)
                record = payload(assignment, load_bank(nbonly / f"{assignment}.yaml").hash,
                                 q.store.answers)
                graded_nb = nbformat.read(EXERCISES / assignment / f"{assignment}.ipynb", 4)
                quiz_cell = next(c for c in graded_nb.cells if nbg(c).get("grade_id") == "quiz")
                quiz_cell.outputs = [nbformat.v4.new_output(
                    "display_data", data={MIME: record, "text/plain": "answers"})]
                nbformat.write(graded_nb, nbonly / f"{assignment}.ipynb")
            shutil.copytree(release, course / "submitted" / "blank" / assignment)
            for student, (old, new) in VARIANTS.get(assignment, {}).items():
                variant = nbformat.read(EXERCISES / assignment / f"{assignment}.ipynb", 4)
                edited = [c for c in variant.cells if nbg(c).get("solution") and old in c.source]
                assert edited, (student, old)
                for cell in edited:
                    cell.source = cell.source.replace(old, new)
                shutil.copytree(release, course / "submitted" / student / assignment)
                nbformat.write(variant, course / "submitted" / student / assignment
                               / f"{assignment}.ipynb")
            results[assignment] = {r.student: r for r in grade(
                course, assignment, workers=2, limits=Limits(timeout=60), progress=False,
                echo=lambda line: None)}
    return course, results


def code_scores(course: Path, assignment: str) -> dict[str, tuple[float, float]]:
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            return {s.student.id: (s.code_score, s.max_code_score)
                    for s in gb.find_assignment(assignment).submissions}


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_full_marks_blank_zero(graded, assignment):
    course, results = graded
    assert results[assignment]["solution"].status == "graded", results[assignment]["solution"]
    scores = code_scores(course, assignment)
    earned, possible = scores["solution"]
    assert possible > 0 and earned == possible, (assignment, scores["solution"])
    assert scores["blank"][0] == 0


@pytest.mark.slow
def test_quiz_answers_inside_the_notebook_alone_earn_full_marks(graded):
    course, results = graded
    for assignment in ASSIGNMENTS:
        if quiz_key(source(assignment)):
            earned, possible = code_scores(course, assignment)["nbonly"]
            assert earned == possible > 0, (assignment, earned, possible)
            assert "answers taken from the notebook" in results[assignment]["nbonly"].reason


@pytest.mark.slow
def test_a_wrong_period_loses_points(graded):
    course, _ = graded
    earned, possible = code_scores(course, "ex1_pandas")["wrong"]
    assert 0 < earned < possible


def cell_scores(course: Path, assignment: str, student: str) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            nb = gb.find_submission_notebook(assignment, assignment, student)
            return {g.name: g.score for g in nb.grades}


@pytest.mark.slow
def test_no_cascade_in_ex1(graded):
    """A wrong Q2 costs Q2's points only; a wrong Q1 costs Q1's points only."""
    course, _ = graded
    wrong = cell_scores(course, "ex1_pandas", "wrong")
    assert 0 < wrong["q2_hidden"] < 3
    assert wrong["q3_hidden"] == 1 and wrong["q5_hidden"] == 2
    q1 = cell_scores(course, "ex1_pandas", "q1wrong")
    assert q1["q1_hidden"] < 2
    assert (q1["q2_hidden"], q1["q3_hidden"], q1["q5_hidden"]) == (3, 1, 2), q1


@pytest.mark.slow
def test_ex2_gaps_kept_full_marks_bridged_loses_the_gap_point(graded, capsys):
    course, _ = graded
    earned, possible = code_scores(course, "ex2_chart")["solution"]
    assert earned == possible == 6
    earned, possible = code_scores(course, "ex2_chart")["bridged"]
    assert earned == pytest.approx(possible - 1)
    autograded = course / "autograded" / "bridged" / "ex2_chart" / "ex2_chart.ipynb"
    assert "a missing year must stay a gap" in autograded.read_text()


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solutions_or_hidden_tests(graded, assignment):
    course, _ = graded
    release = course / "release" / assignment
    text = "\n".join(p.read_text(encoding="utf-8") for p in release.rglob("*") if p.is_file())
    assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN TESTS" not in text
    assert "KEY = " not in text and "Model answer" not in text and "Model memo" not in text
    nb = source(assignment)
    for cell in nb.cells:
        if "### BEGIN HIDDEN TESTS" in cell.source:
            hidden = cell.source.split("### BEGIN HIDDEN TESTS")[1].split("### END")[0]
            for line in hidden.splitlines():
                if len(line.strip()) > 25:
                    assert line.strip() not in text, line


@pytest.mark.slow
def test_feedback_hides_hidden_tests(graded):
    from coursekit.grading.report import report

    course, _ = graded
    for assignment in ASSIGNMENTS:
        out = report(course, assignment)  # raises if a hidden line reaches any feedback page
        assert (out / "grades.csv").exists()
    blank = (course / "feedback" / "blank" / "ex1_pandas" / "ex1_pandas.html").read_text()
    assert "hidden check" in blank and "_ref = " not in blank and "_load(" not in blank
