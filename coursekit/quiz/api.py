"""The quiz a lesson shows and the functions graders call: ``quiz()``, ``saved_answers()``, …"""
from __future__ import annotations

import dataclasses
import html
import os
import sys
from pathlib import Path
from typing import Any

from coursekit.quiz import record as notebook_record
from coursekit.quiz.bank import Bank, BankError, load_bank, parse_yaml
from coursekit.quiz.scoring import answer_fits, require_key, score, score_answers
from coursekit.quiz.store import AnswerStore, read_answers
from coursekit.quiz.strings import md, points_of, t

__all__ = ["quiz", "Quiz", "BankError", "load_bank", "load_key", "saved_answers", "score_saved",
           "score_answers", "noninteractive"]

NONINTERACTIVE_ENV = ("NBGRADER_EXECUTION", "COURSEKIT_NONINTERACTIVE")


def noninteractive() -> bool:
    """True in ``nbgrader autograde`` (NBGRADER_EXECUTION) or if COURSEKIT_NONINTERACTIVE is set."""
    return any(os.environ.get(name) for name in NONINTERACTIVE_ENV)


def _execution_count() -> int | None:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return None
    shell = get_ipython()
    return getattr(shell, "execution_count", None) if shell is not None else None


class Quiz:
    """A quiz on screen: ``.questions[qid]`` are QuestionView objects (widgets + ``.result``)."""

    def __init__(self, bank: str | Path | Bank, *, answers_dir: str | Path | None = None,
                 interactive: bool | None = None, ids: list[str] | None = None):
        self.bank = select_questions(load_bank(bank), ids)
        self.store = AnswerStore(self.bank.id, self.bank.hash, answers_dir)
        self.from_notebook = self._merge_notebook_record()
        self.interactive = (not noninteractive()) if interactive is None else interactive
        self.questions: dict[str, Any] = {}
        self.widget = None
        self._shown_at: int | None = None
        self._record_shown = False
        if self.interactive:
            self._build_widgets()

    def _merge_notebook_record(self) -> int:
        """Answers kept inside the saved notebook (JupyterLab tells the kernel its path in
        JPY_SESSION_NAME) join the side file's, the newer answer winning per question — so a
        notebook opened without its side file (downloaded from an LMS, copied to another
        machine) does not lose its answers when the quiz cell runs again. Returns how many
        answers came from the notebook."""
        name = os.environ.get("JPY_SESSION_NAME", "")
        path = Path(name) if name.endswith(".ipynb") else None
        if path is None or not path.is_file():
            return 0
        raw = notebook_record.answers_from_notebook(path).get(self.bank.id)
        if raw is None:
            return 0
        from_nb = notebook_record.check_payload(raw, where="the notebook", bank_id=self.bank.id)
        side = notebook_record.Checked("the side file", answers=dict(self.store.answers))
        merged = notebook_record.resolve(from_nb, side).answers
        current = self.store.answers
        taken = [qid for qid, r in merged.items()
                 if qid not in current or r.get("answer") != current[qid].get("answer")]
        if not taken:
            return 0
        self.store.answers = {**self.store.answers, **{q: merged[q] for q in taken}}
        try:
            self.store.write()
        except OSError:
            pass  # the answers still show and still travel in the notebook
        return len(taken)

    # ------------------------------------------------------------------ widgets
    def _build_widgets(self) -> None:
        import ipywidgets as W

        from coursekit.quiz.widgets import QuestionView

        total = len(self.bank.questions)
        for index, q in enumerate(self.bank.questions.values(), start=1):
            self.questions[q.id] = QuestionView(
                q, index=index, total=total, bank_id=self.bank.id, graded=self.bank.graded,
                store=self.store, on_change=self._update_progress)
        restored = sum(1 for qid, view in self.questions.items()
                       if qid in self.store.answers and view.restore(self.store.answers[qid]))
        notices = []
        if self.store.problem:
            notices.append(t("corrupt_file", **self.store.problem))
        elif self.from_notebook:
            notices.append(t("restored_notebook", n=self.from_notebook))
        elif restored:
            notices.append(t("restored", n=restored, file=self.store.path.name))
        self.notice = W.HTML("".join(f'<p role="status">ℹ {html.escape(n)}</p>' for n in notices))
        self.title = W.HTML(f"<h3>{html.escape(self.bank.title)}</h3>{md(self.bank.intro)}")
        self.progress = W.HTML()
        self.summary = W.HTML()
        self._update_progress()
        self.widget = W.VBox([self.title, self.notice, self.progress,
                              *(v.widget for v in self.questions.values()), self.summary],
                             layout=W.Layout(width="100%", max_width="60em"))

    def totals(self) -> dict[str, float]:
        """answered, total, earned, possible — from the current (re-scored) results."""
        views = self.questions.values()
        answered = sum(1 for v in views if v.result is not None)
        earned = sum(v.outcome.earned for v in views if v.outcome is not None)
        return {"answered": answered, "total": len(self.bank.questions),
                "earned": earned, "possible": self.bank.possible}

    def _update_progress(self) -> None:
        self._update_record()
        n = self.totals()
        fmt = dict(answered=n["answered"], total=n["total"],
                   points=points_of(n["earned"], n["possible"]))
        if self.bank.graded:
            self.progress.value = f"<p>{html.escape(t('progress_graded', **fmt))}</p>"
            summary = html.escape(t("summary_graded", **fmt))
            self.summary.value = f"<p><strong>{summary}</strong></p>"
            return
        self.progress.value = f"<p>{html.escape(t('progress', **fmt))}</p>"
        summary = f"<p><strong>{html.escape(t('summary', **fmt))}</strong></p>"
        wrong = [qid for qid, v in self.questions.items()
                 if v.outcome is not None and v.outcome.correct is False]
        if wrong:
            summary += f"<p>{html.escape(t('summary_retry', ids=', '.join(wrong)))}</p>"
        elif n["answered"] == n["total"] and n["total"]:
            summary += f"<p>{html.escape(t('summary_all_right'))}</p>"
        self.summary.value = summary

    # ------------------------------------------------------------------ answers in the notebook
    def record_bundle(self) -> dict:
        """The MIME bundle that keeps the answers inside the notebook (record.py)."""
        data = notebook_record.payload(self.bank.id, self.bank.hash, self.store.answers)
        line = t("record_line", answered=len(data["answers"]), total=len(self.bank.questions),
                 bank=self.bank.id)
        return {notebook_record.MIME: data, "text/plain": line}

    def _update_record(self) -> None:
        if not self._record_shown:
            return
        from IPython.display import update_display

        update_display(self.record_bundle(), raw=True,
                       display_id=notebook_record.display_id(self.bank.id))

    def _show_record(self) -> None:
        from IPython.display import display

        display(self.record_bundle(), raw=True,
                display_id=notebook_record.display_id(self.bank.id))
        self._record_shown = True

    # ------------------------------------------------------------------ plain text
    def text_summary(self) -> str:
        """Plain-text summary of the saved answers (what non-interactive runs show)."""
        lines = [t("text_title", title=self.bank.title)]
        if self.store.problem:
            lines.append(t("corrupt_file", **self.store.problem))
        answered = earned = 0.0
        for qid, q in self.bank.questions.items():
            record = self.store.answers.get(qid)
            if record is None or not answer_fits(q, record.get("answer")):
                lines.append(t("text_line_unanswered", qid=qid))
                continue
            answered += 1
            if self.bank.graded or not q.has_key and q.scorable:
                lines.append(t("text_line_saved", qid=qid))
            elif not q.scorable:
                lines.append(t("text_line_attempted", qid=qid))
            else:
                outcome = score(q, record["answer"])
                earned += outcome.earned
                lines.append(t("text_line_scored", qid=qid,
                               points=points_of(outcome.earned, outcome.possible)))
        fmt = dict(answered=int(answered), total=len(self.bank.questions))
        if self.bank.graded:
            lines.append(t("text_graded_total", **fmt))
        else:
            lines.append(t("text_total", points=points_of(earned, self.bank.possible), **fmt))
        return "\n".join(lines)

    # ------------------------------------------------------------------ display
    def show(self) -> None:
        from IPython.display import display

        self._shown_at = _execution_count()
        if self.widget is None:
            print(self.text_summary())
        else:
            display(self.widget)
            self._show_record()

    def _ipython_display_(self) -> None:
        count = _execution_count()
        if self._shown_at is not None and count is not None and count == self._shown_at:
            return  # already shown by quiz(show=True) in this very cell
        self.show()

    def __repr__(self) -> str:
        mode = "widgets" if self.widget is not None else "text"
        return f"<Quiz {self.bank.id!r}: {len(self.bank.questions)} questions, {mode}>"


