"""Find the course folder, wherever it was cloned, pulled (nbgitpuller) or unzipped to.

The course root is the folder that holds ``data/datapackage.json``. It is found, in order:

1. from the ``COURSEKIT_ROOT`` environment variable, if set;
2. by walking up from the current working directory (a notebook's kernel starts in its folder);
3. by walking up from this package's own location (an editable install inside the course folder).
"""
from __future__ import annotations

import os
from pathlib import Path

MARKER = Path("data") / "datapackage.json"


class CourseRootNotFound(FileNotFoundError):
    """Raised when no folder holding data/datapackage.json can be found."""


def _walk_up(start: Path):
    start = start.resolve()
    yield start
    yield from start.parents


def project_root() -> Path:
    """Return the course root folder (the one that holds data/datapackage.json)."""
    env = os.environ.get("COURSEKIT_ROOT")
    if env:
        root = Path(env).expanduser().resolve()
        if not (root / MARKER).exists():
            raise CourseRootNotFound(
                f"COURSEKIT_ROOT is set to {root}, but {root / MARKER} does not exist."
            )
        return root
    for start in (Path.cwd(), Path(__file__).parent):
        for folder in _walk_up(start):
            if (folder / MARKER).exists():
                return folder
    raise CourseRootNotFound(
        "Could not find the course folder (one that holds data/datapackage.json). "
        "Open the notebook from inside the course folder, or set COURSEKIT_ROOT to it."
    )


def data_dir() -> Path:
    return project_root() / "data"


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def seeds_dir() -> Path:
    return project_root() / "seeds"
