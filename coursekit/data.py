"""Load the course datasets, validated against ``data/datapackage.json``, with their citations.

>>> from coursekit import data
>>> data.datasets()                 # names of the data tables ("sources" is listed separately)
>>> attacks = data.load("attacks")  # a pandas DataFrame with the schema's dtypes
>>> print(data.cite(attacks[attacks.counter == "PIPS"]))  # the sources of just these rows

Every load checks the CSV against its schema (header, types, required values, enums, minimum and
maximum, patterns, unique values, and that every ``source_id`` exists in ``sources.csv``). Sources
are also checked as sources of record: each names its publisher, has a ``url`` (the publisher's own
page) or a ``read_in_url`` (the copy that was read), and every web domain in those two fields is
listed in ``publishers.csv`` as acceptable. A problem raises :class:`DataError`, naming the file,
the row as a spreadsheet shows it (the header is row 1, the first data row is row 2) and the field.

Validated frames are cached by file modification time, so loading the same table again in a notebook
is fast; each call returns a fresh copy that you may change freely.

This module is generic: it knows nothing about the course's topic, only about Data Packages.
"""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from . import paths

__all__ = ["DataError", "datasets", "load", "sources", "publishers", "cite", "cite_source", "schema",
           "domain_of", "domain_table", "listed"]

SOURCES = "sources"
PUBLISHERS = "publishers"
_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
_INT_RE = r"[+-]?\d+"
_NUM_RE = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
_DATE_RE = r"\d{4}-\d{2}-\d{2}"
_TRUE = ("true", "True", "TRUE", "1")
_FALSE = ("false", "False", "FALSE", "0")

_package_cache: dict[Path, tuple[tuple, dict]] = {}
_frame_cache: dict[tuple, pd.DataFrame] = {}


class DataError(ValueError):
    """A dataset could not be loaded: names the file, the spreadsheet row and the field.

    ``row`` follows the spreadsheet convention: row 1 is the header, the first data row is row 2.
    ``row`` and ``field`` are None when the problem is not in one cell (e.g. a missing file).
    """

    def __init__(self, message: str, file: str | None = None, row: int | None = None,
                 field: str | None = None):
        self.file, self.row, self.field = file, row, field
        where = ", ".join(p for p in (
            file,
            f"row {row}" if row is not None else None,
            f'field "{field}"' if field is not None else None,
        ) if p)
        super().__init__(f"{where}: {message}" if where else message)


# ------------------------------------------------------------------ package and files
def _dir(data_dir) -> Path:
    return Path(data_dir) if data_dir is not None else paths.data_dir()


def _show(folder: Path, name: str) -> str:
    """How a file is named in messages: 'data/attacks.csv' (folder name, then file name)."""
    return f"{folder.name}/{name}"


def _stamp(path: Path) -> tuple:
    st = path.stat()
    return (st.st_mtime_ns, st.st_size)


def _package(folder: Path) -> dict:
    path = folder / "datapackage.json"
    if not path.exists():
        raise DataError("the data package description is missing.", file=_show(folder, path.name))
    stamp = _stamp(path)
    cached = _package_cache.get(path)
    if cached and cached[0] == stamp:
        return cached[1]
    try:
        pkg = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(f"is not valid JSON ({exc.msg} at line {exc.lineno}).",
                        file=_show(folder, path.name)) from None
    _package_cache[path] = (stamp, pkg)
    return pkg


def _resource(pkg: dict, name: str, folder: Path) -> dict:
    for res in pkg.get("resources", []):
        if res.get("name") == name:
            return res
    known = ", ".join(sorted(r.get("name", "?") for r in pkg.get("resources", [])))
    raise DataError(f'there is no dataset called "{name}". Known datasets: {known}.',
                    file=_show(folder, "datapackage.json"))


def datasets(data_dir=None) -> list[str]:
    """Names of the data tables in the package, in package order (``sources`` and ``publishers``
    are not included: use :func:`sources` and :func:`publishers` for them)."""
    folder = _dir(data_dir)
    return [r["name"] for r in _package(folder).get("resources", [])
            if r["name"] not in (SOURCES, PUBLISHERS)]


