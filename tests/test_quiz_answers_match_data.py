"""Quiz answers that come from data/ still match data/.

The lesson writers computed the numeric answers of notebooks/quizzes/0[1-7]_*.yaml (and the keys of
a few choice questions that depend on a figure) from the course data. Each check below recomputes
the figure from ``coursekit.data.load`` with the same pandas steps the lesson uses, and compares it
with the bank: a numeric answer must lie within the question's own tolerance; a choice key must
still be the option the data supports. If data/ changes, the failing check names bank and question.

Numbers that come from the dossier's prose rather than from data/ (e.g. Biden's "$300m a day") are
not checked here.
"""
from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from coursekit.data import load
from coursekit.quiz import load_bank

BANKS = Path(__file__).resolve().parents[1] / "notebooks" / "quizzes"


def question(bank: str, qid: str):
    q = load_bank(BANKS / f"{bank}.yaml").questions.get(qid)
    assert q is not None, f"{bank}.yaml: question {qid!r} is gone (update this test)"
    return q


def assert_numeric(bank: str, qid: str, computed: float):
    """The bank's answer is within the question's tolerance of the value computed from data/."""
    q = question(bank, qid)
    assert q.type == "numeric", f"{bank}.yaml {qid}: expected a numeric question, got {q.type}"
    tol = q.tolerance if q.tolerance is not None else abs(computed) * q.tolerance_pct / 100
    assert abs(q.answer - computed) <= tol + 1e-9, (
        f"{bank}.yaml {qid}: answer {q.answer} but the data gives {computed:.4g} "
        f"(tolerance {tol:g})")


def assert_key(bank: str, qid: str, expected):
    q = question(bank, qid)
    assert q.answer == expected, (
        f"{bank}.yaml {qid}: key is {q.answer!r} but the data supports {expected!r}")


def one(df: pd.DataFrame, what: str):
    assert len(df) == 1, f"expected one row for {what}, found {len(df)}"
    return df.iloc[0]


# ------------------------------------------------------------------ frames, as the lessons build them
@pytest.fixture(scope="module")
def attacks():
    return load("attacks")


@pytest.fixture(scope="module")
def national(attacks):  # lessons 2 and 3: the main series leaves low-graded rows out
    rows = attacks[(attacks["row_kind"] == "annual") & (attacks["region"] == "Pakistan")]
    return rows[rows["confidence"] != "low"]


@pytest.fixture(scope="module")
def wide(national):  # lesson 2: PIPS and PICSS side by side
    two = national[national["counter"].isin(["PIPS", "PICSS"])]
    return two.pivot(index="year", columns="counter", values="attacks").astype("float")


@pytest.fixture(scope="module")
def unhcr():  # lesson 4
    refugees = load("refugees")
    return refugees[refugees["series"] == "unhcr_refugees"].sort_values("year")


@pytest.fixture(scope="module")
def returns():
    return load("returns")


@pytest.fixture(scope="module")
def timeline():
    return load("timeline")


# ------------------------------------------------------------------ 01 the article
def test_01_kabul_date(timeline):
    q = question("01_the_article", "kabul-date")
    kabul = one(timeline[timeline["event"].str.contains("Taliban take Kabul", regex=False)],
                "the Taliban taking Kabul")
    key_text = next(o.text for o in q.options if o.id == q.answer)
    assert key_text == f"{kabul['date'].day} {kabul['date']:%B %Y}", (
        f"01_the_article.yaml kabul-date: key says {key_text!r}, timeline says {kabul['date']:%d %B %Y}")


def test_01_withdrawal_year(timeline):
    last = one(timeline[timeline["event"].str.contains("Last US C-17", regex=False)], "the last C-17")
    assert_numeric("01_the_article", "withdrawal-year", last["date"].year)


def test_01_daraban_injuries_not_over_40():
    events = load("events")
    daraban = one(events[events["date"] == "2023-12-12"], "the Daraban attack")
    assert daraban["injuries"] <= 40
    assert_key("01_the_article", "daraban-injuries", False)


# ------------------------------------------------------------------ 02 attacks: the trend
def test_02_peak_year_estimate(national):
    pips = national[national["counter"] == "PIPS"].set_index("year")
    assert_numeric("02_attacks_trend", "peak-year-estimate", pips["attacks"].max())


