"""A plain-words check that a student's environment has what the course needs.

``check_environment()`` prints one line per item, with ✓ or ✗ and, for anything missing, what to do.
It never raises: a student should always get a readable answer.
"""
from __future__ import annotations

import importlib
import importlib.metadata
import os
import sys
import tempfile
from dataclasses import dataclass

# (import name, distribution name, minimum major.minor, what it is for)
PACKAGES = [
    ("pandas", "pandas", (2, 2), "tables of data"),
    ("matplotlib", "matplotlib", (3, 9), "charts"),
    ("ipywidgets", "ipywidgets", (8, 1), "quizzes and interactive timelines"),
    ("jupyterlab_widgets", "jupyterlab_widgets", (3, 0), "showing widgets inside JupyterLab"),
    ("yaml", "pyyaml", (6, 0), "reading quiz question files"),
]

FIX = ("Ask your instructor, or in a terminal in the course folder run: python3 course.py setup "
       "(then restart the kernel: Kernel ▸ Restart Kernel).")


@dataclass
class Check:
    ok: bool
    what: str
    detail: str

    def line(self) -> str:
        return f"{'✓' if self.ok else '✗'} {self.what}: {self.detail}"


def _version_tuple(text: str) -> tuple[int, ...]:
    parts = []
    for piece in text.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts)


def check_python() -> Check:
    version = ".".join(map(str, sys.version_info[:3]))
    ok = sys.version_info >= (3, 10)
    return Check(ok, "Python", version if ok else f"{version} is too old — the course needs 3.10 or newer")


def check_package(module: str, dist: str, minimum: tuple[int, int], purpose: str) -> Check:
    what = f"{dist} (for {purpose})"
    try:
        importlib.import_module(module)
    except ImportError:
        return Check(False, what, f"not installed. {FIX}")
    try:
        version = importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return Check(True, what, "installed")
    if _version_tuple(version) < minimum:
        wanted = ".".join(map(str, minimum))
        return Check(False, what, f"version {version} is older than {wanted}. {FIX}")
    return Check(True, what, f"version {version}")


def check_course_folder() -> Check:
    from coursekit.paths import CourseRootNotFound, project_root

    try:
        root = project_root()
    except CourseRootNotFound as err:
        return Check(False, "course folder", str(err))
    return Check(True, "course folder", f"found the data at {root / 'data'}")


def check_writable(folder: str | None = None) -> Check:
    folder = folder or os.getcwd()
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-test-"):
            pass
    except OSError:
        return Check(False, "saving quiz answers",
                     f"this folder ({folder}) is read-only, so quiz answers cannot be saved. "
                     "Copy the course folder somewhere you can write to (e.g. your home folder).")
    return Check(True, "saving quiz answers", "this folder is writable")


def run_checks() -> list[Check]:
    checks = [check_python()]
    checks += [check_package(*spec) for spec in PACKAGES]
    checks += [check_course_folder(), check_writable()]
    return checks


def check_environment() -> bool:
    """Print the result of every check; return True when everything is ready."""
    checks = run_checks()
    for check in checks:
        print(check.line())
    ready = all(c.ok for c in checks)
    print("\nAll set — you are ready for the lessons." if ready
          else "\nSomething is missing (see ✗ above). Lessons may not work until it is fixed.")
    return ready
