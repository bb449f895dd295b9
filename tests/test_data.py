"""Tests for the data package (data/) and its loader (coursekit.data).

The real data/ folder is only read. Broken inputs are built as small copies in tmp_path.
"""
from __future__ import annotations

import csv
import json
import os
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest

from coursekit import data as ckdata
from coursekit import provenance
from coursekit.data import DataError

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
DATASETS = [n for n in RESOURCES if n not in ("sources", "publishers")]
YEAR_MIN, YEAR_MAX = 1979, 2026


def fields(name, ftype=None):
    return [f["name"] for f in RESOURCES[name]["schema"]["fields"]
            if ftype is None or f.get("type", "string") == ftype]


@pytest.fixture(scope="module")
def frames():
    return {name: ckdata.load(name, data_dir=DATA) for name in [*DATASETS, "sources", "publishers"]}


# ------------------------------------------------------------------ the package as a whole
def test_package_validates_with_frictionless():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(DATA / "datapackage.json"))
    problems = [f"{t.name}: {e.message}" for t in report.tasks for e in t.errors]
    assert report.valid, "\n".join(problems[:20])
    assert report.stats["warnings"] == 0


def test_every_data_csv_is_declared():
    # publishers_<branch>.csv: per-branch domain lists the lead merges into publishers.csv
    on_disk = {p.name for p in DATA.glob("*.csv") if not p.name.startswith("publishers_")}
    declared = {r["path"] for r in PACKAGE["resources"]}
    assert on_disk == declared


def test_every_resource_has_foreign_key_to_sources_and_ids():
    for name in DATASETS:
        schema = RESOURCES[name]["schema"]
        assert schema["missingValues"] == [""]
        fk = {"fields": ["source_id"],
              "reference": {"resource": "sources", "fields": ["source_id"]}}
        assert fk in schema["foreignKeys"], name
        assert schema["primaryKey"] == (["claim_id"] if name == "claims" else ["id"]), name


def test_datasets_lists_data_tables_only():
    assert ckdata.datasets(data_dir=DATA) == DATASETS
    assert "sources" not in ckdata.datasets(data_dir=DATA)
    assert "publishers" not in ckdata.datasets(data_dir=DATA)
    for name in ["attacks", "events", "refugees", "returns", "population", "us_aid",
                 "drone_strikes", "us_troops", "timeline", "arguments"]:
        assert name in DATASETS


def test_required_leading_columns_are_in_spec_order():
    spec = {
        "attacks": "counter year month period_start period_end row_kind subset_of region "
                   "perpetrator attacks deaths injuries qualifier confidence source_id note",
        "events": "date event place province perpetrator deaths injuries qualifier category "
                  "source_id note",
        "refugees": "series year date value value_high qualifier unit series_break placeholder "
                    "confidence source_id note",
        "returns": "series counter period_start period_end row_kind value qualifier confidence "
                   "source_id note",
        "population": "year population what_it_counts source_id note",
        "us_aid": "fiscal_year_start fiscal_year_end period_label row_kind category usd_millions "
                  "qualifier estimate confidence source_id note",
        "drone_strikes": "counter period_start period_end row_kind period_label strikes deaths_low "
                         "deaths_high civilians_low civilians_high confidence source_id note",
        "us_troops": "date date_precision troops measure confidence source_id note",
        "timeline": "date date_precision event actors category source_id note",
        "arguments": "id course_use school argument who year speaker_position course_use_note "
                     "confidence source_id note",
        "sources": "source_id publisher publisher_kind title published url read_in read_in_url",
    }
    for name, cols in spec.items():
        cols = cols.split()
        assert fields(name)[: len(cols)] == cols, name


# ------------------------------------------------------------------ provenance
def test_every_row_has_a_source_with_a_url(frames):
    src = frames["sources"].set_index("source_id")
    assert src.index.is_unique
    link = src["url"].fillna(src["read_in_url"])
    assert link.str.match(r"https?://").all()
    assert not src[["url", "read_in_url", "title"]].duplicated().any(), "one publication, one source"
    for name in DATASETS:
        ids = frames[name]["source_id"]
        assert ids.notna().all(), name
        missing = set(ids) - set(src.index)
        assert not missing, f"{name}: {missing}"


def test_every_source_is_used(frames):
    used = set().union(*(set(frames[n]["source_id"]) for n in DATASETS))
    assert set(frames["sources"]["source_id"]) == used


def test_confidence_labels(frames):
    graded = [n for n in DATASETS if "confidence" in frames[n]]
    assert len(graded) >= 7
    for name in graded:
        assert set(frames[name]["confidence"].dropna()) <= {"high", "medium", "low"}, name
    kinds = set(RESOURCES["sources"]["schema"]["fields"][2]["constraints"]["enum"])
    assert set(frames["sources"]["publisher_kind"]) <= kinds


# ------------------------------------------------------------------ sources of record (issue 15)
KINDS = ["counter or research institute", "UN or other international body",
         "government or legislature", "dataset maintainer", "wire service",
         "newspaper or broadcaster", "think tank or academic journal"]


