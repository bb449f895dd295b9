"""Plain data between a student's kernel and the judge: JSON only, nothing that can run code.

``encode`` runs in the student's kernel (it must stay light: numpy, pandas and matplotlib are only
looked at when the notebook already imported them). ``decode`` runs in the judge and rebuilds
ordinary Python, numpy, pandas and matplotlib objects from the JSON. Types are checked *exactly*
(``type(x) is float``, not ``isinstance``): a subclass can override ``==`` (an "always-equal"
object), so it is refused, not exported. Whatever the kernel writes, the judge accepts only the
shapes below; anything else is "not plain data" and the name stays undefined for the checks.

Shapes: JSON scalars and lists, ``{"__ck__": KIND, ...}`` for everything else:
``float`` (nan/inf), ``tuple``, ``dict`` (non-string keys), ``set``, ``np`` (numpy scalar),
``ndarray``, ``Series``, ``DataFrame``, ``Index``, ``Timestamp``, ``Axes``, ``Figure``.
"""
from __future__ import annotations

import math
import sys

MAX_ITEMS = 1_000_000  # values per exported name (a DataFrame's cells count)
NUMERIC_KINDS = "biuf"  # numpy dtype kinds exported as numbers: bool, int, uint, float


class NotPlain(Exception):
    """The value cannot be sent as plain data (a function, a custom class, a subclass...)."""


# --- encoding (in the kernel) ------------------------------------------------------------------

def _float(value: float):
    if math.isfinite(value):
        return value
    return {"__ck__": "float", "v": repr(value)}


def _np_scalar(value, np):
    dtype = value.dtype
    if dtype.kind not in NUMERIC_KINDS:
        raise NotPlain(f"numpy {dtype} scalar")
    item = value.item()
    return {"__ck__": "np", "dtype": dtype.str, "v": _float(item) if dtype.kind == "f" else item}


def _array_values(values, budget: list[int]) -> list:
    budget[0] -= len(values)
    if budget[0] < 0:
        raise NotPlain("too large")
    return [encode(v, budget) for v in values]


def _pandas_values(series, budget):
    import pandas as pd

    dtype = series.dtype
    values = series.tolist()
    if str(dtype).startswith("datetime64"):
        values = [None if pd.isna(v) else v.isoformat() for v in values]
    return {"dtype": str(dtype), "values": _array_values(values, budget)}


def _index(index, budget):
    import pandas as pd

    if type(index) is pd.RangeIndex:
        return {"__ck__": "Index", "range": [index.start, index.stop, index.step],
                "name": encode(index.name, budget)}
    if type(index) not in (pd.Index,) and type(index).__name__ not in ("DatetimeIndex",):
        raise NotPlain(f"{type(index).__name__}")
    return {"__ck__": "Index", "name": encode(index.name, budget), **_pandas_values(
        index.to_series(), budget)}


def _axes(ax, budget):
    def text(t):
        x, y = t.get_position()
        return {"text": str(t.get_text()), "x": encode(_plain_number(x), budget),
                "y": encode(_plain_number(y), budget)}

    lines = []
    for line in ax.get_lines():
        lines.append({
            "x": encode(_plain_list(line.get_xdata()), budget),
            "y": encode(_plain_list(line.get_ydata()), budget),
            "marker": str(line.get_marker()), "linestyle": str(line.get_linestyle()),
            "label": str(line.get_label()), "color": _color(line.get_color()),
            "linewidth": float(line.get_linewidth()),
        })
    patches = []
    for patch in ax.patches:
        if type(patch).__name__ == "Rectangle":
            patches.append({"x": float(patch.get_x()), "y": float(patch.get_y()),
                            "width": float(patch.get_width()),
                            "height": float(patch.get_height())})
    legend = ax.get_legend()
    return {
        "__ck__": "Axes", "title": str(ax.get_title()), "xlabel": str(ax.get_xlabel()),
        "ylabel": str(ax.get_ylabel()), "xlim": [float(v) for v in ax.get_xlim()],
        "ylim": [float(v) for v in ax.get_ylim()], "lines": lines, "patches": patches,
        "texts": [text(t) for t in ax.texts],
        "legend": [str(t.get_text()) for t in legend.get_texts()] if legend else None,
        "xscale": str(ax.get_xscale()), "yscale": str(ax.get_yscale()),
    }


def _color(color):
    if isinstance(color, str):
        return str(color)
    try:
        return [float(c) for c in color]
    except TypeError:
        return None


def _plain_number(value):
    try:
        return float(value)
    except (TypeError, ValueError):
        return str(value)


def _plain_list(values):
    np = sys.modules.get("numpy")
    if np is not None:
        array = np.asarray(values)
        if array.dtype.kind in NUMERIC_KINDS:
            return [float(v) for v in array.astype("float64").ravel()]
        if array.dtype.kind == "M":
            return [str(v) for v in array.ravel()]
    return [_plain_number(v) for v in values]


