"""coursekit — the small, generic engine behind the Safe Havens course module.

Modules (import what you need; nothing heavy is imported here):

- ``coursekit.paths``   – find the course folder (data/, notebooks/, seeds/) wherever it was pulled to
- ``coursekit.data``    – load a dataset by name, validated, with its citations
- ``coursekit.charts``  – house style for charts: palette, event markers, source line, alt text
- ``coursekit.claims``  – the claims register's verdicts, and its table for the instructor guide
- ``coursekit.timing``  – the lessons' timing model (``python -m coursekit.timing``)
- ``coursekit.rubric``  – the memo rubric, rendered from its data file
- ``coursekit.a11y``    – accessible DataFrame HTML (installed on import); keyboard guard for widgets
- ``coursekit.timeline`` – the interactive timeline widget of lesson 1
- ``coursekit.checks``  – the public self-checks students run in exercises
- ``coursekit.quiz``    – package: ipywidgets quizzes from question banks, answers saved to JSON
- ``coursekit.grading`` – package: parallel nbgrader autograde with per-student status and the
  instructor's reports (``coursekit grade``, ``coursekit report``)
- ``coursekit.bundle``  – the solution-free student bundle (``coursekit bundle``)
- ``coursekit.cli``     – the ``coursekit`` command; ``coursekit.errors`` – the usage error it reports
"""

__version__ = "0.1.0"

from coursekit import a11y as _a11y

_a11y.install()  # DataFrames in notebooks: keyboard-reachable, no empty header cells
