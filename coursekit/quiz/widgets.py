"""One ipywidgets view per question: labelled controls, a Check button, feedback.

Only standard ipywidgets, so everything is keyboard-focusable. Right/wrong is said in words and a
symbol; colour is only an extra. One small script is the exception: JupyterLab reads arrow and
digit keys pressed on a dropdown inside an output as notebook commands (select the next cell, turn
the cell into a heading), so a keyboard user could not choose a position or a category;
``coursekit.a11y.keyboard_guard`` tells JupyterLab to leave those keys alone. The Check button's
handler is the single code path for answering: tests call ``button.click()`` exactly as a click
in the browser does.
"""
from __future__ import annotations

import hashlib
import html
import random
from typing import TYPE_CHECKING, Any, Callable

import ipywidgets as W

from coursekit.a11y import KEYBOARD_CLASS, keyboard_guard
from coursekit.quiz.bank import Question
from coursekit.quiz.scoring import Outcome, answer_fits, parse_number, score
from coursekit.quiz.sources import citation
from coursekit.quiz.strings import md, number, plain, points_of, t
from coursekit.quiz.store import now_iso

if TYPE_CHECKING:  # pragma: no cover
    from coursekit.quiz.store import AnswerStore

# Dark text colours with contrast >= 7:1 on white; each verdict also has a symbol and a word.
COLOURS = {"correct": "#1b5e20", "incorrect": "#b71c1c", "partial": "#7a4100", "neutral": "#0d47a1"}
WIDE = W.Layout(width="100%")
LABEL_STYLE = {"description_width": "initial"}


class Incomplete(Exception):
    """The student has not given a complete answer yet; the message says what is missing."""


def _box(kind: str, body: str) -> str:
    colour = COLOURS[kind]
    return (f'<div role="status" style="border-left:4px solid {colour};padding:4px 10px;'
            f'margin:4px 0">{body}</div>')


def _section(title_key: str, body: str) -> str:
    return f"<p><strong>{html.escape(t(title_key))}</strong></p>{body}"


def _rng(*parts: str) -> random.Random:
    seed = int(hashlib.sha256("|".join(parts).encode()).hexdigest()[:12], 16)
    return random.Random(seed)


def shuffled(items: list[str], *seed: str) -> list[str]:
    """A fixed shuffle (same every run), never equal to the given order when it can be avoided."""
    out = list(items)
    _rng(*seed).shuffle(out)
    if out == items and len(items) > 1:
        out = out[1:] + out[:1]
    return out


def _dropdown_rows(items: list[str], choices: list[tuple], label: str, width: str):
    """One labelled dropdown per item (order: positions; categorize: categories), unset at first.

    Returns ({item: dropdown}, the VBox of rows)."""
    dropdowns, rows = {}, []
    for item in items:
        dd = W.Dropdown(options=[("—", None), *choices], value=None, description=label,
                        tooltip=item, style=LABEL_STYLE, layout=W.Layout(width=width))
        dropdowns[item] = dd
        rows.append(W.HBox([dd, W.HTML(md(item, inline=True))]))
    return dropdowns, W.VBox(rows)


