"""Lessons fit a class slot by the course's timing model (docs/timing.md; coursekit/timing.py).

For every notebooks/0[0-9]_*.ipynb (the start notebook too): the stated time is at least the model's estimate and at most 50
minutes; a formative check comes in the first 10 model minutes and then at least every 10; nothing
after an "Optional — going further" section uses a name that the section defines.
The model itself is tested on small notebooks built here, whose estimates are known by construction.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from coursekit import timing

REPO = Path(__file__).resolve().parents[1]
LESSONS = sorted((REPO / "notebooks").glob("0[0-9]_*.ipynb"))


# ----------------------------------------------------------------------------- the real lessons
@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_stated_time_covers_the_model_and_fits_a_class(path: Path):
    est = timing.estimate(path)
    assert est.stated is not None, f"{path.name}: no '**Estimated time:** NN min' line in the first cell"
    assert est.stated >= est.total, f"{path.name}: states {est.stated} min, the model says {est.total:.1f}"
    assert est.stated <= timing.MAX_STATED_MINUTES, f"{path.name}: {est.stated} min is more than one class slot"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_a_formative_check_every_ten_minutes(path: Path):
    est = timing.estimate(path)
    problems = est.cadence_problems()
    assert not problems, f"{path.name}: gaps without a check: " + "; ".join(problems)


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_nothing_depends_on_an_optional_section(path: Path):
    assert timing.optional_dependencies(path) == []


# ----------------------------------------------------------------------------- the model itself
def write(tmp_path: Path, cells: list, bank: str | None = None) -> Path:
    (tmp_path / "quizzes").mkdir(exist_ok=True)
    if bank is not None:
        (tmp_path / "quizzes" / "tiny.yaml").write_text(bank, encoding="utf-8")
    path = tmp_path / "tiny.ipynb"
    nbformat.write(new_notebook(cells=cells), path)
    return path


TINY_BANK = """
title: Tiny
questions:
  - id: one
    type: single
    prompt: one two three four five
    options:
      - {id: a, text: six seven}
      - {id: b, text: eight nine ten}
    answer: a
    explanation: eleven twelve
    source_ids: []
  - id: two
    type: text
    prompt: write ten words here please now ok yes fine good
    model_answer: anything at all
    explanation: ""
    source_ids: []
