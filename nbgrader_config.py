"""nbgrader configuration for the Safe Havens exercises.

exercises/ is nbgrader's *source* directory: one folder per assignment, with solutions and hidden
tests. `nbgrader generate_assignment <id>` writes the student version to release/.
`coursekit grade <id>` (parallel autograde) reads this file too, so its scores equal
`nbgrader autograde <id>`'s. See docs/instructor_workflow.md.
"""
c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "exercises"
c.CourseDirectory.course_id = "safe-havens"
# Files the grader writes beside a student's notebook, and editor clutter, are not assignment files.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback",
                            ".DS_Store"]

# Per-cell timeout at grading (nbgrader's default is 30 s). `coursekit grade --timeout` overrides
# it and also kills a kernel that will not stop (a loop that swallows KeyboardInterrupt).
c.ExecutePreprocessor.timeout = 60
c.Execute.timeout = 60
# Do not fail the whole submission when the kernel stays busy after an interrupt.
c.Execute.raise_on_iopub_timeout = False

# Any stderr output in a test cell scores 0 (nbgrader's determine_grade). Remove known-harmless
# noise only; real warnings should be fixed in the exercise, not hidden here.
c.IgnorePattern.enabled = True
c.IgnorePattern.pattern = (
    r"^(Matplotlib is building the font cache"
    r"|.*DeprecationWarning: Jupyter is migrating its paths)"
)

# A deleted grade cell is put back from the gradebook (the student is graded, the grader reports
# "graded cell deleted") instead of failing the submission (nbgrader #1083).
c.OverwriteCells.add_missing_cells = True

# Quiz answers travel inside the notebook (an output of the quiz cell) and in a side file.
# Autograde clears outputs before running, so this step — before ClearOutput, on the submitted
# notebook — resolves them (newer answer wins) into the autograded copy that is run.
c.Autograde.sanitize_preprocessors = [
    "coursekit.grading.quiz_answers.ResolveQuizAnswers",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Long outputs are cut in the autograded notebook and the feedback.
c.LimitOutput.max_lines = 1000
c.LimitOutput.max_traceback = 100

# Feedback must not show hidden tests (nbgrader #917). ClearHiddenTests removes them from the
# feedback HTML; hidden checks call coursekit.checks helpers so a failing traceback shows what
# is wrong, not how it is tested.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
