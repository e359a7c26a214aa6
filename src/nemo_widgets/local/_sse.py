"""Server-sent events in the style of Google's Agent Development Kit (see the contract's
"What an ADK server puts on the wire"): `data: <compact JSON>` + blank line, camelCase fields,
no `event:`/`id:`/`retry:` lines, no end marker. Heartbeats are `: keepalive` comments or empty
`data:` lines. `SSEResponse` is a raw ASGI response so that a fault can drop the connection
without ending the chunked body.
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


def encode(ev: dict[str, Any]) -> bytes:
    """`data: <compact JSON>\\n\\n` (newlines in text stay JSON-escaped)."""
    return b"data: " + json.dumps(ev, ensure_ascii=False, separators=(",", ":")).encode() + b"\n\n"


def heartbeat(n: int) -> bytes:
    """Alternately a comment and an empty data line, so clients meet both forms."""
    return b": keepalive\n\n" if n % 2 == 0 else b"data: \n\n"


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
