"""The chat stream leaves the wire layer as events and typed errors, never httpx's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from nemo_widgets._options import Options
from nemo_widgets._text import set_active
from nemo_widgets.api import AsyncClient
from nemo_widgets.errors import BackendUnavailable, NemoError, StreamDropped, StreamTimeout
from nemo_widgets.events import End, Event, TextDelta

SSE = {"content-type": "text/event-stream"}
CHUNK = b'data: {"content":{"parts":[{"text":"Work"}]},"partial":true}\n\n'


def chat(handler: Callable[[httpx.Request], httpx.Response]) -> list[Event]:
    """The events of one chat through a transport that answers with `handler`."""

    async def go() -> list[Event]:
        api = AsyncClient(
            "https://api.test",
            "nmv_given",
            options=Options(max_retries=0),
            transport=httpx.MockTransport(handler),
        )
        seen: list[Event] = []
        try:
            async with api.open_chat("sess_1", "add a title") as stream:
                async for batch in stream:
                    seen += batch
        except NemoError as exc:
            seen.append(exc)  # type: ignore[arg-type]
        await api.aclose()
        return seen

    return asyncio.run(go())


def body(then: BaseException) -> AsyncIterator[bytes]:
    async def gen() -> AsyncIterator[bytes]:
        yield CHUNK
        raise then

    return gen()


def raising(exc: BaseException) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc

    return handler


def test_a_whole_stream_is_events_ending_with_end() -> None:
    seen = chat(lambda r: httpx.Response(200, headers=SSE, content=CHUNK))
    assert seen[0] == TextDelta("Work") and seen[-1] == End()


@pytest.mark.parametrize(
    ("exc", "error"),
    [
        (httpx.RemoteProtocolError("peer closed"), StreamDropped),
        (httpx.ReadError("reset"), StreamDropped),
        (httpx.ReadTimeout("no bytes"), StreamTimeout),
    ],
    ids=["closed", "reset", "read-time-out"],
)
def test_a_stream_that_breaks_is_a_typed_error(exc: Exception, error: type) -> None:
    seen = chat(lambda r: httpx.Response(200, headers=SSE, content=body(exc)))
    assert seen[0] == TextDelta("Work")
    assert type(seen[-1]) is error and not isinstance(seen[-1], httpx.HTTPError)


@pytest.mark.parametrize(
    ("exc", "dropped"),
    [
        (httpx.ConnectError("refused"), False),
        (httpx.ConnectTimeout("no answer"), False),
        (httpx.ReadTimeout("no headers"), True),
        (httpx.RemoteProtocolError("closed without a response"), True),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_a_failure_before_the_stream_says_whether_it_may_have_been_sent(
    exc: Exception, dropped: bool
) -> None:
    (error,) = chat(raising(exc))
    assert isinstance(error, BackendUnavailable)
    assert isinstance(error, StreamDropped) is dropped


def test_a_refusal_by_status_was_not_delivered() -> None:
    (error,) = chat(lambda r: httpx.Response(503, text="busy"))
    assert type(error) is BackendUnavailable


@pytest.mark.parametrize(
    ("handler", "words"),
    [
        (lambda r: httpx.Response(200, headers=SSE, content=body(httpx.ReadError("x"))), "中断"),
        (lambda r: httpx.Response(200, headers=SSE, content=body(httpx.ReadTimeout("x"))), "停止"),
        (raising(httpx.ReadTimeout("no headers")), "可能已经送达"),
    ],
    ids=["dropped", "silent", "maybe-delivered"],
)
def test_the_stream_errors_speak_the_sessions_language(handler: Callable, words: str) -> None:
    set_active("zh-CN")  # what a Chinese session does as it starts
    error = chat(handler)[-1]
    assert isinstance(error, StreamDropped | StreamTimeout) and words in error.message
