"""`coursekit quizreport` on a simulated class: 36 students answering exercise 3's graded quiz,
their answers in notebooks, in side files, in both (disagreeing), or unreadable.

The expected counts come from the simulation itself (what each student was made to answer), not
from the report's code.
"""
from __future__ import annotations

import copy
import csv
import json
import random
import time
from collections import Counter
from pathlib import Path

import pytest
import yaml

from grading_fixtures.tiny_course import REPO

from coursekit.quiz.record import MIME, payload

A = "ex3_arguments"
EARLY, LATE = "2026-11-29T09:00:00+00:00", "2026-11-29T09:30:00+00:00"


def bank_and_key():
    from coursekit.quiz.report import _key_from_notebook

    bank = yaml.safe_load((REPO / "exercises" / A / f"{A}.yaml").read_text())
    key = _key_from_notebook(REPO / "exercises" / A / f"{A}.ipynb")
    return bank, key


def candidates(q: dict, spec: dict) -> list[tuple]:
    """(answer, label of the wrong answer or None when right) — right first, then two wrong."""
    right = spec["answer"]
    text = {o["id"]: o["text"] for o in q.get("options", [])}
    if q["type"] == "single":
        wrong = [o for o in text if o != right][:2]
        return [(right, None)] + [(w, text[w]) for w in wrong]
    if q["type"] == "truefalse":
        return [(right, None), (not right, "True" if not right else "False")]
    if q["type"] == "multiple":
        others = [o for o in text if o not in right]
        fewer, more = sorted(right)[:-1], sorted(right + others[:1])
        return [(right, None), (fewer, " + ".join(text[o] for o in fewer)),
                (more, " + ".join(text[o] for o in more))]
    if q["type"] == "categorize":
        items = list(right)
        cats = q["categories"]
        out = [(right, None)]
        for item in items[:2]:
            flipped = dict(right)
            flipped[item] = next(c for c in cats if c != right[item])
            out.append((flipped, f"{item} → {flipped[item]}"))
        return out
    if q["type"] == "order":
        swapped = [right[1], right[0], *right[2:]]
        return [(right, None), (swapped, " → ".join(swapped))]
    raise AssertionError(f"simulation has no answers for type {q['type']}")


def notebook_with(record) -> dict:
    nb = json.loads((REPO / "exercises" / A / f"{A}.ipynb").read_text())
    nb = copy.deepcopy(nb)
    cell = next(c for c in nb["cells"] if c["metadata"]["nbgrader"]["grade_id"] == "quiz")
    cell["outputs"] = [{"output_type": "display_data", "metadata": {},
                        "data": {MIME: record, "text/plain": "answers"}}]
    return nb


def simulate(folder: Path, n: int = 36, seed: int = 12):
    """Write n students' work; return the effective answers' expected tallies."""
    bank, key = bank_and_key()
    questions = {q["id"]: q for q in bank["questions"]}
    rng = random.Random(seed)
    expected = {qid: {"answered": 0, "right": 0, "wrong": Counter()} for qid in key}
    for i in range(n):
        student = folder / f"student{i:02d}" / A
        student.mkdir(parents=True)
        if i == n - 1:
            (student / f"{A}.ipynb").write_text('{"cells": [ {"broken')
            continue
        final, earlier = {}, {}
        for qid, spec in key.items():
            if rng.random() < 0.1:
                continue  # not answered yet
            options = candidates(questions[qid], spec)
            weights = [0.55, 0.3, 0.15][:len(options)]
            final[qid] = rng.choices(options, weights)[0]
            earlier[qid] = rng.choice(options)
        def record(chosen, when):
            return payload(A, None, {q: {"answer": a, "attempts": 1, "checked_at": when}
                                     for q, (a, _) in chosen.items()})
        kind = i % 3
        if i == n - 2:  # a record edited by hand: skipped, not counted
            rec = record(final, LATE)
            rec["answers"] = {q: {**r, "answer": "edited"} for q, r in rec["answers"].items()}
            (student / f"{A}.ipynb").write_text(json.dumps(notebook_with(rec)))
            continue
        if kind == 0:
            (student / f"{A}.ipynb").write_text(json.dumps(notebook_with(record(final, LATE))))
        elif kind == 1:
            (student / f"{A}.answers.json").write_text(json.dumps(record(final, LATE)))
        else:  # both; the notebook holds the newer answers, the side file older ones
            (student / f"{A}.ipynb").write_text(json.dumps(notebook_with(record(final, LATE))))
            (student / f"{A}.answers.json").write_text(json.dumps(record(earlier, EARLY)))
            final = {**earlier, **final}
        for qid, (_, wrong) in final.items():
            expected[qid]["answered"] += 1
            if wrong is None:
                expected[qid]["right"] += 1
            else:
                expected[qid]["wrong"][wrong] += 1
    return expected, n - 2


