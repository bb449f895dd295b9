"""In real JupyterLab: a Check updates the answer record inside the quiz cell, and saving the
notebook writes that record to the .ipynb on disk — no frontend extension needed. Reopened
without its side file, the notebook restores its answers from that record.

Select with `-m browser`; skips without Debian's chromium (as test_browser.py).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml

from lab_server import CHROMIUM, copy_course, launch_browser, open_notebook, run_all, running_lab

pytestmark = pytest.mark.browser
playwright_api = pytest.importorskip("playwright.sync_api")
if not CHROMIUM.exists():
    pytest.skip("no browser: /usr/bin/chromium is missing", allow_module_level=True)

REPO = Path(__file__).resolve().parents[1]
BANK = {"title": "Record check", "mode": "graded", "questions": [
    {"id": "year", "type": "single", "prompt": "When did Kabul fall?",
     "options": [{"id": "y21", "text": "2021"}, {"id": "y22", "text": "2022"}]},
    {"id": "border", "type": "truefalse", "prompt": "Afghanistan borders Pakistan."},
]}
NOTEBOOK = {
    "cells": [
        {"cell_type": "markdown", "metadata": {}, "source": "# Record check"},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": "from coursekit.quiz import quiz\nquiz('record_check')"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_checked_answers_are_saved_inside_the_ipynb(tmp_path_factory):
    from coursekit.quiz.record import MIME, answers_from_notebook, check_payload

    root = copy_course(REPO, tmp_path_factory.mktemp("course"))
    (root / "notebooks" / "quizzes" / "record_check.yaml").write_text(yaml.safe_dump(BANK))
    path = root / "notebooks" / "record_check.ipynb"
    path.write_text(json.dumps(NOTEBOOK))
    with running_lab(root, tmp_path_factory.mktemp("logs") / "lab.log") as lab, \
            playwright_api.sync_playwright() as p:
        browser = launch_browser(p)
        page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
        open_notebook(page, lab, "notebooks/record_check.ipynb")
        run_all(page)
        q = page.locator(".coursekit-q-year")
        q.get_by_text("2022", exact=True).click()
        q.get_by_role("button", name="Check").click()
        q.get_by_text("Saved").first.wait_for(timeout=10_000)
        q.get_by_text("2021", exact=True).click()  # change of mind: the record must follow
        q.get_by_role("button", name="Check").click()
        q = page.locator(".coursekit-q-border")
        q.get_by_text("True", exact=True).click()
        q.get_by_role("button", name="Check").click()
        page.get_by_text("2 of 2 questions").first.wait_for(timeout=10_000)
        page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        deadline = time.monotonic() + 20
        record = {}
        while time.monotonic() < deadline and len(record.get("answers", {})) < 2:
            time.sleep(0.25)
            record = answers_from_notebook(path).get("record_check", {})
        # the notebook alone (side file gone, fresh kernel, reloaded page) keeps its answers
        (root / "notebooks" / "record_check.answers.json").unlink()
        lab.delete_sessions()
        page.reload()
        page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
        run_all(page)
        page.get_by_text("Restored 2 answer(s) kept inside this notebook").first.wait_for(
            timeout=10_000)
        page.get_by_text("2 of 2 questions").first.wait_for(timeout=10_000)
        browser.close()
    saved = json.loads(path.read_text())
    outputs = saved["cells"][1]["outputs"]
    assert sum(MIME in o.get("data", {}) for o in outputs) == 1, outputs
    assert {q: r["answer"] for q, r in record["answers"].items()} == {"year": "y21",
                                                                      "border": True}
    assert record["answers"]["year"]["attempts"] == 2
    checked = check_payload(record, where="the notebook", bank_id="record_check")
    assert not checked.ignored and not checked.problems, checked.problems
