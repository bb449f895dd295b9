"""The answers file: ``<answers_dir>/<bank_id>.answers.json``, written atomically on every check.

Format: ``{"bank": id, "bank_hash": ..., "answers": {qid: {"answer", "correct", "points",
"max_points", "attempts", "checked_at"}}, "digest": ...}`` (digest: see record.py). The same
answers also travel inside the notebook (record.py); this file is the fallback. A corrupt file never crashes a quiz: it is copied aside
(``.corrupt-<timestamp>``) and the store starts empty, with a plain-words message for the UI.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from coursekit.quiz.record import digest, slim

ENV_DIR = "COURSEKIT_ANSWERS_DIR"


def resolve_answers_dir(answers_dir: str | Path | None = None) -> Path:
    if answers_dir is not None:
        return Path(answers_dir).expanduser()
    env = os.environ.get(ENV_DIR)
    return Path(env).expanduser() if env else Path.cwd()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class AnswerStore:
    def __init__(self, bank_id: str, bank_hash: str, answers_dir: str | Path | None = None):
        self.bank_id = bank_id
        self.bank_hash = bank_hash
        self.path = resolve_answers_dir(answers_dir) / f"{bank_id}.answers.json"
        self.answers: dict[str, dict[str, Any]] = {}
        self.problem: dict[str, str] | None = None  # {"file", "backup"} when the file was corrupt
        self.stored_hash: str | None = None
        self.load()

    def load(self) -> None:
        self.answers = {}
        if not self.path.exists():
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if not isinstance(data, dict) or not isinstance(data.get("answers", {}), dict):
                raise ValueError("not an answers file")
            answers = data.get("answers", {})
            if not all(isinstance(r, dict) for r in answers.values()):
                raise ValueError("answer records must be objects")
        except (OSError, ValueError, UnicodeDecodeError):
            self._set_aside()
            return
        self.stored_hash = data.get("bank_hash")
        self.answers = answers

    def _set_aside(self) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        backup = self.path.with_name(f"{self.path.name}.corrupt-{stamp}")
        try:
            shutil.copy2(self.path, backup)
            self.path.unlink()
        except OSError:
            pass
        self.problem = {"file": self.path.name, "backup": backup.name}

    def save(self, qid: str, record: dict[str, Any]) -> None:
        """Store one record and rewrite the file atomically (temp file + os.replace).

        Records saved meanwhile by another Quiz on the same bank (a second cell, another kernel)
        are re-read first, so they are kept rather than overwritten with this one's stale copy.
        """
        current = read_answers(self.bank_id, self.path.parent) if self.path.exists() else {}
        self.answers = {**current, **{k: v for k, v in self.answers.items() if k not in current}}
        self.answers[qid] = record
        self.write()

    def write(self) -> None:
        """Write all current answers to the file, atomically."""
        data = {"bank": self.bank_id, "bank_hash": self.bank_hash, "answers": self.answers,
                "digest": digest(self.bank_id, self.bank_hash, slim(self.answers))}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp",
                                   dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
                handle.write("\n")
            os.chmod(tmp, 0o644)  # mkstemp makes 0600; graders may read it as another user
            os.replace(tmp, self.path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise


def read_answers(bank_id: str, answers_dir: str | Path | None = None) -> dict[str, dict[str, Any]]:
    """Read saved answer records without side effects ({} if missing or unreadable)."""
    path = resolve_answers_dir(answers_dir) / f"{bank_id}.answers.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError, UnicodeDecodeError):
        return {}
    answers = data.get("answers") if isinstance(data, dict) else None
    if not isinstance(answers, dict):
        return {}
    return {k: v for k, v in answers.items() if isinstance(v, dict)}
