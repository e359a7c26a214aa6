"""ChatTurn: ADK 2.x / 1.x shapes, snake_case, the vendor's typed events, errors, heartbeats and
garbage, by example."""

from __future__ import annotations

import json

import pytest
from chat_streams import (
    call_event,
    decode,
    result_event,
    shown,
    sse,
    text_event,
    typed_call,
    typed_result,
    typed_text,
)

from nemo_widgets.events import (
    ChatTurn,
    End,
    Heartbeat,
    StreamError,
    Text,
    TextDelta,
    ToolCall,
    ToolResult,
)


def test_adk2_partials_then_a_final_with_the_same_id_are_shown_once() -> None:
    body = sse(
        text_event("Adding a ", partial=True, id="ev-7"),
        text_event("title.", partial=True, id="ev-7"),
        text_event("Adding a title.", partial=False, id="ev-7"),
    )
    events = decode(body)
    assert events == [TextDelta("Adding a "), TextDelta("title."), Text("Adding a title."), End()]
    assert shown(events) == "Adding a title."


def test_adk1_final_with_a_new_id_and_no_partial_field_still_replaces() -> None:
    body = sse(
        text_event("Hel", partial=True, id="a"),
        text_event("lo", partial=True, id="b"),
        text_event("Hello", id="c"),  # ADK 1.x leaves out `partial` on the final
    )
    assert decode(body) == [TextDelta("Hel"), TextDelta("lo"), Text("Hello"), End()]


def test_same_id_is_not_used_to_drop_a_second_distinct_text() -> None:
    # Two model turns of one run share the invocation id; both texts must show.
    body = sse(
        text_event("Let me look.", id="same"),
        call_event("get_state", {}),
        text_event("Done: title added.", id="same"),
    )
    events = decode(body)
    assert shown(events) == "Let me look.\n\nDone: title added."
    assert events[-2] == Text("Let me look.\n\nDone: title added.")


def test_final_text_that_differs_from_the_deltas_replaces_them() -> None:
    body = sse(
        text_event("Adding a titel", partial=True),
        text_event("Adding a title.", partial=False),
    )
    events = decode(body)
    assert Text("Adding a title.") in events
    assert shown(events) == "Adding a title."


def test_non_streaming_text_is_a_plain_final_text() -> None:
    assert decode(sse(text_event("One complete answer."))) == [Text("One complete answer."), End()]


def test_second_streamed_text_starts_after_a_separator() -> None:
    body = sse(
        text_event("First.", partial=False),
        text_event("Sec", partial=True),
        text_event("ond.", partial=True),
        text_event("Second.", partial=False),
    )
    events = decode(body)
    assert events[1] == TextDelta("\n\nSec")
    assert shown(events) == "First.\n\nSecond."


def test_deltas_without_a_final_are_finalised_at_close() -> None:
    events = decode(sse(text_event("cut ", partial=True), text_event("short", partial=True)))
    assert events[-2:] == [Text("cut short"), End()]


def test_tool_calls_and_results_are_typed_and_never_text() -> None:
    body = sse(
        call_event("add_title", {"text": "Urban Dreams"}, "c1"),
        result_event("add_title", {"ok": True}, "c1"),
    )
    events = decode(body)
    assert events == [
        ToolCall("add_title", {"text": "Urban Dreams"}, "c1"),
        ToolResult("add_title", {"ok": True}, "c1"),
        End(),
    ]
    assert shown(events) == ""


def test_snake_case_fields_are_read_too() -> None:
    body = sse(
        {
            "content": {
                "parts": [
                    {"function_call": {"id": "x", "name": "trim", "args": {"to": 5}}},
                    {"function_response": {"id": "x", "name": "trim", "response": "ok"}},
                ]
            },
            "invocation_id": "e-1",
        },
        {"error_code": "MALFORMED_FUNCTION_CALL", "error_message": "bad call"},
    )
    events = decode(body)
    assert events[:2] == [ToolCall("trim", {"to": 5}, "x"), ToolResult("trim", "ok", "x")]
    assert isinstance(events[2], StreamError) and events[2].message == "bad call"


