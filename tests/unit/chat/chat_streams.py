"""`/run_sse` bodies for the decoder tests: ADK events (as google-adk 2.x and 1.x send them) and
the vendor's typed events (its API reference)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

from nemo_widgets.events import ChatTurn, Event, ReplyView

_ACTIONS: dict[str, Any] = {"stateDelta": {}, "artifactDelta": {}, "requestedAuthConfigs": {}}


def sse(*events: dict[str, Any] | str) -> bytes:
    """An SSE body: dicts become `data: <compact JSON>` messages, strings are sent verbatim."""
    out = []
    for ev in events:
        if isinstance(ev, str):
            out.append(ev)
        else:
            out.append(
                "data: " + json.dumps(ev, separators=(",", ":"), ensure_ascii=False) + "\n\n"
            )
    return "".join(out).encode()


def text_event(
    text: str, *, partial: bool | None = None, id: str = "ev-1", **extra: Any
) -> dict[str, Any]:
    """A model text event, camelCase as ADK sends it; `partial` left out when None."""
    ev: dict[str, Any] = {
        "content": {"parts": [{"text": text}], "role": "model"},
        "invocationId": "e-42",
        "author": "nemo_agent",
        "actions": _ACTIONS,
        "id": id,
        "timestamp": 1764300000.5,
    }
    if partial is not None:
        ev["partial"] = partial
    ev.update(extra)
    return ev


def call_event(name: str, args: dict[str, Any], call_id: str = "call-1") -> dict[str, Any]:
    """A function call event."""
    part = {"functionCall": {"id": call_id, "name": name, "args": args}}
    return {"content": {"parts": [part], "role": "model"}, "author": "nemo_agent", "id": "ev-c"}


def result_event(name: str, response: Any, call_id: str = "call-1") -> dict[str, Any]:
    """A function response event (ADK gives it the user role)."""
    part = {"functionResponse": {"id": call_id, "name": name, "response": response}}
    return {"content": {"parts": [part], "role": "user"}, "author": "nemo_agent", "id": "ev-r"}


def typed_text(content: str) -> dict[str, Any]:
    """A typed text event: one chunk of the reply."""
    return {"type": "text", "content": content}


def typed_call(name: str, args: dict[str, Any]) -> dict[str, Any]:
    """A typed tool call."""
    return {"type": "tool_call", "name": name, "args": args}


def typed_result(name: str, result: Any) -> dict[str, Any]:
    """A typed tool result."""
    return {"type": "tool_result", "name": name, "result": result}


def decode(body: bytes, cuts: list[int] | None = None) -> list[Event]:
    """Feed `body` to a fresh ChatTurn cut at the given offsets, then close it."""
    turn = ChatTurn()
    events: list[Event] = []
    last = 0
    for cut in sorted(cuts or []):
        events += turn.feed(body[last:cut])
        last = cut
    events += turn.feed(body[last:])
    events += turn.close()
    return events


def shown(events: list[Event]) -> str:
    """What a view shows after drawing the events by the rules in `nemo_widgets.events`."""
    return ReplyView.of(events).text


texts = st.text(max_size=20)


@st.composite
def valid_streams(draw: st.DrawFn) -> list[dict[str, Any] | str]:
    """A plausible stream in one of the two dialects (ADK events, or the vendor's typed events):
    streamed texts (ADK: with their finals), tool use, heartbeats of every form."""
    typed = draw(st.booleans())
    items: list[dict[str, Any] | str] = []
    for _ in range(draw(st.integers(0, 5))):
        kind = draw(st.sampled_from(["streamed", "whole", "tool", "heartbeat", "comment"]))
        if kind == "streamed":
            chunks = draw(st.lists(texts.filter(bool), min_size=1, max_size=4))
            if typed:
                items += [typed_text(c) for c in chunks]
            else:
                items += [text_event(c, partial=True) for c in chunks]
                items.append(text_event("".join(chunks), partial=False))
        elif kind == "whole":
            text = draw(texts.filter(bool))
            items.append(typed_text(text) if typed else text_event(text))
        elif kind == "tool":
            name = draw(st.sampled_from(["add_title", "trim", "添加字幕"]))
            args = {"x": draw(texts)}
            if typed:
                items += [typed_call(name, args), typed_result(name, {"ok": True})]
            else:
                items += [call_event(name, args), result_event(name, {"ok": True})]
        elif kind == "heartbeat":
            items.append(draw(st.sampled_from(["data:\n\n", {"type": "heartbeat"}])))
        else:
            items.append(": ping\n\n")
    return items


def expected_text(stream: list[Any]) -> str:
    """What a stream should show: ADK finals; typed texts appended until tool traffic."""
    texts: list[str] = []
    run: list[str] = []
    for ev in stream:
        if not isinstance(ev, dict):
            continue
        if ev.get("type") == "text":
            run.append(ev["content"])
        elif ev.get("type") in ("tool_call", "tool_result"):
            if run:
                texts.append("".join(run))
            run = []
        elif "content" in ev and "text" in ev["content"]["parts"][0] and not ev.get("partial"):
            texts.append(ev["content"]["parts"][0]["text"])
    if run:
        texts.append("".join(run))
    return "\n\n".join(texts)
