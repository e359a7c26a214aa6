"""ChatCell's kernel side: messages in, deltas and transcript out (against a scripted session)."""

from __future__ import annotations

import pytest
from widget_fakes import FakeSession, RecordingComm, reply_to

from nemo_widgets import BackendUnavailable, State
from nemo_widgets import events as ev
from nemo_widgets.widgets import ChatCell
from polling import wait_until
from widget_comm import rebuild_reply

TOKENS = [f"word{i} " for i in range(200)]


def browser(w: ChatCell, kind: str, msg_id: str, **body: object) -> None:
    """A message from the view."""
    w._handle_custom_msg({"kind": kind, "id": msg_id, **body}, [])


def rebuilt(comm: RecordingComm, turn: int) -> str:
    """The reply as a view rebuilds it from the delta messages (checking every offset)."""
    return rebuild_reply(m for m in comm.custom("delta") if m["turn"] == turn)


def test_reply_streams_as_deltas_and_is_not_sent_twice(comms: list[RecordingComm]) -> None:
    session = FakeSession([ev.TextDelta(t) for t in TOKENS] + [ev.Text("".join(TOKENS))])
    w = ChatCell(session)
    comm = comms[-1]
    browser(w, "ready", "r1", have=0)
    assert reply_to(comm, "r1") == {
        "kind": "reply",
        "id": "r1",
        "ok": True,
        "live": None,
        "missing": [],
    }
    entry = w.ask("make a video").result(10)
    assert entry == {"role": "assistant", "text": "".join(TOKENS), "route": "chat"}
    assert rebuilt(comm, 1) == "".join(TOKENS)
    assert len(comm.custom("delta")) < 10  # 200 tokens, a handful of messages
    assert comm.custom("append") == [
        {
            "kind": "append",
            "index": 0,
            "entry": {"role": "user", "text": "make a video", "route": "chat"},
        }
    ]
    assert comm.custom("end") == [
        {"kind": "end", "turn": 1, "length": len("".join(TOKENS)), "route": "chat"}
    ]
    # The view appended both entries itself: the transcript trait was stored, not re-sent.
    assert comm.updates("transcript") == []
    assert w.transcript[-1] == entry
    assert session.sent == ["make a video"]
    wait_until(lambda: not w.busy)


def test_without_a_view_the_transcript_syncs_as_state(comms: list[RecordingComm]) -> None:
    w = ChatCell(FakeSession([ev.TextDelta("Hi "), ev.TextDelta("there")]))
    w.ask("hello").result(10)
    comm = comms[-1]
    assert comm.custom("delta") == []
    assert comm.updates("transcript")[-1][-1] == {
        "role": "assistant",
        "text": "Hi there",
        "route": "chat",
    }


def test_a_late_view_gets_what_it_missed_then_the_rest(comms: list[RecordingComm]) -> None:
    session = FakeSession([ev.TextDelta("x" * 30), ev.TextDelta("tail")])
    session.pauses = {1}
    w = ChatCell(session)
    comm = comms[-1]
    fut = w.ask("go")
    wait_until(
        lambda: session.paused_at == 1 and w._live is not None and w._live["text"] == "x" * 30
    )
    browser(w, "ready", "r1", have=0)
    answer = reply_to(comm, "r1")
    assert answer is not None
    assert answer["missing"] == [{"role": "user", "text": "go", "route": "chat"}]
    assert answer["live"]["text"] == "x" * 30 and answer["live"]["turn"] == 1
    session.loop_resume()
    fut.result(10)
    deltas = comm.custom("delta")
    assert deltas and deltas[0]["offset"] == 30 and "".join(d["text"] for d in deltas) == "tail"


