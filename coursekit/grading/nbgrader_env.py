"""Shared nbgrader set-up for the grading package: configuration, gradebook location, quiet logs.

Every job in the package (grade, report, bundle) starts here, so none of them imports another.
"""
from __future__ import annotations

import contextlib
import os
import sys
import warnings
from pathlib import Path

from ..errors import UsageError
from .worker import load_config, make_api


@contextlib.contextmanager
def quiet_nbgrader():
    """nbgrader's own SQLAlchemy warnings are not ours to fix; keep them off the console."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


def nbgrader_path_env() -> None:
    """nbgrader runs the `alembic` executable when it creates a gradebook: put ours on PATH."""
    bindir = str(Path(sys.executable).parent)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.pathsep.join([bindir, os.environ.get("PATH", "")])


class GradingUsageError(UsageError):
    """The command cannot run at all (no such course, assignment not generated, …)."""


def gradebook_path(course_dir: Path) -> Path:
    from nbgrader.coursedir import CourseDirectory

    url = CourseDirectory(config=load_config(course_dir)).db_url
    if not url.startswith("sqlite:///"):
        raise GradingUsageError(f"parallel grading needs an SQLite gradebook; got {url}")
    return Path(url[len("sqlite:///"):])


def make_api_for(course_dir: Path):
    """An NbGraderAPI on the course gradebook, configured from nbgrader_config.py."""
    return make_api(load_config(course_dir, gradebook_path(course_dir)))
