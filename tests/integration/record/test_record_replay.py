"""`connect(record=...)` against the offline backend over loopback: a second run replays without a
chat POST (the server's own count) and renders the same timeline; a changed message, a changed
upload or `refresh=True` goes live and rewrites the record; damaged and foreign records; the
record never holds the token or a media key."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from PIL import Image

import nemo_widgets as nw
from nemo_widgets._text import ui_text
from nemo_widgets.events import End, Notice, Replayed, Text
from nemo_widgets.local import Faults, LocalServer
from nemo_widgets.session._record import RecordWarning

RUN_SSE = ("POST", "/run_sse")
MARK = ui_text("chat.replayed", "en")
MAKE = "make a 6 second video with the title Urban Dreams"
EDIT = "change the title to City Lights"


@pytest.fixture
def images(tmp_path: Path) -> list[Path]:
    paths = []
    for i, colour in enumerate(("navy", "teal")):
        path = tmp_path / f"shot{i}.png"
        Image.new("RGB", (320, 240), colour).save(path)
        paths.append(path)
    return paths


@pytest.fixture
def server(server_factory: Callable[..., LocalServer]) -> LocalServer:
    """A backend whose new tokens pay for ONE generation (100 credits) and nothing more."""
    return server_factory(faults=Faults(never_silent=True), initial_credits=100)


@pytest.fixture
def record(tmp_path: Path) -> Path:
    return tmp_path / "promo.nemo.json"


@contextlib.contextmanager
def sessions(server: LocalServer, record: Path) -> Iterator[Callable[..., nw.Session]]:
    """`open_(**connect_kw)`: a new session on `server` with `record`, closing the one before
    (one run after the other, as a notebook re-run would)."""
    opened: list[nw.Session] = []

    def open_(**kw: Any) -> nw.Session:
        for s in opened:
            s.close()
        args: dict[str, Any] = {"api_url": server.url, "record": record, "poll_interval": 0.05}
        session = nw.connect(backend="local", **{**args, **kw})
        opened.append(session)
        return session

    try:
        yield open_
    finally:
        for s in opened:
            s.close()


@pytest.fixture
def open_session(server: LocalServer, record: Path) -> Iterator[Callable[..., nw.Session]]:
    with sessions(server, record) as open_:
        yield open_


@pytest.fixture
def rich_server(server_factory: Callable[..., LocalServer]) -> LocalServer:
    """A backend whose tokens pay for many turns."""
    return server_factory(faults=Faults(never_silent=True), initial_credits=10_000)


@pytest.fixture
def open_rich(rich_server: LocalServer, record: Path) -> Iterator[Callable[..., nw.Session]]:
    with sessions(rich_server, record) as open_:
        yield open_


def rows(session: nw.Session) -> list[tuple[Any, ...]]:
    df = session.timeline()
    return list(df[["track_type", "kind", "start", "duration", "text"]].itertuples(index=False))


def uploads_named(session: nw.Session) -> set[str]:
    """The uploaded media the session's draft refers to."""
    draft = session.state().draft
    return {s["src"] for t in draft["t"] for s in t["sg"] if s.get("src", "").startswith("med_")}


def test_a_second_run_replays_without_a_chat_post_and_renders(
    open_session: Callable[..., nw.Session], server: LocalServer, images: list[Path], record: Path
) -> None:
    first = open_session()
    first.upload(*images)
    live = first.chat(MAKE)
    assert not live.replayed and server.count(*RUN_SSE) == 1
    assert first.credits().available == 0  # nothing left for a second generation
    timeline, summary = rows(first), first.summary()
    first_ids = uploads_named(first)
    assert record.is_file()

    second = open_session()
    second.upload(*images)
    again = second.chat(MAKE)
    assert server.count(*RUN_SSE) == 1, "the replayed turn called the chat endpoint"
    assert again.replayed and again.text == live.text and again.route == "chat"
    assert [e for e in again.events if isinstance(e, Replayed)] == [Replayed(MARK)]
    assert rows(second) == timeline and second.summary() == summary
    # the replayed draft names this run's uploads, not the first run's
    second_ids = uploads_named(second)
    assert len(second_ids) == 2 and not second_ids & first_ids
    job = second.export(download_to="replayed.mp4", progress=False)
    assert job.status == "completed" and Path(job.path or "").stat().st_size > 1000


def test_a_replayed_turn_streams_its_reply_as_events(
    open_session: Callable[..., nw.Session], server: LocalServer, images: list[Path]
) -> None:
    first = open_session()
    first.upload(*images)
    text = first.chat(MAKE).text
    second = open_session()
    second.upload(*images)

    async def collect() -> list[Any]:
        return [ev async for ev in second.stream(MAKE)]

    events = asyncio.run(collect())
    assert events[0] == Replayed(MARK) and isinstance(events[-1], End)
    assert [e.text for e in events if isinstance(e, Text)][-1] == text
    assert server.count(*RUN_SSE) == 1


def test_the_chat_widget_marks_a_replayed_reply(
    open_session: Callable[..., nw.Session], images: list[Path]
) -> None:
    from nemo_widgets.widgets import ChatCell

    first = open_session()
    first.upload(*images)
    first.chat(MAKE)
    second = open_session()
    second.upload(*images)
    entry = ChatCell(second).ask(MAKE).result(timeout=60)
    assert entry["mark"] == MARK and entry["text"]


