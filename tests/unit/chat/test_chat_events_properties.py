"""Properties of ChatTurn: byte splits do not matter; garbage never raises, it is only reported."""

from __future__ import annotations

import json
from typing import Any, get_args

from chat_streams import call_event, decode, result_event, shown, sse, text_event
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

from nemo_widgets.events import ChatTurn, End, Event, Heartbeat, StreamError

EVENT_TYPES = get_args(Event)
texts = st.text(max_size=20)


@st.composite
def valid_streams(draw: st.DrawFn) -> list[dict[str, Any] | str]:
    """A plausible ADK stream: streamed texts with their finals, tool use, heartbeats."""
    items: list[dict[str, Any] | str] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["streamed", "whole", "tool", "heartbeat", "comment"]))
        if kind == "streamed":
            chunks = draw(st.lists(texts.filter(bool), min_size=1, max_size=4))
            items += [text_event(c, partial=True) for c in chunks]
            items.append(text_event("".join(chunks), partial=False))
        elif kind == "whole":
            items.append(text_event(draw(texts.filter(bool))))
        elif kind == "tool":
            name = draw(st.sampled_from(["add_title", "trim", "添加字幕"]))
            items += [call_event(name, {"x": draw(texts)}), result_event(name, {"ok": True})]
        elif kind == "heartbeat":
            items.append("data:\n\n")
        else:
            items.append(": ping\n\n")
    return items


@settings(max_examples=100, deadline=None)
@given(stream=valid_streams(), data=st.data())
def test_any_byte_split_gives_the_same_events(stream: list[Any], data: st.DataObject) -> None:
    body = sse(*stream)
    cuts = data.draw(st.lists(st.integers(0, len(body)), max_size=12))
    whole = decode(body)
    assert decode(body, cuts) == whole
    # One byte at a time is the extreme split.
    turn = ChatTurn()
    one_by_one = [ev for i in range(len(body)) for ev in turn.feed(body[i : i + 1])]
    assert one_by_one + turn.close() == whole


@settings(max_examples=100, deadline=None)
@given(stream=valid_streams())
def test_valid_streams_show_each_text_once(stream: list[Any]) -> None:
    finals = [
        ev["content"]["parts"][0]["text"]
        for ev in stream
        if isinstance(ev, dict) and "text" in ev["content"]["parts"][0] and not ev.get("partial")
    ]
    events = decode(sse(*stream))
    assert shown(events) == "\n\n".join(finals)
    assert not any(isinstance(ev, StreamError) for ev in events)


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=300), cuts=st.lists(st.integers(0, 300), max_size=6))
@example(raw=b"data: " + b"[" * 5000 + b"\n\n", cuts=[])  # nesting deeper than json can read
@example(raw=b"\r\r\n\rdata:\xff\n\n", cuts=[1])
@example(raw=b'event: error\ndata: {"message": 1}\n\n', cuts=[])
@example(raw=b'data: {"content": {"parts": [{"text": 5}]}}\n\n', cuts=[])
@example(raw=b'data: {"error": null, "errorCode": 0}\n\n', cuts=[])
def test_arbitrary_bytes_never_raise(raw: bytes, cuts: list[int]) -> None:
    events = decode(raw, [c for c in cuts if c <= len(raw)])
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
@given(stream=valid_streams(), garbage=st.lists(garbage_line, max_size=5), data=st.data())
@example(stream=[text_event("ok")], garbage=["event: error"], data=None)
@example(stream=[text_event("ok")], garbage=["data: {"], data=None)
def test_garbage_lines_are_reported_and_the_rest_is_unchanged(
    stream: list[Any], garbage: list[str], data: st.DataObject | None
) -> None:
    assume(not any(_is_real_event(g) for g in garbage))
    mixed = list(stream)
    for g in garbage:
        at = data.draw(st.integers(0, len(mixed))) if data is not None else 0
        mixed.insert(at, g + "\n\n")
    clean = [ev for ev in decode(sse(*stream)) if not isinstance(ev, Heartbeat)]
    events = decode(sse(*mixed))
    errors = [ev for ev in events if isinstance(ev, StreamError)]
    rest = [ev for ev in events if not isinstance(ev, StreamError | Heartbeat)]
    assert rest == clean
    assert len(errors) <= len(garbage)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@st.composite
def adk_like_events(draw: st.DrawFn) -> dict[str, Any]:
    """Text chunks and other events with arbitrary values where ADK puts its envelope."""
    event = draw(st.dictionaries(st.sampled_from(["id", "actions", "x", "partial"]), json_values))
    if draw(st.booleans()):
        part = draw(st.one_of(st.fixed_dictionaries({"text": json_values}), json_values))
        event["content"] = {"parts": [part], "role": draw(st.sampled_from(["model", "user"]))}
    return event


@settings(max_examples=150, deadline=None)
@given(stream=st.lists(adk_like_events(), max_size=4))
@example(stream=[{"content": {"parts": [{"text": "a"}]}, "partial": True, "id": 2**70}])
@example(stream=[{"content": {"parts": [{"functionCall": {"name": "f", "args": {"n": 2**70}}}]}}])
@example(stream=[{"content": {"parts": [{"text": "a"}]}, "partial": float("inf")}])
def test_the_fast_parser_never_changes_what_is_read(stream: list[dict[str, Any]]) -> None:
    from nemo_widgets import events

    body = sse(*stream)
    reference = events._fast_loads
    try:
        events._fast_loads = events._stdlib_loads
        with_stdlib = decode(body)
    finally:
        events._fast_loads = reference
    assert repr(decode(body)) == repr(with_stdlib)


