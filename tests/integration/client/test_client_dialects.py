"""The client's main flows against the offline backend in both dialects (ADK and vendor): upload,
state, export with download, cancel (its ffmpeg really stopped), 2001 for an anonymous and a
registered user, 402, and the token call's 429 quota."""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from polling import wait_until
from samples import tiny_draft

ANON = ("POST", "/api/auth/anonymous-token")
LONG_MS = 1_200_000  # a render that runs for many seconds, so that it can be cancelled midway


@pytest.fixture(params=["adk", "vendor"])
def dialect(request: pytest.FixtureRequest) -> str:
    """Each test runs against both dialects."""
    return str(request.param)


@pytest.fixture
def server_options(server_options: dict[str, Any], dialect: str) -> dict[str, Any]:
    """Every server of the test speaks `dialect` (the `server` and `session` fixtures' too)."""
    return {**server_options, "dialect": dialect}


def media_id(session: nw.Session) -> str:
    """The id the backend's state gives the first upload (the vendor's `files[]` has none)."""
    return str(session.state().video_infos[0]["id"])


def ffmpeg_children() -> list[int]:
    """Pids of live ffmpeg processes started by this process (the server runs in-process)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as f:
                stat = f.read()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1 : stat.rindex(")")], stat[stat.rindex(")") + 2 :]
        state, ppid = rest.split()[0], int(rest.split()[1])
        if ppid == os.getpid() and name.startswith("ffmpeg") and state != "Z":
            found.append(int(entry))
    return found


def test_upload_state_and_ids(session: nw.Session, png: Path, dialect: str) -> None:
    media = session.upload(png)
    assert [(m.name, m.type, m.width, m.height) for m in media] == [("photo.png", "image", 64, 48)]
    assert media[0].url and media[0].url.startswith("http://127.0.0.1:")
    if dialect == "vendor":
        assert media[0].hash == hashlib.sha256(png.read_bytes()).hexdigest()
        assert session.session_id.isdigit() and len(session.session_id) == 19
    else:
        assert media[0].id.startswith("med_") and media[0].size == png.stat().st_size
        assert session.session_id.startswith("sess_")
    state = session.state()
    assert state.session_id == session.session_id  # kept as the string it is
    assert [v["name"] for v in state.video_infos] == ["photo.png"]
    if dialect == "vendor":
        assert state.task_name == "project" and state.video_analyses == {}
        assert state.extra["user_id"].startswith("anon_")


def test_export_with_download(session: nw.Session, png: Path, tmp_path: Path) -> None:
    session.upload(png)
    job = session.export(tiny_draft(media_id(session)), download_to=tmp_path / "out")
    assert (job.status, job.percent) == ("completed", 100.0)
    assert job.url and "/download" in job.url
    assert Path(str(job.path)).read_bytes()[4:8] == b"ftyp"


def test_cancel_stops_ffmpeg_and_leaves_no_file(
    session: nw.Session, server: LocalServer, png: Path
) -> None:
    session.upload(png)
    job = session.export(tiny_draft(media_id(session), ms=LONG_MS), wait=False)
    wait_until(lambda: bool(ffmpeg_children()), what="the render's ffmpeg")
    assert job.cancel() is job
    assert job.status == "cancelled" and job.error == "cancelled by the user"
    assert ffmpeg_children() == []  # killed and reaped before the cancel was answered
    assert list((server.data_dir / "renders").iterdir()) == []  # no output, no partial file
    assert server.app.state.nemo.store.renders[job.id]["status"] == "cancelled"
    assert session.resume(job).status == "cancelled"  # the backend says so too
    assert job.cancel().status == "cancelled"  # cancelling again changes nothing


def test_cancel_ends_a_waiting_export_at_once(session: nw.Session, png: Path) -> None:
    session.upload(png)
    session.options.poll_interval = session.options.poll_max_interval = 3600.0  # a long wait
    done: list[nw.RenderJob] = []
    waiter = threading.Thread(
        target=lambda: done.append(session.export(tiny_draft(media_id(session), ms=LONG_MS)))
    )
    waiter.start()
    wait_until(lambda: bool(session.jobs) and bool(ffmpeg_children()), what="the render to start")
    session.jobs[-1].cancel()
    waiter.join(30)
    assert not waiter.is_alive(), "export() kept waiting after cancel()"
    assert [j.status for j in done] == ["cancelled"] and len(session.jobs) == 1  # no retry


def test_no_credits_anonymous_gets_the_registration_link(
    server_factory: Callable[..., LocalServer], dialect: str, png: Path
) -> None:
    server = server_factory(dialect=dialect, initial_credits=0)
    s = nw.connect(backend="local", api_url=server.url, resume=False)
    try:
        s.upload(png)
        user_id = s.api.credentials.user_id
        assert user_id and user_id.startswith("anon_")
        with pytest.raises(nw.NoCredits) as info:
            nw._loop.run(_open_chat(s, "make a video from my photos"))
        assert info.value.register_url == f"{server.url}/register?bind={user_id}"
        assert str(info.value).endswith(
            "Your free credits are used up! Register to get 100 more credits, and your project "
            f"history will be preserved: {server.url}/register?bind={user_id}"
        )
    finally:
        s.close()


def test_no_credits_registered_gets_the_top_up_text(
    server_factory: Callable[..., LocalServer], dialect: str, png: Path
) -> None:
    server = server_factory(dialect=dialect, initial_credits=0)
    answer = httpx.post(f"{server.url}/api/auth/anonymous-token", headers={"X-Client-Id": "reg"})
    token = answer.json()["data"]["token"]
    server.app.state.nemo.store.register(token)  # the account behind it is a registered one
    s = nw.connect(backend="local", api_url=server.url, token=token, resume=False)
    try:
        s.upload(png)
        with pytest.raises(nw.NoCredits) as info:
            nw._loop.run(_open_chat(s, "make a video from my photos"))
        assert info.value.register_url is None
        assert info.value.hint == f"Top up at {urlsplit(server.url).netloc}."
    finally:
        s.close()


async def _open_chat(s: nw.Session, text: str) -> None:
    async with s.api.open_chat(s.session_id, text):
        pass


def test_402_says_register_to_unlock_export(server: LocalServer, png: Path, tmp_path: Path) -> None:
    s = nw.connect(backend="local", api_url=server.url, skill_name="", resume=False)
    try:
        s.upload(png)
        with pytest.raises(nw.ExportBlocked) as info:
            s.export(tiny_draft(media_id(s)), download_to=tmp_path)
        assert info.value.hint == f"Register at {urlsplit(server.url).netloc} to unlock export."
    finally:
        s.close()


def test_token_429_is_a_7_day_quota_and_not_retried(server: LocalServer, home: Path) -> None:
    nw.connect(backend="local", api_url=server.url).close()
    (home / ".config/nemovideo/tokens.json").unlink()  # forget the token, keep the client id
    with pytest.raises(nw.RateLimited) as info:
        nw.connect(backend="local", api_url=server.url, rate_limit_wait=0.01)
    assert server.counts[ANON] == 2  # no wait-and-retry, no loop
    assert "7 days" in str(info.value) and "will not help" in str(info.value)
