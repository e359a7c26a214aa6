"""Wire details of `AsyncClient` against httpx.MockTransport: headers, auth flows, retries,
non-envelope bodies, uploads and downloads. Waits go through an injected `sleep` (no clock)."""

from __future__ import annotations

import asyncio
import gzip
import json
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from python_multipart import MultipartParser  # to read our streamed body back

from nemo_widgets import (
    AuthError,
    BackendUnavailable,
    ExportBlocked,
    NoCredits,
    RateLimited,
    SessionNotFound,
)
from nemo_widgets._options import Options
from nemo_widgets.api import AsyncClient
from nemo_widgets.events import End, Event, Text

Handler = Callable[[httpx.Request], httpx.Response]
SID = "sess_1"


def env(data: Any, status: int = 200, code: int = 0, **kw: Any) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": "m", "data": data}, **kw)


class Backend:
    """A scripted backend: routes by (method, path); `script` queues one-off answers."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.bodies: list[bytes] = []
        self.script: dict[str, list[httpx.Response]] = {}
        self.issued: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        self.bodies.append(request.read())
        path = request.url.path
        queued = self.script.get(path)
        if queued:
            return queued.pop(0)
        if path == "/api/auth/anonymous-token":
            token = f"nmv_usr_{uuid.uuid4().hex}"
            self.issued.append(token)
            return env({"token": token, "credits": 100, "expires_in": 604800})
        if path == "/api/credits/balance/simple":
            return env({"available": 90, "frozen": 10, "total": 100})
        if path.startswith("/api/state/"):
            return env({"state": {"draft": {"t": []}, "video_infos": []}})
        if path == "/api/tasks/me/with-session/nemo_agent":
            return env({"task_id": "task_1", "session_id": SID})
        if path.startswith("/api/upload-video/"):
            return env({"files": [{"id": "med_1", "name": "a.png", "type": "image", "size": 3}]})
        return httpx.Response(404, json={"code": 404, "message": "no route"})

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


def client(backend: Backend, sleeps: list[float] | None = None, **kw: Any) -> AsyncClient:
    async def sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    opts = kw.pop("options", Options(rate_limit_wait=30.0))
    return AsyncClient(
        "https://api.test", options=opts, transport=httpx.MockTransport(backend), sleep=sleep, **kw
    )


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_every_request_carries_attribution_and_bearer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SKILL_SOURCE", "clawhub")
    backend = Backend()

    async def go() -> None:
        async with client(backend) as api:
            await api.credits()
            await api.state(SID)

    run(go())
    anon, *calls = backend.requests
    assert "authorization" not in anon.headers
    uuid.UUID(anon.headers["x-client-id"])
    for r in backend.requests:
        assert r.headers["x-skill-source"] == "ai-video-maker-free-chinese"
        assert r.headers["x-skill-version"] == "1.9"
        assert r.headers["x-skill-platform"] == "clawhub"
    assert all(r.headers["authorization"] == f"Bearer {backend.issued[0]}" for r in calls)


def test_given_token_skips_anonymous_sign_in() -> None:
    backend = Backend()
    run(client(backend, token="nmv_usr_given").credits())
    assert backend.paths() == ["/api/credits/balance/simple"]
    assert backend.requests[0].headers["authorization"] == "Bearer nmv_usr_given"


def test_nemo_token_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEMO_TOKEN", "nmv_usr_fromenv")
    backend = Backend()
    run(client(backend).credits())
    assert backend.requests[0].headers["authorization"] == "Bearer nmv_usr_fromenv"


def test_client_id_is_created_once_and_reused(home: Path) -> None:
    backend = Backend()
    run(client(backend).credits())
    stored = (home / ".config/nemovideo/client_id").read_text().strip()
    assert backend.requests[0].headers["x-client-id"] == stored
    (home / ".config/nemovideo/tokens.json").unlink()  # force a second sign-in
    run(client(backend).credits())
    assert backend.requests[2].headers["x-client-id"] == stored


def test_nemo_client_id_env(monkeypatch: pytest.MonkeyPatch) -> None:
    cid = str(uuid.uuid4())
    monkeypatch.setenv("NEMO_CLIENT_ID", cid)
    backend = Backend()
    run(client(backend).credits())
    assert backend.requests[0].headers["x-client-id"] == cid


def test_anonymous_token_is_reused_by_the_next_client() -> None:
    backend = Backend()
    run(client(backend).credits())
    run(client(backend).credits())
    assert backend.paths().count("/api/auth/anonymous-token") == 1
    assert backend.requests[-1].headers["authorization"] == f"Bearer {backend.issued[0]}"


def test_1001_renews_with_same_client_id_and_retries_once() -> None:
    backend = Backend()
    backend.script["/api/credits/balance/simple"] = [env(None, 401, 1001)]
    credits = run(client(backend).credits())
    assert credits.available == 90
    anon = [r for r in backend.requests if r.url.path == "/api/auth/anonymous-token"]
    assert len(anon) == 2 and anon[0].headers["x-client-id"] == anon[1].headers["x-client-id"]
    assert backend.requests[-1].headers["authorization"] == f"Bearer {backend.issued[1]}"


def test_1001_twice_is_an_auth_error() -> None:
    backend = Backend()
    backend.script["/api/credits/balance/simple"] = [env(None, 401, 1001), env(None, 401, 1001)]
    with pytest.raises(AuthError):
        run(client(backend).credits())
    assert backend.paths().count("/api/credits/balance/simple") == 2


def test_1001_with_a_given_token_is_not_swapped_for_an_anonymous_one() -> None:
    backend = Backend()
    backend.script["/api/credits/balance/simple"] = [env(None, 401, 1001)]
    with pytest.raises(AuthError):
        run(client(backend, token="nmv_usr_mine").credits())
    assert "/api/auth/anonymous-token" not in backend.paths()


def test_concurrent_1001s_renew_once() -> None:
    backend = Backend()
    stale_calls: list[httpx.Request] = []

    async def go() -> None:
        all_in = asyncio.Event()

        async def expiring(request: httpx.Request) -> httpx.Response:
            # the first token expires: the three calls made with it are all refused, and only
            # once all three are in flight (so their 1001s really are concurrent)
            first = f"Bearer {backend.issued[0]}" if backend.issued else None
            stale = request.headers.get("authorization") == first
            if request.url.path == "/api/credits/balance/simple" and stale:
                stale_calls.append(request)
                if len(stale_calls) == 3:
                    all_in.set()
                await all_in.wait()
                return env(None, 401, 1001)
            return backend(request)

        api = AsyncClient("https://api.test", transport=httpx.MockTransport(expiring))
        await api.anonymous_token()
        await asyncio.gather(*(api.credits() for _ in range(3)))

    run(go())
    assert len(stale_calls) == 3
    assert backend.paths().count("/api/auth/anonymous-token") == 2  # one renewal for three 1001s
    assert backend.paths().count("/api/credits/balance/simple") == 3  # the three retries


def test_400_on_sign_in_makes_a_new_client_id_and_retries(home: Path) -> None:
    backend = Backend()
    backend.script["/api/auth/anonymous-token"] = [env(None, 400, 400)]
    run(client(backend).credits())
    first, second = (r for r in backend.requests if r.url.path == "/api/auth/anonymous-token")
    assert first.headers["x-client-id"] != second.headers["x-client-id"]
    stored = (home / ".config/nemovideo/client_id").read_text().strip()
    assert stored == second.headers["x-client-id"]


def test_429_waits_the_configured_time_once() -> None:
    backend = Backend()
    limited = httpx.Response(429, json={"code": 429}, headers={"Retry-After": "30"})
    backend.script["/api/credits/balance/simple"] = [limited]
    sleeps: list[float] = []
    run(client(backend, sleeps, options=Options(rate_limit_wait=7.0)).credits())
    assert sleeps == [7.0]

    backend.script["/api/credits/balance/simple"] = [limited, limited]
    with pytest.raises(RateLimited):
        run(client(backend, sleeps).credits())
    assert sleeps == [7.0, 30.0]


def test_5xx_on_get_is_retried_with_backoff_then_fails() -> None:
    backend = Backend()
    backend.script["/api/credits/balance/simple"] = [httpx.Response(503, text="busy")] * 4
    sleeps: list[float] = []
    with pytest.raises(BackendUnavailable):
        run(client(backend, sleeps, options=Options(max_retries=3)).credits())
    assert len(sleeps) == 3 and sleeps == sorted(sleeps)
    assert backend.paths().count("/api/credits/balance/simple") == 4


def test_5xx_burst_shorter_than_retries_recovers() -> None:
    backend = Backend()
    backend.script["/api/credits/balance/simple"] = [env(None, 502, 5000)] * 2
    assert run(client(backend).credits()).total == 100


def test_5xx_on_create_session_is_not_retried() -> None:
    backend = Backend()
    backend.script["/api/tasks/me/with-session/nemo_agent"] = [env(None, 503, 5000)]
    with pytest.raises(BackendUnavailable):
        run(client(backend).create_session())
    assert backend.paths().count("/api/tasks/me/with-session/nemo_agent") == 1


def test_connection_errors_on_get_are_retried() -> None:
    calls = {"n": 0}
    backend = Backend()

    def flaky(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/credits/balance/simple" and calls["n"] < 2:
            calls["n"] += 1
            raise httpx.ConnectError("refused", request=request)
        return backend(request)

    api = AsyncClient("https://api.test", transport=httpx.MockTransport(flaky), sleep=_nosleep)
    assert run(api.credits()).available == 90


async def _nosleep(_: float) -> None:
    return None


@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(httpx.Response(200, text="<html>proxy login</html>"), id="html-200"),
        pytest.param(httpx.Response(200, content=b""), id="empty-200"),
        pytest.param(httpx.Response(200, content=b'{"code":0,"data":{"avail'), id="truncated"),
        pytest.param(httpx.Response(404, text="<html>not found</html>"), id="html-404"),
    ],
)
def test_non_envelope_bodies_are_typed_errors(answer: httpx.Response) -> None:
    backend = Backend()
    backend.script["/api/credits/balance/simple"] = [answer]
    with pytest.raises(Exception) as info:
        run(client(backend).credits())
    assert info.type.__module__ == "nemo_widgets.errors"


def test_error_codes_map_to_classes() -> None:
    backend = Backend()
    backend.script[f"/api/state/nemo_agent/me/{SID}/latest"] = [env(None, 404, 1002)]
    with pytest.raises(SessionNotFound):
        run(client(backend).state(SID))
    backend.script["/api/render/proxy/lambda"] = [httpx.Response(402, text="Payment Required")]
    with pytest.raises(ExportBlocked):
        run(client(backend).render("render_1", SID, {"t": []}))


def test_no_credits_carries_the_registration_link() -> None:
    backend = Backend()
    backend.script["/run_sse"] = [env({"bind_id": "usr_42"}, 403, 2001)]

    async def go() -> None:
        async with client(backend, web_url="https://web.test").open_chat(SID, "hi"):
            pass

    with pytest.raises(NoCredits) as info:
        run(go())
    assert info.value.register_url == "https://web.test/register?bind=usr_42"
    assert "https://web.test/register?bind=usr_42" in str(info.value)


def test_run_sse_is_never_resent_on_5xx() -> None:
    backend = Backend()
    backend.script["/run_sse"] = [httpx.Response(503, text="busy")]

    async def go() -> None:
        async with client(backend).open_chat(SID, "hi"):
            pass

    with pytest.raises(BackendUnavailable):
        run(go())
    assert backend.paths().count("/run_sse") == 1


def test_open_chat_body_and_stream() -> None:
    backend = Backend()
    sse = b'data: {"content":{"parts":[{"text":"hi"}]}}\n\n'
    backend.script["/run_sse"] = [
        httpx.Response(200, content=sse, headers={"content-type": "text/event-stream"})
    ]

    async def go() -> list[Event]:
        async with client(backend).open_chat(SID, "你好") as stream:
            return [ev async for batch in stream for ev in batch]

    assert run(go()) == [Text("hi"), End()]  # decoded: no bytes leave the wire layer
    req = backend.requests[-1]
    assert req.headers["accept"] == "text/event-stream"
    body = json.loads(backend.bodies[-1])
    assert body["app_name"] == "nemo_agent" and body["user_id"] == "me"
    assert body["session_id"] == SID
    assert body["new_message"]["parts"] == [{"text": "你好"}]


def test_session_and_claim_accept_both_spellings() -> None:
    backend = Backend()
    backend.script["/api/tasks/me/with-session/nemo_agent"] = [
        env({"taskId": "t9", "sessionId": "s9"})
    ]
    backend.script["/api/auth/claim-token"] = [env({"claimToken": "clm_x", "expires_in": 600})]
    api = client(backend, web_url="https://web.test")
    assert run(api.create_session("zh")) == {"task_id": "t9", "session_id": "s9"}
    assert json.loads(backend.bodies[-1]) == {"task_name": "project", "language": "zh"}
    claim = run(api.claim_token("t9", "s9"))
    assert claim["url"] == "https://web.test/workspace/claim?ct=clm_x"


def test_render_body_is_camel_case() -> None:
    backend = Backend()
    backend.script["/api/render/proxy/lambda"] = [env({"id": "render_5", "status": "pending"})]
    status = run(client(backend).render("render_5", SID, {"t": [{"sg": [{}]}]}, "high"))
    assert status.status == "pending"
    assert json.loads(backend.bodies[-1]) == {
        "id": "render_5",
        "sessionId": SID,
        "draft": {"t": [{"sg": [{}]}]},
        "output": {"format": "mp4", "quality": "high"},
    }


def _parts(request: httpx.Request, body: bytes) -> list[tuple[str, str, bytes]]:
    boundary = request.headers["content-type"].split("boundary=")[1]
    parts: list[tuple[str, str, bytes]] = []
    current: dict[str, Any] = {}

    def on_part_begin() -> None:
        current.clear()
        current["data"] = b""

    def on_header_field(data: bytes, start: int, end: int) -> None:
        current["field"] = data[start:end].decode()

    def on_header_value(data: bytes, start: int, end: int) -> None:
        current[current["field"].lower()] = data[start:end].decode()

    def on_part_data(data: bytes, start: int, end: int) -> None:
        current["data"] += data[start:end]

    def on_part_end() -> None:
        parts.append((current["content-disposition"], current["content-type"], current["data"]))

    callbacks: Any = {
        "on_part_begin": on_part_begin,
        "on_header_field": on_header_field,
        "on_header_value": on_header_value,
        "on_part_data": on_part_data,
        "on_part_end": on_part_end,
    }
    parser = MultipartParser(boundary, callbacks)
    parser.write(body)
    parser.finalize()
    return parts


def test_upload_streams_several_files_with_progress(tmp_path: Path) -> None:
    a = tmp_path / "a.png"
    a.write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 3_000_000)
    b = tmp_path / 'b "quoted".mp3'
    b.write_bytes(b"ID3" + b"y" * 10)
    backend = Backend()
    seen: list[tuple[int, int]] = []
    media = run(client(backend).upload_files(SID, [a, b], lambda d, t: seen.append((d, t))))
    assert media[0].id == "med_1"
    req, body = backend.requests[-1], backend.bodies[-1]
    assert int(req.headers["content-length"]) == len(body)
    parts = _parts(req, body)
    assert [p[2] for p in parts] == [a.read_bytes(), b.read_bytes()]
    assert 'name="files"; filename="a.png"' in parts[0][0]
    assert 'filename="b %22quoted%22.mp3"' in parts[1][0]
    assert parts[0][1] == "image/png"
    total = a.stat().st_size + b.stat().st_size
    assert seen[-1] == (total, total) and len(seen) >= 3
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_upload_urls_body() -> None:
    backend = Backend()
    run(client(backend).upload_urls(SID, ["https://x.test/a.mp4"]))
    assert json.loads(backend.bodies[-1]) == {
        "urls": ["https://x.test/a.mp4"],
        "source_type": "url",
    }


def test_download_falls_back_to_the_download_route(tmp_path: Path) -> None:
    backend = Backend()
    backend.script["/files/r1.mp4"] = [httpx.Response(403, text="<html>expired</html>")]
    backend.script["/api/render/proxy/r1/download"] = [
        httpx.Response(200, content=b"MP4DATA" * 1000, headers={"content-type": "video/mp4"})
    ]
    dest = tmp_path / "out" / "r1.mp4"
    got: list[int] = []
    api = client(backend, token="nmv_usr_t")
    run(
        api.download(
            "r1", dest, url="https://cdn.test/files/r1.mp4", progress=lambda d, t: got.append(d)
        )
    )
    assert dest.read_bytes() == b"MP4DATA" * 1000
    assert got[-1] == 7000
    cdn, route = backend.requests
    assert "authorization" not in cdn.headers  # the token never goes to another host
    assert route.headers["authorization"] == "Bearer nmv_usr_t"
    assert not list(dest.parent.glob("*.part"))


def test_a_compressed_download_is_saved_decoded(tmp_path: Path) -> None:
    # Content-Length counts the gzip bytes; the file is the decoded ones
    backend = Backend()
    data = b"MP4DATA" * 1000
    backend.script["/api/render/proxy/r3/download"] = [
        httpx.Response(200, content=gzip.compress(data), headers={"content-encoding": "gzip"})
    ]
    dest = run(client(backend).download("r3", tmp_path / "r3.mp4"))
    assert dest.read_bytes() == data


def test_download_json_error_is_not_saved_as_a_video(tmp_path: Path) -> None:
    backend = Backend()
    backend.script["/api/render/proxy/r2/download"] = [env(None, 200, 4005)]
    with pytest.raises(Exception) as info:
        run(client(backend).download("r2", tmp_path / "r2.mp4"))
    assert info.type.__module__ == "nemo_widgets.errors"
    assert not (tmp_path / "r2.mp4").exists()