# -- shapes: chunks of one model call read by their text literal alone -------------------------
_SENTINEL = "\x00sentinel\x00"

literal_swaps = st.one_of(
    st.binary(max_size=30),
    texts.map(lambda t: json.dumps(t).encode()),
    st.sampled_from(
        [
            b'"a","partial":false,"x":"',
            b'"a"}],"role":"user"},"y":{"z":"',
            b'"a"},{"text":"b',
            b'"error":"boom","t":"',
            b'"a"\n',
            b'"a" ',
            b'""',
            b'"\\u0065rror"',
            b"5",
            b"null",
            b'"\\ud800"',
            b'"a\\"',
            b'"a\\\\"',
            b'"a\\", "b"',
            b"-",
            b"1.",
            b"01",
            b"1e5",
            b"-0.5",
            b" 1",
            b"1\n",
        ]
    ),
)


value_kinds = st.sampled_from(
    [
        st.just("ev-1"),
        st.text(max_size=8),
        st.integers(),
        st.floats(allow_nan=False, allow_infinity=False),
        json_values.filter(lambda v: v == v),  # no NaN: not JSON, and orjson refuses it
    ]
)


@st.composite
def chunk_streams(draw: st.DrawFn) -> bytes:
    """Chunks that share an envelope but for their text, `id` and `timestamp` (as ADK streams
    them), encoded either way, with look-alikes: garbage bytes where one of those values was."""
    envelope = draw(st.dictionaries(st.sampled_from(["actions", "author", "x"]), json_values))
    ascii_only, spaced = draw(st.booleans()), draw(st.booleans())
    separators = (", ", ": ") if spaced else (",", ":")
    ids, timestamps = draw(value_kinds), draw(value_kinds)  # kinds of value, for the stream

    def line(text: Any, id: Any, timestamp: Any) -> bytes:
        event = {"content": {"parts": [{"text": text}], "role": "model"}, "partial": True}
        event |= envelope | {"id": id, "timestamp": timestamp}
        return json.dumps(event, ensure_ascii=ascii_only, separators=separators).encode()

    lines = []
    for _ in range(draw(st.integers(1, 10))):
        values = [draw(texts), draw(ids), draw(timestamps)]
        if draw(st.integers(0, 4)) == 0:
            which = draw(st.integers(0, 2))
            values[which] = _SENTINEL
            sentinel = json.dumps(_SENTINEL).encode()
            chunk = line(*values)
            if chunk.count(sentinel) == 1:
                lines.append(chunk.replace(sentinel, draw(literal_swaps)))
                continue
        lines.append(line(*values))
    return b"".join(b"data: " + chunk + b"\n\n" for chunk in lines)


@settings(max_examples=300, deadline=None)
@given(body=chunk_streams(), cuts=st.lists(st.integers(0, 2000), max_size=4))
@example(body=sse(*(text_event(t, partial=True) for t in ("a", "b", "c"))), cuts=[])
@example(body=b'data: {"content":{"parts":[{"text":"\\ud800"}]},"partial":true}\n\n', cuts=[])
@example(  # the shape learnt from the first two, then one read with a look-alike among fitting ones
    body=sse(*(text_event(f"w{i}", partial=True, timestamp=i) for i in range(4)))
    + sse(text_event("x", partial=True, timestamp=9)).replace(b'"timestamp":9,', b'"timestamp":9.,')
    + sse(*(text_event(f"w{i}", partial=True, timestamp=i) for i in range(5, 8))),
    cuts=[len(sse(*(text_event(f"w{i}", partial=True, timestamp=i) for i in range(2))))],
)
def test_learning_shapes_never_changes_what_is_read(body: bytes, cuts: list[int]) -> None:
    from nemo_widgets import events

    learning = decode(body, [c for c in cuts if c <= len(body)])
    tries, events._LEARN_TRIES = events._LEARN_TRIES, 0
    try:
        reference = decode(body)
    finally:
        events._LEARN_TRIES = tries
    assert repr(learning) == repr(reference)


def test_chunks_of_one_model_call_are_read_by_their_shape() -> None:
    """The control for the property above: the first two chunks are read in full and the shape
    learnt from what differs between them (timestamp and id, as ADK 1.x sends them); the next
    chunks are read by their values alone."""
    from nemo_widgets import events

    turn = ChatTurn()
    parsed: list[bytes] = []
    reference = events._fast_loads

    def counting(raw: bytes) -> Any:
        parsed.append(raw)
        return reference(raw)

    texts = ["城市", "的", "夜\n", '"晚"']
    chunks = [
        text_event(t, partial=True, id=f"ev-{i}", timestamp=1764300000.5 + i)
        for i, t in enumerate(texts)
    ]
    events._fast_loads = counting
    try:
        out = turn.feed(sse(*chunks[:2]))
        learnt = len(parsed)
        out += turn.feed(sse(*chunks[2:]))
    finally:
        events._fast_loads = reference
    assert [ev.text for ev in out if isinstance(ev, events.TextDelta)] == texts
    assert learnt > 1  # read in full, then checked with probes
    assert parsed[learnt:] and not any(raw.startswith(b"{") for raw in parsed[learnt:])
