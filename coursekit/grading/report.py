"""``coursekit report``: grades.csv, feedback HTML without hidden tests, a score histogram.

Run it after ``coursekit grade`` (and after manual grading in formgrader, if any). Statuses come
from the grading run (``reports/<assignment>/status.json``, written by ``coursekit grade``);
scores come from the gradebook, so manual grades are included.
"""
from __future__ import annotations

import csv
import html
import json
import re
from pathlib import Path

from ..errors import UsageError
from .checks import HIDDEN

STATUS_FILE = "status.json"


class ReportError(UsageError):
    """The report cannot be made (no gradebook, hidden tests would leak, …)."""


def report_dir(course_dir: Path, assignment: str) -> Path:
    return course_dir / "reports" / assignment


def save_statuses(course_dir: Path, assignment: str, results) -> Path:
    """Merge this run's statuses into reports/<assignment>/status.json (kept across runs)."""
    path = report_dir(course_dir, assignment) / STATUS_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    known = json.loads(path.read_text()) if path.exists() else {}
    for r in results:
        known[r.student] = {"status": r.status, "reason": r.reason}
    path.write_text(json.dumps(known, indent=1, ensure_ascii=False, sort_keys=True))
    return path


def hidden_lines(gradebook, assignment: str) -> set[str]:
    """Lines that appear only inside hidden-test blocks of the assignment's source."""
    hidden, public = set(), set()
    for notebook in gradebook.find_assignment(assignment).notebooks:
        for cell in notebook.source_cells:
            source = cell.source or ""
            for block in re.finditer(HIDDEN.pattern, source, HIDDEN.flags):
                hidden.update(line.strip() for line in block.group(0).splitlines())
            public.update(line.strip() for line in HIDDEN.sub("", source).splitlines())
    return {line for line in hidden - public
            if len(line) > 3 and not line.startswith("### ")}


def check_no_hidden_tests(feedback_files: list[Path], lines: set[str]) -> None:
    """Raise ReportError if any hidden-test line appears in a feedback HTML file."""
    for path in feedback_files:
        text = path.read_text(encoding="utf-8")
        plain = html.unescape(re.sub(r"<[^>]+>", "", text))
        for line in lines:
            if line in plain:
                raise ReportError(f"hidden test source leaked into {path}: {line!r} — check "
                                  "GenerateFeedback.preprocessors in nbgrader_config.py")


def histogram(rows: list[dict], assignment: str, path: Path) -> str:
    """Save a score histogram PNG; return its alt text."""
    import matplotlib

    matplotlib.use("Agg")  # a CLI, not a notebook
    import matplotlib.pyplot as plt

    scores = [float(r["score"]) for r in rows if r["score"] != ""]
    maximum = max((float(r["max"]) for r in rows if r["max"] != ""), default=1.0) or 1.0
    fig, ax = plt.subplots(figsize=(7, 4))
    bins = min(20, max(5, int(maximum)))
    ax.hist(scores, bins=bins, range=(0, maximum), color="#0072B2", edgecolor="black",
            hatch="//")
    ax.set_title(f"{assignment}: distribution of total scores (n = {len(scores)})")
    ax.set_xlabel(f"Score (points, out of {maximum:g})")
    ax.set_ylabel("Number of students")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    if not scores:
        return f"Histogram of {assignment} scores: no scores yet."
    mean = sum(scores) / len(scores)
    return (f"Histogram of {assignment} total scores for {len(scores)} students, out of "
            f"{maximum:g} points: lowest {min(scores):g}, highest {max(scores):g}, "
            f"mean {mean:.1f}.")


def report(course_dir: Path, assignment: str, out: Path | None = None) -> Path:
    from nbgrader.api import Gradebook, MissingEntry

    from .nbgrader_env import gradebook_path, make_api_for, nbgrader_path_env, quiet_nbgrader

    nbgrader_path_env()
    course_dir = Path(course_dir).resolve()
    db = gradebook_path(course_dir)
    if not db.exists():
        raise ReportError(f"no gradebook at {db}: run `coursekit grade {assignment}` first")
    out = Path(out or report_dir(course_dir, assignment))
    out.mkdir(parents=True, exist_ok=True)
    status_path = report_dir(course_dir, assignment) / STATUS_FILE
    statuses = json.loads(status_path.read_text()) if status_path.exists() else {}

    rows = []
    with quiet_nbgrader(), Gradebook(f"sqlite:///{db}") as gb:
        try:
            gb.find_assignment(assignment)
        except MissingEntry:
            raise ReportError(f"assignment '{assignment}' is not in {db}") from None
        lines = hidden_lines(gb, assignment)
        for student in sorted(s.id for s in gb.students):
            try:
                sub = gb.find_submission(assignment, student)
            except MissingEntry:
                continue
            info = statuses.get(student, {"status": "graded", "reason": ""})
            reason = info["reason"]
            if sub.needs_manual_grade:
                reason = "; ".join(x for x in (reason, "awaiting manual grading") if x)
            rows.append({"student": student, "score": f"{sub.score:g}",
                         "max": f"{sub.max_score:g}", "status": info["status"],
                         "reason": reason})
    if not rows:
        raise ReportError(f"no graded submissions of {assignment}: run "
                          f"`coursekit grade {assignment}` first")
    with open(out / "grades.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=["student", "score", "max", "status",
                                                    "reason"])
        writer.writeheader()
        writer.writerows(rows)

    with quiet_nbgrader():
        api = make_api_for(course_dir)
        for row in rows:
            if (course_dir / "autograded" / row["student"] / assignment).is_dir():
                result = api.generate_feedback(assignment, row["student"], force=True)
                if not result.get("success"):
                    tail = (result.get("error") or result.get("log") or "").strip()
                    raise ReportError(f"nbgrader generate_feedback failed for "
                                      f"{row['student']}: {tail.splitlines()[-1:]}")
    feedback = sorted((course_dir / "feedback").glob(f"*/{assignment}/*.html"))
    check_no_hidden_tests(feedback, lines)

    alt = histogram(rows, assignment, out / "histogram.png")
    (out / "histogram.txt").write_text(alt + "\n", encoding="utf-8")
    links = "\n".join(
        f"<li>{html.escape(p.parent.parent.name)}: <a href=\"{html.escape(str(p))}\">"
        f"{html.escape(p.name)}</a></li>" for p in feedback)
    table = "\n".join(
        "<tr>" + "".join(f"<td>{html.escape(r[k])}</td>" for k in
                         ("student", "score", "max", "status", "reason")) + "</tr>"
        for r in rows)
    (out / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(assignment)} report</title></head>
<body><h1>{html.escape(assignment)}: grading report</h1>
<img src="histogram.png" alt="{html.escape(alt)}">
<p>{html.escape(alt)}</p>
<table><thead><tr><th>student</th><th>score</th><th>max</th><th>status</th><th>reason</th></tr>
</thead><tbody>
{table}
</tbody></table>
<h2>Feedback (hidden tests removed)</h2><ul>
{links}
</ul></body></html>
""", encoding="utf-8")
    return out
