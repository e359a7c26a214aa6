"""Chat events, and `ChatTurn`: the pure decoder from `/run_sse` bytes to typed events.

Both dialects of the contract (an ADK server's events, the vendor documents' typed events) are
read by one interpreter: ADK events (`content.parts[]` carrying `text`, `functionCall` or
`functionResponse`; `partial: true` for streamed chunks, then one final event that repeats the
whole text) and the vendor's typed events (`{"type": "text", "content": …}`, `tool_call`,
`tool_result`, `heartbeat`, `error`). SSE framing is httpx-sse's; each message is one
`json.loads`. `ChatTurn` does no I/O: feed it bytes split anywhere, get events back.

`nemo_widgets.reply_view.ReplyView` is the one fold of a reply's events into what the user sees.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import re
from typing import Any

from httpx_sse import ServerSentEvent
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
    "Routed",
    "StreamError",
    "Text",
    "TextDelta",
    "ToolCall",
    "ToolResult",
]


@dataclasses.dataclass(frozen=True, slots=True)
class TextDelta:
    """A streamed chunk: append it to the message being shown."""

    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class Text:
    """The message so far, final: replace what is shown with it."""

    text: str


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
class Heartbeat:
    """The backend is still working (an empty `data:` line or an SSE comment)."""


@dataclasses.dataclass(frozen=True, slots=True)
class StreamError:
    """An error event from the backend, or one event that could not be read; the stream goes on."""

    message: str
    raw: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class End:
    """The stream is over."""


@dataclasses.dataclass(frozen=True, slots=True)
class Notice:
    """A transient status line from the client, e.g. "⏳ Still working..."."""

    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class Routed:
    """A session action run instead of (or after) the chat: export, credits, status, upload."""

    action: str
    text: str
    payload: Any = None


@dataclasses.dataclass(frozen=True, slots=True)
class Offer:
    """An action the user must confirm first (export after "click Export", retry after a drop)."""

    action: str
    text: str


@dataclasses.dataclass(frozen=True, slots=True)
class Replayed:
    """The reply comes from the notebook's record: nothing was sent, no credits spent."""

    text: str  # the mark to show, in the session's language


@dataclasses.dataclass(frozen=True, slots=True)
class Changes:
    """What changed in the draft during the turn, one sentence per change."""

    sentences: tuple[str, ...]


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
# Bytes that are not UTF-8 come out of the decoder as these (surrogateescape), so that an event
# holding them is reported instead of shown with replacement characters.
_ESCAPED = re.compile("[\udc80-\udcff]")
# Where a typed error event keeps its message, by preference.
_TYPED_ERROR_KEYS = ("message", "content", "error", "detail")


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    """A field under its camelCase or its snake_case name (ADK emits either, by version)."""
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


