"""Inspect a submission before grading: missing, renamed, corrupt, deleted or edited cells.

nbgrader restores locked and test cells at autograde, so tampering never changes a score, but
its checksum warning fires for every submission when hidden tests exist and cannot tell real
edits apart. Here each locked or test cell is compared with the gradebook's copy (hidden tests
stripped, as in the student's release), so an edit is reported by name.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

# nbgrader's markers, spelled in two parts so this file can ship in the student bundle, which
# is checked for the markers themselves.
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN " + "HIDDEN TESTS", "### END " + "HIDDEN TESTS"
BEGIN_SOLUTION, END_SOLUTION = "### BEGIN " + "SOLUTION", "### END " + "SOLUTION"
HIDDEN = re.compile(rf"^[ \t]*{BEGIN_HIDDEN}.*?^[ \t]*{END_HIDDEN}[^\n]*\n?",
                    re.DOTALL | re.MULTILINE)

# Statuses, most serious first (a submission reports the first that applies).
GRADED = "graded"
TIMED_OUT = "timed out"
KERNEL_DIED = "kernel died"
CORRUPT = "corrupt notebook"
MISSING = "missing notebook"
RENAMED = "renamed notebook"
CELL_DELETED = "graded cell deleted"
LOCKED_EDITED = "locked cell edited"
ERROR = "grading error"
SCORE_MISMATCH = "score mismatch"

#: statuses for which nbgrader is not run at all (the submission gets zero autograded points)
NOT_RUN = {CORRUPT, MISSING, RENAMED}


@dataclass
class CellSpec:
    """What the gradebook knows about one nbgrader cell of the release."""

    name: str
    source: str
    locked: bool
    is_test: bool
    graded: bool = True


@dataclass
class Inspection:
    status: str = GRADED
    reasons: list[str] = field(default_factory=list)
    runnable: bool = False  # at least one expected notebook is present and readable

    def flag(self, status: str, reason: str) -> None:
        if self.status == GRADED:
            self.status = status
        self.reasons.append(reason)


def normalise(source: str) -> str:
    """Source without hidden tests, trailing spaces and blank lines (what a student sees)."""
    source = HIDDEN.sub("", source)
    return "\n".join(line.rstrip() for line in source.splitlines() if line.strip())


def inspect_submission(folder: Path, expected: dict[str, list[CellSpec]]) -> Inspection:
    """Check one submitted assignment folder against the expected notebooks and their cells."""
    result = Inspection()
    present = sorted(p.name for p in folder.glob("*.ipynb")) if folder.is_dir() else []
    for name, cells in sorted(expected.items()):
        path = folder / f"{name}.ipynb"
        if not path.exists():
            others = [p for p in present if p[:-6] not in expected]
            if others:
                result.flag(RENAMED, f"expected {name}.ipynb, found {', '.join(others)} "
                                     "(not graded: rename it back and grade again)")
            else:
                result.flag(MISSING, f"no {name}.ipynb in the submission")
            continue
        try:
            nb = nbformat.read(path, as_version=4)
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            result.flag(CORRUPT, f"{name}.ipynb cannot be read as a notebook ({type(exc).__name__})")
            continue
        result.runnable = True
        _compare_cells(name, nb, cells, result)
    return result


def _compare_cells(name: str, nb, cells: list[CellSpec], result: Inspection) -> None:
    seen: dict[str, int] = {}
    sources: dict[str, str] = {}
    for cell in nb.cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id:
            seen[grade_id] = seen.get(grade_id, 0) + 1
            sources.setdefault(grade_id, cell.get("source", ""))
    for graded, note in ((True, "restored from the release for grading"),
                         (False, "its answer is missing")):
        deleted = [c.name for c in cells if c.graded == graded and c.name not in seen]
        if deleted:
            result.flag(CELL_DELETED, f"{name}.ipynb: cell(s) {', '.join(deleted)} deleted "
                                      f"({note})")
    duplicated = sorted(k for k, n in seen.items() if n > 1)
    if duplicated:
        result.flag(LOCKED_EDITED, f"{name}.ipynb: cell(s) {', '.join(duplicated)} duplicated")
    edited = [c.name for c in cells
              if (c.locked or c.is_test) and c.name in sources
              and normalise(sources[c.name]) != normalise(c.source)]
    if edited:
        result.flag(LOCKED_EDITED, f"{name}.ipynb: locked cell(s) {', '.join(edited)} edited "
                                   "(the original was restored for grading)")


def expected_cells(gradebook, assignment: str) -> dict[str, list[CellSpec]]:
    """Notebook name → nbgrader cells, read from an open nbgrader ``Gradebook``."""
    found: dict[str, list[CellSpec]] = {}
    for notebook in gradebook.find_assignment(assignment).notebooks:
        graded = {g.name for g in notebook.grade_cells}
        tests = {g.name for g in notebook.grade_cells if g.cell_type == "code"}
        solutions = {s.name for s in notebook.solution_cells}
        found[notebook.name] = [
            CellSpec(s.name, s.source or "", bool(s.locked), s.name in tests - solutions,
                     s.name in graded)
            for s in notebook.source_cells
        ]
    return found
