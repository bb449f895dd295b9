"""The grading kernelspec's process: asks the worker's zygote for a kernel, then stands in for it.

jupyter_client manages this small process (no heavy imports: it starts in ~20 ms) as if it were
the kernel: SIGINT/SIGTERM/SIGHUP are relayed to the forked kernel, and this process exits when
the kernel does. If this process is killed (SIGKILL after a shutdown timeout, or the worker
killed on the wall-clock limit), the kernel sees its connection close and exits too.

Without a zygote (``COURSEKIT_GRADE_ZYGOTE`` unset, socket missing, fork failed) it execs
``coursekit.grading.kernel`` — the ordinary, slower start — so grading works either way.

Run as ``python -m coursekit.grading.launcher -f CONNECTION_FILE``.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import sys

ENV = "COURSEKIT_GRADE_ZYGOTE"
RELAYED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def fallback() -> None:
    """Start the kernel the ordinary way, in this process."""
    os.execv(sys.executable, [sys.executable, "-m", "coursekit.grading.kernel", *sys.argv[1:]])


def request_kernel(path: str) -> tuple[socket.socket, int]:
    """Ask the zygote at ``path`` for a kernel; return the open connection and the kernel pid."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(30)
    conn.connect(path)
    request = {"argv": sys.argv[1:], "cwd": os.getcwd(), "env": dict(os.environ)}
    socket.send_fds(conn, [json.dumps(request).encode() + b"\n"], [0, 1, 2])
    reply = b""
    while not reply.endswith(b"\n"):
        more = conn.recv(4096)
        if not more:
            raise OSError("the zygote closed the connection")
        reply += more
    conn.settimeout(None)
    return conn, int(json.loads(reply)["pid"])


def main() -> None:
    path = os.environ.get(ENV)
    if not path or not os.path.exists(path):
        fallback()
    pending: list[int] = []
    kernel = {"pid": 0}

    def relay(signum, frame):
        if not kernel["pid"]:
            pending.append(signum)
            return
        try:
            os.kill(kernel["pid"], signum)
        except ProcessLookupError:
            pass

    for signum in RELAYED:
        signal.signal(signum, relay)
    try:
        conn, kernel["pid"] = request_kernel(path)
    except (OSError, ValueError, KeyError):
        for signum in RELAYED:
            signal.signal(signum, signal.SIG_DFL)
        fallback()
    for signum in pending:
        relay(signum, None)
    while True:  # until the kernel's end closes (it exited or was killed)
        try:
            if not conn.recv(4096):
                break
        except OSError:
            break
    sys.exit(0)


if __name__ == "__main__":
    main()
