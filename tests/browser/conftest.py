"""Browser end-to-end fixtures: a real JupyterLab / Notebook 7 server and Debian's Chromium.

- `jupyter_app(kind)` starts `jupyter lab` or `jupyter notebook` on 127.0.0.1, a free port and a
  random token, rooted in a temporary copy of `notebooks/`, with its own settings, workspaces and
  runtime directories (windowing off so every cell stays in the DOM, no news fetching); waits for
  `/api/status`; stops the whole process group afterwards.
- `page` is a Playwright (sync API) page in `/usr/bin/chromium`, headless, fresh profile, never
  downloaded; on a failing test it saves a screenshot and the console log to
  `$TMPDIR/nemo_widgets-browser-artifacts/` (or `$NEMO_BROWSER_ARTIFACTS`), outside the checkout.

Everything here is bounded in time: server start ≤ 90 s, each test has a pytest-timeout.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from notebook_ui import ARTIFACTS, ROOT

NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = os.environ.get("NEMO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]

_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


@dataclass
class JupyterApp:
    """A running Jupyter server: `url(path)` gives an authenticated URL."""

    kind: str
    base: str
    token: str
    root: Path
    log: Path
    proc: subprocess.Popen[bytes] = field(repr=False)

    def url(self, path: str) -> str:
        sep = "&" if "?" in path else "?"
        return f"{self.base}/{path.lstrip('/')}{sep}token={self.token}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_ready(app: JupyterApp, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.proc.poll() is not None:
            pytest.fail(f"jupyter {app.kind} exited with {app.proc.returncode}:\n{app.log_tail()}")
        try:
            with urllib.request.urlopen(app.url("api/status"), timeout=2) as resp:
                if resp.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.3)
    pytest.fail(f"jupyter {app.kind} not ready after {timeout:.0f} s:\n{app.log_tail()}")


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _kernel_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    # the kernel must import this checkout even when it is not pip-installed
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), os.environ.get("PYTHONPATH", "")) if p
    )
    env["JUPYTERLAB_SETTINGS_DIR"] = str(home / "settings")
    env["JUPYTERLAB_WORKSPACES_DIR"] = str(home / "workspaces")
    env["JUPYTER_RUNTIME_DIR"] = str(home / "runtime")
    env["JUPYTER_CONFIG_DIR"] = str(home / "config")
    env["NEMO_CLIENT_ID"] = "00000000-0000-4000-8000-00000000b0b0"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_app(kind: str, home: Path) -> JupyterApp:
    """Start `jupyter lab` or `jupyter notebook` rooted in a copy of notebooks/ under `home`
    (also used by benchmarks/bench_upload_browser.py); stop it with `stop(app.proc)`."""
    root = home / "notebooks"
    shutil.copytree(NOTEBOOKS, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name, value in _SETTINGS.items():
        path = home / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    port, token = _free_port(), secrets.token_hex(16)
    log = home / "server.log"
    cmd = [
        sys.executable, "-m", "jupyterlab" if kind == "lab" else "notebook",
        "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
    ]  # fmt: skip
    if kind == "lab":
        cmd.append("--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=root,
            env=_kernel_env(home),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    app = JupyterApp(kind, f"http://127.0.0.1:{port}", token, root, log, proc)
    try:
        _wait_ready(app, timeout=90)
    except BaseException:
        stop(proc)
        raise
    return app


@pytest.fixture(autouse=True)
def home() -> Path:
    """The machine's own home, not the root conftest's private one: Jupyter and Chromium run as
    the user does (each server gets its own settings, runtime and profile folders)."""
    return Path.home()


@pytest.fixture
def jupyter_app(tmp_path: Path) -> Iterator[Callable[[str], JupyterApp]]:
    """Factory: `jupyter_app("lab")` or `jupyter_app("notebook")` → a running server."""
    started: list[JupyterApp] = []

    def start(kind: str) -> JupyterApp:
        app = start_app(kind, tmp_path / f"jupyter-{kind}")
        started.append(app)
        return app

    yield start
    for app in started:
        stop(app.proc)
        # the server's log (kernel start-up, tracebacks) next to the screenshots
        with contextlib.suppress(OSError):
            ARTIFACTS.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(app.log, ARTIFACTS / f"{app.kind}-server.log")


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `bash scripts/install-system.sh --browser`")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        yield pw


def launch(pw: Any, profile: Path, timeout_ms: int = 30_000) -> Any:
    """Headless Chromium (1400x1000) with a fresh profile: a persistent context."""
    context = pw.chromium.launch_persistent_context(
        str(profile),
        executable_path=CHROMIUM,
        headless=True,
        args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1000},
        accept_downloads=False,
    )
    context.set_default_timeout(timeout_ms)
    return context


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def browser_log() -> list[str]:
    """The page's console messages and uncaught errors (`pageerror: …`), in order."""
    return []


@pytest.fixture
def page(
    playwright_session: Any,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    browser_log: list[str],
) -> Iterator[Any]:
    """A fresh Chromium page (1400x1000); screenshot + console log kept on failure."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    context = launch(playwright_session, tmp_path / "chromium-profile")
    pg = context.pages[0] if context.pages else context.new_page()
    console = browser_log
    pg.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
    pg.on("pageerror", lambda exc: console.append(f"pageerror: {exc}\n{getattr(exc, 'stack', '')}"))
    try:
        yield pg
    finally:
        rep = getattr(request.node, "rep_call", None)
        if rep is not None and rep.failed:
            name = request.node.name.replace("/", "_")
            with contextlib.suppress(Exception):
                pg.screenshot(path=str(ARTIFACTS / f"FAILED-{name}.png"), full_page=True)
            (ARTIFACTS / f"FAILED-{name}.console.txt").write_text("\n".join(console))
        context.close()
