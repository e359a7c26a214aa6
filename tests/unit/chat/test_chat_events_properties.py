"""Properties of ChatTurn, in both dialects: byte splits do not matter; garbage never raises, it
is only reported."""

from __future__ import annotations

import json
from typing import Any, get_args

import chat_streams as cs
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from nemo_widgets.events import ChatTurn, End, Event, Heartbeat, StreamError, ToolCall, ToolResult

EVENT_TYPES = get_args(Event)


@settings(max_examples=150, deadline=None)
@given(stream=cs.valid_streams(), data=st.data())
def test_any_byte_split_gives_the_same_events(stream: list[Any], data: st.DataObject) -> None:
    body = cs.sse(*stream)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=12))
    whole = cs.decode(body)
    assert cs.decode(body, cuts) == whole
    # One byte at a time is the extreme split.
    turn = ChatTurn()
    one_by_one = [ev for i in range(len(body)) for ev in turn.feed(body[i : i + 1])]
    assert one_by_one + turn.close() == whole


@settings(max_examples=150, deadline=None)
@given(stream=cs.valid_streams())
def test_valid_streams_show_each_text_once(stream: list[Any]) -> None:
    events = cs.decode(cs.sse(*stream))
    assert cs.shown(events) == cs.expected_text(stream)
    assert not any(isinstance(ev, StreamError) for ev in events)
    tools = [ev for ev in events if isinstance(ev, ToolCall | ToolResult)]
    assert len(tools) == sum(
        isinstance(ev, dict) and (ev.get("type", "").startswith("tool_") or _is_adk_tool(ev))
        for ev in stream
    )


def _is_adk_tool(ev: dict[str, Any]) -> bool:
    content = ev.get("content")
    part = content["parts"][0] if isinstance(content, dict) else {}
    return "functionCall" in part or "functionResponse" in part


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=6))
@example(raw=b"data: " + b"[" * 5000 + b"\n\n", cuts=[])  # nesting deeper than json can read
@example(raw=b"\r\r\n\rdata:\xff\n\n", cuts=[1])
@example(raw=b'event: error\ndata: {"message": 1}\n\n', cuts=[])
@example(raw=b'data: {"content": {"parts": [{"text": 5}]}}\n\n', cuts=[])
@example(raw=b'data: {"error": null, "errorCode": 0}\n\n', cuts=[])
def test_arbitrary_bytes_never_raise(raw: bytes, cuts: list[int]) -> None:
    events = cs.decode(raw, [c for c in cuts if c <= len(raw)])
    assert events[-1] == End()
    assert all(isinstance(ev, EVENT_TYPES) for ev in events)


garbage_line = st.one_of(
    st.text(max_size=40),
    st.text(max_size=40).map(lambda t: "data: " + t),
    st.text(max_size=40).map(lambda t: "data: {" + t),
).filter(lambda line: "\n" not in line and "\r" not in line)


def _is_real_event(line: str) -> bool:
    """A garbage line that happens to be a readable JSON object is not garbage."""
    if not line.startswith("data"):
        return False
    try:
        return isinstance(json.loads(line.partition(":")[2]), dict)
    except ValueError:
        return False


@settings(max_examples=100, deadline=None)
@given(stream=cs.valid_streams(), garbage=st.lists(garbage_line, max_size=5), data=st.data())
@example(stream=[cs.text_event("ok")], garbage=["event: error"], data=None)
@example(stream=[cs.text_event("ok")], garbage=["data: {"], data=None)
def test_garbage_lines_are_reported_and_the_rest_is_unchanged(
    stream: list[Any], garbage: list[str], data: st.DataObject | None
) -> None:
    assume(not any(_is_real_event(g) for g in garbage))
    mixed = list(stream)
    for g in garbage:
        at = data.draw(st.integers(0, len(mixed))) if data is not None else 0
        mixed.insert(at, g + "\n\n")
    clean = [ev for ev in cs.decode(cs.sse(*stream)) if not isinstance(ev, Heartbeat)]
    events = cs.decode(cs.sse(*mixed))
    errors = [ev for ev in events if isinstance(ev, StreamError)]
    rest = [ev for ev in events if not isinstance(ev, StreamError | Heartbeat)]
    assert rest == clean
    assert len(errors) <= len(garbage)
