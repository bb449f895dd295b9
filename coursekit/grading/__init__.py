"""Grading a class with nbgrader: ``coursekit grade`` and ``coursekit report``.

nbgrader does the grading; this package runs it for a whole class and reports on it.
How a submission flows through it::

    grade.py        submitted/<student>/<assignment>/ ──► checks.py (missing, renamed, corrupt,
                    edited cells) ──► a worker (worker.py) runs nbgrader autograde in a kernel
                    forked from a pre-warmed zygote (zygote.py, launcher.py; kernel.py sets the
                    memory and output limits) ──► gradebook.py merges each worker's gradebook
                    into the course gradebook ──► a status line per student
    report.py       gradebook + statuses ──► grades.csv, feedback, histogram
    nbgrader_env.py configuration and gradebook location shared by all of the above

Entry points: the ``coursekit grade`` / ``coursekit report`` commands (coursekit/cli.py), or
``coursekit.grading.grade.grade()`` and ``coursekit.grading.report.report()`` from Python.
Nothing is imported here, so a grading kernel that imports ``coursekit.grading.kernel`` stays light.
"""
