"""See it as a student does: JupyterLab in headless Chromium, every lesson run, every quiz type answered.

After Run All, axe-core (npm, installed by `python3 course.py setup`) checks each lesson: a critical
or serious violation inside the notebook's content (cell outputs, quiz and timeline widgets) fails
the test; JupyterLab's own violations and those in the lesson's markdown are printed, and every
lesson's full list is written to test-artifacts/axe/. One quiz of every question type is answered
and checked with the keyboard only, and each feedback state must say its verdict in a symbol and a
word, not in colour alone.

Select with `-m browser`. Skips with a reason when Debian's chromium is not installed
(`.ci/run` installs it). Screenshots of failures go to test-artifacts/ (of every test with
COURSEKIT_SCREENSHOTS=1).
"""
from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
import yaml

from lab_server import (CHROMIUM, axe_report, axe_violations, blocking, copy_course, explain,
                        launch_browser, open_notebook, output_problems, run_all, running_lab,
                        wait_idle)

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
# The same questions for the keyboard test; partial credit on `multiple` shows the third verdict.
KEYBOARD_BANK = {**ALL_TYPES_BANK, "title": "Keyboard check",
                 "questions": [{**q, "scoring": "partial"} if q["type"] == "multiple" else q
                               for q in ALL_TYPES_BANK["questions"]]}


def quiz_notebook(bank: str, title: str) -> dict:
    return {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": f"# {title}"},
            {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
             "source": f"from coursekit.quiz import quiz\nquiz('{bank}')"},
        ],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }


NOTEBOOK = quiz_notebook("browser_check", "Browser check")

# Our own output kinds, as the rewritten lessons use them: charts.show (line and bar), a wide
# DataFrame with a named index and two header rows, and the timeline.
OUTPUTS_SOURCE = [
    "import matplotlib.pyplot as plt\nimport pandas as pd\nfrom coursekit import charts",
    "fig, ax = plt.subplots()\n"
    "ax.plot([2019, 2020, 2021], [10, 12, 30], label='Attacks')\n"
    "ax.set_title('Attacks by year')\nax.legend()\ncharts.show(fig)",
    "fig, ax = plt.subplots()\nax.bar(['PIPS', 'PICSS'], [306, 645], label='Attacks 2023')\n"
    "charts.show(fig)",
    "wide = pd.DataFrame({f'column number {i}': range(3) for i in range(30)},\n"
    "                    index=pd.Index([2021, 2022, 2023], name='year'))\nwide",
    "wide.T.head(3).T.groupby(level=0).agg(['min', 'max'])",
    "from coursekit.timeline import Timeline\n"
    "events = pd.DataFrame({'date': ['2020-02-29', '2021-08-15', '2023-12-12'],\n"
    "                       'event': ['Doha agreement', 'Taliban take Kabul', 'Daraban attack']})\n"
    "Timeline(events, title='What happened when')",
]
OUTPUTS_NOTEBOOK = {
    "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Output check"}]
    + [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
        "source": src} for src in OUTPUTS_SOURCE],
    "metadata": NOTEBOOK["metadata"], "nbformat": 4, "nbformat_minor": 5,
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = copy_course(REPO, tmp_path_factory.mktemp("course"))
    (root / "notebooks" / "quizzes" / "browser_check.yaml").write_text(
        yaml.safe_dump(ALL_TYPES_BANK, sort_keys=False))
    (root / "notebooks" / "browser_check.ipynb").write_text(json.dumps(NOTEBOOK))
    (root / "notebooks" / "output_check.ipynb").write_text(json.dumps(OUTPUTS_NOTEBOOK))
    (root / "notebooks" / "quizzes" / "keyboard_check.yaml").write_text(
        yaml.safe_dump(KEYBOARD_BANK, sort_keys=False))
    (root / "notebooks" / "keyboard_check.ipynb").write_text(
        json.dumps(quiz_notebook("keyboard_check", "Keyboard check")))
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
    check_accessibility(page, lesson)


def check_accessibility(page, name: str) -> list[dict]:
    """One axe-core pass over the open notebook; fail on critical/serious in our content."""
    start = time.monotonic()
    found = axe_violations(page)
    print(f"axe-core pass: {time.monotonic() - start:.1f} s")
    (ARTIFACTS / "axe").mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "axe" / f"{name}.json").write_text(json.dumps(found, indent=1))
    print(axe_report(found, name))
    bad = blocking(found)
    assert not bad, (f"{len(bad)} critical/serious accessibility violation(s) in {name}'s "
                     "outputs or widgets:\n" + "\n".join(explain(v) for v in bad))
    return found


