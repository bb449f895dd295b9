"""nbgrader's Execute step, judged: hidden checks never run in the student's kernel.

``coursekit grade`` puts :class:`JudgedExecute` in place of nbgrader's ``Execute`` in
``Autograde.autograde_preprocessors``; everything else in nbgrader's pipeline is unchanged, so
``SaveAutoGrades`` stores the judge's scores in the gradebook for the same cells, and formgrader,
``generate_feedback`` and ``export`` keep working. For each graded test cell:

1. the kernel runs ``export(cell_id, names)`` (the names the cell's source uses, see
   :func:`coursekit.grading.judge.names_used`) followed by the cell's public part (all of a
   visible test cell; nothing of a hidden block);
2. the notebook runs in a *scratch* copy of its folder without any notebook file (the sanitized
   notebook next to it holds the hidden checks), as the sandbox user when there is one;
3. the judge runs the original cell source against the exported values; its outputs replace the
   kernel's, and the cell gets its original source back (as after ``nbgrader autograde``).

Where a visible test cell also ran in the kernel, the two results are compared: a difference is
reported as "score mismatch — in-kernel checks said X, the judge Y" (the judge's score stands).
"""
from __future__ import annotations

import copy
import json
import os
import shutil
import stat
import tempfile
import time
import uuid
from dataclasses import dataclass, field

from nbgrader.preprocessors import Execute
from nbgrader.utils import determine_grade, is_grade, is_solution

from .checks import HIDDEN
from .judge import Judge, names_used

EXPORT_FILE = ".coursekit-export.jsonl"
MAX_EXPORT_BYTES = 64 * 1024 * 1024


@dataclass
class Report:
    """What the judged run of one submission found (read by the grading worker)."""

    mismatches: list[str] = field(default_factory=list)
    tamper: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    swept: int = 0
    times: dict = field(default_factory=dict)  # seconds: kernel start, execution, judge

    def as_dict(self) -> dict:
        return {"mismatches": self.mismatches, "tamper": sorted(set(self.tamper)),
                "notes": self.notes, "swept": self.swept, "times": dict(self.times)}


class Context:
    """Per grading process: the judge, the sandbox slot, a short temporary folder."""

    def __init__(self, slot=None, hide: list[str] | None = None):
        self.judge = Judge()
        self.slot = slot
        self.hide = hide or []  # course paths hidden from the sandboxed kernel
        self.tmp = tempfile.mkdtemp(prefix="ck-")
        os.chmod(self.tmp, 0o711)  # the sandbox user may reach its scratch folder, list nothing
        self.report = Report()
        self.active_scratch: str | None = None

    def close(self) -> None:
        self.judge.close()
        if self.slot is not None:
            self.slot.close()
        shutil.rmtree(self.tmp, ignore_errors=True)


CONTEXT: Context | None = None


def is_test_cell(cell) -> bool:
    return cell.cell_type == "code" and is_grade(cell) and not is_solution(cell)


def export_line(cell_id: str, names: list[str]) -> str:
    return (f"__import__('coursekit.grading.export', fromlist=['export']).export("
            f"{cell_id!r}, {names!r})")


