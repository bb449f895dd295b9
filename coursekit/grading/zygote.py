"""Pre-warmed ("zygote") grading kernels: fork a kernel from a process that already imported it all.

Why: a fresh grading kernel spends ~1.5–2 s of CPU starting the interpreter and importing
ipykernel, IPython, pandas, numpy and matplotlib — more than nbgrader spends grading the
notebook. Each grading worker therefore starts one zygote server that imports these modules
once, then forks a kernel per request (~50 ms).

Protocol (UNIX socket, one connection per kernel): the launcher (``coursekit.grading.launcher``,
the process jupyter_client manages) sends one JSON line ``{"argv", "cwd", "env"}`` with its
stdin/stdout/stderr attached (SCM_RIGHTS); the server forks and replies ``{"pid": N}``. The
child keeps the connection: when it reads EOF (the launcher died, even by SIGKILL) the kernel
exits; when the kernel exits the launcher reads EOF and exits too.

The zygote never runs student code and creates no thread, ZMQ context or event loop before
forking, so each kernel starts with the same module state as a fresh one. It exits when its
stdin (a pipe from the worker) closes.

Run as ``python -m coursekit.grading.zygote SOCKET_PATH``; prints ``ready`` once listening.
"""
from __future__ import annotations

import importlib
import json
import os
import select
import signal
import socket
import sys

INLINE = "module://matplotlib_inline.backend_inline"
# Imported here by default, re-imported by the kernel: its import runs the IPython integration.
FRESH_IN_KERNEL = ("matplotlib_inline.backend_inline",)
# Read when the modules are imported: a kernel that asks for other values starts afresh.
IMPORT_TIME_ENV = ("MPLBACKEND", "MATPLOTLIBRC", "MPLCONFIGDIR", "OPENBLAS_NUM_THREADS",
                   "OMP_NUM_THREADS", "PYTHONPATH", "PYTHONHASHSEED")
_zygote_env: dict[str, str | None] = {}


def prewarm() -> None:
    """Import what every grading kernel imports (no threads: BLAS pools are set to 1 thread)."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    # ipykernel sets this before the notebook imports matplotlib; rcParams reads it at import.
    had_backend = "MPLBACKEND" in os.environ
    os.environ.setdefault("MPLBACKEND", INLINE)
    _zygote_env.update({key: os.environ.get(key) for key in IMPORT_TIME_ENV})
    import ipykernel.ipkernel  # noqa: F401
    import ipykernel.kernelapp  # noqa: F401
    import ipykernel.zmqshell  # noqa: F401
    import IPython  # noqa: F401
    import matplotlib.pyplot  # noqa: F401
    import matplotlib_inline.backend_inline  # noqa: F401
    import numpy  # noqa: F401
    import pandas  # noqa: F401

    # Imported by every kernel as it starts (ipykernel's debugger, IPython's history and magics)
    for name in ("ipykernel.debugger", "debugpy", "sqlite3", "pdb", "pydoc", "faulthandler",
                 "resource", "psutil", "tornado.gen", "tornado.locks", "tornado.queues",
                 "IPython.extensions.storemagic"):
        try:
            importlib.import_module(name)
        except ImportError:  # optional: the kernel imports (or skips) it itself
            pass

    import coursekit.checks  # noqa: F401
    import coursekit.data  # noqa: F401
    from coursekit.grading import kernel, sandbox  # noqa: F401
    import coursekit.grading.export  # noqa: F401
    import coursekit.grading.plain  # noqa: F401

    for name in FRESH_IN_KERNEL:
        sys.modules.pop(name, None)
    if not had_backend:
        del os.environ["MPLBACKEND"]
    import gc

    gc.collect()
    gc.freeze()  # keep the imported objects' pages shared with the children (no GC writes)


def _watch_launcher(conn: socket.socket) -> None:
    """In the kernel: exit as soon as the launcher's end of the connection closes."""
    import threading

    def watch():
        try:
            while conn.recv(1024):
                pass
        except OSError:
            pass
        os._exit(1)

    threading.Thread(target=watch, name="coursekit-launcher-watch", daemon=True).start()


