"""The session object held in kernel state: one per notebook, every rule of the workflow.

SKELETON written to fix the interface between the layers; the client issue (#3) fills in the
bodies, the chat issue (#4) provides `nemo_widgets._chat`, the widgets (#6) only call what is here.

Threading: every `a…` coroutine runs on the package's background loop (`_loop`), the sync twin
waits for it; observers are called on the background loop's thread and must not block.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Callable, Sequence
from os import PathLike
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .events import Event

__all__ = ["Credits", "Media", "RenderJob", "Reply", "Session", "State", "connect", "current"]


@dataclasses.dataclass(frozen=True)
class Credits:
    """The credit balance: `available` to spend, `frozen` held by running work, `total`."""

    available: int
    frozen: int
    total: int


@dataclasses.dataclass(frozen=True)
class State:
    """The backend's latest state of the session (see docs/draft-format.md)."""

    draft: dict[str, Any]
    video_infos: list[dict[str, Any]]
    canvas_config: dict[str, Any]
    generated_media: list[dict[str, Any]]


@dataclasses.dataclass(frozen=True)
class Media:
    """One uploaded file as the backend knows it."""

    id: str
    name: str
    type: str
    size: int
    url: str | None = None


@dataclasses.dataclass
class RenderJob:
    """An export: `pending → processing → completed | failed`, then downloaded to `path`."""

    id: str
    status: str = "pending"
    percent: float = 0.0
    url: str | None = None
    path: str | None = None
    error: str | None = None


@dataclasses.dataclass(frozen=True)
class Reply:
    """The answer to one chat message: the text shown, how it was routed, the raw events and the
    draft changes (for silent edits)."""

    text: str
    route: str  # "chat" | "export" | "credits" | "status" | "upload"
    events: Sequence[Event] = ()
    changes: Sequence[Any] = ()


# Observer callback: (kind, payload). Kinds: "state" (State), "job" (RenderJob),
# "upload" (dict: name, sent, total), "chat" (Event), "credits" (Credits), "notice" (str).
Observer = Callable[[str, Any], None]


class Session:
    """One editing session on a backend; see `connect()`."""

    backend: str  # "cloud" | "local"
    api_url: str
    session_id: str
    task_id: str
    language: str
    history: list[dict[str, Any]]  # {"role": "user"|"assistant", "text": ..., "route": ...}
    last_state: State | None
    jobs: list[RenderJob]

    # -- observers (widgets subscribe here) -------------------------------------------------
    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call `observer(kind, payload)` on every change; returns the unsubscribe function."""
        raise NotImplementedError

    # -- I/O, each with its async twin -----------------------------------------------------
    def upload(self, *paths_or_urls: str | PathLike[str], progress: Any = None) -> list[Media]:
        """Upload files (globs allowed) or http(s) URLs."""
        raise NotImplementedError

    async def aupload(self, *paths_or_urls: str | PathLike[str], progress: Any = None) -> list[Media]:
        """Async twin of `upload`."""
        raise NotImplementedError

    def credits(self) -> Credits:
        """The current balance."""
        raise NotImplementedError

    async def acredits(self) -> Credits:
        """Async twin of `credits`."""
        raise NotImplementedError

    def state(self) -> State:
        """The latest state; also stored in `last_state` and published to observers."""
        raise NotImplementedError

    async def astate(self) -> State:
        """Async twin of `state`."""
        raise NotImplementedError

    def timeline(self) -> pd.DataFrame:
        """The draft as a DataFrame (`nemo_widgets.draft.draft_to_frame`)."""
        raise NotImplementedError

    def summary(self) -> str:
        """The one-line track summary (`nemo_widgets.draft.summarize`)."""
        raise NotImplementedError

    def link(self) -> str:
        """The web link to open this project (a claim token, never the real token)."""
        raise NotImplementedError

    async def alink(self) -> str:
        """Async twin of `link`."""
        raise NotImplementedError

    def export(
        self,
        draft: dict[str, Any] | pd.DataFrame | None = None,
        quality: str = "high",
        wait: bool = True,
        download_to: str | PathLike[str] | None = None,
        progress: Any = None,
    ) -> RenderJob:
        """Render the draft (default: the session's), wait, download."""
        raise NotImplementedError

    async def aexport(
        self,
        draft: dict[str, Any] | pd.DataFrame | None = None,
        quality: str = "high",
        wait: bool = True,
        download_to: str | PathLike[str] | None = None,
        progress: Any = None,
    ) -> RenderJob:
        """Async twin of `export`."""
        raise NotImplementedError

    def chat(self, text: str) -> Reply:
        """Send a message (or run the routed action) and wait for the whole reply."""
        raise NotImplementedError

    async def achat(self, text: str) -> Reply:
        """Async twin of `chat`."""
        raise NotImplementedError

    def stream(self, text: str) -> AsyncIterator[Event]:
        """Yield the reply's events as they arrive (used by the chat widget)."""
        raise NotImplementedError

    def close(self) -> None:
        """Close the HTTP client (and the offline backend this session started)."""
        raise NotImplementedError

    async def aclose(self) -> None:
        """Async twin of `close`."""
        raise NotImplementedError


def connect(
    backend: str = "cloud",
    api_url: str | None = None,
    token: str | None = None,
    language: str = "en",
    **options: Any,
) -> Session:
    """Connect (or re-use the live session of an identical earlier call) and make it current."""
    raise NotImplementedError


def current() -> Session:
    """The session made by the last `connect()`."""
    raise NotImplementedError