class QuestionView:
    """Widgets for one question, plus its last result (the stored record)."""

    def __init__(self, q: Question, *, index: int, total: int, bank_id: str, graded: bool,
                 store: AnswerStore, on_change: Callable[[], None]):
        self.q, self.bank_id, self.graded, self.store = q, bank_id, graded, store
        self._on_change = on_change
        self.result: dict[str, Any] | None = None
        self.outcome: Outcome | None = None
        head = t("question_number", number=index, total=total)
        if q.scorable:
            head += " · " + t("points", points=number(q.points))
        self.header = W.HTML(f"<strong>{html.escape(head)}</strong>")
        self.prompt = W.HTML(md(q.prompt), layout=WIDE)
        self.controls = self._build_controls()
        self.check_button = W.Button(description=t("check"), tooltip=t("check_tooltip"),
                                     icon="check", button_style="primary")
        self.check_button.on_click(self._on_click)
        self.feedback = W.HTML("", layout=WIDE)
        guard = [keyboard_guard()] if index == 1 else []  # one per quiz is enough
        self.widget = W.VBox([self.header, self.prompt, self.controls, self.check_button,
                              self.feedback, *guard],
                             layout=W.Layout(border="1px solid #bdbdbd", padding="8px",
                                             margin="0 0 12px 0", width="100%"))
        # stable hooks for the browser test and for custom CSS
        self.widget.add_class("coursekit-question")
        self.widget.add_class(KEYBOARD_CLASS)
        self.widget.add_class(f"coursekit-q-{q.id}")

    # ------------------------------------------------------------------ controls per type
    def _build_controls(self) -> W.Widget:
        q = self.q
        if q.type in ("single", "truefalse"):
            if q.type == "single":
                options = [(o.text, o.id) for o in q.options]
            else:
                options = [(t("label_true"), True), (t("label_false"), False)]
            self.radio = W.RadioButtons(options=options, value=None, description=t("label_answer"),
                                        layout=WIDE, style=LABEL_STYLE)
            return self.radio
        if q.type == "multiple":
            self.boxes = {o.id: W.Checkbox(value=False, description=o.text, indent=False,
                                           layout=WIDE) for o in q.options}
            return W.VBox(list(self.boxes.values()))
        if q.type == "numeric":
            self.number_box = W.Text(value="", description=t("label_answer"), placeholder="0",
                                     style=LABEL_STYLE, layout=W.Layout(width="18em"))
            return W.HBox([self.number_box, W.Label(q.unit)]) if q.unit else self.number_box
        if q.type == "order":
            self.shown_items = shuffled(q.items, self.bank_id, q.id)
            positions = [(str(i), i) for i in range(1, len(q.items) + 1)]
            self.position, box = _dropdown_rows(self.shown_items, positions, t("label_position"),
                                                "10em")
            return box
        if q.type == "categorize":
            choices = [(c, c) for c in q.categories]
            self.category, box = _dropdown_rows(q.items, choices, t("label_category"), "16em")
            return box
        self.textarea = W.Textarea(value="", description=t("label_answer"), rows=3,
                                   style=LABEL_STYLE, layout=WIDE)
        return self.textarea

    # ------------------------------------------------------------------ reading / setting values
    def set_answer(self, value: Any) -> None:
        """Put an answer (stored form, docs/quiz_banks.md) into the widgets, as a student would."""
        q = self.q
        if q.type in ("single", "truefalse"):
            self.radio.value = value
        elif q.type == "multiple":
            chosen = set(value or [])
            for option_id, box in self.boxes.items():
                box.value = option_id in chosen
        elif q.type == "numeric":
            self.number_box.value = "" if value is None else str(value)
        elif q.type == "order":
            for index, item in enumerate(value or [], start=1):
                self.position[item].value = index
        elif q.type == "categorize":
            for item, category in (value or {}).items():
                self.category[item].value = category
        else:
            self.textarea.value = value or ""

    def read_answer(self) -> Any:
        """The answer in stored form, or raise Incomplete with a message for the student."""
        q = self.q
        if q.type in ("single", "truefalse"):
            if self.radio.value is None:
                raise Incomplete(t("choose_one"))
            return self.radio.value
        if q.type == "multiple":
            chosen = sorted(i for i, box in self.boxes.items() if box.value)
            if not chosen:
                raise Incomplete(t("choose_some"))
            return chosen
        if q.type == "numeric":
            raw = self.number_box.value.strip()
            if not raw:
                raise Incomplete(t("enter_number"))
            value = parse_number(raw)
            if value is None:
                raise Incomplete(t("not_a_number", value=raw))
            return int(value) if value.is_integer() and abs(value) < 2**53 else value
        if q.type == "order":
            chosen = {item: dd.value for item, dd in self.position.items()}
            used = sorted(v for v in chosen.values() if v is not None)
            if used != list(range(1, len(chosen) + 1)):
                raise Incomplete(t("positions_incomplete", n=len(chosen)))
            return [item for item, _ in sorted(chosen.items(), key=lambda kv: kv[1])]
        if q.type == "categorize":
            chosen = {item: dd.value for item, dd in self.category.items()}
            if any(v is None for v in chosen.values()):
                raise Incomplete(t("categories_incomplete"))
            return chosen
        text = self.textarea.value.strip()
        if not text:
            raise Incomplete(t("enter_text"))
        return text

    # ------------------------------------------------------------------ checking
    def check(self) -> None:
        """Same code path as a click: the button's own handler runs."""
        self.check_button.click()

    def _on_click(self, _button=None) -> None:
        try:
            answer = self.read_answer()
        except Incomplete as exc:
            self.feedback.value = _box("neutral", f"ℹ {html.escape(str(exc))}")
            return
        outcome = score(self.q, answer)
        attempts = int((self.result or {}).get("attempts", 0)) + 1
        record = {"answer": answer, "correct": outcome.correct, "points": outcome.earned,
                  "max_points": outcome.possible, "attempts": attempts, "checked_at": now_iso()}
        self.result, self.outcome = record, outcome
        note = ""
        try:
            self.store.save(self.q.id, record)
        except OSError as exc:
            note = _box("incorrect", html.escape(t("save_failed", file=self.store.path.name,
                                                   reason=exc.strerror or exc)))
        self.render(answer, outcome, note)
        self._on_change()

    def restore(self, record: dict[str, Any]) -> bool:
        """Show a saved record (re-scored against the current bank). False if it no longer fits."""
        answer = record.get("answer")
        if not answer_fits(self.q, answer):
            return False
        self.set_answer(answer)
        self.outcome = score(self.q, answer)
        self.result = {**record, "correct": self.outcome.correct, "points": self.outcome.earned,
                       "max_points": self.outcome.possible}
        self.render(answer, self.outcome)
        return True

    # ------------------------------------------------------------------ feedback
    def render(self, answer: Any, outcome: Outcome, note: str = "") -> None:
        q, parts = self.q, []
        attempts = html.escape(t("attempts", attempts=(self.result or {}).get("attempts", 1)))
        if self.graded:
            parts.append(_box("neutral", f"<strong>{html.escape(t('saved_graded'))}</strong>"))
            self.feedback.value = "".join(parts) + f"<small>{attempts}</small>" + note
            return
        if not q.scorable:
            parts.append(_box("neutral", f"<strong>{html.escape(t('attempted'))}</strong>"))
            if q.keywords and not any(k.lower() in str(answer).lower() for k in q.keywords):
                hint = t("keyword_hint", keywords=", ".join(q.keywords))
                parts.append(f"<p>{html.escape(hint)}</p>")
            parts.append(_section("model_answer", md(q.model_answer)))
        else:
            if outcome.correct:
                kind, head = "correct", t("correct")
            elif outcome.earned > 0:
                kind, head = "partial", t("partial", points=points_of(outcome.earned,
                                                                      outcome.possible))
            else:
                kind, head = "incorrect", t("incorrect")
            colour = COLOURS[kind]
            extra = "".join(f"<div>{md(x, inline=True)}</div>"
                            for x in self._answer_feedback(answer, outcome))
            verdict = f'<strong style="color:{colour}">{html.escape(head)}</strong>'
            parts.append(_box(kind, f"<div>{verdict}</div>{extra}"))
        if q.explanation:
            parts.append(_section("explanation", md(q.explanation)))
        if q.source_ids:
            items = []
            for sid in q.source_ids:
                text, url = citation(sid)
                url = html.escape(url)
                link = f' <a href="{url}" target="_blank">{url}</a>' if url else ""
                items.append(f"<li>{html.escape(text)}{link}</li>")
            parts.append(_section("sources", f"<ul>{''.join(items)}</ul>"))
        self.feedback.value = "".join(parts) + f"<small>{attempts}</small>" + note

    def _answer_feedback(self, answer: Any, outcome: Outcome) -> list[str]:
        q = self.q
        if q.type == "single":
            option = q.option(answer)
            return [option.feedback] if option and option.feedback else []
        if q.type == "multiple":
            return [f"{o.text}: {o.feedback}" for o in q.options if o.id in answer and o.feedback]
        if q.type == "truefalse":
            text = q.feedback_true if answer else q.feedback_false
            return [text] if text else []
        if q.type == "numeric":
            if outcome.direction == "low":
                return [q.feedback_low or t("too_low")]
            if outcome.direction == "high":
                return [q.feedback_high or t("too_high")]
            return []
        if q.type == "categorize":
            return [f"{item}: {q.item_feedback[item]}" for item, cat in answer.items()
                    if q.answer and q.answer.get(item) != cat and item in q.item_feedback]
        return []

    def feedback_text(self) -> str:
        """The feedback as plain text (what a screen reader would read)."""
        return plain(self.feedback.value)
