"""`ReplyView`, the one fold of a reply's events into what the user sees: however the events are
batched, the view is the same, and the text of a final that repeats its chunks is shown once."""

from __future__ import annotations

from typing import Any

import chat_streams as cs
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets.events import (
    Changes,
    ChatTurn,
    End,
    Event,
    Notice,
    Offer,
    Replayed,
    ReplyView,
    Routed,
    StreamError,
    Text,
    TextDelta,
    ToolCall,
)

words = st.text(max_size=8)
# What the session adds around the decoder's events (routing, GUI translation, drops, replays).
session_events: st.SearchStrategy[Event] = st.one_of(
    st.builds(TextDelta, words),
    st.builds(Text, words),
    st.builds(ToolCall, st.sampled_from(["trim", ""]), st.just({})),
    st.builds(StreamError, words),
    st.builds(Notice, words),
    st.builds(Routed, st.sampled_from(["status", "export"]), words),
    st.builds(Offer, st.sampled_from(["export", "retry"]), words),
    st.builds(Replayed, words),
    st.builds(Changes, st.lists(words, max_size=2).map(tuple)),
)


@settings(max_examples=150, deadline=None)
@given(stream=cs.valid_streams(), data=st.data())
def test_folding_as_the_bytes_arrive_equals_folding_the_whole_stream(
    stream: list[Any], data: st.DataObject
) -> None:
    body = cs.sse(*stream)
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=8)))
    turn, live = ChatTurn(), ReplyView()
    for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True):
        for event in turn.feed(body[a:b]):
            live.add(event)
    for event in turn.close():
        live.add(event)
    assert live == ReplyView.of(cs.decode(body))
    assert live.text == turn.text == cs.expected_text(stream)  # each text shown once
    assert live.route == "chat"


@settings(max_examples=200, deadline=None)
@given(events=st.lists(session_events, max_size=12))
def test_a_view_that_follows_what_add_returns_shows_exactly_the_text(events: list[Event]) -> None:
    view, screen = ReplyView(), ""
    for event in events:
        more = view.add(event)
        screen = view.text if more is None else screen + more  # None: redraw
    assert view == ReplyView.of(events)
    assert screen == view.text
    finals = [(i, e) for i, e in enumerate(events) if isinstance(e, Text)]
    if finals:  # the last Text replaced what was shown; only deltas follow it
        at, last = finals[-1]
        deltas = "".join(e.text for e in events[at + 1 :] if isinstance(e, TextDelta))
        assert view.text == last.text + deltas


def test_a_routed_card_before_any_text_sets_the_route_and_after_text_does_not() -> None:
    card = ReplyView.of([Notice("exporting"), Routed("export", "done"), Text("done"), End()])
    assert (card.route, card.text, card.notice) == ("export", "done", "")
    chat = ReplyView.of([TextDelta("Done."), Routed("status", "Timeline"), Text("Done.\n\nT")])
    assert chat.route == "chat" and chat.text == "Done.\n\nT"


def test_offers_marks_changes_and_activity_are_kept() -> None:
    view = ReplyView.of(
        [
            Replayed("replayed"),
            Changes(("Title added",)),
            ToolCall("trim", {}),
            StreamError("boom"),
            Offer("export", "Export?"),
        ]
    )
    assert view.mark == "replayed" and view.changes == ["Title added"]
    assert view.activity == StreamError("boom")
    assert view.offers == [Offer("export", "Export?")]
    view.add(TextDelta("ok"))
    assert view.activity is None  # text clears the activity line
    assert view.add(view.with_line("⚠️ lost")) == "\n\n⚠️ lost" and view.text == "ok\n\n⚠️ lost"
    assert ReplyView().with_line("⚠️ lost") == Text("⚠️ lost")
