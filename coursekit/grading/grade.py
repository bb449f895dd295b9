"""``coursekit grade``: nbgrader autograde for a whole class, in parallel, with a status per student.

nbgrader does the grading (its ``Autograde`` app through ``NbGraderAPI``); this module adds what
it lacks: parallel grading on Dask distributed (a LocalCluster sized to the cores, or an existing
cluster's scheduler) with a progress bar (nbgrader #174, #1456), memory/output limits and a
wall-clock limit that kills a kernel which will not stop, and a status and reason per student
(missing, renamed, corrupt, deleted or edited cells, timeouts, dead kernels, score mismatches,
tampering). Hidden checks are judged outside the student's kernel (judged.py, judge.py) and
student code runs sandboxed where the machine allows it (sandbox.py). ``submitted/`` is only
read. Results land in the course gradebook, so formgrader, generate_feedback and export work as
usual.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path

from ..fastimport import import_jsonschema

import_jsonschema()  # before nbformat (checks) imports it

from . import checks, quiz_answers  # noqa: E402
from .sandbox import sandbox_status  # noqa: E402
from .gradebook import zero_autograded  # noqa: E402
from .nbgrader_env import (GradingUsageError, gradebook_path, make_api_for,  # noqa: E402
                           nbgrader_path_env, quiet_nbgrader)
from .worker import load_config, make_api, prewarm_enabled  # noqa: E402

DEFAULT_TIMEOUT = 60
DEFAULT_MEMORY_MB = 2048
DEFAULT_OUTPUT_LIMIT = 1_000_000


@dataclass
class StudentResult:
    student: str
    status: str
    reason: str = ""
    score: float | None = None
    max_score: float | None = None
    times: dict | None = None  # seconds per stage of the judged run (bench/bench_grading.py)

    def line(self) -> str:
        score = "—" if self.score is None else f"{self.score:g}/{self.max_score:g}"
        return f"{self.student:<16} {self.status:<20} {score:>9}  {self.reason}".rstrip()


@dataclass
class Limits:
    timeout: int = DEFAULT_TIMEOUT
    memory_mb: int = DEFAULT_MEMORY_MB
    output_limit: int = DEFAULT_OUTPUT_LIMIT
    wall_limit: float | None = None  # seconds per submission; default from timeout

    @property
    def wall(self) -> float:
        return self.wall_limit if self.wall_limit else 4 * self.timeout + 30


def default_workers() -> int:
    """Grading processes for this machine: half again as many as cores.

    A worker waits for its kernel about a third of the time (start-up, replies), so a few more
    workers than cores keep the cores busy: on 2 cores, 3 workers grade 50 submissions of ex1 in
    24 s where 2 take 35 s (bench/bench_grading.py).
    """
    cores = os.cpu_count() or 1
    return max(cores + 1, -(-3 * cores // 2))


def submitted_students(course_dir: Path, assignment: str, only: list[str] | None) -> list[str]:
    base = course_dir / "submitted"
    found = sorted(p.parent.name for p in base.glob(f"*/{assignment}") if p.is_dir())
    if only:
        unknown = sorted(set(only) - set(found))
        if unknown:
            raise GradingUsageError(
                f"no submission of {assignment} for: {', '.join(unknown)} (looked in {base})")
        found = [s for s in found if s in only]
    return found


def _prepare(db: Path, assignment: str, students: list[str]):
    from nbgrader.api import Gradebook, MissingEntry

    with quiet_nbgrader(), Gradebook(f"sqlite:///{db}") as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise GradingUsageError(
                f"assignment '{assignment}' is not in the gradebook {db}: run "
                f"`nbgrader generate_assignment {assignment}` first") from None
        for student in students:
            gb.update_or_create_student(student)
        return checks.expected_cells(gb, assignment)


def _run_dask(course_dir: Path, db: Path, assignment: str, students: list[str], *,
              workers: int, limits: Limits, prewarm: bool, scheduler: str | None,
              on_result) -> None:
    """Grade each student as one Dask task; merge each one's gradebook rows as it finishes.

    Without ``scheduler`` a LocalCluster of ``workers`` processes (one thread each) runs here;
    with it, the tasks go to that cluster, whose workers must see the course folder at the
    same path (a shared file system) and have coursekit installed.
    """
    import logging
    import uuid

    from distributed import Client, LocalCluster, as_completed

    from .gradebook import replace_submission_rows
    from .worker import close_state, grade_task

    settings = {"run": uuid.uuid4().hex, "course_dir": str(course_dir), "db": str(db),
                "timeout": limits.timeout, "memory_mb": limits.memory_mb,
                "output_limit": limits.output_limit, "prewarm": prewarm, "wall": limits.wall,
                "quiet_fds": scheduler is None}
    cluster = None
    if scheduler:
        client = Client(scheduler, timeout=30)
    else:
        cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                               dashboard_address="127.0.0.1:0",  # any free local port: no clash
                               silence_logs=logging.ERROR,  # when two classes grade at once
                               worker_class="distributed.Nanny")
        client = Client(cluster)
    try:
        futures = {client.submit(grade_task, assignment, student, settings, pure=False,
                                 key=f"grade-{assignment}-{student}-{settings['run']}"): student
                   for student in students}
        for future in as_completed(futures):
            student = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # noqa: BLE001 — a worker died: this student only
                on_result(student, "died", f"the grading worker failed: {exc}", {})
                continue
            if result["rows"].get("submitted_assignment"):
                replace_submission_rows(db, assignment, student, result["rows"])
            on_result(student, result["outcome"], result["log"], result["report"])
        try:
            client.run(close_state)
        except Exception:  # noqa: BLE001 — workers that are gone have nothing to close
            pass
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def _classify_failure(log: str, limits: Limits) -> tuple[str, str]:
    text = log.lower()
    if "deadkernelerror" in text or "kernel died" in text or "kernel has died" in text:
        return checks.KERNEL_DIED, "the kernel died while running the notebook (crash or os._exit)"
    if "timeout" in text or "unresponsivekernel" in text:
        return checks.TIMED_OUT, f"a cell ran over {limits.timeout} s and could not be stopped"
    last = [line for line in log.strip().splitlines() if line.strip()][-1:] or ["unknown error"]
    return checks.ERROR, f"nbgrader could not grade it: {last[0].strip()[:200]}"


def _notes_from_run(course_dir: Path, assignment: str, student: str, log: str,
                    limits: Limits) -> tuple[str | None, list[str]]:
    """Status override and reasons read from the autograded notebooks and the log."""
    import nbformat

    status, notes = None, []
    if "timeout waiting for execute reply" in log.lower():
        status = checks.TIMED_OUT
        notes.append(f"a cell ran over {limits.timeout} s and was interrupted")
    folder = course_dir / "autograded" / student / assignment
    for path in sorted(folder.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("ename") == "MemoryError":
                    notes.append(f"{path.name} cell {index}: memory limit "
                                 f"({limits.memory_mb} MB) reached")
                text = out.get("text", "")
                if isinstance(text, str) and "[output truncated by the grader" in text:
                    notes.append(f"{path.name} cell {index}: output over "
                                 f"{limits.output_limit} characters cut")
    return status, notes


def grade(course_dir: Path, assignment: str, *, workers: int | None = None,
          limits: Limits | None = None, students: list[str] | None = None,
          progress: bool = True, echo=print, prewarm: bool | None = None,
          scheduler: str | None = None) -> list[StudentResult]:
    """Grade every submission of ``assignment``; return (and echo) one result per student.

    ``prewarm`` (default: on unless COURSEKIT_GRADE_PREWARM=0) forks kernels from a zygote per
    worker that has already imported ipykernel, pandas and matplotlib (see zygote.py).
    """
    from nbgrader.api import Gradebook
    from tqdm import tqdm

    limits = limits or Limits()
    nbgrader_path_env()
    course_dir = Path(course_dir).resolve()
    if not (course_dir / "submitted").is_dir():
        raise GradingUsageError(f"no submitted/ folder in {course_dir}")
    db = gradebook_path(course_dir)
    names = submitted_students(course_dir, assignment, students)
    if not names:
        raise GradingUsageError(f"no submissions of {assignment} in {course_dir / 'submitted'}")
    expected = _prepare(db, assignment, names)

    inspections = {s: checks.inspect_submission(course_dir / "submitted" / s / assignment,
                                                expected) for s in names}
    to_run = [s for s in names if inspections[s].runnable]
    outcomes: dict[str, tuple[str, str]] = {}
    bar = tqdm(total=len(names), desc=f"grading {assignment}", unit="student",
               disable=not progress, dynamic_ncols=True)
    bar.update(len(names) - len(to_run))

    found: dict[str, dict] = {}

    def on_result(student: str, outcome: str, log: str, report: dict) -> None:
        outcomes[student] = (outcome, log)
        found[student] = report or {}
        bar.update(1)

    sandbox = sandbox_status()
    if not sandbox.enabled:
        echo(f"sandbox off: {sandbox.why}")

    if to_run:
        _run_dask(course_dir, db, assignment, to_run,
                  workers=max(1, min(workers or default_workers(), len(to_run))),
                  limits=limits, prewarm=prewarm_enabled() if prewarm is None else prewarm,
                  scheduler=scheduler, on_result=on_result)
    bar.close()

    results = []
    fallback = [s for s in names if outcomes.get(s, ("skipped",))[0] != "ok"]
    if fallback:
        _record_without_running(course_dir, db, assignment, fallback, limits)
    with quiet_nbgrader(), Gradebook(f"sqlite:///{db}") as gb:
        for student in names:
            inspection = inspections[student]
            outcome, log = outcomes.get(student, ("skipped", ""))
            status, reasons = inspection.status, list(inspection.reasons)
            reasons += quiz_answers.notes(course_dir, assignment, student)  # G12: quiz answers
            if outcome == "ok":
                override, notes = _notes_from_run(course_dir, assignment, student, log, limits)
                if override:
                    status = override
                reasons += notes
            elif outcome == "killed":
                status = checks.TIMED_OUT
                reasons.insert(0, f"stopped after {limits.wall:g} s (wall-clock limit); "
                                  "autograded points set to 0")
            elif outcome in ("failed", "died"):
                status, why = _classify_failure(log, limits)
                reasons.insert(0, why + "; autograded points set to 0")
            status, reasons = _judge_notes(found.get(student, {}), status, reasons)
            submission = gb.find_submission(assignment, student)
            results.append(StudentResult(student, status, "; ".join(reasons),
                                         submission.score, submission.max_score,
                                         found.get(student, {}).get("times")))
    from .report import save_statuses

    save_statuses(course_dir, assignment, results)
    for result in results:
        echo(result.line())
    return results


def _judge_notes(report: dict, status: str, reasons: list[str]) -> tuple[str, list[str]]:
    """Status and reasons from the judged run: mismatches, tampering, processes left behind."""
    if report.get("mismatches"):
        if status == checks.GRADED:
            status = checks.SCORE_MISMATCH
        reasons.append("score mismatch — " + "; ".join(report["mismatches"])
                       + " (the judge's score stands)")
    if report.get("tamper"):
        reasons.append("the notebook changed the grading machinery: "
                       + ", ".join(report["tamper"][:6]))
    if report.get("swept"):
        reasons.append(f"{report['swept']} process(es) left running by the notebook were killed")
    reasons.extend(report.get("notes", []))
    return status, reasons


def _record_without_running(course_dir: Path, db: Path, assignment: str,
                            students: list[str], limits: Limits) -> None:
    """Give submissions that could not run a gradebook entry with zero autograded points.

    Where the notebooks can be read, nbgrader's autograde runs once more without executing
    them (``Execute.enabled = False``), so formgrader still shows the notebook for manual
    grading; autograded points are then set to 0, as nbgrader does for a missing notebook.
    """
    from nbgrader.api import Gradebook

    config = load_config(course_dir, db, limits.timeout)
    config.Execute.enabled = False
    with quiet_nbgrader():
        api = make_api(config)
    for student in students:
        folder = course_dir / "submitted" / student / assignment
        with quiet_nbgrader():
            ran = any(folder.glob("*.ipynb")) and api.autograde(
                assignment, student, force=True, create=True).get("success")
            if not ran:
                with Gradebook(f"sqlite:///{db}") as gb:
                    gb.update_or_create_submission(assignment, student)
        zero_autograded(db, assignment, student, "Not graded automatically: see the status "
                                                 "reported by the instructor's grading run.")
