"""Server-sent events in either dialect of the contract (an ADK server's events, or the typed
events of the vendor's documents). What the agent says is kept as ADK events (dicts, built by
`event`); `encode` turns one into the dialect's bytes:

    adk     the event itself: `data: <compact JSON>` + blank line, camelCase fields, streamed
            `partial` chunks and then the final text repeating them
    vendor  the vendor's typed events: `{"type": "text", "content": …}` per chunk (no final: the
            chunks are the reply), `tool_call` {name, args}, `tool_result` {name, result}, and
            errors as `{"type": "error", "message": …}`

Neither has `event:`/`id:`/`retry:` lines or an end marker. Heartbeats are `: keepalive`
comments, alternating with empty `data:` lines (adk) or `{"type": "heartbeat"}` (vendor).
`SSEResponse` is a raw ASGI response so that a fault can drop the connection without ending the
chunked body.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from starlette.types import Receive, Scope, Send

__all__ = ["AUTHOR", "Drop", "SSEResponse", "encode", "event", "heartbeat"]

AUTHOR = "nemo_agent"
_ACTIONS: dict[str, dict[str, Any]] = {
    "stateDelta": {},
    "artifactDelta": {},
    "requestedAuthConfigs": {},
    "requestedToolConfirmations": {},
}


class Drop(Exception):
    """Raised by an event source to cut the connection (fault injection)."""


def event(
    invocation_id: str,
    parts: list[dict[str, Any]],
    *,
    role: str = "model",
    partial: bool | None = None,
    event_id: str | None = None,
    finish: bool = False,
) -> dict[str, Any]:
    """One ADK event as a dict (camelCase, empty fields left out)."""
    ev: dict[str, Any] = {"content": {"parts": parts, "role": role}}
    if partial is not None:
        ev["partial"] = partial
    ev["invocationId"] = invocation_id
    ev["author"] = AUTHOR
    ev["actions"] = {k: {} for k in _ACTIONS}
    ev["id"] = event_id or str(uuid.uuid4())
    ev["timestamp"] = time.time()
    if finish:
        ev["finishReason"] = "STOP"
    return ev


def encode(ev: dict[str, Any], dialect: str = "adk") -> bytes:
    """One agent event as the dialect's SSE bytes (newlines in text stay JSON-escaped)."""
    if dialect == "adk":
        return _data(ev)
    return b"".join(_data(typed) for typed in _typed(ev))


def _typed(ev: dict[str, Any]) -> list[dict[str, Any]]:
    """An ADK event as the vendor's typed events."""
    if "error" in ev:
        return [{"type": "error", "message": ev["error"], "code": ev.get("errorCode")}]
    content = ev.get("content") or {}
    if ev.get("partial") is False:
        return []  # the final repeats the chunks, which were the reply already
    out: list[dict[str, Any]] = []
    for part in content.get("parts") or ():
        if "text" in part and content.get("role") != "user":
            out.append({"type": "text", "content": part["text"]})
        elif "functionCall" in part:
            call = part["functionCall"]
            out.append({"type": "tool_call", "name": call["name"], "args": call.get("args", {})})
        elif "functionResponse" in part:
            res = part["functionResponse"]
            out.append({"type": "tool_result", "name": res["name"], "result": res.get("response")})
    return out


def _data(obj: dict[str, Any]) -> bytes:
    return b"data: " + json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


def heartbeat(n: int, dialect: str = "adk") -> bytes:
    """Alternately a comment and the dialect's other keep-alive, so clients meet both forms."""
    if n % 2 == 0:
        return b": keepalive\n\n"
    return b"data: \n\n" if dialect == "adk" else _data({"type": "heartbeat"})


class SSEResponse:
    """Streams the bytes of an async iterator; `Drop` closes the socket mid-body."""

    def __init__(self, source: AsyncIterator[bytes]):
        self.source = source

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        gone = asyncio.Event()

        async def watch() -> None:
            while True:
                msg = await receive()
                if msg["type"] == "http.disconnect":
                    gone.set()
                    return

        watcher = asyncio.create_task(watch())
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-type", b"text/event-stream; charset=utf-8"),
                    (b"cache-control", b"no-cache"),
                    (b"x-accel-buffering", b"no"),
                ],
            }
        )
        dropped = False
        try:
            async for chunk in self.source:
                if gone.is_set():
                    break
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except Drop:
            dropped = True
        except OSError:
            gone.set()
        finally:
            watcher.cancel()
            aclose = getattr(self.source, "aclose", None)
            if aclose is not None:
                await aclose()
        if dropped:
            raise Drop("chat stream dropped by fault injection")
        if not gone.is_set():
            await send({"type": "http.response.body", "body": b"", "more_body": False})
