"""Fuzzing with hypothesis: the upload chunk protocol (the widget's kernel side) and the SSE parser.

The chunk receiver is checked against a reference model of the protocol written here from its
rules (sequence, offset, size, replay of the last chunk); the picker's dispatcher against arbitrary
messages; `ChatTurn` against arbitrary splits, line endings and bytes. Cases worth keeping are
pinned with `@example` (see RELIABILITY.md for the ones the fuzzing found).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import nemo_widgets as nw
from nemo_widgets.errors import NemoError
from nemo_widgets.events import ChatTurn, End, Event, ReplyView, Text, TextDelta
from nemo_widgets.widgets import UploadPicker
from nemo_widgets.widgets._chunks import ChunkReceiver
from widget_comm import RecordingComm

MAX_CHUNK = 64
FUZZ = settings(
    max_examples=int(os.environ.get("NEMO_FUZZ_EXAMPLES", "150")),  # more for a longer hunt
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# -- the chunk protocol against a model ---------------------------------------------------------
op = st.one_of(
    st.tuples(
        st.just("start"),
        st.sampled_from(["a.png", "b.mp4", "c.exe", "", "../x.wav", "d"]),
        st.one_of(st.integers(-3, 400), st.just(10**12), st.sampled_from(["5", None, True, 1.5])),
    ),
    st.tuples(
        st.just("chunk"),
        st.integers(0, 3),  # which transfer (by order of start)
        st.integers(-1, 2),  # seq: next + this
        st.integers(-2, 2),  # offset: held + this * 7
        st.binary(min_size=0, max_size=MAX_CHUNK + 8),
    ),
    st.tuples(st.just("replay"), st.integers(0, 3)),
    st.tuples(st.just("end"), st.integers(0, 3)),
    st.tuples(st.just("cancel"), st.integers(0, 3)),
)


class Model:
    """The protocol's rules, independently of the implementation."""

    def __init__(self) -> None:
        self.open: dict[str, dict[str, Any]] = {}

    def chunk(self, uid: str, seq: Any, offset: Any, data: bytes) -> bool:
        t = self.open[uid]
        if t["last"] == (seq, offset, len(data)):
            return True  # the same chunk again: acknowledged, not written twice
        ok = (
            seq == t["next"]
            and offset == len(t["data"])
            and 0 < len(data) <= MAX_CHUNK
            and len(t["data"]) + len(data) <= t["size"]
        )
        if ok:
            t["last"] = (t["next"], len(t["data"]), len(data))
            t["data"] += data
            t["next"] += 1
        else:
            del self.open[uid]
        return ok