class ChatTurn:
    """Pure decoder of one `/run_sse` response: `feed(bytes)` / `close()` → typed events.

    Also keeps the turn's result: `text` (what the message shows), `saw_text`, `errors` (the
    backend's own error messages), `unreadable` (events that could not be read), and counts of
    `texts` and `heartbeats` (so a caller can tell progress from keep-alives per feed).
    """

    def __init__(self) -> None:
        self._utf8 = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        self._lines = SSELineDecoder()
        self._messages = SSEDecoder()
        self._bad_bytes = False  # whether any byte so far was not UTF-8
        self._final = ""  # texts finalised so far in this turn, joined
        self._open: list[str] = []  # chunks of the text being streamed
        self.saw_text = False
        self.errors: list[str] = []
        self.unreadable = 0
        self.texts = 0  # text events so far (deltas and finals)
        self.heartbeats = 0  # heartbeat events so far
        self.closed = False

    @property
    def text(self) -> str:
        """The message as it should be shown now."""
        if not self._open:
            return self._final
        return self._join(self._final, "".join(self._open))

    # -- bytes → SSE messages ----------------------------------------------------------------
    def feed(self, data: bytes) -> list[Event]:
        """Decode the next bytes of the stream (split anywhere) into the events they complete."""
        return self._text(self._utf8.decode(data))

    def close(self) -> list[Event]:
        """The stream ended normally: flush what is left, finalise the text, then `End`."""
        if self.closed:
            return []
        out = self._text(self._utf8.decode(b"", final=True))
        for line in self._lines.flush():
            self._line(line, out)
        self._line("", out)  # lenient: a last message without its blank line is still read
        if self._open:
            self._finish(self.text, out)
        self.closed = True
        out.append(End())
        return out

    def _text(self, text: str) -> list[Event]:
        out: list[Event] = []
        if text:
            self._bad_bytes = self._bad_bytes or _ESCAPED.search(text) is not None
            for line in self._lines.decode(text):
                self._line(line, out)
        return out

    def _line(self, line: str, out: list[Event]) -> None:
        if line.startswith(":"):  # a comment: the NemoVideo backend's keep-alive
            self._heartbeat(out)
            return
        message = self._messages.decode(line)
        if message is not None:
            self._message(message, out)

    def _message(self, message: ServerSentEvent, out: list[Event]) -> None:
        raw = message.data
        if not raw.strip():  # an empty `data:` line: a keep-alive too
            self._heartbeat(out)
            return
        if self._bad_bytes and _ESCAPED.search(raw):
            self._unreadable("not UTF-8", raw, out)
            return
        try:
            event = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # deep nesting too
            self._unreadable(str(exc), raw, out)
            return
        if message.event == "error":
            text = event.get("message") if isinstance(event, dict) else None
            self._error(text if isinstance(text, str) else raw, raw, out)
            return
        if not isinstance(event, dict):
            self._unreadable("not a JSON object", raw, out)
            return
        try:
            self._interpret(event, out)
        except (TypeError, AttributeError, ValueError) as exc:
            self._unreadable(f"unexpected shape ({exc})", raw, out)

    def _heartbeat(self, out: list[Event]) -> None:
        self.heartbeats += 1
        out.append(_HEARTBEAT)

    def _error(self, message: str, raw: str, out: list[Event]) -> None:
        """An error the backend sent: reported, and kept for the reply."""
        self.errors.append(message)
        out.append(StreamError(message, raw[:_RAW_LIMIT]))

    def _unreadable(self, problem: str, raw: str, out: list[Event]) -> None:
        """An event that could not be read: reported, then skipped."""
        self.unreadable += 1
        shown = raw.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        out.append(StreamError(f"unreadable event: {problem}", shown[:_RAW_LIMIT]))

    # -- one event → typed events ----------------------------------------------------------------
    def _interpret(self, event: dict[str, Any], out: list[Event]) -> None:
        kind = event.get("type")
        content = event.get("content")
        if isinstance(kind, str) and not isinstance(content, dict):
            if kind == "error":
                found = (event.get(key) for key in _TYPED_ERROR_KEYS)
                message = next((m for m in found if m is not None), "error")
                text = message if isinstance(message, str) else json.dumps(message)
                self._error(text, json.dumps(event, ensure_ascii=False), out)
                return
            self._typed(kind, event, out)
        elif content:
            self._adk(content, bool(event.get("partial")), out)
        error = event.get("error")
        if error is not None:
            text = error if isinstance(error, str) else json.dumps(error)
            self._error(text, json.dumps(event, ensure_ascii=False), out)
        else:
            message = _get(event, "errorMessage", "error_message")
            code = _get(event, "errorCode", "error_code")
            if message is not None or code is not None:
                text = str(message if message is not None else code)
                self._error(text, json.dumps(event, ensure_ascii=False), out)

    def _typed(self, kind: str, event: dict[str, Any], out: list[Event]) -> None:
        """A typed event (the vendor's API reference). Unknown types are ignored, as ADK's
        unknown fields are: a newer backend may send kinds this client does not know."""
        if kind == "text":
            text = event.get("content")
            if not isinstance(text, str):
                raise TypeError("a text event's content is not a string")
            # Consecutive `text` events are chunks of one reply, appended: the dialect has no
            # `partial` flag and no final event that repeats the text (its end is the connection
            # closing). A text after tool traffic is the next text of the turn, after a
            # separator, as in ADK.
            self._delta(text, out)
        elif kind == "tool_call":
            self._settle(out)
            name, args = event.get("name") or "", event.get("args") or {}
            out.append(ToolCall(str(name), args, event.get("id")))
        elif kind == "tool_result":
            self._settle(out)
            out.append(
                ToolResult(str(event.get("name") or ""), event.get("result"), event.get("id"))
            )
        elif kind == "heartbeat":
            self._heartbeat(out)

    def _adk(self, content: dict[str, Any], partial: bool, out: list[Event]) -> None:
        # A text echoed with the user's role is the user's message, not the reply.
        from_user = content.get("role") == "user"
        texts: list[str] = []
        for part in content.get("parts") or ():
            text = part.get("text")
            if text is not None:
                if not from_user and not part.get("thought") and isinstance(text, str):
                    texts.append(text)
                continue
            if (call := _get(part, "functionCall", "function_call")) is not None:
                args, name = call.get("args") or {}, call.get("name") or ""
                out.append(ToolCall(name, args, call.get("id")))
            elif (res := _get(part, "functionResponse", "function_response")) is not None:
                name = res.get("name") or ""
                out.append(ToolResult(name, res.get("response"), res.get("id")))
        if texts:
            joined = "".join(texts)
            if partial:
                self._delta(joined, out)
            elif joined or self._open:
                # The final repeats the whole text: it replaces the chunks (ADK 1.x gives it a
                # new id, 2.x the same one, so ids cannot tell us; position can).
                self._finish(self._join(self._final, joined or "".join(self._open)), out)

    def _delta(self, text: str, out: list[Event]) -> None:
        if not text:
            return
        self.texts += 1
        if not self._open and self._final:
            # The first chunk of a second text in the turn: keep the two apart.
            out.append(TextDelta(_SEPARATOR + text))
        else:
            out.append(TextDelta(text))
        self._open.append(text)
        self.saw_text = True

    def _settle(self, out: list[Event]) -> None:
        """Typed chunks before tool traffic are a whole text: the next text starts anew."""
        if self._open:
            self._finish(self.text, out)

    def _finish(self, whole: str, out: list[Event]) -> None:
        self.texts += 1
        self._open.clear()
        self._final = whole
        self.saw_text = self.saw_text or bool(whole)
        out.append(Text(whole))

    @staticmethod
    def _join(done: str, more: str) -> str:
        return done + _SEPARATOR + more if done and more else done or more
