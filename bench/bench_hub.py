#!/usr/bin/env python3
"""A class on a real JupyterHub: the figures that size a hub (docs/deploy.md).

    sudo .venv/bin/python bench/bench_hub.py            # 20 students (about 5 minutes on 2 cores)
    sudo .venv/bin/python bench/bench_hub.py --students 10

Needs what the hub test needs (Linux, root, node_modules/ from `python3 course.py setup`). In one run:
one student works through the lesson alone (the baseline), then the whole class does it at once.
Printed, as Markdown:

- time until every student has a running kernel (log in → server → kernel answers), and the
  slowest student's time divided by the lone student's (a ratio, so a busy machine moves both);
- latency of a cell during the class's run-all: p50 and p95, and each as a ratio to the lone
  student's p50 and p95 for the same cells;
- memory per student (RSS of the single-user server + its kernels, read from /proc by uid): mean
  and max, and the total for the class;
- quiz answers lost across a kernel restart (must be 0).
Then a sizing line: how many students of this lesson fit in this machine's memory with the
measured maximum plus 50 % head-room.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
os.environ.pop("MPLBACKEND", None)

import hub_harness as hh  # noqa: E402

LESSON = "01_the_article"


def memory_gb() -> float:
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--lesson", default=LESSON)
    args = parser.parse_args()
    reason = hh.skip_reason()
    if reason:
        print(f"bench_hub: cannot run here: {reason}", file=sys.stderr)
        return 2
    log = lambda message: print(message, file=sys.stderr)  # noqa: E731
    with hh.class_site(args.students + 1, log=log) as site:
        with hh.running_hub(site, log=log) as hub:
            lone, class_ = site.students[:1], site.students[1:]
            solo = asyncio.run(hh.run_class(hub, site, args.lesson, log, students=lone,
                                            isolation=False))
            crowd = asyncio.run(hh.run_class(hub, site, args.lesson, log, students=class_))
    print(report(solo, crowd, args.students))
    failures = [s for s in crowd.students if s.failure or s.cell_errors]
    return 1 if failures or sum(s.answers_lost for s in crowd.students) else 0


def report(solo: hh.ClassRun, crowd: hh.ClassRun, n: int) -> str:
    lone = solo.students[0]
    lat, lone_lat = crowd.latencies, lone.cell_seconds
    p50, p95 = hh.percentile(lat, 50), hh.percentile(lat, 95)
    l50, l95 = hh.percentile(lone_lat, 50), hh.percentile(lone_lat, 95)
    rss = [s.rss_mb for s in crowd.students if s.rss_mb == s.rss_mb]
    lost = sum(s.answers_lost for s in crowd.students)
    failed = [s.name for s in crowd.students if s.failure or s.cell_errors]
    worst = max(rss) if rss else float("nan")
    fits = int(memory_gb() * 1024 / (worst * 1.5)) if rss else 0
    rows = [
        "| measurement | class of %d | one student alone | ratio |" % n,
        "|---|---:|---:|---:|",
        f"| time until every kernel runs | {crowd.seconds_until_all_kernels:.1f} s | "
        f"{solo.seconds_until_all_kernels:.1f} s | "
        f"{crowd.seconds_until_all_kernels / solo.seconds_until_all_kernels:.1f}× |",
        f"| cell latency during run-all, p50 | {p50:.2f} s | {l50:.2f} s | {p50 / l50:.1f}× |",
        f"| cell latency during run-all, p95 | {p95:.2f} s | {l95:.2f} s | {p95 / l95:.1f}× |",
        f"| run-all of {crowd.lesson} (whole class) | {crowd.seconds_run_all:.1f} s | "
        f"{solo.seconds_run_all:.1f} s | {crowd.seconds_run_all / solo.seconds_run_all:.1f}× |",
        f"| memory per student (server + kernels), mean / max | "
        f"{sum(rss) / len(rss):.0f} / {worst:.0f} MB | {lone.rss_mb:.0f} MB | — |",
        f"| memory for the class | {sum(rss) / 1024:.1f} GB | — | — |",
        f"| quiz answers lost after a kernel restart | {lost} | {lone.answers_lost} | — |",
        f"| students with a failure | {len(failed)} | — | — |",
    ]
    sizing = (f"\nSizing: with the largest student at {worst:.0f} MB plus 50 % head-room, this "
              f"machine's {memory_gb():.0f} GB holds about {fits} students working on this lesson "
              f"at once; on {os.cpu_count()} cores a cell took {p50 / l50:.1f}× (p50) and "
              f"{p95 / l95:.1f}× (p95) as long as for a student alone.")
    return "\n".join(rows) + sizing


if __name__ == "__main__":
    sys.exit(main())
