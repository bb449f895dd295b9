"""House style for the course's charts: readable, colour-blind safe, sourced and described.

Lessons write ordinary matplotlib code (``fig, ax = plt.subplots()``, ``ax.plot(...)``) and use
these helpers only for the chores every chart shares:

- ``use_house_style()``       – larger fonts, light grid, no top/right frame
- ``series_style(i)``         – colour + line style + marker for the i-th series, so series differ
                                 by more than colour (Okabe–Ito palette)
- ``mark_events(ax, events)`` – dashed vertical lines with short labels (e.g. "Taliban take Kabul")
- ``source_line(ax, text)``   – "Source: …" under the chart
- ``describe(alt, table)``    – a text alternative under the chart (alt text + a small table)
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable

import matplotlib as mpl
import pandas as pd

# Okabe & Ito (2008), "Color Universal Design": distinguishable with the common colour-vision
# deficiencies. Black is kept for reference lines.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]
LINESTYLES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "P", "X", "*"]
EVENT_COLOUR = "#444444"

HOUSE_STYLE = {
    "figure.figsize": (9, 4.8),
    "figure.dpi": 100,
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 11,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "legend.frameon": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE[:4], linestyle=LINESTYLES, marker=MARKERS[:4]),
}


def use_house_style() -> None:
    """Apply the course's chart style to every chart made after this call."""
    mpl.rcParams.update(HOUSE_STYLE)


def series_style(i: int) -> dict:
    """Colour, line style and marker for the i-th series (redundant encodings, not colour alone)."""
    return {
        "color": PALETTE[i % len(PALETTE)],
        "linestyle": LINESTYLES[i % len(LINESTYLES)],
        "marker": MARKERS[i % len(MARKERS)],
    }


def mark_events(ax, events: Iterable[tuple], *, ymax_fraction: float = 0.97, fontsize: int = 9):
    """Draw a dashed vertical line and a short label for each (x, label) pair.

    ``x`` must be in the units of the axis (a year number on a year axis, a date on a date axis).
    Labels are stacked at different heights so that events close in time do not overlap.
    """
    transform = ax.get_xaxis_transform()  # x in data units, y in axes fraction
    for k, (x, label) in enumerate(events):
        ax.axvline(x, color=EVENT_COLOUR, linestyle=(0, (4, 3)), linewidth=1, zorder=1)
        y = ymax_fraction - 0.09 * (k % 3)
        ax.text(x, y, f" {label}", transform=transform, fontsize=fontsize, va="top", ha="left",
                color=EVENT_COLOUR,
                bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8, "pad": 1})
    return ax


def source_line(ax, text: str, *, prefix: str = "Source: ") -> None:
    """Print the source of the data under the chart, in small grey type."""
    ax.annotate(f"{prefix}{text}", xy=(0, 0), xycoords="axes fraction", xytext=(0, -42),
                textcoords="offset points", fontsize=8, color="#555555", va="top", ha="left",
                wrap=True)


def describe(alt: str, table: pd.DataFrame | None = None, *, max_rows: int = 12):
    """Show a text alternative for the chart above: a description and (optionally) a small table.

    Returns an IPython display object, so it renders when it is the last line of a cell.
    """
    from IPython.display import Markdown

    parts = [f"**Chart description (text alternative):** {alt}"]
    if table is not None:
        shown = table.head(max_rows)
        more = "" if len(table) <= max_rows else f"\n\n*(first {max_rows} of {len(table)} rows)*"
        parts.append(_markdown_table(shown) + more)
    return Markdown("\n\n".join(parts))


def _cell(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, numbers.Real) and float(value).is_integer():
        value = int(value)  # years stay 2021, large counts get separators: 1,428,230
        return f"{value:,}" if abs(value) >= 10_000 else str(value)
    if isinstance(value, numbers.Real):
        return f"{value:,.2f}"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value).replace("|", "\\|")


def _markdown_table(df: pd.DataFrame) -> str:
    """A plain Markdown table (no extra dependency such as `tabulate`)."""
    header = "| " + " | ".join(str(c) for c in df.columns) + " |"
    rule = "|" + "---|" * len(df.columns)
    rows = []
    for record in df.itertuples(index=False):
        cells = [_cell(v) for v in record]
        rows.append("| " + " | ".join(cells) + " |")
    return "\n".join([header, rule, *rows])