def schema(name: str, data_dir=None) -> pd.DataFrame:
    """The fields of a dataset: name, type and description (units are in the descriptions)."""
    folder = _dir(data_dir)
    res = _resource(_package(folder), name, folder)
    return pd.DataFrame(
        [{"field": f["name"], "type": f.get("type", "string"),
          "description": f.get("description", "")} for f in res["schema"]["fields"]]
    ).astype("string")


# ------------------------------------------------------------------ validation
def _fail(folder, res, col: pd.Series, bad: pd.Series, field: str, why: str):
    """Raise for the first True in ``bad`` (a boolean Series aligned with the data rows)."""
    pos = int(bad.to_numpy().argmax())
    value = col.iloc[pos]
    shown = f'"{value}"' if value != "" else "an empty value"
    raise DataError(f"{shown} {why}", file=_show(folder, res["path"]), row=pos + 2, field=field)


def _check_header(folder, res, header: list[str]):
    expected = [f["name"] for f in res["schema"]["fields"]]
    if header == expected:
        return
    file = _show(folder, res["path"])
    order = f"(expected columns, in order: {', '.join(expected)})."
    for name in expected:
        if name not in header:
            raise DataError(f'column "{name}" is missing from the header {order}',
                            file=file, row=1, field=name)
    for name in header:
        if name not in expected:
            raise DataError(f'column "{name}" is not in the schema {order}',
                            file=file, row=1, field=name)
    for got, want in zip(header, expected):
        if got != want:
            raise DataError(f'the header has "{got}" where "{want}" should be {order}',
                            file=file, row=1, field=got)
    raise DataError("the header has a repeated column.", file=file, row=1)


def _check_field(folder, res, spec: dict, col: pd.Series) -> pd.Series:
    """Validate one column of raw strings; return it converted to the schema's dtype."""
    name, ftype = spec["name"], spec.get("type", "string")
    cons = spec.get("constraints", {})
    missing = res["schema"].get("missingValues", [""])
    empty = col.isin(missing)
    present = ~empty
    if cons.get("required") and empty.any():
        _fail(folder, res, col, empty, name, "is missing: a value is required.")
    if ftype == "integer":
        bad = present & ~col.str.fullmatch(_INT_RE)
        if bad.any():
            _fail(folder, res, col, bad, name, "is not a whole number.")
        out = pd.to_numeric(col.where(present, None)).astype("Int64")
    elif ftype == "number":
        bad = present & ~col.str.fullmatch(_NUM_RE)
        if bad.any():
            _fail(folder, res, col, bad, name, "is not a number.")
        out = pd.to_numeric(col.where(present, None)).astype("Float64")
    elif ftype == "date":
        parsed = pd.to_datetime(col.where(present, None), format="%Y-%m-%d", errors="coerce")
        bad = present & (~col.str.fullmatch(_DATE_RE) | parsed.isna())
        if bad.any():
            _fail(folder, res, col, bad, name, "is not a date written as YYYY-MM-DD.")
        out = parsed.astype("datetime64[ns]")
    elif ftype == "boolean":
        t = spec.get("trueValues", list(_TRUE))
        f = spec.get("falseValues", list(_FALSE))
        bad = present & ~col.isin(t + f)
        if bad.any():
            _fail(folder, res, col, bad, name, f"is not true or false (use {t[0]} or {f[0]}).")
        out = pd.Series(pd.array([True if v in t else False if v in f else None for v in col],
                                 dtype="boolean"), index=col.index)
    else:
        out = col.where(present, None).astype("string")
    if "enum" in cons:
        allowed = [str(v) for v in cons["enum"]]
        bad = present & ~col.isin(allowed)
        if bad.any():
            _fail(folder, res, col, bad, name,
                  f"is not one of the allowed values: {', '.join(allowed)}.")
    if "pattern" in cons:
        bad = present & ~col.str.fullmatch(cons["pattern"])
        if bad.any():
            _fail(folder, res, col, bad, name,
                  f"does not have the expected form ({cons['pattern']}).")
    for key, op, word in (("minimum", "lt", "less than"), ("maximum", "gt", "greater than")):
        if key in cons and ftype in ("integer", "number"):
            bad = getattr(out, op)(cons[key]).fillna(False).astype(bool)
            if bad.any():
                hint = " Counts cannot be negative." if key == "minimum" and cons[key] == 0 else ""
                _fail(folder, res, col, bad, name,
                      f"is {word} the allowed {key} {cons[key]}.{hint}")
    if cons.get("unique"):
        bad = present & col.duplicated(keep="first")
        if bad.any():
            _fail(folder, res, col, bad, name, "appears more than once, but must be unique.")
    return out


