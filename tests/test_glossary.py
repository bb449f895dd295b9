"""The module glossary (notebooks/glossary.md): one line per term, every abbreviation the lessons use,
linked from the first cell of every lesson."""
from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[1]
GLOSSARY = REPO / "notebooks" / "glossary.md"
LESSONS = sorted((REPO / "notebooks").glob("0[0-9]_*.ipynb"))
REQUIRED = ("CSF PoR ACC IFRP FATA KP TTP IS-K BLA OTH PIPS PICSS CRSS UNHCR IOM CRS BIJ CENTCOM CPEC "
            "FTO").split()
# Capitalised words that are names or ordinary English, not abbreviations needing an entry.
NOT_ABBREVIATIONS = {"I", "A", "OK", "II", "III", "README", "DataFrame", "JupyterHub", "JupyterLab",
                     "McKenzie", "GeoJSON", "NaN", "NA", "MS", "US-led", "PICSS-combined"}


def terms() -> set[str]:
    found = set()
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*\*\*(.+?)\*\*", line)
        if m:
            for part in re.split(r"\*\*|,|\(also|\)", line.split("|")[1]):
                found |= {t.strip(" *") for t in re.split(r"[,\s]+", part) if t.strip(" *")}
    return found


def markdown_of(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_glossary_rows_are_one_line_each():
    rows = [line for line in GLOSSARY.read_text(encoding="utf-8").splitlines() if line.startswith("| **")]
    assert len(rows) >= 40
    for row in rows:
        assert row.count("|") == 3, f"glossary.md: one term and one meaning per line: {row[:60]}"


def test_glossary_has_the_required_abbreviations():
    missing = [t for t in REQUIRED if t not in terms()]
    assert not missing, f"notebooks/glossary.md lacks {missing}"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_first_cell_links_the_glossary(path: Path):
    first = nbformat.read(path, as_version=4).cells[0].source
    assert "(glossary.md)" in first, f"{path.name}: first cell does not link [glossary](glossary.md)"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_every_abbreviation_in_a_lesson_is_in_the_glossary(path: Path):
    text = re.sub(r"`[^`]*`", " ", markdown_of(path))          # code spans are not prose
    text = re.sub(r"\]\([^)]*\)", "]", text)                    # nor link targets
    used = set(re.findall(r"\b[A-Z][A-Za-z]*[A-Z][A-Za-z]*(?:-[A-Z]+)?\b", text))
    missing = sorted(used - terms() - NOT_ABBREVIATIONS)
    assert not missing, f"{path.name}: add to notebooks/glossary.md: {missing}"
