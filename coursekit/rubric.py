"""Rubrics as data: one YAML file (criteria × levels with descriptors) rendered to Markdown.

    python -m coursekit.rubric exercises/ex3_arguments/memo_rubric.yaml docs/memo_rubric.md

Format: ``title``, optional ``task``, ``levels`` (the points of each level, e.g. [0, 1, 2]) and
``criteria`` (and optional ``notes``, paragraphs after the table): a list of ``{id, name, levels: {points: descriptor}}`` with a descriptor for every
level. A bad file raises :class:`RubricError` naming the file and the field.
"""
from __future__ import annotations

import sys
from pathlib import Path

import yaml


class RubricError(Exception):
    """The rubric file is malformed (the message names file and field)."""


def load_rubric(path: str | Path) -> dict:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RubricError(f"{path}: cannot read the rubric ({exc})") from None
    if not isinstance(data, dict):
        raise RubricError(f"{path}: a rubric is a mapping with title, levels and criteria")
    for field in ("title", "levels", "criteria"):
        if not data.get(field):
            raise RubricError(f"{path}: missing field '{field}'")
    levels = data["levels"]
    if not all(isinstance(x, int) for x in levels):
        raise RubricError(f"{path}, field 'levels': give whole points, e.g. [0, 1, 2]")
    seen = set()
    for index, crit in enumerate(data["criteria"], start=1):
        where = f"{path}, criterion {index}"
        if not isinstance(crit, dict) or not crit.get("id") or not crit.get("name"):
            raise RubricError(f"{where}: needs 'id' and 'name'")
        if crit["id"] in seen:
            raise RubricError(f"{where}: duplicate id '{crit['id']}'")
        seen.add(crit["id"])
        given = crit.get("levels") or {}
        missing = [x for x in levels if not str(given.get(x, "")).strip()]
        if missing or set(given) - set(levels):
            raise RubricError(f"{where} ('{crit['id']}'), field 'levels': give one descriptor "
                              f"for each of {levels} (missing: {missing or 'none'}; unknown: "
                              f"{sorted(set(given) - set(levels)) or 'none'})")
    return data


def max_points(rubric: dict) -> int:
    return max(rubric["levels"]) * len(rubric["criteria"])


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def table(rubric: dict) -> str:
    """The criteria × levels table (Markdown)."""
    levels = rubric["levels"]
    head = "| Criterion | " + " | ".join(
        f"{x} point{'s' if x != 1 else ''}" for x in levels) + " |"
    rule = "|---" * (len(levels) + 1) + "|"
    rows = [f"| **{_cell(c['name'])}** | " + " | ".join(_cell(c["levels"][x]) for x in levels)
            + " |" for c in rubric["criteria"]]
    return "\n".join([head, rule, *rows])


def to_markdown(rubric: dict, source: str = "") -> str:
    parts = [f"# {rubric['title']}", ""]
    if source:
        parts += [f"<!-- Rendered from {source} by `python -m coursekit.rubric`; edit that "
                  "file, not this one. -->", ""]
    if rubric.get("task"):
        parts += [_cell(rubric["task"]), ""]
    parts += [f"{len(rubric['criteria'])} criteria, each scored {', '.join(map(str, rubric['levels']))}"
              f" — {max_points(rubric)} points in all.", "", table(rubric), ""]
    for note in rubric.get("notes") or []:
        parts += [_cell(note), ""]
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m coursekit.rubric RUBRIC.yaml OUT.md", file=sys.stderr)
        return 2
    try:
        rubric = load_rubric(args[0])
    except RubricError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        return 1
    Path(args[1]).write_text(to_markdown(rubric, args[0]), encoding="utf-8")
    print(f"wrote {args[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
