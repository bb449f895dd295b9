"""Where the figures can be read (coursekit.provenance): the classes, folder entries of
publishers.csv, the README's table and the `coursekit sources` command."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from coursekit import data as ckdata
from coursekit import provenance

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"

PUBLISHERS = {
    "dawn.com": {"publisher": "Dawn", "publisher_kind": "newspaper or broadcaster",
                 "acceptable": "yes"},
    "apnews.com": {"publisher": "Associated Press (AP)", "publisher_kind": "wire service",
                   "acceptable": "yes"},
    "reliefweb.int": {"publisher": "ReliefWeb (UN OCHA)",
                      "publisher_kind": "archive of official documents", "acceptable": "yes"},
    "github.com": {"publisher": "GitHub (dataset host)", "publisher_kind": "dataset maintainer",
                   "acceptable": "yes"},
    "github.com/populationstatistics": {"publisher": "UNHCR",
                                        "publisher_kind": "UN or other international body",
                                        "acceptable": "yes"},
}


def source(publisher="UNHCR", url="https://www.unhcr.org/x", read_in_url=""):
    return {"publisher": publisher, "url": url, "read_in_url": read_in_url}


@pytest.mark.parametrize("src, expected", [
    (source(), provenance.OWN),                                         # own page, no copy
    (source(url="", read_in_url="https://github.com/PopulationStatistics/refugees/tree/abc"),
     provenance.OWN),                                                   # the publisher's own repo
    (source(read_in_url="https://github.com/someone/refugees-copy"), provenance.OTHER),
    (source(read_in_url="https://www.dawn.com/news/1"), provenance.NEWS),
    (source(read_in_url="https://apnews.com/article/x"), provenance.NEWS),
    (source(read_in_url="https://reliefweb.int/report/pakistan/x"), provenance.OTHER),
    # the folder belongs to UNHCR: another publisher's figure read there is a copy
    (source(publisher="IOM", read_in_url="https://github.com/PopulationStatistics/x"),
     provenance.OTHER),
])
def test_where_read(src, expected):
    assert provenance.where_read(src, PUBLISHERS) == expected


def test_folder_entry_wins_over_its_host_and_only_under_its_folder():
    assert ckdata.listed("https://github.com/PopulationStatistics/refugees", PUBLISHERS)[
        "publisher"] == "UNHCR"
    assert ckdata.listed("https://github.com/other/populationstatistics", PUBLISHERS)[
        "publisher"] == "GitHub (dataset host)"
    assert ckdata.listed("https://news.dawn.com/x", PUBLISHERS)["publisher"] == "Dawn"
    assert ckdata.listed("https://example.org/x", PUBLISHERS) is None


def test_summary_counts_every_row_once():
    frame = provenance.summary(data_dir=DATA)
    body = frame[frame.table != "all"]
    assert (body[["own", "news", "other"]].sum(axis=1) == body["rows"]).all()
    for name in body.table:
        assert body.set_index("table").loc[name, "rows"] == len(ckdata.load(name, data_dir=DATA))
    total = frame[frame.table == "all"].iloc[0]
    assert total["rows"] == body["rows"].sum()
    assert total["share"] == pytest.approx((total["own"] + total["news"]) / total["rows"])


def test_readme_table_is_the_computed_one():
    expected = provenance.markdown(provenance.summary(data_dir=DATA))
    assert provenance.readme_block(DATA / "README.md") == expected, (
        "data/README.md's 'Where the figures can be read' table is out of date: run "
        "python -m coursekit.provenance --write")


def test_coursekit_sources_command_prints_the_table():
    out = subprocess.run([sys.executable, "-m", "coursekit.cli", "sources"], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "| **all** |" in out.stdout and "`attacks`" in out.stdout


def overview_rows():
    """data/README.md's Overview table: {dataset: [cells]}."""
    text = (DATA / "README.md").read_text(encoding="utf-8")
    section = text.split("## Overview", 1)[1].split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 5 and cells[0].startswith("`"):
            rows[cells[0].strip("`")] = cells
    return rows


@pytest.mark.parametrize("name", [n for n in ckdata.datasets(data_dir=DATA)])
def test_readme_overview_counts_are_the_data(name):
    """Rows, sources and the high / medium / low split that the Overview prints are computed
    from the tables, so that re-sourcing cannot leave them stale."""
    cells = overview_rows().get(name)
    assert cells, f"data/README.md's Overview has no line for `{name}`"
    df = ckdata.load(name, data_dir=DATA)
    assert cells[1] == str(len(df)), f"{name}: README says {cells[1]} rows, the table has {len(df)}"
    if "source_id" in df:
        n = df["source_id"].nunique()
        assert cells[3] == str(n), f"{name}: README says {cells[3]} sources, the table uses {n}"
    if "confidence" in df and "/" in cells[4]:
        counts = df["confidence"].value_counts()
        split = " / ".join(str(int(counts.get(k, 0))) for k in ("high", "medium", "low"))
        assert cells[4] == split, f"{name}: README says {cells[4]}, the table has {split}"


# ---------------------------------------------------------------- low rows carry no verdict or key
def _row_grades():
    """{row id: confidence} for every data table that grades its rows."""
    grades = {}
    for name in ckdata.datasets(data_dir=DATA):
        df = ckdata.load(name, data_dir=DATA)
        if "confidence" in df and "id" in df:
            grades.update(zip(df["id"], df["confidence"]))
    return grades


def test_claim_verdicts_rest_on_no_low_row():
    """A verdict in the claims register is evidence students are graded against: its rows must
    be medium or above."""
    grades = _row_grades()
    claims = ckdata.load("claims", data_dir=DATA)
    bad = [(c.claim_id, rid) for c in claims.itertuples() for rid in str(c.evidence).split(";")
           if grades.get(rid.strip()) == "low"]
    assert not bad, f"claims resting on low rows: {bad}"


def test_quiz_items_cite_no_source_whose_rows_are_all_low():
    """A quiz item that names a source whose every row is graded low keys on a figure the course
    could not read on a page it can cite."""
    import yaml

    by_source: dict[str, set] = {}
    for name in ckdata.datasets(data_dir=DATA):
        df = ckdata.load(name, data_dir=DATA)
        if "confidence" in df:
            for sid, conf in zip(df["source_id"], df["confidence"]):
                by_source.setdefault(sid, set()).add(conf)
    only_low = {sid for sid, grades in by_source.items() if grades == {"low"}}
    bad = []
    for bank in sorted((ROOT / "notebooks" / "quizzes").glob("*.yaml")):
        doc = yaml.safe_load(bank.read_text(encoding="utf-8"))
        items = doc.get("questions", doc.get("items", [])) if isinstance(doc, dict) else doc
        for item in items or []:
            for sid in item.get("source_ids", []) or []:
                if sid in only_low:
                    bad.append(f"{bank.name}: {item.get('id')} cites {sid}")
    assert not bad, "quiz items citing sources graded low only:\n" + "\n".join(bad)