@pytest.mark.parametrize(
    ("script", "want", "replaced"),
    [
        pytest.param(
            [ev.TextDelta("Hel"), ev.TextDelta("lo"), ev.Text("Hello")],
            "Hello",
            False,
            id="final-repeats-deltas",
        ),
        pytest.param(
            [ev.TextDelta("Helo"), ev.Text("Hello")], "Hello", True, id="final-corrects-deltas"
        ),
        pytest.param([ev.Text("Only final")], "Only final", False, id="final-only"),
        pytest.param([], "(no reply)", False, id="no-text"),
    ],
)
def test_final_text(comms: list[RecordingComm], script: list, want: str, replaced: bool) -> None:
    w = ChatCell(FakeSession(script))
    comm = comms[-1]
    browser(w, "ready", "r1", have=0)
    assert w.ask("q").result(10)["text"] == want
    assert rebuilt(comm, 1) == want
    assert any("replace" in d for d in comm.custom("delta")) is replaced


def test_tool_calls_and_notices_are_status_lines_not_text(comms: list[RecordingComm]) -> None:
    script = [
        ev.ToolCall("add_title", {"text": "x"}),
        ev.ToolResult("add_title", {"ok": True}),
        ev.Notice("⏳ Still working..."),
        ev.Heartbeat(),
        ev.TextDelta("Done."),
    ]
    session = FakeSession(script)
    session.pauses = {1, 3}  # let each status line go out before the next event
    w = ChatCell(session)
    comm = comms[-1]
    browser(w, "ready", "r1", have=0)
    fut = w.ask("edit")

    def statuses() -> list[tuple[str, str]]:
        return [(k, d[k]) for d in comm.custom("delta") for k in ("activity", "notice") if k in d]

    wait_until(lambda: ("activity", "🔧 add_title…") in statuses())
    session.loop_resume()
    wait_until(lambda: ("notice", "⏳ Still working...") in statuses())
    session.loop_resume()
    assert fut.result(10)["text"] == "Done."
    # Text clears the status lines, and none of them is part of the reply.
    assert statuses()[-2:] == [("activity", ""), ("notice", "")]
    assert rebuilt(comm, 1) == "Done."


def test_routed_action_ends_as_a_card(comms: list[RecordingComm]) -> None:
    script = [
        ev.Routed("credits", "💳 90 available", None),
        ev.Text("💳 90 available"),
        ev.Offer("export", "Export now?"),
    ]
    w = ChatCell(FakeSession(script))
    comm = comms[-1]
    browser(w, "ready", "r1", have=0)
    entry = w.ask("余额").result(10)
    assert entry == {
        "role": "assistant",
        "text": "💳 90 available",
        "route": "credits",
        "offer": "Export now?",
    }
    assert comm.custom("end")[0]["route"] == "credits"
    assert comm.custom("end")[0]["offer"] == "Export now?"


def test_an_action_after_streamed_text_stays_a_chat_message(comms: list[RecordingComm]) -> None:
    script = [ev.TextDelta("I can edit. "), ev.Routed("status", "Timeline (1 track)", None)]
    script.append(ev.Text("I can edit.\n\nTimeline (1 track)"))
    entry = ChatCell(FakeSession(script)).ask("what can you do?").result(10)
    assert entry["route"] == "chat" and entry["text"].endswith("Timeline (1 track)")


def test_an_action_after_a_whole_reply_stays_a_chat_message(comms: list[RecordingComm]) -> None:
    # A backend that does not stream partial chunks sends the reply as one final text.
    script = [ev.Text("I can edit."), ev.Routed("status", "Timeline (1 track)", None)]
    script.append(ev.Text("I can edit.\n\nTimeline (1 track)"))
    entry = ChatCell(FakeSession(script)).ask("what can you do?").result(10)
    assert entry["route"] == "chat" and entry["text"].endswith("Timeline (1 track)")


def test_a_second_send_while_streaming_is_refused_as_data(comms: list[RecordingComm]) -> None:
    session = FakeSession([ev.TextDelta("a"), ev.TextDelta("b")])
    session.pauses = {1}
    w = ChatCell(session)
    comm = comms[-1]
    browser(w, "send", "s1", text="first")
    wait_until(lambda: session.paused_at == 1)
    browser(w, "send", "s2", text="second")
    assert reply_to(comm, "s1") == {"kind": "reply", "id": "s1", "ok": True}
    refused = reply_to(comm, "s2")
    assert refused is not None and refused["ok"] is False
    assert (
        refused["error"]["type"] == "NemoError" and "still streaming" in refused["error"]["message"]
    )
    session.loop_resume()
    wait_until(lambda: not w.busy)
    assert session.sent == ["first"]  # never sent twice


