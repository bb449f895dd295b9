"""nbgrader configuration for the Safe Havens exercises.

exercises/ is nbgrader's *source* directory: one folder per assignment, with solutions and hidden
tests. `nbgrader generate_assignment <id>` writes the student version to release/.
"""
c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.root = "."
c.CourseDirectory.source_directory = "exercises"
c.CourseDirectory.course_id = "safe-havens"

# Per-cell timeout at grading (nbgrader's default is 30 s).
c.ExecutePreprocessor.timeout = 60
c.Execute.timeout = 60
