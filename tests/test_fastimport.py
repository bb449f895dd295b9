"""jsonschema is imported without its slow IRI grammar, and nothing else is broken by it."""
import subprocess
import sys

CODE = """
import sys, time
from coursekit.fastimport import import_jsonschema
start = time.perf_counter()
js = import_jsonschema()
assert "rfc3987_syntax" not in sys.modules, "the IRI grammar was imported"
js.validate({"a": 1}, {"type": "object", "properties": {"a": {"type": "integer"}}})
try:
    js.validate({"a": "x"}, {"type": "object", "properties": {"a": {"type": "integer"}}})
except js.ValidationError:
    pass
else:
    raise AssertionError("validation no longer rejects bad input")
import rfc3987_syntax  # a later import elsewhere still works
print("ok")
"""


def test_jsonschema_without_rfc3987_in_a_fresh_interpreter():
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
