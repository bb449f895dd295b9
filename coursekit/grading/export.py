"""In the student's kernel, at grading: send the names a test cell uses to the judge as plain data.

The grader replaces each graded test cell by ``export(cell_id, names)`` (plus the cell's public
part). The values go, as JSON lines, to the file named by ``COURSEKIT_GRADE_EXPORT``; the judge
(``coursekit.grading.judge``) reads them after the notebook has run. Nothing is printed, so the
cell's outputs stay empty. The student's code ran first and could replace this module — that
only changes what data the judge gets, which is no more than answering the question; the judge
never runs anything it receives.

Signs that the notebook changed the machinery (helpers, reporting hooks, builtins, comparison
functions, background threads) are sent along so the grader can flag the submission.
"""
from __future__ import annotations

import json
import os
import sys


def export(cell_id: str, names: list[str]) -> None:
    from .plain import NotPlain, encode

    path = os.environ.get("COURSEKIT_GRADE_EXPORT")
    if not path:
        return
    namespace = _namespace()
    values, errors = {}, {}
    for name in names:
        if name not in namespace:
            continue
        try:
            values[name] = encode(namespace[name])
        except NotPlain as exc:
            errors[name] = str(exc)
        except Exception as exc:  # noqa: BLE001 — a broken object is simply not exported
            errors[name] = f"{type(exc).__name__} while reading it"
    try:
        signs = tamper_signs()
    except Exception:  # noqa: BLE001
        signs = ["the grader could not inspect the kernel"]
    record = {"cell": cell_id, "values": values, "errors": errors, "tamper": signs}
    try:
        line = json.dumps(record, allow_nan=False)
    except (TypeError, ValueError):
        line = json.dumps({"cell": cell_id, "values": {}, "errors": {n: "not plain data"
                                                                     for n in names}})
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def _namespace() -> dict:
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    return shell.user_ns if shell is not None else sys.modules["__main__"].__dict__


BUILTINS = ("bool", "len", "float", "int", "str", "round", "isinstance", "sum", "list", "abs",
            "min", "max", "any", "all", "sorted", "getattr", "__import__", "print", "type",
            "repr", "range", "set", "dict", "tuple", "hasattr", "iter", "next", "map", "zip")


def _foreign(function, package_dir: str) -> bool:
    """True when a function was written outside ``package_dir`` (e.g. in the notebook)."""
    code = getattr(function, "__code__", None)
    if code is None:
        func = getattr(function, "__func__", None)
        code = getattr(func, "__code__", None)
    if code is None:
        return type(function).__name__ not in ("builtin_function_or_method", "type",
                                               "wrapper_descriptor", "method_descriptor",
                                               "ufunc", "_ArrayFunctionDispatcher",
                                               "function", "cython_function_or_method",
                                               "_lru_cache_wrapper", "method-wrapper")
    return not os.path.abspath(code.co_filename).startswith(package_dir)


def _dir_of(module) -> str:
    return os.path.dirname(os.path.abspath(getattr(module, "__file__", "") or "/nonexistent"))


def tamper_signs() -> list[str]:
    import builtins
    import threading

    signs = []
    for name in BUILTINS:
        obj = getattr(builtins, name, None)
        if getattr(obj, "__module__", None) != "builtins" or \
                type(obj).__name__ not in ("builtin_function_or_method", "type"):
            signs.append(f"builtins.{name} replaced")
    checks = sys.modules.get("coursekit.checks")
    if checks is not None:
        if type(checks).__name__ != "module" or not hasattr(checks, "__file__"):
            signs.append("coursekit.checks replaced")
        else:
            home = _dir_of(checks)
            for owner in (getattr(checks, "Hidden", None), checks):
                for attr, value in list(vars(owner).items()) if owner is not None else []:
                    code = getattr(getattr(value, "__func__", value), "__code__", None)
                    if callable(value) and not attr.startswith("__") and (
                            getattr(value, "__module__", "") == "__main__" or (
                                code is not None and not os.path.abspath(
                                    code.co_filename).startswith(home))):
                        signs.append(f"coursekit.checks: {attr} replaced")
    for module_name, attrs in (("math", ("isclose", "isfinite", "fsum")),
                               ("numpy", ("allclose", "isclose", "array_equal", "asarray",
                                          "unique")),
                               ("pandas", ()), ("operator", ("eq",))):
        module = sys.modules.get(module_name)
        if module is None:
            continue
        home = _dir_of(module)
        for attr in attrs:
            value = getattr(module, attr, None)
            if value is not None and _foreign(value, home) and \
                    getattr(value, "__module__", "") in ("__main__", None):
                signs.append(f"{module_name}.{attr} replaced")
    for module_name, classes in (("numpy", ("ndarray",)), ("pandas", ("DataFrame", "Series"))):
        module = sys.modules.get(module_name)
        if module is None:
            continue
        home = _dir_of(module)
        for cls_name in classes:
            cls = getattr(module, cls_name, None)
            for attr, value in list(vars(cls).items()) if cls is not None else []:
                code = getattr(value, "__code__", None)
                if code is not None and not os.path.abspath(code.co_filename).startswith(home):
                    signs.append(f"{module_name}.{cls_name}.{attr} replaced")
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    if shell is not None:
        if shell.custom_exceptions:
            signs.append("custom exception handler set")
        for attr in ("showtraceback", "_showtraceback", "showsyntaxerror", "run_cell",
                     "run_ast_nodes", "run_code", "displayhook", "display_pub"):
            if attr in vars(shell) and callable(vars(shell)[attr]) and \
                    type(vars(shell)[attr]).__name__ == "function":
                signs.append(f"IPython shell.{attr} replaced")
        formatter = shell.display_formatter.formatters.get("text/plain")
        printers = getattr(formatter, "type_printers", {}) or {}
        for kind, printer in printers.items():
            if getattr(kind, "__module__", "") == "builtins" and kind in (float, int, str, bool):
                code = getattr(printer, "__code__", None)
                if code is not None and "ipython" in code.co_filename.lower() \
                        and "IPython" not in code.co_filename:
                    signs.append(f"display of {kind.__name__} replaced")
                elif code is not None and ("ipykernel" in code.co_filename
                                           or code.co_filename.startswith("<")):
                    signs.append(f"display of {kind.__name__} replaced")
    if type(sys.excepthook).__name__ == "function" and \
            "IPython" not in getattr(sys.excepthook, "__module__", "") and \
            "ipykernel" not in getattr(sys.excepthook, "__module__", ""):
        signs.append("sys.excepthook replaced")
    for thread in threading.enumerate():
        target = getattr(thread, "_target", None)
        code = getattr(target, "__code__", None)
        if code is not None and ("ipykernel_" in code.co_filename
                                 or code.co_filename.startswith("<ipython")):
            signs.append("a background thread started by the notebook is running")
            break
    return signs
