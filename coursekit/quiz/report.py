"""``coursekit quizreport``: what the class got right and wrong, question by question.

    coursekit quizreport 04_us_role  collected/        # a lesson's practice bank
    coursekit quizreport ex3_arguments submitted/      # a graded quiz (key from the exercise)

Reads whatever has been collected so far — notebooks that carry their answers (record.py), side
files (``<bank>.answers.json``), or both in one student's folder (the newer answer per question
wins) — and writes, into ``quizreport/<bank>/`` (or ``--out``):

- ``index.html``: per question, how many answered, the share right, and the most-chosen wrong
  answer with its text; the chart with its alt text;
- ``questions.png``: a horizontal bar chart, hardest question first, colour-blind safe;
- ``questions.csv``: the same table.

Anonymous: no names or file names in the output, only counts. Unreadable or tampered files are
skipped, with one line each (returned in :attr:`QuizReport.skipped`).
"""
from __future__ import annotations

import ast
import csv
import html
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coursekit.quiz.bank import Bank, BankError, Question, key_from_dict, load_bank
from coursekit.quiz.record import check_payload, records_in_notebook, resolve
from coursekit.errors import UsageError
from coursekit.quiz.scoring import answer_fits, score

SIDE_SUFFIX = ".answers.json"
BAR_RIGHT = "#0072B2"   # Okabe–Ito blue (coursekit.charts.PALETTE[0]), with hatching
KEY_PATTERN = re.compile(r"^KEY = (.*?)(?=^# end of key)", re.DOTALL | re.MULTILINE)


class QuizReportError(UsageError):
    """The report cannot be made (unknown bank, no key for a graded quiz, no folder)."""


@dataclass
class QuestionStats:
    qid: str
    prompt: str
    answered: int = 0
    right: int = 0
    points: float = 0.0
    possible: float = 0.0
    wrong: Counter = field(default_factory=Counter)

    @property
    def share_right(self) -> float | None:
        return self.right / self.answered if self.answered else None

    def top_wrong(self) -> tuple[str, int] | None:
        return self.wrong.most_common(1)[0] if self.wrong else None


@dataclass
class QuizReport:
    bank: Bank
    students: int
    stats: list[QuestionStats]
    skipped: list[str]
    out: Path | None = None


# ---------------------------------------------------------------------- the bank and its key

def _key_from_notebook(path: Path) -> dict | None:
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else source
        match = KEY_PATTERN.search(source)
        if match:
            try:
                return ast.literal_eval(match.group(1).strip())
            except (ValueError, SyntaxError):
                return None
    return None


def load_scored_bank(name: str, *, key: str | None = None,
                     course_dir: Path | None = None) -> Bank:
    """The bank with a key in every scorable question (a graded bank gets its key added)."""
    exercise = Path(course_dir or ".") / "exercises" / name
    try:
        if (exercise / f"{name}.yaml").exists():
            bank = load_bank(exercise / f"{name}.yaml")
        else:
            bank = load_bank(name)
    except BankError as exc:
        raise QuizReportError(str(exc)) from None
    if not bank.graded:
        return bank
    source = Path(key) if key else exercise / f"{name}.ipynb"
    spec = None
    if source.suffix == ".ipynb":
        spec = _key_from_notebook(source)
    elif source.exists():
        from coursekit.quiz.api import load_key

        spec = load_key(source)
    if not spec:
        raise QuizReportError(f"{bank.path}: a graded quiz holds no key; give --key (the "
                              f"exercise notebook with 'KEY = {{...}}' or a key YAML); "
                              f"looked in {source}")
    try:
        keyed = key_from_dict(spec, where=str(source))
    except BankError as exc:
        raise QuizReportError(str(exc)) from None
    for qid, q in bank.questions.items():
        if qid in keyed:
            q.answer = keyed[qid].answer
            q.points = keyed[qid].points
            q.scoring = keyed[qid].scoring
    return bank


# ---------------------------------------------------------------------- collecting answers

def _describe(q: Question, answer: Any) -> str:
    """A wrong answer in words (option texts, not ids)."""
    if q.type == "single":
        option = q.option(answer)
        return option.text if option else str(answer)
    if q.type == "multiple":
        return " + ".join(q.option(a).text if q.option(a) else str(a) for a in answer) or "—"
    if q.type == "truefalse":
        return "True" if answer else "False"
    if q.type == "order":
        return " → ".join(map(str, answer))
    return str(answer)


def _wrong_parts(q: Question, answer: Any) -> list[str]:
    """Categorize: each mis-sorted item is its own wrong answer; others: the whole answer."""
    if q.type == "categorize":
        return [f"{item} → {cat}" for item, cat in answer.items() if q.answer.get(item) != cat]
    return [_describe(q, answer)]


