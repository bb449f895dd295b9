"""A real JupyterHub on loopback, with each student as their own Unix user (hub test and bench).

What it sets up, as a university's hub would have it (docs/deploy.md):

- a course environment built from requirements.txt (uv, like a repo2docker image) in a folder
  every user can read, with Debian's python (the project's own .venv may live under /root);
- the student bundle (``coursekit bundle``, no solutions) in each student's home, where an
  nbgitpuller link would put it (``~/safe-havens``); homes are private (0700);
- the instructor's course folder (``~/course``: exercises, data, nbgrader_config.py) and
  nbgrader's exchange (a shared folder, world-writable with the sticky bit, as nbgrader documents);
- JupyterHub from PyPI with configurable-http-proxy from node_modules/, LocalProcessSpawner (each
  single-user server runs as its user), DummyAuthenticator with a shared password, and a service
  token that the test uses only to hand each student a token of their own.

Every wait is bounded; :func:`running_hub` kills every process of the class's users and removes
the users and folders on the way out, whatever happened.
"""
from __future__ import annotations

import asyncio
import json
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PROXY = REPO / "node_modules" / ".bin" / "configurable-http-proxy"
SYSTEM_PYTHON = Path("/usr/bin/python3")
COURSE_ID = "safe-havens"
SPAWN_TIMEOUT = 180  # s: a spawn slower than this is a failure, not a wait
REQUEST_TIMEOUT = 180  # s for one HTTP request: 20 spawns on 2 busy cores can keep the hub slow
CELL_TIMEOUT = 180


class TransportError(Exception):
    """No HTTP answer at all (timeout, refused or closed connection)."""


class HubError(RuntimeError):
    """The hub, the proxy or a spawn failed; the message says which and where the log is."""


def skip_reason() -> str | None:
    """Why this machine cannot run the hub test, or None if it can."""
    if sys.platform != "linux":
        return "the hub test needs Linux (students are Unix users)"
    if os.geteuid() != 0:
        return "the hub test needs root, to create the students' Unix users (CI runs as root)"
    for tool in ("useradd", "userdel"):
        if not shutil.which(tool):
            return f"no {tool} on this machine"
    if not PROXY.exists():
        return ("configurable-http-proxy is not in node_modules/ "
                "(`python3 course.py setup` installs it where npm exists)")
    if not SYSTEM_PYTHON.exists():
        return f"no {SYSTEM_PYTHON} to build a course environment every user can run"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("timeout", 300)
    return subprocess.run([str(a) for a in args], check=True, capture_output=True, text=True,
                          **kwargs)


# ----------------------------------------------------------------------------- the machine
@dataclass
class Account:
    name: str
    home: Path

    @property
    def uid(self) -> int:
        return pwd.getpwnam(self.name).pw_uid


@dataclass
class Site:
    """Everything made on the machine for one class, so that it can all be removed."""
    base: Path
    env: Path
    bundle: Path
    exchange: Path
    students: list[Account] = field(default_factory=list)
    instructor: Account | None = None
    password: str = field(default_factory=lambda: secrets.token_urlsafe(12))

    @property
    def accounts(self) -> list[Account]:
        return self.students + ([self.instructor] if self.instructor else [])


def build_env(site: Site) -> None:
    """The course environment from requirements.txt, the way an image build would make it."""
    uv = [sys.executable, "-m", "uv"]
    run(*uv, "venv", "-q", "--python", SYSTEM_PYTHON, site.env)
    # `-e .` in requirements.txt installs coursekit from the folder it runs in: the bundle,
    # which every user can read (the repository itself may not be).
    env = dict(os.environ, UV_COMPILE_BYTECODE="1")
    run(*uv, "pip", "install", "-q", "--python", site.env / "bin" / "python",
        "-r", REPO / "requirements.txt", cwd=site.bundle, env=env, timeout=600)
    config = site.env / "etc" / "jupyter"
    config.mkdir(parents=True, exist_ok=True)
    (config / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.Exchange.root = {str(site.exchange)!r}\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n")
    # students do not see nbgrader's instructor tools (RECIPES.md)
    run(site.env / "bin" / "jupyter", "labextension", "disable", "--level=sys_prefix",
        "@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment")
    settings = site.env / "share" / "jupyter" / "lab" / "settings"
    settings.mkdir(parents=True, exist_ok=True)
    (settings / "overrides.json").write_text(json.dumps(
        {"@jupyterlab/apputils-extension:notification":
         {"checkForUpdates": False, "fetchNews": "false"}}))


def add_user(name: str, site: Site) -> Account:
    home = site.base / "home" / name
    run("useradd", "--create-home", "--home-dir", home, "--shell", "/bin/sh", "--user-group", name)
    home.chmod(0o700)  # a student's files are theirs alone
    return Account(name, home)


def give(account: Account, source: Path, target_name: str) -> Path:
    target = account.home / target_name
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("*.answers.json", ".venv",
                                                                  "__pycache__", "node_modules"))
    run("chown", "-R", f"{account.name}:{account.name}", target)
    return target


