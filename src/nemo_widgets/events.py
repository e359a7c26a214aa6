"""Chat events; `ChatTurn`, the pure decoder from `/run_sse` bytes (both dialects, one table);
`ReplyView`, the one fold of events into what the user sees (widget, demo, replay, tests)."""

from __future__ import annotations

import codecs
import dataclasses
import json
import re
from collections.abc import Iterable
from typing import Any

from httpx_sse._decoders import SSEDecoder, SSELineDecoder  # the framing without the I/O

__all__ = [
    "Changes",
    "ChatTurn",
    "End",
    "Event",
    "Heartbeat",
    "Notice",
    "Offer",
    "Replayed",
    "ReplyView",
    "Routed",
    "StreamError",
    "Text",
    "TextDelta",
    "ToolCall",
    "ToolResult",
]


@dataclasses.dataclass(frozen=True, slots=True)
class _Said:
    text: str


class TextDelta(_Said):
    """A streamed chunk: append it to the message being shown."""


class Text(_Said):
    """The message so far, final: replace what is shown with it."""


class Notice(_Said):
    """A transient status line from the client, e.g. "⏳ Still working..."."""


class Replayed(_Said):
    """The reply comes from the notebook's record (`text`: the mark to show); no credits spent."""


@dataclasses.dataclass(frozen=True, slots=True)
class ToolCall:
    """The agent called a tool (internal: never shown as chat text)."""

    name: str
    args: dict[str, Any]
    id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class ToolResult:
    """A tool's answer (internal: never shown as chat text)."""

    name: str
    response: Any
    id: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class _Action:
    action: str
    text: str


class Offer(_Action):
    """An action the user must confirm first (export after "click Export", retry after a drop)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Routed(_Action):
    """A session action run instead of (or after) the chat: export, credits, status, upload."""

    payload: Any = None


@dataclasses.dataclass(frozen=True, slots=True)
class StreamError:
    """An error event from the backend, or one event that could not be read; the stream goes on."""

    message: str
    raw: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Changes:
    """What changed in the draft during the turn, one sentence per change."""

    sentences: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Heartbeat:
    """The backend is still working (an empty `data:` line or an SSE comment)."""


@dataclasses.dataclass(frozen=True, slots=True)
class End:
    """The stream is over."""


Event = (
    TextDelta
    | Text
    | ToolCall
    | ToolResult
    | Heartbeat
    | StreamError
    | End
    | Notice
    | Routed
    | Offer
    | Changes
    | Replayed
)


_HEARTBEAT = Heartbeat()
_SEPARATOR = "\n\n"  # between two texts of one turn (e.g. before and after a tool call)
_RAW_LIMIT = 500  # characters of a bad event kept in StreamError.raw
# what bytes that are not UTF-8 decode to (surrogateescape): reported, not shown as U+FFFD
_ESCAPED = re.compile("[\udc80-\udcff]")
# a tool event as each dialect spells it (an ADK part's field, by ADK version; a typed `type`)
_TOOLS: dict[str, tuple[type[ToolCall] | type[ToolResult], str]] = {
    "functionCall": (ToolCall, "args"),
    "function_call": (ToolCall, "args"),
    "functionResponse": (ToolResult, "response"),
    "function_response": (ToolResult, "response"),
    "tool_call": (ToolCall, "args"),
    "tool_result": (ToolResult, "result"),
}
# Where an error's message is, by preference: a typed `error` event's fields; any event's.
_TYPED_ERROR_KEYS = ("message", "content", "error", "detail")
_ERROR_KEYS = ("error", "errorMessage", "error_message", "errorCode", "error_code")


def _first(obj: dict[str, Any], keys: tuple[str, ...], default: Any = None) -> Any:
    return next((obj[k] for k in keys if obj.get(k) is not None), default)


def _tool(spelling: str, body: dict[str, Any]) -> ToolCall | ToolResult:
    kind, key = _TOOLS[spelling]
    payload: Any = body.get(key) if kind is ToolResult else body.get(key) or {}
    return kind(str(body.get("name") or ""), payload, body.get("id"))


def join_texts(done: str, more: str) -> str:
    """Two texts of one turn, a blank line between them (either may be empty)."""
    return done + _SEPARATOR + more if done and more else done or more


class ChatTurn:
    """One `/run_sse` response: `feed(bytes)`, then `close()`; keeps its `text` and errors."""

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._lines = SSELineDecoder()
        self._messages = SSEDecoder()
        self._final = ""  # texts finalised so far in this turn, joined
        self._open: list[str] = []  # chunks of the text being streamed
        self.errors: list[str] = []  # the backend's own error messages
        self.closed = False

    @property
    def text(self) -> str:
        """The message as it should be shown now."""
        return join_texts(self._final, "".join(self._open))

    def feed(self, data: bytes) -> list[Event]:
        """Decode the next bytes of the stream (split anywhere) into the events they complete."""
        return self._read(self._lines.decode(self._utf8.decode(data)))

    def close(self) -> list[Event]:
        """The stream ended normally: flush what is left, finalise the text, then `End`."""
        if self.closed:
            return []
        last = self._lines.decode(self._utf8.decode(b"", final=True))
        # lenient: a last message without its blank line is still read
        out = self._read([*last, *self._lines.flush(), ""])
        self._settle(out)
        self.closed = True
        out.append(End())
        return out

    def _read(self, lines: list[str]) -> list[Event]:
        out: list[Event] = []
        for line in lines:
            if line.startswith(":"):  # a comment: the NemoVideo backend's keep-alive
                out.append(_HEARTBEAT)
            elif (message := self._messages.decode(line)) is None:
                continue
            elif not message.data.strip():  # an empty `data:` line: a keep-alive too
                out.append(_HEARTBEAT)
            elif (problem := self._problem(message.event, message.data, out)) is not None:
                shown = message.data.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                out.append(StreamError(f"unreadable event: {problem}", shown[:_RAW_LIMIT]))
        return out

    def _problem(self, kind: str, raw: str, out: list[Event]) -> str | None:
        """Reads one message's data: None, or why it cannot be read."""
        if _ESCAPED.search(raw):
            return "not UTF-8"
        try:
            event = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # deep nesting too
            return str(exc)
        if kind == "error":
            text = event.get("message") if isinstance(event, dict) else None
            self._error(text if isinstance(text, str) else raw, raw, out)
            return None
        if not isinstance(event, dict):
            return "not a JSON object"
        try:
            self._interpret(event, out)
        except (TypeError, AttributeError, ValueError) as exc:
            return f"unexpected shape ({exc})"
        return None

    def _error(self, message: Any, raw: str | dict[str, Any], out: list[Event]) -> None:
        """An error the backend sent: reported, and kept for the reply."""
        text = message if isinstance(message, str) else json.dumps(message)
        if not isinstance(raw, str):
            raw = json.dumps(raw, ensure_ascii=False)
        self.errors.append(text)
        out.append(StreamError(text, raw[:_RAW_LIMIT]))

    def _interpret(self, event: dict[str, Any], out: list[Event]) -> None:
        kind = event.get("type")
        if isinstance(kind, str) and not isinstance(event.get("content"), dict):
            # The vendor's typed event; unknown types are ignored, as ADK's unknown fields are.
            if kind == "error":
                self._error(_first(event, _TYPED_ERROR_KEYS, "error"), event, out)
                return
            if kind == "text":
                text = event.get("content")
                if not isinstance(text, str):
                    raise TypeError("a text event's content is not a string")
                # Consecutive `text` events are chunks of one reply: the dialect has no `partial`
                # flag and no final that repeats the text (the connection closing ends it).
                self._delta(text, out)
            elif kind in _TOOLS:
                self._settle(out)  # chunks before tool traffic are a whole text
                out.append(_tool(kind, event))
            elif kind == "heartbeat":
                out.append(_HEARTBEAT)
        elif event.get("content"):
            self._adk(event["content"], bool(event.get("partial")), out)
        if (problem := _first(event, _ERROR_KEYS)) is not None:
            self._error(problem, event, out)

    def _adk(self, content: dict[str, Any], partial: bool, out: list[Event]) -> None:
        # A text echoed with the user's role is the user's message, not the reply.
        from_user = content.get("role") == "user"
        texts: list[str] = []
        for part in content.get("parts") or ():
            text = part.get("text")
            if text is not None:
                if not from_user and not part.get("thought") and isinstance(text, str):
                    texts.append(text)
            elif spelling := next((k for k in _TOOLS if part.get(k) is not None), None):
                out.append(_tool(spelling, part[spelling]))
        if texts:
            joined = "".join(texts)
            if partial:
                self._delta(joined, out)
            elif joined or self._open:
                # The final repeats the whole text: it replaces the chunks (ADK 1.x gives it a
                # new id, 2.x the same one, so ids cannot tell us; position can).
                self._finish(join_texts(self._final, joined or "".join(self._open)), out)

    def _delta(self, text: str, out: list[Event]) -> None:
        if text:
            # The first chunk of a second text in the turn is kept apart from the first.
            out.append(TextDelta(_SEPARATOR + text if not self._open and self._final else text))
            self._open.append(text)

    def _settle(self, out: list[Event]) -> None:
        if self._open:
            self._finish(self.text, out)

    def _finish(self, whole: str, out: list[Event]) -> None:
        self._open.clear()
        self._final = whole
        out.append(Text(whole))


