"""A class of 20 on a real JupyterHub: each student their own Unix user, nbgrader's exchange between
them and the instructor (docs/deploy.md). Figures for sizing a hub come from bench/bench_hub.py,
not from here: this test checks behaviour, with generous bounds on every wait.

Runs where the machine allows (Linux, root to create users, configurable-http-proxy installed by
`python3 course.py setup`); elsewhere it skips and says why.
"""
from __future__ import annotations

import asyncio
import os
import re

import pytest

import hub_harness as hh

pytestmark = [pytest.mark.hub, pytest.mark.skipif(hh.skip_reason() is not None,
                                                  reason=hh.skip_reason() or "")]

STUDENTS = int(os.environ.get("HUB_STUDENTS", "20"))
LESSON = "01_the_article"
ASSIGNMENT = "ex1_pandas"


@pytest.fixture(scope="module")
def site():
    with hh.class_site(STUDENTS) as made:
        yield made


@pytest.fixture(scope="module")
def hub(site):
    with hh.running_hub(site) as running:
        yield running


@pytest.fixture(scope="module")
def class_run(hub, site):
    return asyncio.run(asyncio.wait_for(hh.run_class(hub, site, LESSON), 900))


def test_every_student_gets_a_kernel_and_runs_the_lesson(class_run):
    failures = {s.name: s.failure for s in class_run.students if s.failure}
    assert not failures, failures
    errors = {s.name: s.cell_errors for s in class_run.students if s.cell_errors}
    assert not errors, errors
    cells = {len(s.cell_seconds) for s in class_run.students}
    assert len(cells) == 1 and cells.pop() > 5, "every student ran every code cell of the lesson"


def test_quiz_answers_survive_a_kernel_restart_for_everyone(class_run):
    for student in class_run.students:
        assert student.answered, f"{student.name} answered nothing"
    lost = {s.name: s.answers_lost for s in class_run.students if s.answers_lost}
    assert not lost, f"answers lost after a restart: {lost}"


def test_students_cannot_reach_each_other(class_run):
    assert class_run.isolation, "the isolation attempts did not run"
    allowed = {what: got for what, got in class_run.isolation.items() if got != "denied"}
    assert not allowed, allowed
    assert class_run.http_isolation in (403, 404), (
        f"another student's server answered {class_run.http_isolation} to a student's token")


def exit_code(output: str, step: str) -> int | None:
    """The exit code the kernel printed for `<tool> <step> …` (CMD lines of the harness)."""
    match = re.search(rf"^CMD \S+ {step} .*-> (\d+)$", output, re.M)
    return int(match.group(1)) if match else None


def test_release_fetch_submit_collect_grade_feedback(hub, site, class_run):
    students = site.students[:3]
    loop = asyncio.run(asyncio.wait_for(hh.classroom_loop(hub, site, students, ASSIGNMENT), 900))
    assert exit_code(loop["release"], "release_assignment") == 0, loop["release"]
    for name, out in loop["submit"].items():
        assert exit_code(out, "fetch_assignment") == 0 and exit_code(out, "submit") == 0, out
    assert loop["inbound_seen_by_student"] == "denied", loop["inbound_seen_by_student"]
    grading = loop["grade"]
    for step in ("collect", "grade", "generate_feedback", "release_feedback"):
        assert exit_code(grading, step) == 0, grading
    assert set(loop["graded"]) == {s.name for s in students}
    for name, files in loop["feedback"].items():
        assert files, f"{name} fetched no feedback"


def test_a_real_browser_joins_as_one_student(hub, site, class_run, tmp_path):
    from lab_server import CHROMIUM, launch_browser, output_problems, run_all, wait_idle

    if not CHROMIUM.exists():
        pytest.skip("no /usr/bin/chromium (.ci/run installs it)")
    from playwright.sync_api import sync_playwright

    student = site.students[-1]
    with sync_playwright() as p:
        browser = launch_browser(p)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(f"{hub.url}/hub/login", timeout=60_000)
            page.fill("#username_input", student.name)
            page.fill("#password_input", site.password)
            page.click("#login_submit")
            page.wait_for_url(f"**/user/{student.name}/lab**", timeout=120_000)
            page.goto(f"{hub.url}/user/{student.name}/lab/tree/{hh.QUIZ_NOTEBOOK}?reset")
            page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
            wait_idle(page)
            state = run_all(page, timeout_s=180)
            assert not output_problems(state), output_problems(state)
            page.wait_for_selector(".coursekit-question", timeout=30_000)
            page.screenshot(path=str(tmp_path / "hub_student.png"))
        finally:
            browser.close()
