"""Readable citations for a question's ``source_ids``, from data/sources.csv.

Never raises for a student: a missing file or an unknown id is shown as the raw id.
"""
from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path


def sources_file() -> Path | None:
    try:
        from coursekit.paths import data_dir

        return data_dir() / "sources.csv"
    except (FileNotFoundError, OSError):
        return None


@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> dict[str, dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return {row["source_id"]: row for row in csv.DictReader(handle) if row.get("source_id")}


def sources_table() -> dict[str, dict[str, str]]:
    path = sources_file()
    if path is None or not path.exists():
        return {}
    try:
        return _read(str(path), path.stat().st_mtime)
    except (OSError, KeyError, csv.Error, UnicodeDecodeError):
        return {}


def known_source_ids() -> set[str]:
    return set(sources_table())


def citation(source_id: str) -> tuple[str, str]:
    """Return (text, url) for a source id; (raw id, "") when it is unknown.

    The publisher of record comes first; when the figure was read in a copy, the text ends with
    the publisher's own link (if any) and "read in: <outlet>," and the url is the copy's, so that
    text + " " + url reads "Publisher, “Title” (date). <link> — read in: Dawn, <copy>".
    """
    row = sources_table().get(source_id)
    if not row:
        return source_id, ""
    get = lambda key: (row.get(key) or "").strip()  # noqa: E731
    publisher = get("publisher") or get("organisation")
    parts = [publisher, f"“{get('title')}”" if get("title") else ""]
    text = ", ".join(p for p in parts if p) or source_id
    if get("published"):
        text += f" ({get('published')})"
    if not get("read_in_url"):
        return text, get("url")
    read = f"read in: {get('read_in') or 'a copy'},"
    return (f"{text}. {get('url')} — {read}" if get("url") else f"{text}, {read}"), get("read_in_url")
