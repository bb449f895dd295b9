"""One grading worker: a process that runs nbgrader's own autograde, one student at a time.

Each worker has its own copy of the gradebook (SQLite does not like concurrent writers); the
parent merges the copies into the course gradebook afterwards. Kernels start through
``coursekit.grading.kernel`` (memory and output limits) via a private ``python3`` kernelspec;
with ``prewarm`` each worker also runs a zygote (``coursekit.grading.zygote``) and the spec's
launcher forks kernels from it instead of starting a new interpreter each time.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import traceback
from pathlib import Path

from ..fastimport import import_jsonschema


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


def cache_nbgrader_schema_checks() -> None:
    """nbgrader validates every cell's metadata with ``jsonschema.validate``, which re-checks
    the schema itself each time (~30 ms per notebook); check it once, validate the same way."""
    import types

    import jsonschema
    from nbgrader.nbgraderformat import common

    validators: dict[int, tuple[dict, object]] = {}

    def validate(instance, schema):
        if id(schema) not in validators:
            cls = jsonschema.validators.validator_for(schema)
            cls.check_schema(schema)
            validators[id(schema)] = (schema, cls(schema))  # keeps schema alive: id stays valid
        error = jsonschema.exceptions.best_match(validators[id(schema)][1].iter_errors(instance))
        if error is not None:
            raise error

    common.jsonschema = types.SimpleNamespace(validate=validate)


def make_api(config):
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    return NbGraderAPI(coursedir=coursedir, config=config)


def write_kernelspec(folder: Path, prewarm: bool = False) -> Path:
    """A JUPYTER_PATH folder whose ``python3`` kernel is the limited grading kernel.

    With ``prewarm`` the spec runs ``coursekit.grading.launcher``, which forks the kernel from
    the worker's zygote (and falls back to ``coursekit.grading.kernel`` without one).
    """
    spec_dir = folder / "kernels" / "python3"
    spec_dir.mkdir(parents=True, exist_ok=True)
    module = "coursekit.grading.launcher" if prewarm else "coursekit.grading.kernel"
    spec = {
        "argv": [sys.executable, "-m", module, "-f", "{connection_file}"],
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


def prewarm_enabled() -> bool:
    """Pre-warmed kernels are on unless COURSEKIT_GRADE_PREWARM is 0/no/false/off."""
    value = os.environ.get("COURSEKIT_GRADE_PREWARM", "1").strip().lower()
    return value not in ("0", "no", "false", "off")


def start_zygote(socket_path: Path) -> subprocess.Popen | None:
    """Start this worker's zygote (it exits when our end of its stdin closes)."""
    if len(str(socket_path).encode()) > 100:  # AF_UNIX path limit: grade without it
        return None
    return subprocess.Popen([sys.executable, "-m", "coursekit.grading.zygote", str(socket_path)],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE)


def wait_zygote(zygote: subprocess.Popen | None, socket_path: Path, timeout: float = 60) -> bool:
    """True once the zygote listens; the launcher then forks kernels from it."""
    if zygote is None:
        return False
    ready, _, _ = select.select([zygote.stdout], [], [], timeout)
    if ready and zygote.stdout.readline().strip() == b"ready":
        os.environ["COURSEKIT_GRADE_ZYGOTE"] = str(socket_path)
        return True
    stop_zygote(zygote)
    return False


def stop_zygote(zygote: subprocess.Popen | None) -> None:
    if zygote is None:
        return
    os.environ.pop("COURSEKIT_GRADE_ZYGOTE", None)
    zygote.stdin.close()
    try:
        zygote.wait(timeout=10)
    except subprocess.TimeoutExpired:
        zygote.kill()
        zygote.wait()
    zygote.stdout.close()


def worker_main(conn, course_dir: str, db_path: str, timeout: int, env: dict[str, str],
                log_path: str, prewarm: bool = False) -> None:
    """Receive student ids on ``conn``, autograde each, send back (student, success, log).

    The worker's (and its kernels') own stdout/stderr go to ``log_path``, not the terminal.
    """
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.environ.update(env)
    os.environ.pop("MPLBACKEND", None)
    socket_path = Path(db_path).with_suffix(".sock")
    zygote = start_zygote(socket_path) if prewarm else None  # imports while we import nbgrader
    import_jsonschema()
    import warnings

    warnings.simplefilter("ignore")  # nbgrader/SQLAlchemy noise; results go through the pipe
    import logging

    logging.getLogger("traitlets").setLevel(logging.ERROR)
    config = judged_config(load_config(Path(course_dir), Path(db_path), timeout))
    api = make_api(config)
    cache_nbgrader_schema_checks()
    context = start_context()
    wait_zygote(zygote, socket_path)
    conn.send(("ready", None))
    while True:
        job = conn.recv()
        if job is None:
            break
        assignment, student = job
        conn.send(grade_one(api, context, assignment, student))
    context.close()
    stop_zygote(zygote)
    conn.close()


def judged_config(config):
    """nbgrader's autograde pipeline with Execute replaced by the judged one (judged.py)."""
    from nbgrader.converters import Autograde
    from nbgrader.preprocessors import Execute

    from .judged import JudgedExecute

    if "autograde_preprocessors" in config.Autograde:
        steps = list(config.Autograde.autograde_preprocessors)
    else:
        steps = list(Autograde.class_traits()["autograde_preprocessors"].default())
    # outputs are collected once the last cell ran: stop the kernel without waiting for it
    config.Execute.shutdown_kernel = "immediate"
    config.Autograde.autograde_preprocessors = [
        JudgedExecute if step in (Execute, "nbgrader.preprocessors.Execute") else step
        for step in steps]
    return config


