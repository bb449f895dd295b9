"""The `coursekit` command reports every job's usage problem the same way: one line, exit code 2."""
from __future__ import annotations

import pytest

from coursekit import cli
from coursekit.errors import UsageError


def test_every_job_raises_a_usage_error():
    from coursekit.bundle import BundleError
    from coursekit.grading.lms import RosterError
    from coursekit.grading.nbgrader_env import GradingUsageError
    from coursekit.grading.report import ReportError
    from coursekit.quiz.report import QuizReportError

    for error in (BundleError, RosterError, GradingUsageError, ReportError, QuizReportError):
        assert issubclass(error, UsageError), error


@pytest.mark.parametrize("argv, prefix", [
    (["grade", "ex1_pandas"], "coursekit grade: "),
    (["bundle", "--out", "{tmp}/out"], "coursekit bundle: "),
])
def test_a_usage_problem_is_one_line_and_exit_code_2(argv, prefix, tmp_path, capsys):
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv] + ["--course-dir", str(tmp_path)]
    assert cli.main(argv) == cli.USAGE_ERROR
    err = capsys.readouterr().err.strip()
    assert err.startswith(prefix) and "\n" not in err, err
