"""See it as a student does: JupyterLab in headless Chromium, every lesson run, every quiz type answered.

Select with `-m browser`. Skips with a reason when Debian's chromium is not installed
(`.ci/run` installs it). Screenshots of failures go to test-artifacts/ (of every test with
COURSEKIT_SCREENSHOTS=1).
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

from lab_server import (CHROMIUM, copy_course, launch_browser, open_notebook, output_problems,
                        run_all, running_lab)

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("no browser: /usr/bin/chromium is missing (apt-get install chromium; "
                ".ci/run does this)", allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
LESSONS = sorted(p.name for p in (REPO / "notebooks").glob("[0-9][0-9]_*.ipynb"))
WIDGET_ERRORS = ("Error displaying widget", "model not found", "Failed to load model class")

# One question of each type; the answers below are the right ones.
ALL_TYPES_BANK = {
    "title": "Browser check",
    "questions": [
        {"id": "q-single", "type": "single", "prompt": "Which year did Kabul fall?",
         "options": [{"id": "y21", "text": "2021"}, {"id": "y22", "text": "2022"}],
         "answer": "y21", "explanation": "15 August 2021."},
        {"id": "q-multiple", "type": "multiple", "prompt": "Which are militant groups?",
         "options": [{"id": "ttp", "text": "TTP"}, {"id": "isk", "text": "IS-K"},
                     {"id": "unhcr", "text": "UNHCR"}],
         "answer": ["ttp", "isk"], "explanation": "UNHCR is the UN refugee agency."},
        {"id": "q-truefalse", "type": "truefalse", "prompt": "Afghanistan borders Pakistan.",
         "answer": True, "explanation": "They share a long border."},
        {"id": "q-numeric", "type": "numeric", "prompt": "Year of the US withdrawal?",
         "answer": 2021, "tolerance": 0, "explanation": "It ended on 30/31 August 2021."},
        {"id": "q-order", "type": "order", "prompt": "Put in order.",
         "items": ["Doha agreement", "Fall of Kabul", "Daraban attack"],
         "explanation": "2020, 2021, 2023."},
        {"id": "q-categorize", "type": "categorize", "prompt": "Sort the arguments.",
         "categories": ["restraint", "engagement"],
         "items": [{"text": "Stay out", "category": "restraint"},
                   {"text": "Partner up", "category": "engagement"}],
         "explanation": "By their conclusion."},
        {"id": "q-text", "type": "text", "prompt": "Why might the summary say 2022?",
         "model_answer": "A slip: the withdrawal and takeover were in August 2021.",
         "explanation": "Dates close together are easy to mix up."},
    ],
}
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Browser check"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "from coursekit.quiz import quiz\nquiz('browser_check')"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = copy_course(REPO, tmp_path_factory.mktemp("course"))
    (root / "notebooks" / "quizzes" / "browser_check.yaml").write_text(
        yaml.safe_dump(ALL_TYPES_BANK, sort_keys=False))
    (root / "notebooks" / "browser_check.ipynb").write_text(json.dumps(NOTEBOOK))
    with running_lab(root, tmp_path_factory.mktemp("logs") / "lab.log") as server:
        yield server


@pytest.fixture(scope="module")
def browser(lab):
    with playwright_api.sync_playwright() as p:
        b = launch_browser(p)
        yield b
        b.close()


@pytest.fixture
def page(browser, request):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    pg = context.new_page()
    yield pg
    report = getattr(request.node, "rep_call", None)
    if (report is not None and report.failed) or os.environ.get("COURSEKIT_SCREENSHOTS"):
        ARTIFACTS.mkdir(exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


def widget_errors(page) -> list[str]:
    text = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook").inner_text()
    return [e for e in WIDGET_ERRORS if e in text]


@pytest.mark.parametrize("lesson", LESSONS)
def test_lesson_runs_in_the_browser(lab, page, lesson):
    lab.delete_sessions()
    open_notebook(page, lab, f"notebooks/{lesson}")
    state = run_all(page)
    assert not output_problems(state), output_problems(state)
    assert all(c["count"] for c in state["cells"]), "Run All stopped before the last cell"
    assert not widget_errors(page)
    source = (REPO / "notebooks" / lesson).read_text()
    if "quiz(" in source or "timeline" in source:
        assert page.locator(".jupyter-widgets").count() > 0, "no widget rendered"


def question(page, qid: str):
    return page.locator(f".coursekit-q-{qid}")


def answer_every_type(page) -> None:
    q = question(page, "q-single")
    q.get_by_text("2021", exact=True).click()
    q = question(page, "q-multiple")
    q.get_by_text("TTP", exact=True).click()
    q.get_by_text("IS-K", exact=True).click()
    question(page, "q-truefalse").get_by_text("True", exact=True).click()
    question(page, "q-numeric").locator("input[type=text]").fill("2021")
    q = question(page, "q-order")
    correct = ALL_TYPES_BANK["questions"][4]["items"]
    for row in q.locator(".widget-hbox").all():
        item = next(i for i in correct if i in row.inner_text())
        row.locator("select").select_option(label=str(correct.index(item) + 1))
    q = question(page, "q-categorize")
    for row in q.locator(".widget-hbox").all():
        label = "restraint" if "Stay out" in row.inner_text() else "engagement"
        row.locator("select").select_option(label=label)
    question(page, "q-text").locator("textarea").fill("The dates are easy to confuse.")


def test_every_question_type_answers_in_the_browser(lab, page):
    lab.delete_sessions()
    (lab.root / "notebooks" / "browser_check.answers.json").unlink(missing_ok=True)
    open_notebook(page, lab, "notebooks/browser_check.ipynb")
    run_all(page)
    assert not widget_errors(page)
    answer_every_type(page)
    for qid in [q["id"] for q in ALL_TYPES_BANK["questions"]]:
        q = question(page, qid)
        q.get_by_role("button", name="Check").click()
        expected = "Answer saved" if qid == "q-text" else "Correct"
        q.get_by_text(expected).first.wait_for(timeout=10_000)
    question(page, "q-text").get_by_text("A model answer").first.wait_for(timeout=5_000)

    # restart: a fresh kernel and a reloaded page show the saved answers again
    saved = json.loads((lab.root / "notebooks" / "browser_check.answers.json").read_text())
    assert set(saved["answers"]) == {q["id"] for q in ALL_TYPES_BANK["questions"]}
    lab.delete_sessions()
    page.reload()
    page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
    run_all(page)
    assert not widget_errors(page)
    for qid in ("q-single", "q-numeric", "q-order", "q-categorize"):
        question(page, qid).get_by_text("Correct").first.wait_for(timeout=10_000)
    assert question(page, "q-numeric").locator("input[type=text]").input_value() == "2021"
