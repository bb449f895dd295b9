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
    """The hedged refugee sentence must never be quoted as a firm forecast ("will bring")."""
    offenders = []
    for path in [*bank_files(), *lesson_files(), *(ROOT / "docs").glob("*.md")]:
        text = path.read_text(encoding="utf-8")
        if re.search(r"will bring[^\n]{0,40}fresh wave|prepared to help", text):
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