def _fresh_module_state() -> None:
    """Undo what the kernel would see differently from a fresh interpreter's imports."""
    # IPKernelApp.parent_handle's default reads JPY_PARENT_PID at import, i.e. in the zygote.
    if os.environ.get("JPY_PARENT_PID"):
        sys.argv.append(f"--IPKernelApp.parent_handle={int(os.environ['JPY_PARENT_PID'])}")
    if "numpy.random" in sys.modules:  # children would share the zygote's random seed
        sys.modules["numpy.random"].seed()


def run_kernel(conn: socket.socket, request: dict, fds: list[int]) -> None:
    """In the forked child: become the kernel the launcher asked for. Never returns."""
    try:
        os.setsid()
        _server.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        for target, fd in enumerate(fds[:3]):
            os.dup2(fd, target)
        for fd in fds:
            if fd > 2:
                os.close(fd)
        os.environ.clear()
        os.environ.update(request["env"])
        os.chdir(request["cwd"])
        sys.path[0] = request["cwd"]  # as for `python -m`: the kernel's folder comes first
        from coursekit.grading import kernel

        sys.argv = [kernel.__file__, *request["argv"]]
        conn.sendall(json.dumps({"pid": os.getpid()}).encode() + b"\n")
        from coursekit.grading import sandbox

        sandbox.enter()  # before any thread starts: namespaces, then the unprivileged user
        _watch_launcher(conn)
        _fresh_module_state()
        kernel.main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except BaseException:  # noqa: BLE001 — a child must never return into the server loop
        import traceback

        traceback.print_exc()
        code = 1
    try:
        import atexit

        atexit._run_exitfuncs()  # what a normal interpreter exit would run
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


_server: socket.socket


def serve(path: str) -> None:
    """Listen on ``path``; fork one kernel per request until stdin closes."""
    global _server
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the worker; we follow its pipe
    prewarm()
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the OS reaps the kernels
    if os.path.exists(path):
        os.unlink(path)
    server = _server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    print("ready", flush=True)
    while True:
        readable, _, _ = select.select([server, sys.stdin], [], [])
        if sys.stdin in readable and not os.read(sys.stdin.fileno(), 1024):
            break  # the worker is gone
        if server in readable:
            conn, _ = server.accept()
            _handle(conn)
    server.close()
    os.unlink(path)


def needs_fresh_start(request: dict) -> str:
    """Why a forked kernel would differ from a fresh one for this request ("" if it would not)."""
    env = dict(request["env"])
    env["MPLBACKEND"] = env.get("MPLBACKEND") or INLINE  # what ipykernel sets when unset
    changed = [key for key in IMPORT_TIME_ENV if env.get(key) != _zygote_env[key]]
    if changed:
        return f"environment differs: {', '.join(changed)}"
    if os.path.exists(os.path.join(request["cwd"], "matplotlibrc")):
        return "matplotlibrc in the notebook folder"
    return ""


def _handle(conn: socket.socket) -> None:
    fds: list[int] = []
    try:
        conn.settimeout(10)
        data, fds, _, _ = socket.recv_fds(conn, 1 << 20, 3)
        while not data.endswith(b"\n"):
            more = conn.recv(1 << 20)
            if not more:
                raise OSError("launcher closed the connection")
            data += more
        request = json.loads(data)
        conn.settimeout(None)
        why = needs_fresh_start(request)
        if why:  # the launcher then starts an ordinary kernel itself
            conn.sendall(json.dumps({"fresh": why}).encode() + b"\n")
        elif os.fork() == 0:
            run_kernel(conn, request, fds)
    except (OSError, ValueError) as exc:
        print(f"coursekit zygote: could not start a kernel: {exc}", file=sys.stderr, flush=True)
    finally:
        for fd in fds:
            os.close(fd)
        conn.close()


if __name__ == "__main__":
    serve(sys.argv[1])
