#!/usr/bin/env python3
"""`coursekit grade` (parallel) vs serial `nbgrader autograde`: wall time and identical scores.

    .venv/bin/python bench/bench_grading.py [N]      # N generated submissions (default 50)

Builds a temporary course with exercises/ex1_pandas, generates N submissions (correct, blank
and partly wrong variants of the solution), then grades the same submissions twice, in two
copies of the course: `nbgrader autograde ex1_pandas` (one call, serial) and
`coursekit grade ex1_pandas` (its default Dask workers, judge and sandbox on). Prints both times,
the ratio, whether every student's score is identical, and the cost per submission by stage.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ASSIGNMENT = "ex1_pandas"
VARIANTS = [
    lambda s: s,                                                     # full marks
    lambda s: s.replace('pips["year"] >= 2022', 'pips["year"] >= 2021'),   # wrong period
    lambda s: s.replace("1000 * refugees_2023", "100 * refugees_2023"),    # wrong scale
    None,                                                            # blank release
]


def _env() -> dict[str, str]:
    env = dict(os.environ, COURSEKIT_ROOT=str(REPO))
    env.pop("MPLBACKEND", None)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    return env


def make_course(root: Path, n: int) -> Path:
    import nbformat

    course = root / "course"
    (course / "exercises").mkdir(parents=True)
    shutil.copytree(REPO / "exercises" / ASSIGNMENT, course / "exercises" / ASSIGNMENT)
    shutil.copy(REPO / "nbgrader_config.py", course)
    subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", ASSIGNMENT,
                    "--force"], cwd=course, env=_env(), check=True, capture_output=True)
    release = course / "release" / ASSIGNMENT
    source = nbformat.read(REPO / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", 4)
    for i in range(n):
        folder = course / "submitted" / f"student{i:03d}" / ASSIGNMENT
        shutil.copytree(release, folder)
        variant = VARIANTS[i % len(VARIANTS)]
        if variant is not None:
            nb = nbformat.from_dict(source)
            for cell in nb.cells:
                cell.source = variant(cell.source)
            nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")
    return course


def scores(course: Path) -> dict[str, float]:
    from nbgrader.api import Gradebook

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
            return {s.student.id: s.score for s in gb.find_assignment(ASSIGNMENT).submissions}


def compare(n: int = 50) -> tuple[float, float, bool, int, dict]:
    """(serial seconds, parallel seconds, identical scores?, workers, seconds per stage)."""
    from coursekit.grading.grade import default_workers, grade

    workers = default_workers()
    os.environ["COURSEKIT_ROOT"] = str(REPO)
    os.environ.pop("MPLBACKEND", None)
    os.environ["PATH"] = _env()["PATH"]
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        course = make_course(Path(tmp), n)
        serial = Path(tmp) / "serial"
        shutil.copytree(course, serial)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "nbgrader", "autograde", ASSIGNMENT], cwd=serial,
                       env=_env(), capture_output=True)
        serial_s = time.perf_counter() - start
        start = time.perf_counter()
        results = grade(course, ASSIGNMENT, workers=workers, progress=False, echo=lambda _: None)
        parallel_s = time.perf_counter() - start
        a, b = scores(serial), scores(course)
        identical = len(a) == n and a == b
    stages: dict[str, float] = {}
    for result in results:
        for stage, seconds in (result.times or {}).items():
            stages[stage] = stages.get(stage, 0.0) + seconds / n
    return serial_s, parallel_s, identical, workers, stages


if __name__ == "__main__":
    from coursekit.grading.sandbox import sandbox_status

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 50
    serial_s, parallel_s, identical, workers, stages = compare(n)
    status = sandbox_status()
    print(f"{n} submissions of {ASSIGNMENT} on {os.cpu_count()} CPUs; judge on; sandbox "
          f"{'on' if status.enabled else 'off (' + status.why + ')'}")
    print(f"serial nbgrader autograde: {serial_s:.1f} s ({serial_s / n:.2f} s each)")
    print(f"coursekit grade, {workers} Dask workers: {parallel_s:.1f} s "
          f"({parallel_s / n:.2f} s each)")
    print(f"ratio: {serial_s / parallel_s:.2f}x; identical scores: {identical}")
    total = stages.pop("total", 0.0)
    named = sum(stages.values())
    print("CPU-side cost per submission, by stage (seconds, inside a worker):")
    for stage in ("kernel start", "execution", "judge", "sweep"):
        print(f"  {stage:<28} {stages.get(stage, 0.0):.3f}")
    print(f"  {'nbgrader + gradebook':<28} {total - named:.3f}")
    print(f"  {'total':<28} {total:.3f}")
