"""The claims register (data/claims.csv) and everything that reads verdicts from it.

One claim, one verdict: lessons, quiz banks and the instructor guide must agree with the register.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
import yaml

from coursekit import claims as ckclaims
from coursekit import data as ckdata

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
SCALE = ckclaims.VERDICTS


@pytest.fixture(scope="module")
def register() -> pd.DataFrame:
    return ckdata.load("claims", data_dir=DATA)


def norm(text: str) -> str:
    """Whitespace-normalised text (the only normalisation the verbatim check allows)."""
    return re.sub(r"\s+", " ", text).strip()


def bank_files() -> list[Path]:
    return sorted((ROOT / "notebooks" / "quizzes").glob("*.yaml")) + sorted(
        (ROOT / "exercises").glob("*/*.yaml"))


def lesson_files() -> list[Path]:
    return sorted((ROOT / "notebooks").glob("*.ipynb"))


# ------------------------------------------------------------------ the register itself
def test_register_validates(register):
    # load() validated types, enums, the unique claim_id and the foreign key to sources.csv
    assert len(register) >= 20
    assert register["claim_id"].is_unique


def test_verdicts_on_the_fixed_scale(register):
    declared = next(f for f in ckdata._package(DATA)["resources"]  # noqa: SLF001
                    if f["name"] == "claims")["schema"]["fields"]
    enum = next(f for f in declared if f["name"] == "verdict")["constraints"]["enum"]
    assert list(enum) == list(SCALE), "datapackage.json and coursekit.claims.VERDICTS disagree"
    bad = register[~register["verdict"].isin(SCALE)]
    assert bad.empty, bad[["claim_id", "verdict"]].to_string()


def test_seed_quotes_occur_verbatim_in_the_seed(register):
    seeds = " ".join(norm(p.read_text(encoding="utf-8")) for p in (ROOT / "seeds").glob("*.txt"))
    seed_rows = register[register["source_text"] == "seed"]
    assert len(seed_rows) >= 15
    missing = [cid for cid, q in zip(seed_rows["claim_id"], seed_rows["quote"]) if norm(q) not in seeds]
    assert not missing, f"data/claims.csv: quote not verbatim in seeds/*.txt for {missing}"


def test_evidence_ids_exist(register):
    row_ids = set()
    for name in ckdata.datasets(data_dir=DATA):
        df = ckdata.load(name, data_dir=DATA)
        if "id" in df.columns:
            row_ids |= set(df["id"].dropna())
    source_ids = set(ckdata.load("sources", data_dir=DATA)["source_id"])
    bad = []
    for cid, ev in zip(register["claim_id"], register["evidence"].fillna("")):
        for item in filter(None, (x.strip() for x in ev.split(";"))):
            if item not in row_ids and item not in source_ids:
                bad.append(f"{cid}: {item}")
    assert not bad, "data/claims.csv, field evidence: unknown ids " + "; ".join(bad)


def test_every_claim_has_evidence_unless_not_checkable(register):
    empty = register[register["evidence"].isna() & (register["verdict"] != "not checkable with these data")]
    assert empty.empty, empty["claim_id"].tolist()


def test_reasoning_is_one_sentence(register):
    # one sentence: ends with a full stop, and no "word. Capital" inside (abbreviations such as
    # "Gen." or "Dec." are short, so only words of four or more letters end a sentence here)
    for cid, text in zip(register["claim_id"], register["reasoning"]):
        assert text.rstrip().endswith("."), cid
        assert not re.search(r"(?:[a-z]{4,}|[)\"])\. [A-Z]", text), f"{cid}: more than one sentence"


def test_seed_quotes_are_never_misquoted_elsewhere():
    """The hedged refugee sentence is never quoted as a firm forecast ("will bring"), and the State
    Department's "stands ready to assist" never as "prepared to help" (except to say so)."""
    offenders = []
    for path in [*bank_files(), *lesson_files(), *(ROOT / "docs").glob("*.md")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"will bring[^\n]{0,40}fresh wave|(?<!never )[\"“]prepared to help", text):
            offenders.append(path.name)
    assert not offenders, offenders


# ------------------------------------------------------------------ ids used elsewhere
def claim_ids_used(text: str, prefixes: set[str]) -> set[str]:
    """claim ids quoted in code ('seed-...') or used as quiz ids (verdict-seed-...)."""
    alt = "|".join(sorted(map(re.escape, prefixes)))
    found = set(re.findall(rf"[\"']((?:{alt})-[a-z0-9-]+)[\"']", text))
    found |= set(re.findall(rf"\bverdict-((?:{alt})-[a-z0-9-]+)", text))
    return found


def test_claim_ids_used_by_lessons_banks_and_guide_exist(register):
    prefixes = {cid.split("-")[0] for cid in register["claim_id"]}
    known = set(register["claim_id"])
    unknown = {}
    for path in [*bank_files(), *lesson_files(), ROOT / "docs" / "instructor_guide.md"]:
        if path.exists():
            bad = claim_ids_used(path.read_text(encoding="utf-8"), prefixes) - known
            if bad:
                unknown[path.name] = sorted(bad)
    assert not unknown, f"claim ids not in data/claims.csv: {unknown}"


