"""Chat events, and `ChatTurn`: the pure decoder from `/run_sse` bytes to typed events.

The stream is ADK-style (see the contract's "What an ADK server puts on the wire"): one
`data: <JSON event>` per SSE message, `content.parts[]` carrying `text`, `functionCall` or
`functionResponse`, `partial: true` for streamed chunks and then one `partial: false` event that
repeats the whole text. `ChatTurn` does no I/O: feed it bytes split anywhere, get events back.

How a view draws one assistant message from the events:
    TextDelta  append `text` to the message
    Text       replace the whole message with `text` (a final text, or a correction)
    Notice     a transient status line ("⏳ Still working..."), not part of the message
    the rest   internal (tool calls, heartbeats) or actions (Routed, Offer, Changes)
Because a final text replaces instead of appending, a final that repeats the streamed chunks is
shown once, and one that differs from them corrects what was shown.
"""

from __future__ import annotations

import dataclasses
import json
from collections import deque
from collections.abc import Callable
from itertools import repeat
from typing import Any

from ._chunk_shape import Shape, learn

__all__ = [
    "Changes",
    "ChatTurn",
    "End",
    "Event",
    "Heartbeat",
    "Notice",
    "Offer",
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
)

_HEARTBEAT = Heartbeat()
_ERROR_KEYS = frozenset(("error", "errorMessage", "error_message", "errorCode", "error_code"))
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # C: (object, end) at an index


def _stdlib_loads(raw: bytes) -> Any:
    """Compact JSON straight to the C scanner (json.loads spends as long again in wrappers)."""
    text = raw.decode()
    value, end = _scan(text, 0)
    if end != len(text):
        raise ValueError("extra data")
    return value


# The fast path's parser: orjson when installed (3x faster on ADK events), else the scanner. It
# only serves streamed text chunks; the stdlib `json.loads` reads everything else.
_fast_loads: Callable[[bytes], Any]
try:
    import orjson

    _fast_loads = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    _fast_loads = _stdlib_loads
_new = object.__new__
_set_text = TextDelta.__dict__["text"].__set__  # the slot's own setter, below frozen __setattr__


_SEPARATOR = "\n\n"  # between two texts of one turn (e.g. before and after a tool call)
_RAW_LIMIT = 500  # characters of a bad event kept in StreamError.raw


def _get(obj: dict[str, Any], camel: str, snake: str) -> Any:
    """A field under its camelCase or its snake_case name (ADK emits either, by version)."""
    value = obj.get(camel)
    return obj.get(snake) if value is None else value


# Shapes worth learning in a turn before one proves useful (a chunk read by it): a stream whose
# chunks never share a shape stops paying for learning.
_LEARN_TRIES = 4


def _chunk_text(block: bytes) -> str | None:
    """The text of a `data: ` block that is a streamed chunk, else None (read it the slow way).

    A streamed chunk: `partial`, one text part, not the user's, no error field. Only these fields
    are read, which every parser reads alike (orjson, for one, turns integers past 64 bits into
    floats): anything else, or any surprise, goes the stdlib's way.
    """
    raw = block[6:]
    try:
        event = _fast_loads(raw)
        content = event["content"]
        (part,) = content["parts"]
        text = part["text"]
        if (
            event["partial"] is not True
            or text.__class__ is not str
            or len(part) != 1
            or content.get("role") == "user"
            # No error field: a byte test, unless escapes could spell one ("\u0065rror").
            or raw.find(b'"error') >= 0  # find: `in` is slow on bytes (an exception inside)
            or (raw.find(b"\\u") >= 0 and not _ERROR_KEYS.isdisjoint(event))
        ):
            return None
    except (ValueError, StopIteration, RecursionError, KeyError, TypeError, AttributeError):
        return None
    return text


