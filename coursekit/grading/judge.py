"""The judge: hidden checks run here, in a fresh interpreter the student's code never touches.

At grading, each graded test cell of the notebook is replaced, in the student's kernel, by one
line that exports the names the cell uses (:func:`names_used`, found with ``ast`` in the cell's
source) as plain data (``coursekit.grading.plain``); any public part of the cell still runs there.
After the notebook has run, the judge — ``python -I -m coursekit.grading.judge``, started by the
grading worker, talking JSON lines over its stdin/stdout — rebuilds those values and runs the
cells' source, as nbgrader would have run it, and returns each cell's outputs: its printed lines,
its last expression (nbgrader's partial credit) or its error (name and message only, never the
traceback's source lines). Nothing the judge receives can run code: ``json`` and
:func:`coursekit.grading.plain.decode` only.

Request: ``{"cwd": DIR, "cells": [{"id", "source", "values": {name: plain}, "errors":
{name: why}}]}`` (cells of one notebook, in order; they share one namespace, as in a kernel).
Reply: ``{"cells": {id: {"outputs": [...], "notes": [...]}}}``.
"""
from __future__ import annotations

import ast
import builtins
import io
import json
import os
import signal
import subprocess
import sys
import threading
import types

#: Hidden-check helpers that take the *name* of a student's variable as a string
NAME_TAKING = {"equal", "close", "equal_any", "close_any", "_get", "user_value", "value", "exists",
               "defined"}  # methods whose first argument names a student variable (checks.Hidden)
CELL_TIMEOUT = 120  # seconds for one cell's checks in the judge


def _strip_magics(source: str) -> str:
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                     for line in source.splitlines())


def names_used(source: str) -> list[str]:
    """Names a cell reads but does not define: what the student's kernel must export."""
    try:
        tree = ast.parse(_strip_magics(source))
    except SyntaxError:
        return []
    loaded, bound, strings = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (loaded if isinstance(node.ctx, ast.Load) else bound).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound.add((alias.asname or alias.name).split(".")[0])
        elif isinstance(node, ast.ExceptHandler) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.Call) and node.args:
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            first = node.args[0]
            if name in NAME_TAKING and isinstance(first, ast.Constant) \
                    and isinstance(first.value, str) and first.value.isidentifier():
                strings.add(first.value)
    free = (loaded - bound - set(dir(builtins))) | strings
    return sorted(free)


# --- running cells (in the judge process) ------------------------------------------------------

class _Timeout(Exception):
    pass


def _alarm(signum, frame):
    raise _Timeout(f"the checks took over {CELL_TIMEOUT} s")


def _pretty(value) -> str:
    try:
        from IPython.lib.pretty import pretty
    except ImportError:  # pragma: no cover - IPython comes with nbgrader
        return repr(value)
    return pretty(value)


def run_cell(source: str, namespace: dict) -> list[dict]:
    """Run one cell's source like a kernel would; return its nbformat outputs."""
    outputs: list[dict] = []
    out, err = io.StringIO(), io.StringIO()
    result = None
    error = None
    old = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(CELL_TIMEOUT)
    try:
        tree = ast.parse(_strip_magics(source))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, "<hidden checks>", "exec"), namespace)  # noqa: S102 — trusted source
        if last is not None:
            result = eval(compile(ast.Expression(last.value), "<hidden checks>", "eval"),
                          namespace)
    except BaseException as exc:  # noqa: BLE001 — a failing check is an error output
        error = exc
    finally:
        signal.alarm(0)
        sys.stdout, sys.stderr = old
    for name, stream in (("stdout", out), ("stderr", err)):
        if stream.getvalue():
            outputs.append({"output_type": "stream", "name": name, "text": stream.getvalue()})
    if error is not None:
        ename, evalue = type(error).__name__, str(error)
        outputs.append({"output_type": "error", "ename": ename, "evalue": evalue,
                        "traceback": [f"{ename}: {evalue}" if evalue else ename]})
    elif result is not None:
        outputs.append({"output_type": "execute_result", "metadata": {},
                        "data": {"text/plain": _pretty(result)}})
    return outputs


def judge_notebook(request: dict) -> dict:
    """Run a notebook's test cells against the exported values (see the module docstring)."""
    from . import plain

    os.chdir(request["cwd"])
    module = types.ModuleType("__main__")
    namespace = module.__dict__
    namespace["__builtins__"] = builtins
    sys.modules["__main__"] = module  # coursekit.checks.user_value reads __main__ outside IPython
    replies = {}
    defined_by_checks: set[str] = set()
    for cell in request["cells"]:
        notes = []
        values = cell.get("values")
        if not isinstance(values, dict):
            values = {}
            notes.append("no plain data came back from the notebook for these checks")
        for name in cell.get("names", []):
            if name in values:
                try:
                    namespace[name] = plain.decode(values[name])
                    continue
                except (plain.NotPlain, RecursionError) as exc:
                    notes.append(f"`{name}` is not plain data ({exc})")
            elif name in (cell.get("errors") or {}):
                notes.append(f"`{name}` could not be sent to the grader as plain data "
                             f"({cell['errors'][name]})")
            if name not in defined_by_checks:
                namespace.pop(name, None)
        before = {k: id(v) for k, v in namespace.items()}
        outputs = run_cell(cell["source"], namespace)
        defined_by_checks |= {k for k, v in namespace.items() if before.get(k) != id(v)}
        if notes:
            text = "".join(f"✗ {n}\n" for n in notes)
            outputs.insert(0, {"output_type": "stream", "name": "stdout", "text": text})
        replies[cell["id"]] = {"outputs": outputs, "notes": notes}
    return {"cells": replies}


def serve() -> None:
    """JSON lines on stdin → JSON lines on stdout, until stdin closes."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    reply_to = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # stray prints from checks' imports never corrupt the protocol
    start = os.getcwd()
    for line in sys.stdin:
        try:
            reply = judge_notebook(json.loads(line))
        except Exception as exc:  # noqa: BLE001 — report, keep serving
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        os.chdir(start)
        reply_to.write(json.dumps(reply) + "\n")
        reply_to.flush()


# --- client (in the grading worker) ------------------------------------------------------------

class Judge:
    """A judge process owned by one grading worker (started on first use)."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.lock = threading.Lock()

    def _start(self) -> subprocess.Popen:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COURSEKIT_GRADE_")}
        env["MPLBACKEND"] = "Agg"
        return subprocess.Popen([sys.executable, "-I", "-m", "coursekit.grading.judge"],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                                text=True, cwd="/")

    def run(self, request: dict) -> dict:
        with self.lock:
            for attempt in range(2):
                if self.process is None or self.process.poll() is not None:
                    self.process = self._start()
                try:
                    self.process.stdin.write(json.dumps(request) + "\n")
                    self.process.stdin.flush()
                    line = self.process.stdout.readline()
                    if line:
                        return json.loads(line)
                except (OSError, ValueError):
                    pass
                self.close()
            return {"error": "the judge process died"}

    def close(self) -> None:
        if self.process is not None:
            try:
                self.process.stdin.close()
                self.process.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                self.process.kill()
                self.process.wait()
            self.process.stdout.close()
            self.process = None


if __name__ == "__main__":
    serve()