# ------------------------------------------------------------------ quizzes and lessons agree
def verdict_problems(bank: dict, register: pd.DataFrame, name: str) -> list[str]:
    """Where a bank disagrees with the register.

    - a question with id ``verdict-<claim_id>`` must key the option whose text is the register's
      verdict for that claim;
    - a categorize question whose categories are verdicts must put each item (which quotes a claim)
      under that claim's verdict.
    """
    reg = register.set_index("claim_id")
    problems = []
    for q in bank.get("questions", []):
        qid = q.get("id", "")
        if qid.startswith("verdict-"):
            cid = qid[len("verdict-"):]
            if cid not in reg.index:
                problems.append(f"{name} {qid}: no claim {cid} in data/claims.csv")
                continue
            options = {str(o["id"]) if isinstance(o, dict) else str(i): (o["text"] if isinstance(o, dict) else o)
                       for i, o in enumerate(q.get("options", []))}
            keyed = options.get(str(q.get("answer")), "")
            if keyed.strip().lower() != reg.at[cid, "verdict"]:
                problems.append(f"{name} {qid}: key {keyed!r}, register says {reg.at[cid, 'verdict']!r}")
        cats = [c.lower() for c in q.get("categories", [])]
        if q.get("type") == "categorize" and cats and set(cats) <= set(SCALE):
            for item in q.get("items", []):
                text = norm(item["text"] if isinstance(item, dict) else item)
                hits = [cid for cid, quote in reg["quote"].items() if norm(quote) in text]
                if len(hits) != 1:
                    problems.append(f"{name} {qid}: item {text[:50]!r} must quote exactly one claim")
                elif str(item.get("category", "")).lower() != reg.at[hits[0], "verdict"]:
                    problems.append(f"{name} {qid}: {hits[0]} filed under {item.get('category')!r}, "
                                    f"register says {reg.at[hits[0], 'verdict']!r}")
    return problems


def test_quiz_keys_agree_with_the_register(register):
    problems = []
    for path in bank_files():
        problems += verdict_problems(yaml.safe_load(path.read_text(encoding="utf-8")), register, path.name)
    assert not problems, "\n".join(problems)


def test_some_quiz_questions_are_checked_against_the_register(register):
    checked = [q["id"] for path in bank_files()
               for q in yaml.safe_load(path.read_text(encoding="utf-8")).get("questions", [])
               if q["id"].startswith("verdict-") or (q.get("type") == "categorize"
                                                      and set(map(str.lower, q.get("categories", []))) <= set(SCALE))]
    assert len(checked) >= 3, checked


def test_a_wrong_key_is_caught(register):
    """The check above can fail: flip the key of a verdict question and of a categorized item."""
    path = ROOT / "notebooks" / "quizzes" / "07_synthesis.yaml"
    bank = yaml.safe_load(path.read_text(encoding="utf-8"))
    for q in bank["questions"]:
        if q["id"].startswith("verdict-"):
            right = str(q["answer"])
            q["answer"] = next(str(o["id"]) for o in q["options"] if str(o["id"]) != right)
        if q.get("type") == "categorize" and set(map(str.lower, q.get("categories", []))) <= set(SCALE):
            item = q["items"][0]
            item["category"] = next(c for c in q["categories"] if c != item["category"])
    problems = verdict_problems(bank, register, path.name)
    assert any("key" in p for p in problems) and any("filed under" in p for p in problems), problems


def test_lessons_build_verdict_tables_from_the_register():
    """No hand-typed table of verdicts in a lesson's text: verdict tables come from load("claims")."""
    typed = []
    for path in lesson_files():
        nb = json.loads(path.read_text(encoding="utf-8"))
        for i, cell in enumerate(nb["cells"]):
            src = "".join(cell["source"])
            if cell["cell_type"] == "markdown":
                for line in src.splitlines():
                    if line.startswith("|") and re.search(r"\|\s*\**verdict\**\s*\|", line, re.I):
                        typed.append(f"{path.name} cell {i}")
    assert not typed, f"verdict tables typed by hand (build them from data/claims.csv): {typed}"


def test_lessons_that_show_verdicts_read_the_register():
    for stem in ("01_the_article", "07_synthesis"):
        path = ROOT / "notebooks" / f"{stem}.ipynb"
        code = "\n".join("".join(c["source"]) for c in json.loads(path.read_text(encoding="utf-8"))["cells"]
                         if c["cell_type"] == "code")
        assert 'load("claims")' in code or "pd.read_csv(\"../data/claims.csv\")" in code, stem


# ------------------------------------------------------------------ the instructor guide
def test_instructor_guide_table_equals_the_register():
    guide = ROOT / "docs" / "instructor_guide.md"
    assert ckclaims.table_in_file(guide) == ckclaims.markdown(DATA).strip(), (
        "docs/instructor_guide.md: the verdict table differs from data/claims.csv; "
        "run: python -m coursekit.claims docs/instructor_guide.md")
