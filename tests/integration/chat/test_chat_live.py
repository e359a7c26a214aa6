"""The chat against the offline backend over loopback, in both dialects of the contract (ADK
events, the vendor's typed events): streaming, duplicates, tool noise, heartbeats, silent edits,
an error event, the state after, a dropped stream, and routing that never touches `/run_sse`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

import nemo_widgets as nw
from nemo_widgets.events import (
    Changes,
    End,
    Event,
    Heartbeat,
    Notice,
    ReplyView,
    StreamError,
    TextDelta,
    ToolCall,
)
from nemo_widgets.local import Faults, LocalServer

RUN_SSE = ("POST", "/run_sse")


@pytest.fixture(params=["adk", "vendor"])
def live(
    request: pytest.FixtureRequest,
    server_factory: Callable[..., LocalServer],
    tmp_path: Path,
) -> Iterator[tuple[LocalServer, nw.Session]]:
    """A backend in one dialect (no random silent edits, credits to spare) and a session with a
    made video."""
    server = server_factory(
        faults=Faults(never_silent=True), initial_credits=10_000, dialect=request.param
    )
    session = nw.connect(
        backend="local",
        api_url=server.url,
        resume=False,
        drop_waits=(0.05, 0.1),
        drop_max_reads=5,
    )
    image = tmp_path / "city.png"
    Image.new("RGB", (320, 240), "navy").save(image)
    session.upload(str(image))
    made = session.chat("make a video")
    assert made.route == "chat" and made.text
    try:
        yield server, session
    finally:
        session.close()


def shown(events: list[Event]) -> str:
    """What the chat view shows, drawing the events by their rules (append / replace)."""
    return ReplyView.of(events).text


def test_text_streams_in_several_deltas_before_the_stream_ends(
    live: tuple[LocalServer, nw.Session],
) -> None:
    _, session = live
    turns_before = len(session.history)

    async def consume() -> tuple[list[Event], int]:
        events: list[Event] = []
        deltas_while_open = 0
        async for ev in session.stream("add a title Urban Dreams"):  # from a foreign loop
            events.append(ev)
            # The assistant turn is recorded only when the stream is over.
            if isinstance(ev, TextDelta) and len(session.history) == turns_before + 1:
                deltas_while_open += 1
        return events, deltas_while_open

    events, deltas_while_open = asyncio.run(consume())
    assert deltas_while_open >= 2
    assert isinstance(events[-1], End)
    assert session.history[-1]["role"] == "assistant"


def test_final_text_repeating_the_deltas_is_shown_once(
    live: tuple[LocalServer, nw.Session],
) -> None:
    _, session = live
    reply = session.chat("add a title Urban Dreams")
    deltas = [ev for ev in reply.events if isinstance(ev, TextDelta)]
    assert len(deltas) >= 2
    assert shown(list(reply.events)) == reply.text
    first_words = reply.text[:12]
    assert reply.text.count(first_words) == 1


def test_tool_calls_never_reach_the_reply_text(live: tuple[LocalServer, nw.Session]) -> None:
    _, session = live
    reply = session.chat("add background music")
    calls = [ev for ev in reply.events if isinstance(ev, ToolCall)]
    assert calls
    for call in calls:
        assert call.name not in reply.text
    assert "functionCall" not in reply.text and "{" not in reply.text


def test_silent_edit_produces_a_change_sentence(live: tuple[LocalServer, nw.Session]) -> None:
    server, session = live
    server.faults.silent_next = 1
    reply = session.chat("change the title to Night City")
    assert not any(isinstance(ev, TextDelta) for ev in reply.events)  # the backend said nothing
    assert reply.changes
    assert reply.text.startswith("✅ ") and "Night City" in reply.text
    assert any(isinstance(ev, Changes) for ev in reply.events)


def test_heartbeats_reach_the_client_and_the_reply_is_unchanged(
    live: tuple[LocalServer, nw.Session],
) -> None:
    server, session = live
    server.options.step_delay = 0.3  # several heartbeat intervals of silence per tool call
    reply = session.chat("change the title to Night City")
    assert sum(isinstance(ev, Heartbeat) for ev in reply.events) >= 2
    assert reply.text and not any(isinstance(ev, StreamError) for ev in reply.events)


def test_the_state_after_the_turn_has_the_edit(live: tuple[LocalServer, nw.Session]) -> None:
    _, session = live
    reply = session.chat("change the title to Night City")
    titles = [
        seg.get("txt")
        for track in session.state().draft["t"]
        if track.get("tt") == 7
        for seg in track["sg"]
    ]
    assert "Night City" in titles
    assert "Night City" in reply.text or reply.changes


def test_dropped_stream_is_posted_once_and_reported_from_the_state(
    live: tuple[LocalServer, nw.Session],
) -> None:
    server, session = live
    server.faults.drop_stream_after = 2
    server.faults.drop_stream_times = 1
    posts = server.counts[RUN_SSE]
    reply = session.chat("change the title to Night City")
    assert server.counts[RUN_SSE] == posts + 1
    assert any(isinstance(ev, Notice) and "dropped" in ev.text for ev in reply.events)
    assert "✅" in reply.text and "Night City" in reply.text
    assert reply.changes
    assert not session.can_retry


def test_error_event_mid_stream_is_said_and_the_state_read(
    live: tuple[LocalServer, nw.Session],
) -> None:
    server, session = live
    server.faults.error_stream_after = 2
    server.faults.error_stream_message = "model overloaded"
    reply = session.chat("add a title Urban Dreams")
    assert "⚠️ The backend reported an error: model overloaded" in reply.text
    assert any(isinstance(ev, StreamError) for ev in reply.events)
    # Whatever the backend had done by then is reported from the state, never guessed.
    assert ("✅" in reply.text) == bool(reply.changes)


@pytest.mark.parametrize(
    ("text", "route", "check"),
    [
        ("导出", "export", lambda reply: Path(reply.events[-3].payload.path).stat().st_size > 0),
        ("余额", "credits", lambda reply: reply.text.startswith("Credits: ")),
    ],
    ids=["导出-exports", "余额-credits"],
)
def test_routing_skips_the_chat_stream(
    live: tuple[LocalServer, nw.Session], text: str, route: str, check: Callable[[Any], bool]
) -> None:
    server, session = live
    posts = server.counts[RUN_SSE]
    reply = session.chat(text)
    assert reply.route == route
    assert check(reply)
    assert server.counts[RUN_SSE] == posts
