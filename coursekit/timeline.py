"""A small interactive timeline: pick a year, read what happened then.

Give it any DataFrame with a date column and one or more text columns::

    from coursekit.timeline import Timeline
    Timeline(df, text_cols=["event"], filter_col="category", title="What happened when")

The student sees a labelled year slider, "previous"/"next" buttons that jump to the nearest
year with entries, an optional dropdown that narrows the list to one value of ``filter_col``,
and the entries of the chosen year (date + text), oldest first.

The widgets are attributes, so tests and lessons can drive them like a student would:
``tl.year_slider.value = 2021``, ``tl.filter_dropdown.value = "attack"``,
``tl.next_button.click()``; ``tl.shown_text()`` returns what the display shows, as plain text.
"""
from __future__ import annotations

import html
from collections.abc import Sequence

import ipywidgets as widgets
import pandas as pd

from coursekit.a11y import KEYBOARD_CLASS, keyboard_guard

ALL = "(all)"
DATE_FORMATS = {"day": "%d %b %Y", "month": "%b %Y", "year": "%Y"}


class Timeline:
    """A year slider (plus optional filter) over the rows of a DataFrame."""

    def __init__(self, df: pd.DataFrame, *, date_col: str = "date",
                 text_cols: Sequence[str] = ("event",), precision_col: str | None = None,
                 filter_col: str | None = None, title: str = "", start_year: int | None = None,
                 empty_message: str = "Nothing in this table for {year}."):
        missing = [c for c in [date_col, *text_cols, precision_col, filter_col]
                   if c is not None and c not in df.columns]
        if missing:
            raise KeyError(f"Timeline: the table has no column(s) {missing}; "
                           f"its columns are {list(df.columns)}.")
        if not text_cols:
            raise ValueError("Timeline: give at least one text column (text_cols).")
        dates = pd.to_datetime(df[date_col], errors="coerce")
        if dates.isna().all():
            raise ValueError(f"Timeline: column {date_col!r} holds no readable dates.")
        keep = [c for c in [*text_cols, precision_col, filter_col] if c is not None]
        table = df.loc[dates.notna(), keep].copy()
        table.insert(0, "_date", dates[dates.notna()])
        self.table = table.sort_values("_date", kind="stable").reset_index(drop=True)
        self.text_cols = list(text_cols)
        self.precision_col = precision_col
        self.filter_col = filter_col
        self.empty_message = empty_message

        years = self.table["_date"].dt.year
        first, last = int(years.min()), int(years.max())
        start = first if start_year is None else min(max(int(start_year), first), last)
        self.year_slider = widgets.IntSlider(
            value=start, min=first, max=last, step=1, description="Year",
            continuous_update=False, style={"description_width": "initial"},
            layout=widgets.Layout(width="420px"))
        self.prev_button = widgets.Button(description="◀ Previous year with entries",
                                          tooltip="Jump to the nearest earlier year that has entries",
                                          layout=widgets.Layout(width="auto"))
        self.next_button = widgets.Button(description="Next year with entries ▶",
                                          tooltip="Jump to the nearest later year that has entries",
                                          layout=widgets.Layout(width="auto"))
        self.filter_dropdown = None
        controls = [self.year_slider]
        if filter_col is not None:
            values = sorted(str(v) for v in self.table[filter_col].dropna().unique())
            self.filter_dropdown = widgets.Dropdown(
                options=[ALL, *values], value=ALL, description=f"Show {filter_col}",
                style={"description_width": "initial"})
            controls.append(self.filter_dropdown)
        self.display_html = widgets.HTML()
        header = [widgets.HTML(f"<b>{html.escape(title)}</b>")] if title else []
        self.widget = widgets.VBox([*header, widgets.HBox(controls),
                                    widgets.HBox([self.prev_button, self.next_button]),
                                    self.display_html, keyboard_guard()])
        self.widget.add_class("coursekit-timeline")
        self.widget.add_class(KEYBOARD_CLASS)  # guard: slider named, filter dropdown keeps its keys

        self.year_slider.observe(self._refresh, names="value")
        if self.filter_dropdown is not None:
            self.filter_dropdown.observe(self._refresh, names="value")
        self.prev_button.on_click(lambda _: self._jump(-1))
        self.next_button.on_click(lambda _: self._jump(+1))
        self._refresh()

    # ---- what is shown -------------------------------------------------------------------
    def _filtered(self) -> pd.DataFrame:
        t = self.table
        if self.filter_dropdown is not None and self.filter_dropdown.value != ALL:
            t = t[t[self.filter_col].astype("string") == self.filter_dropdown.value]
        return t

    def entries(self) -> pd.DataFrame:
        """The rows shown for the current year and filter (oldest first)."""
        t = self._filtered()
        return t[t["_date"].dt.year == self.year_slider.value]

    def _date_label(self, row) -> str:
        precision = "day"
        if self.precision_col is not None and pd.notna(row[self.precision_col]):
            precision = str(row[self.precision_col])
        return row["_date"].strftime(DATE_FORMATS.get(precision, DATE_FORMATS["day"]))

    def _lines(self) -> list[tuple[str, list[str]]]:
        lines = []
        for _, row in self.entries().iterrows():
            texts = [str(row[c]) for c in self.text_cols if pd.notna(row[c]) and str(row[c])]
            lines.append((self._date_label(row), texts))
        return lines

    def shown_text(self) -> str:
        """What the display shows, as plain text (one entry per line)."""
        lines = self._lines()
        if not lines:
            return self.empty_message.format(year=self.year_slider.value)
        return "\n".join(f"{date}: " + " — ".join(texts) for date, texts in lines)

    def _refresh(self, _change=None) -> None:
        lines = self._lines()
        year = self.year_slider.value
        if not lines:
            body = f"<p><i>{html.escape(self.empty_message.format(year=year))}</i></p>"
        else:
            items = "".join(
                f"<li><b>{html.escape(date)}</b>: " + " — ".join(html.escape(t) for t in texts)
                + "</li>" for date, texts in lines)
            body = f"<ul>{items}</ul>"
        n = len(lines)
        # role=status: a screen reader says the new year and count when the slider moves
        self.display_html.value = (f"<p role=\"status\"><b>{year}</b> — {n} "
                                   f"entr{'y' if n == 1 else 'ies'}</p>" + body)

    def _jump(self, direction: int) -> None:
        years = sorted(set(self._filtered()["_date"].dt.year.astype(int)))
        now = self.year_slider.value
        targets = [y for y in years if (y > now if direction > 0 else y < now)]
        if targets:
            self.year_slider.value = targets[0] if direction > 0 else targets[-1]

    # ---- notebook display ----------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)