def test_02_fell_every_year_is_false(national):
    """PIPS's 2013 report: attacks up 9% on 2012 (the note of the 2013 row)."""
    pips = national[national["counter"] == "PIPS"].set_index("year")
    assert "+9%" in pips.loc[2013, "note"] and "2012" in pips.loc[2013, "note"], pips.loc[2013, "note"]
    assert_key("02_attacks_trend", "fell-every-year", False)


def test_02_rise_from_2021(national):
    """The rise dates from 2021: +42% on 2020 (PIPS's own report), then higher every year."""
    pips = national[national["counter"] == "PIPS"].set_index("year")["attacks"]
    assert "+42% attacks" in national[(national["counter"] == "PIPS") & (national["year"] == 2021)]["note"].iloc[0]
    later = pips.loc[2021:]
    assert list(later.index) == list(range(2021, int(later.index.max()) + 1)) and later.is_monotonic_increasing
    assert_key("02_attacks_trend", "rise-from", "y2021")


def test_02_which_counter_higher(wide):
    recent = wide.loc[2021:2025].dropna()
    assert len(recent) == 5
    assert (recent["PICSS"] > recent["PIPS"]).all()
    assert_key("02_attacks_trend", "which-counter-higher", "picss")


def test_02_direction_agrees(wide):
    change = wide.loc[2022:2025].diff().dropna()
    assert len(change) == 3
    assert ((change > 0).all(axis=1)).all(), "both counters should rise every year 2022-2025"
    assert_key("02_attacks_trend", "direction-agrees", False)


def test_02_before_after_same_counter_same_years(wide):
    """Before = the years before 2021 that BOTH counters cover (medium or high rows); after =
    2022-2025. PIPS 2016 is graded low, so the before years are 2017-2018."""
    both = wide.loc[2016:2025].dropna()
    before, after = both.loc[2016:2020], both.loc[2022:2025]
    assert list(before.index) == [2017, 2018], "the prompt names 2017-2018 as the before years"
    change = (after.mean() / before.mean() - 1) * 100
    assert_numeric("02_attacks_trend", "pips-before-after", change["PIPS"])
    explanation = question("02_attacks_trend", "pips-before-after").explanation
    assert f"+{change['PICSS']:.1f}%" in explanation, (change["PICSS"], explanation)


# ------------------------------------------------------------------ 03 attacks: when, where, who
def test_03_deadliest_attack_of_2023():
    events = load("events")
    in_2023 = events[(events["date"].dt.year == 2023) & (events["category"] == "attack")]
    top = in_2023.loc[in_2023["deaths"].idxmax()]
    daraban = one(in_2023[in_2023["date"] == "2023-12-12"], "Daraban")
    assert "Police Lines" in top["event"] and top["deaths"] > daraban["deaths"]
    assert_key("03_attacks_where_who", "deadliest-2023", "police-lines")


def test_03_monthly_after_ceasefire(attacks):
    monthly = attacks[(attacks["counter"] == "PICSS") & (attacks["region"] == "Pakistan")
                      & attacks["month"].notna()].set_index("period_start")["attacks"]
    early, later = monthly["2022-01-01":"2022-07-31"], monthly["2022-12-01":]
    assert len(early) and len(later) and later.min() > early.max(), (early.max(), later.min())
    assert_key("03_attacks_where_who", "monthly-after-ceasefire", "higher")


def test_03_provinces_share(attacks, national):
    prov = attacks[(attacks["counter"] == "PIPS") & (attacks["row_kind"] == "annual")
                   & attacks["region"].isin(["Khyber Pakhtunkhwa", "ex-FATA", "Balochistan"])
                   & (attacks["confidence"] != "low") & (attacks["year"] == 2025)]
    nat = one(national[(national["counter"] == "PIPS") & (national["year"] == 2025)], "PIPS 2025")
    assert_numeric("03_attacks_where_who", "provinces-share", prov["attacks"].sum() / nat["attacks"] * 100)


def test_03_gti_ttp_growth(attacks):
    gti = attacks[(attacks["counter"] == "GTI") & (attacks["perpetrator"] == "TTP")].set_index("year")
    assert_numeric("03_attacks_where_who", "gti-ttp-growth", gti.loc[2024, "deaths"] / gti.loc[2022, "deaths"])


def test_03_attribution_disputed():
    events = load("events")
    court = one(events[events["date"] == "2025-11-11"], "the Islamabad court bombing")
    assert court["perpetrator"].startswith("Disputed"), court["perpetrator"]
    assert_key("03_attacks_where_who", "attribution", "disputed")


