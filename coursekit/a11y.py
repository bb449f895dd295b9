"""Accessibility helpers shared by the course's outputs: tables and keyboard use in JupyterLab.

**Tables.** pandas shows a DataFrame as an HTML table. In JupyterLab, two things about it fail an
accessibility check (axe-core, run by tests/test_browser.py):

- a wide table scrolls sideways inside the output, and a keyboard user cannot reach that
  scroll area ("scrollable-region-focusable", serious);
- the corner cell above the index, and the cells beside an index name, are empty header cells
  ("empty-table-header").

``accessible_html(df)`` keeps pandas' own HTML (same look, same display options) and fixes both:
the table sits in a named group that takes the keyboard focus and scrolls itself, and the empty
header cells become ordinary empty cells. ``install()`` makes it the notebook's HTML for every
DataFrame; importing coursekit calls it (nothing happens outside IPython).

**Keys.** JupyterLab reads arrow and digit keys pressed on a dropdown inside an output as
notebook commands (ArrowDown selects the next cell, "1" turns the cell into a heading), so a
keyboard user could not choose a quiz position or category. ``keyboard_guard()`` is an invisible
output with a small script that marks our dropdowns (inside an element with the class
``KEYBOARD_CLASS``) so that JupyterLab leaves their keys alone, and gives ipywidgets' slider
handles the name of their label (ipywidgets leaves them unnamed; a slider keeps its keys anyway,
measured), and names each dropdown of a quiz row after the item it is for ("Position: Fall of
Kabul", not three times "Position").
The script runs once per page, however many guards are shown.
"""
from __future__ import annotations

import re
import sys

EMPTY_HEADER = re.compile(r"<th(\s[^>]*)?>\s*</th>")
REGION_STYLE = "overflow-x:auto;max-width:100%"


def region(table_html: str, label: str) -> str:
    """Wrap table HTML in a focusable, labelled box that scrolls sideways when it is wide.

    role=group, not region: a region is a landmark, and landmarks need unique names, which
    outputs made one at a time cannot promise."""
    from html import escape

    return (f'<div class="coursekit-table" role="group" tabindex="0" '
            f'aria-label="{escape(label, quote=True)}" style="{REGION_STYLE}">{table_html}</div>')


def no_empty_headers(table_html: str) -> str:
    """Empty <th> cells (pandas' corner cell, cells beside an index name) become <td>."""
    return EMPTY_HEADER.sub(lambda m: f"<td{m.group(1) or ''}></td>", table_html)


def accessible_html(df) -> str | None:
    """pandas' notebook HTML for ``df``, in a focusable region, without empty header cells.
    None when pandas gives no HTML (``display.notebook_repr_html`` is off)."""
    raw = df._repr_html_()
    if raw is None:
        return None
    rows, cols = df.shape
    label = f"Table: {rows} row{'s' if rows != 1 else ''}, {cols} column{'s' if cols != 1 else ''}"
    return region(no_empty_headers(raw), label)


def install() -> bool:
    """Use ``accessible_html`` for DataFrames in the running IPython kernel. True if installed."""
    if "IPython" not in sys.modules:  # plain Python: nothing to do, and no IPython import
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None or not hasattr(shell, "display_formatter"):
        return False
    formatter = shell.display_formatter.formatters["text/html"]
    # by name, so pandas need not be imported yet; pandas 3 says its module is "pandas"
    for module in ("pandas", "pandas.core.frame"):
        formatter.for_type_by_name(module, "DataFrame", accessible_html)
    return True


# ------------------------------------------------------------------ keys
# JupyterLab (Lumino) skips its shortcuts for a key pressed on an element that carries
# data-lm-suppress-shortcuts. The script sets it on our dropdowns when they get the focus.
KEYBOARD_CLASS = "coursekit-keys"
KEYBOARD_SCRIPT = """<script>
(() => {
  if (window.coursekitKeyboardGuard) return;
  window.coursekitKeyboardGuard = true;
  const ours = '.%s';
  document.addEventListener('focusin', (event) => {
    const el = event.target;
    if (el instanceof Element && el.matches('select') && el.closest(ours)) {
      el.setAttribute('data-lm-suppress-shortcuts', 'true');
    }
  }, true);
  // ipywidgets' slider handle (role=slider) is not tied to its label: give it the label's text
  const sliders = () => {
    for (const handle of document.querySelectorAll(ours + ' [role=slider]:not([aria-label])')) {
      const label = handle.closest('.widget-slider')?.querySelector('.widget-label');
      handle.setAttribute('aria-label', (label && label.textContent.trim()) || 'Slider');
    }
  };
  // a quiz row is [dropdown "Position"] [item text]: name the dropdown "Position: item text",
  // so that a screen reader says which item the dropdown is for when it gets the focus
  const rows = () => {
    const unnamed = ours + ' .widget-hbox select:not([aria-label])';
    for (const select of document.querySelectorAll(unnamed)) {
      const item = select.closest('.widget-hbox').querySelector('.widget-html');
      const label = select.closest('.widget-dropdown')?.querySelector('.widget-label');
      if (item && item.textContent.trim()) {
        const head = label ? label.textContent.trim() : '';
        select.setAttribute('aria-label', (head ? head + ': ' : '') + item.textContent.trim());
      }
    }
  };
  let queued = false;  // at most once per frame, however busy the page is
  const name = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; sliders(); rows(); });
  };
  name();
  new MutationObserver(name).observe(document.body, {childList: true, subtree: true});
})();
</script>""" % KEYBOARD_CLASS


def keyboard_guard():
    """An invisible ipywidgets Output holding KEYBOARD_SCRIPT (trusted output runs it)."""
    import ipywidgets as W

    out = W.Output(layout=W.Layout(height="0px", overflow="hidden", margin="0"))
    out.outputs = ({"output_type": "display_data", "metadata": {},
                    "data": {"text/html": KEYBOARD_SCRIPT, "text/plain": ""}},)
    return out