def raw_csv(name):
    """A CSV of data/ as plain strings (these checks do not need the loader)."""
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def publisher_rows():
    return {r["domain"]: r for r in raw_csv("publishers")}


def sources_used_by(table):
    used = {r["source_id"] for r in raw_csv(table)}
    return {r["source_id"]: r for r in raw_csv("sources") if r["source_id"] in used}


listed = ckdata.listed  # the loader's own lookup (folders of a host included)


def test_sources_schema_is_final():
    spec = {f["name"]: f for f in RESOURCES["sources"]["schema"]["fields"]}
    assert list(spec) == ["source_id", "publisher", "publisher_kind", "title", "published", "url",
                          "read_in", "read_in_url", "accessed", "licence"]
    assert spec["publisher"]["constraints"]["required"] is True
    assert spec["publisher_kind"]["constraints"] == {"required": True, "enum": KINDS}
    assert spec["title"]["constraints"]["required"] is True
    for name in ("url", "read_in_url"):
        assert spec[name]["format"] == "uri" and not spec[name].get("constraints", {}).get("required")
    pub = {f["name"]: f for f in RESOURCES["publishers"]["schema"]["fields"]}
    assert list(pub) == ["domain", "publisher", "publisher_kind", "acceptable", "note"]
    assert RESOURCES["publishers"]["schema"]["primaryKey"] == ["domain"]
    assert pub["acceptable"]["constraints"]["enum"] == ["yes", "no"]
    assert set(KINDS) <= set(pub["publisher_kind"]["constraints"]["enum"])


def test_publishers_table_is_consistent():
    rows = raw_csv("publishers")
    assert rows, "publishers.csv is empty"
    for r in rows:  # a host (dawn.com) or a host and folder (github.com/populationstatistics)
        host, _, folder = r["domain"].partition("/")
        assert host == ckdata.domain_of(f"https://{host}/"), r["domain"]
        assert folder == folder.lower().strip("/"), r["domain"]
    kinds = {r["domain"]: r["publisher_kind"] for r in rows}
    bad_yes = [d for d, r in publisher_rows().items() if r["acceptable"] == "yes"
               and r["publisher_kind"] not in KINDS + ["archive of official documents"]]
    assert not bad_yes, f"acceptable domains must be publishers or archives: {bad_yes}"
    assert len(kinds) == len(rows)


@pytest.mark.parametrize("table", DATASETS)
def test_sources_of_each_table_name_publisher_and_acceptable_domains(table):
    """Runs per table, so that each table's re-sourcing can be checked on its own."""
    domains = publisher_rows()
    problems = []
    for sid, s in sources_used_by(table).items():
        if not s["publisher"].strip() or s["publisher_kind"] not in KINDS:
            problems.append(f"{sid}: no publisher of record / kind")
        if not s["url"] and not s["read_in_url"]:
            problems.append(f"{sid}: neither url nor read_in_url")
        for field in ("url", "read_in_url"):
            if s[field]:
                row = listed(s[field], domains)
                if row is None or row["acceptable"] != "yes":
                    why = "not in publishers.csv" if row is None else "not acceptable"
                    problems.append(f"{sid}.{field}: {ckdata.domain_of(s[field])} {why}")
    assert not problems, f"{table}: {len(problems)} problems\n" + "\n".join(problems[:40])


def test_every_source_domain_is_listed_and_acceptable(frames):
    src, domains = frames["sources"], publisher_rows()
    for field in ("url", "read_in_url"):
        for url in src[field].dropna():
            row = listed(url, domains)
            assert row is not None and row["acceptable"] == "yes", (field, url)


def rests_on_record(source):
    """Read on the publisher's own page or dataset, or in a wire service or newspaper of record
    (the same classes as coursekit.provenance and data/README.md's table): a source with both
    url and read_in_url counts by its copy."""
    return provenance.where_read(source, publisher_rows()) in (provenance.OWN, provenance.NEWS)


@pytest.mark.parametrize("table", [n for n in DATASETS if "confidence" in fields(n)])
def test_high_rows_rest_on_the_publisher_or_a_copy_of_record(table):
    src = sources_used_by(table)
    weak = sorted({r["source_id"] for r in raw_csv(table)
                   if r["confidence"] == "high" and not rests_on_record(src[r["source_id"]])})
    assert not weak, f"{table}: high rows rest only on a secondary copy: {weak}"


# Rows behind quiz keys and graded checks (see tests/test_quiz_answers_match_data.py and the
# hidden checks of exercises/): they must not rest on low-confidence rows or weak sources.
def _pips_national(a):
    return (a.counter == "PIPS") & (a.row_kind == "annual") & (a.region == "Pakistan")


