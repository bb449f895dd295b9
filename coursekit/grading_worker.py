"""One grading worker: a process that runs nbgrader's own autograde, one student at a time.

Each worker has its own copy of the gradebook (SQLite does not like concurrent writers); the
parent merges the copies into the course gradebook afterwards. Kernels start through
``coursekit.grading_kernel`` (memory and output limits) via a private ``python3`` kernelspec.
"""
from __future__ import annotations

import json
import os
import sys
import traceback
from pathlib import Path


def load_config(course_dir: Path, db_path: Path | None = None, timeout: int | None = None):
    """The course's nbgrader_config.py as a traitlets Config, with our overrides."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    config = Config()
    if (course_dir / "nbgrader_config.py").exists():
        config.merge(PyFileConfigLoader("nbgrader_config.py", path=str(course_dir)).load_config())
    config.CourseDirectory.root = str(course_dir)
    if db_path is not None:
        config.CourseDirectory.db_url = f"sqlite:///{db_path}"
    if timeout is not None:
        config.ExecutePreprocessor.timeout = timeout
        config.Execute.timeout = timeout
    return config


def make_api(config):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def write_kernelspec(folder: Path) -> Path:
    """A JUPYTER_PATH folder whose ``python3`` kernel is the limited grading kernel."""
    spec_dir = folder / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    spec = {
        "argv": [sys.executable, "-m", "coursekit.grading_kernel", "-f", "{connection_file}"],
        "display_name": "Python 3 (grading limits)",
        "language": "python",
        "metadata": {"debugger": False},
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec, indent=1))
    return folder


def kernel_env(jupyter_path: Path, memory_mb: int, output_limit: int) -> dict[str, str]:
    """Environment variables a worker (and so its kernels) runs with."""
    env = {
        "JUPYTER_PATH": os.pathsep.join(
            p for p in (str(jupyter_path), os.environ.get("JUPYTER_PATH", "")) if p),
        "COURSEKIT_GRADE_MEMORY_MB": str(memory_mb),
        "COURSEKIT_GRADE_OUTPUT_LIMIT": str(output_limit),
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "PYDEVD_DISABLE_FILE_VALIDATION": "1",
    }
    return env


def worker_main(conn, course_dir: str, db_path: str, timeout: int, env: dict[str, str],
                log_path: str) -> None:
    """Receive student ids on ``conn``, autograde each, send back (student, success, log).

    The worker's (and its kernels') own stdout/stderr go to ``log_path``, not the terminal.
    """
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.update(env)
    os.environ.pop("MPLBACKEND", None)
    import warnings

    warnings.simplefilter("ignore")  # nbgrader/SQLAlchemy noise; results go through the pipe
    import logging

    logging.getLogger("traitlets").setLevel(logging.ERROR)
    config = load_config(Path(course_dir), Path(db_path), timeout)
    api = make_api(config)
    conn.send(("ready", None))
    while True:
        job = conn.recv()
        if job is None:
            break
        assignment, student = job
        try:
            result = api.autograde(assignment, student, force=True, create=True)
            conn.send((student, bool(result.get("success")),
                       (result.get("log") or "") + (result.get("error") or "")))
        except Exception:  # noqa: BLE001 — one bad submission must not stop the worker
            conn.send((student, False, traceback.format_exc()))
    conn.close()
