#!/usr/bin/env python3
"""Set up the Safe Havens environment and open it, or test it.

Needs only Python 3.10+ (standard library). Two commands, from this folder:

    python3 course.py lab     # set up .venv (first time) and open JupyterLab on the start notebook
    python3 course.py test    # set up .venv (first time) and run the whole test suite

Set-up creates a virtual environment in .venv, installs the pinned requirements.txt with uv
(itself installed into .venv from PyPI; falls back to pip), and skips all of that next time
unless requirements.txt has changed. `test` (and `setup`) also install the test suite's Node
tools from package.json into node_modules/ (JupyterHub's proxy, axe-core) when npm is there; tests
that need them skip with a reason where it is not. Extra arguments after `test` go to pytest.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements.sha256"
START_NOTEBOOK = "notebooks/00_start_here.ipynb"
PACKAGE_JSON, PACKAGE_LOCK = ROOT / "package.json", ROOT / "package-lock.json"
NODE_STAMP = ROOT / "node_modules" / ".package-lock.sha256"


def say(message: str) -> None:
    print(f"[safe-havens] {message}", flush=True)


def venv_python() -> Path:
    if os.name == "nt":
        return VENV / "Scripts" / "python.exe"
    return VENV / "bin" / "python"


def requirements_hash() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def run(*args: str | Path, **kwargs) -> None:
    subprocess.run([str(a) for a in args], check=True, **kwargs)


def setup() -> Path:
    """Create .venv and install requirements.txt into it, unless already up to date."""
    if sys.version_info < (3, 10):
        sys.exit("Safe Havens needs Python 3.10 or newer; this is " + sys.version.split()[0])
    python = venv_python()
    if python.exists() and STAMP.exists() and STAMP.read_text().strip() == requirements_hash():
        return python
    if not python.exists():
        say(f"creating a virtual environment in {VENV.name}/ …")
        venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
    say("installing the course packages (first time: about a minute) …")
    env = dict(os.environ, UV_COMPILE_BYTECODE="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    try:
        run(python, "-m", "pip", "install", "--quiet", "uv", env=env)
        run(python, "-m", "uv", "pip", "install", "--python", python,
            "-r", REQUIREMENTS, env=env, cwd=ROOT)
    except subprocess.CalledProcessError:
        say("uv did not work here; falling back to pip (slower) …")
        run(python, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS, env=env, cwd=ROOT)
    write_lab_overrides()
    STAMP.write_text(requirements_hash())
    say("environment ready.")
    return python


def node_tools() -> None:
    """npm packages the tests use, into this folder's node_modules/ (never global)."""
    if not PACKAGE_JSON.exists():
        return
    lock = PACKAGE_LOCK if PACKAGE_LOCK.exists() else PACKAGE_JSON
    digest = hashlib.sha256(lock.read_bytes()).hexdigest()
    if NODE_STAMP.exists() and NODE_STAMP.read_text().strip() == digest:
        return
    npm = shutil.which("npm")
    if not npm:
        say("npm not found: the hub and accessibility tests will skip (install Node.js to run them)")
        return
    say("installing the test suite's Node tools (node_modules/) …")
    verb = "ci" if PACKAGE_LOCK.exists() else "install"
    try:
        run(npm, verb, "--no-audit", "--no-fund", "--loglevel=error", cwd=ROOT)
    except subprocess.CalledProcessError:
        say("npm could not install the Node tools: the hub and accessibility tests will skip")
        return
    NODE_STAMP.write_text(digest)


def venv_env() -> dict:
    """The environment with .venv's scripts first on PATH, as if it were activated (nbgrader
    calls the `alembic` script by name when it creates a gradebook)."""
    scripts = venv_python().parent
    return dict(os.environ, VIRTUAL_ENV=str(VENV),
                PATH=os.pathsep.join([str(scripts), os.environ.get("PATH", "")]))


def write_lab_overrides() -> None:
    """Quiet defaults for class: no "would you like news?" pop-up, no update checks."""
    settings = VENV / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    overrides = {"@jupyterlab/apputils-extension:notification":
                 {"checkForUpdates": False, "fetchNews": "false"}}
    (settings / "overrides.json").write_text(json.dumps(overrides, indent=2))


def lab(python: Path, extra: list[str]) -> int:
    say(f"opening JupyterLab on {START_NOTEBOOK} (stop it with Ctrl+C) …")
    # Serve the whole course folder (data/, seeds/, exercises/ stay browsable) and open the start
    # notebook. (Passing the notebook as an argument would make notebooks/ the root instead.)
    command = [str(python), "-m", "jupyter", "lab", f"--ServerApp.root_dir={ROOT}",
               f"--LabApp.default_url=/lab/tree/{START_NOTEBOOK}", *extra]
    return subprocess.call(command, cwd=ROOT, env=venv_env())


def test(python: Path, extra: list[str]) -> int:
    args = extra or ["-n", "auto", "--dist", "loadfile"]
    return subprocess.call([str(python), "-m", "pytest", *args], cwd=ROOT, env=venv_env())


def main(argv: list[str]) -> int:
    commands = {"lab": lab, "test": test, "setup": None}
    if not argv or argv[0] not in commands:
        print(__doc__)
        return 2
    python = setup()
    if argv[0] in ("test", "setup"):
        node_tools()
    action = commands[argv[0]]
    return 0 if action is None else action(python, argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
