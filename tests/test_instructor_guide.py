"""The instructor guide plans sessions from the lessons' own stated times, and its verdict table is
the claims register's (tests/test_claims.py checks the table)."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

from coursekit import timing

REPO = Path(__file__).resolve().parents[1]
GUIDE = REPO / "docs" / "instructor_guide.md"
LESSONS = sorted((REPO / "notebooks").glob("0[0-9]_*.ipynb"))


def guide_times() -> dict[str, int]:
    """{stem: minutes} from the guide's table of lessons (rows like | `01_the_article` | … | 50 min |)."""
    times = {}
    for line in GUIDE.read_text(encoding="utf-8").split("## Session plan")[0].splitlines():
        m = re.match(r"\|\s*`(\d\d_[a-z_]+)`\s*\|.*\|\s*(\d+) min\s*\|\s*$", line)
        if m:
            times[m.group(1)] = int(m.group(2))
    return times


def stated(path: Path) -> int | None:
    first = nbformat.read(path, as_version=4).cells[0].source
    m = timing.STATED.search(first)
    return int(m.group(1)) if m else None


def test_guide_lists_every_lesson():
    assert set(guide_times()) == {p.stem for p in LESSONS}


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_guide_time_is_the_lessons_stated_time(path: Path):
    assert guide_times().get(path.stem) == stated(path), (
        f"docs/instructor_guide.md says {guide_times().get(path.stem)} min for {path.stem}, "
        f"the lesson states {stated(path)} min")


def test_session_total_adds_up():
    text = GUIDE.read_text(encoding="utf-8")
    total = sum(m for stem, m in guide_times().items() if stem != "00_start_here")
    assert f"{total} minutes of class time" in text, total
