"""Checks for exercises: public checks students run, hidden checks run at grading.

Public checks (after each answer cell) raise an ``AssertionError`` whose message says what to fix,
and end with :func:`passed`, whose message is honest about what it means.

Hidden checks (in nbgrader's hidden-test block) use :class:`Hidden`: each check names the
student's variable *as a string* (so a missing variable is a failed check, not a traceback) and
describes *what* is wrong, never how it is tested. The cell's last line, ``h.score()``, prints one
line per failed check and returns the points earned — nbgrader takes a number as partial credit —
so no traceback, and no hidden test source, reaches the student's feedback (nbgrader #917).
"""
from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

PASSED = "✓ public checks passed — hidden checks run at grading"
_MISSING = object()


def passed(message: str | None = None) -> None:
    """Print the honest all-clear after public checks."""
    print(PASSED if message is None else f"✓ {message} — hidden checks run at grading")


def expect(condition: bool, message: str) -> None:
    """A public check: fail with a message that says what to fix."""
    if not condition:
        raise AssertionError(message)


def user_value(name: str) -> Any:
    """The value of a variable in the notebook's namespace (``_MISSING`` when undefined)."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is always there in a kernel
        shell = None
    namespace = shell.user_ns if shell is not None else __import__("__main__").__dict__
    return namespace.get(name, _MISSING)


def is_number(value: Any) -> bool:
    try:
        return not isinstance(value, bool) and math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


class Hidden:
    """A group of hidden checks worth ``points`` in total (equal weights unless given)."""

    def __init__(self, points: float):
        self.points = float(points)
        self.results: list[tuple[float, bool, str]] = []  # (weight, ok, message if failed)

    def _record(self, ok: bool, message: str, weight: float) -> bool:
        self.results.append((weight, bool(ok), message))
        return bool(ok)

    def _get(self, name: str, weight: float) -> Any:
        value = user_value(name)
        if value is _MISSING:
            self._record(False, f"`{name}` is not defined — run your answer cell", weight)
        return value

    def close(self, name: str, expected: float, what: str, *, rel: float = 1e-6,
              abs_tol: float = 1e-9, weight: float = 1.0) -> bool:
        """``name`` holds a number close to the expected one."""
        value = self._get(name, weight)
        if value is _MISSING:
            return False
        if not is_number(value):
            return self._record(False, f"`{name}` should be a number ({what})", weight)
        ok = math.isclose(float(value), float(expected), rel_tol=rel, abs_tol=abs_tol)
        return self._record(ok, f"`{name}` is not the right value: {what}", weight)

    def equal(self, name: str, expected: Any, what: str, *, weight: float = 1.0) -> bool:
        """``name`` equals the expected value (compared with ``==``)."""
        value = self._get(name, weight)
        if value is _MISSING:
            return False
        try:
            ok = bool(value == expected)
        except (TypeError, ValueError):
            ok = False
        return self._record(ok, f"`{name}` is not right: {what}", weight)

    def that(self, test: Callable[[], bool], what: str, *, weight: float = 1.0) -> bool:
        """A check given as a function; any exception it raises counts as a failure."""
        try:
            ok = bool(test())
        except Exception:  # noqa: BLE001 — a student's odd object must not crash grading
            ok = False
        return self._record(ok, what, weight)

    def score(self) -> float:
        """Print a line per failed check and return the points earned (partial credit)."""
        total = sum(w for w, _, _ in self.results) or 1.0
        earned_weight = sum(w for w, ok, _ in self.results if ok)
        for _, ok, message in self.results:
            if not ok:
                print(f"✗ hidden check: {message}")
        passed_n = sum(1 for _, ok, _ in self.results if ok)
        print(f"hidden checks: {passed_n} of {len(self.results)} passed")
        return round(self.points * earned_weight / total, 2)
