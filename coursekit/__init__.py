"""coursekit — the small, generic engine behind the Safe Havens course module.

Modules (import what you need; nothing heavy is imported here):

- ``coursekit.paths``   – find the course folder (data/, notebooks/, seeds/) wherever it was pulled to
- ``coursekit.data``    – load a dataset by name, validated, with its citations
- ``coursekit.quiz``    – ipywidgets quizzes from question banks, answers saved to JSON
- ``coursekit.charts``  – house style for charts: palette, event markers, source line, alt text
- ``coursekit.grading`` – parallel nbgrader autograde with per-student status (``coursekit grade``)
"""

__version__ = "0.1.0"