# ------------------------------------------------------------------ 04 refugees
def test_04_peak_year(unhcr):
    peak = unhcr.loc[unhcr["value"].idxmax()]
    assert_numeric("04_refugees", "peak-year", peak["year"])
    assert f"{peak['value']:,}" in question("04_refugees", "peak-year").explanation


def test_04_breaks_are_the_documented_ones(unhcr):
    """Keyed: the breaks the data notes document; 2024 is marked only as 'apparent' (not settled)."""
    q = question("04_refugees", "breaks")
    notes = unhcr.dropna(subset=["series_break"]).set_index("year")["series_break"]
    documented = {y for y, note in notes.items()
                  if "apparent" not in note.lower() and "placeholder" not in note.lower()}
    keyed = {int(o.id.removeprefix("y")) for o in q.options if o.id in q.answer}
    unkeyed = {int(o.id.removeprefix("y")) for o in q.options if o.id not in q.answer}
    assert keyed == documented & (keyed | unkeyed), (keyed, documented)
    assert 2024 in unkeyed and "apparent" in notes[2024], "2024 must not be keyed as a settled break"


def test_04_running_total_not_flow(returns):
    un = one(returns[(returns["series"] == "ifrp_running_total_un")
                     & (returns["period_end"] == "2024-01-15")], "UN running total on 15 Jan 2024")
    assert f"{un['value']:,}" in question("04_refugees", "running-total-not-flow").prompt
    assert un["period_start"] == pd.Timestamp("2023-09-15")
    assert_key("04_refugees", "running-total-not-flow", False)


def test_04_fresh_wave_reversed(returns):
    """Key ('some arrived, then the flow reversed') rests on returns outnumbering arrivals."""
    refugees = load("refugees")
    arrivals = refugees.loc[refugees["series"] == "new_arrivals_since_aug2021", "value"].max()
    un = returns[(returns["series"] == "ifrp_running_total_un")
                 & (returns["confidence"] != "low")].sort_values("period_end")
    latest = un.iloc[-1]
    assert latest["value"] > arrivals >= 600_000
    assert f"{latest['value']:,}" in question("04_refugees", "fresh-wave").explanation
    assert_key("04_refugees", "fresh-wave", "b")


def test_04_wave_verdict_is_the_registers():
    """The keyed verdict is the claims register's verdict on seed-refugee-wave, word for word."""
    verdict = load("claims").set_index("claim_id").loc["seed-refugee-wave", "verdict"]
    q = question("04_refugees", "wave-verdict")
    key_text = next(o.text for o in q.options if o.id == q.answer)
    assert key_text == verdict, f"04_refugees.yaml wave-verdict: key {key_text!r}, register {verdict!r}"


# ------------------------------------------------------------------ 05 the US record
@pytest.fixture(scope="module")
def crs_aid():  # lesson 5: CRS appropriations, and the newest edition of each year and part
    aid = load("us_aid")
    crs = aid[aid["crs_edition"].notna() & (aid["measure"] == "appropriation")]
    crs = crs.assign(edition=pd.to_datetime(crs["crs_edition"].str.removeprefix("CRS "), format="%b %d, %Y"))
    parts = ["security_related_total", "economic_related_total", "csf_reimbursements"]
    yearly = (crs[(crs["row_kind"] == "annual") & ~crs["estimate"] & crs["category"].isin(parts)]
              .sort_values("edition").drop_duplicates(["fiscal_year_start", "category"], keep="last"))
    by_year = yearly.pivot(index="fiscal_year_start", columns="category", values="usd_millions")[parts]
    block = crs[crs["period_label"] == "FY2002-FY2007 (aggregate)"].set_index("category")["usd_millions"]
    printed = crs[crs["period_label"] == "FY2002-FY2018 total"].set_index("category")["usd_millions"]
    return {"by_year": by_year, "bars": block[parts].sum() + by_year.sum().sum(), "printed": printed}


def test_05_aid_grand_total_is_the_printed_one_and_the_bars_differ(crs_aid):
    """Key = the printed CRS grand total; the explanation gives the (smaller) sum of the chart's bars."""
    printed_bn = crs_aid["printed"]["grand_total"] / 1000
    bars_bn = crs_aid["bars"] / 1000
    assert_numeric("05_us_record", "aid-grand-total", printed_bn)
    q = question("05_us_record", "aid-grand-total")
    assert f"${bars_bn:.1f} billion" in q.explanation, (bars_bn, q.explanation)
    assert f"${crs_aid['printed']['csf_reimbursements']:,.0f} million" in " ".join(q.explanation.split())
    assert abs(printed_bn - bars_bn) >= 0.5, "the printed total and the bars should differ (CRS revisions)"