def test_our_outputs_pass_axe_and_take_keys(lab, page):
    """charts.show, DataFrames and the timeline: no violation of any impact inside them, and the
    timeline's slider moves with the arrow keys (JupyterLab does not take the keys)."""
    lab.delete_sessions()
    open_notebook(page, lab, "notebooks/output_check.ipynb")
    state = run_all(page)
    assert not output_problems(state), output_problems(state)
    found = check_accessibility(page, "output_check")
    ours = [v for v in found if v["where"] in ("output", "widget")]
    assert not ours, "\n".join(explain(v) for v in ours)
    notebook = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook")
    assert notebook.locator("img[alt^='Attacks by year. Attacks: 3 values']").count() == 1
    assert notebook.locator(".coursekit-table[role=group][tabindex='0']").count() >= 4

    status = notebook.locator(".coursekit-timeline [role=status]").first
    assert status.inner_text().startswith("2020")
    for _ in range(80):  # keyboard only: Tab to the slider
        if page.evaluate("() => !!document.activeElement.closest('.coursekit-timeline')"
                         " && document.activeElement.matches('[role=slider], .noUi-handle')"):
            break
        page.keyboard.press("Tab")
    else:
        raise AssertionError("Tab never reached the timeline's slider")
    page.keyboard.press("ArrowUp")  # JupyterLab's own binding: "select the cell above"
    page.wait_for_function("() => document.querySelector('.coursekit-timeline [role=status]')"
                           ".innerText.startsWith('2021')", timeout=10_000)
    assert "Taliban take Kabul" in notebook.locator(".coursekit-timeline").inner_text()
    cells = page.evaluate("() => window.jupyterapp.shell.currentWidget.content.model.cells.length")
    assert cells == len(OUTPUTS_NOTEBOOK["cells"]), "a key changed the notebook"


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


# ------------------------------------------------------------------ keyboard only
FOCUSED_JS = """() => {
    const e = document.activeElement;
    const q = e && e.closest('.coursekit-question');
    const id = q ? [...q.classList].find(c => c.startsWith('coursekit-q-')) : null;
    const row = e && e.closest('.widget-hbox');
    const label = e && e.closest('label');
    return {tag: e ? e.tagName.toLowerCase() : null, type: e ? (e.type || '') : '',
            question: id ? id.slice('coursekit-q-'.length) : null,
            label: label ? label.innerText.trim() : '',
            row: row ? row.innerText.trim() : '',
            value: e && 'value' in e ? String(e.value) : ''};
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED_JS)


def tab_to(page, qid: str, tag: str, *, text: str | None = None, back: bool = False,
           limit: int = 60) -> dict:
    """Press Tab (Shift+Tab with back=True) until the focus is on a `tag` element of question
    qid (whose label or row contains `text`, if given). Only the keyboard moves the focus."""
    for _ in range(limit):
        f = focused(page)
        if (f["question"] == qid and f["tag"] == tag
                and (text is None or text in f["label"] or text in f["row"])):
            return f
        page.keyboard.press("Shift+Tab" if back else "Tab")
    raise AssertionError(f"{limit} presses of {'Shift+Tab' if back else 'Tab'} did not reach "
                         f"a {tag} {text or ''} in {qid}; focus is on {focused(page)}")


def check_with_keyboard(page, qid: str, expected: str) -> str:
    """Tab to the question's Check button, press Enter, wait for `expected` in its feedback."""
    # ipywidgets holds back a value change while the previous one is in flight, but sends a
    # click at once: give the kernel the pause a person takes between answering and checking.
    page.wait_for_timeout(300)
    wait_idle(page)
    tab_to(page, qid, "button")
    page.keyboard.press("Enter")
    box = question(page, qid).locator("[role=status]").filter(has_text=expected).first
    try:
        box.wait_for(timeout=10_000)
    except playwright_api.TimeoutError:
        shown = question(page, qid).inner_text()
        raise AssertionError(f"{qid}: no {expected!r} after Enter on Check; feedback: {shown}; "
                             f"focus: {focused(page)}") from None
    return box.inner_text()


SELECT_JS = """() => { const e = document.activeElement;
    return e.tagName === 'SELECT' ? {now: e.selectedIndex, options: [...e.options].map(o => o.text)}
                                  : {now: null, options: [], tag: e.tagName}; }"""


def choose_with_arrows(page, label: str) -> None:
    """On a focused <select>: ArrowDown / ArrowUp until the option `label` is selected."""
    for _ in range(20):
        state = page.evaluate(SELECT_JS)
        assert state["options"], f"the focus left the dropdown: {state}"
        want = state["options"].index(label)
        if state["now"] == want:
            return
        page.keyboard.press("ArrowDown" if want > state["now"] else "ArrowUp")
    raise AssertionError(f"option {label!r} not reached with the arrow keys")


