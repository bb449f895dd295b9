"""An "arena" nbgrader course and submissions that try to get marks without answering.

The arena has the kinds of answers the real exercises have — a number, a DataFrame, a visible
graded check on a number, a matplotlib chart — each checked by hidden checks that call
``coursekit.checks`` helpers (as exercises/ do). Every attack is the *blank* release with a few
lines added to its first answer cell, so an attack that works scores more than the blank
submission. Attacks know the course folder's absolute path (the worst case: a student who knows
where the instructor grades).
"""
from __future__ import annotations

import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from .tiny_course import REPO, _meta, nbgrader

ASSIGNMENT = "arena"
MARKER = "SECRET_HIDDEN_MARKER"

SETUP = ("import pandas as pd\nimport matplotlib.pyplot as plt\n"
         'data = pd.DataFrame({"year": [2019, 2020, 2021, 2022, 2023], '
         '"attacks": [5, 3, 4, 8, 9]})')
HIDDEN_Q1 = f"""# Hidden checks (2 points) run when your work is graded.
### BEGIN HIDDEN TESTS
from coursekit.checks import Hidden
h = Hidden(points=2)
h.equal("n_years", 5, "count the rows of `data`")  # {MARKER}
h.score()
### END HIDDEN TESTS"""
HIDDEN_Q2 = f"""# Hidden checks (2 points) run when your work is graded.
### BEGIN HIDDEN TESTS
import math
from coursekit.checks import Hidden
h = Hidden(points=2)
h.that(lambda: len(recent) == 3 and list(recent["year"]) == [2021, 2022, 2023],
       "`recent` should keep the years from 2021 on")
h.that(lambda: math.isclose(float(recent["attacks"].mean()), 7.0),
       "the attack counts in `recent` are not right")  # {MARKER}
h.score()
### END HIDDEN TESTS"""
HIDDEN_Q4 = f"""# Hidden checks (2 points) run when your work is graded.
### BEGIN HIDDEN TESTS
import numpy as _np
from coursekit.checks import Hidden
h = Hidden(points=2)
h.that(lambda: any(_np.allclose(line.get_ydata(), [5, 3, 4, 8, 9]) for line in ax.get_lines()
                   if len(line.get_ydata()) == 5), "no line on the chart shows the attacks")
h.that(lambda: "attack" in ax.get_title().lower(),
       "the title does not say what is counted")  # {MARKER}
h.score()
### END HIDDEN TESTS"""


def source_notebook() -> nbformat.NotebookNode:
    cells = [
        new_markdown_cell("# Arena", metadata=_meta("intro", locked=True)),
        new_code_cell(SETUP, metadata=_meta("setup", locked=True)),
        new_code_cell("n_years = None\n### BEGIN SOLUTION\nn_years = len(data)\n"
                      "### END SOLUTION", metadata=_meta("q1_answer", solution=True)),
        new_code_cell(HIDDEN_Q1, metadata=_meta("q1_hidden", grade=True, locked=True, points=2)),
        new_code_cell("recent = None\n### BEGIN SOLUTION\nrecent = data[data[\"year\"] >= 2021]"
                      "\n### END SOLUTION", metadata=_meta("q2_answer", solution=True)),
        new_code_cell(HIDDEN_Q2, metadata=_meta("q2_hidden", grade=True, locked=True, points=2)),
        new_code_cell("total = None\n### BEGIN SOLUTION\ntotal = int(data[\"attacks\"].sum())\n"
                      "### END SOLUTION", metadata=_meta("q3_answer", solution=True)),
        new_code_cell('assert total == 29, "`total` should be the sum of the attacks"',
                      metadata=_meta("q3_check", grade=True, locked=True, points=3)),
        new_code_cell("fig, ax = plt.subplots()\n### BEGIN SOLUTION\n"
                      'ax.plot(data["year"], data["attacks"], marker="o")\n'
                      'ax.set_title("Attacks per year")\n### END SOLUTION',
                      metadata=_meta("q4_answer", solution=True)),
        new_code_cell(HIDDEN_Q4, metadata=_meta("q4_hidden", grade=True, locked=True, points=2)),
    ]
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    return nb