def test_unknown_fields_thoughts_and_user_echo_are_ignored() -> None:
    body = sse(
        {"content": {"parts": [{"text": "plan...", "thought": True}]}, "newField": [1, 2]},
        {"content": {"parts": [{"text": "my own message"}], "role": "user"}},
        text_event("Visible.", usageMetadata={"totalTokenCount": 9}, finishReason="STOP"),
    )
    assert decode(body) == [Text("Visible."), End()]


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("data:\n\n", id="empty-data-line"),
        pytest.param("data: \n\n", id="data-line-with-a-space"),
        pytest.param(": keep-alive\n\n", id="comment"),
        pytest.param(":\n", id="bare-colon-comment"),
    ],
)
def test_heartbeats(raw: str) -> None:
    assert decode(raw.encode()) == [Heartbeat(), End()]


def test_blank_lines_alone_are_nothing() -> None:
    assert decode(b"\n\n\n") == [End()]


def test_error_event_is_reported_and_kept() -> None:
    turn = ChatTurn()
    events = turn.feed(sse(text_event("Working", partial=True), {"error": "quota exceeded"}))
    assert events[1] == StreamError("quota exceeded", '{"error": "quota exceeded"}')
    assert turn.errors == ["quota exceeded"]


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param("data: {not json\n\n", id="broken-json"),
        pytest.param("data: [1, 2]\n\n", id="json-array"),
        pytest.param('data: "a string"\n\n', id="json-string"),
        pytest.param('data: {"content": "oops"}\n\n', id="content-not-an-object"),
        pytest.param('data: {"content": {"parts": "abc"}}\n\n', id="parts-not-a-list"),
        pytest.param('data: {"content": {"parts": [{"functionCall": 3}]}}\n\n', id="call-not-obj"),
    ],
)
def test_one_bad_event_is_reported_and_the_stream_goes_on(garbage: str) -> None:
    body = garbage.encode() + sse(text_event("Still fine."))
    events = decode(body)
    assert isinstance(events[0], StreamError)
    assert events[0].message.startswith("unreadable event")
    assert events[1:] == [Text("Still fine."), End()]


def test_invalid_utf8_is_an_unreadable_event() -> None:
    events = decode(b'data: {"x": "\xff\xfe"}\n\n' + sse(text_event("ok")))
    assert isinstance(events[0], StreamError)
    assert events[1] == Text("ok")


def test_multibyte_text_split_inside_a_character() -> None:
    body = sse(text_event("城市之梦", partial=True), text_event("城市之梦"))
    cut = body.index("市".encode()) + 1  # in the middle of a 3-byte character
    assert decode(body, [cut]) == [TextDelta("城市之梦"), Text("城市之梦"), End()]


@pytest.mark.parametrize("newline", ["\r\n", "\r"], ids=["crlf", "cr"])
def test_other_line_endings(newline: str) -> None:
    body = sse(text_event("a", partial=True), text_event("a")).decode().replace("\n", newline)
    raw = body.encode()
    assert decode(raw) == [TextDelta("a"), Text("a"), End()]
    # A CRLF cut between its CR and its LF is still one line end.
    cut = raw.index(b"\r") + 1
    assert decode(raw, [cut]) == [TextDelta("a"), Text("a"), End()]


def test_multi_line_data_is_joined_with_newlines() -> None:
    payload = json.dumps(text_event("joined"), indent=1).replace("\n", "\ndata: ")
    assert decode(f"data: {payload}\n\n".encode()) == [Text("joined"), End()]


def test_event_and_id_fields_are_tolerated_and_error_events_reported() -> None:
    body = b'id: 1\nevent: message\ndata: {"content":{"parts":[{"text":"x"}]}}\n\n'
    body += b'event: error\ndata: {"message": "server exploded"}\n\n'
    events = decode(body)
    assert events[0] == Text("x")
    assert isinstance(events[1], StreamError) and events[1].message == "server exploded"