def select_questions(bank: Bank, ids: list[str] | None) -> Bank:
    """The bank restricted to ``ids`` (in that order); same id and hash, so the same answers file."""
    if ids is None:
        return bank
    unknown = [qid for qid in ids if qid not in bank.questions]
    if unknown or not ids:
        where = bank.path.name if bank.path else bank.id
        raise BankError(f"{where}: no question(s) {', '.join(map(repr, unknown)) or '(empty ids list)'} "
                        f"in this bank. Known ids: {', '.join(bank.questions)}.")
    return dataclasses.replace(bank, questions={qid: bank.questions[qid] for qid in ids})


def quiz(bank: str | Path | Bank, *, answers_dir: str | Path | None = None,
         show: bool = True, ids: list[str] | None = None) -> Quiz:
    """Build (and by default display) the quiz for a bank id or a YAML path.

    ``ids`` shows only those questions (a long quiz split into cells placed after the sections
    they check); every part saves to the same answers file.

    In non-interactive runs (nbgrader autograde, COURSEKIT_NONINTERACTIVE) no widgets are built and
    a plain-text summary is printed instead. Nothing ever waits for input.
    """
    result = Quiz(bank, answers_dir=answers_dir, ids=ids)
    if show:
        result.show()
    return result


# ---------------------------------------------------------------------- grading API