def encode(value, budget: list[int] | None = None):
    """JSON-ready plain data for ``value``; raises NotPlain for anything else."""
    budget = budget if budget is not None else [MAX_ITEMS]
    kind = type(value)
    if value is None or kind in (bool, int, str):
        return value
    if kind is float:
        return _float(value)
    if kind is list:
        return _array_values(value, budget)
    if kind in (tuple, set, frozenset):
        items = sorted(value, key=repr) if kind is not tuple else value
        return {"__ck__": "tuple" if kind is tuple else "set", "items": _array_values(
            list(items), budget)}
    if kind is dict:
        if all(type(k) is str for k in value):
            budget[0] -= len(value)
            return {k: encode(v, budget) for k, v in value.items()}
        return {"__ck__": "dict", "items": [[encode(k, budget), encode(v, budget)]
                                            for k, v in value.items()]}
    np = sys.modules.get("numpy")
    if np is not None:
        if isinstance(value, np.generic) and kind.__module__ == "numpy":
            return _np_scalar(value, np)
        if kind is np.ndarray:
            if value.dtype.kind not in NUMERIC_KINDS + "U":
                raise NotPlain(f"numpy array of {value.dtype}")
            return {"__ck__": "ndarray", "dtype": value.dtype.str, "shape": list(value.shape),
                    "values": _array_values(value.ravel().tolist(), budget)}
    pd = sys.modules.get("pandas")
    if pd is not None:
        if kind is pd.DataFrame:
            if type(value.columns) not in (pd.Index, pd.RangeIndex):
                raise NotPlain("DataFrame with multi-level columns")
            return {"__ck__": "DataFrame", "index": _index(value.index, budget),
                    "columns": [encode(c, budget) for c in value.columns],
                    "data": [_pandas_values(value.iloc[:, i], budget)
                             for i in range(value.shape[1])]}
        if kind is pd.Series:
            return {"__ck__": "Series", "name": encode(value.name, budget),
                    "index": _index(value.index, budget), **_pandas_values(value, budget)}
        if value is pd.NA:
            return {"__ck__": "NA"}
        if value is pd.NaT:
            return {"__ck__": "NaT"}
        if kind is pd.Timestamp:
            return {"__ck__": "Timestamp", "v": value.isoformat()}
        if kind in (pd.Index, pd.RangeIndex):
            return _index(value, budget)
    mpl_axes = sys.modules.get("matplotlib.axes")
    if mpl_axes is not None and isinstance(value, mpl_axes.Axes) and \
            kind.__module__.startswith("matplotlib."):
        return _axes(value, budget)
    mpl_figure = sys.modules.get("matplotlib.figure")
    if mpl_figure is not None and kind is mpl_figure.Figure:
        return {"__ck__": "Figure", "axes": [_axes(ax, budget) for ax in value.axes],
                "suptitle": str(value._suptitle.get_text()) if value._suptitle else ""}
    reference = _import_reference(value)
    if reference is not None:
        return reference
    raise NotPlain(_describe(value))


#: modules whose functions, classes and submodules travel as a name the judge imports itself
IMPORTABLE = ("coursekit", "numpy", "pandas", "matplotlib", "math", "statistics", "collections",
              "datetime", "decimal", "fractions", "itertools", "functools", "operator", "re",
              "json", "string", "random", "yaml", "textwrap", "typing")


def _importable(module) -> bool:
    return isinstance(module, str) and module.split(".")[0] in IMPORTABLE and all(
        part.isidentifier() and not part.startswith("__") for part in module.split("."))


def _import_reference(value):
    """A module, function or class of a known library: sent by name, imported by the judge."""
    import types

    if type(value) is types.ModuleType:
        name = getattr(value, "__name__", None)
        return {"__ck__": "import", "module": name} if _importable(name) else None
    module, qualname = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if callable(value) and _importable(module) and isinstance(qualname, str) and all(
            part.isidentifier() and not part.startswith("__") for part in qualname.split(".")):
        return {"__ck__": "import", "module": module, "name": qualname}
    return None


def _d_import(d):
    import importlib

    module = d["module"]
    if not _importable(module):
        raise NotPlain(f"module {module!r} is not importable by the judge")
    value = importlib.import_module(module)
    name = d.get("name")
    if name is not None:
        if not (isinstance(name, str) and all(part.isidentifier() and not part.startswith("__")
                                              for part in name.split("."))):
            raise NotPlain("bad name")
        for part in name.split("."):
            value = getattr(value, part)
    return value


def _describe(value) -> str:
    if callable(value):
        return "a function or class"
    return f"an object of type {type(value).__name__}"


# --- decoding (in the judge) -------------------------------------------------------------------

def decode(data):
    """Ordinary objects from plain data; raises NotPlain on any unexpected shape."""
    if data is None or type(data) in (bool, int, str):
        return data
    if type(data) is float:
        return data
    if type(data) is list:
        return [decode(v) for v in data]
    if type(data) is not dict:
        raise NotPlain(f"unexpected {type(data).__name__}")
    kind = data.get("__ck__")
    if kind is None:
        return {str(k): decode(v) for k, v in data.items()}
    decoder = _DECODERS.get(kind) if type(kind) is str else None
    if decoder is None:
        raise NotPlain(f"unknown kind {kind!r}")
    try:
        return decoder(data)
    except NotPlain:
        raise
    except Exception as exc:  # noqa: BLE001 — any malformed field means "not plain data"
        raise NotPlain(f"malformed {kind}: {type(exc).__name__}") from None