"""


def test_a_tiny_notebook_has_the_estimate_it_was_built_to_have(tmp_path: Path):
    words_100 = " ".join(["word"] * 100)
    cells = [
        new_markdown_cell("# Tiny lesson\n\n**Estimated time:** 20 min\n\n" + " ".join(["w"] * 94)),
        new_code_cell("import pandas as pd\n\nx = 1\n"),                 # 0.5 + 0.2
        new_markdown_cell("## Your turn: a task\n\n[a link](https://example.org/very/long) <b>bold</b>"),
        new_code_cell("fig = 1\ncharts.show(fig)\nplt.show()"),          # 0.5 + 0.3 + 2 charts × 1.5
        new_markdown_cell("## Optional — going further\n\n" + words_100),
        new_code_cell("hidden = 1\n" * 40),
        new_markdown_cell("## Predict: what comes out?"),
        new_code_cell('quiz("tiny")'),                                    # 0.5 + 0.1 + questions
        new_markdown_cell("## Key points\n\nDone."),
    ]
    path = write(tmp_path, cells, TINY_BANK)
    est = timing.estimate(path)
    first = timing.words(cells[0].source)
    assert first == 2 + 4 + 94                     # "Tiny lesson", "Estimated time: 20 min", 94 w
    assert timing.words(cells[2].source) == 4 + 2 + 1       # heading words, link text, "bold"
    prose = (first + 7 + 4 + 3) / 100              # + "Predict: what comes out?" + "Key points Done."
    assert est.prose == pytest.approx(prose)
    assert est.code == pytest.approx(0.7 + 0.8 + 0.6)
    assert est.charts == pytest.approx(3.0)
    quiz = (5 + 2 + 3 + 2) / 100 + 0.5 + 10 / 100 + 0.5 + 3.0
    assert est.quiz == pytest.approx(quiz)
    assert est.tasks == pytest.approx(5.0 + 1.0)
    assert est.total == pytest.approx(prose + 2.1 + 3.0 + quiz + 6.0)
    assert est.stated == 20
    assert [c.kind for c in est.checks] == ["your turn", "predict", "quiz"]
    assert est.optional_cells == [4, 5]
    # the clock: the task starts after cell 0 and 1; the predict after the task, the chart cell and
    # the "Your turn" cell's prose; the quiz one minute later
    assert est.checks[0].minute == pytest.approx(first / 100 + 0.7)
    assert est.checks[1].minute == pytest.approx(first / 100 + 0.7 + 0.07 + 5 + 3.8)
    assert est.checks[2].minute == pytest.approx(est.checks[1].minute + 4 / 100 + 1.0)
    assert est.end == pytest.approx(est.total - 3 / 100)


def test_a_twelve_minute_gap_fails_the_cadence_check(tmp_path: Path):
    prose = " ".join(["word"] * 1200)              # 12 minutes of reading at 100 words a minute
    cells = [
        new_markdown_cell("# Gap\n\n**Estimated time:** 40 min"),
        new_markdown_cell("## Your turn: first\n\nDo it."),
        new_markdown_cell("## A long read\n\n" + prose),
        new_markdown_cell("## Your turn: second\n\nDo it."),
        new_markdown_cell("## Key points\n\nDone."),
    ]
    est = timing.estimate(write(tmp_path, cells))
    problems = est.cadence_problems()
    assert len(problems) == 1 and "second" in problems[0], problems
    gap = est.checks[1].minute - est.checks[0].minute
    assert 17 < gap < 18                            # the first task's 5 min + the 12-minute read


def test_a_lesson_without_checks_or_with_a_late_first_check_fails(tmp_path: Path):
    late = [new_markdown_cell("# Late\n\n" + " ".join(["word"] * 1100)),
            new_markdown_cell("## Predict the output")]
    assert timing.estimate(write(tmp_path, late)).cadence_problems()
    none = [new_markdown_cell("# None\n\nShort.")]
    assert timing.estimate(write(tmp_path, none)).cadence_problems() == ["no formative check at all (model 0.0 min)"]


def test_quiz_ids_count_only_the_chosen_questions(tmp_path: Path):
    cells = [new_markdown_cell("# Q"), new_code_cell('quiz("tiny", ids=["one"])')]
    est = timing.estimate(write(tmp_path, cells, TINY_BANK))
    assert est.quiz_questions == 1
    assert est.quiz == pytest.approx(12 / 100 + 0.5)
    bad = [new_markdown_cell("# Q"), new_code_cell('quiz("tiny", ids=["nope"])')]
    with pytest.raises(timing.TimingError, match="nope"):
        timing.estimate(write(tmp_path, bad, TINY_BANK))


def test_later_code_may_not_use_names_from_an_optional_section(tmp_path: Path):
    cells = [
        new_markdown_cell("# Opt"),
        new_markdown_cell("## Optional — going further"),
        new_code_cell("shares = 1\nfig = 2"),
        new_markdown_cell("## Back to the lesson"),
        new_code_cell("fig = 3\nprint(fig)"),          # rebinds fig first: fine
        new_code_cell("print(shares)"),                # uses the optional name: reported
    ]
    problems = timing.optional_dependencies(write(tmp_path, cells))
    assert len(problems) == 1 and "'shares'" in problems[0] and "cell 5" in problems[0], problems


def test_headings_inside_code_fences_are_not_headings(tmp_path: Path):
    cells = [new_markdown_cell("# F\n\n```python\n# Your turn: not a heading\nx = 1\n```")]
    assert timing.estimate(write(tmp_path, cells)).checks == []


def test_a_quiz_cell_can_show_part_of_a_bank(tmp_path: Path):
    from coursekit.quiz import BankError, Quiz

    (tmp_path / "tiny.yaml").write_text(TINY_BANK, encoding="utf-8")
    part = Quiz(tmp_path / "tiny.yaml", ids=["two"], answers_dir=tmp_path, interactive=False)
    assert list(part.bank.questions) == ["two"]
    whole = Quiz(tmp_path / "tiny.yaml", answers_dir=tmp_path, interactive=False)
    assert part.store.path == whole.store.path and part.bank.hash == whole.bank.hash
    with pytest.raises(BankError, match="'nope'"):
        Quiz(tmp_path / "tiny.yaml", ids=["nope"], answers_dir=tmp_path, interactive=False)
