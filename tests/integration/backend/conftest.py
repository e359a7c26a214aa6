"""Helpers for the backend's own tests: plain httpx against a real loopback server (never the
project's client, so the backend stays an independent peer), `nemo-widgets serve` processes and
small real media files."""

from __future__ import annotations

import io
import json
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from nemo_widgets.local import LocalServer
from nemo_widgets.local.media import generate_bgm
from nemo_widgets.local.render import ffmpeg_exe
from polling import wait_until

from .crash_harness import ServerProcess

ATTRIBUTION = {
    "X-Skill-Source": "ai-video-maker-free-chinese",
    "X-Skill-Version": "1.9",
    "X-Skill-Platform": "unknown",
}


def png(color: str = "red", size: tuple[int, int] = (320, 240)) -> bytes:
    """A small real PNG."""
    b = io.BytesIO()
    Image.new("RGB", size, color).save(b, "PNG")
    return b.getvalue()


def jpg(color: str = "blue") -> bytes:
    """A small real JPEG."""
    b = io.BytesIO()
    Image.new("RGB", (320, 240), color).save(b, "JPEG")
    return b.getvalue()


class Api:
    """A signed-in plain-httpx caller: token, one session, the contract's headers."""

    def __init__(self, server: LocalServer, client_id: str | None = None):
        self.server = server
        self.http = httpx.Client(base_url=server.url, timeout=30)
        self.client_id = client_id or str(uuid.uuid4())
        r = self.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": self.client_id})
        assert r.status_code == 200, r.text
        self.token = r.json()["data"]["token"]
        self.headers = {"Authorization": f"Bearer {self.token}", **ATTRIBUTION}
        self.sid = self.new_session()

    def new_session(self) -> str:
        r = self.post(
            "/api/tasks/me/with-session/nemo_agent", json={"task_name": "project", "language": "en"}
        )
        assert r.json()["code"] == 0, r.text
        return str(r.json()["data"]["session_id"])

    def get(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.get(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, path: str, **kw: Any) -> httpx.Response:
        return self.http.post(path, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def upload(self, *files: tuple[str, bytes], sid: str | None = None) -> httpx.Response:
        parts = [("files", (name, data, "application/octet-stream")) for name, data in files]
        return self.post(f"/api/upload-video/nemo_agent/me/{sid or self.sid}", files=parts)

    def state(self, sid: str | None = None) -> dict[str, Any]:
        r = self.get(f"/api/state/nemo_agent/me/{sid or self.sid}/latest")
        assert r.json()["code"] == 0, r.text
        return dict(r.json()["data"]["state"])

    def credits(self) -> dict[str, Any]:
        return dict(self.get("/api/credits/balance/simple").json()["data"])

    def chat_body(
        self, text: str, streaming: bool = False, sid: str | None = None
    ) -> dict[str, Any]:
        return {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": sid or self.sid,
            "new_message": {"parts": [{"text": text}]},
            "streaming": streaming,
        }

    def chat_raw(self, text: str, streaming: bool = False) -> list[str]:
        """The raw SSE lines of one chat turn."""
        with self.http.stream(
            "POST",
            "/run_sse",
            json=self.chat_body(text, streaming),
            headers={**self.headers, "Accept": "text/event-stream"},
        ) as r:
            assert r.status_code == 200, r.read()
            assert r.headers["content-type"] == "text/event-stream; charset=utf-8"
            return list(r.iter_lines())

    def chat(self, text: str, streaming: bool = False) -> list[dict[str, Any]]:
        """The decoded (non-empty) events of one chat turn."""
        return events_of(self.chat_raw(text, streaming))

    def render(self, draft: dict[str, Any], job_id: str | None = None, **kw: Any) -> httpx.Response:
        body = {
            "id": job_id or f"render_{uuid.uuid4().hex[:10]}",
            "sessionId": self.sid,
            "draft": draft,
            "output": {"format": "mp4", "quality": "high"},
        }
        return self.post("/api/render/proxy/lambda", json=body, **kw)

    def wait_render(self, job_id: str, timeout: float = 120) -> dict[str, Any]:
        """The status answer once the job ended (its `status` at the top level or in `data`)."""

        def ended() -> dict[str, Any] | None:
            j = self.get(f"/api/render/proxy/lambda/{job_id}").json()
            done = j.get("status", j.get("data", {}).get("status"))
            return dict(j) if done in ("completed", "failed", "cancelled") else None

        return wait_until(ended, timeout, f"render {job_id} to finish")

    def close(self) -> None:
        self.http.close()


def events_of(lines: list[str]) -> list[dict[str, Any]]:
    """Decode `data: {json}` lines (heartbeats and blank lines skipped)."""
    out = []
    for line in lines:
        if line.startswith("data:") and line[5:].strip():
            out.append(json.loads(line[5:]))
    return out


def texts(events: list[dict[str, Any]]) -> list[tuple[bool, str]]:
    """(partial, text) of every text part."""
    return [
        (bool(e.get("partial")), p["text"])
        for e in events
        for p in e.get("content", {}).get("parts", [])
        if "text" in p
    ]


def calls(events: list[dict[str, Any]]) -> list[str]:
    """Names of the function calls, in order."""
    return [
        p["functionCall"]["name"]
        for e in events
        for p in e.get("content", {}).get("parts", [])
        if "functionCall" in p
    ]


@pytest.fixture
def api(server: LocalServer) -> Iterator[Api]:
    """A signed-in caller with one session on a fresh server."""
    a = Api(server)
    yield a
    a.close()


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[Callable[..., ServerProcess]]:
    """`server_process(*args, log="serve")`: a `nemo-widgets serve` process on tmp_path/data (all
    of a test's share it, as restarts do), logging to tmp_path/<log>.log, `args` on every start;
    not started yet (`.start(*FAST)`). All are killed at the end."""
    made: list[ServerProcess] = []

    def make(*args: str, log: str = "serve") -> ServerProcess:
        made.append(ServerProcess(tmp_path / "data", tmp_path / f"{log}.log", *args))
        return made[-1]

    yield make
    for proc in made:
        proc.kill()


@pytest.fixture(scope="session")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real media made once: clip.mp4 (2 s, 320x240, with sound), music.wav (3 s)."""
    d = tmp_path_factory.mktemp("media")
    subprocess.run(
        [
            ffmpeg_exe(),
            "-v",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=size=320x240:rate=25:d=2",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=2",
            "-shortest",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-y",
            str(d / "clip.mp4"),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    generate_bgm(d / "music.wav", 3000)
    return d
