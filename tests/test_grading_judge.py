"""The judge's parts, fast: names a hidden cell needs, plain data both ways, running checks."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from coursekit.grading import plain
from coursekit.grading.judge import judge_notebook, names_used, run_cell


def test_names_used_are_the_free_names_and_the_checked_strings():
    source = ("# Hidden checks (2 points)\n### BEGIN HIDDEN TESTS\n"
              "import numpy as _np\nfrom coursekit.checks import Hidden\n"
              "_ref = _load('attacks')\nh = Hidden(points=2)\n"
              "h.equal('n_before', 3, 'x')\nh.close('mean_after', 2.0, 'y')\n"
              "h.that(lambda: len(pips) == len(_ref), 'z')\n"
              "def _m(line):\n    return _np.allclose(line.get_ydata(), _x)\n"
              "h.that(lambda: any(_m(l) for l in ax.get_lines()), 'w')\nh.score()\n"
              "### END HIDDEN TESTS")
    assert names_used(source) == ["_load", "_x", "ax", "mean_after", "n_before", "pips"]
    assert names_used("%matplotlib inline\nprint(total)") == ["total"]
    assert names_used("def (") == []


def roundtrip(value):
    return plain.decode(json.loads(json.dumps(plain.encode(value), allow_nan=False)))


def test_plain_values_round_trip_exactly():
    import numpy as np
    import pandas as pd

    for value in (None, True, 3, 2.5, "x", [1, [2.0, "a"]], {"a": 1}, (1, 2), {1, 2},
                  {1: "a"}, float("nan"), float("inf")):
        got = roundtrip(value)
        assert type(got) is type(value)
        assert got == value or (value != value and got != got)
    assert type(roundtrip(np.int64(7))) is np.int64
    array = np.arange(6, dtype="float64").reshape(2, 3)
    assert np.array_equal(roundtrip(array), array)
    frame = pd.DataFrame({"year": [2021, 2022], "attacks": [1.5, None], "who": ["a", "b"]},
                         index=[3, 7])
    pd.testing.assert_frame_equal(roundtrip(frame), frame)
    pd.testing.assert_series_equal(roundtrip(frame["year"]), frame["year"])
    nullable = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"),
                             "s": pd.array(["a", None], dtype="string")})
    pd.testing.assert_frame_equal(roundtrip(nullable), nullable)
    sliced = frame[frame["year"] >= 2022]
    pd.testing.assert_frame_equal(roundtrip(sliced), sliced)


def test_figure_facts_round_trip():
    from matplotlib.figure import Figure

    ax = Figure().add_subplot()
    ax.plot([2020, 2021], [3, 4], marker="o", linestyle="--", label="PIPS")
    ax.axvline(2021.6)
    ax.text(2021.6, 4, "Aug 2021")
    ax.set_title("Attacks per year")
    ax.set_xlabel("Year")
    ax.set_ylabel("Attacks (count)")
    got = roundtrip(ax)
    lines = got.get_lines()
    assert [list(line.get_xdata()) for line in lines] == [[2020.0, 2021.0], [2021.6, 2021.6]]
    assert lines[0].get_marker() == "o" and lines[0].get_linestyle() == "--"
    assert (got.get_title(), got.get_xlabel(), got.get_ylabel()) == (
        "Attacks per year", "Year", "Attacks (count)")
    assert [t.get_text() for t in got.texts] == ["Aug 2021"]


def test_objects_that_could_lie_are_not_plain():
    class Eq(float):
        def __eq__(self, other):
            return True

    for value in (Eq(1), lambda: 1, object(), type("L", (list,), {})()):
        with pytest.raises(plain.NotPlain):
            plain.encode(value)
    for data in ({"__ck__": "pickle", "data": "gASV"}, {"__ck__": "import", "module": "os"},
                 {"__ck__": "import", "module": "numpy", "name": "__class__"},
                 {"__ck__": "np", "dtype": "O", "v": 1}, {"__ck__": "float", "v": "1e400"}):
        with pytest.raises(plain.NotPlain):
            plain.decode(data)
    from coursekit.checks import Hidden

    assert plain.decode(plain.encode(Hidden)) is Hidden


def test_run_cell_reports_like_a_kernel_without_source_lines():
    outputs = run_cell("print('hi')\nx = 2\nx / 4", {})
    assert outputs == [{"output_type": "stream", "name": "stdout", "text": "hi\n"},
                       {"output_type": "execute_result", "metadata": {},
                        "data": {"text/plain": "0.5"}}]
    error = run_cell("assert 1 == 2, 'wrong total'  # SECRET", {})[-1]
    assert error["output_type"] == "error" and error["ename"] == "AssertionError"
    assert "SECRET" not in json.dumps(error)


def test_judge_runs_hidden_checks_on_exported_values(tmp_path):
    source = ("from coursekit.checks import Hidden\nh = Hidden(points=2)\n"
              "h.equal('n', 5, 'count the rows')\nh.close('m', 2.5, 'the mean')\nh.score()")
    reply = judge_notebook({"cwd": str(tmp_path), "cells": [
        {"id": "q1", "source": source, "names": names_used(source),
         "values": {"n": 5, "m": 2.0}, "errors": {}}]})
    outputs = reply["cells"]["q1"]["outputs"]
    assert outputs[-1]["data"]["text/plain"] == "1.0"
    assert "the mean" in outputs[0]["text"]


def test_judge_process_is_a_fresh_isolated_interpreter(tmp_path):
    from coursekit.grading.judge import Judge

    judge = Judge()
    try:
        reply = judge.run({"cwd": str(tmp_path), "cells": [
            {"id": "c", "source": "import sys\nsys.flags.isolated", "names": [], "values": {},
             "errors": {}}]})
        assert reply["cells"]["c"]["outputs"][-1]["data"]["text/plain"] == "1"
    finally:
        judge.close()


def test_sandbox_off_says_why(monkeypatch):
    from coursekit.grading.sandbox import sandbox_status

    monkeypatch.setenv("COURSEKIT_SANDBOX", "0")
    status = sandbox_status()
    assert not status.enabled and "runs as you" in status.why


@pytest.mark.skipif(sys.platform != "linux" or os.geteuid() != 0, reason="needs root on Linux")
def test_sandbox_sweep_kills_a_double_forked_process():
    from coursekit.grading.sandbox import Slot

    slot = Slot()
    code = ("import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            "        time.sleep(60)\n    os._exit(0)\n")
    subprocess.run([sys.executable, "-c", f"import os; os.setgid({slot.gid}); "
                    f"os.setuid({slot.uid}); exec({code!r})"], check=True, timeout=30)
    try:
        assert slot.sweep() >= 1
        assert slot.sweep() == 0
    finally:
        slot.close()


def test_every_hidden_method_that_takes_a_name_is_known_to_the_judge():
    """A new Hidden method whose first argument names a student variable must be exported."""
    import inspect

    from coursekit.checks import Hidden
    from coursekit.grading.judge import NAME_TAKING

    takes_name = {name for name, fn in inspect.getmembers(Hidden, inspect.isfunction)
                  if list(inspect.signature(fn).parameters)[1:2] == ["name"]}
    assert takes_name, "Hidden has methods that take a variable's name"
    assert takes_name <= NAME_TAKING, takes_name - NAME_TAKING