USED_BY_KEYS = {
    "attacks": [
        # lesson 2 leaves low rows out of its main series (PIPS 2016): the rows it charts
        ("PIPS national annual totals (lesson 2, ex1, ex2)",
         lambda a: _pips_national(a) & (a.confidence != "low")),
        ("PICSS national annual 2021-2025 (lesson 2)",
         lambda a: (a.counter == "PICSS") & (a.row_kind == "annual") & (a.region == "Pakistan")
         & a.year.between(2021, 2025)),
        ("PIPS 12-month totals (lesson 2)", lambda a: (a.counter == "PIPS") & (a.row_kind == "total")),
        ("PIPS 2025 provinces (lesson 2)",
         lambda a: (a.counter == "PIPS") & (a.row_kind == "annual") & (a.year == 2025)
         & a.region.isin(["Khyber Pakhtunkhwa", "ex-FATA", "Balochistan"]) & (a.confidence != "low")),
    ],
    "refugees": [
        ("UNHCR refugees series (lesson 3, ex1)", lambda r: r.series == "unhcr_refugees"),
        ("arrivals since Aug 2021 (lesson 3)", lambda r: r.series == "new_arrivals_since_aug2021"),
    ],
    "returns": [
        ("IFRP running totals quoted by quiz 3",
         lambda r: ((r.series == "ifrp_running_total_un")
                    & ((r.period_end == "2024-01-15") | (r.period_end == "2025-04-05")))
         | ((r.series == "ifrp_running_total_government") & (r.period_end == "2024-01-23"))),
        ("UNHCR returns 2002 (lesson 3)",
         lambda r: (r.series == "unhcr_returns") & (r.row_kind == "annual") & (r.year == 2002)),
    ],
    "population": [("census 2023 (ex1)", lambda p: (p.series == "census") & (p.year == 2023))],
    "us_aid": [("CRS FY2002-FY2018 grand total (lesson 5)",
                lambda u: (u.period_label == "FY2002-FY2018 total") & (u.category == "grand_total")
                & u.crs_edition.notna()),
               # lesson 5's stacked bars: the seven-year block of the March 2014 edition
               ("CRS FY2002-FY2008 block (lesson 5 chart)",
                lambda u: (u.period_label == "FY2002-FY2008 (aggregate)") & u.crs_edition.notna())],
    "drone_strikes": [
        ("BIJ annual strikes (lesson 4)", lambda d: (d.counter == "BIJ") & (d.row_kind == "annual")),
        ("BIJ totals (lesson 5 keys on BIJ's count; New America's, graded low, is only shown)",
         lambda d: (d.row_kind == "total") & (d.counter == "BIJ")),
    ],
    "us_troops": [("2017 caps and counts (lesson 4)", lambda t: t.date.dt.year == 2017)],
    "timeline": [("Kabul and the last C-17 (lesson 1)",
                  lambda t: t.event.str.contains("Taliban take Kabul|Last US C-17"))],
    "events": [("the Daraban attack (lesson 1)", lambda e: e.date == "2023-12-12")],
}


@pytest.mark.parametrize("table", sorted(USED_BY_KEYS))
def test_quiz_keys_and_graded_checks_rest_on_medium_or_above(table):
    df = ckdata.load(table, data_dir=DATA)
    src = sources_used_by(table)
    for what, select in USED_BY_KEYS[table]:
        rows = df[select(df).fillna(False).astype(bool)]
        assert not rows.empty, f"{table}: no rows for {what}"
        if "confidence" in rows:
            low = rows[~rows.confidence.isin(["high", "medium"])]
            assert low.empty, f"{table} {what}: low rows {list(low.id)}"
        else:  # no per-row grade (dated events): the source itself must be of record
            weak = sorted({sid for sid in rows.source_id if not rests_on_record(src[sid])})
            assert not weak, f"{table} {what}: rests on {weak} (no publisher's page or record copy)"


MINI_SOURCES = [
    {"source_id": "a_own", "publisher": "PIPS", "publisher_kind": "counter or research institute",
     "title": "Pakistan Security Report 2014", "published": "2015-01",
     "url": "https://www.pakpips.com/r", "read_in": "", "read_in_url": "",
     "organisation": "PIPS", "accessed": "", "licence": "not stated", "source_type": "other",
     "confidence": "high"},
    {"source_id": "b_copy", "publisher": "PIPS", "publisher_kind": "counter or research institute",
     "title": "Pakistan Security Report 2015", "published": "2016-01", "url": "",
     "read_in": "Dawn", "read_in_url": "https://www.dawn.com/news/1",
     "organisation": "PIPS", "accessed": "", "licence": "not stated", "source_type": "other",
     "confidence": "high"},
    {"source_id": "c_sub", "publisher": "Rediff", "publisher_kind": "newspaper or broadcaster",
     "title": "A story", "published": "2007", "url": "http://news.rediff.com/x", "read_in": "",
     "read_in_url": "", "organisation": "Rediff", "accessed": "", "licence": "not stated",
     "source_type": "other", "confidence": "high"},
]
MINI_PUBLISHERS = [
    {"domain": "pakpips.com", "publisher": "PIPS", "publisher_kind": "counter or research institute",
     "acceptable": "yes", "note": ""},
    {"domain": "dawn.com", "publisher": "Dawn", "publisher_kind": "newspaper or broadcaster",
     "acceptable": "yes", "note": ""},
    {"domain": "rediff.com", "publisher": "Rediff", "publisher_kind": "newspaper or broadcaster",
     "acceptable": "yes", "note": ""},
    {"domain": "scribd.com", "publisher": "Scribd", "publisher_kind": "mirror, aggregator or copy site",
     "acceptable": "no", "note": "document-sharing site"},
]


