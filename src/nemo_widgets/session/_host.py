"""`Host`, the Session as its helpers (and test doubles) see it, and `twins`, sync and async."""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import inspect
from collections.abc import Callable, Coroutine, Iterator
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec, Protocol, TypeVar, overload

from .. import _loop
from ._progress import caller_progress

if TYPE_CHECKING:
    from .._options import Options
    from ..api import AsyncClient, Credits, Media, State
    from ._jobs import RenderJob
    from ._record import Recorder
    from ._watchdog import Clock
    from ._working import WorkingDraft

T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")
P = ParamSpec("P")

# Observer(kind, payload): "state" State, "job" RenderJob, "upload" {name, sent, total}, "download"
# {id, sent, total}, "chat" Event, "credits" Credits, "notice" str, "edits" WorkingDraft
Observer = Callable[[str, Any], None]


@dataclasses.dataclass
class ChatState:
    """One session's chat: the message being answered, the dropped one `retry_last` may send."""

    running: str | None = None
    retryable: str | None = None


class Host(Protocol):
    """The session as its helpers see it."""

    session_id: str
    language: str
    options: Options
    history: list[dict[str, Any]]
    jobs: list[RenderJob]
    last_state: State | None
    chat_state: ChatState
    recorder: Recorder | None
    clock: Clock
    edits: WorkingDraft
    api: AsyncClient

    def subscribe(self, observer: Observer) -> Callable[[], None]: ...

    def emit(self, kind: str, payload: Any) -> None: ...

    def record_job(self, job: RenderJob) -> None: ...

    def save_history(self) -> None: ...

    async def astate(self) -> State: ...

    async def acredits(self) -> Credits: ...

    async def aexport(self) -> RenderJob: ...

    async def aupload(self, *paths_or_urls: str) -> list[Media]: ...


Work = Callable[Concatenate[S, P], Coroutine[Any, Any, T]]
Twins = tuple[Callable[Concatenate[S, P], T], Work[S, P, T]]


@overload
def twins(work: Work[S, P, T], name: str, bar: str | None = None) -> Twins[S, P, T]: ...


@overload
def twins(
    work: Work[S, P, T], name: str, bar: str | None, then: Callable[[T], R]
) -> Twins[S, P, R]: ...


def twins(
    work: Work[S, P, Any],
    name: str,
    bar: str | None = None,
    then: Callable[[Any], Any] = lambda result: result,
) -> Twins[S, P, Any]:
    """`name`, `a<name>`: `work` run on the loop, `then` on the caller's thread; `bar`: a bar."""
    signature = inspect.signature(work)
    returns = inspect.signature(then).return_annotation  # what the caller gets, where `then` says

    @contextlib.contextmanager
    def started(self: Any, args: Any, kwargs: Any) -> Iterator[Coroutine[Any, Any, Any]]:
        if bar is None:
            yield work(self, *args, **kwargs)
            return
        bound = signature.bind(self, *args, **kwargs)
        subscribe = self.subscribe if bar == "render" else None  # an export's bar: its job events
        with caller_progress(bound.arguments.get("progress"), bar, subscribe) as feed:
            bound.arguments["progress"] = feed
            yield work(*bound.args, **bound.kwargs)

    def blocking(self: S, *args: P.args, **kwargs: P.kwargs) -> Any:
        with started(self, args, kwargs) as job:
            return then(_loop.run(job))

    async def twin(self: S, *args: P.args, **kwargs: P.kwargs) -> Any:
        with started(self, args, kwargs) as job:
            return then(await _loop.arun(job))

    for fn, called, doc in ((blocking, name, work.__doc__), (twin, "a" + name, None)):
        functools.update_wrapper(fn, work)
        fn.__name__, fn.__qualname__ = called, work.__qualname__.replace(work.__name__, called)
        fn.__doc__ = doc or f"Async twin of `{name}`."
        if returns is not inspect.Signature.empty:
            fn.__signature__ = signature.replace(return_annotation=returns)  # type: ignore[union-attr]
    return blocking, twin