def read_exports(path: str, report: Report) -> dict[str, dict]:
    """The kernel's export file, read without following links or blocking on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return {}
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_EXPORT_BYTES:
            report.tamper.append("the exported data file was replaced")
            return {}
        data = handle.read(MAX_EXPORT_BYTES)
    found: dict[str, dict] = {}
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            report.tamper.append("the exported data was not written by the grader")
            continue
        if not (isinstance(record, dict) and isinstance(record.get("cell"), str)
                and isinstance(record.get("values"), dict)):
            report.tamper.append("the exported data was not written by the grader")
            continue
        found[record["cell"]] = record
        signs = record.get("tamper")
        if isinstance(signs, list):
            report.tamper.extend(str(s)[:120] for s in signs[:20])
    return found


class JudgedExecute(Execute):
    """nbgrader's Execute with hidden checks judged outside the kernel (see module doc)."""

    def create_kernel_manager(self):
        km = super().create_kernel_manager()
        context = CONTEXT
        if context is not None and context.slot is not None and context.active_scratch:
            km.transport = "ipc"  # UNIX sockets: the kernel has no network namespace of ours
            km.ip = os.path.join(context.active_scratch, "k")
        return km

    def preprocess_cell(self, cell, resources, index):
        if self._first_cell is None:
            self._first_cell = time.perf_counter()
        return super().preprocess_cell(cell, resources, index)

    def preprocess(self, nb, resources, km=None):
        self._first_cell = None
        context = CONTEXT
        if context is None:  # used outside coursekit grade: behave as nbgrader does
            return super().preprocess(nb, resources, km)
        report = context.report
        plan = []
        for index, cell in enumerate(nb.cells):
            if is_test_cell(cell):
                cell_id = cell.metadata["nbgrader"]["grade_id"]
                full = cell.source
                hidden = bool(HIDDEN.search(full))
                names = names_used(full)
                public = HIDDEN.sub("", full) if hidden else full
                cell.source = export_line(cell_id, names) + "\n" + public
                plan.append((index, cell_id, full, names, hidden))

        folder = resources["metadata"]["path"]
        scratch = tempfile.mkdtemp(prefix="s", dir=context.tmp)
        judge_dir = tempfile.mkdtemp(prefix="j", dir=context.tmp)
        shutil.copytree(folder, scratch, dirs_exist_ok=True, symlinks=True,
                        ignore=shutil.ignore_patterns("*.ipynb"))
        shutil.copytree(scratch, judge_dir, dirs_exist_ok=True, symlinks=True)
        export_path = os.path.join(scratch, EXPORT_FILE)
        open(export_path, "w").close()
        token = uuid.uuid4().hex
        env = {"COURSEKIT_GRADE_EXPORT": export_path, "COURSEKIT_GRADE_TOKEN": token}
        if context.slot is not None:
            context.slot.prepare(scratch)
            env.update(context.slot.env(scratch, hide=context.hide))
        saved = {key: os.environ.get(key) for key in env}
        os.environ.update(env)
        resources["metadata"]["path"] = scratch
        context.active_scratch = scratch
        started = time.perf_counter()
        try:
            super().preprocess(nb, resources, km)
        finally:
            ended = time.perf_counter()
            first = self._first_cell or ended
            times = report.times
            times["kernel start"] = times.get("kernel start", 0) + first - started
            times["execution"] = times.get("execution", 0) + ended - first
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
            resources["metadata"]["path"] = folder
            context.active_scratch = None
            from .sandbox import sweep_token

            sweep_started = time.perf_counter()
            swept = context.slot.sweep() if context.slot is not None else \
                sweep_token(token, {os.getpid()})
            report.swept += swept
            report.times["sweep"] = report.times.get("sweep", 0) + \
                time.perf_counter() - sweep_started
        exports = read_exports(export_path, report)
        shutil.rmtree(scratch, ignore_errors=True)

        request = {"cwd": judge_dir, "cells": []}
        for index, cell_id, full, names, hidden in plan:
            record = exports.get(cell_id, {})
            errors = record.get("errors") if isinstance(record.get("errors"), dict) else {}
            for name, why in sorted(errors.items())[:5]:
                report.notes.append(f"{cell_id}: `{name}` is not plain data ({str(why)[:80]}), "
                                    "so its checks fail")
            request["cells"].append({"id": cell_id, "source": full, "names": names,
                                     "values": record.get("values"),
                                     "errors": record.get("errors") or {}})
        started = time.perf_counter()
        reply = context.judge.run(request) if plan else {"cells": {}}
        report.times["judge"] = report.times.get("judge", 0) + time.perf_counter() - started
        shutil.rmtree(judge_dir, ignore_errors=True)
        if "error" in reply:
            report.notes.append(f"the judge failed: {reply['error']}")
        for index, cell_id, full, names, hidden in plan:
            cell = nb.cells[index]
            kernel_cell = copy.deepcopy(cell)
            judged = reply.get("cells", {}).get(cell_id)
            outputs = judged["outputs"] if judged else [
                {"output_type": "error", "ename": "GradingError",
                 "evalue": "the hidden checks could not be run", "traceback": ["GradingError"]}]
            for output in outputs:
                if output["output_type"] == "execute_result":
                    output["execution_count"] = cell.get("execution_count")
            cell.source = full
            cell.outputs = [_node(o) for o in outputs]
            if not hidden:
                said, _ = determine_grade(kernel_cell, self.log)
                got, _ = determine_grade(cell, self.log)
                if said != got:
                    report.mismatches.append(
                        f"{cell_id}: in-kernel checks said {said:g}, the judge {got:g}")
        return nb, resources


def _node(output: dict):
    from nbformat import from_dict

    return from_dict(output)
