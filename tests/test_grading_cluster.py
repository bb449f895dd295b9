"""`coursekit grade --scheduler ADDRESS`: grading on an existing Dask cluster.

The test starts a `dask scheduler` and two `dask worker` processes (as an instructor's cluster
would run them, sharing the course folder's file system), grades the tiny course there, and
compares with the scores of the default LocalCluster run in test_grading.py's fixture course.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from grading_fixtures.tiny_course import (ASSIGNMENT, REPO, answered, make_course, release,
                                          submit)

pytestmark = pytest.mark.slow


def _dask(*args: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, COURSEKIT_ROOT=str(REPO))
    env.pop("MPLBACKEND", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with log.open("w") as handle:
        return subprocess.Popen([str(Path(sys.executable).parent / "dask"), *args],
                                env=env, stdout=handle, stderr=subprocess.STDOUT,
                                start_new_session=True)


@pytest.fixture
def cluster(tmp_path):
    info = tmp_path / "scheduler.json"
    processes = [_dask("scheduler", "--scheduler-file", str(info), "--port", "0",
                       "--no-dashboard", "--host", "127.0.0.1", log=tmp_path / "scheduler.log")]
    try:
        deadline = time.monotonic() + 60
        while not info.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        address = json.loads(info.read_text())["address"]
        for index in range(2):
            processes.append(_dask("worker", address, "--nthreads", "1", "--no-dashboard",
                                   "--name", f"w{index}", log=tmp_path / f"worker{index}.log"))
        from distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in reversed(processes):
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_grade_on_an_existing_cluster(tmp_path, cluster):
    from nbgrader.api import Gradebook

    course = make_course(tmp_path / "course")
    submit(course, "good1", answered(course))
    submit(course, "blank", release(course))
    submit(course, "cheater", answered(course, q1="    return 6 if x == 3 else 0"))
    result = subprocess.run(
        [sys.executable, "-m", "coursekit.cli", "grade", ASSIGNMENT, "--course-dir",
         str(course), "--scheduler", cluster, "--no-progress", "--timeout", "10"],
        capture_output=True, text=True, timeout=300,
        env=dict(os.environ, COURSEKIT_ROOT=str(REPO)))
    assert result.returncode == 0, result.stderr[-2000:]
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        got = {s.student.id: s.code_score for s in gb.find_assignment(ASSIGNMENT).submissions}
    assert got == {"good1": 5, "blank": 0, "cheater": 3}
    assert all(line.split()[1] == "graded" for line in result.stdout.splitlines()
               if line.split() and line.split()[0] in got)


def test_grading_without_the_sandbox_still_judges_and_says_why(tmp_path, monkeypatch):
    """Not root / macOS / Windows: the judge still decides, and the command says so once."""
    from coursekit.grading.grade import Limits, grade
    from grading_fixtures.tiny_course import _cell

    monkeypatch.setenv("COURSEKIT_SANDBOX", "0")
    monkeypatch.setenv("COURSEKIT_ROOT", str(REPO))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    course = make_course(tmp_path / "course")
    submit(course, "good1", answered(course))
    forger = release(course)
    _cell(forger, "q1_answer").source = (
        "import coursekit.checks as _c\n_c.Hidden.score = lambda self: self.points\n"
        "def double(x):\n    return 0")
    submit(course, "forger", forger)
    lines: list[str] = []
    results = {r.student: r for r in grade(course, ASSIGNMENT, workers=2, progress=False,
                                           echo=lines.append, limits=Limits(timeout=10))}
    assert sum(line.startswith("sandbox off:") for line in lines) == 1
    assert (results["good1"].score, results["forger"].score) == (5, 0)
    assert "coursekit.checks" in results["forger"].reason
