"""A real `nemo-widgets serve` process on a data dir that tests kill with SIGKILL and start again,
a plain-httpx user of it, and the invariants every restart must keep. Used by
`test_crash_restart.py` and by the soak (`benchmarks/bench_soak.py`, which loads this file).
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

HEADERS = {"X-Skill-Source": "crash-test", "X-Skill-Version": "1", "X-Skill-Platform": "unknown"}
# the server's own pacing, short; a step the test kills in the middle of is made long instead
FAST = (
    *("--heartbeat-interval", "0.2", "--step-delay", "0.05", "--generation-delay", "0.1"),
    *("--silent-rate", "0"),  # every edit replies with text (a test waits for it)
)
COSTS = {"generate": 100, "edit": 50}


def png_bytes(seed: int = 0) -> bytes:
    """A small real PNG (its colour from `seed`)."""
    from PIL import Image

    b = io.BytesIO()
    Image.new("RGB", (64, 48), ((seed * 37) % 256, (seed * 91) % 256, 90)).save(b, "PNG")
    return b.getvalue()


def small_draft(media_id: str, ms: int = 1000, w: int = 160, h: int = 120) -> dict[str, Any]:
    """A one-image draft; `ms`, `w`, `h` make it slower to render."""
    seg = {"id": "seg_1", "k": "image", "src": media_id, "st": 0, "d": ms}
    return {
        "d": ms,
        "m": {"w": w, "h": h, "fps": 30 if w > 160 else 10, "ratio": "16:9"},
        "t": [{"id": "trk_v", "tt": 0, "sg": [seg]}],
    }


class ServerProcess:
    """`python -m nemo_widgets serve` on `data_dir`, its log (INFO) in `log`."""

    def __init__(self, data_dir: Path, log: Path, *args: str, env: dict[str, str] | None = None):
        self.data_dir, self.log, self.args = Path(data_dir), Path(log), list(args)
        self.env = {**os.environ, **(env or {})}
        src = str(Path(__file__).resolve().parents[3] / "src")
        self.env["PYTHONPATH"] = os.pathsep.join([src, self.env.get("PYTHONPATH", "")])
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.starts = 0

    def command(self) -> list[str]:
        """The command line (port 0: any free port)."""
        return [
            *(sys.executable, "-m", "nemo_widgets", "serve", "--port", "0"),
            *("--data-dir", str(self.data_dir), "--log-level", "info", *self.args),
        ]

    def start(self, *extra: str, timeout: float = 60) -> ServerProcess:
        """Start it and wait for the line with its URL; RuntimeError with the log if it dies."""
        with open(self.log, "a", encoding="utf-8") as log:
            self.proc = subprocess.Popen(
                [*self.command(), *extra],
                stdout=subprocess.PIPE,
                stderr=log,
                text=True,
                env=self.env,
            )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()  # '' when it exits before serving
        found = re.search(r"http://127\.0\.0\.1:\d+", line)
        if not found:
            self.wait_exit(timeout)
            raise RuntimeError(f"serve did not start ({self.proc.returncode}):\n{self.log_text()}")
        self.url = found.group(0)
        self.starts += 1
        return self

    @property
    def running(self) -> bool:
        """Whether the current process is alive."""
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as an OOM kill or a pulled plug."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self.wait_exit()

    def wait_exit(self, timeout: float = 60) -> int | None:
        """Wait for the process to end (it may kill itself at a crash point); its exit code."""
        if self.proc is None:
            return None
        code = self.proc.wait(timeout)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        return code

    def stop(self) -> None:
        """SIGINT and wait (a clean stop)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
        self.wait_exit()

    def log_text(self) -> str:
        """Everything the server processes logged so far."""
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""


