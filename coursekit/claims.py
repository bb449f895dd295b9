"""The claims register: one verdict per claim, read from ``data/claims.csv``.

Lessons, quizzes and the instructor guide never type a verdict; they read it here:

>>> from coursekit.claims import verdict
>>> verdict("seed-taliban-2022")            # doctest: +SKIP
'wrong date or name'

``table(...)`` builds the fact-check table that lessons show and the instructor guide prints;
``python -m coursekit.claims docs/instructor_guide.md`` rewrites the guide's table in place
(between the ``<!-- claims-table:start -->`` and ``<!-- claims-table:end -->`` markers).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from coursekit.data import load

#: The fixed verdict scale, in the order tables show it (same as the enum in datapackage.json).
VERDICTS = ("supported", "partly supported", "not supported", "wrong date or name",
            "not checkable with these data", "contested")

START, END = "<!-- claims-table:start -->", "<!-- claims-table:end -->"


def register(data_dir=None) -> pd.DataFrame:
    """The validated claims register, indexed by ``claim_id``."""
    return load("claims", data_dir=data_dir).set_index("claim_id")


def verdict(claim_id: str, data_dir=None) -> str:
    """The register's verdict on one claim; a clear KeyError for an unknown id."""
    reg = register(data_dir)
    if claim_id not in reg.index:
        raise KeyError(f'"{claim_id}" is not a claim_id in data/claims.csv '
                       f'(known: {", ".join(reg.index[:5])}, ...)')
    return str(reg.at[claim_id, "verdict"])


def table(ids=None, data_dir=None, columns=("quote", "kind", "verdict", "reasoning")) -> pd.DataFrame:
    """The register rows for ``ids`` (all rows if None), in the order given, with ``columns``."""
    reg = register(data_dir)
    if ids is not None:
        missing = [i for i in ids if i not in reg.index]
        if missing:
            raise KeyError(f"not in data/claims.csv: {', '.join(missing)}")
        reg = reg.loc[list(ids)]
    return reg[list(columns)]


def _cell(text) -> str:
    return "" if pd.isna(text) else str(text).replace("|", "\\|").replace("\n", " ")


def markdown(data_dir=None) -> str:
    """The whole register as a Markdown table: claim, who, kind, verdict, why."""
    reg = register(data_dir).reset_index()
    lines = ["| claim_id | the claim (exact words) | who | kind | verdict | why |",
             "|---|---|---|---|---|---|"]
    for r in reg.itertuples(index=False):
        lines.append(f"| `{r.claim_id}` | \u201c{_cell(r.quote)}\u201d | {_cell(r.speaker)} | {r.kind} "
                     f"| **{r.verdict}** | {_cell(r.reasoning)} |")
    return "\n".join(lines)


def update_file(path, data_dir=None) -> bool:
    """Rewrite the table between the markers in ``path``; True if the file changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{path}: markers {START} and {END} not found")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    new = f"{head}{START}\n{markdown(data_dir)}\n{END}{tail}"
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def table_in_file(path) -> str:
    """The text between the markers in ``path`` (stripped)."""
    text = Path(path).read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise ValueError(f"{path}: markers {START} and {END} not found")
    return text.split(START, 1)[1].split(END, 1)[0].strip()


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    for arg in sys.argv[1:]:
        print(f"{arg}: {'updated' if update_file(arg) else 'already up to date'}")
