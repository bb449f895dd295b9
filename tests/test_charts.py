"""charts.show: the text alternative is computed from what the figure draws."""
import matplotlib

matplotlib.use("Agg")  # tests only; notebooks keep the inline backend
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from coursekit import charts  # noqa: E402


def test_description_follows_the_data_including_gaps():
    fig, ax = plt.subplots()
    ax.plot([2019, 2020, 2021, 2022], [229, np.nan, 207, 262], label="PIPS")
    ax.set(ylabel="Attacks per year")
    text = charts.describe_figure(fig)
    assert "PIPS (Attacks per year): 3 values from 2019 to 2022" in text
    assert "highest 262 (2022), lowest 207 (2021)" in text
    assert "no value for 2020" in text
    ax.lines[0].set_ydata([229, np.nan, 207, 500])  # change the data: the text follows
    assert "highest 500 (2022)" in charts.describe_figure(fig)
    plt.close(fig)


def test_bars_with_categories_and_dates():
    fig, (a, b) = plt.subplots(1, 2)
    a.barh(["KP", "Balochistan"], [1_017, 301], label="2024")
    b.plot(pd.to_datetime(["2023-01-01", "2023-02-01"]), [40, 35], label="PICSS")
    text = charts.describe_figure(fig)
    assert "2024: KP 1,017; Balochistan 301." in text
    assert "from Jan 2023 to Feb 2023" in text
    plt.close(fig)


def test_show_gives_html_with_alt_text_and_a_table(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj))
    fig, ax = plt.subplots()
    ax.plot([2021, 2022], [207, 262], label="PIPS")
    ax.set(title="Attacks", xlabel="Year")
    charts.show(fig, intro="Look at the rise.")
    bundle = shown[0]._repr_mimebundle_()
    html = bundle["text/html"]
    assert 'alt="Look at the rise. Attacks. PIPS: 2 values' in html
    assert "<caption>Values drawn in the chart above</caption>" in html
    assert '<th scope="col">PIPS</th>' in html and "<td>262</td>" in html
    assert '<th scope="col">Year</th>' in html, "the first column is named after the x axis"
    assert bundle["image/png"]
    assert not plt.get_fignums(), "show() closes the figure so it is not drawn twice"
