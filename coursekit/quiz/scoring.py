"""Score one answer against one question's key. Pure functions: no widgets, no files.

Answers are in their stored form (docs/quiz_banks.md, "The answers file"). Anything malformed —
e.g. a hand-edited answers file — scores 0 rather than raising.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from coursekit.quiz.bank import Bank, BankError, Question, key_from_dict

EPSILON = 1e-9


@dataclass
class Outcome:
    correct: bool | None  # None: not auto-scored (text) or no key (graded mode)
    earned: float
    possible: float
    direction: str = ""  # numeric: "low" / "high" when outside the accepted range


def parse_number(value: Any) -> float | None:
    """Read a student's number: 1200, "1,200", " 3.5 " -> float; anything else -> None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        cleaned = value.replace(",", "").replace(" ", "").replace("\u2009", "").strip()
        try:
            number = float(cleaned)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def answer_fits(q: Question, answer: Any) -> bool:
    """Whether a stored answer has the right shape for this question (used when restoring)."""
    if q.type == "single":
        return isinstance(answer, str) and q.option(answer) is not None
    if q.type == "multiple":
        return isinstance(answer, list) and all(isinstance(a, str) and q.option(a) for a in answer)
    if q.type == "truefalse":
        return isinstance(answer, bool)
    if q.type == "numeric":
        return parse_number(answer) is not None
    if q.type == "order":
        return isinstance(answer, list) and sorted(map(str, answer)) == sorted(q.items)
    if q.type == "categorize":
        return (isinstance(answer, dict) and set(answer) == set(q.items)
                and all(v in q.categories for v in answer.values()))
    return isinstance(answer, str)


def _share(right: float, total: float) -> float:
    return max(0.0, min(1.0, right / total)) if total else 0.0


def score(q: Question, answer: Any) -> Outcome:
    """Score ``answer`` against ``q``'s key. ``possible`` is ``q.max_points``."""
    possible = q.max_points
    if not q.scorable or not q.has_key:
        return Outcome(None, 0.0, possible)
    fraction, direction = 0.0, ""
    if q.type == "single":
        fraction = float(isinstance(answer, str) and answer == q.answer)
    elif q.type == "truefalse":
        fraction = float(isinstance(answer, bool) and answer is q.answer)
    elif q.type == "multiple":
        chosen = {a for a in answer if isinstance(a, str)} if isinstance(answer, list) else set()
        key = set(q.answer)
        if q.scoring == "partial":
            fraction = _share(len(chosen & key) - len(chosen - key), len(key))
        else:
            fraction = float(chosen == key)
    elif q.type == "numeric":
        number = parse_number(answer)
        if number is not None:
            if q.tolerance is not None:
                tol = q.tolerance
            else:
                tol = abs(q.answer) * (q.tolerance_pct or 0) / 100
            if abs(number - q.answer) <= tol + EPSILON * max(1.0, abs(q.answer)):
                fraction = 1.0
            else:
                direction = "low" if number < q.answer else "high"
    elif q.type == "order":
        given = [str(a) for a in answer] if isinstance(answer, list) else []
        right = sum(1 for g, k in zip(given, q.answer) if g == k)
        if q.scoring == "partial":
            fraction = _share(right, len(q.answer))
        else:
            fraction = float(given == q.answer)
    elif q.type == "categorize":
        given = answer if isinstance(answer, dict) else {}
        right = sum(1 for item, cat in q.answer.items() if given.get(item) == cat)
        if q.scoring == "partial":
            fraction = _share(right, len(q.answer))
        else:
            fraction = float(right == len(q.answer))
    earned = round(possible * fraction, 6)
    return Outcome(fraction >= 1.0, earned, possible, direction)


def _plain_answer(value: Any) -> Any:
    """Accept either a stored record ({"answer": ...}) or the bare answer."""
    record_keys = {"attempts", "checked_at", "correct"}
    if isinstance(value, dict) and "answer" in value and record_keys & set(value):
        return value["answer"]
    return value


def score_answers(answers: dict, key: dict | Bank) -> tuple[float, float]:
    """Score ``{qid: answer or record}`` against a key given in code (or a practice Bank).

    Returns (earned, possible); possible is the sum of the key's points.
    """
    questions = key_from_dict(key)
    if not isinstance(answers, dict):
        answers = {}
    earned = possible = 0.0
    for qid, q in questions.items():
        possible += q.max_points
        if qid in answers:
            earned += score(q, _plain_answer(answers[qid])).earned
    return round(earned, 6), round(possible, 6)


def require_key(bank: Bank) -> None:
    missing = [q.id for q in bank.questions.values() if q.scorable and not q.has_key]
    if missing:
        where = bank.path or bank.id
        raise BankError(f"{where}: this bank holds no answer key for {', '.join(missing)} "
                        "(graded mode) — use score_answers(saved_answers(...), KEY) instead.")