def test_last_event_without_its_blank_line_is_still_read() -> None:
    assert decode(b'data: {"content":{"parts":[{"text":"end"}]}}') == [Text("end"), End()]


def test_close_is_idempotent_and_text_tracks_the_message() -> None:
    turn = ChatTurn()
    turn.feed(sse(text_event("par", partial=True)))
    assert turn.text == "par"
    assert turn.close()[-1] == End()
    assert turn.close() == []


def test_error_field_spelled_with_escapes_is_still_an_error() -> None:
    raw = b'data: {"content":{"parts":[{"text":"x"}]},"partial":true,"\\u0065rror":"boom"}\n\n'
    events = decode(raw)
    assert events[0] == TextDelta("x")
    assert isinstance(events[1], StreamError) and events[1].message == "boom"


def test_a_chunk_whose_text_says_error_is_still_a_chunk() -> None:
    body = sse(text_event('no "error" here', partial=True), text_event('no "error" here'))
    assert decode(body)[:2] == [TextDelta('no "error" here'), Text('no "error" here')]


# -- the vendor's typed events ------------------------------------------------------------------
def test_typed_text_events_are_chunks_of_one_reply_appended() -> None:
    body = sse(typed_text("I'll generate "), typed_text("your video now..."))
    events = decode(body)
    assert events == [
        TextDelta("I'll generate "),
        TextDelta("your video now..."),
        Text("I'll generate your video now..."),
        End(),
    ]


def test_typed_tool_traffic_is_internal_and_ends_the_text_before_it() -> None:
    body = sse(
        typed_text("Generating."),
        typed_call("generate_video_with_seedance", {"prompt": "city"}),
        {"type": "heartbeat"},
        typed_result("generate_video_with_seedance", {"ok": True}),
        typed_text("Your video is ready!"),
    )
    events = decode(body)
    assert events == [
        TextDelta("Generating."),
        Text("Generating."),
        ToolCall("generate_video_with_seedance", {"prompt": "city"}),
        Heartbeat(),
        ToolResult("generate_video_with_seedance", {"ok": True}),
        TextDelta("\n\nYour video is ready!"),
        Text("Generating.\n\nYour video is ready!"),
        End(),
    ]


@pytest.mark.parametrize(
    ("event", "message"),
    [
        pytest.param({"error": "quota exceeded"}, "quota exceeded", id="error-field"),
        pytest.param({"type": "error", "message": "boom"}, "boom", id="typed-message"),
        pytest.param({"type": "error", "content": "boom"}, "boom", id="typed-content"),
        pytest.param({"type": "error", "error": "boom"}, "boom", id="typed-error"),
        pytest.param({"type": "error", "error": {"code": 5}}, '{"code": 5}', id="typed-object"),
        pytest.param({"type": "error"}, "error", id="typed-bare"),
    ],
)
def test_typed_error_events_are_reported_once(event: dict[str, object], message: str) -> None:
    turn = ChatTurn()
    events = turn.feed(sse(typed_text("Working"), event)) + turn.close()
    assert [ev.message for ev in events if isinstance(ev, StreamError)] == [message]
    assert turn.errors == [message]
    assert shown(events) == "Working"


def test_unknown_typed_events_are_ignored() -> None:
    body = sse(
        {"type": "thinking", "content": "hmm"},
        {"type": "progress", "value": 40},
        {"type": 7},
        typed_text("Done."),
    )
    assert decode(body) == [TextDelta("Done."), Text("Done."), End()]


def test_a_typed_text_that_is_not_a_string_is_unreadable() -> None:
    events = decode(sse({"type": "text", "content": ["a"]}, typed_text("ok")))
    assert isinstance(events[0], StreamError) and events[0].message.startswith("unreadable")
    assert shown(events) == "ok"
