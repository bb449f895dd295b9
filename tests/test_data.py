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
from coursekit.data import DataError

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
PACKAGE = json.loads((DATA / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in PACKAGE["resources"]}
DATASETS = [n for n in RESOURCES if n != "sources"]
YEAR_MIN, YEAR_MAX = 1979, 2026


def fields(name, ftype=None):
    return [f["name"] for f in RESOURCES[name]["schema"]["fields"]
            if ftype is None or f.get("type", "string") == ftype]


@pytest.fixture(scope="module")
def frames():
    return {name: ckdata.load(name, data_dir=DATA) for name in [*DATASETS, "sources"]}


# ------------------------------------------------------------------ the package as a whole
def test_package_validates_with_frictionless():
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(DATA / "datapackage.json"))
    problems = [f"{t.name}: {e.message}" for t in report.tasks for e in t.errors]
    assert report.valid, "\n".join(problems[:20])
    assert report.stats["warnings"] == 0


def test_every_data_csv_is_declared():
    on_disk = {p.name for p in DATA.glob("*.csv")}
    declared = {r["path"] for r in PACKAGE["resources"]}
    assert on_disk == declared


def test_every_resource_has_foreign_key_to_sources_and_ids():
    for name in DATASETS:
        schema = RESOURCES[name]["schema"]
        assert schema["missingValues"] == [""]
        fk = {"fields": ["source_id"],
              "reference": {"resource": "sources", "fields": ["source_id"]}}
        assert fk in schema["foreignKeys"], name
        assert schema["primaryKey"] == ["id"], name


def test_datasets_lists_data_tables_only():
    assert ckdata.datasets(data_dir=DATA) == DATASETS
    assert "sources" not in ckdata.datasets(data_dir=DATA)
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
    assert src["url"].str.match(r"https?://").all()
    assert not src[["url", "title"]].duplicated().any(), "same URL + title must be one source"
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
    kinds = {"agency dataset", "official report", "news", "mirror", "blog", "other"}
    assert set(frames["sources"]["source_type"]) <= kinds


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
    for name in [*DATASETS, "sources"]:
        assert f"`{name}`" in text, name
    for phrase in ["27,026", "27,044", "appropriations", "placeholder", "licence"]:
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
    src = frames["sources"].set_index("source_id")
    for sid in pips.source_id.unique():
        assert any(src.loc[sid, "url"] in line for line in lines)
    pips_urls = set(src.loc[list(pips.source_id.unique()), "url"])
    assert all(line.rsplit(" ", 1)[-1] in pips_urls for line in lines)


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
    for name in ["datapackage.json", "sources.csv", "attacks.csv", "events.csv"]:
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
    for name in ["datapackage.json", "sources.csv", "refugees.csv"]:
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
    set_cell(broken / "sources.csv", 3, "source_type", "podcast")
    with pytest.raises(DataError) as err:
        ckdata.load("events", data_dir=broken)
    e = err.value
    assert (e.file, e.row, e.field) == ("data/sources.csv", 4, "source_type")


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