@dataclasses.dataclass
class ReplyView:
    """What the user sees of one reply: `add` its events in order (or `ReplyView.of(events)`)."""

    text: str = ""  # a TextDelta appends, a Text replaces (a final that differs corrects it)
    # a Routed before any text makes the reply a card; one after it (GUI translation) does not
    route: str = "chat"
    activity: ToolCall | StreamError | None = None  # the tool running, the last error
    notice: str = ""  # a status line, not part of the message; text clears it and `activity`
    offers: list[Offer] = dataclasses.field(default_factory=list)
    mark: str = ""  # a reply from the record: nothing was sent, no credits spent
    changes: list[str] = dataclasses.field(default_factory=list)
    streamed: bool = False  # whether any text came

    @classmethod
    def of(cls, events: Iterable[Event]) -> ReplyView:
        view = cls()
        for event in events:
            view.add(event)
        return view

    def add(self, event: Event) -> str | None:
        """Fold one event in: the text it appended ("" if none), or None if it replaced `text`."""
        if isinstance(event, TextDelta | Text):
            self.streamed, self.activity, self.notice = True, None, ""
            before = self.text
            self.text = before + event.text if isinstance(event, TextDelta) else event.text
            return self.text[len(before) :] if self.text.startswith(before) else None
        if isinstance(event, ToolCall | StreamError):
            self.activity = event
        elif isinstance(event, Notice):
            self.notice = event.text
        elif isinstance(event, Routed) and not self.streamed:
            self.route = event.action
        elif isinstance(event, Offer):
            self.offers.append(event)
        elif isinstance(event, Replayed):
            self.mark = event.text
        elif isinstance(event, Changes):
            self.changes.extend(event.sentences)
        return ""

    def with_line(self, line: str) -> Text:
        """The text with a line of the client's own under it (an error, what a stop found)."""
        return Text(join_texts(self.text, line))