@FUZZ
@given(ops=st.lists(op, max_size=40))
@example(ops=[("start", "a.png", 3), ("chunk", 0, 0, 0, b"abc"), ("replay", 0), ("end", 0)])
@example(ops=[("start", "a.png", 4), ("chunk", 0, 0, 0, b"ab"), ("chunk", 0, -1, -2, b"ab")])
@example(ops=[("start", "a.png", True)])
@example(ops=[("start", "a.png", 10**12)])
@example(ops=[("start", "a.png", 2), ("chunk", 0, 0, 0, b"")])
def test_chunk_receiver_follows_the_protocol_model(
    ops: list[tuple[Any, ...]], tmp_path: Path
) -> None:
    root = tmp_path / "fuzz"
    root.mkdir(exist_ok=True)
    rx = ChunkReceiver(max_size=1000, max_chunk=MAX_CHUNK, root=str(root))
    model = Model()
    started: list[str] = []
    last: dict[str, tuple[int, int, bytes]] = {}
    try:
        for o in ops:
            kind = o[0]
            if kind == "start":
                _, name, size = o
                try:
                    uid = rx.start(name, size)
                except NemoError:
                    good = isinstance(size, int) and not isinstance(size, bool)
                    ext = name.rsplit(".", 1)[-1] if "." in name else ""
                    assert not (good and 0 < size <= 1000 and ext in ("png", "mp4", "wav"))
                    continue
                assert isinstance(size, int) and 0 < size <= 1000
                model.open[uid] = {"size": size, "data": b"", "next": 0, "last": None}
                started.append(uid)
                continue
            if not started:
                continue
            uid = started[o[1] % len(started)]
            live = uid in model.open
            if kind in ("chunk", "replay"):
                if kind == "chunk":
                    t = model.open.get(uid, {"next": 0, "data": b""})
                    seq, offset, data = t["next"] + o[2], len(t["data"]) + o[3] * 7, o[4]
                else:
                    if uid not in last:
                        continue
                    seq, offset, data = last[uid]
                expected = model.chunk(uid, seq, offset, data) if live else False
                try:
                    held = rx.write(uid, seq, offset, data)
                except NemoError:
                    assert not expected
                else:
                    assert expected and held == len(model.open[uid]["data"])
                    last[uid] = (seq, offset, data)
            elif kind == "end":
                try:
                    path = rx.finish(uid)
                except NemoError:
                    assert not live or len(model.open[uid]["data"]) != model.open[uid]["size"]
                    model.open.pop(uid, None)
                else:
                    assert live and path.read_bytes() == model.open.pop(uid)["data"]
                    path.unlink()
            else:
                assert rx.cancel(uid) is live
                model.open.pop(uid, None)
            assert rx.open_count == len(model.open)
    finally:
        rx.cancel_all()
    # nothing is left behind: every temporary file went with its transfer
    assert [p for p in root.rglob("*") if p.is_file()] == []


# -- the picker's dispatcher against arbitrary messages ----------------------------------------
json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)
message = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["upload_start", "upload_chunk", "upload_cancel", "zzz", ""]),
        "id": json_value,
    },
    optional={
        "upload": st.sampled_from(["u1", "u2", "u3"]) | json_value,
        "seq": st.integers(-1, 3) | json_value,
        "offset": st.integers(-1, 300) | json_value,
        "name": st.sampled_from(["a.png", "x.exe"]) | json_value,
        "size": st.integers(-1, 300) | json_value,
    },
)


@pytest.fixture
def picker(
    session: nw.Session, comms: list[RecordingComm], tmp_path: Path
) -> Iterator[tuple[UploadPicker, RecordingComm]]:
    temp = tmp_path / "temp"
    temp.mkdir()
    w = UploadPicker(session, temp_dir=str(temp))
    w._receiver.max_chunk = MAX_CHUNK
    try:
        yield w, comms[-1]
    finally:
        w.close()


@FUZZ
@given(
    msgs=st.lists(
        st.tuples(message, st.lists(st.binary(max_size=MAX_CHUNK + 4), max_size=2)), max_size=25
    )
)
@example(msgs=[({"kind": "upload_chunk", "id": 1, "upload": ["u1"]}, [b"x"])])
@example(msgs=[({"kind": "upload_start", "id": None, "name": {"a": 1}, "size": 3}, [])])
def test_picker_answers_every_message_and_never_raises(
    msgs: list[tuple[dict[str, Any], list[bytes]]],
    picker: tuple[UploadPicker, RecordingComm],
) -> None:
    w, comm = picker
    for content, buffers in msgs:
        before = len(comm.custom("reply"))
        w._handle_custom_msg(content, buffers)  # must not raise into the kernel
        replies = comm.custom("reply")[before:]
        assert len(replies) == 1 and replies[0]["id"] == content["id"]
        reply = replies[0]
        if not reply["ok"]:
            assert set(reply["error"]) == {"type", "message", "hint"}
            assert reply["error"]["type"] in (
                "NemoError",
                "TransferError",
                "UnsupportedFile",
                "FileTooLarge",
            ), reply
        json.dumps(reply)  # every answer is JSON: it can travel to the browser
    w._receiver.cancel_all()