def private_paths(config) -> list[str]:
    """Course paths a sandboxed kernel must not see: hidden tests, other students, gradebook."""
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    root = Path(coursedir.root)
    paths = [root / getattr(coursedir, name) for name in (
        "source_directory", "submitted_directory", "autograded_directory",
        "feedback_directory")]
    url = coursedir.db_url
    if url.startswith("sqlite:///"):
        paths.append(Path(url[len("sqlite:///"):]))
    paths.append(root / "gradebook.db")
    return sorted({str(p.resolve()) for p in paths})  # checked again as each kernel starts


def start_context(config=None):
    """The judge and, when the machine allows it, a sandbox slot for this grading process."""
    from . import judged
    from .sandbox import Slot, sandbox_status

    slot = None
    if sandbox_status().enabled:
        try:
            slot = Slot()
        except OSError:
            slot = None
    hide = private_paths(config) if config is not None and slot is not None else []
    judged.CONTEXT = judged.Context(slot, hide)
    return judged.CONTEXT


def grade_one(api, context, assignment: str, student: str) -> tuple:
    """(student, success, log, report) for one submission, autograded with the judge."""
    from .judged import Report

    context.report = Report()
    try:
        result = api.autograde(assignment, student, force=True, create=True)
        return (student, bool(result.get("success")),
                (result.get("log") or "") + (result.get("error") or ""),
                context.report.as_dict())
    except Exception:  # noqa: BLE001 — one bad submission must not stop the worker
        return student, False, traceback.format_exc(), context.report.as_dict()


# --- Dask: one task per submission ------------------------------------------------------------

class _State:
    """What a grading process keeps between tasks of one run: gradebook copy, zygote, judge."""

    def __init__(self, settings: dict):
        import shutil
        import tempfile

        self.run = settings["run"]
        self.tmp = Path(tempfile.mkdtemp(prefix="ckw-"))
        self.db = self.tmp / "gradebook.db"
        shutil.copy(settings["db"], self.db)
        if settings.get("quiet_fds"):
            log = os.open(self.tmp / "worker.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            os.dup2(log, 1)
            os.dup2(log, 2)
        os.environ.update(kernel_env(write_kernelspec(self.tmp / "jupyter", settings["prewarm"]),
                                     settings["memory_mb"], settings["output_limit"]))
        os.environ.pop("MPLBACKEND", None)
        os.environ["COURSEKIT_GRADE_WORKER"] = "1"
        socket_path = self.tmp / "z.sock"
        self.zygote = start_zygote(socket_path) if settings["prewarm"] else None
        import_jsonschema()
        import logging
        import warnings

        warnings.simplefilter("ignore")
        logging.getLogger("traitlets").setLevel(logging.ERROR)
        config = judged_config(load_config(Path(settings["course_dir"]), self.db,
                                           settings["timeout"]))
        self.api = make_api(config)
        cache_nbgrader_schema_checks()
        main_config = load_config(Path(settings["course_dir"]), Path(settings["db"]))
        self.context = start_context(main_config)
        wait_zygote(self.zygote, socket_path)

    def close(self) -> None:
        import shutil

        self.context.close()
        stop_zygote(self.zygote)
        shutil.rmtree(self.tmp, ignore_errors=True)


_STATE: _State | None = None


def close_state() -> None:
    global _STATE
    if _STATE is not None:
        _STATE.close()
        _STATE = None


def _kill_kernels(context) -> None:
    """Stop this process's running kernel (wall-clock limit)."""
    import psutil

    if context.slot is not None:
        context.slot.sweep()
    for child in psutil.Process().children(recursive=True):
        try:
            cmdline = " ".join(child.cmdline())
            if "coursekit.grading.launcher" in cmdline or "coursekit.grading.kernel" in cmdline:
                child.kill()
        except psutil.Error:
            pass


def grade_task(assignment: str, student: str, settings: dict) -> dict:
    """Dask task: autograde one submission with the judge; return its outcome and gradebook rows.

    Times per stage (seconds) come back too: kernel start, execution, judge, gradebook.
    """
    import threading
    import time

    from .gradebook import submission_rows

    global _STATE
    started = time.perf_counter()
    if _STATE is not None and _STATE.run != settings["run"]:
        close_state()
    if _STATE is None:
        _STATE = _State(settings)
    state = _STATE
    fired = threading.Event()

    def overrun():
        fired.set()
        _kill_kernels(state.context)

    timer = threading.Timer(settings["wall"], overrun)
    timer.daemon = True
    timer.start()
    try:
        student, success, log, report = grade_one(state.api, state.context, assignment, student)
    finally:
        timer.cancel()
    rows = submission_rows(state.db, assignment, student)
    outcome = "killed" if fired.is_set() else ("ok" if success else "failed")
    report["times"]["total"] = time.perf_counter() - started
    return {"student": student, "outcome": outcome, "log": log if outcome != "ok" else log[-2000:],
            "report": report, "rows": rows}
