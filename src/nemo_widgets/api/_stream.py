"""The chat stream as it leaves the wire layer: decoded events, never bytes or httpx errors (a break
after the message may have run is `StreamDropped`; silence too long, `StreamTimeout`)."""

from __future__ import annotations

from collections.abc import AsyncGenerator

import httpx

from ..errors import BackendUnavailable, StreamDropped, StreamTimeout
from ..events import ChatTurn, Event

# Transport failures that happen only before a request leaves: the message was not delivered.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def dropped_before(exc: BackendUnavailable) -> BackendUnavailable:
    """A chat POST's failure that may come after delivery (no headers in time) is not resendable."""
    cause = exc.__cause__
    if isinstance(cause, httpx.TransportError) and not isinstance(cause, _NOT_SENT):
        return StreamDropped(f"{exc.message} (the message may have been delivered)")
    return exc


class ChatStream:
    """One `/run_sse` reply: event batches, one per read, the last ends in `End`; `turn` sums up."""

    def __init__(self, response: httpx.Response) -> None:
        self.turn = ChatTurn()
        self._response = response

    async def __aiter__(self) -> AsyncGenerator[list[Event], None]:
        try:
            async for chunk in self._response.aiter_bytes():
                if events := self.turn.feed(chunk):
                    yield events
        except httpx.TimeoutException as exc:
            # no byte for the read time-out (= heartbeat_timeout): not even heartbeats
            raise StreamTimeout(
                f"The backend stopped answering mid-reply ({type(exc).__name__})."
            ) from None
        except httpx.TransportError as exc:
            raise StreamDropped(f"chat: the stream broke off ({type(exc).__name__})") from None
        yield self.turn.close()