def _read_raw(folder: Path, res: dict) -> pd.DataFrame:
    path = folder / res["path"]
    file = _show(folder, res["path"])
    if not path.exists():
        raise DataError("the file is missing.", file=file)
    try:
        with open(path, encoding="utf-8-sig", newline="") as fh:
            header = next(csv.reader(fh), [])
        _check_header(folder, res, header)
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                          skip_blank_lines=False, encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataError("is not UTF-8 text (save it as CSV UTF-8).", file=file) from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise DataError(f"this row has {m.group(3)} cells but the header has {m.group(1)} "
                            "(a stray comma? put text with commas in double quotes).",
                            file=file, row=int(m.group(2))) from None
        m = re.search(r"line (\d+)", str(exc))
        raise DataError(f"could not be read as CSV ({exc}).".replace("\n", " "), file=file,
                        row=int(m.group(1)) if m else None) from None
    short = raw.isna().any(axis=1)
    if short.any():
        pos = int(short.to_numpy().argmax())
        raise DataError(f"this row has fewer cells than the header ({len(header)}).",
                        file=file, row=pos + 2)
    return raw


def _validate(folder: Path, pkg: dict, res: dict) -> pd.DataFrame:
    raw = _read_raw(folder, res)
    out = {}
    for spec in res["schema"]["fields"]:
        out[spec["name"]] = _check_field(folder, res, spec, raw[spec["name"]])
    df = pd.DataFrame(out, index=raw.index)
    for pk in [res["schema"].get("primaryKey")] if res["schema"].get("primaryKey") else []:
        pk = [pk] if isinstance(pk, str) else pk
        dup = raw.duplicated(subset=pk, keep="first")
        if dup.any():
            _fail(folder, res, raw[pk[0]], dup, pk[0],
                  "repeats a primary key; each row needs its own.")
    for fk in res["schema"].get("foreignKeys", []):
        fields = fk["fields"] if isinstance(fk["fields"], list) else [fk["fields"]]
        ref = fk["reference"]
        target = ref.get("resource") or res["name"]
        ref_fields = ref["fields"] if isinstance(ref["fields"], list) else [ref["fields"]]
        known = set(load(target, data_dir=folder)[ref_fields[0]].dropna())
        col = raw[fields[0]]
        bad = (col != "") & ~col.isin(known)
        if bad.any():
            where = _show(folder, _resource(pkg, target, folder)["path"])
            _fail(folder, res, col, bad, fields[0], f"is not a {ref_fields[0]} in {where}.")
    if res["name"] == SOURCES:
        _check_sources_of_record(folder, pkg, res, raw)
    return df


def domain_of(url: str) -> str:
    """The host of a URL, lower case, without a leading 'www.' ('' if there is none)."""
    host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    return host.removeprefix("www.")


def domain_table(data_dir=None) -> dict[str, dict]:
    """publishers.csv as {domain (or domain/folder): row}, for :func:`listed`."""
    return {d: row for d, row in publishers(data_dir=data_dir).set_index("domain")
            .fillna("").to_dict("index").items()}


