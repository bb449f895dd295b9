"""Every lesson notebook is committed clean and executes top to bottom without errors or warnings."""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from notebook_runner import execute_copy

REPO = Path(__file__).resolve().parents[1]


def committed_notebooks(*folders: str) -> list[Path]:
    found = []
    for folder in folders:
        found += [p for p in sorted((REPO / folder).rglob("*.ipynb"))
                  if ".ipynb_checkpoints" not in p.parts]
    return found


LESSONS = committed_notebooks("notebooks")
ALL_NOTEBOOKS = committed_notebooks("notebooks", "exercises")


def test_there_is_a_start_notebook():
    assert (REPO / "notebooks" / "00_start_here.ipynb") in LESSONS


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: str(p.relative_to(REPO)))
def test_committed_clean(path: Path):
    nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
    assert nb.nbformat == 4, f"{path.name}: nbformat {nb.nbformat}, expected 4"
    nbformat.validate(nb)
    first = nb.cells[0] if nb.cells else None
    assert first is not None and first.cell_type == "markdown" and first.source.lstrip().startswith("# "), \
        f"{path.name}: the first cell must be a markdown H1 title"
    dirty = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and (c.get("outputs") or c.get("execution_count") is not None)]
    assert not dirty, f"{path.name}: cells {dirty} have outputs or execution counts (strip them)"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.name)
def test_lesson_executes_without_errors_or_warnings(path: Path, tmp_path: Path):
    run = execute_copy(path, tmp_path, REPO)
    assert not run.problems, f"{path.name}:\n" + "\n".join(run.problems)