def _bank_id(bank: str | Path | Bank) -> str:
    """The id that names the answers file. A plain id needs no bank file (graders may lack it)."""
    if isinstance(bank, Bank):
        return bank.id
    text = str(bank)
    if text.endswith((".yaml", ".yml", ".json")) or "/" in text or "\\" in text:
        return Path(text).stem
    return text


def saved_answers(bank: str | Path | Bank, answers_dir: str | Path | None = None) -> dict:
    """``{question_id: record}`` from the bank's answers file ({} if missing or unreadable)."""
    return read_answers(_bank_id(bank), answers_dir)


def score_saved(bank: str | Path | Bank, answers_dir: str | Path | None = None,
                question_ids: list[str] | None = None) -> tuple[float, float]:
    """Re-score saved answers against the bank's own key -> (earned, possible).

    The stored "correct"/"points" are ignored. Unanswered questions count in ``possible``.
    """
    loaded = load_bank(bank)
    require_key(loaded)
    wanted = list(loaded.questions) if question_ids is None else list(question_ids)
    unknown = [qid for qid in wanted if qid not in loaded.questions]
    if unknown:
        raise BankError(f"{loaded.path or loaded.id}: no question with id {', '.join(unknown)}.")
    records = read_answers(loaded.id, answers_dir)
    earned = possible = 0.0
    for qid in wanted:
        q = loaded.questions[qid]
        possible += q.max_points
        if qid in records:
            earned += score(q, records[qid].get("answer")).earned
    return round(earned, 6), round(possible, 6)


def load_key(source: str | Path | dict) -> dict:
    """A grading key from a dict, a key YAML file, or a practice bank (id or path)."""
    from coursekit.quiz.bank import key_from_dict

    if isinstance(source, dict):
        return key_from_dict(source)
    path = Path(str(source))
    if path.suffix in (".yaml", ".yml") and path.exists():
        data = parse_yaml(path.read_text(encoding="utf-8"), path)
        if isinstance(data, dict) and "questions" not in data:
            return key_from_dict(data, where=str(path))
    bank = load_bank(source)
    require_key(bank)
    return key_from_dict(bank)


def main(argv: list[str] | None = None) -> int:
    """``python -m coursekit.quiz BANK...``: validate banks (source ids included)."""
    status = 0
    for name in (argv if argv is not None else sys.argv[1:]):
        try:
            bank = load_bank(name, check_sources=True)
        except BankError as exc:
            print(f"ERROR {exc}")
            status = 1
        else:
            print(f"OK {bank.path}: {len(bank.questions)} questions, mode {bank.mode}")
    return status
