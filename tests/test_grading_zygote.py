"""Pre-warmed grading kernels: forked from the zygote, interruptible, tied to their launcher."""
from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
from pathlib import Path

import psutil
import pytest

from coursekit.grading.worker import (kernel_env, start_zygote, stop_zygote, wait_zygote,
                                      write_kernelspec)

pytestmark = [
    pytest.mark.slow,
    # jupyter_client's in-process manager leaves its event loop to the GC: not ours to fix
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]


@pytest.fixture
def spec_env(monkeypatch):
    """The grading kernelspec (with the launcher) and limits, as a worker sets them."""
    folder = Path(tempfile.mkdtemp(prefix="ck-zyg-"))  # short: AF_UNIX paths max ~100 bytes
    for key, value in kernel_env(write_kernelspec(folder / "jupyter", prewarm=True), 1024,
                                 100_000).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("COURSEKIT_GRADE_ZYGOTE", str(folder / "absent.sock"))
    monkeypatch.delenv("MPLBACKEND", raising=False)
    yield folder


@pytest.fixture
def zygote(spec_env):
    path = spec_env / "zygote.sock"
    process = start_zygote(path)
    assert wait_zygote(process, path), "the zygote did not start"
    yield process
    stop_zygote(process)
    assert process.returncode == 0
    assert not path.exists()


def start_kernel(**kwargs):
    from jupyter_client.manager import start_new_kernel

    return start_new_kernel(kernel_name="python3", startup_timeout=60, **kwargs)


def run(kc, code: str, timeout: float = 20) -> tuple[str, str]:
    """(status, text printed or error name) of one cell."""
    out: list[str] = []

    def hook(msg):
        content = msg["content"]
        out.append(content.get("text") or content.get("ename") or "")

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    return reply["content"]["status"], "".join(out)


def test_kernel_is_forked_from_the_zygote_and_runs_code(zygote):
    km, kc = start_kernel()
    try:
        launcher = km.provisioner.process.pid
        status, text = run(kc, "import os, matplotlib, pandas\n"
                               "print(os.getpid(), os.getppid(), matplotlib.get_backend())")
        assert status == "ok"
        pid, ppid, backend = text.split()
        assert int(ppid) == zygote.pid and int(pid) != launcher
        assert backend == "module://matplotlib_inline.backend_inline"
        status, _ = run(kc, "import resource\n"
                            "assert resource.getrlimit(resource.RLIMIT_AS)[0] == 1024 * 2**20")
        assert status == "ok"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    assert not psutil.pid_exists(int(pid))


def test_kernel_is_interruptible(zygote):
    km, kc = start_kernel()
    try:
        threading.Timer(1.0, km.interrupt_kernel).start()
        started = time.monotonic()
        status, text = run(kc, "import time\nfor _ in range(200):\n    time.sleep(0.1)")
        assert (status, text) == ("error", "KeyboardInterrupt")
        assert time.monotonic() - started < 10
        assert run(kc, "print('still here')") == ("ok", "still here\n")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_kernel_dies_when_its_launcher_is_killed(zygote):
    km, kc = start_kernel()
    try:
        _, text = run(kc, "import os\nprint(os.getpid())")
        kernel = psutil.Process(int(text))
        os.kill(km.provisioner.process.pid, signal.SIGKILL)
        kernel.wait(timeout=10)  # raises psutil.TimeoutExpired if it outlives its launcher
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)  # reaps the launcher


def test_launcher_falls_back_to_a_fresh_kernel_without_zygote(spec_env):
    assert not Path(os.environ["COURSEKIT_GRADE_ZYGOTE"]).exists()
    km, kc = start_kernel()
    try:
        status, text = run(kc, "import os, sys\nprint(os.getpid(), ' '.join(sys.argv))")
        assert status == "ok"
        assert int(text.split()[0]) == km.provisioner.process.pid  # the launcher exec'ed it
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def test_matplotlibrc_next_to_the_notebook_gets_a_fresh_kernel(zygote, tmp_path):
    (tmp_path / "matplotlibrc").write_text("lines.linewidth: 7\n")
    km, kc = start_kernel(cwd=str(tmp_path))
    try:
        status, text = run(kc, "import os, matplotlib\n"
                               "print(os.getpid(), matplotlib.rcParams['lines.linewidth'])")
        assert status == "ok"
        assert text.split() == [str(km.provisioner.process.pid), "7.0"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)
