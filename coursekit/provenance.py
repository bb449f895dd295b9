"""Where each data row's figure can be read, per table: the course's measure of sourcing.

Every row of a data table points (``source_id``) at a source in ``sources.csv``. This module sorts
the rows by where their figure can be read:

- ``own``: on the publisher's own page or dataset — the source has no ``read_in_url`` (its ``url``
  is the publisher's own page), or the copy it was read in is on a site ``publishers.csv`` lists
  for that same publisher (e.g. UNHCR's own repositories on GitHub);
- ``news``: in a wire service or a newspaper or broadcaster of record;
- ``other``: in another acceptable copy (an archive of official documents, a journal's reprint, a
  dataset host that is not the publisher).

Rows at ``confidence`` low are counted separately as well (a low row still has a class).

    python -m coursekit.provenance            # the table, as Markdown
    python -m coursekit.provenance --write    # also rewrite its block in data/README.md
    coursekit sources                         # the same, from the instructor command

data/README.md carries the table between ``<!-- where-read:start -->`` and
``<!-- where-read:end -->``; a test keeps that block equal to what this module computes.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from . import data, paths

OWN, NEWS, OTHER = "own", "news", "other"
NEWS_KINDS = ("wire service", "newspaper or broadcaster")
START, END = "<!-- where-read:start -->", "<!-- where-read:end -->"


def where_read(source: dict, table: dict[str, dict]) -> str:
    """OWN, NEWS or OTHER for one source (a sources.csv row as a dict; ``table``: publishers.csv
    rows by domain)."""
    copy = str(source.get("read_in_url") or "").strip()
    if not copy:
        return OWN
    listed = data.listed(copy, table) or {}
    if listed.get("publisher", "").strip() == str(source.get("publisher") or "").strip():
        return OWN
    return NEWS if listed.get("publisher_kind") in NEWS_KINDS else OTHER


def summary(data_dir=None) -> pd.DataFrame:
    """One line per data table and a final "all" line: rows, own, news, other, low, and share
    (own + news as a fraction of rows)."""
    sources = data.sources(data_dir=data_dir).astype(object).where(lambda d: d.notna(), "")
    table = data.domain_table(data_dir=data_dir)
    kind = {s["source_id"]: where_read(s, table) for s in sources.to_dict("records")}
    lines = []
    for name in data.datasets(data_dir=data_dir):
        df = data.load(name, data_dir=data_dir)
        if "source_id" not in df:
            continue
        classes = df["source_id"].map(kind)
        low = int((df["confidence"] == "low").sum()) if "confidence" in df else 0
        lines.append({"table": name, "rows": len(df), OWN: int((classes == OWN).sum()),
                      NEWS: int((classes == NEWS).sum()), OTHER: int((classes == OTHER).sum()),
                      "low": low})
    out = pd.DataFrame(lines)
    total = out.drop(columns="table").sum().to_dict()
    out = pd.concat([out, pd.DataFrame([{"table": "all", **total}])], ignore_index=True)
    out["share"] = (out[OWN] + out[NEWS]) / out["rows"]
    return out


def markdown(frame: pd.DataFrame) -> str:
    """The summary as the Markdown table data/README.md shows."""
    lines = ["| table | rows | publisher's own page or dataset | wire or newspaper of record "
             "| other acceptable copy | of which low | own + wire/newspaper |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for r in frame.to_dict("records"):
        name = f"**{r['table']}**" if r["table"] == "all" else f"`{r['table']}`"
        lines.append(f"| {name} | {r['rows']} | {r[OWN]} | {r[NEWS]} | {r[OTHER]} | {r['low']} "
                     f"| {r['share']:.1%} |")
    return "\n".join(lines)


def readme_block(readme: Path) -> str:
    """The text between the where-read markers of data/README.md."""
    text = readme.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{readme}: the markers {START} and {END} are missing.")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


def write_readme(readme: Path, table_md: str) -> None:
    text = readme.read_text(encoding="utf-8")
    head, rest = text.split(START, 1)
    tail = rest.split(END, 1)[1]
    readme.write_text(f"{head}{START}\n{table_md}\n{END}{tail}", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m coursekit.provenance",
                                     description="where each data row's figure can be read")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--write", action="store_true",
                        help="rewrite the table in data/README.md as well")
    args = parser.parse_args(argv)
    folder = Path(args.data_dir) if args.data_dir else paths.project_root() / "data"
    table_md = markdown(summary(data_dir=folder))
    print(table_md)
    if args.write:
        write_readme(folder / "README.md", table_md)
        print(f"written to {folder / 'README.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
