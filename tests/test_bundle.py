"""coursekit bundle: the student bundle is complete and holds no solution, hidden test or key."""
from __future__ import annotations

import re

import nbformat
import pytest
import yaml

from grading_fixtures.tiny_course import REPO


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    from coursekit.bundle import build_bundle

    return build_bundle(REPO, tmp_path_factory.mktemp("bundle") / "student")


def all_text(folder):
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            try:
                yield path, path.read_text(encoding="utf-8")
            except UnicodeDecodeError:
                continue


def solution_snippets() -> list[str]:
    """Lines of code between the solution and hidden-test markers of every exercise."""
    snippets = []
    for nb_path in sorted((REPO / "exercises").glob("*/*.ipynb")):
        nb = nbformat.read(nb_path, as_version=4)
        for cell in nb.cells:
            for block in re.findall(r"### BEGIN (?:SOLUTION|HIDDEN TESTS)(.*?)### END",
                                    cell.source, re.DOTALL):
                snippets += [line.strip() for line in block.splitlines()
                             if len(line.strip()) > 30]
            meta = cell.metadata.get("nbgrader", {})
            if cell.cell_type == "markdown" and meta.get("solution"):
                snippets += [line.strip() for line in cell.source.splitlines()
                             if len(line.strip()) > 30]
    return snippets


def test_bundle_has_what_students_need(bundle):
    for name in ("README.md", "course.py", "requirements.txt", "pyproject.toml",
                 "data/datapackage.json", "coursekit/data.py"):
        assert (bundle / name).is_file(), name
    assert any((bundle / "notebooks").glob("*.ipynb"))
    assert any((bundle / "seeds").iterdir())
    for exercise in sorted((REPO / "exercises").glob("*/*.ipynb")):
        released = bundle / "exercises" / exercise.parent.name / exercise.name
        assert released.is_file(), released
    assert (bundle / "exercises" / "ex3_arguments" / "ex3_arguments.yaml").is_file()
    assert not (bundle / "nbgrader_config.py").exists()
    assert not (bundle / "tests").exists()
    assert "Safe Havens" in (bundle / "README.md").read_text()


def test_no_solution_or_hidden_test_survives(bundle):
    snippets = solution_snippets()
    assert len(snippets) > 20  # the check below has something to look for
    for path, text in all_text(bundle):
        assert "### BEGIN SOLUTION" not in text, path
        assert "### BEGIN HIDDEN TESTS" not in text, path
        for line in snippets:
            assert line not in text, (path, line)


def test_graded_quiz_bank_has_no_answer_key(bundle):
    bank = yaml.safe_load((bundle / "exercises" / "ex3_arguments" /
                           "ex3_arguments.yaml").read_text(encoding="utf-8"))
    assert bank["mode"] == "graded"
    for q in bank["questions"]:
        assert not {"answer", "model_answer", "explanation"} & set(q), q["id"]
        assert all(isinstance(item, str) for item in q.get("items", [])), q["id"]
    released = (bundle / "exercises" / "ex3_arguments" / "ex3_arguments.ipynb").read_text()
    assert "KEY = " not in released and "score_answers" not in released


def test_check_bundle_catches_leaks(tmp_path):
    from coursekit.bundle import BundleError, check_bundle

    (tmp_path / "a.yaml").write_text(yaml.safe_dump(
        {"title": "t", "mode": "graded",
         "questions": [{"id": "q1", "type": "truefalse", "prompt": "p", "answer": True}]}))
    with pytest.raises(BundleError, match="q1"):
        check_bundle(tmp_path)
    (tmp_path / "a.yaml").unlink()
    (tmp_path / "n.ipynb").write_text("x = 1\n### BEGIN HIDDEN TESTS\n")
    with pytest.raises(BundleError, match="HIDDEN"):
        check_bundle(tmp_path)


def test_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path):
    from coursekit.bundle import BundleError, build_bundle

    (tmp_path / "precious.txt").write_text("keep me")
    with pytest.raises(BundleError, match="not a bundle"):
        build_bundle(REPO, tmp_path)
    assert (tmp_path / "precious.txt").exists()
