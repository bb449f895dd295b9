"""Sandbox for student code at grading (Linux, grader running as root).

Each grading process takes a *slot*: an unprivileged user ``coursekit-sbN`` (created with
``useradd`` when missing; an flock on /tmp/coursekit-sandbox-N.lock keeps two graders on one
machine from sharing it). A kernel started for a submission then, before running anything
(:func:`enter`, called in the kernel process while it is still root):

- moves into new mount and network namespaces when the kernel allows it (no network at all:
  the kernel talks to the grader over UNIX sockets, which work across network namespaces);
- caps the number of processes of the user (fork bombs) and sets ``no_new_privs``;
- becomes the slot's user, with HOME/TMPDIR in its scratch folder — the only folder it can write,
  as the course files belong to the grader;

and when the submission ends, :func:`sweep` kills every process of the slot's user — a process
calling ``kill(-1, SIGKILL)`` as that user, which reaches double-forked and setsid'ed children
too. Without root, or off Linux, grading still works without a sandbox: :func:`sandbox_status`
says why, and ``coursekit grade`` prints it once. Without a sandbox, a process sweep by an
environment token still stops processes left behind (unless they clear their environment).
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

USER_PREFIX = "coursekit-sb"
SLOTS = 64
MAX_PROCESSES = 256
CLONE_NEWNS = 0x00020000
CLONE_NEWNET = 0x40000000
PR_SET_NO_NEW_PRIVS = 38
ENV_UID, ENV_GID = "COURSEKIT_SANDBOX_UID", "COURSEKIT_SANDBOX_GID"
ENV_SCRATCH, ENV_NETNS = "COURSEKIT_SANDBOX_SCRATCH", "COURSEKIT_SANDBOX_NETNS"
ENV_HIDE = "COURSEKIT_SANDBOX_HIDE"  # JSON list: course paths the kernel must not see


@dataclass
class Status:
    enabled: bool
    why: str = ""


def sandbox_status() -> Status:
    if sys.platform != "linux":
        return Status(False, f"the sandbox needs Linux (this is {sys.platform}): student code "
                             "runs as you, with your rights")
    if os.environ.get("COURSEKIT_SANDBOX", "1").strip().lower() in ("0", "off", "no", "false"):
        return Status(False, "COURSEKIT_SANDBOX=0: student code runs as you, with your rights")
    if os.geteuid() != 0:
        return Status(False, "the sandbox needs root (to run student code as an unprivileged "
                             "user): student code runs as you, with your rights")
    if not shutil.which("useradd") and not _user_exists(f"{USER_PREFIX}0"):
        return Status(False, "no useradd to create the sandbox users")
    return Status(True, "student code runs as an unprivileged user in its scratch folder")


def _user_exists(name: str):
    import pwd

    try:
        return pwd.getpwnam(name)
    except KeyError:
        return None


def _ensure_user(name: str):
    entry = _user_exists(name)
    if entry is None:
        subprocess.run(["useradd", "--system", "--no-create-home", "--home-dir", "/nonexistent",
                        "--shell", "/usr/sbin/nologin", "--user-group", name],
                       check=False, capture_output=True)
        entry = _user_exists(name)
    if entry is None:
        raise OSError(f"could not create the sandbox user {name}")
    return entry


class Slot:
    """One sandbox user held by this process (released when the process exits)."""

    def __init__(self):
        for index in range(SLOTS):
            handle = open(f"/tmp/coursekit-sandbox-{index}.lock", "a")
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            self.lock = handle
            entry = _ensure_user(f"{USER_PREFIX}{index}")
            self.name, self.uid, self.gid = entry.pw_name, entry.pw_uid, entry.pw_gid
            return
        raise OSError("all sandbox slots are taken")

    def env(self, scratch: str, netns: bool = True, hide: list[str] | None = None
            ) -> dict[str, str]:
        return {ENV_UID: str(self.uid), ENV_GID: str(self.gid), ENV_SCRATCH: scratch,
                ENV_NETNS: "1" if netns else "0", ENV_HIDE: json.dumps(hide or [])}

    def prepare(self, scratch: str) -> None:
        """Hand the scratch folder to the slot's user (it is the only place it may write)."""
        for root, dirs, files in os.walk(scratch):
            for name in dirs + files:
                os.lchown(os.path.join(root, name), self.uid, self.gid)
        os.chown(scratch, self.uid, self.gid)
        os.chmod(scratch, 0o700)

    def sweep(self) -> int:
        return sweep_uid(self.uid)

    def close(self) -> None:
        """Give the slot back (the lock is released; the user stays for the next run)."""
        self.sweep()
        self.lock.close()


def sweep_uid(uid: int) -> int:
    """Kill every process of ``uid``; return how many there were."""
    import psutil

    def alive():
        return [p for p in psutil.process_iter(["uids", "status"]) if p.info["uids"]
                and p.info["uids"].real == uid and p.info["status"] != psutil.STATUS_ZOMBIE]

    found = 0
    deadline = time.monotonic() + 1.0  # the kernel itself may still be exiting: not a leftover
    while time.monotonic() < deadline and alive():
        time.sleep(0.05)
    for _ in range(5):
        victims = alive()
        if not victims:
            break
        found = max(found, len(victims))
        pid = os.fork()
        if pid == 0:  # as that user, kill(-1) reaches every one of its processes at once
            try:
                os.setgroups([])
                os.setgid(os.getgid())
                os.setuid(uid)
                os.kill(-1, signal.SIGKILL)
            finally:
                os._exit(0)
        os.waitpid(pid, 0)
        time.sleep(0.05)
    return found


