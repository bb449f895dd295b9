"""Load and validate question banks (format: docs/quiz_banks.md).

A bank is YAML: ``title``, optional ``intro`` and ``mode``, and a list of ``questions``. It is
checked against ``quiz_schema.json`` (structure), then question by question (cross-field rules),
and a bad bank raises ONE :class:`BankError` naming the file and the question id.
"""
from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..fastimport import import_jsonschema

# libyaml's C parser when present (about 10x faster than the pure-Python one), same safe rules
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

TYPES = ("single", "multiple", "truefalse", "numeric", "order", "categorize", "text")
SCHEMA_PATH = Path(__file__).with_name("schema.json")


class BankError(ValueError):
    """A question bank (or grading key) is malformed. The message names the file and question id."""


@dataclass
class Option:
    id: str
    text: str
    feedback: str = ""


@dataclass
class Question:
    """One question, normalised. ``answer`` is None when the bank holds no key (graded mode)."""

    id: str
    type: str
    prompt: str = ""
    points: float = 1.0
    explanation: str = ""
    source_ids: list[str] = field(default_factory=list)
    options: list[Option] = field(default_factory=list)
    answer: Any = None
    scoring: str = "all_or_nothing"
    feedback_true: str = ""
    feedback_false: str = ""
    tolerance: float | None = None
    tolerance_pct: float | None = None
    unit: str = ""
    feedback_low: str = ""
    feedback_high: str = ""
    items: list[str] = field(default_factory=list)
    item_feedback: dict[str, str] = field(default_factory=dict)
    categories: list[str] = field(default_factory=list)
    model_answer: str = ""
    keywords: list[str] = field(default_factory=list)

    @property
    def scorable(self) -> bool:
        return self.type != "text"

    @property
    def max_points(self) -> float:
        return self.points if self.scorable else 0.0

    @property
    def has_key(self) -> bool:
        return self.answer is not None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass
class Bank:
    id: str
    path: Path | None
    title: str
    intro: str
    mode: str
    questions: dict[str, Question]
    hash: str

    @property
    def graded(self) -> bool:
        return self.mode == "graded"

    @property
    def possible(self) -> float:
        return sum(q.max_points for q in self.questions.values())


# --------------------------------------------------------------------------- locating banks

def bank_path(bank: str | Path) -> Path:
    """A bank id (``"01_the_article"``) -> notebooks/quizzes/<id>.yaml; a path -> itself."""
    text = str(bank)
    if text.endswith((".yaml", ".yml", ".json")) or "/" in text or "\\" in text:
        path = Path(text).expanduser()
        if not path.exists():
            raise BankError(f"{path}: question bank file not found.")
        return path
    from coursekit.paths import notebooks_dir

    folder = notebooks_dir() / "quizzes"
    for suffix in (".yaml", ".yml", ".json"):
        path = folder / f"{text}{suffix}"
        if path.exists():
            return path
    known = sorted(p.stem for p in folder.glob("*.y*ml")) if folder.exists() else []
    raise BankError(
        f"No question bank called '{text}' in {folder}. "
        f"Known banks: {', '.join(known) if known else '(none)'}."
    )


def load_bank(bank: str | Path | Bank, *, check_sources: bool = False) -> Bank:
    """Read, validate and normalise a bank given by id, path, or an already loaded Bank."""
    if isinstance(bank, Bank):
        return bank
    path = bank_path(bank)
    raw_text = path.read_text(encoding="utf-8")
    data = parse_yaml(raw_text, path)
    result = bank_from_dict(data, path=path, bank_id=path.stem)
    result.hash = hashlib.sha256(raw_text.encode("utf-8")).hexdigest()[:16]
    if check_sources:
        check_source_ids(result)
    return result