class ChatTurn:
    """Pure decoder of one `/run_sse` response: `feed(bytes)` / `close()` → typed events.

    Also keeps the turn's result: `text` (what the message shows), `saw_text`, `errors` (the
    backend's own error messages), `unreadable` (events that could not be read), and counts of
    `texts` and `heartbeats` (so a caller can tell progress from keep-alives per feed).
    """

    def __init__(self) -> None:
        self._pending = b""  # an incomplete message (and a lone trailing CR) for the next feed
        self._event_name = b""
        self._final = ""  # texts finalised so far in this turn, joined
        self._open: list[str] = []  # partial chunks of the text being streamed
        self._shape: Shape | None = None  # of the current model call's streamed chunks
        self._read_in_full: bytes | None = None  # the last chunk the shape did not fit
        self._bulk = False  # whether to try reading a whole network read with the shape
        self._learn = _LEARN_TRIES  # shapes still worth learning before one proves useful
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
        buf = self._pending + data if self._pending else data
        keep_cr = False
        if b"\r" in buf:
            # SSE allows CR, LF and CRLF; a trailing CR may be the first half of a CRLF.
            keep_cr = buf.endswith(b"\r")
            if keep_cr:
                buf = buf[:-1]
            buf = buf.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
        out: list[Event] = []
        shape, loads = self._shape, _fast_loads
        if shape is not None and self._bulk:
            # Mid-stream the messages are chunks of one model call: read them all at once.
            texts, used = shape.read_run(buf, loads)
            if used:
                buf = buf[used:]
                self._learn = _LEARN_TRIES
                self._chunks(texts, out)
            else:  # until a read's messages all fit again (or a shape is learnt)
                self._bulk = False
        # A blank line ends a message, so messages are what lies between "\n\n"s; the last piece
        # is not complete yet and waits for more bytes.
        blocks = buf.split(b"\n\n")
        self._pending = blocks.pop() + b"\r" if keep_cr else blocks.pop()
        opened = self._open
        chunks = missed = 0
        fitted = False
        for block in blocks:
            # A chunk of the model call whose shape is known: only its varying values are read.
            text = shape.read(block, loads) if shape is not None else None
            if text is not None:
                fitted = True
            else:
                missed += 1
                if not (block.startswith(b"data: ") and 10 not in block):  # 10: "\n", fast
                    self._block(block, out)
                    continue
                text = _chunk_text(block)
                if text is None:
                    self._dispatch_slow(block[6:], b"", out)
                    continue
                if self._learn:
                    self._learn -= 1
                    learnt = learn(block, loads, self._read_in_full)
                    if learnt is not None:
                        shape = self._shape = learnt
                        self._bulk = True
                self._read_in_full = block
            if text:
                if opened or not self._final:
                    delta = _new(TextDelta)
                    _set_text(delta, text)  # what the frozen dataclass's __init__ does
                    out.append(delta)
                    opened.append(text)
                    chunks += 1
                else:
                    self._delta(text, out)
        if fitted:
            self._learn = _LEARN_TRIES
            self._bulk = self._bulk or not missed
        if chunks:
            self.texts += chunks
            self.saw_text = True
        return out

    def _chunks(self, texts: list[str], out: list[Event]) -> None:
        """Streamed chunks, many at a time: the per-chunk work in C as far as it goes."""
        texts = list(filter(None, texts))
        if not texts:
            return
        if not self._open and self._final:
            self._delta(texts.pop(0), out)  # the first chunk of a second text: with a separator
        deltas = list(map(_new, repeat(TextDelta, len(texts))))
        deque(map(_set_text, deltas, texts), maxlen=0)  # what the frozen dataclass's __init__ does
        out += deltas
        self._open += texts
        self.texts += len(texts)
        self.saw_text = True

    def close(self) -> list[Event]:
        """The stream ended normally: flush what is left, finalise the text, then `End`."""
        if self.closed:
            return []
        out: list[Event] = []
        pending, self._pending = self._pending, b""
        if pending:
            # Lenient: a last message without its blank line is still read.
            self._block(pending.replace(b"\r\n", b"\n").replace(b"\r", b"\n"), out)
        if self._open:
            self._finish(self._join(self._final, "".join(self._open)), out)
        self.closed = True
        out.append(End())
        return out

    def _block(self, block: bytes, out: list[Event]) -> None:
        """One message read line by line (comments, `event:`, several `data:` lines, ...)."""
        data: list[bytes] = []
        for line in block.split(b"\n"):
            if line.startswith(b"data:"):
                data.append(line[6:] if line[5:6] == b" " else line[5:])
            elif not line:  # a blank line at the start: an extra one, it ends nothing
                self._event_name = b""
            else:
                self._field(line, data, out)
        if data:
            raw = data[0] if len(data) == 1 else b"\n".join(data)
            self._dispatch_slow(raw, self._event_name, out)
        self._event_name = b""

    def _field(self, line: bytes, data: list[bytes], out: list[Event]) -> None:
        """A line other than `data:` or blank: a comment (heartbeat) or an ignored field."""
        if line.startswith(b":"):
            self.heartbeats += 1
            out.append(_HEARTBEAT)
            return
        name, _, value = line.partition(b":")
        if value.startswith(b" "):
            value = value[1:]
        if name == b"data":  # `data` without a colon is an empty data line
            data.append(value)
        elif name == b"event":
            self._event_name = value
        # `id`, `retry` and unknown fields: ignored, as the SSE spec says

    def _dispatch_slow(self, raw: bytes, name: bytes, out: list[Event]) -> None:
        """Every message but a streamed chunk: the standard library's json reads it, so the fast
        parser only ever speeds up, never changes, what is read."""
        if not raw.strip():
            self.heartbeats += 1
            out.append(_HEARTBEAT)
            return
        try:
            event = json.loads(raw)
        except (ValueError, RecursionError) as exc:  # also UnicodeDecodeError; deep nesting
            self._unreadable(str(exc), raw, out)
            return
        if name == b"error":
            message = event.get("message") if isinstance(event, dict) else None
            text = message if isinstance(message, str) else raw.decode("utf-8", "replace")
            self._error(text, raw, out)
            return
        if not isinstance(event, dict):
            self._unreadable("not a JSON object", raw, out)
            return
        try:
            self._interpret(event, out)
        except (TypeError, AttributeError, ValueError) as exc:
            self._unreadable(f"unexpected shape ({exc})", raw, out)

    def _error(self, message: str, raw: bytes | str, out: list[Event]) -> None:
        """An error the backend sent: reported, and kept for the reply."""
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8", "replace")
        self.errors.append(message)
        out.append(StreamError(message, raw[:_RAW_LIMIT]))

    def _unreadable(self, problem: str, raw: bytes, out: list[Event]) -> None:
        """An event that could not be read: reported, then skipped."""
        self.unreadable += 1
        text = raw.decode("utf-8", "replace")
        out.append(StreamError(f"unreadable event: {problem}", text[:_RAW_LIMIT]))

    # -- ADK event → typed events --------------------------------------------------------------
    def _interpret(self, event: dict[str, Any], out: list[Event]) -> None:
        content = event.get("content")
        error = event.get("error")
        if content:
            parts = content.get("parts") or ()
            partial = bool(event.get("partial"))
            # A text echoed with the user's role is the user's message, not the reply.
            from_user = content.get("role") == "user"
            texts: list[str] = []
            for part in parts:
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
        if error is not None:
            text = error if isinstance(error, str) else json.dumps(error)
            self._error(text, json.dumps(event, ensure_ascii=False), out)
        else:
            message = _get(event, "errorMessage", "error_message")
            code = _get(event, "errorCode", "error_code")
            if message is not None or code is not None:
                text = str(message if message is not None else code)
                self._error(text, json.dumps(event, ensure_ascii=False), out)

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

    def _finish(self, whole: str, out: list[Event]) -> None:
        self.texts += 1
        self._open.clear()  # in place: `feed` holds it
        self._final = whole
        self.saw_text = self.saw_text or bool(whole)
        out.append(Text(whole))

    @staticmethod
    def _join(done: str, more: str) -> str:
        return done + _SEPARATOR + more if done and more else done or more
