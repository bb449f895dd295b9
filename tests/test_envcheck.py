"""The start notebook's environment check says in plain words what is missing."""
from __future__ import annotations

import importlib

from coursekit import envcheck


def test_everything_present_in_the_course_environment(capsys):
    assert envcheck.check_environment() is True
    out = capsys.readouterr().out
    assert "✗" not in out and "ready for the lessons" in out


def test_missing_package_is_named_with_a_fix(monkeypatch):
    real_import = importlib.import_module

    def fake_import(name, *args):
        if name == "ipywidgets":
            raise ImportError("No module named 'ipywidgets'")
        return real_import(name, *args)

    monkeypatch.setattr(envcheck.importlib, "import_module", fake_import)
    result = envcheck.check_package("ipywidgets", "ipywidgets", (8, 1), "quizzes")
    assert not result.ok
    assert "not installed" in result.line() and "course.py setup" in result.line()


def test_too_old_package_is_reported(monkeypatch):
    monkeypatch.setattr(envcheck.importlib.metadata, "version", lambda dist: "1.5.3")
    result = envcheck.check_package("pandas", "pandas", (2, 2), "tables")
    assert not result.ok and "1.5.3" in result.detail and "2.2" in result.detail


def test_course_folder_not_found(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSEKIT_ROOT", str(tmp_path))
    result = envcheck.check_course_folder()
    assert not result.ok and "datapackage.json" in result.detail


def test_read_only_folder(monkeypatch, tmp_path):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(envcheck.tempfile, "NamedTemporaryFile", refuse)
    result = envcheck.check_writable(str(tmp_path))
    assert not result.ok and "read-only" in result.detail and str(tmp_path) in result.detail


def test_writable_folder(tmp_path):
    assert envcheck.check_writable(str(tmp_path)).ok
    assert list(tmp_path.iterdir()) == []  # the probe file is removed again
