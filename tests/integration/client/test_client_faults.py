"""Every error code of the contract driving its recovery rule, with fault injection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from samples import tiny_draft

CREDITS = ("GET", "/api/credits/balance/simple")
STATE = ("GET", "/api/state/nemo_agent/me/{session_id}/latest")
ANON = ("POST", "/api/auth/anonymous-token")
SESSION = ("POST", "/api/tasks/me/with-session/nemo_agent")
RENDER = ("POST", "/api/render/proxy/lambda")


def test_5xx_burst_on_an_idempotent_call_is_retried(
    session: nw.Session, server: LocalServer
) -> None:
    before = server.counts[STATE]
    server.faults.fail("state", times=2, status=503)
    assert session.state().draft == {}
    assert server.counts[STATE] - before == 3


def test_html_from_a_proxy_is_retried_then_typed(session: nw.Session, server: LocalServer) -> None:
    server.faults.fail_html = True
    server.faults.fail("credits", times=1, status=502)
    assert session.credits().total == 100
    server.faults.fail("credits", times=10, status=502)
    before = server.counts[CREDITS]
    with pytest.raises(nw.BackendUnavailable) as info:
        session.credits()
    assert server.counts[CREDITS] - before == 1 + session.options.max_retries
    assert "<html>" not in str(info.value)


def test_5xx_on_session_creation_is_not_retried(server: LocalServer) -> None:
    server.faults.fail("session", times=1, status=503)
    with pytest.raises(nw.BackendUnavailable):
        nw.connect(backend="local", api_url=server.url)
    assert server.counts[SESSION] == 1


def test_expired_token_is_renewed_with_the_same_client_id(
    session: nw.Session, server: LocalServer, home: Path
) -> None:
    session.credits()
    server.faults.expire_tokens()
    assert session.credits().available == 100
    assert server.counts[ANON] == 2
    client_id = (home / ".config/nemovideo/client_id").read_text().strip()
    issued = server.app.state.nemo.store.tokens.values()
    assert sum(t["client_id"] == client_id for t in issued) == 2  # both went to one client id


def test_second_token_for_a_client_id_is_a_quota_not_retried(
    server: LocalServer, home: Path
) -> None:
    nw.connect(backend="local", api_url=server.url).close()
    (home / ".config/nemovideo/tokens.json").unlink()  # forget the token, keep the client id
    with pytest.raises(nw.RateLimited) as info:
        nw.connect(backend="local", api_url=server.url, rate_limit_wait=0.01)
    assert server.counts[ANON] == 2  # the first token, then one 429: no wait, no retry
    assert "7 days" in str(info.value) and "NEMO_TOKEN" in str(info.value)


def test_kept_token_avoids_the_rate_limit_on_a_new_connect(server: LocalServer) -> None:
    nw.connect(backend="local", api_url=server.url).close()
    nw.connect(backend="local", api_url=server.url).close()
    assert server.counts[ANON] == 1


def test_missing_client_id_gets_a_new_one(
    server: LocalServer, monkeypatch: pytest.MonkeyPatch, home: Path
) -> None:
    monkeypatch.setenv("NEMO_CLIENT_ID", " ")  # sent as an empty header: the server says 400
    s = nw.connect(backend="local", api_url=server.url)
    s.close()
    assert server.counts[ANON] == 2
    assert len((home / ".config/nemovideo/client_id").read_text().strip()) == 36


def test_lost_session_is_replaced_and_announced(session: nw.Session) -> None:
    notices: list[str] = []
    session.subscribe(lambda kind, payload: notices.append(payload) if kind == "notice" else None)
    old = session.session_id
    session.session_id = "sess_gone"
    assert session.state().draft == {}
    assert session.session_id not in (old, "sess_gone")
    assert any("new one" in n for n in notices)


def test_no_credits_carries_the_registration_link(
    server_factory: Callable[..., LocalServer], png: Path
) -> None:
    server = server_factory(initial_credits=0)
    s = nw.connect(backend="local", api_url=server.url)
    try:
        s.upload(png)
        with pytest.raises(nw.NoCredits) as info:
            nw._loop.run(_open_chat(s, "make a video from my photos"))
        assert info.value.register_url is not None
        assert info.value.register_url.startswith(f"{server.url}/register?bind=")
    finally:
        s.close()


async def _open_chat(s: nw.Session, text: str) -> None:
    async with s.api.open_chat(s.session_id, text):
        pass


def test_missing_attribution_blocks_export(server: LocalServer, png: Path, tmp_path: Path) -> None:
    s = nw.connect(backend="local", api_url=server.url, skill_name="")
    try:
        media = s.upload(png)
        with pytest.raises(nw.ExportBlocked) as info:
            s.export(tiny_draft(media[0].id), download_to=tmp_path)
        assert "to unlock export" in str(info.value)
    finally:
        s.close()


def test_server_side_type_and_size_refusals_are_typed(
    server_factory: Callable[..., LocalServer], tmp_path: Path
) -> None:
    server = server_factory(max_upload_bytes=2000)
    s = nw.connect(backend="local", api_url=server.url)
    try:
        spoof = tmp_path / "spoof.mp4"
        spoof.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)
        with pytest.raises(nw.UnsupportedFile):  # sent past our own checks, refused there
            nw._loop.run(s.api.upload_files(s.session_id, [spoof]))
        big = tmp_path / "big.png"
        big.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 5000)
        with pytest.raises(nw.FileTooLarge):
            nw._loop.run(s.api.upload_files(s.session_id, [big]))
    finally:
        s.close()


def test_render_failing_once_is_retried_with_a_new_id(
    session: nw.Session, server: LocalServer, png: Path, tmp_path: Path
) -> None:
    media = session.upload(png)
    server.faults.fail_next_render = 1
    job = session.export(tiny_draft(media[0].id), download_to=tmp_path)
    assert job.status == "completed" and Path(str(job.path)).exists()
    first, second = session.jobs
    assert first.status == "failed" and first.id != second.id and second is job
    assert server.counts[RENDER] == 2


def test_render_failing_twice_is_render_failed(
    session: nw.Session, server: LocalServer, png: Path, tmp_path: Path
) -> None:
    media = session.upload(png)
    server.faults.fail_next_render = 2
    with pytest.raises(nw.RenderFailed):
        session.export(tiny_draft(media[0].id), download_to=tmp_path)
    assert [j.status for j in session.jobs] == ["failed", "failed"]
    assert server.counts[RENDER] == 2
    assert not list(tmp_path.glob("*.mp4"))


def test_download_falls_back_to_the_download_route(
    session: nw.Session, server: LocalServer, png: Path, tmp_path: Path
) -> None:
    media = session.upload(png)
    job = session.export(tiny_draft(media[0].id), wait=False)
    job.url = f"{server.url}/nowhere/{job.id}.mp4"  # a dead output.url
    session.resume(job, download_to=tmp_path)
    assert Path(str(job.path)).read_bytes()[4:8] == b"ftyp"


def test_unreachable_backend_is_backend_unavailable() -> None:
    import socket

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(nw.BackendUnavailable) as info:
        nw.connect(api_url=f"http://127.0.0.1:{port}")
    assert "ConnectError" in str(info.value) and info.value.hint