def test_05_aid_did_not_fall_every_year_after_fy2011(crs_aid):
    total = crs_aid["by_year"].sum(axis=1)
    after = total.loc[2011:2018]
    fell_every_year = bool((after.diff().dropna() < 0).all())
    assert_key("05_us_record", "aid-after-fy2011", fell_every_year)
    expl = " ".join(question("05_us_record", "aid-after-fy2011").explanation.split())
    assert f"${total[2013]:,.0f} million in FY2013" in expl and f"${total[2014]:,.0f} million in FY2014" in expl, expl


def test_05_drone_peak_year_and_counters():
    drones = load("drone_strikes")
    bij = drones[(drones["counter"] == "BIJ") & (drones["row_kind"] == "annual")]
    assert_numeric("05_us_record", "drone-peak-year", bij.loc[bij["strikes"].idxmax(), "period_start"])
    totals = drones[(drones["row_kind"] == "total") & (drones["confidence"] != "low")]
    strikes = totals.set_index("counter")["strikes"]
    prompt = question("05_us_record", "drone-counters").prompt
    assert f"**{strikes['BIJ']}**" in prompt, prompt
    # New America's total is graded low: the prompt names the counter but states no figure of it
    assert "New America" not in strikes.index
    assert "New America" in prompt and "fewer" not in prompt and "more" not in prompt, prompt


def test_05_troop_cap_was_not_a_count():
    troops = load("us_troops")
    y2017 = troops[troops["date"].dt.year == 2017]
    caps = set(y2017.loc[y2017["measure"] == "cap", "troops"])
    counts = y2017.loc[y2017["measure"] == "count", "troops"]
    assert 8400 in caps and (counts > 8400).any()
    assert_key("05_us_record", "troop-cap", False)


# ------------------------------------------------------------------ 06 the US arguments
@pytest.fixture(scope="module")
def register():  # the claims register (data/claims.csv): one verdict per claim
    return load("claims").set_index("claim_id")


def test_06_absence_of_attacks_key_is_the_register_verdict(register):
    q = question("06_us_arguments", "absence-of-attacks")
    key_text = next(o.text for o in q.options if o.id == q.answer)
    assert key_text == register.loc["seed-neutral-unless-attacked", "verdict"], key_text
    assert register.loc["seed-neutral-unless-attacked", "quote"] in " ".join(q.prompt.split())


def test_06_explanations_quote_the_register_verdicts(register):
    un = " ".join(question("06_us_arguments", "un-monitoring-team").explanation.split())
    assert f'allegation "{register.loc["seed-havens", "verdict"]}"' in un, un
    assert f'denial "{register.loc["taliban-denial", "verdict"]}"' in un, un
    me = " ".join(question("06_us_arguments", "middle-east-charitable").explanation.split())
    assert f'"{register.loc["seed-middle-east", "verdict"]}"' in me, me


def test_06_state_department_is_quoted_exactly(register):
    """Ned Price, 19 Dec 2022: "We stand ready to assist" (never "prepared to help")."""
    said = register.loc["state-dept-ready", "quote"]
    q = question("06_us_arguments", "state-dept-consistent")
    for text in (q.prompt, q.explanation):
        for quoted in re.findall(r'"(We stand[^"]*)"', " ".join(text.split())):
            assert quoted in said, (quoted, said)
    e10 = load("arguments").set_index("id").loc["E10", "argument"]
    assert said in e10, e10
    for bank in ("05_us_record", "06_us_arguments"):
        assert "prepared to help" not in (BANKS / f"{bank}.yaml").read_text(encoding="utf-8"), bank


# ------------------------------------------------------------------ 05 synthesis
def test_05_data_caveats_fall_in_2024(unhcr):
    """The explanation's "refugees fell by 427,753 in 2024" is the UNHCR series' 2023-2024 drop."""
    by_year = unhcr.set_index("year")["value"]
    drop = by_year[2023] - by_year[2024]
    assert f"{drop:,}" in question("07_synthesis", "data-caveats").explanation, drop
