"""`_chat` against a fake session: routing, the reply, silent edits, drops, time-outs, observers."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import AsyncIterator

import httpx
import pytest
from chat_streams import call_event, result_event, sse, text_event, typed_text
from fake_session import VIDEO_ONLY, WITH_TITLE, Body, FakeClock, FakeSession, body_of

from nemo_widgets import Reply, State, _loop
from nemo_widgets._options import Options
from nemo_widgets._text import ui_text
from nemo_widgets.errors import BackendUnavailable, NemoError, StreamDropped, StreamTimeout
from nemo_widgets.events import (
    Changes,
    End,
    Event,
    Notice,
    Offer,
    Routed,
    Text,
    TextDelta,
    ToolCall,
)
from nemo_widgets.session import _chat

STREAMED = sse(
    text_event("Adding ", partial=True),
    call_event("add_title", {"text": "Urban Dreams"}),
    result_event("add_title", {"ok": True}),
    text_event("the title.", partial=True),
    text_event("Adding the title.", partial=False),
)
STILL_WORKING = Notice(ui_text("chat.still_working", "en"))  # the fake session speaks English
DROP = httpx.RemoteProtocolError("peer closed connection without sending complete message body")


def can_retry(session: FakeSession) -> bool:
    return session.chat_state.retryable is not None


def chat(session: FakeSession, text: str) -> Reply:
    return _loop.run(_chat.run_chat(session, text))


def test_streamed_reply_is_the_final_text_once_and_tool_calls_stay_out() -> None:
    s = FakeSession([body_of(STREAMED[:50], STREAMED[50:])])
    reply = chat(s, "add a title Urban Dreams")
    assert reply.text == "Adding the title."
    assert reply.route == "chat"
    assert "add_title" not in reply.text
    kinds = [type(ev) for ev in reply.events]
    assert kinds.count(TextDelta) == 2 and ToolCall in kinds and kinds[-1] is End
    assert s.api.posts == ["add a title Urban Dreams"]
    assert [e for k, e in s.emitted if k == "chat"] == list(reply.events)
    assert s.history == [
        {"role": "user", "text": "add a title Urban Dreams", "route": "chat"},
        {"role": "assistant", "text": "Adding the title.", "route": "chat"},
    ]


def test_gui_instruction_is_corrected_and_offered() -> None:
    body = sse(
        text_event("Title added. Click ", partial=True),
        text_event("Export to download it.", partial=True),
        text_event("Title added. Click Export to download it."),
    )
    reply = chat(FakeSession([body_of(body)]), "add a title")
    assert reply.text == "Title added."
    assert Text("Title added.") in reply.events  # the correction of what the deltas showed
    assert Offer("export", ui_text("offer.export", "en")) in reply.events


@pytest.mark.parametrize(
    ("body", "kept", "lang"),
    [
        pytest.param(
            sse(text_event("Your video is ready! Preview in Timeline panel or click Export.")),
            "Your video is ready!",
            "en",
            id="adk-en",
        ),
        pytest.param(
            sse(typed_text("视频已生成！"), typed_text("在时间轴面板预览，或点击导出保存。")),
            "视频已生成！",
            "zh",
            id="typed-zh",
        ),
    ],
)
def test_vendor_worked_example_becomes_the_summary_and_an_export_offer(
    body: bytes, kept: str, lang: str
) -> None:
    reply = chat(FakeSession([body_of(body)]), "make a city video")
    content, summary = reply.text.split("\n\n")
    assert content == kept
    assert summary.startswith("Timeline (1 track")  # the track summary instead of "preview"
    assert Offer("export", ui_text("offer.export", lang)) in reply.events
    assert "click" not in reply.text.lower() and "点击" not in reply.text


def test_check_account_instruction_shows_the_credits() -> None:
    body = sse(text_event("Not enough credits. Please check your account billing."))
    s = FakeSession([body_of(body)])
    reply = chat(s, "generate a clip")
    assert reply.text.startswith("Not enough credits.\n\nCredits: 80 available")
    assert any(isinstance(ev, Routed) and ev.action == "credits" for ev in reply.events)


def test_trailing_temporary_issue_is_dropped() -> None:
    body = sse(text_event("BGM added. I encountered a temporary issue, please retry."))
    assert chat(FakeSession([body_of(body)]), "add music").text == "BGM added."


def test_silent_edit_reports_the_change() -> None:
    body = sse(call_event("add_title", {"text": "Urban Dreams"}), result_event("add_title", {}))
    s = FakeSession([body_of(body)], drafts=[VIDEO_ONLY, WITH_TITLE])
    reply = chat(s, "add a title Urban Dreams")
    assert reply.text.startswith("✅ ")
    assert "Urban Dreams" in reply.text
    assert reply.changes and any(isinstance(ev, Changes) for ev in reply.events)


def test_silent_edit_without_change_says_so() -> None:
    reply = chat(FakeSession([body_of(b": working\n\n")]), "make it pop")
    assert reply.text == "Nothing changed in the project."
    assert reply.changes == ()


def test_error_event_without_text_is_said() -> None:
    reply = chat(FakeSession([body_of(sse({"error": "model overloaded"}))]), "add music")
    assert reply.text == "⚠️ The backend reported an error: model overloaded"


def test_dropped_stream_is_never_resent_and_the_state_tells_the_change() -> None:
    s = FakeSession(
        [body_of(sse(text_event("Work", partial=True)), then=DROP)],
        drafts=[VIDEO_ONLY, VIDEO_ONLY, WITH_TITLE],
    )
    reply = chat(s, "add a title Urban Dreams")
    assert s.api.posts == ["add a title Urban Dreams"]
    assert s.calls == ["state", "state", "state"]  # before, then two reads after the drop
    assert "✅" in reply.text and "Urban Dreams" in reply.text
    assert not can_retry(s)


def test_dropped_stream_without_change_offers_a_retry_that_only_runs_when_asked() -> None:
    s = FakeSession(
        [body_of(b"", then=DROP), body_of(sse(text_event("Done.")))],
        options=Options(drop_waits=(0.0, 0.0), drop_max_reads=4),
    )
    reply = chat(s, "add a title")
    assert s.calls.count("state") == 1 + 4
    assert reply.text.startswith("❌")
    assert Offer("retry", ui_text("offer.retry", "en")) in reply.events
    assert can_retry(s) and s.api.posts == ["add a title"]
    again = _loop.run(_chat.run_retry(s))
    assert again.text == "Done." and s.api.posts == ["add a title", "add a title"]
    assert not can_retry(s)
    with pytest.raises(NemoError, match="no dropped message"):
        _loop.run(_chat.run_retry(s))


def test_a_drop_in_a_chinese_session_is_told_in_chinese() -> None:
    s = FakeSession(
        [body_of(b"", then=DROP)], options=Options(drop_waits=(0.0, 0.0), drop_max_reads=2)
    )
    s.language = "zh-CN"
    reply = chat(s, "加个标题")
    said = [e.text for e in reply.events if isinstance(e, Notice | Text | Offer)]
    assert said and all(re.search("[\u4e00-\u9fff]", t) for t in said), said
    assert Offer("retry", ui_text("offer.retry", "zh")) in reply.events
    s.chat_state.retryable = None  # as after the retry: nothing is left to send again
    with pytest.raises(NemoError, match="没有断开后待重发的消息"):
        _loop.run(_chat.run_retry(s))


def test_refused_before_the_stream_is_raised_with_no_recovery() -> None:
    s = FakeSession(refuse=BackendUnavailable("connection refused"))
    with pytest.raises(BackendUnavailable):
        chat(s, "add a title")
    assert s.calls == ["state"] and not can_retry(s)
    assert s.history[-1]["error"] is True


def test_read_timeout_mid_stream_is_a_stream_timeout() -> None:
    s = FakeSession([body_of(b": hb\n\n", then=httpx.ReadTimeout("no bytes"))])
    with pytest.raises(StreamTimeout):
        chat(s, "generate a video")


@pytest.mark.parametrize(
    ("text", "route", "call", "starts"),
    [
        ("导出", "export", "export", "✅ Exported: /tmp/out.mp4"),
        ("余额", "credits", "credits", "Credits: 80 available, 20 reserved"),
        ("upload ~/a.mp4 'b c.png'", "upload", "upload", "✅ Uploaded: b c.png, a.mp4"),
    ],
    ids=["export-zh", "credits-zh", "upload-with-paths"],
)
def test_routed_actions_do_not_post(text: str, route: str, call: str, starts: str) -> None:
    s = FakeSession()
    reply = chat(s, text)
    assert reply.route == route and s.calls == [call] and s.api.posts == []
    assert reply.text.startswith(starts)
    assert isinstance(reply.events[-3], Routed) and reply.events[-1] == End()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_upload_without_a_file_explains_how(lang: str) -> None:
    s = FakeSession()
    s.language = lang
    reply = chat(s, "上传")
    assert reply.text == ui_text("offer.upload", lang) and s.calls == []


def test_second_message_while_one_runs_is_refused_without_a_post() -> None:
    release = threading.Event()

    async def slow() -> AsyncIterator[bytes]:
        yield sse(text_event("Working", partial=True))
        await asyncio.to_thread(release.wait)  # until the second message was refused
        yield sse(text_event("Working."))

    s = FakeSession([slow])

    async def both() -> None:
        first = _chat.stream_chat(s, "add music")
        assert await first.__anext__() == TextDelta("Working")
        with pytest.raises(NemoError, match="previous message"):
            await _chat.run_chat(s, "add a title")
        release.set()
        assert [ev async for ev in first][-1] == End()

    asyncio.run(both())
    assert s.api.posts == ["add music"]


def _waiting_body(release: threading.Event, hb: bool) -> Body:
    async def body() -> AsyncIterator[bytes]:
        while not release.is_set():
            if hb:
                yield b":\n\n"
            await asyncio.sleep(0.002)
        yield sse(text_event("Done."))

    return body


def test_still_working_notice_comes_while_nothing_arrives() -> None:
    # The body only finishes once the consumer has seen the notice: no timing to assert.
    release = threading.Event()
    s = FakeSession(
        [_waiting_body(release, hb=False)], options=Options(still_working_interval=0.01)
    )

    async def consume() -> list[Event]:
        seen = []
        async for ev in _chat.stream_chat(s, "generate a video"):
            seen.append(ev)
            if ev == STILL_WORKING:
                release.set()
        return seen

    seen = asyncio.run(consume())  # a foreign loop: the events cross to it
    assert STILL_WORKING in seen and seen[-2:] == [Text("Done."), End()]


class SteppingClock(FakeClock):
    """Each reading is `step` seconds after the last: every deadline passes without waiting."""

    def __init__(self, step: float) -> None:
        super().__init__()
        self.t, self.step = 0.0, step

    def now(self) -> float:
        self.t += self.step
        return self.t


@pytest.mark.parametrize(
    ("options", "match"),
    [
        (Options(heartbeat_timeout=600, overall_timeout=1e9, still_working_interval=1e9), "heart"),
        (Options(heartbeat_timeout=1e9, overall_timeout=900, still_working_interval=1e9), "in all"),
    ],
    ids=["heartbeats-only", "overall"],
)
def test_the_watchdog_ends_a_silent_stream_and_closes_it(options: Options, match: str) -> None:
    never = threading.Event()
    s = FakeSession([_waiting_body(never, hb=True)], options=options)
    s.clock = SteppingClock(1000.0)
    with pytest.raises(StreamTimeout, match=match):
        chat(s, "generate a video")
    assert s.api.closed == 1 and s.history[-1]["error"] is True


def test_closing_the_stream_early_closes_the_response_and_frees_the_session() -> None:
    never = threading.Event()
    s = FakeSession([_waiting_body(never, hb=True), body_of(sse(text_event("ok")))])

    async def early() -> None:
        stream = _chat.stream_chat(s, "generate")
        await stream.__anext__()
        await stream.aclose()

    asyncio.run(early())
    assert s.api.closed == 1
    assert chat(s, "again").text == "ok"  # not refused as "still running"


def test_open_the_timeline_instruction_shows_the_track_summary() -> None:
    body = sse(text_event("Title added, open the timeline to preview it."))
    s = FakeSession([body_of(body)], drafts=[VIDEO_ONLY, WITH_TITLE])
    reply = chat(s, "add a title")
    summary = 'Timeline (2 tracks): 1. Video: a.jpg (0-10s) 2. Title: "Urban Dreams" (0-3s)'
    assert reply.text == "Title added.\n\n" + summary
    assert any(isinstance(ev, Routed) and ev.action == "status" for ev in reply.events)


def test_time_out_waiting_for_the_headers_is_handled_like_a_drop() -> None:
    s = FakeSession(
        refuse=StreamDropped("chat: ReadTimeout (the message may have been delivered)"),
        drafts=[VIDEO_ONLY, WITH_TITLE],
    )
    reply = chat(s, "add a title Urban Dreams")
    assert "Urban Dreams" in reply.text and reply.changes
    assert s.calls == ["state", "state"]


def test_the_waits_after_a_drop_go_through_the_clock() -> None:
    s = FakeSession(
        [body_of(b"", then=DROP)], options=Options(drop_waits=(30.0, 60.0), drop_max_reads=4)
    )
    chat(s, "add a title")
    assert s.clock.slept == [30.0, 60.0, 60.0, 60.0]


def test_a_lost_session_is_said_in_the_reply() -> None:
    s = FakeSession([body_of(sse(text_event("Title added.")))])
    read = s.astate

    async def astate_that_renews() -> State:
        s.session_id = "sess_2"  # what Session does when a read meets 1002
        return await read()

    s.astate = astate_that_renews  # type: ignore[method-assign]
    reply = chat(s, "add a title")
    assert reply.text == ui_text("chat.lost", "en") + "\n\nTitle added."
    assert reply.events[-2] == Text(reply.text)


def test_a_retry_refused_before_sending_can_be_asked_again() -> None:
    s = FakeSession([body_of(b"", then=DROP), body_of(sse(text_event("Done.")))])
    chat(s, "add a title")
    assert can_retry(s)
    s.api.refuse = BackendUnavailable("chat: ConnectError: refused")
    with pytest.raises(BackendUnavailable):
        _loop.run(_chat.run_retry(s))
    assert can_retry(s)  # nothing was sent: the offer stands
    s.api.refuse = None
    assert _loop.run(_chat.run_retry(s)).text == "Done."
    assert not can_retry(s) and s.api.posts == ["add a title", "add a title"]
