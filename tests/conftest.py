"""Shared test fixtures and helpers."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def repo() -> Path:
    """The course repository root."""
    return REPO


@pytest.fixture(autouse=True)
def _course_root(monkeypatch):
    """Tests never depend on the working directory: coursekit finds the course through this."""
    monkeypatch.setenv("COURSEKIT_ROOT", str(REPO))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Record each phase's report on the test item (the browser test screenshots failures)."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)
