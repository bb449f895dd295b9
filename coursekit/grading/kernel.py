"""Kernel launcher used while grading: an ordinary IPython kernel with limits.

``coursekit grade`` points the ``python3`` kernelspec at this module (through a private
JUPYTER_PATH), so every notebook nbgrader executes runs under:

- a memory limit (``RLIMIT_AS``) from ``COURSEKIT_GRADE_MEMORY_MB`` — a memory hog gets a
  ``MemoryError`` in its own cell instead of swapping the grading machine to death;
- an output limit from ``COURSEKIT_GRADE_OUTPUT_LIMIT`` (characters written to stdout/stderr over
  the whole notebook) — after it, output is dropped with one notice on stdout.

Run as ``python -m coursekit.grading.kernel -f CONNECTION_FILE``.
"""
from __future__ import annotations

import os

NOTICE = "\n[output truncated by the grader: limit of {limit} characters reached]\n"


def _limit_memory(megabytes: int) -> None:
    import resource

    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _limit_output(limit: int) -> None:
    from ipykernel.iostream import OutStream

    original = OutStream.write
    state = {"left": limit}

    def write(self, string):
        if state["left"] <= 0:
            return len(string)
        if len(string) > state["left"]:
            kept = string[: state["left"]]
            state["left"] = 0
            original(self, kept)
            original(self, NOTICE.format(limit=limit))
            return len(string)
        state["left"] -= len(string)
        return original(self, string)

    OutStream.write = write


def main() -> None:
    from .sandbox import enter

    enter()  # as the sandbox user from here on, when the grader set one up
    memory = int(os.environ.get("COURSEKIT_GRADE_MEMORY_MB", "0") or 0)
    output = int(os.environ.get("COURSEKIT_GRADE_OUTPUT_LIMIT", "0") or 0)
    if memory > 0:
        _limit_memory(memory)
    if output > 0:
        _limit_output(output)
    from ipykernel.kernelapp import launch_new_instance

    launch_new_instance()


if __name__ == "__main__":
    main()