# -- the SSE parser --------------------------------------------------------------------------------
adk_part = st.one_of(
    st.fixed_dictionaries({"text": st.text(max_size=30)}),
    st.fixed_dictionaries(
        {"functionCall": st.fixed_dictionaries({"name": st.text(max_size=8), "args": st.just({})})}
    ),
    st.fixed_dictionaries(
        {"functionResponse": st.fixed_dictionaries({"name": st.just("t"), "response": json_value})}
    ),
)
adk_event = st.fixed_dictionaries(
    {"content": st.fixed_dictionaries({"parts": st.lists(adk_part, min_size=1, max_size=3)})},
    optional={
        "partial": st.booleans(),
        "author": st.just("nemo_agent"),
        "error": st.text(max_size=10),
        "id": st.text(max_size=6),
    },
)


def wire(events: list[dict[str, Any]], newline: bytes = b"\n", heartbeat: bool = False) -> bytes:
    out = b""
    for ev in events:
        out += b"data: " + json.dumps(ev, ensure_ascii=False).encode() + newline + newline
        if heartbeat:
            out += b": keep-alive" + newline + newline
    return out


def decode(chunks: list[bytes]) -> list[Event]:
    turn = ChatTurn()
    out: list[Event] = []
    for c in chunks:
        out += turn.feed(c)
    return out + turn.close()


def split(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    pieces, start = [], 0
    for p in points:
        pieces.append(data[start:p])
        start = p
    return [*pieces, data[start:]]


@FUZZ
@given(events=st.lists(adk_event, max_size=8), cuts=st.lists(st.integers(0, 10**6), max_size=12))
@example(
    events=[{"content": {"parts": [{"text": "城市之梦 🎬"}]}, "partial": True}], cuts=[7, 8, 9]
)
@example(events=[{"content": {"parts": [{"text": "a\r\nb"}]}}], cuts=[1])
def test_sse_events_do_not_depend_on_where_the_bytes_are_split(
    events: list[dict[str, Any]], cuts: list[int]
) -> None:
    data = wire(events)
    assert decode(split(data, cuts)) == decode([data])


@FUZZ
@given(events=st.lists(adk_event, max_size=6), cuts=st.lists(st.integers(0, 10**6), max_size=6))
@example(events=[{"content": {"parts": [{"text": "x"}]}}], cuts=[7])  # a cut inside a CRLF
def test_sse_line_endings_and_heartbeats_do_not_change_the_text(
    events: list[dict[str, Any]], cuts: list[int]
) -> None:
    def texts(evs: list[Event]) -> list[Event]:
        return [e for e in evs if isinstance(e, (Text, TextDelta))]

    plain = decode([wire(events)])
    for newline in (b"\r\n", b"\r"):
        assert texts(decode(split(wire(events, newline, heartbeat=True), cuts))) == texts(plain)


@FUZZ
@given(parts=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
@example(parts=["\n", "data: x"])  # text that looks like the wire format
def test_streamed_chunks_then_the_final_are_shown_once(parts: list[str]) -> None:
    chunks = [{"content": {"parts": [{"text": p}]}, "partial": True} for p in parts]
    final = {"content": {"parts": [{"text": "".join(parts)}]}, "partial": False}
    turn = ChatTurn()
    evs = turn.feed(wire([*chunks, final])) + turn.close()
    assert ReplyView.of(evs).text == "".join(parts) == turn.text
    assert isinstance(evs[-1], End)


@FUZZ
@given(chunks=st.lists(st.binary(max_size=80), max_size=10))
@example(chunks=[b'data: {"content": {"parts": "oops"}}\n\n'])
@example(chunks=[b"data: " + b"[" * 5000 + b"\n\n"])  # nesting deeper than the JSON recursion limit
@example(chunks=[b"data: \xff\xfe\n\n", b"\r"])
@example(chunks=[b'event: error\ndata: {"message": 5}\n\n'])
def test_sse_parser_survives_any_bytes(chunks: list[bytes]) -> None:
    turn = ChatTurn()
    out: list[Event] = []
    for c in chunks:
        out += turn.feed(c)
    out += turn.close()
    assert isinstance(out[-1], End) and turn.closed
    assert isinstance(turn.text, str)
