#!/usr/bin/env python3
"""Safe Havens benchmarks: speed goals reported as ratios measured in one run (never timed tests).

    .venv/bin/python bench/run.py            # all three parts (about 3–4 minutes on 2 cores)
    .venv/bin/python bench/run.py notebooks  # one part: notebooks | grading | quiz

(a) notebooks — each lesson's execution time vs the floor: a notebook that only starts a kernel and
    imports pandas, matplotlib and ipywidgets. Goal: ≤ 1.5× for every lesson.
(b) grading   — `coursekit grade` (parallel) vs serial `nbgrader autograde` on the same 50 generated
    submissions. Goal: ≥ 3× faster on 2 cores, identical scores.
(c) quiz      — click-to-feedback time of a quiz question in Python. Goal: < 50 ms (median).

Notebook times are the best of three interleaved runs (the least disturbed by other work on the
machine, as `timeit` does); the click time is a median. Both sides of a ratio are measured in the
same run. The table is printed as Markdown, ready for the README.
"""
from __future__ import annotations

import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
os.environ.setdefault("COURSEKIT_ROOT", str(REPO))
os.environ.pop("MPLBACKEND", None)

FLOOR_SOURCE = "import pandas, matplotlib.pyplot, ipywidgets"


def machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.platform(terse=True)}"


def _execute(path: Path) -> float:
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    start = time.perf_counter()
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    return time.perf_counter() - start


def bench_notebooks(repeats: int = 3) -> list[tuple[str, str, str, str]]:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "notebooks"
        shutil.copytree(REPO / "notebooks", work,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.answers.json"))
        shutil.copytree(REPO / "data", Path(tmp) / "data")  # lessons read ../data/*.csv directly
        floor = work / "floor.ipynb"
        nbformat.write(new_notebook(cells=[new_markdown_cell("# floor"),
                                           new_code_cell(FLOOR_SOURCE)]), floor)
        lessons = sorted(p for p in work.glob("[0-9][0-9]_*.ipynb"))
        _execute(floor)  # warm the disk cache once; not counted
        times: dict[str, list[float]] = {p.name: [] for p in [floor, *lessons]}
        for _ in range(repeats):
            for path in [floor, *lessons]:
                times[path.name].append(_execute(path))
        floor_s = min(times[floor.name])
        rows.append(("notebook: floor (kernel + imports)", f"{floor_s:.2f} s", "1.00×", "—"))
        for path in lessons:
            t = min(times[path.name])
            ratio = t / floor_s
            rows.append((f"notebook: {path.stem}", f"{t:.2f} s", f"{ratio:.2f}×",
                         "✓ ≤ 1.5×" if ratio <= 1.5 else "✗ > 1.5×"))
    return rows


def bench_quiz(clicks: int = 50) -> list[tuple[str, str, str, str]]:
    from coursekit.quiz import quiz

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        q = quiz("00_start_here", answers_dir=tmp, show=False)
        question = q.questions["shift-enter"]  # a single-choice question of the demo bank
        samples = []
        for i in range(clicks):
            question.set_answer(["run-next", "delete"][i % 2])  # right and wrong, alternately
            start = time.perf_counter()
            question.check()
            samples.append(time.perf_counter() - start)
        median_ms = statistics.median(samples) * 1000
        rows.append((f"quiz: click → feedback + saved answer (median of {clicks})",
                     f"{median_ms:.1f} ms", f"{median_ms / 50:.2f}× of the 50 ms budget",
                     "✓ < 50 ms" if median_ms < 50 else "✗ ≥ 50 ms"))
    return rows


def bench_grading(submissions: int = 50) -> list[tuple[str, str, str, str]]:
    from bench_grading import compare  # bench/bench_grading.py

    serial_s, parallel_s, identical, workers, _stages = compare(submissions)
    ratio = serial_s / parallel_s
    return [
        (f"grading: serial `nbgrader autograde`, {submissions} submissions", f"{serial_s:.1f} s",
         "1.00×", "—"),
        (f"grading: `coursekit grade`, {workers} workers", f"{parallel_s:.1f} s",
         f"{ratio:.2f}× faster", ("✓" if ratio >= 3 else "✗") + " ≥ 3×; scores "
         + ("identical" if identical else "DIFFER")),
    ]


PARTS = {"notebooks": bench_notebooks, "grading": bench_grading, "quiz": bench_quiz}


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(Path(__file__).parent))
    chosen = argv or list(PARTS)
    rows = []
    start = time.perf_counter()
    for name in chosen:
        print(f"[bench] {name} …", file=sys.stderr, flush=True)
        rows += PARTS[name]()
    print(f"\nMeasured on: {machine()}; total bench time {time.perf_counter() - start:.0f} s\n")
    print("| measurement | time | ratio | goal |")
    print("|---|---:|---:|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