def test_a_changed_message_goes_live_and_replaces_the_turns_after_it(
    open_rich: Callable[..., nw.Session], rich_server: LocalServer, images: list[Path], record: Path
) -> None:
    def run(*messages: str) -> list[nw.Reply]:
        session = open_rich()
        session.upload(*images)
        return [session.chat(m) for m in messages]

    run(MAKE, EDIT)
    assert rich_server.count(*RUN_SSE) == 2
    replies = run(MAKE, "change the title to Night Owls")
    assert [r.replayed for r in replies] == [True, False]
    assert rich_server.count(*RUN_SSE) == 3
    # the backend never saw the replayed draft: the user is told so
    assert any(isinstance(e, Notice) and "replayed" in e.text for e in replies[1].events)
    turns = json.loads(record.read_text())["turns"]
    assert [t["message"] for t in turns] == [MAKE, "change the title to Night Owls"]

    replies = run("make a 4 second video")  # the first message differs: all goes live
    assert [r.replayed for r in replies] == [False] and rich_server.count(*RUN_SSE) == 4
    turns = json.loads(record.read_text())["turns"]
    assert [t["message"] for t in turns] == ["make a 4 second video"]
    assert run("make a 4 second video")[0].replayed and rich_server.count(*RUN_SSE) == 4


def test_refresh_and_a_changed_upload_go_live(
    open_rich: Callable[..., nw.Session], rich_server: LocalServer, images: list[Path], record: Path
) -> None:
    def run(refresh_chat: bool = False, **kw: Any) -> nw.Reply:
        session = open_rich(**kw)
        session.upload(*images)
        return session.chat(MAKE, refresh=refresh_chat)

    assert not run().replayed
    assert run().replayed
    assert not run(refresh=True).replayed  # connect(refresh=True)
    assert not run(refresh_chat=True).replayed  # chat(refresh=True)
    assert rich_server.count(*RUN_SSE) == 3
    assert run().replayed and rich_server.count(*RUN_SSE) == 3
    Image.new("RGB", (320, 240), "maroon").save(images[0])  # same name, other content
    assert not run().replayed and rich_server.count(*RUN_SSE) == 4
    uploads = json.loads(record.read_text())["uploads"]
    assert [u["name"] for u in uploads] == ["shot0.png", "shot1.png"]
    # the hashes are of the bytes sent (computed while uploading)
    assert [u["sha256"] for u in uploads] == [
        hashlib.sha256(p.read_bytes()).hexdigest() for p in images
    ]


def test_the_record_never_holds_the_token_or_a_media_key(
    rich_server: LocalServer, images: list[Path], record: Path
) -> None:
    server = rich_server
    answer = httpx.post(
        f"{server.url}/api/auth/anonymous-token",
        headers={"X-Client-Id": "00000000-0000-4000-8000-00000000c0de"},
    ).json()
    token = answer["data"]["token"]
    session = nw.connect(backend="cloud", api_url=server.url, token=token, record=record)
    try:
        session.upload(*images)
        session.chat(f"make a video with the title {token}")  # the token even in a message
        session.chat("add music")
    finally:
        session.close()
    text = record.read_text()
    forms = {
        "plain": token,
        "url-encoded": quote(token, safe=""),
        "base64": base64.b64encode(token.encode()).decode(),
        "urlsafe-base64": base64.urlsafe_b64encode(token.encode()).decode().rstrip("="),
    }
    for name, form in forms.items():
        assert form not in text, f"the token is in the record ({name})"
    assert "key=" not in text and "/api/media/" not in text
    assert json.loads(text)["backend"] == "cloud"


def test_a_damaged_record_is_ignored_with_a_warning_and_replaced(
    open_session: Callable[..., nw.Session], images: list[Path], record: Path
) -> None:
    record.write_text('{"format": "nemo_widgets.record", "version": 1, "turns": [')
    with pytest.warns(RecordWarning, match="not valid JSON"):
        session = open_session()
    session.upload(*images)
    assert not session.chat(MAKE).replayed
    assert json.loads(record.read_text())["turns"][0]["message"] == MAKE


def test_a_foreign_file_is_refused_before_any_request(
    server: LocalServer, record: Path, tmp_path: Path
) -> None:
    record.write_text('{"cells": [], "nbformat": 4}')
    with pytest.raises(nw.RecordError, match="not a nemo_widgets record"):
        nw.connect(backend="local", api_url=server.url, record=record)
    assert record.read_text() == '{"cells": [], "nbformat": 4}'
    assert server.count("POST", "/api/tasks/me/with-session/nemo_agent") == 0


def test_a_record_of_another_backend_is_not_replayed(
    open_session: Callable[..., nw.Session], server: LocalServer, images: list[Path], record: Path
) -> None:
    first = open_session()
    first.upload(*images)
    first.chat(MAKE)
    doc = json.loads(record.read_text())
    record.write_text(json.dumps({**doc, "backend": "cloud"}))
    with pytest.warns(RecordWarning, match="cloud backend"):
        second = open_session()
    second.upload(*images)
    with pytest.raises(nw.NoCredits):  # it went live, and one generation was all there was
        second.chat(MAKE)
    assert server.count(*RUN_SSE) == 2


def test_running_the_connect_cell_again_starts_afresh_and_replays(
    server: LocalServer, images: list[Path], record: Path
) -> None:
    sessions_seen = []
    try:
        for _ in range(2):  # "Run All" twice in one kernel: the same connect() call
            session = nw.connect(backend="local", api_url=server.url, record=record)
            sessions_seen.append(session)
            session.upload(*images)
            reply = session.chat(MAKE)
        assert sessions_seen[0].closed and sessions_seen[0] is not sessions_seen[1]
        assert reply.replayed and server.count(*RUN_SSE) == 1
    finally:
        for s in sessions_seen:
            s.close()
