"""Start JupyterLab on a free localhost port and drive it with Playwright + Debian chromium.

Used by the browser test and by bench/. The course folder is copied first, so quiz answers written
during the test never land in the repository.
"""
from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
COURSE_PARTS = ("notebooks", "data", "seeds")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def copy_course(repo: Path, target: Path) -> Path:
    for part in COURSE_PARTS:
        shutil.copytree(repo / part, target / part,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "*.answers.json"))
    return target


class Lab:
    def __init__(self, root: Path, port: int, token: str, process: subprocess.Popen):
        self.root, self.port, self.token, self.process = root, port, token, process
        self.base = f"http://127.0.0.1:{port}"

    def api(self, path: str, method: str = "GET"):
        req = urllib.request.Request(f"{self.base}{path}", method=method,
                                     headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = resp.read()
        return json.loads(body) if body else None

    def url(self, notebook: str) -> str:
        return f"{self.base}/lab/tree/{notebook}?reset&token={self.token}"  # reset: no restored tabs

    def delete_sessions(self) -> None:
        """Stop every kernel, so that the next run starts from a cold kernel."""
        for session in self.api("/api/sessions"):
            self.api(f"/api/sessions/{session['id']}", method="DELETE")


@contextmanager
def running_lab(root: Path, log_path: Path):
    """Run `jupyter lab` serving root; yield a Lab; stop it afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    settings = root / ".lab-settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True, exist_ok=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"checkForUpdates": False, "fetchNews": "false"}))
    # render every cell (no virtual scrolling), so widget errors anywhere are in the page
    (settings / "@jupyterlab" / "notebook-extension").mkdir(parents=True, exist_ok=True)
    (settings / "@jupyterlab" / "notebook-extension" / "tracker.jupyterlab-settings").write_text(
        json.dumps({"windowingMode": "none"}))
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings))
    env.pop("MPLBACKEND", None)
    env.pop("COURSEKIT_ROOT", None)  # the copied course must be found from the notebooks' folder
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--port", str(port),
               "--ip", "127.0.0.1", f"--IdentityProvider.token={token}", "--allow-root",
               f"--ServerApp.root_dir={root}", "--LabApp.news_url=None", "--expose-app-in-browser"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=root)
        lab = Lab(root, port, token, process)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    lab.api("/api/status")
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"JupyterLab did not start; see {log_path}") from None
                    time.sleep(0.3)
            yield lab
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def launch_browser(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def wait_idle(page, timeout_ms: int = 60_000) -> None:
    """Wait until the open notebook's kernel exists and is idle."""
    page.wait_for_function(
        "() => window.jupyterapp?.shell?.currentWidget?.sessionContext?.session?.kernel?.status"
        " === 'idle'", timeout=timeout_ms)


NOTEBOOK_STATE_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const cells = [];
    for (let i = 0; i < panel.content.model.cells.length; i++) {
        const cell = panel.content.model.cells.get(i);
        if (cell.type !== 'code') continue;
        cells.push({index: i, count: cell.executionCount,
                    outputs: cell.outputs.toJSON()});
    }
    return {status: panel.sessionContext.session?.kernel?.status ?? 'unknown', cells};
}"""


def notebook_state(page) -> dict:
    """Execution counts and outputs of every code cell, read from the notebook model."""
    return page.evaluate(NOTEBOOK_STATE_JS)


def output_problems(state: dict) -> list[str]:
    problems = []
    for cell in state["cells"]:
        for out in cell["outputs"]:
            if out.get("output_type") == "error":
                problems.append(f"cell {cell['index']}: {out.get('ename')}: {out.get('evalue')}")
            elif out.get("output_type") == "stream" and out.get("name") == "stderr":
                problems.append(f"cell {cell['index']}: stderr: {str(out.get('text'))[:300]}")
    return problems


def run_all(page, timeout_s: float = 120) -> dict:
    """Run every cell of the open notebook; return the final state once it stopped running.

    Run All stops at the first error, so "done" means: the kernel is idle and every code cell has
    run, or a cell holds an error.
    """
    wait_idle(page)
    page.evaluate("window.jupyterapp.commands.execute('runmenu:run-all')")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(0.25)
        state = notebook_state(page)
        ran_all = all(c["count"] for c in state["cells"])
        errored = any(o.get("output_type") == "error" for c in state["cells"] for o in c["outputs"])
        if state["status"] == "idle" and (ran_all or errored):
            return state
    raise TimeoutError(f"Run All did not finish within {timeout_s} s")


def open_notebook(page, lab: Lab, notebook: str) -> None:
    page.goto(lab.url(notebook))
    page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
    wait_idle(page)


# ------------------------------------------------------------------ accessibility (axe-core)
AXE_SCRIPT = Path(__file__).resolve().parents[1] / "node_modules" / "axe-core" / "axe.min.js"
AXE_JS = """async (root) => {
    const area = document.querySelector(root);
    const result = await axe.run(area, {resultTypes: ['violations'], elementRef: true});
    const where = (el) => {
        if (el.closest('.jupyter-widgets, .coursekit-question')) return 'widget';
        if (el.closest('.jp-OutputArea-output')) return 'output';
        if (el.closest('.jp-MarkdownOutput')) return 'markdown';
        return 'jupyterlab';
    };
    const found = [];
    for (const v of result.violations) {
        for (const node of v.nodes) {
            const el = node.element;
            const cell = el && el.closest('[data-windowed-list-index]');
            found.push({rule: v.id, impact: node.impact || v.impact, help: v.help,
                        where: el ? where(el) : 'jupyterlab',
                        cell: cell ? Number(cell.dataset.windowedListIndex) : null,
                        mime: el && el.closest('[data-mime-type]')
                              ? el.closest('[data-mime-type]').dataset.mimeType : null,
                        target: node.target.join(' '), html: node.html.slice(0, 160),
                        summary: (node.failureSummary || '').slice(0, 300)});
        }
    }
    return found;
}"""
OURS = ("output", "widget")       # the notebook's content: cell outputs and quiz widgets
BLOCKING = ("critical", "serious")


def axe_violations(page, root: str = ".jp-NotebookPanel:not(.lm-mod-hidden) .jp-Notebook"
                   ) -> list[dict]:
    """Run axe-core on the open notebook. One dict per failing element: rule, impact, where
    ('widget' | 'output' for our content; 'markdown' for the lesson's text cells; 'jupyterlab'
    for the app's own chrome, e.g. its editors and buttons), cell index, target, html."""
    if not AXE_SCRIPT.exists():
        raise FileNotFoundError(f"{AXE_SCRIPT} is missing: run `python3 course.py setup` "
                                "(it installs axe-core from package.json with npm)")
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    return page.evaluate(AXE_JS, root)


def axe_report(found: list[dict], title: str) -> str:
    """Violations grouped as: ours (blocking), ours (minor/moderate), lesson text, JupyterLab."""
    groups: dict[str, list] = {"OURS, critical/serious": [], "ours, minor/moderate": [],
                               "lesson text (markdown)": [], "JupyterLab's own (not failing)": []}
    for v in found:
        if v["where"] in OURS:
            key = "OURS, critical/serious" if v["impact"] in BLOCKING else "ours, minor/moderate"
        elif v["where"] == "markdown":
            key = "lesson text (markdown)"
        else:
            key = "JupyterLab's own (not failing)"
        groups[key].append(v)
    lines = [f"axe-core on {title}: {len(found)} failing element(s)"]
    for name, items in groups.items():
        counts: dict[tuple, int] = {}
        for v in items:
            counts[(v["rule"], v["impact"])] = counts.get((v["rule"], v["impact"]), 0) + 1
        lines.append(f"  {name}: " + (", ".join(f"{r} ({i}) ×{n}" for (r, i), n in
                                                 sorted(counts.items())) or "none"))
    return "\n".join(lines)


def blocking(found: list[dict]) -> list[dict]:
    """The violations that fail the test: critical or serious, inside outputs or widgets."""
    return [v for v in found if v["where"] in OURS and v["impact"] in BLOCKING]


def explain(v: dict) -> str:
    hint = ""
    if v["rule"] == "image-alt" and v.get("mime") == "image/png":
        hint = (" — a chart shown with plt.show(): JupyterLab draws PNGs without alt; "
                "use charts.show(fig)")
    return (f"cell {v['cell']}: {v['rule']} ({v['impact']}) in {v['where']} ({v.get('mime')}): "
            f"{v['help']}{hint}\n"
            f"      {v['target']}\n      {v['html']}")
