"""Quiz answers that travel inside the notebook, and how they are reconciled with the side file.

When a quiz is shown, its cell also displays a small output whose MIME type is
:data:`MIME` (plus a one-line ``text/plain`` for people), with a ``display_id``. Every Check
updates that output with ``update_display``, so JupyterLab keeps the latest record in the cell and
saves it with the notebook: an ``.ipynb`` uploaded alone still holds the student's answers.

The record (a "payload")::

    {"format": 1, "bank": id, "bank_hash": ..., "answers": {qid: {"answer", "attempts",
     "checked_at"}}, "digest": sha256 of the rest}

``digest`` catches a record edited by hand (a student who recomputes it can still forge one: it
is a seal against accidents and casual edits, not a signature). The side file
(``<bank>.answers.json``, see store.py) carries the same digest since this version.

Reading: :func:`answers_from_notebook` finds the records in a saved notebook;
:func:`check_payload` says what is wrong with one; :func:`resolve` merges the notebook's and the
side file's answers — per question the newer answer wins — and returns plain-words notes for the
grading status. Nothing here raises on bad input.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

MIME = "application/vnd.coursekit.quiz-answers+json"
FORMAT = 1
KEPT_FIELDS = ("answer", "attempts", "checked_at")


def display_id(bank_id: str) -> str:
    return f"coursekit-quiz-answers-{bank_id}"


def digest(bank_id: str, bank_hash: str | None, answers: dict) -> str:
    canonical = json.dumps({"bank": bank_id, "bank_hash": bank_hash, "answers": answers},
                           sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:32]


def slim(records: dict[str, dict]) -> dict[str, dict]:
    """Only what grading needs from each stored record (no stored right/wrong to trust)."""
    return {qid: {k: r[k] for k in KEPT_FIELDS if k in r}
            for qid, r in records.items() if isinstance(r, dict)}


def payload(bank_id: str, bank_hash: str | None, records: dict[str, dict]) -> dict:
    answers = slim(records)
    return {"format": FORMAT, "bank": bank_id, "bank_hash": bank_hash, "answers": answers,
            "digest": digest(bank_id, bank_hash, answers)}


# ---------------------------------------------------------------------- checking one record

@dataclass
class Checked:
    """One record after checking: usable answers, and what was wrong (plain words)."""
    where: str                       # "the notebook" / "the side file ex3.answers.json"
    answers: dict[str, dict] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    ignored: bool = False            # True: malformed or edited by hand; answers not used
    bank_hash: str | None = None


def check_payload(data: Any, *, where: str, bank_id: str | None = None,
                  bank_hash: str | None = None, require_digest: bool = True) -> Checked:
    """Validate one record. Malformed or hand-edited -> ignored with a reason; another bank
    version -> kept, with a note (answers that no longer fit a question score 0 anyway)."""
    out = Checked(where)
    if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
        out.ignored = True
        out.problems.append(f"the quiz answer record in {where} is malformed (not an answer "
                            "record); it was ignored")
        return out
    answers = data["answers"]
    bad = [str(qid) for qid, r in answers.items()
           if not isinstance(r, dict) or "answer" not in r]
    if bad:
        out.ignored = True
        out.problems.append(f"the quiz answer record in {where} is malformed (question "
                            f"{', '.join(bad[:5])} has no answer); it was ignored")
        return out
    if bank_id is not None and data.get("bank") not in (None, bank_id):
        out.ignored = True
        out.problems.append(f"the quiz answer record in {where} is for quiz "
                            f"'{data.get('bank')}', not '{bank_id}'; it was ignored")
        return out
    seal = data.get("digest")
    if seal is not None or require_digest:
        expected = digest(str(data.get("bank")), data.get("bank_hash"), slim(answers))
        if seal != expected:
            out.ignored = True
            out.problems.append(f"the quiz answer record in {where} was edited by hand (its "
                                "checksum does not match its answers); it was ignored")
            return out
    out.bank_hash = data.get("bank_hash")
    if bank_hash and out.bank_hash and out.bank_hash != bank_hash:
        out.problems.append(f"the quiz answers in {where} were given to another version of the "
                            f"quiz (version {out.bank_hash}, now {bank_hash}); they were scored "
                            "against the current questions")
    out.answers = slim(answers)
    return out


# ---------------------------------------------------------------------- reading a notebook

def records_in_notebook(nb: Any) -> dict[str, list[Any]]:
    """``{bank_id: [raw record, ...]}`` from every output of MIME type :data:`MIME`."""
    found: dict[str, list[Any]] = {}
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        outputs = cell.get("outputs") if isinstance(cell, dict) else None
        for out in outputs if isinstance(outputs, list) else []:
            data = out.get("data") if isinstance(out, dict) else None
            if not isinstance(data, dict) or MIME not in data:
                continue
            record = data[MIME]
            if isinstance(record, str):  # some writers keep JSON bundles as text
                try:
                    record = json.loads(record)
                except ValueError:
                    pass
            bank = record.get("bank") if isinstance(record, dict) else None
            found.setdefault(str(bank) if bank else "?", []).append(record)
    return found


def answers_from_notebook(path: str | Path) -> dict[str, Any]:
    """``{bank_id: record}`` held in a saved notebook ({} if none or unreadable).

    When a bank has several records (the quiz shown twice), the one with the latest check wins.
    """
    try:
        nb = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    result = {}
    for bank, records in records_in_notebook(nb).items():
        result[bank] = max(records, key=_latest_check)
    return result


def _latest_check(record: Any) -> str:
    answers = record.get("answers") if isinstance(record, dict) else None
    if not isinstance(answers, dict):
        return ""
    return max((str(r.get("checked_at", "")) for r in answers.values() if isinstance(r, dict)),
               default="")


# ---------------------------------------------------------------------- reconciling

@dataclass
class Resolution:
    answers: dict[str, dict]
    notes: list[str]
    source: str  # "notebook", "side file", "both", "none"


def _when(record: dict) -> datetime | None:
    try:
        value = datetime.fromisoformat(str(record.get("checked_at")))
    except (TypeError, ValueError):
        return None
    return value if value.tzinfo else None


def resolve(notebook: Checked | None, side: Checked | None) -> Resolution:
    """Merge the two sources; per question the answer checked last wins; notes say what happened."""
    notes: list[str] = []
    for source in (notebook, side):
        if source is not None:
            notes.extend(source.problems)
    nb = notebook.answers if notebook is not None and not notebook.ignored else {}
    sf = side.answers if side is not None and not side.ignored else {}
    if not nb and not sf:
        return Resolution({}, notes, "none")
    if not sf:
        return Resolution(dict(nb), notes, "notebook")
    if not nb:
        return Resolution(dict(sf), notes, "side file")
    merged, from_notebook, from_side = {}, [], []
    for qid in sorted(set(nb) | set(sf)):
        a, b = nb.get(qid), sf.get(qid)
        if a is None or b is None:
            merged[qid] = a or b
            continue
        if a.get("answer") == b.get("answer"):
            merged[qid] = a
            continue
        ta, tb = _when(a), _when(b)
        side_newer = ta is None and tb is not None or (ta and tb and tb > ta)
        merged[qid] = b if side_newer else a
        (from_side if side_newer else from_notebook).append(qid)
    if from_notebook or from_side:
        parts = []
        if from_notebook:
            parts.append(f"the notebook's for {', '.join(from_notebook)}")
        if from_side:
            parts.append(f"the side file's for {', '.join(from_side)}")
        notes.append("quiz answers in the notebook and the side file disagree; the newer answer "
                     "was kept: " + "; ".join(parts))
    return Resolution(merged, notes, "both")