@pytest.fixture
def mini(tmp_path):
    """A data folder with only sources.csv and publishers.csv (three good sources)."""
    folder = tmp_path / "data"
    folder.mkdir()
    pkg = dict(PACKAGE, resources=[RESOURCES["sources"], RESOURCES["publishers"]])
    (folder / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    columns = fields("sources")
    for name, rows, cols in (("sources", MINI_SOURCES, columns),
                             ("publishers", MINI_PUBLISHERS, fields("publishers"))):
        with open(folder / f"{name}.csv", "w", newline="", encoding="utf-8") as fh:
            w = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
            w.writeheader()
            w.writerows(rows)
    return folder


def test_mini_sources_are_valid(mini):
    src = ckdata.sources(data_dir=mini)
    assert list(src.source_id) == ["a_own", "b_copy", "c_sub"]
    lines = ckdata.cite(src, data_dir=mini).splitlines()
    assert lines[1] == ("PIPS, Pakistan Security Report 2015 (Jan 2016), read in: Dawn, "
                        "https://www.dawn.com/news/1")


@pytest.mark.parametrize("data_row, field, value, why", [
    (2, "read_in_url", "https://www.example-blog.net/copy", "example-blog.net is not listed in "
                                                            "data/publishers.csv"),
    (1, "url", "https://de.scribd.com/document/1", "scribd.com is not an acceptable place"),
    (3, "publisher", "", "is missing"),
    (1, "url", "", "read_in_url are both empty"),
    (2, "read_in_url", "", "read_in_url are both empty"),
    (2, "read_in", "", "name the outlet"),
    (2, "publisher_kind", "blog", "not one of the allowed values"),
    (1, "url", "pakpips.com/r", "not a web address"),
])
def test_bad_source_of_record_names_file_row_and_field(mini, data_row, field, value, why):
    set_cell(mini / "sources.csv", data_row, field, value)
    if why == "read_in_url are both empty":
        for other in ("url", "read_in_url"):
            set_cell(mini / "sources.csv", data_row, other, "")
        field = "url"
    with pytest.raises(DataError) as err:
        ckdata.sources(data_dir=mini)
    e = err.value
    assert (e.file, e.row, e.field) == ("data/sources.csv", data_row + 1, field), str(e)
    assert str(e).startswith(f'data/sources.csv, row {data_row + 1}, field "{field}": ')
    assert why in str(e)


def test_bad_publishers_row_names_file_row_and_field(mini):
    set_cell(mini / "publishers.csv", 2, "acceptable", "maybe")
    with pytest.raises(DataError) as err:
        ckdata.sources(data_dir=mini)
    assert (err.value.file, err.value.row, err.value.field) == ("data/publishers.csv", 3,
                                                                "acceptable")


def test_a_subdomain_row_overrides_its_parent(mini):
    with open(mini / "publishers.csv", "a", encoding="utf-8") as fh:
        fh.write("news.rediff.com,Rediff forum copy,\"blog, forum or social media\",no,test\n")
    with pytest.raises(DataError) as err:
        ckdata.sources(data_dir=mini)
    assert (err.value.row, err.value.field) == (4, "url")


# ------------------------------------------------------------------ domain checks
def test_counts_are_non_negative(frames):
    for name in DATASETS:
        for col in fields(name, "integer") + fields(name, "number"):
            if "year" in col or col in ("month", "period_start", "period_end"):
                continue
            values = frames[name][col].dropna()
            assert (values >= 0).all(), f"{name}.{col}"


def test_years_in_range(frames):
    for name in DATASETS:
        df = frames[name]
        for col in fields(name, "integer"):
            if "year" in col or (name == "drone_strikes" and col.startswith("period_")):
                v = df[col].dropna()
                assert v.between(YEAR_MIN, YEAR_MAX).all(), f"{name}.{col}"
        for col in fields(name, "date"):
            v = df[col].dropna().dt.year
            assert v.between(YEAR_MIN, YEAR_MAX).all(), f"{name}.{col}"


def test_periods_are_ordered(frames):
    for name, a, b in [("attacks", "period_start", "period_end"),
                       ("returns", "period_start", "period_end"),
                       ("drone_strikes", "period_start", "period_end"),
                       ("us_aid", "fiscal_year_start", "fiscal_year_end")]:
        df = frames[name].dropna(subset=[a, b])
        assert (df[a] <= df[b]).all(), name


def test_attack_row_kinds_follow_their_definitions(frames):
    a = frames["attacks"]
    annual = a[a.row_kind == "annual"]
    assert (annual.period_start.dt.strftime("%m-%d") == "01-01").all()
    assert (annual.period_end.dt.strftime("%m-%d") == "12-31").all()
    assert (annual.period_start.dt.year == annual.year).all()
    assert annual.perpetrator.isna().all() and annual.attack_type.isna().all()
    assert annual.month.isna().all()
    partial = a[a.row_kind == "partial"]
    assert (partial.period_start.dt.year == partial.period_end.dt.year).all()
    monthly = a[a.month.notna()]
    assert (monthly.period_start.dt.month == monthly.month).all()
    total = a[a.row_kind == "total"]
    assert (total.period_end.dt.year > total.period_start.dt.year).all()
    subsets = a[a.row_kind == "subset"]
    assert subsets.subset_of.notna().all()
    assert a[a.row_kind != "subset"].subset_of.isna().all()
    assert (a.perpetrator.notna() <= (a.row_kind == "subset")).all(), "perpetrator rows are subsets"


def test_annual_attack_rows_never_double_count(frames):
    a = frames["attacks"]
    annual = a[a.row_kind == "annual"]
    dup = annual[annual.duplicated(["counter", "year", "region"], keep=False)]
    assert dup.empty, dup[["counter", "year", "region", "attacks", "deaths"]].to_string()


def test_province_rows_do_not_exceed_national_total(frames):
    a = frames["attacks"]
    annual = a[a.row_kind == "annual"]
    national = annual[annual.region == "Pakistan"].set_index(["counter", "year"])
    provinces = annual[annual.region != "Pakistan"]
    checked = 0
    for _, row in provinces.iterrows():
        key = (row.counter, row.year)
        if key not in national.index:
            continue
        for col in ["attacks", "deaths", "injuries"]:
            nat = national.loc[key, col]
            if pd.isna(row[col]) or pd.isna(nat):
                continue
            checked += 1
            if row[col] > nat:
                assert "exceeds national" in str(row.note), (
                    f"{row.id}: {row.region} {col} {row[col]} > national {nat} "
                    f"({row.counter} {row.year})")
    assert checked > 50


def test_revised_and_alternative_counts_are_kept(frames):
    a = frames["attacks"]
    picss_2022 = a[(a.counter_as_reported == "PICSS") & (a.year == 2022) & (a.region == "Pakistan")
                   & a.month.isna() & a.period_label.eq("2022")]
    assert sorted(picss_2022.attacks.dropna()) == [376, 380]
    assert set(picss_2022.counter) == {"PICSS", "PICSS (first release)"}


def test_refugee_ranges_and_flags(frames):
    r = frames["refugees"]
    both = r.dropna(subset=["value_high"])
    assert not both.empty
    assert (both.value_high >= both.value).all()
    unhcr = r[r.series == "unhcr_refugees"].set_index("year")
    assert unhcr.index.is_unique
    assert sorted(unhcr.index) == list(range(1979, 2026))
    assert sorted(unhcr.index[unhcr.placeholder.astype(bool)]) == [1995, 1996, 1997, 1998, 1999]
    assert not r[r.series != "unhcr_refugees"].placeholder.any()
    breaks = unhcr.series_break.dropna()
    assert {2000, 2007, 2022, 2024} <= set(breaks.index)


def test_drone_ranges(frames):
    d = frames["drone_strikes"]
    for lo, hi in [("deaths_low", "deaths_high"), ("civilians_low", "civilians_high")]:
        both = d.dropna(subset=[lo, hi])
        assert not both.empty
        assert (both[hi] >= both[lo]).all(), lo
    annual = d[d.row_kind == "annual"]
    assert (annual.period_start == annual.period_end).all()
    assert not annual.duplicated(["counter", "period_start"]).any()


def test_us_aid_parts_sum_to_totals_except_documented(frames):
    aid = frames["us_aid"]
    crs = aid[aid.crs_edition.notna()]
    parts = ["security_related_total", "economic_related_total", "csf_reimbursements"]
    checked, exceptions = 0, []
    for (edition, label), g in crs.groupby(["crs_edition", "period_label"]):
        values = dict(zip(g.category, g.usd_millions))
        if "grand_total" not in values:
            continue
        total_row = g[g.category == "grand_total"].iloc[0]
        s = sum(values.get(p, 0) for p in parts)
        checked += 1
        if s != values["grand_total"]:
            assert "PARTS-SUM EXCEPTION" in total_row.note, (
                f"{edition} {label}: {s} != {values['grand_total']}")
            exceptions.append((edition, label))
    assert checked >= 20
    # the documented clash: the Oct 2013 table prints 27,026 but its parts add up to 27,044
    assert ("CRS Oct 24, 2013", "FY2002-FY2013 total") in exceptions
    flagged = aid[aid.note.str.contains("PARTS-SUM EXCEPTION", na=False)]
    assert len(flagged) == len(exceptions)


def test_us_aid_money_is_appropriations_and_labelled(frames):
    aid = frames["us_aid"]
    assert set(aid.loc[aid.crs_edition.notna(), "measure"]) <= {"appropriation", "request"}
    assert "disbursement" in RESOURCES["us_aid"]["description"].lower()
    single = aid[(aid.row_kind == "annual") & aid.fiscal_year_start.notna()]
    odd = single[single.fiscal_year_start != single.fiscal_year_end]
    assert set(odd.measure) <= {"authorization"}


def test_troops_mark_caps_and_counts(frames):
    t = frames["us_troops"]
    assert set(t.measure) == {"count", "cap", "approx"}
    assert (t.date.dt.day[t.date_precision != "day"] == 1).all()


def test_returns_running_totals_have_an_end_date(frames):
    r = frames["returns"]
    rt = r[r.row_kind == "running_total"]
    assert not rt.empty and rt.period_end.notna().all()


def test_arguments_are_numbered_by_the_side_the_course_files_them_under(frames):
    a = frames["arguments"]
    expected = [f"R{i}" for i in range(1, 21)] + [f"E{i}" for i in range(1, 19)]
    assert list(a["id"]) == expected
    assert a["course_use"].value_counts().to_dict() == {"restraint": 20, "engagement": 18}
    assert (a["course_use"] == a["id"].str[0].map({"R": "restraint", "E": "engagement"})).all()
    assert a["argument"].str.len().between(40, 400).all()
    assert a["school"].notna().sum() >= 20, "most arguments should have a school"
    described = {f["name"]: f["description"] for f in RESOURCES["arguments"]["schema"]["fields"]}
    assert "course's classification" in described["school"]
    assert "not necessarily the speaker's own position" in described["course_use"]


def test_arguments_say_where_the_speaker_and_the_course_differ(frames):
    """R8 (Mullen, McKenzie) and R12 (McKenzie, Seth Jones) argued for more pressure or capability,
    not restraint: the row must say so, and every filing that differs from the speaker has a note."""
    a = frames["arguments"].set_index("id")
    assert a["speaker_position"].notna().all()
    for rid in ("R8", "R12"):
        assert a.loc[rid, "course_use"] == "restraint"
        assert pd.notna(a.loc[rid, "course_use_note"]), rid
        assert "not" in a.loc[rid, "course_use_note"] and "restraint" in a.loc[rid, "course_use_note"], rid
    assert "pressure" in a.loc["R8", "speaker_position"]
    assert a["course_use_note"].notna().sum() >= 10
    assert "prepared to help" not in " ".join(a["argument"]), "no source has the words 'prepared to help'"


def test_readme_documents_every_dataset():
    text = (DATA / "README.md").read_text(encoding="utf-8")
    for name in [*DATASETS, "sources", "publishers"]:
        assert f"`{name}`" in text, name
    for phrase in ["27,026", "27,044", "appropriations", "placeholder", "licence",
                   "publisher of record", "read_in_url", "acceptable"]:
        assert phrase in text


# ------------------------------------------------------------------ loader
DTYPES = {"integer": "Int64", "number": "Float64", "boolean": "boolean", "string": "string"}


def test_load_returns_declared_dtypes(frames):
    for name, df in frames.items():
        assert list(df.columns) == fields(name)
        for f in RESOURCES[name]["schema"]["fields"]:
            ftype = f.get("type", "string")
            got = df[f["name"]].dtype
            if ftype == "date":
                assert str(got) == "datetime64[ns]", (name, f["name"], got)
            else:
                assert str(got) == DTYPES[ftype], (name, f["name"], got)


def test_load_attaches_provenance(frames):
    df = frames["attacks"]
    assert df.attrs["dataset"] == "attacks"
    assert set(df.attrs["source_ids"]) == set(df["source_id"])


def test_load_finds_data_through_course_root(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # conftest sets COURSEKIT_ROOT: no cwd assumption
    assert len(ckdata.load("population")) > 0


def test_loaded_frames_are_independent_copies():
    a = ckdata.load("events", data_dir=DATA)
    a.loc[a.index[0], "deaths"] = 999999
    b = ckdata.load("events", data_dir=DATA)
    assert b.loc[b.index[0], "deaths"] != 999999


def test_cached_load_is_fast():
    ckdata.load("attacks", data_dir=DATA)
    start = time.perf_counter()
    for _ in range(10):
        ckdata.load("attacks", data_dir=DATA)
    assert (time.perf_counter() - start) / 10 < 0.05


def test_cite_gives_one_line_with_url_per_source(frames):
    text = ckdata.cite("drone_strikes", data_dir=DATA)
    lines = text.splitlines()
    ids = frames["drone_strikes"].attrs["source_ids"]
    assert len(lines) == len(ids) == len(set(ids))
    assert all("http" in line for line in lines)


def test_cite_filtered_frame_cites_only_its_rows(frames):
    a = frames["attacks"]
    pips = a[a.counter == "PIPS"]
    lines = ckdata.cite(pips, data_dir=DATA).splitlines()
    assert len(lines) == pips.source_id.nunique()
    src = frames["sources"].set_index("source_id").loc[list(pips.source_id.unique())]
    for (sid, row), line in zip(src.iterrows(), lines):
        assert line.startswith(row["publisher"]) or line.startswith(row["title"]), sid
        for link in row[["url", "read_in_url"]].dropna():
            assert link in line, sid


CITE_ROW = {"publisher": "PIPS", "title": "Pakistan Security Report 2014", "published": "2015-01",
            "url": "https://www.pakpips.com/psr2014", "read_in": "Dawn",
            "read_in_url": "https://www.dawn.com/news/1"}


@pytest.mark.parametrize("drop, expected", [
    ((), "PIPS, Pakistan Security Report 2014 (Jan 2015). https://www.pakpips.com/psr2014"
         " — read in: Dawn, https://www.dawn.com/news/1"),
    (("read_in", "read_in_url"),
     "PIPS, Pakistan Security Report 2014 (Jan 2015). https://www.pakpips.com/psr2014"),
    (("url",), "PIPS, Pakistan Security Report 2014 (Jan 2015), read in: Dawn, "
               "https://www.dawn.com/news/1"),
])
def test_cite_names_publisher_then_link_then_copy(drop, expected):
    row = {k: ("" if k in drop else v) for k, v in CITE_ROW.items()}
    assert ckdata.cite_source(row) == expected
    assert ckdata.cite_source(pd.Series(row).replace("", pd.NA)) == expected


def test_cite_dates_read_naturally():
    row = dict(CITE_ROW, published="2021-06-20", read_in="", read_in_url="")
    assert "(20 Jun 2021)" in ckdata.cite_source(row)
    assert "(2015)" in ckdata.cite_source(dict(row, published="2015"))
    assert "(2014)" not in ckdata.cite_source(dict(row, published="2014")), "year said twice"


def test_quiz_citation_follows_the_same_order(tmp_path, monkeypatch):
    from coursekit.quiz import sources as quiz_sources

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "datapackage.json").write_text("{}")
    with open(tmp_path / "data" / "sources.csv", "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=["source_id", *CITE_ROW])
        w.writeheader()
        w.writerow({"source_id": "both", **CITE_ROW})
        w.writerow({"source_id": "copy", **dict(CITE_ROW, url="")})
        w.writerow({"source_id": "own", **dict(CITE_ROW, read_in="", read_in_url="")})
    monkeypatch.setenv("COURSEKIT_ROOT", str(tmp_path))
    joined = {sid: " ".join(quiz_sources.citation(sid)) for sid in ("both", "copy", "own")}
    assert joined["both"] == ("PIPS, “Pakistan Security Report 2014” (2015-01). "
                              "https://www.pakpips.com/psr2014 — read in: Dawn, "
                              "https://www.dawn.com/news/1")
    assert joined["copy"] == ("PIPS, “Pakistan Security Report 2014” (2015-01), read in: Dawn, "
                              "https://www.dawn.com/news/1")
    assert joined["own"] == ("PIPS, “Pakistan Security Report 2014” (2015-01) "
                             "https://www.pakpips.com/psr2014")


def test_cite_rejects_what_it_cannot_cite():
    with pytest.raises(ValueError):
        ckdata.cite(pd.DataFrame({"x": [1]}))
    with pytest.raises(TypeError):
        ckdata.cite(42)


# ------------------------------------------------------------------ broken inputs give DataError
@pytest.fixture
def broken(tmp_path):
    """A copy of data/ in tmp_path (datapackage, sources and the attacks/events tables)."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ["datapackage.json", "sources.csv", "publishers.csv", "attacks.csv", "events.csv"]:
        shutil.copy(DATA / name, folder / name)
    return folder


def rewrite(path: Path, edit):
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    edit(rows)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def set_cell(path: Path, data_row: int, field: str, value: str):
    """data_row is 1-based among data rows (spreadsheet row = data_row + 1)."""
    def edit(rows):
        rows[data_row][rows[0].index(field)] = value
    rewrite(path, edit)


def test_unknown_dataset_lists_known_names(broken):
    with pytest.raises(DataError) as err:
        ckdata.load("attack", data_dir=broken)
    assert "attacks" in str(err.value) and "events" in str(err.value)
    assert err.value.file.endswith("datapackage.json")


def test_missing_file(broken):
    (broken / "events.csv").unlink()
    with pytest.raises(DataError) as err:
        ckdata.load("events", data_dir=broken)
    assert err.value.file == "data/events.csv" and err.value.row is None
    assert "missing" in str(err.value)


@pytest.mark.parametrize("field, value, why", [
    ("deaths", "12a", "is not a whole number"),
    ("deaths", "-3", "minimum 0"),
    ("year", "1850", "minimum 1979"),
    ("row_kind", "yearly", "not one of the allowed values"),
    ("region", "NWFP", "not one of the allowed values"),
    ("period_start", "2024-13-01", "not a date"),
    ("period_start", "01/02/2024", "not a date"),
    ("counter", "", "is missing"),
    ("confidence", "", "is missing"),
    ("qualifier", "roughly", "expected form"),
    ("source_id", "no_such_source", "is not a source_id in data/sources.csv"),
])
def test_bad_value_names_file_row_and_field(broken, field, value, why):
    set_cell(broken / "attacks.csv", 13, field, value)
    with pytest.raises(DataError) as err:
        ckdata.load("attacks", data_dir=broken)
    e = err.value
    assert (e.file, e.row, e.field) == ("data/attacks.csv", 14, field)
    assert str(e).startswith(f'data/attacks.csv, row 14, field "{field}": ')
    assert why in str(e)


def test_message_for_a_non_number_reads_naturally(broken):
    set_cell(broken / "attacks.csv", 13, "deaths", "12a")
    expected = r'^data/attacks.csv, row 14, field "deaths": "12a" is not a whole number\.$'
    with pytest.raises(DataError, match=expected):
        ckdata.load("attacks", data_dir=broken)


def test_bad_boolean(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ["datapackage.json", "sources.csv", "publishers.csv", "refugees.csv"]:
        shutil.copy(DATA / name, folder / name)
    set_cell(folder / "refugees.csv", 2, "placeholder", "yes")
    with pytest.raises(DataError) as err:
        ckdata.load("refugees", data_dir=folder)
    assert (err.value.row, err.value.field) == (3, "placeholder")


@pytest.mark.parametrize("change, field", [
    (lambda h: h.remove("deaths"), "deaths"),
    (lambda h: h.append("extra"), "extra"),
    (lambda h: h.__setitem__(h.index("deaths"), "Deaths"), "deaths"),
    (lambda h: h.__setitem__(slice(9, 11), [h[10], h[9]]), "deaths"),
])
def test_bad_header_names_the_column(broken, change, field):
    def edit(rows):
        header = rows[0]
        before = len(header)
        change(header)
        for r in rows[1:]:
            if len(header) > before:
                r.append("")
            elif len(header) < before:
                r.pop()
    rewrite(broken / "attacks.csv", edit)
    with pytest.raises(DataError) as err:
        ckdata.load("attacks", data_dir=broken)
    assert (err.value.file, err.value.row) == ("data/attacks.csv", 1)
    assert err.value.field in {field, "attacks"}


@pytest.mark.parametrize("change", ["extra cell", "short row"])
def test_ragged_row_is_reported(broken, change):
    def edit(rows):
        if change == "extra cell":
            rows[4].append("surplus")
        else:
            del rows[4][-3:]
    rewrite(broken / "events.csv", edit)
    with pytest.raises(DataError) as err:
        ckdata.load("events", data_dir=broken)
    assert err.value.file == "data/events.csv"
    assert err.value.row in (5, 6)


def test_duplicate_id_is_reported(broken):
    def edit(rows):
        rows[5][rows[0].index("id")] = rows[4][rows[0].index("id")]
    rewrite(broken / "events.csv", edit)
    with pytest.raises(DataError) as err:
        ckdata.load("events", data_dir=broken)
    assert (err.value.row, err.value.field) == (6, "id")


def test_dangling_source_in_another_table(broken):
    set_cell(broken / "events.csv", 1, "source_id", "gone")
    with pytest.raises(DataError) as err:
        ckdata.load("events", data_dir=broken)
    assert (err.value.file, err.value.row, err.value.field) == ("data/events.csv", 2, "source_id")


def test_broken_sources_table_is_reported(broken):
    set_cell(broken / "sources.csv", 3, "publisher_kind", "podcast")
    with pytest.raises(DataError) as err:
        ckdata.load("events", data_dir=broken)
    e = err.value
    assert (e.file, e.row, e.field) == ("data/sources.csv", 4, "publisher_kind")


def test_cache_notices_edits(broken):
    assert len(ckdata.load("events", data_dir=broken)) > 0
    set_cell(broken / "events.csv", 1, "deaths", "x")
    os.utime(broken / "events.csv", ns=(time.time_ns(), time.time_ns() + 10_000_000))
    with pytest.raises(DataError):
        ckdata.load("events", data_dir=broken)


def test_frictionless_also_rejects_a_dangling_source(broken):
    frictionless = pytest.importorskip("frictionless")
    pkg = json.loads((broken / "datapackage.json").read_text(encoding="utf-8"))
    pkg["resources"] = [r for r in pkg["resources"] if r["name"] in ("events", "sources")]
    (broken / "datapackage.json").write_text(json.dumps(pkg), encoding="utf-8")
    set_cell(broken / "events.csv", 1, "source_id", "gone")
    report = frictionless.validate(str(broken / "datapackage.json"))
    assert not report.valid