def collect(bank: Bank, folder: Path) -> tuple[list[dict[str, dict]], list[str]]:
    """One ``{qid: record}`` per student found under ``folder``, and the skipped-file lines."""
    skipped: list[str] = []
    by_dir: dict[Path, dict[str, list]] = {}
    for path in sorted(folder.rglob("*")):
        if not path.is_file() or ".ipynb_checkpoints" in path.parts:
            continue
        rel = path.relative_to(folder)
        if path.suffix == ".ipynb":
            try:
                nb = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                skipped.append(f"{rel}: not a readable notebook")
                continue
            records = records_in_notebook(nb).get(bank.id)
            if records:
                by_dir.setdefault(path.parent, {"nb": [], "side": []})["nb"].append(
                    (rel, records[-1]))
        elif path.name.endswith(SIDE_SUFFIX) and path.name[:-len(SIDE_SUFFIX)] == bank.id:
            try:
                raw = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError, UnicodeDecodeError):
                skipped.append(f"{rel}: not a readable answers file")
                continue
            by_dir.setdefault(path.parent, {"nb": [], "side": []})["side"].append((rel, raw))
    students = []
    for found in by_dir.values():
        pairs = ([(found["nb"][0], found["side"][0])]
                 if len(found["nb"]) == 1 and len(found["side"]) == 1
                 else [(n, None) for n in found["nb"]] + [(None, s) for s in found["side"]])
        for nb_item, side_item in pairs:
            checked = []
            for item, kind in ((nb_item, "notebook"), (side_item, "side file")):
                if item is None:
                    checked.append(None)
                    continue
                rel, raw = item
                result = check_payload(raw, where=f"{kind} {rel}", bank_id=bank.id,
                                       require_digest=kind == "notebook")
                if result.ignored:
                    skipped.append(f"{rel}: {result.problems[0]}")
                checked.append(result)
            resolution = resolve(*checked)
            if resolution.answers:
                students.append(resolution.answers)
    return students, skipped


def tally(bank: Bank, students: list[dict[str, dict]]) -> list[QuestionStats]:
    stats = []
    for qid, q in bank.questions.items():
        s = QuestionStats(qid, q.prompt)
        for answers in students:
            record = answers.get(qid)
            if record is None or not answer_fits(q, record.get("answer")):
                continue
            s.answered += 1
            if not q.scorable or not q.has_key:
                continue
            outcome = score(q, record["answer"])
            s.points += outcome.earned
            s.possible += outcome.possible
            if outcome.correct:
                s.right += 1
            else:
                s.wrong.update(_wrong_parts(q, record["answer"]))
        stats.append(s)
    return stats


# ---------------------------------------------------------------------- output

def _chart(stats: list[QuestionStats], title: str, path: Path) -> str:
    """Sorted horizontal bars (hardest first); returns the alt text."""
    import matplotlib

    matplotlib.use("Agg")  # a CLI, not a notebook
    import matplotlib.pyplot as plt

    scored = sorted((s for s in stats if s.share_right is not None and s.possible),
                    key=lambda s: (s.share_right, s.qid))
    fig, ax = plt.subplots(figsize=(8, 0.5 * max(3, len(scored)) + 1.4))
    labels = [s.qid for s in scored]
    values = [100 * s.share_right for s in scored]
    bars = ax.barh(labels, values, color=BAR_RIGHT, edgecolor="black", hatch="//")
    for bar, s in zip(bars, scored):
        ax.text(min(bar.get_width() + 1, 88), bar.get_y() + bar.get_height() / 2,
                f"{100 * s.share_right:.0f}% of {s.answered}", va="center", fontsize=9)
    ax.invert_yaxis()  # hardest at the top
    ax.set_xlim(0, 100)
    ax.set_xlabel("Students who answered right (% of those who answered)")
    ax.set_title(title)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    if not scored:
        return f"{title}: no scored answers yet."
    parts = "; ".join(f"{s.qid} {100 * s.share_right:.0f}% of {s.answered}" for s in scored)
    return f"Bar chart, hardest question first. {title}. Share who answered right: {parts}."


def write(report: QuizReport, out: Path) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    title = f"{report.bank.title}: answers of {report.students} students"
    alt = _chart(report.stats, title, out / "questions.png")
    rows = []
    for s in report.stats:
        top = s.top_wrong()
        rows.append({
            "question": s.qid,
            "answered": str(s.answered),
            "right_percent": "" if s.share_right is None or not s.possible
            else f"{100 * s.share_right:.0f}",
            "most_chosen_wrong_answer": top[0] if top else "",
            "times_chosen": str(top[1]) if top else "",
        })
    with open(out / "questions.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["question"])
        writer.writeheader()
        writer.writerows(rows)
    cells = "\n".join(
        "<tr>" + f"<th scope=\"row\">{html.escape(r['question'])}</th>"
        + "".join(f"<td>{html.escape(r[k])}</td>" for k in
                  ("answered", "right_percent", "most_chosen_wrong_answer", "times_chosen"))
        + "</tr>" for r in rows)
    skipped = "".join(f"<li>{html.escape(line)}</li>" for line in report.skipped)
    (out / "index.html").write_text(f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;max-width:60em;margin:auto}}td,th{{padding:4px 8px;
text-align:left;border-bottom:1px solid #ccc}}</style></head>
<body><h1>{html.escape(title)}</h1>
<p>Anonymous: counts only. Hardest question first in the chart.</p>
<img src="questions.png" alt="{html.escape(alt)}">
<p>{html.escape(alt)}</p>
<table><thead><tr><th scope="col">question</th><th scope="col">answered</th>
<th scope="col">% right</th><th scope="col">most-chosen wrong answer</th>
<th scope="col">times</th></tr></thead><tbody>
{cells}
</tbody></table>
{f'<h2>Skipped files</h2><ul>{skipped}</ul>' if skipped else ''}
</body></html>
""", encoding="utf-8")
    (out / "questions.txt").write_text(alt + "\n", encoding="utf-8")
    return out


def quiz_report(bank: str, folder: Path, out: Path | None = None, *, key: str | None = None,
                course_dir: Path | None = None) -> QuizReport:
    folder = Path(folder)
    if not folder.is_dir():
        raise QuizReportError(f"{folder}: no such folder of collected work")
    loaded = load_scored_bank(bank, key=key, course_dir=course_dir)
    students, skipped = collect(loaded, folder)
    result = QuizReport(loaded, len(students), tally(loaded, students), skipped)
    result.out = write(result, Path(out) if out else Path("quizreport") / loaded.id)
    return result
