"""A tiny nbgrader course built in a temporary folder, and submissions that break in known ways.

The grading engine is tested on this (fast, no data needed); the real exercises are tested in
test_exercises.py.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "tiny"


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=0):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3,
            "solution": solution, "task": False}
    if grade:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Tiny assignment", metadata=_meta("intro", locked=True)),
        new_code_cell("BASE = 2", metadata=_meta("setup", locked=True)),
        new_markdown_cell("**Q1 (2 points).** Write `double(x)`.",
                          metadata=_meta("q1_prompt", locked=True)),
        new_code_cell("def double(x):\n    ### BEGIN SOLUTION\n    return BASE * x\n"
                      "    ### END SOLUTION", metadata=_meta("q1_answer", solution=True)),
        new_code_cell("from coursekit.checks import Hidden, expect, passed\n"
                      "expect(double(3) == 6, 'double(3) should be 6')\npassed()\n"
                      "# the values the hidden checks look at (a function is not plain data)\n"
                      "doubles = {n: double(n) for n in range(-5, 21)}",
                      metadata=_meta("q1_check", locked=True)),
        new_code_cell("# Hidden checks (2 points) run when your work is graded.\n"
                      "### BEGIN HIDDEN TESTS\nh = Hidden(points=2)\n"
                      "h.that(lambda: doubles[10] == 20, 'double() is wrong for other numbers')"
                      "  # SECRET_HIDDEN_MARKER\nh.score()\n### END HIDDEN TESTS",
                      metadata=_meta("q1_hidden", grade=True, locked=True, points=2)),
        new_code_cell("total = None\n### BEGIN SOLUTION\ntotal = sum(range(5))\n"
                      "### END SOLUTION", metadata=_meta("q2_answer", solution=True)),
        new_code_cell("assert total == 10", metadata=_meta("q2_check", grade=True, locked=True,
                                                          points=3)),
        new_markdown_cell("YOUR ANSWER HERE", metadata=_meta("memo", grade=True, solution=True,
                                                              points=2)),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def nbgrader(course: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    env["COURSEKIT_ROOT"] = str(REPO)
    # nbgrader runs the `alembic` executable when it creates a gradebook: it must be on PATH
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env,
                          capture_output=True, text=True, check=check)


def make_course(course: Path) -> Path:
    """A course folder with the repo's nbgrader_config.py and the tiny assignment released."""
    (course / "exercises" / ASSIGNMENT).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    nbformat.write(source_notebook(), course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


def release(course: Path) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def answered(course: Path, q1="    return BASE * x", q2="total = sum(range(5))"):
    nb = release(course)
    _cell(nb, "q1_answer").source = "def double(x):\n" + q1
    _cell(nb, "q2_answer").source = q2
    _cell(nb, "memo").source = "My memo."
    return nb


def submit(course: Path, student: str, nb=None, *, name: str = f"{ASSIGNMENT}.ipynb",
           raw: str | None = None) -> Path:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        (folder / name).write_text(raw)
    elif nb is not None:
        nbformat.write(nb, folder / name)
    return folder


LOOP = ("import time\nwhile True:\n    try:\n        time.sleep(0.05)\n"
        "    except KeyboardInterrupt:\n        pass\ntotal = 10")


def make_submissions(course: Path) -> dict[str, str]:
    """One submission per failure mode; returns student → expected status."""
    submit(course, "good1", answered(course))
    submit(course, "good2", answered(course, q2="total = 11"))          # q1 right, q2 wrong
    submit(course, "good3", answered(course, q1="    return x + x"))
    submit(course, "blank", release(course))
    submit(course, "cheater", answered(course, q1="    return 6 if x == 3 else 0"))
    submit(course, "missing").joinpath("notes.txt").write_text("I forgot the notebook")
    submit(course, "renamed", answered(course), name=f"{ASSIGNMENT} (1).ipynb")
    submit(course, "corrupt", raw='{"cells": [ {"oops"')
    nb = answered(course)
    nb.cells = [c for c in nb.cells
                if c.metadata.get("nbgrader", {}).get("grade_id") != "q2_check"]
    submit(course, "deleted", nb)
    nb = answered(course)
    _cell(nb, "q1_check").source = "pass  # trust me"
    submit(course, "tampered", nb)
    submit(course, "looper", answered(course, q2=LOOP))
    submit(course, "crasher", answered(course, q1="    import os\n    os._exit(1)"))
    nb = answered(course)
    nb.cells.insert(4, new_code_cell("print('x' * 5_000_000)"))
    submit(course, "chatty", nb)
    nb = answered(course, q2="hog = bytearray(3 * 1024 ** 3)\ntotal = 10")
    submit(course, "hog", nb)
    nb = answered(course)
    nb.cells.insert(1, new_code_cell("import os\nos.kill(os.getpid(), 9)"))
    submit(course, "killer", nb)
    return {
        "good1": "graded", "good2": "graded", "good3": "graded", "blank": "graded",
        "cheater": "graded",
        "missing": "missing notebook", "renamed": "renamed notebook",
        "corrupt": "corrupt notebook", "deleted": "graded cell deleted",
        "tampered": "locked cell edited", "looper": "timed out", "crasher": "kernel died",
        "chatty": "graded", "hog": "graded", "killer": "kernel died",
    }


def tree_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
            digest.update(str(path.stat().st_mtime_ns).encode())
    return digest.hexdigest()