def test_empty_message_is_refused(comms: list[RecordingComm]) -> None:
    w = ChatCell(FakeSession())
    browser(w, "send", "s1", text="   ")
    assert reply_to(comms[-1], "s1")["ok"] is False


def test_a_failed_stream_shows_the_error_in_the_reply(comms: list[RecordingComm]) -> None:
    session = FakeSession([ev.TextDelta("Working")])
    session.stream_error = BackendUnavailable("connection refused")
    w = ChatCell(session)
    entry = w.ask("go").result(10)
    assert entry["route"] == "error"
    assert entry["text"].startswith("Working\n\n⚠️ connection refused")
    wait_until(lambda: not w.busy)


def test_unknown_request_is_answered_with_an_error(comms: list[RecordingComm]) -> None:
    w = ChatCell(FakeSession())
    browser(w, "explode", "x1")
    answer = reply_to(comms[-1], "x1")
    assert answer is not None and answer["ok"] is False and "explode" in answer["error"]["message"]


def test_history_and_fallback_outside_a_widget_front_end(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    session.history = [
        {"role": "user", "text": "<script>alert(1)</script>", "route": "chat"},
        {"role": "assistant", "text": "Title added", "route": "chat"},
    ]
    w = ChatCell(session)
    assert [e["text"] for e in w.transcript] == ["<script>alert(1)</script>", "Title added"]
    data, _meta = w._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in data
    assert "user: <script>alert(1)</script>" in data["text/plain"]
    assert "<script>" not in data["text/html"] and "&lt;script&gt;" in data["text/html"]


def test_a_transcript_set_in_code_needs_no_route(comms: list[RecordingComm]) -> None:
    w = ChatCell(FakeSession())
    w.transcript = [{"role": "assistant", "text": "| a |\n|---|"}]  # e.g. to show a table
    data, _meta = w._repr_mimebundle_()
    assert "| a |" in data["text/plain"] and "[" not in data["text/html"]


def test_a_view_with_a_stale_transcript_gets_the_whole_list(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    session.history = [{"role": "user", "text": "one", "route": "chat"}]
    w = ChatCell(session)
    browser(w, "ready", "r1", have=5)  # more than the kernel holds: replace, don't append
    answer = reply_to(comms[-1], "r1")
    assert answer is not None and answer["transcript"] == w.transcript and "missing" not in answer


def test_a_replayed_reply_carries_its_mark_into_the_transcript() -> None:
    cell = ChatCell(FakeSession([ev.Replayed("重放 · 未消耗积分"), ev.Text("好了")]))
    entry = cell.ask("做一个视频").result(timeout=10)
    assert entry["mark"] == "重放 · 未消耗积分" and entry["text"] == "好了"
    assert cell.transcript[-1]["mark"] == "重放 · 未消耗积分"
    assert "重放 · 未消耗积分" in cell._fallback()[0]


def test_a_stop_before_any_event_summarizes_in_the_session_language(
    comms: list[RecordingComm],
) -> None:
    session = FakeSession([ev.TextDelta("a")])
    session.language, session.pauses = "zh", {0}
    w = ChatCell(session)
    w.ask("go")
    wait_until(lambda: session.paused_at == 0)

    async def astate() -> State:  # read after the stop: there was no state before it
        return State({}, [], {}, [])

    session.astate = astate  # type: ignore[method-assign]
    assert w.stop() is True
    entry = w._future.result(10) if w._future else None
    assert entry is not None and entry["stopped"] is True
    assert "时间线" in entry["text"] and "Timeline" not in entry["text"]
    wait_until(lambda: not w.busy)
