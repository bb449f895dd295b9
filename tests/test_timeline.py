"""coursekit.timeline: drive the real widgets (slider, dropdown, buttons) and read what is shown."""
from __future__ import annotations

import pandas as pd
import pytest

from coursekit.timeline import ALL, Timeline


@pytest.fixture
def table() -> pd.DataFrame:
    return pd.DataFrame({
        "date": pd.to_datetime(["2001-10-07", "2021-08-30", "2021-08-15", "2014-12-16", "2021-01-01"]),
        "precision": ["day", "day", "day", "day", "year"],
        "event": ["Air strikes begin", "Last flight leaves", "City falls", "School attack",
                  "Something in the year"],
        "kind": ["military", "military", "political", "attack", "political"],
        "note": ["", "note <b>here</b>", None, "", ""],
    })


def test_slider_range_follows_the_dates(table):
    tl = Timeline(table)
    assert (tl.year_slider.min, tl.year_slider.max) == (2001, 2021)
    assert tl.year_slider.description == "Year"


def test_moving_the_slider_shows_that_years_entries_oldest_first(table):
    tl = Timeline(table, text_cols=["event"])
    tl.year_slider.value = 2021
    shown = tl.shown_text().splitlines()
    assert shown == ["01 Jan 2021: Something in the year", "15 Aug 2021: City falls",
                     "30 Aug 2021: Last flight leaves"]
    assert "3 entries" in tl.display_html.value
    tl.year_slider.value = 2014
    assert tl.shown_text() == "16 Dec 2014: School attack"
    assert "City falls" not in tl.display_html.value


def test_empty_year_says_so(table):
    tl = Timeline(table, empty_message="Nothing recorded for {year}.")
    tl.year_slider.value = 2010
    assert tl.shown_text() == "Nothing recorded for 2010."
    assert "Nothing recorded for 2010." in tl.display_html.value
    assert tl.entries().empty


def test_precision_column_shortens_the_date(table):
    tl = Timeline(table, precision_col="precision", start_year=2021)
    assert tl.shown_text().splitlines()[0] == "2021: Something in the year"


def test_filter_dropdown_narrows_entries(table):
    tl = Timeline(table, filter_col="kind", start_year=2021)
    assert tl.filter_dropdown.options == (ALL, "attack", "military", "political")
    tl.filter_dropdown.value = "military"
    assert tl.shown_text() == "30 Aug 2021: Last flight leaves"
    tl.filter_dropdown.value = ALL
    assert len(tl.entries()) == 3


def test_next_and_previous_buttons_skip_empty_years(table):
    tl = Timeline(table, start_year=2001)
    tl.next_button.click()
    assert tl.year_slider.value == 2014
    tl.next_button.click()
    assert tl.year_slider.value == 2021
    tl.next_button.click()                       # nothing later: stays
    assert tl.year_slider.value == 2021
    tl.prev_button.click()
    assert tl.year_slider.value == 2014


def test_buttons_respect_the_filter(table):
    tl = Timeline(table, filter_col="kind", start_year=2001)
    tl.filter_dropdown.value = "attack"
    tl.next_button.click()
    assert tl.year_slider.value == 2014
    tl.next_button.click()
    assert tl.year_slider.value == 2014


def test_several_text_columns_are_joined_and_html_is_escaped(table):
    tl = Timeline(table, text_cols=["event", "note"], start_year=2021)
    assert "30 Aug 2021: Last flight leaves — note <b>here</b>" in tl.shown_text()
    assert "&lt;b&gt;here&lt;/b&gt;" in tl.display_html.value
    assert "<b>here</b>" not in tl.display_html.value


def test_start_year_is_clamped_and_rows_without_dates_are_dropped(table):
    extra = pd.concat([table, pd.DataFrame({"date": [pd.NaT], "event": ["undated"]})],
                      ignore_index=True)
    tl = Timeline(extra, start_year=1990)
    assert tl.year_slider.value == 2001
    assert "undated" not in tl.table["event"].tolist()


def test_string_dates_work():
    tl = Timeline(pd.DataFrame({"date": ["2020-02-29"], "event": ["Agreement signed"]}))
    assert tl.shown_text() == "29 Feb 2020: Agreement signed"


def test_bad_columns_give_a_clear_error(table):
    with pytest.raises(KeyError, match="no column"):
        Timeline(table, text_cols=["headline"])
    with pytest.raises(ValueError, match="no readable dates"):
        Timeline(pd.DataFrame({"date": ["soon"], "event": ["x"]}))


def test_displays_as_a_widget(table):
    bundle = Timeline(table, title="When")._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