def _d_float(d):
    text = d["v"]
    if text not in ("nan", "inf", "-inf"):
        raise NotPlain("bad float")
    return float(text)


def _numpy_dtype(text):
    import numpy as np

    dtype = np.dtype(str(text))
    if dtype.kind not in NUMERIC_KINDS + "U":
        raise NotPlain(f"dtype {dtype}")
    return dtype


def _d_np(d):
    dtype = _numpy_dtype(d["dtype"])
    value = decode(d["v"])
    if type(value) not in (bool, int, float):
        raise NotPlain("bad numpy scalar")
    return dtype.type(value)


def _d_ndarray(d):
    import numpy as np

    values = [decode(v) for v in d["values"]]
    shape = [int(n) for n in d["shape"]]
    return np.array(values, dtype=_numpy_dtype(d["dtype"])).reshape(shape)


def _pandas_dtype(text):
    import pandas as pd

    text = str(text)
    if len(text) > 60 or not all(c.isalnum() or c in "[]_, :/" for c in text):
        raise NotPlain("bad dtype")
    return pd.api.types.pandas_dtype(text)


def _d_values(d):
    import pandas as pd

    values = [decode(v) for v in d["values"]]
    dtype = str(d["dtype"])
    if dtype.startswith("datetime64"):
        return pd.Series(pd.to_datetime(values), dtype=_pandas_dtype(dtype))
    return pd.Series(values, dtype=_pandas_dtype(dtype) if dtype != "object" else object)


def _d_index(d):
    import pandas as pd

    name = decode(d.get("name"))
    if "range" in d:
        start, stop, step = (int(v) for v in d["range"])
        return pd.RangeIndex(start, stop, step, name=name)
    return pd.Index(_d_values(d), name=name)


def _d_series(d):
    import pandas as pd

    values = _d_values(d)
    return pd.Series(values.array, index=_d_index(d["index"]), name=decode(d.get("name")))


def _d_frame(d):
    import pandas as pd

    index = _d_index(d["index"])
    columns = [decode(c) for c in d["columns"]]
    data = {i: _d_values(col).array for i, col in enumerate(d["data"])}
    frame = pd.DataFrame(data, index=index)
    frame.columns = pd.Index(columns)
    return frame


def _rebuild_axes(ax, d):
    for line in d["lines"]:
        kwargs = {"marker": str(line["marker"]), "linestyle": str(line["linestyle"]),
                  "label": str(line["label"]), "linewidth": float(line["linewidth"])}
        if line.get("color") is not None:
            kwargs["color"] = line["color"] if type(line["color"]) is str else \
                [float(c) for c in line["color"]]
        ax.plot([decode(v) for v in line["x"]], [decode(v) for v in line["y"]], **kwargs)
    from matplotlib.patches import Rectangle

    for p in d.get("patches", []):
        ax.add_patch(Rectangle((float(p["x"]), float(p["y"])), float(p["width"]),
                               float(p["height"])))
    for t in d["texts"]:
        ax.text(decode(t["x"]), decode(t["y"]), str(t["text"]))
    ax.set_title(str(d["title"]))
    ax.set_xlabel(str(d["xlabel"]))
    ax.set_ylabel(str(d["ylabel"]))
    ax.set_xscale(str(d.get("xscale", "linear")))
    ax.set_yscale(str(d.get("yscale", "linear")))
    ax.set_xlim(*[float(v) for v in d["xlim"]])
    ax.set_ylim(*[float(v) for v in d["ylim"]])
    if d.get("legend") is not None:
        handles = ax.get_lines()
        ax.legend(handles[: len(d["legend"])], [str(t) for t in d["legend"]])
    return ax


def _d_axes(d):
    from matplotlib.figure import Figure

    return _rebuild_axes(Figure().add_subplot(), d)


def _d_figure(d):
    from matplotlib.figure import Figure

    figure = Figure()
    for index, axes in enumerate(d["axes"]):
        _rebuild_axes(figure.add_subplot(len(d["axes"]), 1, index + 1), axes)
    if d.get("suptitle"):
        figure.suptitle(str(d["suptitle"]))
    return figure


def _d_timestamp(d):
    import pandas as pd

    return pd.Timestamp(str(d["v"]))


_DECODERS = {
    "float": _d_float,
    "tuple": lambda d: tuple(decode(v) for v in d["items"]),
    "set": lambda d: {decode(v) for v in d["items"]},
    "dict": lambda d: {decode(k): decode(v) for k, v in d["items"]},
    "np": _d_np,
    "ndarray": _d_ndarray,
    "Index": _d_index,
    "Series": _d_series,
    "DataFrame": _d_frame,
    "Timestamp": _d_timestamp,
    "Axes": _d_axes,
    "Figure": _d_figure,
    "import": _d_import,
    "NA": lambda d: __import__("pandas").NA,
    "NaT": lambda d: __import__("pandas").NaT,
}
