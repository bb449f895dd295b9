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


def carried(compute: Callable[[], Any]) -> Any:
    """The value of a later step computed from the student's own earlier answer (error carried
    forward, so one mistake costs points once), or None when that answer cannot be used."""
    try:
        value = compute()
    except Exception:  # noqa: BLE001 — a student's odd object just means "no carried value"
        return None
    return value


# ---------------------------------------------------------------------- chart facts
# Plain data read from a matplotlib Axes, so chart checks are functions of lists and numbers
# (they can be re-run outside the kernel on exported facts).

def line_facts(ax: Any) -> list[dict]:
    """One dict per line on the axes: x and y as lists of floats (NaN kept), marker, linestyle."""
    facts = []
    for line in ax.get_lines():
        try:
            x = [float(v) for v in line.get_xdata()]
            y = [float(v) for v in line.get_ydata()]
        except (TypeError, ValueError):
            continue
        facts.append({"x": x, "y": y, "marker": str(line.get_marker()),
                      "linestyle": str(line.get_linestyle())})
    return facts


def data_lines(facts: list[dict]) -> list[dict]:
    """Lines that plot data over several x values (a vertical marker line is left out)."""
    return [f for f in facts
            if len({x for x in f["x"] if math.isfinite(x)}) > 1 and len(f["x"]) == len(f["y"])]


def plotted_points(facts: list[dict]) -> set[tuple[float, float]]:
    """Every finite (x, y) point drawn by the data lines."""
    return {(x, y) for f in data_lines(facts) for x, y in zip(f["x"], f["y"])
            if math.isfinite(x) and math.isfinite(y)}


def has_markers(facts: list[dict]) -> bool:
    return any(f["marker"] not in ("None", "", " ", "none") for f in data_lines(facts))


def bridged_gaps(facts: list[dict], missing: list[float]) -> list[float]:
    """Missing x values that a drawn line segment passes over (a line joining the points on
    either side of a gap). A NaN between two points breaks the line; markers only draw none."""
    bridged = set()
    for f in data_lines(facts):
        if f["linestyle"] in ("None", "", " ", "none"):
            continue
        for (x0, y0), (x1, y1) in zip(zip(f["x"], f["y"]), zip(f["x"][1:], f["y"][1:])):
            if not all(math.isfinite(v) for v in (x0, y0, x1, y1)):
                continue
            low, high = min(x0, x1), max(x0, x1)
            bridged.update(m for m in missing if low < m < high)
    return sorted(bridged)


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

    def close_any(self, name: str, candidates: list[Any], what: str, *, rel: float = 1e-6,
                  abs_tol: float = 1e-9, weight: float = 1.0) -> bool:
        """``name`` is close to one of the candidates: the reference from the data, or the value
        carried forward from the student's own earlier answer (see :func:`carried`). Candidates
        that are None (could not be computed) are skipped."""
        value = self._get(name, weight)
        if value is _MISSING:
            return False
        if not is_number(value):
            return self._record(False, f"`{name}` should be a number ({what})", weight)
        ok = any(is_number(c) and math.isclose(float(value), float(c), rel_tol=rel,
                                                abs_tol=abs_tol) for c in candidates)
        return self._record(ok, f"`{name}` is not the right value: {what}", weight)

    def equal_any(self, name: str, candidates: list[Any], what: str, *,
                  weight: float = 1.0) -> bool:
        """``name`` equals one of the candidates (None candidates are skipped)."""
        value = self._get(name, weight)
        if value is _MISSING:
            return False
        ok = False
        for candidate in candidates:
            if candidate is None:
                continue
            try:
                ok = ok or bool(value == candidate)
            except (TypeError, ValueError):
                pass
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
