"""Grading a class with nbgrader: ``coursekit grade`` and ``coursekit report``.

nbgrader does the grading; this package runs it for a whole class and reports on it.
How a submission flows through it::

    grade.py        submitted/<student>/<assignment>/ ──► checks.py (missing, renamed, corrupt,
                    edited cells) ──► one Dask task per submission (a LocalCluster, or
                    --scheduler ADDRESS) ──► worker.py runs nbgrader autograde:
                      quiz_answers.py   quiz answers from the notebook and/or the side file
                      judged.py         the kernel (forked from a pre-warmed zygote.py via
                                        launcher.py; kernel.py sets memory/output limits; run
                                        as a sandbox.py user) only exports the names the hidden
                                        checks use (export.py, as plain data: plain.py) ...
                      judge.py          ... and a fresh interpreter runs the hidden checks on
                                        them; its scores go into the grade cells
                    ──► gradebook.py merges the task's rows into the course gradebook
                    ──► a status line per student
    report.py       gradebook + statuses ──► grades.csv, feedback, histogram; lms.py ──► an
                    LMS gradebook import file (Canvas, Moodle, Blackboard) from a roster
    nbgrader_env.py configuration and gradebook location shared by all of the above

Entry points: the ``coursekit grade`` / ``coursekit report`` commands (coursekit/cli.py), or
``coursekit.grading.grade.grade()`` and ``coursekit.grading.report.report()`` from Python.
Nothing is imported here, so a grading kernel that imports ``coursekit.grading.kernel`` stays light.
"""
