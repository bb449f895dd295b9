"""coursekit.a11y: accessible DataFrame HTML and the keyboard guard (the browser test checks them
in JupyterLab with axe-core; these check the pieces without a browser)."""
from __future__ import annotations

import subprocess
import sys

import pandas as pd

from coursekit import a11y


def test_empty_header_cells_become_plain_cells():
    df = pd.DataFrame({"attacks": [306, 645]}, index=pd.Index([2022, 2023], name="year"))
    html = a11y.accessible_html(df)
    assert "<th></th>" not in html and "<td></td>" in html
    assert "<th>attacks</th>" in html and "<th>year</th>" in html and "<th>2023</th>" in html
    assert a11y.no_empty_headers('<th colspan="2"> </th>') == '<td colspan="2"></td>'


def test_table_sits_in_a_named_focusable_box():
    df = pd.DataFrame({f"c{i}": [1] for i in range(3)})
    html = a11y.accessible_html(df)
    assert html.startswith('<div class="coursekit-table" role="group" tabindex="0" '
                           'aria-label="Table: 1 row, 3 columns"')
    assert html.endswith("</div>")


def test_no_html_when_pandas_gives_none():
    with pd.option_context("display.notebook_repr_html", False):
        assert a11y.accessible_html(pd.DataFrame({"a": [1]})) is None


INSTALL = """
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
import coursekit, pandas as pd
html = shell.display_formatter.format(pd.DataFrame({"a": [1]}))[0]["text/html"]
assert html.startswith('<div class="coursekit-table"'), html[:80]
"""


def test_importing_coursekit_installs_the_table_html_in_ipython():
    result = subprocess.run([sys.executable, "-c", INSTALL], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_install_does_nothing_outside_ipython():
    code = ("import sys, coursekit.a11y as a\nassert 'IPython' not in sys.modules\n"
            "assert a.install() is False\nassert 'IPython' not in sys.modules")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_timeline_carries_the_keyboard_guard():
    from coursekit.timeline import Timeline

    events = pd.DataFrame({"date": ["2021-08-15"], "event": ["Taliban take Kabul"]})
    widget = Timeline(events).widget
    assert a11y.KEYBOARD_CLASS in widget._dom_classes
    scripts = [o["data"]["text/html"] for child in widget.children
               if hasattr(child, "outputs") for o in child.outputs]
    assert scripts == [a11y.KEYBOARD_SCRIPT]
    assert "data-lm-suppress-shortcuts" in a11y.KEYBOARD_SCRIPT


def test_a_quiz_carries_one_keyboard_guard(tmp_path):
    from coursekit.quiz.api import Quiz

    quiz = Quiz("00_start_here", answers_dir=tmp_path, interactive=True)
    views = list(quiz.questions.values())
    assert len(views) > 1
    assert all(a11y.KEYBOARD_CLASS in v.widget._dom_classes for v in views)
    guards = [c for v in views for c in v.widget.children
              if getattr(c, "outputs", None) and
              c.outputs[0]["data"]["text/html"] == a11y.KEYBOARD_SCRIPT]
    assert len(guards) == 1