class User:
    """One user over plain httpx: a token and a session; `rebase(url)` after a restart."""

    def __init__(self, url: str, client_id: str | None = None):
        self.http = httpx.Client(base_url=url, timeout=60)
        cid = client_id or str(uuid.uuid4())
        r = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": cid})
        r.raise_for_status()
        self.token = r.json()["data"]["token"]
        self.headers = {"Authorization": f"Bearer {self.token}", **HEADERS}
        r = self.post("/api/tasks/me/with-session/nemo_agent", json={"language": "en"})
        self.sid = str(r.json()["data"]["session_id"])

    def rebase(self, url: str) -> None:
        """Talk to a restarted server (a new port)."""
        self.http.close()
        self.http = httpx.Client(base_url=url, timeout=60)

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers=self.headers, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers=self.headers, **kw)

    def credits(self) -> dict[str, Any]:
        r = self.get("/api/credits/balance/simple")
        assert r.status_code == 200, r.text
        return dict(r.json()["data"])

    def state(self) -> dict[str, Any]:
        r = self.get(f"/api/state/nemo_agent/me/{self.sid}/latest")
        assert r.status_code == 200, r.text
        return dict(r.json()["data"]["state"])

    def upload(self, name: str, data: bytes) -> dict[str, Any]:
        files = [("files", (name, data, "application/octet-stream"))]
        r = self.post(f"/api/upload-video/nemo_agent/me/{self.sid}", files=files)
        assert r.status_code == 200, r.text
        return dict(r.json()["data"]["files"][0])

    def chat_body(self, text: str) -> dict[str, Any]:
        msg = {"parts": [{"text": text}]}
        return {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": self.sid,
            "new_message": msg,
        }

    def chat(self, text: str, until: str | None = None) -> list[dict[str, Any]]:
        """One chat turn's events; with `until`, stop reading at the first event holding it."""
        events: list[dict[str, Any]] = []
        headers = {**self.headers, "Accept": "text/event-stream"}
        with self.http.stream("POST", "/run_sse", json=self.chat_body(text), headers=headers) as r:
            assert r.status_code == 200, r.read()
            for line in r.iter_lines():
                if line.startswith("data:") and line[5:].strip():
                    events.append(json.loads(line[5:]))
                    if until is not None and until in line:
                        break
        return events

    def render(self, draft: dict[str, Any], job_id: str) -> dict[str, Any]:
        body = {"id": job_id, "sessionId": self.sid, "draft": draft}
        r = self.post("/api/render/proxy/lambda", json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())

    def render_status(self, job_id: str) -> dict[str, Any]:
        return dict(self.get(f"/api/render/proxy/lambda/{job_id}").json())

    def wait_render(self, job_id: str, timeout: float = 180) -> dict[str, Any]:
        """Poll until the job ends (completed or failed)."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            job = self.render_status(job_id)
            if job.get("status") in ("completed", "failed"):
                return job
            time.sleep(0.1)
        raise AssertionError(f"render {job_id} did not end within {timeout} s: {job}")

    def close(self) -> None:
        self.http.close()


def half_upload(url: str, user: User, name: str = "half.png") -> socket.socket:
    """Start a multipart upload and send only part of its body (the socket stays open)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)))
    head = (
        f"POST /api/upload-video/nemo_agent/me/{user.sid} HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: {user.headers['Authorization']}\r\n"
        "Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 10000000\r\n\r\n"
        f'--XyZ\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
        "Content-Type: image/png\r\n\r\n"
    )
    sock.sendall(head.encode() + png_bytes(7)[:60])
    return sock


def wait_for(what: str, check: Any, timeout: float = 60) -> Any:
    """Poll `check()` until it returns something true; AssertionError naming `what`."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


def broken_invariants(
    user: User, balance: int, uploads: list[dict[str, Any]], renders: list[str]
) -> list[str]:
    """What a restarted server gets wrong for `user`, who expects `balance` credits, its
    finished `uploads` listed and readable, and every render in `renders` to end."""
    bad: list[str] = []
    c = user.credits()  # the token still works
    if c["total"] != c["available"] + c["frozen"]:
        bad.append(f"total {c['total']} != available {c['available']} + frozen {c['frozen']}")
    if c["frozen"] != 0:
        bad.append(f"{c['frozen']} credits frozen after start-up")
    if c["total"] != balance:
        bad.append(f"balance {c['total']}, expected {balance}")
    state = user.state()
    listed = {m["id"]: m for m in state["video_infos"]}
    for up in uploads:
        m = listed.get(up["id"])
        if m is None:
            bad.append(f"finished upload {up['id']} lost")
            continue
        r = user.http.get(m["url"])
        if r.status_code != 200 or len(r.content) != up["size"]:
            bad.append(f"upload {up['id']} unreadable: HTTP {r.status_code}, {len(r.content)} B")
    for job_id in renders:
        job = user.wait_render(job_id)
        if job["status"] == "failed" and not job.get("error"):
            bad.append(f"render {job_id} failed without a reason")
    return bad