# Every verdict carries a symbol and a word (strings_en.yaml), so colour is never the only cue.
VERDICTS = {"correct": ("✓", "Correct"), "incorrect": ("✗", "Not quite"),
            "partial": ("◐", "Partly right"), "incomplete": ("ℹ", "first"),
            "saved": ("✎", "Answer saved")}


def assert_says(feedback: str, state: str) -> None:
    symbol, word = VERDICTS[state]
    assert symbol in feedback and word in feedback, (
        f"feedback for {state!r} must say {symbol} and {word!r} in text: {feedback!r}")


def test_every_question_type_with_the_keyboard_only(lab, page):
    """Tab, Shift+Tab, Space, Enter, arrow keys and typing: no mouse after the notebook opens."""
    lab.delete_sessions()
    (lab.root / "notebooks" / "keyboard_check.answers.json").unlink(missing_ok=True)
    open_notebook(page, lab, "notebooks/keyboard_check.ipynb")
    run_all(page)  # leaves the focus on the quiz's cell
    assert not widget_errors(page)
    seen: dict[str, str] = {}

    # single: a wrong choice first (✗), then back with Shift+Tab to the right one (✓)
    tab_to(page, "q-single", "input", text="2022")
    page.keyboard.press("Space")
    seen["incorrect"] = check_with_keyboard(page, "q-single", "Not quite")
    tab_to(page, "q-single", "input", text="2021", back=True)
    page.keyboard.press("Space")
    seen["correct"] = check_with_keyboard(page, "q-single", "Correct")

    # multiple (partial credit): one of two right boxes (◐), then both (✓)
    tab_to(page, "q-multiple", "input", text="TTP")
    page.keyboard.press("Space")
    seen["partial"] = check_with_keyboard(page, "q-multiple", "Partly right")
    tab_to(page, "q-multiple", "input", text="IS-K", back=True)
    page.keyboard.press("Space")
    check_with_keyboard(page, "q-multiple", "Correct")

    # true/false
    tab_to(page, "q-truefalse", "input", text="True")
    page.keyboard.press("Space")
    check_with_keyboard(page, "q-truefalse", "Correct")

    # numeric: empty first (ℹ), then too low, then right; typing in the box
    seen["incomplete"] = check_with_keyboard(page, "q-numeric", "first")
    tab_to(page, "q-numeric", "input", back=True)
    page.keyboard.type("2020")
    low = check_with_keyboard(page, "q-numeric", "Not quite")
    assert "Too low" in low, low
    tab_to(page, "q-numeric", "input", back=True)
    page.keyboard.press("Control+A")
    page.keyboard.type("2021")
    check_with_keyboard(page, "q-numeric", "Correct")

    # order: each dropdown set with the arrow keys
    items = KEYBOARD_BANK["questions"][4]["items"]
    for _ in items:
        page.keyboard.press("Tab")
        f = tab_to(page, "q-order", "select")
        item = next(i for i in items if i in f["row"])
        choose_with_arrows(page, str(items.index(item) + 1))
    check_with_keyboard(page, "q-order", "Correct")
    for item in items:  # a screen reader says which item each dropdown is for
        assert question(page, "q-order").get_by_role("combobox", name=f"Position: {item}",
                                                     exact=True).count() == 1, item

    # categorize
    categorize = KEYBOARD_BANK["questions"][5]
    for _ in categorize["items"]:
        page.keyboard.press("Tab")
        f = tab_to(page, "q-categorize", "select")
        item = next(i for i in categorize["items"] if i["text"] in f["row"])
        choose_with_arrows(page, item["category"])
    check_with_keyboard(page, "q-categorize", "Correct")
    for item in categorize["items"]:
        assert question(page, "q-categorize").get_by_role(
            "combobox", name=f"Category: {item['text']}", exact=True).count() == 1, item

    # text: typed, saved, model answer shown
    tab_to(page, "q-text", "textarea")
    page.keyboard.type("The dates are close together.")
    seen["saved"] = check_with_keyboard(page, "q-text", "Answer saved")
    question(page, "q-text").get_by_text("A model answer").first.wait_for(timeout=5_000)

    for state, text in seen.items():
        assert_says(text, state)
    saved = json.loads((lab.root / "notebooks" / "keyboard_check.answers.json").read_text())
    assert {qid for qid, r in saved["answers"].items() if r.get("correct")} == {
        q["id"] for q in KEYBOARD_BANK["questions"] if q["type"] != "text"}
    # the feedback shown is part of the content too: no critical/serious violation in it
    check_accessibility(page, "keyboard_check")