def sweep_token(token: str, skip: set[int] | None = None) -> int:
    """Without a sandbox: kill processes whose environment carries the submission's token."""
    import psutil

    found = 0
    me = os.getpid()
    for process in psutil.process_iter():
        if process.pid == me or (skip and process.pid in skip):
            continue
        try:
            if process.environ().get("COURSEKIT_GRADE_TOKEN") == token:
                process.kill()
                found += 1
        except (psutil.Error, OSError):
            pass
    return found


_entered = False


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def enter() -> None:
    """In a grading kernel still running as root: become the sandbox user (see module doc)."""
    global _entered
    if _entered or ENV_UID not in os.environ or os.geteuid() != 0:
        return
    _entered = True
    import resource

    uid, gid = int(os.environ[ENV_UID]), int(os.environ[ENV_GID])
    scratch = os.environ[ENV_SCRATCH]
    libc = _libc()
    own_mounts = False
    if os.environ.get(ENV_NETNS) == "1":
        if libc.unshare(CLONE_NEWNET | CLONE_NEWNS) == 0:
            own_mounts = True
        else:
            libc.unshare(CLONE_NEWNET)
    elif libc.unshare(CLONE_NEWNS) == 0:
        own_mounts = True
    if own_mounts and libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) == 0:
        _reach_python(libc, scratch)
        _hide(libc, json.loads(os.environ.get(ENV_HIDE) or "[]"))
    _own_connection_file(scratch, uid, gid)
    resource.setrlimit(resource.RLIMIT_NPROC, (MAX_PROCESSES, MAX_PROCESSES))
    for key in list(os.environ):
        if key.startswith("COURSEKIT_SANDBOX"):
            del os.environ[key]
    os.environ.update(HOME=scratch, TMPDIR=scratch, JUPYTER_RUNTIME_DIR=scratch,
                      IPYTHONDIR=os.path.join(scratch, ".ipython"))
    if "matplotlib" not in sys.modules:
        os.environ["MPLCONFIGDIR"] = os.path.join(scratch, ".matplotlib")
    os.setgroups([])
    os.setgid(gid)
    os.setuid(uid)
    libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
    os.chdir(scratch)
    if os.getuid() != uid or os.geteuid() != uid:
        os._exit(70)


MS_BIND, MS_MOVE, MS_REC, MS_PRIVATE = 4096, 8192, 16384, 1 << 18


def _needed_paths() -> list[str]:
    import coursekit

    paths = {sys.base_prefix, sys.prefix, sys.exec_prefix, os.path.dirname(sys.executable),
             os.path.dirname(os.path.dirname(os.path.abspath(coursekit.__file__)))}
    paths.update(p for p in sys.path if p and os.path.isdir(p))
    if os.environ.get("COURSEKIT_ROOT"):
        paths.add(os.environ["COURSEKIT_ROOT"])
    return sorted({os.path.realpath(p) for p in paths})


def _closed_ancestor(path: str) -> str | None:
    """The highest folder above ``path`` that other users cannot enter (None if all can)."""
    parts = path.strip("/").split("/")
    for depth in range(1, len(parts)):
        folder = "/" + "/".join(parts[:depth])
        try:
            if not os.stat(folder).st_mode & 0o001:
                return folder
        except OSError:
            return None
    return None


def _reach_python(libc, scratch: str) -> None:
    """In our own mount namespace: let the sandbox user reach Python and the course code.

    When Python lives in a folder other users cannot enter (e.g. /root/.pyenv), that folder is
    covered by an empty tmpfs and only the paths the kernel needs are mounted back into it, so
    the rest of it (the grader's home) stays out of reach.
    """
    closed: dict[str, list[str]] = {}
    for path in _needed_paths():
        ancestor = _closed_ancestor(path)
        if ancestor:
            closed.setdefault(ancestor, []).append(path)
    if not closed:
        return
    staged = []
    for ancestor, paths in closed.items():
        keep = [p for p in paths if not any(p != q and p.startswith(q + "/") for q in paths)]
        for index, path in enumerate(keep):
            stage = os.path.join(scratch, f".mnt{len(staged)}")
            os.mkdir(stage)
            if libc.mount(path.encode(), stage.encode(), None, MS_BIND | MS_REC, None) == 0:
                staged.append((stage, path))
        libc.mount(b"tmpfs", ancestor.encode(), b"tmpfs", 0, b"mode=0755")
    for stage, path in staged:
        os.makedirs(path, exist_ok=True)
        libc.mount(stage.encode(), path.encode(), None, MS_MOVE, None)
        os.rmdir(stage)


def _hide(libc, paths: list) -> None:
    """Cover the course's private folders (source with hidden tests, submissions, gradebook)."""
    for path in paths:
        if not isinstance(path, str) or not os.path.isabs(path):
            continue
        if os.path.isdir(path):
            libc.mount(b"tmpfs", path.encode(), b"tmpfs", 1, b"mode=0000,size=4k")  # MS_RDONLY
        elif os.path.isfile(path):
            libc.mount(b"/dev/null", path.encode(), None, MS_BIND, None)


def _own_connection_file(scratch: str, uid: int, gid: int) -> None:
    """The kernel reads its connection file after dropping root: give it a copy it can read."""
    argv = sys.argv
    for index, arg in enumerate(argv):
        if arg == "-f" and index + 1 < len(argv):
            source = argv[index + 1]
            target = os.path.join(scratch, ".kernel-connection.json")
            with open(source) as handle:
                info = json.load(handle)
            with open(target, "w") as handle:
                json.dump(info, handle)
            os.chown(target, uid, gid)
            os.chmod(target, 0o600)
            argv[index + 1] = target
            return
