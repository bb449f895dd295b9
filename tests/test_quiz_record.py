"""Quiz answers inside the notebook: the record a Check writes, reading it back, and grading it.

Cases on a temporary nbgrader course (one graded quiz, 2 questions, 1 point each):
the .ipynb alone, the side file alone, both disagreeing (the newer answer wins and the status says
so), and tampered records (edited by hand, another bank version, malformed) — a status, no crash.
"""
from __future__ import annotations

import json
import shutil
import textwrap
import warnings
from pathlib import Path

import nbformat
import pytest
import yaml
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from grading_fixtures.tiny_course import REPO, nbgrader
from notebook_runner import execute_copy

from coursekit.quiz.record import (MIME, answers_from_notebook, check_payload, payload,
                                   resolve)

BANK = {
    "title": "Tiny graded quiz",
    "mode": "graded",
    "questions": [
        {"id": "year", "type": "single", "prompt": "When did Kabul fall?",
         "options": [{"id": "y21", "text": "2021"}, {"id": "y22", "text": "2022"}]},
        {"id": "border", "type": "truefalse", "prompt": "Afghanistan borders Pakistan."},
    ],
}
KEY = {"year": {"type": "single", "answer": "y21"}, "border": {"type": "truefalse",
                                                              "answer": True}}
A = "quizzy"


def _meta(grade_id, *, grade=False, locked=True, points=0):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": False, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def quiz_notebook() -> nbformat.NotebookNode:
    hidden = textwrap.dedent(f"""\
        # Hidden checks (2 points)
        ### BEGIN HIDDEN TESTS
        from coursekit.quiz import saved_answers as _saved, score_answers as _score
        _earned, _possible = _score(_saved("{A}.yaml"), {KEY!r})
        print(f"quiz: {{_earned:g}} of {{_possible:g}}")
        round(2 * _earned / _possible, 2)
        ### END HIDDEN TESTS""")
    nb = new_notebook(cells=[
        new_markdown_cell("# Quizzy", metadata=_meta("intro")),
        new_code_cell(f'from coursekit.quiz import quiz\nq = quiz("{A}.yaml")',
                      metadata=_meta("quiz")),
        new_code_cell(hidden, metadata=_meta("q_hidden", grade=True, points=2)),
    ])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def with_record(nb, record) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(json.loads(json.dumps(nb)))
    cell = next(c for c in nb.cells if c.metadata["nbgrader"]["grade_id"] == "quiz")
    cell.outputs = [nbformat.v4.new_output("display_data",
                                           data={MIME: record, "text/plain": "answers"})]
    return nb


def side_file(folder: Path, record) -> None:
    (folder / f"{A}.answers.json").write_text(json.dumps(record))


# ---------------------------------------------------------------------- in a real kernel

@pytest.mark.slow
def test_a_check_updates_the_record_inside_the_notebook(tmp_path):
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / f"{A}.yaml").write_text(yaml.safe_dump(BANK))
    nb = quiz_notebook()
    nb.cells = nb.cells[:2] + [new_code_cell(
        'q.questions["year"].set_answer("y22"); q.questions["year"].check()\n'
        'q.questions["year"].set_answer("y21"); q.questions["year"].check()\n'
        'q.questions["border"].set_answer(True); q.questions["border"].check()')]
    nbformat.write(nb, folder / f"{A}.ipynb")
    run = execute_copy(folder / f"{A}.ipynb", tmp_path / "run", REPO)
    assert not run.problems, run.problems
    quiz_outputs = run.notebook.cells[1].outputs
    records = [o for o in quiz_outputs if MIME in o.get("data", {})]
    assert len(records) == 1, quiz_outputs  # updated in place, not appended
    assert "2 of 2 questions" in records[0]["data"]["text/plain"]
    saved = tmp_path / "saved.ipynb"
    nbformat.write(run.notebook, saved)
    record = answers_from_notebook(saved)[A]
    assert {q: r["answer"] for q, r in record["answers"].items()} == {"year": "y21",
                                                                      "border": True}
    assert record["answers"]["year"]["attempts"] == 2
    checked = check_payload(record, where="the notebook", bank_id=A)
    assert not checked.ignored and not checked.problems
    side = json.loads((tmp_path / "run" / "src" / f"{A}.answers.json").read_text())
    assert side["digest"] == record["digest"]  # the same answers, the same seal


# ---------------------------------------------------------------------- resolving (pure)

def rec(year="y21", border=True, t_year="2026-11-29T10:00:00+00:00",
        t_border="2026-11-29T10:00:00+00:00", bank_hash="h1"):
    return payload(A, bank_hash, {"year": {"answer": year, "attempts": 1, "checked_at": t_year},
                                  "border": {"answer": border, "attempts": 1,
                                             "checked_at": t_border}})


def test_newer_answer_wins_per_question():
    nb = check_payload(rec(year="y22", t_year="2026-11-29T11:00:00+00:00"), where="nb")
    side = check_payload(rec(border=False, t_border="2026-11-29T12:00:00+00:00"), where="side")
    res = resolve(nb, side)
    assert res.answers["year"]["answer"] == "y22" and res.answers["border"]["answer"] is False
    assert res.source == "both"
    assert "newer answer was kept" in res.notes[0] and "year" in res.notes[0]
    assert "border" in res.notes[0]


def test_tampered_records_get_a_reason_not_a_crash():
    edited = rec()
    edited["answers"]["year"]["answer"] = "y22"
    assert "edited by hand" in check_payload(edited, where="nb").problems[0]
    for junk in (None, "text", [], {"answers": "x"}, {"answers": {"year": 3}}):
        checked = check_payload(junk, where="nb")
        assert checked.ignored and "malformed" in checked.problems[0]
    other = check_payload(rec(bank_hash="old"), where="nb", bank_hash="new")
    assert not other.ignored and "another version" in other.problems[0]