@pytest.mark.slow
def test_quizreport_on_a_simulated_class(tmp_path, capsys):
    from coursekit.cli import main

    expected, students = simulate(tmp_path / "submitted")
    out = tmp_path / "report"
    start = time.perf_counter()
    assert main(["quizreport", A, str(tmp_path / "submitted"), "--out", str(out),
                 "--course-dir", str(REPO)]) == 0
    seconds = time.perf_counter() - start
    printed = capsys.readouterr().out
    assert f"({students} students)" in printed
    skipped = [line for line in printed.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 2 and any("not a readable notebook" in s for s in skipped)
    assert any("edited by hand" in s for s in skipped)
    with open(out / "questions.csv", encoding="utf-8") as handle:
        rows = {r["question"]: r for r in csv.DictReader(handle)}
    for qid, exp in expected.items():
        row = rows[qid]
        assert int(row["answered"]) == exp["answered"], qid
        assert row["right_percent"] == f"{100 * exp['right'] / exp['answered']:.0f}", qid
        top = exp["wrong"].most_common()
        if top:
            ties = {w for w, c in top if c == top[0][1]}
            assert row["most_chosen_wrong_answer"] in ties, (qid, row, top)
            assert int(row["times_chosen"]) == top[0][1]
    page = (out / "index.html").read_text()
    assert 'alt="Bar chart, hardest question first' in page
    assert "student0" not in page and "student0" not in (out / "questions.csv").read_text()
    assert (out / "questions.png").stat().st_size > 5_000
    print(f"quizreport: {students} students in {seconds:.2f} s")
    assert seconds < 30


def test_quizreport_on_a_practice_bank_mid_class(tmp_path):
    """A practice bank (key inside), side files of a few students so far, one unreadable."""
    from coursekit.quiz.report import quiz_report

    bank = {"title": "Warm-up", "questions": [
        {"id": "year", "type": "single", "prompt": "Kabul fell in…",
         "options": [{"id": "y21", "text": "2021"}, {"id": "y22", "text": "2022"}],
         "answer": "y21", "explanation": "15 August 2021."},
        {"id": "why", "type": "text", "prompt": "Why?", "model_answer": "Because.",
         "explanation": "—"}]}
    path = tmp_path / "warmup.yaml"
    path.write_text(yaml.safe_dump(bank))
    folder = tmp_path / "collected"
    for name, year in (("a", "y21"), ("b", "y22"), ("c", "y22")):
        (folder / name).mkdir(parents=True)
        (folder / name / "warmup.answers.json").write_text(json.dumps(payload(
            "warmup", None, {"year": {"answer": year, "checked_at": EARLY},
                             "why": {"answer": "text", "checked_at": EARLY}})))
    (folder / "d").mkdir()
    (folder / "d" / "warmup.answers.json").write_text("{not json")
    result = quiz_report(str(path), folder, tmp_path / "out")
    assert result.students == 3 and result.skipped == ["d/warmup.answers.json: not a "
                                                       "readable answers file"]
    year, why = result.stats
    assert (year.answered, year.right, year.top_wrong()) == (3, 1, ("2022", 2))
    assert why.answered == 3 and why.share_right == 0 and not why.possible  # not auto-scored
    with open(tmp_path / "out" / "questions.csv", encoding="utf-8") as handle:
        rows = {r["question"]: r for r in csv.DictReader(handle)}
    assert rows["year"]["right_percent"] == "33" and rows["why"]["right_percent"] == ""
