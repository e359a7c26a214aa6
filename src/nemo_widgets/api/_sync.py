"""`Client`: the blocking facade, generated from `AsyncClient` so there is one implementation of
every request; each method runs the coroutine of the same name on the package's background loop."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Coroutine
from typing import Any, Concatenate, ParamSpec, TypeVar

from .. import _loop
from ._client import AsyncClient

P = ParamSpec("P")
T = TypeVar("T")


def _blocking(
    method: Callable[Concatenate[AsyncClient, P], Coroutine[Any, Any, T]],
) -> Callable[Concatenate[Client, P], T]:
    @functools.wraps(method)
    def run(self: Client, /, *args: P.args, **kwargs: P.kwargs) -> T:
        return _loop.run(method(self.aio, *args, **kwargs))

    return run


class Client(contextlib.AbstractContextManager["Client"]):
    """The NemoVideo API as blocking calls (works in scripts and inside running event loops);
    takes the arguments of `AsyncClient`, which is at `.aio`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.aio = AsyncClient(*args, **kwargs)

    def __repr__(self) -> str:
        return repr(self.aio).removeprefix("Async")

    def __exit__(self, *exc: object) -> None:
        self.close()

    close = _blocking(AsyncClient.aclose)
    anonymous_token = _blocking(AsyncClient.anonymous_token)
    create_session = _blocking(AsyncClient.create_session)
    claim_token = _blocking(AsyncClient.claim_token)
    upload_files = _blocking(AsyncClient.upload_files)
    upload_urls = _blocking(AsyncClient.upload_urls)
    credits = _blocking(AsyncClient.credits)
    state = _blocking(AsyncClient.state)
    render = _blocking(AsyncClient.render)
    render_status = _blocking(AsyncClient.render_status)
    cancel_render = _blocking(AsyncClient.cancel_render)
    download = _blocking(AsyncClient.download)
