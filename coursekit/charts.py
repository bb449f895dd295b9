"""House style for the course's charts: readable, colour-blind safe, sourced and described.

Lessons write ordinary matplotlib code (``fig, ax = plt.subplots()``, ``ax.plot(...)``) and use
these helpers only for the chores every chart shares:

- ``use_house_style()``       – larger fonts, light grid, no top/right frame
- ``series_style(i)``         – colour + line style + marker for the i-th series, so series differ
                                 by more than colour (Okabe–Ito palette)
- ``mark_events(ax, events)`` – dashed vertical lines with short labels (e.g. "Taliban take Kabul")
- ``source_line(ax, text)``   – "Source: …" under the chart
- ``describe(alt, table)``    – a hand-written text alternative (prefer ``show``)
- ``show(fig)``               – in place of plt.show(): the chart with alt text and a description
                                 computed from the data it draws, and the table of plotted values
"""
from __future__ import annotations

import numbers
from collections.abc import Iterable

import matplotlib as mpl
import pandas as pd

from coursekit.a11y import region

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


# ------------------------------------------------------------------ show: figure + computed text
def show(fig=None, *, intro: str = "", x_format=None, max_rows: int = 25, table: bool = True):
    """Show a chart with a text alternative computed from the data it draws, then close it.

    The description (alt text of the image, and a paragraph under it) is read off the figure
    itself — each line's and bar series' points — so it cannot drift from the chart. A table of
    the plotted values follows (``table=False`` leaves it out). ``intro`` is put in front of the
    description (say what to look for); ``x_format`` turns an x value into text (default: years
    and dates are recognised, other numbers printed as they are).

    Use it in place of ``plt.show()``: ``charts.show(fig)``.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    fig = fig if fig is not None else plt.gcf()
    summaries, frames = [], []
    for ax in fig.get_axes():
        fmt = x_format or _x_formatter(ax)
        for name, xs, ys in _series(ax):
            summaries.append(_summarise(name, xs, ys, fmt, _axis_words(ax)))
            frames.append(pd.Series(ys, index=[fmt(x) for x in xs], name=name))
    titles = [ax.get_title() for ax in fig.get_axes() if ax.get_title()]
    alt = " ".join(filter(None, [intro, ". ".join(titles) + ("." if titles else ""), *summaries]))
    xname = next((ax.get_xlabel() for ax in fig.get_axes() if ax.get_xlabel()), "x")
    data = _tabulate(frames, xname)
    display(_FigureWithText(fig, alt, data if table else None, max_rows))
    plt.close(fig)
    return None


def describe_figure(fig) -> str:
    """The computed description ``show`` would give ``fig`` (for tests and the instructor guide)."""
    parts = []
    for ax in fig.get_axes():
        fmt = _x_formatter(ax)
        for name, xs, ys in _series(ax):
            parts.append(_summarise(name, xs, ys, fmt, _axis_words(ax)))
    return " ".join(parts)


def _axis_words(ax) -> str:
    label = ax.get_ylabel().strip()
    return f" ({label})" if label else ""


def _x_formatter(ax):
    import matplotlib.dates as mdates

    get = getattr(ax.xaxis, "get_converter", None)
    converter = get() if get else getattr(ax.xaxis, "converter", None)
    on_dates = "date" in type(converter).__name__.lower()

    def fmt(x) -> str:
        if isinstance(x, str):
            return x
        if hasattr(x, "strftime") or type(x).__name__ == "datetime64":
            return pd.Timestamp(x).strftime("%b %Y")
        if on_dates:
            return mdates.num2date(float(x)).strftime("%b %Y")
        return _plain_x(x)
    return fmt


def _plain_x(x) -> str:
    try:
        value = float(x)
    except (TypeError, ValueError):
        return str(x)
    if value.is_integer():
        return str(int(value))
    return f"{value:g}"


def _series(ax):
    """(name, xs, ys) for each labelled line and each labelled bar series of ``ax``."""
    import numpy as np
    from matplotlib.container import BarContainer

    category_names = _category_names(ax)
    for line in ax.get_lines():
        name = line.get_label()
        if name.startswith("_"):
            continue
        xs = list(line.get_xdata(orig=True))
        ys = [float(y) if y is not None else np.nan for y in line.get_ydata(orig=True)]
        yield name, [category_names.get(x, x) if not isinstance(x, str) else x for x in xs], ys
    for container in ax.containers:
        if not isinstance(container, BarContainer):
            continue
        name = container.get_label() or ""
        name = "" if name.startswith("_") else name
        horizontal = getattr(container, "orientation", "vertical") == "horizontal"
        xs, ys = [], []
        for bar in container.patches:
            if horizontal:
                pos, val = bar.get_y() + bar.get_height() / 2, bar.get_width()
                names = _category_names(ax, axis="y")
            else:
                pos, val = bar.get_x() + bar.get_width() / 2, bar.get_height()
                names = category_names
            xs.append(names.get(round(pos, 6), _tick_text(ax, pos, "y" if horizontal else "x")))
            ys.append(float(val))
        yield name or ax.get_ylabel() or "value", xs, ys


def _category_names(ax, axis: str = "x") -> dict:
    units = (ax.yaxis if axis == "y" else ax.xaxis).get_units()
    mapping = getattr(units, "_mapping", None)
    return {round(float(v), 6): k for k, v in mapping.items()} if mapping else {}


def _tick_text(ax, pos, axis):
    ticks = ax.get_yticks() if axis == "y" else ax.get_xticks()
    labels = ax.get_yticklabels() if axis == "y" else ax.get_xticklabels()
    for t, lab in zip(ticks, labels):
        if abs(t - pos) < 1e-6 and lab.get_text():
            return lab.get_text()
    return pos


def _number(v: float) -> str:
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.1f}"


def _summarise(name, xs, ys, fmt, unit_words: str) -> str:
    import math

    points = [(x, y) for x, y in zip(xs, ys) if not (isinstance(y, float) and math.isnan(y))]
    gaps = [fmt(x) for x, y in zip(xs, ys) if isinstance(y, float) and math.isnan(y)]
    if unit_words.strip(" ()") == name:
        unit_words = ""
    if not points:
        return f"{name}: no values."
    if all(isinstance(x, str) for x, _ in points) and len(points) <= 12:
        listed = "; ".join(f"{x} {_number(y)}" for x, y in points)
        return f"{name}{unit_words}: {listed}."
    hi = max(points, key=lambda p: p[1])
    lo = min(points, key=lambda p: p[1])
    first, last = points[0], points[-1]
    text = (f"{name}{unit_words}: {len(points)} values from {fmt(first[0])} to {fmt(last[0])}; "
            f"first {_number(first[1])}, last {_number(last[1])}; "
            f"highest {_number(hi[1])} ({fmt(hi[0])}), lowest {_number(lo[1])} ({fmt(lo[0])})")
    if gaps:
        text += f"; no value for {', '.join(gaps)}"
    return text + "."


def _tabulate(frames, xname: str = "x") -> pd.DataFrame:
    if not frames:
        return pd.DataFrame()
    names = [f.name for f in frames]
    if len(set(names)) < len(names):  # same label in two panels: keep both
        frames = [f.rename(f"{f.name} ({i + 1})") for i, f in enumerate(frames)]
    order = []
    for f in frames:
        order.extend(i for i in f.index if i not in order)
    table = pd.concat([f[~f.index.duplicated()] for f in frames], axis=1).reindex(order)
    return table.rename_axis(xname).reset_index()


class _FigureWithText:
    """A figure as PNG + HTML (``<img alt=…>``, description, table) so every front end shows
    a text alternative: JupyterLab prefers the HTML, plain viewers fall back to the PNG."""

    def __init__(self, fig, alt: str, table: pd.DataFrame | None, max_rows: int):
        import base64
        import io

        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        self.png = buffer.getvalue()
        self.b64 = base64.b64encode(self.png).decode("ascii")
        self.alt, self.table, self.max_rows = alt, table, max_rows

    def _repr_mimebundle_(self, include=None, exclude=None):
        import html

        alt = html.escape(self.alt, quote=True)
        parts = [f'<figure style="margin:0"><img src="data:image/png;base64,{self.b64}" '
                 f'alt="{alt}" style="max-width:100%">',
                 f'<figcaption><strong>Chart description:</strong> {html.escape(self.alt)}'
                 f'</figcaption></figure>']
        if self.table is not None and len(self.table):
            parts.append(_html_table(self.table.head(self.max_rows)))
            if len(self.table) > self.max_rows:
                parts.append(f"<p><em>(first {self.max_rows} of {len(self.table)} rows)</em></p>")
        return {"text/html": "\n".join(parts), "image/png": self.b64,
                "text/plain": f"<chart: {self.alt}>"}


def _html_table(df: pd.DataFrame) -> str:
    import html

    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in df.columns)
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in r) + "</tr>"
                   for r in df.itertuples(index=False))
    table = (f'<table><caption>Values drawn in the chart above</caption><thead><tr>{head}</tr>'
             f"</thead><tbody>{rows}</tbody></table>")
    return region(table, "Values drawn in the chart above")
