"""Execute a notebook top to bottom and collect every problem a student would see.

An error output, or any output on stderr (warnings included), counts as a problem.
The notebook runs in a copy of its folder, so nothing it writes lands in the repository.
"""
from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbclient import NotebookClient

CELL_TIMEOUT = 120  # seconds; a lesson cell should take a few seconds at most


@dataclass
class Run:
    notebook: nbformat.NotebookNode
    seconds: float
    problems: list[str]


def problems_in(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                found.append(f"cell {index}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"cell {index}: stderr: {out.get('text', '')[:500]}")
    return found


def execute_copy(notebook: Path, workdir: Path, course_root: Path, env: dict | None = None) -> Run:
    """Copy the notebook's folder into workdir and execute the copy; return it with its problems."""
    target_dir = workdir / notebook.parent.name
    shutil.copytree(notebook.parent, target_dir, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.answers.json"))
    data = course_root / "data"   # lessons read ../data/<table>.csv with pd.read_csv first
    if data.is_dir() and not (workdir / "data").exists():
        shutil.copytree(data, workdir / "data")
    nb = nbformat.read(target_dir / notebook.name, as_version=4)
    old = dict(os.environ)
    os.environ.update({"COURSEKIT_ROOT": str(course_root), **(env or {})})
    os.environ.pop("MPLBACKEND", None)
    try:
        client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                allow_errors=True, resources={"metadata": {"path": str(target_dir)}})
        start = time.perf_counter()
        client.execute()
        seconds = time.perf_counter() - start
    finally:
        os.environ.clear()
        os.environ.update(old)
    return Run(nb, seconds, problems_in(nb))
