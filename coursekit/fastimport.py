"""Import jsonschema without its slowest optional part.

jsonschema's format module imports ``rfc3987_syntax`` when it is installed (jupyter-events pulls it
in); that import compiles an IRI grammar and costs ~2 s per process — most of a lesson's quiz cell
and of a grading worker's start. Neither quiz banks nor notebook schemas check IRI formats, so the
import is blocked while jsonschema loads; a later ``import rfc3987_syntax`` elsewhere works as usual.
"""
from __future__ import annotations

import sys


def import_jsonschema():
    """Return the jsonschema module, imported without ``rfc3987_syntax`` if not yet imported."""
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]  # import -> ImportError
        try:
            import jsonschema  # noqa: F401
        finally:
            del sys.modules["rfc3987_syntax"]
    import jsonschema

    return jsonschema