# ---------------------------------------------------------------------- grading round trip

def make_quiz_course(course):
    """An nbgrader course with the quiz assignment A, generated; returns (release notebook,
    the released bank's hash)."""
    from coursekit.quiz.bank import load_bank

    (course / "exercises" / A).mkdir(parents=True)
    shutil.copy(REPO / "nbgrader_config.py", course)
    (course / "exercises" / A / f"{A}.yaml").write_text(yaml.safe_dump(BANK))
    nbformat.write(quiz_notebook(), course / "exercises" / A / f"{A}.ipynb")
    nbgrader(course, "generate_assignment", A, "--force")
    release = nbformat.read(course / "release" / A / f"{A}.ipynb", as_version=4)
    return release, load_bank(course / "release" / A / f"{A}.yaml").hash


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    from coursekit.grading.grade import Limits, grade

    course = tmp_path_factory.mktemp("quizcourse")
    release, current = make_quiz_course(course)
    early, late = "2026-11-29T10:00:00+00:00", "2026-11-29T11:00:00+00:00"

    def submit(student, nb=None, side=None):
        folder = course / "submitted" / student / A
        shutil.copytree(course / "release" / A, folder)
        if nb is not None:
            nbformat.write(nb, folder / f"{A}.ipynb")
        if side is not None:
            side_file(folder, side)

    right = rec(bank_hash=current)
    submit("nbonly", with_record(release, right))
    submit("sideonly", release, side=right)
    # the notebook's "year" is newer and wrong: it wins (1 of 2)
    submit("both_nb_newer", with_record(release, rec("y22", t_year=late, bank_hash=current)),
           side=rec(t_year=early, bank_hash=current))
    # the side file's "year" is newer and right: it wins (2 of 2)
    submit("both_side_newer", with_record(release, rec("y22", t_year=early, bank_hash=current)),
           side=rec(t_year=late, bank_hash=current))
    edited = rec(bank_hash=current)
    edited["answers"]["border"]["answer"] = False
    submit("handedited", with_record(release, edited))
    submit("oldversion", with_record(release, rec(bank_hash="0123456789abcdef")))
    submit("malformed", with_record(release, {"answers": ["not", "a", "record"]}))
    submit("nothing", release)
    before = {p: p.read_bytes() for p in (course / "submitted").rglob("*") if p.is_file()}
    results = {r.student: r for r in grade(course, A, workers=1, limits=Limits(timeout=60),
                                            progress=False, echo=lambda line: None)}
    after = {p: p.read_bytes() for p in (course / "submitted").rglob("*") if p.is_file()}
    assert before == after, "submitted/ was modified"
    return course, results


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            return {s.student.id: s.code_score for s in gb.find_assignment(A).submissions}


@pytest.mark.slow
@pytest.mark.parametrize("student, score, note", [
    ("nbonly", 2, "answers taken from the notebook"),
    ("sideonly", 2, "answers taken from the side file"),
    ("both_nb_newer", 1, "the notebook's for year"),
    ("both_side_newer", 2, "the side file's for year"),
    ("handedited", 0, "edited by hand"),
    ("oldversion", 2, "another version of the quiz"),
    ("malformed", 0, "malformed"),
    ("nothing", 0, ""),
])
def test_grading_resolves_answers(course, student, score, note):
    folder, results = course
    assert results[student].status == "graded", results[student]
    assert scores(folder)[student] == score, results[student]
    assert note in results[student].reason


@pytest.mark.slow
def test_plain_nbgrader_autograde_reads_the_notebook_record(tmp_path):
    """The resolver is in the course's nbgrader_config.py: serial `nbgrader autograde` gets the
    same answers as `coursekit grade`."""
    course = tmp_path / "course"
    release, current = make_quiz_course(course)
    folder = course / "submitted" / "solo" / A
    shutil.copytree(course / "release" / A, folder)
    record = rec("y22", bank_hash=current)  # one of two right
    nbformat.write(with_record(release, record), folder / f"{A}.ipynb")
    before = (folder / f"{A}.ipynb").read_bytes()
    nbgrader(course, "autograde", A, "--create")
    assert scores(course)["solo"] == 1
    assert (folder / f"{A}.ipynb").read_bytes() == before
    assert not (folder / f"{A}.answers.json").exists()  # written only in autograded/
    assert (course / "autograded" / "solo" / A / f"{A}.answers.json").exists()


def test_a_notebook_opened_without_its_side_file_keeps_its_answers(tmp_path, monkeypatch):
    """JupyterLab tells the kernel its notebook (JPY_SESSION_NAME): re-running the quiz cell
    restores the answers kept inside the saved notebook instead of starting empty."""
    from coursekit.quiz import quiz

    bank = {**BANK, "mode": "practice", "questions": [
        {**BANK["questions"][0], "answer": "y21", "explanation": "15 Aug 2021."},
        {**BANK["questions"][1], "answer": True, "explanation": "They share a border."}]}
    (tmp_path / f"{A}.yaml").write_text(yaml.safe_dump(bank))
    nb = with_record(quiz_notebook(), rec("y22", bank_hash=None))
    nbformat.write(nb, tmp_path / f"{A}.ipynb")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / f"{A}.ipynb"))
    q = quiz(tmp_path / f"{A}.yaml", answers_dir=tmp_path / "elsewhere", show=False)
    assert q.from_notebook == 2 and "kept inside this notebook" in q.notice.value
    assert "Not quite" in q.questions["year"].feedback_text()
    assert q.record_bundle()[MIME]["answers"]["border"]["answer"] is True
    side = json.loads((tmp_path / "elsewhere" / f"{A}.answers.json").read_text())
    assert side["answers"]["year"]["answer"] == "y22"
