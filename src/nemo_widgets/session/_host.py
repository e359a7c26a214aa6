"""`Host`: what the workflow's helpers use of a Session, and the per-session chat state.

The helpers (chat, export, upload, the timeline file, the working draft, the record) take a
`Host`, never a Session's private attributes; the Session is one, a test double another.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from .._options import Options
    from ..api import AsyncClient, Credits, Media, State
    from ._jobs import RenderJob
    from ._observers import Observer
    from ._replay import Recorder
    from ._watchdog import Clock
    from ._working import WorkingDraft

__all__ = ["ChatState", "Host"]

T = TypeVar("T")


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

    @property
    def api(self) -> AsyncClient: ...

    @property
    def edits(self) -> WorkingDraft: ...

    def subscribe(self, observer: Observer) -> Callable[[], None]: ...

    def emit(self, kind: str, payload: Any) -> None: ...

    def record_job(self, job: RenderJob) -> None: ...

    def save_history(self) -> None: ...

    async def recovering(self, call: Callable[[], Awaitable[T]]) -> T: ...

    async def astate(self) -> State: ...

    async def acredits(self) -> Credits: ...

    async def aexport(self) -> RenderJob: ...

    async def aupload(self, *paths_or_urls: str) -> list[Media]: ...