def instructor_course(site: Site, account: Account) -> Path:
    """~/course: the instructor's nbgrader course folder (sources with solutions)."""
    course = account.home / "course"
    course.mkdir()
    for part in ("exercises", "data", "coursekit", "seeds"):
        shutil.copytree(REPO / part, course / part,
                        ignore=shutil.ignore_patterns("__pycache__", "*.answers.json"))
    for part in ("nbgrader_config.py", "pyproject.toml"):
        shutil.copy(REPO / part, course / part)
    with open(course / "nbgrader_config.py", "a") as fh:
        fh.write(f"\nc.CourseDirectory.course_id = {COURSE_ID!r}\n"
                 f"c.CourseDirectory.root = {str(course)!r}\n")
    run("chown", "-R", f"{account.name}:{account.name}", course)
    return course


def kill_user_processes(account: Account) -> None:
    try:
        uid = account.uid
    except KeyError:
        return
    for _ in range(3):
        pids = [int(p) for p in os.listdir("/proc") if p.isdigit() and _uid_of(int(p)) == uid]
        if not pids:
            return
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.3)


def _uid_of(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("Uid:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def user_rss_mb(account: Account) -> float:
    """Resident memory of everything the user runs (single-user server + kernels), in MB."""
    uid, total = account.uid, 0
    for p in os.listdir("/proc"):
        if p.isdigit() and _uid_of(int(p)) == uid:
            try:
                with open(f"/proc/{p}/status") as fh:
                    for line in fh:
                        if line.startswith("VmRSS:"):
                            total += int(line.split()[1])
            except OSError:
                pass
    return total / 1024


@contextmanager
def class_site(n_students: int, log=print):
    """Users, homes, environment, bundle and exchange for a class; removed afterwards."""
    from coursekit.bundle import build_bundle

    base = Path(tempfile.mkdtemp(prefix="sh-hub-"))
    base.chmod(0o755)
    (base / "home").mkdir(mode=0o755)
    tag = uuid.uuid4().hex[:4]
    site = Site(base=base, env=base / "env", bundle=base / "bundle", exchange=base / "exchange")
    try:
        t0 = time.monotonic()
        build_bundle(REPO, site.bundle)
        run("chmod", "-R", "a+rX", site.bundle)
        site.exchange.mkdir()
        site.exchange.chmod(0o1777)  # nbgrader: the exchange is writable by all, sticky
        build_env(site)
        run("chmod", "-R", "a+rX", site.env)
        log(f"[hub] course environment and bundle ready in {time.monotonic() - t0:.0f} s")
        site.instructor = add_user(f"sh{tag}t", site)
        instructor_course(site, site.instructor)
        for i in range(1, n_students + 1):
            account = add_user(f"sh{tag}s{i:02d}", site)
            give(account, site.bundle, "safe-havens")
            site.students.append(account)
        yield site
    finally:
        for account in site.accounts:
            kill_user_processes(account)
            subprocess.run(["userdel", "--remove", account.name], capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


# ----------------------------------------------------------------------------- the hub
HUB_CONFIG = """\
c = get_config()  # noqa: F821
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.JupyterHub.db_url = "sqlite:///{state}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.JupyterHub.pid_file = "{state}/jupyterhub.pid"
c.JupyterHub.cleanup_servers = True
c.JupyterHub.concurrent_spawn_limit = 0
c.JupyterHub.active_server_limit = 0
c.ConfigurableHTTPProxy.command = [{proxy!r}]
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.should_start = True
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {password!r}
c.Authenticator.allowed_users = set({users!r})
c.Authenticator.admin_users = {{{instructor!r}}}
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [{singleuser!r}]
c.Spawner.default_url = "/lab"
c.Spawner.args = ["--LabApp.expose_app_in_browser=True", "--LabApp.news_url=None"]
c.Spawner.notebook_dir = "~"
c.Spawner.start_timeout = {spawn_timeout}
c.Spawner.http_timeout = {spawn_timeout}
c.Spawner.environment = {{"PATH": "{env}/bin:/usr/local/bin:/usr/bin:/bin",
                          "JUPYTERLAB_SETTINGS_DIR": "{env}/share/jupyter/lab/settings-user"}}
c.JupyterHub.services = [{{"name": "class-driver", "api_token": {service_token!r}}}]
c.JupyterHub.load_roles = [{{"name": "class-driver", "services": ["class-driver"],
                            "scopes": ["admin:users", "admin:servers", "tokens", "list:users"]}}]
"""


@dataclass
class Hub:
    url: str
    service_token: str
    process: subprocess.Popen
    log_path: Path

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return "(no log)"


@contextmanager
def running_hub(site: Site, log=print):
    state = site.base / "hub"
    state.mkdir(mode=0o700)
    port, hub_port, proxy_api_port = free_port(), free_port(), free_port()
    service_token = secrets.token_hex(24)
    (state / "jupyterhub_config.py").write_text(HUB_CONFIG.format(
        port=port, hub_port=hub_port, proxy_api_port=proxy_api_port, state=state,
        proxy=str(PROXY), password=site.password,
        users=sorted(a.name for a in site.accounts), instructor=site.instructor.name,
        singleuser=str(site.env / "bin" / "jupyterhub-singleuser"), env=site.env,
        spawn_timeout=SPAWN_TIMEOUT, service_token=service_token))
    log_path = state / "jupyterhub.log"
    hub_bin = Path(sys.executable).parent / "jupyterhub"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "COURSEKIT", "MPL"))}
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    with open(log_path, "w") as out:
        process = subprocess.Popen([str(hub_bin), "-f", str(state / "jupyterhub_config.py")],
                                   cwd=state, stdout=out, stderr=subprocess.STDOUT, env=env,
                                   start_new_session=True)
    hub = Hub(f"http://127.0.0.1:{port}", service_token, process, log_path)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise HubError(f"JupyterHub exited with {process.returncode} before it served; "
                               f"log {log_path}:\n{hub.log_tail()}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    pass
                import urllib.request
                with urllib.request.urlopen(f"{hub.url}/hub/api/", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise HubError(f"JupyterHub (or its proxy) did not answer on {hub.url} within "
                               f"90 s; log {log_path}:\n{hub.log_tail()}")
            time.sleep(0.5)
        log(f"[hub] JupyterHub up at {hub.url}")
        yield hub
    finally:
        try:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=20)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


# ----------------------------------------------------------------------------- HTTP + kernels
class Http:
    """Tiny async HTTP client (tornado) that keeps cookies and a token."""

    def __init__(self, base: str, token: str | None = None):
        from tornado.httpclient import AsyncHTTPClient

        self.base, self.token, self.cookies = base, token, {}
        self.client = AsyncHTTPClient(force_instance=True, max_clients=4)

    def close(self):
        self.client.close()

    async def request(self, method: str, path: str, body=None, *, form: dict | None = None,
                      expect=(200, 201, 202, 204), timeout: float = REQUEST_TIMEOUT,
                      headers=None):
        """One request; a GET that times out is tried once more (it changes nothing)."""
        for attempt in (1, 2):
            try:
                return await self._request(method, path, body, form=form, expect=expect,
                                           timeout=timeout, headers=headers)
            except (OSError, TransportError) as exc:  # timeouts, refused or closed connections
                if method != "GET" or attempt == 2:
                    raise HubError(f"{method} {path}: {type(exc).__name__}: {exc} "
                                   f"(after {timeout:.0f} s)") from exc

    async def _request(self, method, path, body, *, form, expect, timeout, headers):
        from tornado.httpclient import HTTPClientError

        hdrs = dict(headers or {})
        if self.token:
            hdrs["Authorization"] = f"token {self.token}"
        if self.cookies:
            hdrs["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if form is not None:
            data = urllib.parse.urlencode(form)
            hdrs["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        elif method in ("POST", "PUT", "PATCH"):
            data = ""
        try:
            resp = await self.client.fetch(self.base + path, method=method, body=data,
                                           headers=hdrs, follow_redirects=False,
                                           request_timeout=timeout, raise_error=False)
        except HTTPClientError as exc:
            if exc.response is None or exc.code == 599:  # no HTTP answer at all
                raise TransportError(str(exc)) from exc
            resp = exc.response
        if resp.code == 599:  # tornado's code for "no response" (timeout, connection closed)
            raise TransportError(str(resp.error))
        for value in resp.headers.get_list("Set-Cookie"):
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if expect and resp.code not in expect:
            raise HubError(f"{method} {path} -> {resp.code}: {resp.body[:300]!r}")
        return resp

    async def json(self, method: str, path: str, body=None, **kw):
        resp = await self.request(method, path, body, **kw)
        return json.loads(resp.body) if resp.body else None


class Kernel:
    """A kernel on a single-user server, driven over the Jupyter websocket protocol."""

    def __init__(self, http: Http, prefix: str, kernel_id: str):
        self.http, self.prefix, self.id = http, prefix, kernel_id
        self.session = uuid.uuid4().hex
        self.ws = None

    async def connect(self):
        from tornado.httpclient import HTTPClientError, HTTPRequest
        from tornado.websocket import websocket_connect

        url = (self.http.base.replace("http", "ws", 1) + self.prefix +
               f"/api/kernels/{self.id}/channels?session_id={self.session}")
        for attempt in (1, 2):  # connecting changes nothing, so a timeout is tried once more
            request = HTTPRequest(url, headers={"Authorization": f"token {self.http.token}"},
                                  request_timeout=REQUEST_TIMEOUT, connect_timeout=REQUEST_TIMEOUT)
            try:
                self.ws = await websocket_connect(request)
                return
            except (OSError, HTTPClientError) as exc:  # HTTPTimeoutError included
                if attempt == 2 or getattr(exc, "code", 599) != 599:
                    raise HubError(f"kernel {self.id[:8]}'s websocket: {type(exc).__name__}: "
                                   f"{exc} (after {REQUEST_TIMEOUT:.0f} s)") from exc

    async def execute(self, code: str, timeout: float = CELL_TIMEOUT) -> dict:
        """Run code; return {"ok", "stdout", "stderr", "error", "outputs", "seconds"}."""
        msg_id = uuid.uuid4().hex
        msg = {"header": {"msg_id": msg_id, "msg_type": "execute_request", "session": self.session,
                          "username": "", "version": "5.3",
                          "date": datetime.now(timezone.utc).isoformat()},
               "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
               "content": {"code": code, "silent": False, "store_history": True,
                           "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}
        start = time.monotonic()
        await self.ws.write_message(json.dumps(msg))
        result = {"ok": None, "stdout": "", "stderr": "", "error": None, "outputs": []}
        replied = idle = False
        deadline = start + timeout
        while not (replied and idle):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HubError(f"cell did not finish within {timeout} s: {code[:80]!r}")
            raw = await asyncio.wait_for(self.ws.read_message(), remaining)
            if raw is None:
                raise HubError("kernel websocket closed while a cell ran")
            if isinstance(raw, bytes):
                continue  # binary frames (widget buffers) are not needed here
            reply = json.loads(raw)
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = reply["msg_type"], reply["content"]
            if kind == "stream":
                result[content["name"]] += content["text"]
            elif kind == "error":
                result["error"] = f"{content['ename']}: {content['evalue']}"
            elif kind in ("display_data", "execute_result"):
                result["outputs"].append(content.get("data", {}))
            elif kind == "execute_reply":
                replied, result["ok"] = True, content["status"] == "ok"
                if content["status"] == "error" and not result["error"]:
                    result["error"] = f"{content.get('ename')}: {content.get('evalue')}"
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
        result["seconds"] = time.monotonic() - start
        return result

    async def restart(self):
        await self.http.request("POST", f"{self.prefix}/api/kernels/{self.id}/restart",
                                timeout=90)
        await self.aclose()
        await self.connect()
        for _ in range(3):  # the first request after a restart may race the kernel's start
            try:
                return await self.execute("1", timeout=60)
            except HubError:
                await asyncio.sleep(1)
        raise HubError("kernel did not come back after a restart")

    async def aclose(self):
        """Close the websocket and wait (bounded) for the close handshake, so no socket leaks."""
        ws, self.ws = self.ws, None
        if ws is None:
            return
        ws.close()
        try:
            while await asyncio.wait_for(ws.read_message(), 5) is not None:
                pass
        except (asyncio.TimeoutError, Exception):
            pass


async def login(hub_url: str, name: str, password: str) -> Http:
    """Log in through the hub's login form (as a browser would); returns a cookie session."""
    http = Http(hub_url)
    await http.request("GET", "/hub/login")
    xsrf = http.cookies.get("_xsrf", "")
    resp = await http.request("POST", "/hub/login?next=", form={
        "username": name, "password": password, "_xsrf": xsrf}, expect=(302, 303))
    if "/hub/login" in resp.headers.get("Location", ""):
        raise HubError(f"login of {name} was refused")
    return http


async def user_token(hub: Hub, name: str) -> str:
    admin = Http(hub.url, hub.service_token)
    try:
        reply = await admin.json("POST", f"/hub/api/users/{name}/tokens",
                                 {"note": "hub test", "expires_in": 7200})
    finally:
        admin.close()
    return reply["token"]


async def start_server(hub: Hub, http: Http, name: str, timeout: float = SPAWN_TIMEOUT) -> str:
    """Ask the hub for the user's server; wait (bounded) until it is ready. Returns its prefix."""
    await http.request("POST", f"/hub/api/users/{name}/server", expect=(201, 202, 400))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        model = await http.json("GET", f"/hub/api/users/{name}")
        server = (model.get("servers") or {}).get("")
        if server and server.get("ready"):
            return server["url"].rstrip("/")
        if server is None and model.get("pending") is None and time.monotonic() > deadline - timeout + 5:
            raise HubError(f"the spawn of {name}'s server failed (no server, nothing pending)")
        await asyncio.sleep(0.5)
    raise HubError(f"{name}'s server was not ready within {timeout} s")


async def open_kernel(http: Http, prefix: str, notebook: str) -> Kernel:
    """A kernel for ``notebook`` (a session, so its working folder is the notebook's)."""
    session = await http.json("POST", f"{prefix}/api/sessions", {
        "path": notebook, "type": "notebook", "name": Path(notebook).name,
        "kernel": {"name": "python3"}}, timeout=240)
    kernel = Kernel(http, prefix, session["kernel"]["id"])
    await kernel.connect()
    return kernel


async def notebook_cells(http: Http, prefix: str, notebook: str) -> list[str]:
    model = await http.json("GET", f"{prefix}/api/contents/{urllib.parse.quote(notebook)}")
    return ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in model["content"]["cells"] if c["cell_type"] == "code"]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


# ----------------------------------------------------------------------------- the class
QUIZ_BANK = "00_start_here"
QUIZ_NOTEBOOK = "safe-havens/notebooks/00_start_here.ipynb"

ANSWER_CODE = f"""
from coursekit.quiz import quiz
q = quiz({QUIZ_BANK!r}, show=False)
picked = {{}}
for qid, view in q.questions.items():
    if view.q.type in ("single", "true_false", "numeric") and view.q.answer is not None:
        view.set_answer(view.q.answer)
        view.check()
        picked[qid] = view.result["answer"]
import json; print("ANSWERED", json.dumps(picked))
"""

RESTORED_CODE = f"""
from coursekit.quiz import quiz
q = quiz({QUIZ_BANK!r}, show=False)
import json
print("RESTORED", json.dumps({{k: (v.result or {{}}).get("answer") for k, v in q.questions.items()
                              if v.result}}))
"""

SHELL_CODE = """
import subprocess
def sh(*cmd):
    r = subprocess.run(list(cmd), capture_output=True, text=True, timeout=600)
    print("CMD", " ".join(cmd), "->", r.returncode)
    if r.returncode:
        print(r.stdout[-2000:]); print(r.stderr[-2000:])
    return r.returncode
"""


def isolation_code(other_home: Path, exchange: Path) -> str:
    other = other_home / "safe-havens" / "notebooks"
    return f"""
import json, os
def attempt(fn):
    try:
        fn()
        return "ALLOWED"
    except PermissionError:
        return "denied"
    except FileNotFoundError:
        return "not found"
tries = {{
    "read another student's quiz answers": lambda: open({str(other / (QUIZ_BANK + '.answers.json'))!r}).read(),
    "list another student's home": lambda: os.listdir({str(other_home)!r}),
    "write into another student's lesson folder": lambda: open({str(other / 'planted.txt')!r}, "w").write("x"),
}}
print("ISOLATION", json.dumps({{k: attempt(f) for k, f in tries.items()}}))
"""


def _marker(result: dict, word: str):
    for line in result["stdout"].splitlines():
        if line.startswith(word + " "):
            return json.loads(line[len(word) + 1:])
    raise HubError(f"no {word} line in the kernel's output: {result['stdout'][-500:]!r} "
                   f"{result['stderr'][-500:]!r} {result['error']}")


@dataclass
class StudentRun:
    name: str
    seconds_to_kernel: float = float("nan")
    cell_seconds: list[float] = field(default_factory=list)
    cell_errors: list[str] = field(default_factory=list)
    answered: dict = field(default_factory=dict)
    restored: dict = field(default_factory=dict)
    rss_mb: float = float("nan")
    failure: str = ""

    @property
    def answers_lost(self) -> int:
        return sum(1 for k, v in self.answered.items() if self.restored.get(k) != v)


@dataclass
class ClassRun:
    students: list[StudentRun]
    seconds_until_all_kernels: float
    seconds_run_all: float
    lesson: str
    isolation: dict = field(default_factory=dict)
    http_isolation: int | None = None

    @property
    def latencies(self) -> list[float]:
        return [s for st in self.students for s in st.cell_seconds]


def _arrived(name: str, ready: list, n: int, event: asyncio.Event) -> None:
    """Count a student as started (or failed to start); the class begins when all are in."""
    if name not in ready:
        ready.append(name)
    if len(ready) >= n:
        event.set()


async def student_session(hub: Hub, account: Account, lesson: str, t0: float, run: StudentRun,
                          kernels_ready: asyncio.Event, ready: list, password: str, n: int):
    """One student: log in, start a server, open the lesson, run it, answer, restart, check."""
    cookie_session = await login(hub.url, account.name, password)
    cookie_session.close()
    http = Http(hub.url, await user_token(hub, account.name))
    kernel = quiz_kernel = None
    try:
        prefix = await start_server(hub, http, account.name)
        kernel = await open_kernel(http, prefix, f"safe-havens/notebooks/{lesson}.ipynb")
        await kernel.execute("1", timeout=120)
        run.seconds_to_kernel = time.monotonic() - t0
        _arrived(account.name, ready, n, kernels_ready)
        await asyncio.wait_for(kernels_ready.wait(), SPAWN_TIMEOUT)  # the class starts together
        for code in await notebook_cells(http, prefix, f"safe-havens/notebooks/{lesson}.ipynb"):
            result = await kernel.execute(code)
            run.cell_seconds.append(result["seconds"])
            if result["error"]:
                run.cell_errors.append(result["error"])
                break
        quiz_kernel = await open_kernel(http, prefix, QUIZ_NOTEBOOK)
        run.answered = _marker(await quiz_kernel.execute(ANSWER_CODE), "ANSWERED")
        await quiz_kernel.restart()
        run.restored = _marker(await quiz_kernel.execute(RESTORED_CODE), "RESTORED")
        run.rss_mb = user_rss_mb(account)
    except Exception as exc:  # recorded, so one student's failure does not hide the others'
        run.failure = f"{type(exc).__name__}: {exc}"
        _arrived(account.name, ready, n, kernels_ready)
    finally:
        for k in (kernel, quiz_kernel):
            if k:
                await k.aclose()
        http.close()


async def run_class(hub: Hub, site: Site, lesson: str, log=print,
                    students: list[Account] | None = None, isolation: bool = True) -> ClassRun:
    """Every student at once; then isolation checks by the first student against the second."""
    students = site.students if students is None else students
    t0 = time.monotonic()
    runs = [StudentRun(a.name) for a in students]
    ready: list[str] = []
    kernels_ready = asyncio.Event()
    await asyncio.gather(*(student_session(hub, a, lesson, t0, r, kernels_ready, ready,
                                           site.password, len(students))
                           for a, r in zip(students, runs)))
    t_kernels = max((r.seconds_to_kernel for r in runs if r.seconds_to_kernel == r.seconds_to_kernel),
                    default=float("nan"))
    total = time.monotonic() - t0
    log(f"[hub] {len(students)} students: all kernels after {t_kernels:.1f} s, "
        f"class done after {total:.1f} s")
    report = ClassRun(runs, t_kernels, total - t_kernels, lesson)
    if not isolation:
        return report
    a, b = site.students[0], site.students[1]
    http = Http(hub.url, await user_token(hub, a.name))
    try:
        prefix = await start_server(hub, http, a.name)
        kernel = await open_kernel(http, prefix, QUIZ_NOTEBOOK)
        report.isolation = _marker(await kernel.execute(isolation_code(b.home, site.exchange)),
                                   "ISOLATION")
        await kernel.aclose()
        resp = await http.request("GET", f"/user/{b.name}/api/contents/safe-havens", expect=None)
        report.http_isolation = resp.code
    finally:
        http.close()
    return report


async def classroom_loop(hub: Hub, site: Site, students: list[Account], assignment: str,
                         log=print) -> dict:
    """release → fetch → submit → collect → coursekit grade → feedback → fetch_feedback."""
    codes: dict[str, object] = {}

    async def kernel_for(account: Account, path: str) -> tuple[Http, Kernel]:
        http = Http(hub.url, await user_token(hub, account.name))
        prefix = await start_server(hub, http, account.name)
        kernel = await open_kernel(http, prefix, path)
        await kernel.execute(SHELL_CODE)
        return http, kernel

    async def shell(kernel: Kernel, *commands: str) -> str:
        result = await kernel.execute("\n".join(commands), timeout=900)
        if result["error"]:
            raise HubError(f"{result['error']}\n{result['stdout'][-2000:]}")
        return result["stdout"]

    t_http, teacher = await kernel_for(site.instructor, "course/grading.ipynb")
    try:
        out = await shell(teacher, f'sh("nbgrader", "generate_assignment", "{assignment}", "--force")',
                          f'sh("nbgrader", "release_assignment", "{assignment}", "--force")')
        codes["release"] = out

        async def submit(account: Account):
            http, kernel = await kernel_for(account, "exchange.ipynb")
            try:
                return account.name, await shell(
                    kernel, f'sh("nbgrader", "fetch_assignment", "{assignment}")',
                    f'sh("nbgrader", "submit", "{assignment}")')
            finally:
                await kernel.aclose()
                http.close()

        codes["submit"] = dict(await asyncio.gather(*(submit(a) for a in students)))
        http, kernel = await kernel_for(students[0], "exchange.ipynb")
        try:  # a student may drop a submission into inbound/, not see the others'
            inbound = site.exchange / COURSE_ID / "inbound"
            out = await shell(kernel, "import os, json", "try:",
                              f"    got = sorted(os.listdir({str(inbound)!r}))", "except PermissionError:",
                              "    got = 'denied'", "print('INBOUND', json.dumps(got))")
            codes["inbound_seen_by_student"] = next(
                json.loads(line[8:]) for line in out.splitlines() if line.startswith("INBOUND "))
        finally:
            await kernel.aclose()
            http.close()
        codes["grade"] = await shell(
            teacher, f'sh("nbgrader", "collect", "{assignment}")',
            f'sh("coursekit", "grade", "{assignment}")',
            f'sh("nbgrader", "generate_feedback", "{assignment}")',
            f'sh("nbgrader", "release_feedback", "{assignment}")',
            "import sqlite3, json",
            "con = sqlite3.connect('gradebook.db')",
            "rows = con.execute(\"SELECT s.student_id, COUNT(*) FROM submitted_assignment s "
            f"JOIN assignment a ON a.id = s.assignment_id WHERE a.name = '{assignment}' "
            "GROUP BY s.student_id\").fetchall()",
            "print('GRADED', json.dumps(dict(rows)))")
        codes["graded"] = next(json.loads(line[7:]) for line in codes["grade"].splitlines()
                               if line.startswith("GRADED "))

        async def feedback(account: Account):
            http, kernel = await kernel_for(account, "exchange.ipynb")
            try:
                out = await shell(kernel, f'sh("nbgrader", "fetch_feedback", "{assignment}")',
                                  "import glob, json",
                                  f"print('FEEDBACK', json.dumps(glob.glob('{assignment}/feedback/*/*.html')))")
                return account.name, next(json.loads(line[9:]) for line in out.splitlines()
                                          if line.startswith("FEEDBACK "))
            finally:
                await kernel.aclose()
                http.close()

        codes["feedback"] = dict(await asyncio.gather(*(feedback(a) for a in students)))
    finally:
        await teacher.aclose()
        t_http.close()
    return codes