def listed(url: str, table: dict[str, dict]) -> dict | None:
    """The publishers.csv row that covers ``url``: the longest listed entry that is its host or a
    parent of it (news.rediff.com is covered by rediff.com unless it has its own row). An entry
    may also name a folder of a site ("github.com/populationstatistics": UNHCR's own repositories
    on a shared host), which wins over the bare host. None if nothing covers it."""
    domain = domain_of(url)
    segments = [p for p in urlsplit(url.strip()).path.lower().split("/") if p]
    keys = ["/".join([domain, *segments[:n]]) for n in range(len(segments), 0, -1)]
    parts = domain.split(".")
    keys += [".".join(parts[i:]) for i in range(len(parts) - 1)]
    return next((table[k] for k in keys if k in table), None)


def _check_sources_of_record(folder: Path, pkg: dict, res: dict, raw: pd.DataFrame):
    """Each source names a publisher, has url or read_in_url, and cites only acceptable domains."""
    file = _show(folder, res["path"])
    table = domain_table(data_dir=folder)
    where = _show(folder, _resource(pkg, PUBLISHERS, folder)["path"])
    for pos, row in enumerate(raw.to_dict("records")):
        if not row.get("publisher", "").strip():
            raise DataError("is missing: name the publisher of record (the organisation that "
                            "produced the figure).", file=file, row=pos + 2, field="publisher")
        if not row.get("url", "").strip() and not row.get("read_in_url", "").strip():
            raise DataError("and read_in_url are both empty: give the publisher's own page (url) "
                            "or the copy that was read (read_in_url).",
                            file=file, row=pos + 2, field="url")
        if row.get("read_in_url", "").strip() and not row.get("read_in", "").strip():
            raise DataError("is missing: name the outlet of the copy in read_in_url "
                            "(e.g. Dawn).", file=file, row=pos + 2, field="read_in")
        for field in ("url", "read_in_url"):
            url = row.get(field, "").strip()
            if not url:
                continue
            domain = domain_of(url)
            if not re.fullmatch(r"https?", urlsplit(url).scheme or "") or not domain:
                raise DataError(f'"{url}" is not a web address (http:// or https://).',
                                file=file, row=pos + 2, field=field)
            entry = listed(url, table)
            if entry is None:
                raise DataError(f'"{url}": the domain {domain} is not listed in {where} '
                                "(add it there, with acceptable yes or no).",
                                file=file, row=pos + 2, field=field)
            if entry["acceptable"] != "yes":
                raise DataError(f'"{url}": the domain {domain} is not an acceptable place to read '
                                f"a figure ({entry['publisher_kind']}; see {where}). Cite the "
                                "publisher's own page or a reputable copy.",
                                file=file, row=pos + 2, field=field)


# ------------------------------------------------------------------ public API
def load(name: str, data_dir=None) -> pd.DataFrame:
    """Load dataset ``name`` as a DataFrame, validated against its schema.

    dtypes: integer -> Int64, number -> Float64, date -> datetime64[ns], boolean -> boolean,
    text -> string (empty cells are <NA>). ``df.attrs`` holds ``dataset`` (the name) and
    ``source_ids`` (the sources used by its rows). Raises :class:`DataError` if anything is wrong.
    """
    folder = _dir(data_dir).resolve()
    pkg = _package(folder)
    res = _resource(pkg, name, folder)
    path = folder / res["path"]
    if not path.exists():
        raise DataError("the file is missing.", file=_show(folder, res["path"]))
    deps = [folder / "datapackage.json", path]
    if res["schema"].get("foreignKeys"):
        deps += [folder / _resource(pkg, fk["reference"]["resource"], folder)["path"]
                 for fk in res["schema"]["foreignKeys"] if fk["reference"].get("resource")]
    if name == SOURCES:
        deps.append(folder / _resource(pkg, PUBLISHERS, folder)["path"])
    key = (str(path), tuple(_stamp(p) if p.exists() else None for p in deps))
    cached = _frame_cache.get(key)
    if cached is None:
        cached = _validate(folder, pkg, res)
        cached.attrs["dataset"] = name
        if "source_id" in cached:
            cached.attrs["source_ids"] = list(dict.fromkeys(cached["source_id"].dropna()))
        else:
            cached.attrs["source_ids"] = []
        for old in [k for k in _frame_cache if k[0] == str(path)]:
            del _frame_cache[old]
        _frame_cache[key] = cached
    df = cached.copy(deep=True)
    df.attrs = {"dataset": cached.attrs["dataset"], "source_ids": list(cached.attrs["source_ids"])}
    return df