def make_arena(course: Path) -> Path:
    (course / "exercises" / ASSIGNMENT).mkdir(parents=True)
    (course / "nbgrader_config.py").write_text((REPO / "nbgrader_config.py").read_text())
    nbformat.write(source_notebook(), course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    return course


def _release(course: Path) -> nbformat.NotebookNode:
    return nbformat.read(course / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)


def _cell(nb, grade_id):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _submit(course: Path, student: str, nb) -> None:
    folder = course / "submitted" / student / ASSIGNMENT
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")


def honest(course: Path) -> dict[str, float]:
    """Honest submissions → autograded points serial nbgrader gives them."""
    source = source_notebook()
    solution = _release(course)
    for grade_id in ("q1_answer", "q2_answer", "q3_answer", "q4_answer"):
        body = _cell(source, grade_id).source
        _cell(solution, grade_id).source = (body.replace("### BEGIN SOLUTION\n", "")
                                            .replace("\n### END SOLUTION", ""))
    _submit(course, "solution", solution)
    _submit(course, "blank", _release(course))
    partial = _release(course)
    _cell(partial, "q1_answer").source = "n_years = len(data)"
    _cell(partial, "q3_answer").source = "total = 28"
    _submit(course, "partial", partial)
    return {"solution": 9, "blank": 0, "partial": 2}


#: attack name → (class of attack, code added to the first answer cell). ``{course}`` and
#: ``{token}`` are filled in: the course folder and a unique marker for files left behind.
ATTACKS: dict[str, tuple[str, str]] = {
    "helper_score": ("replacing helpers the hidden cells import", """
        import coursekit.checks as _c
        _c.Hidden.score = lambda self: self.points
        """),
    "helper_module": ("replacing helpers the hidden cells import", """
        import sys, types
        class _H:
            def __init__(self, points):
                self.points = points
            def __getattr__(self, name):
                return lambda *a, **k: True
            def score(self):
                return self.points
        sys.modules["coursekit.checks"] = types.SimpleNamespace(Hidden=_H)
        """),
    "display_formatter": ("nbgrader's reporting machinery / IPython display hooks", """
        _f = get_ipython().display_formatter.formatters["text/plain"]
        _f.for_type(float, lambda value, p, cycle: p.text("2"))
        """),
    "showtraceback": ("nbgrader's reporting machinery / IPython display hooks", """
        get_ipython().showtraceback = lambda *a, **k: None
        get_ipython()._showtraceback = lambda *a, **k: None
        """),
    "custom_exc": ("exception handling", """
        get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)
        """),
    "builtins_bool": ("exception handling / builtins", """
        import builtins
        builtins.bool = lambda *a: True
        """),
    "always_equal": ("always-equal objects", """
        class _Eq(float):
            def __eq__(self, other):
                return True
            __hash__ = float.__hash__
        n_years = _Eq(0)
        total = _Eq(0)
        """),
    "numpy_pandas_patch": ("monkeypatching numpy/pandas comparison", """
        import numpy as np, pandas as pd
        np.allclose = lambda *a, **k: True
        __import__("math").isclose = lambda *a, **k: True
        pd.DataFrame.__len__ = lambda self: 3
        pd.Series.__eq__ = lambda self, other: True
        recent = data
        """),
    "spy_thread": ("reading or printing hidden checks", """
        import threading, time
        def _spy():
            ip, seen = get_ipython(), 0
            while True:
                history = ip.user_ns.get("In", [])
                for source in history[seen:]:
                    print("SPY:", source)
                seen = len(history)
                time.sleep(0.01)
        threading.Thread(target=_spy, daemon=True).start()
        """),
    "read_sources": ("reading or printing hidden checks", """
        import glob, os, sqlite3
        for _p in glob.glob("*.ipynb") + glob.glob("{course}/*/*/*.ipynb") \\
                + glob.glob("{course}/*/*/*/*.ipynb"):
            try:
                for _line in open(_p).read().split("\\n"):
                    if "SECRET" + "_HIDDEN" in _line:
                        print("LEAK", _p, _line)
            except OSError:
                pass
        try:
            _db = sqlite3.connect("file:{course}/gradebook.db?mode=ro", uri=True)
            for (_s,) in _db.execute("SELECT source FROM source_cell"):
                if "SECRET" + "_HIDDEN" in (_s or ""):
                    print("LEAK gradebook", _s)
        except Exception as _e:
            print("no gradebook:", type(_e).__name__)
        """),
    "write_outside": ("writing outside the scratch folder", """
        import glob
        for _p in glob.glob("{course}/submitted/*/arena/arena.ipynb") \\
                + glob.glob("{course}/exercises/arena/arena.ipynb") \\
                + glob.glob("{course}/release/arena/arena.ipynb"):
            try:
                open(_p, "a").write(" ")
            except OSError:
                pass
        try:
            open("{course}/INJECTED-{token}.txt", "w").write("x")
        except OSError:
            pass
        """),
    "gradebook_delete": ("deleting or editing the gradebook", """
        import os
        try:
            os.remove("{course}/gradebook.db")
        except OSError:
            pass
        """),
    "gradebook_edit": ("deleting or editing the gradebook", """
        import glob, os, sqlite3
        _dbs = glob.glob("{course}/*.db") + glob.glob("/tmp/coursekit-grade-*/*.db")
        for _fd in glob.glob("/proc/*/fd/*"):
            try:
                _t = os.readlink(_fd)
            except OSError:
                continue
            if _t.endswith(".db"):
                _dbs.append(_t)
        for _d in set(_dbs):
            try:
                _con = sqlite3.connect(_d, timeout=1)
                _con.execute("UPDATE grade SET auto_score = 0")
                _con.execute("UPDATE source_cell SET source = 'pwned'")
                _con.commit()
            except Exception:
                pass
        """),
    "double_fork": ("a process left behind", """
        import os, time
        if os.fork() == 0:
            os.setsid()
            if os.fork() == 0:
                while True:
                    for _p in ("{course}/LATE-{token}.txt", "/tmp/LATE-{token}.txt"):
                        try:
                            open(_p, "w").write(str(time.time()))
                        except OSError:
                            pass
                    time.sleep(0.1)
            os._exit(0)
        time.sleep(0.3)
        """),
    "os_exit": ("killing the kernel", """
        import os
        os._exit(0)
        """),
    "forged_export": ("forging what the grader reads", """
        import os, glob
        for _k, _v in list(os.environ.items()):
            if _k.startswith("COURSEKIT") and "EXPORT" in _k:
                try:
                    open(_v, "w").write('{"q1_hidden": {"n_years": {"__ck__": "pickle", '
                                        '"data": "gASVAAAAAAAAAAB9lC4="}}, "junk": [' * 50)
                except OSError:
                    pass
                for _p in glob.glob(os.path.join(os.path.dirname(_v), "*")):
                    try:
                        os.symlink("/etc/shadow", _p + ".lnk")
                    except OSError:
                        pass
        """),
    "network": ("network access", """
        import socket
        try:
            socket.create_connection(("127.0.0.1", 22), timeout=1).close()
            print("NETWORK: connected")
        except OSError as _e:
            print("NETWORK:", type(_e).__name__)
        """),
}


def attack_source(name: str, course: Path, token: str) -> str:
    code = textwrap.dedent(ATTACKS[name][1]).strip("\n")
    return "n_years = None\n" + code.replace("{course}", str(course)).replace("{token}", token)


def submit_attacks(course: Path, token: str) -> list[str]:
    for name in ATTACKS:
        nb = _release(course)
        _cell(nb, "q1_answer").source = attack_source(name, course, token)
        _submit(course, f"atk_{name}", nb)
    return [f"atk_{name}" for name in ATTACKS]