def parse_yaml(text: str, path: Path | str) -> Any:
    try:
        return yaml.load(text, Loader=SAFE_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise BankError(f"{path}{where}: YAML syntax error: {problem}.") from None


# --------------------------------------------------------------------------- validation

@lru_cache(maxsize=1)
def _validator():
    jsonschema = import_jsonschema()

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return jsonschema.Draft202012Validator(schema)


@lru_cache(maxsize=1)
def _fast_validator():
    """The same schema compiled by fastjsonschema (already installed with nbformat): a valid bank
    is confirmed in milliseconds, and jsonschema — slow to import — is only loaded to word the
    message for an invalid one."""
    import fastjsonschema

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    schema.pop("$schema", None)  # fastjsonschema knows drafts 4–7; the keywords used are common
    return fastjsonschema.compile(schema)


def _schema_error(data: dict, where: str) -> None:
    try:
        _fast_validator()(data)
        return
    except Exception:  # noqa: BLE001 — any doubt goes to the full validator below
        pass
    errors = sorted(_validator().iter_errors(data),
                    key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if not errors:
        return
    err = errors[0]
    path = list(err.absolute_path)
    prefix = where
    if len(path) >= 2 and path[0] == "questions" and isinstance(path[1], int):
        question = data["questions"][path[1]]
        qid = question.get("id") if isinstance(question, dict) else None
        prefix += f", question '{qid}'" if qid else f", question #{path[1] + 1}"
        path = path[2:]
    field_name = ".".join(str(p) for p in path)
    if err.validator == "required":
        missing = [m for m in err.validator_value if m not in (err.instance or {})]
        message = f"missing required field '{missing[0]}'" if missing else err.message
    elif err.validator == "additionalProperties":
        message = f"unknown field ({err.message.split('(')[-1].rstrip(')')})"
    elif err.validator == "enum" and field_name == "type":
        message = f"unknown type {err.instance!r}; use one of: {', '.join(TYPES)}"
    elif err.validator == "pattern" and field_name == "id":
        message = (f"id {err.instance!r} is not a slug (lowercase letters, digits, '-' and '_', "
                   "starting with a letter or digit)")
    else:
        message = f"field '{field_name or 'top level'}': {err.message}"
    raise BankError(f"{prefix}: {message}.")


def bank_from_dict(data: Any, *, path: Path | None = None, bank_id: str = "bank") -> Bank:
    where = str(path) if path else bank_id
    if not isinstance(data, dict):
        raise BankError(f"{where}: a bank must be a mapping with 'title' and 'questions'.")
    _schema_error(data, where)
    mode = data.get("mode", "practice")
    questions: dict[str, Question] = {}
    for raw in data["questions"]:
        qwhere = f"{where}, question '{raw['id']}'"
        if raw["id"] in questions:
            raise BankError(f"{qwhere}: duplicate id (each question id must be unique).")
        questions[raw["id"]] = build_question(raw, graded=mode == "graded", where=qwhere)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return Bank(bank_id, path, data["title"], data.get("intro", ""), mode, questions, digest)


def _need(raw: dict, name: str, where: str, why: str = "") -> Any:
    if raw.get(name) is None:
        raise BankError(f"{where}: missing '{name}'{why}.")
    return raw[name]


def _distinct(values: list[str], what: str, where: str) -> None:
    seen = set()
    for value in values:
        if value in seen:
            raise BankError(f"{where}: {what} {value!r} appears twice; each must be distinct.")
        seen.add(value)


def build_question(raw: dict, *, graded: bool, where: str, key_only: bool = False) -> Question:
    """Normalise one question dict (or one key entry when ``key_only``) and check its rules."""
    qtype = raw["type"]
    if qtype not in TYPES:
        raise BankError(f"{where}: unknown type {qtype!r}; use one of: {', '.join(TYPES)}.")
    needs_key = not graded
    q = Question(
        id=raw["id"], type=qtype, prompt=raw.get("prompt", ""),
        points=float(raw.get("points", 1)), explanation=raw.get("explanation", "") or "",
        source_ids=list(raw.get("source_ids", []) or []),
        scoring=raw.get("scoring", "all_or_nothing"),
    )
    if q.points <= 0:
        raise BankError(f"{where}: points must be more than 0.")
    if needs_key and not key_only and qtype != "text" and not q.explanation.strip():
        raise BankError(f"{where}: missing 'explanation' (shown after every check).")
    builder = globals()[f"_build_{qtype}"]
    builder(q, raw, needs_key=needs_key, where=where, key_only=key_only)
    return q


def _build_options(q: Question, raw: dict, where: str) -> None:
    options = _need(raw, "options", where)
    if len(options) < 2:
        raise BankError(f"{where}: needs at least 2 options.")
    for index, opt in enumerate(options):
        if isinstance(opt, str):
            opt = {"text": opt}
        option_id = str(opt.get("id", string.ascii_lowercase[index % 26] * (1 + index // 26)))
        q.options.append(Option(option_id, opt["text"], opt.get("feedback", "") or ""))
    _distinct([o.id for o in q.options], "option id", where)
    _distinct([o.text for o in q.options], "option text", where)


def _options_and_answer(q, raw, *, needs_key, where, key_only, form: str):
    """Build the options (unless only the key is read); return the raw answer, or None when the
    question has none and needs none. ``form`` shows the expected answer in the error."""
    if not key_only:
        _build_options(q, raw, where)
    if raw.get("answer") is None and (needs_key or key_only):
        raise BankError(f"{where}: no correct answer — add 'answer: {form}'.")
    return raw.get("answer")


def _build_single(q, raw, *, needs_key, where, key_only):
    answer = _options_and_answer(q, raw, needs_key=needs_key, where=where, key_only=key_only,
                                 form="<option id>")
    if answer is None:
        return
    if isinstance(answer, (list, dict, bool)):
        raise BankError(f"{where}: 'answer' must be one option id, not {answer!r}.")
    q.answer = str(answer)
    if q.options and q.option(q.answer) is None:
        ids = ", ".join(o.id for o in q.options)
        raise BankError(f"{where}: answer {q.answer!r} is not one of the option ids ({ids}).")


def _build_multiple(q, raw, *, needs_key, where, key_only):
    answer = _options_and_answer(q, raw, needs_key=needs_key, where=where, key_only=key_only,
                                 form="[<option id>, ...]")
    if answer is None:
        return
    if not isinstance(answer, list) or not answer:
        raise BankError(f"{where}: 'answer' must be a non-empty list of option ids.")
    ids = [str(a) for a in answer]
    _distinct(ids, "answer", where)
    for option_id in ids:
        if q.options and q.option(option_id) is None:
            known = ", ".join(o.id for o in q.options)
            raise BankError(
                f"{where}: answer {option_id!r} is not one of the option ids ({known}).")
    q.answer = sorted(ids)


def _build_truefalse(q, raw, *, needs_key, where, key_only):
    q.feedback_true = raw.get("feedback_true", "") or ""
    q.feedback_false = raw.get("feedback_false", "") or ""
    if raw.get("answer") is None:
        if needs_key or key_only:
            raise BankError(f"{where}: no correct answer — add 'answer: true' or 'answer: false'.")
        return
    if not isinstance(raw["answer"], bool):
        raise BankError(
            f"{where}: 'answer' must be true or false (unquoted), not {raw['answer']!r}.")
    q.answer = raw["answer"]


def _build_numeric(q, raw, *, needs_key, where, key_only):
    q.unit = raw.get("unit", "") or ""
    q.feedback_low = raw.get("feedback_low", "") or ""
    q.feedback_high = raw.get("feedback_high", "") or ""
    tol, pct = raw.get("tolerance"), raw.get("tolerance_pct")
    if tol is not None and pct is not None:
        raise BankError(f"{where}: give either 'tolerance' or 'tolerance_pct', not both.")
    for name, value in (("tolerance", tol), ("tolerance_pct", pct)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))
                                  or value < 0):
            raise BankError(f"{where}: '{name}' must be a number ≥ 0, not {value!r}.")
    q.tolerance = None if tol is None else float(tol)
    q.tolerance_pct = None if pct is None else float(pct)
    if raw.get("answer") is None:
        if needs_key or key_only:
            raise BankError(f"{where}: no correct answer — add 'answer: <number>'.")
        return
    answer = raw["answer"]
    if isinstance(answer, bool) or not isinstance(answer, (int, float)):
        raise BankError(f"{where}: 'answer' must be a number, not {answer!r}.")
    if tol is None and pct is None:
        raise BankError(
            f"{where}: missing 'tolerance' (absolute, ≥ 0; 0 = exact) or 'tolerance_pct'.")
    q.answer = float(answer)


def _build_order(q, raw, *, needs_key, where, key_only):
    if key_only:
        answer = raw.get("answer")
        if not isinstance(answer, list) or len(answer) < 2:
            raise BankError(f"{where}: 'answer' must list the items in the correct order.")
        q.items = [str(a) for a in answer]
        _distinct(q.items, "item", where)
        q.answer = list(q.items)
        return
    items = _need(raw, "items", where)
    if len(items) < 2 or not all(isinstance(i, str) and i for i in items):
        raise BankError(f"{where}: 'items' must list at least 2 texts.")
    _distinct(items, "item", where)
    q.items = list(items)
    if raw.get("answer") is not None:
        answer = raw["answer"]
        if not isinstance(answer, list) or sorted(map(str, answer)) != sorted(q.items):
            raise BankError(f"{where}: 'answer' must list exactly the items, in the correct order.")
        q.answer = [str(a) for a in answer]
    elif needs_key:
        q.answer = list(q.items)


def _build_categorize(q, raw, *, needs_key, where, key_only):
    if key_only:
        answer = raw.get("answer")
        if not isinstance(answer, dict) or not answer:
            raise BankError(f"{where}: 'answer' must map each item to its category.")
        q.answer = {str(k): str(v) for k, v in answer.items()}
        q.items = list(q.answer)
        return
    categories = _need(raw, "categories", where)
    if len(categories) < 2:
        raise BankError(f"{where}: needs at least 2 categories.")
    _distinct(categories, "category", where)
    q.categories = list(categories)
    items = _need(raw, "items", where)
    if not items:
        raise BankError(f"{where}: 'items' is empty.")
    answer: dict[str, str] = {}
    for item in items:
        item = {"text": item} if isinstance(item, str) else item
        q.items.append(item["text"])
        if item.get("feedback"):
            q.item_feedback[item["text"]] = item["feedback"]
        category = item.get("category")
        if category is None:
            if needs_key:
                raise BankError(f"{where}: item {item['text']!r} has no 'category'.")
            continue
        if category not in q.categories:
            raise BankError(f"{where}: item {item['text']!r} is assigned to unknown category "
                            f"{category!r} (categories: {', '.join(q.categories)}).")
        answer[item["text"]] = category
    _distinct(q.items, "item", where)
    if answer and len(answer) != len(q.items):
        raise BankError(f"{where}: give a 'category' for every item, or (graded mode) for none.")
    q.answer = answer or None


def _build_text(q, raw, *, needs_key, where, key_only):
    if key_only:
        raise BankError(f"{where}: text questions are not auto-scored and cannot be in a key.")
    q.model_answer = raw.get("model_answer", "") or ""
    q.keywords = list(raw.get("keywords", []) or [])
    if needs_key and not q.model_answer.strip():
        raise BankError(f"{where}: missing 'model_answer' (revealed after an attempt).")


# --------------------------------------------------------------------------- sources

def check_source_ids(bank: Bank) -> None:
    """Raise BankError naming the first question citing a source_id not in data/sources.csv."""
    from coursekit.quiz.sources import known_source_ids, sources_file

    known = known_source_ids()
    for q in bank.questions.values():
        for sid in q.source_ids:
            if sid not in known:
                where = bank.path or bank.id
                table = sources_file() or "data/sources.csv"
                raise BankError(f"{where}, question '{q.id}': source_id {sid!r} is not in "
                                f"{table} (or that file is missing).")


# --------------------------------------------------------------------------- keys for graded mode

def key_from_dict(key: dict, where: str = "key") -> dict[str, Question]:
    """Normalise a grading key ``{qid: {type, answer, points, ...}}`` (docs/quiz_banks.md)."""
    if isinstance(key, Bank):
        return {qid: q for qid, q in key.questions.items() if q.scorable and q.has_key}
    if isinstance(key, dict) and key and all(isinstance(v, Question) for v in key.values()):
        return key  # already normalised (load_key's result)
    if not isinstance(key, dict):
        raise BankError(f"{where}: a key must be a dict {{question_id: {{type, answer, ...}}}}.")
    result = {}
    for qid, spec in key.items():
        qwhere = f"{where}, question '{qid}'"
        if not isinstance(spec, dict) or "type" not in spec:
            raise BankError(f"{qwhere}: each key entry must be a dict with 'type' and 'answer'.")
        result[str(qid)] = build_question({**spec, "id": str(qid)}, graded=False, where=qwhere,
                                          key_only=True)
    return result