def sources(data_dir=None) -> pd.DataFrame:
    """The table of sources (``sources.csv``): one row per source, with its publisher of record,
    the publisher's own URL and the copy it was read in."""
    return load(SOURCES, data_dir=data_dir)


def publishers(data_dir=None) -> pd.DataFrame:
    """The table of web domains (``publishers.csv``): who runs each and whether it is acceptable."""
    return load(PUBLISHERS, data_dir=data_dir)


def _when(published: str) -> str:
    """'2015-01' -> 'Jan 2015', '2021-06-20' -> '20 Jun 2021', '2014' -> '2014'."""
    m = re.fullmatch(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?", published)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        return published
    year, month, day = m.groups()
    if not month:
        return year
    text = f"{_MONTHS[int(month) - 1]} {year}"
    return f"{int(day)} {text}" if day else text


def cite_source(row) -> str:
    """One citation: publisher of record first, then its link, then the copy that was read.

    "PIPS, Pakistan Security Report 2014 (Jan 2015). https://pakpips.com/... — read in: Dawn,
    https://www.dawn.com/news/..." (with no publisher's link: "PIPS, ... (Jan 2015), read in: ...")
    """
    def get(key: str) -> str:
        value = row.get(key) if key in row else None
        return "" if value is None or pd.isna(value) else str(value).strip()

    publisher, title, published = get("publisher"), get("title"), get("published")
    title = title.removesuffix(f" ({publisher})")  # "… (Dawn)" after "Dawn, …" says it twice
    head = title if not publisher or title.startswith(publisher) else f"{publisher}, {title}"
    when = _when(published)
    if when and when not in head:
        head += f" ({when})"
    read = ""
    if get("read_in_url"):
        read = f"read in: {get('read_in') or domain_of(get('read_in_url'))}, {get('read_in_url')}"
    if get("url"):
        return f"{head.rstrip('.')}. {get('url')}" + (f" — {read}" if read else "")
    return f"{head.rstrip('.')}, {read}" if read else f"{head.rstrip('.')}."


def cite(name_or_df, data_dir=None) -> str:
    """Citations, one line per source, for a dataset name or for the rows of a DataFrame (its
    ``source_id`` column if present, else ``df.attrs["source_ids"]``).

    Each line names the publisher of record first, then the publisher's own link, then - only
    when the figure was read in a copy - "read in: <outlet>, <URL>":
    "PIPS, Pakistan Security Report 2014 (Jan 2015). https://... — read in: Dawn, https://..."
    """
    if isinstance(name_or_df, str):
        ids = load(name_or_df, data_dir=data_dir).attrs["source_ids"]
    elif isinstance(name_or_df, (pd.DataFrame, pd.Series)):
        obj = name_or_df
        if isinstance(obj, pd.DataFrame) and "source_id" in obj.columns:
            ids = list(dict.fromkeys(obj["source_id"].dropna()))
        elif isinstance(obj, pd.Series) and obj.name == "source_id":
            ids = list(dict.fromkeys(obj.dropna()))
        elif obj.attrs.get("source_ids") is not None:
            ids = list(obj.attrs["source_ids"])
        else:
            raise ValueError("cite() needs a dataset name, or a DataFrame with a source_id column "
                             "(or loaded with coursekit.data.load).")
    else:
        kind = type(name_or_df).__name__
        raise TypeError(f"cite() takes a dataset name or a DataFrame, not {kind}.")
    table = sources(data_dir=data_dir).set_index("source_id")
    lines = []
    for sid in ids:
        if sid not in table.index:
            raise ValueError(f'source_id "{sid}" is not in sources.csv.')
        lines.append(cite_source(table.loc[sid]))
    return "\n".join(lines)
