"""One memo rubric: the data file, docs/memo_rubric.md and the ex3 prompt say the same thing."""
from __future__ import annotations

import json

import pytest

from coursekit.rubric import RubricError, load_rubric, max_points, table, to_markdown

from grading_fixtures.tiny_course import REPO

RUBRIC = REPO / "exercises" / "ex3_arguments" / "memo_rubric.yaml"
SOURCE = "exercises/ex3_arguments/memo_rubric.yaml"


def test_docs_page_is_rendered_from_the_data_file():
    rendered = to_markdown(load_rubric(RUBRIC), SOURCE)
    assert (REPO / "docs" / "memo_rubric.md").read_text(encoding="utf-8") == rendered, (
        "docs/memo_rubric.md is stale: run python -m coursekit.rubric "
        f"{SOURCE} docs/memo_rubric.md")


def test_ex3_prompt_shows_the_same_table_and_points():
    rubric = load_rubric(RUBRIC)
    nb = json.loads((REPO / "exercises" / "ex3_arguments" / "ex3_arguments.ipynb").read_text())
    cells = {c["metadata"]["nbgrader"]["grade_id"]: c for c in nb["cells"]}
    prompt = "".join(cells["q2_prompt"]["source"])
    assert table(rubric) in prompt
    assert cells["q2_answer"]["metadata"]["nbgrader"]["points"] == max_points(rubric)


def test_guide_and_samples_link_the_rubric():
    guide = (REPO / "docs" / "instructor_guide.md").read_text()
    samples = (REPO / "docs" / "memo_samples.md").read_text()
    assert "memo_rubric.md" in guide and "memo_samples.md" in guide
    rubric = load_rubric(RUBRIC)
    for crit in rubric["criteria"]:  # each sample is scored on every criterion, by name
        assert samples.count(crit["name"].split()[0]) >= 2, crit["name"]


@pytest.mark.parametrize("text, message", [
    ("title: T\nlevels: [0, 1, 2]\n", "missing field 'criteria'"),
    ("title: T\nlevels: [0, 1, 2]\ncriteria:\n- id: a\n  name: A\n  levels: {0: x, 1: y}\n",
     "criterion 1 ('a'), field 'levels'"),
    ("title: T\nlevels: [0, 1]\ncriteria:\n- {id: a, name: A, levels: {0: x, 1: y}}\n"
     "- {id: a, name: B, levels: {0: x, 1: y}}\n", "criterion 2: duplicate id 'a'"),
])
def test_bad_rubric_names_file_and_field(tmp_path, text, message):
    path = tmp_path / "rubric.yaml"
    path.write_text(text)
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(path) in str(err.value) and message in str(err.value)
