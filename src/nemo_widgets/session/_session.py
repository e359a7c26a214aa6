"""The session object held in kernel state: one per notebook, every rule of the workflow.

Threading: every `a…` coroutine runs on the package's background loop (`_loop`), the sync twin
waits for it; observers are called on the background loop's thread and must not block. The work
is done by the helpers (`_chat`, `_upload`, `_export`, `_timeline`), which see the session as a
`_host.Host`; `connect()` is `_connect`'s.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from os import PathLike
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _display, _loop
from .._options import Options
from .._text import default_language, set_active, ui_text
from ..api import AsyncClient, Credits, Media, State
from ..errors import SessionNotFound
from . import _chat, _export, _upload
from ._host import ChatState
from ._jobs import JobBook, RenderJob
from ._observers import Observable
from ._progress import ProgressArg, caller_progress, export_progress
from ._replay import Recorder
from ._reply import Reply
from ._timeline import TimelineViews
from ._watchdog import Clock

if TYPE_CHECKING:
    import pandas as pd

    from ..events import Event

__all__ = ["Session"]

T = TypeVar("T")
log = logging.getLogger("nemo_widgets.session")


class Session(Observable, TimelineViews):
    """One editing session on a backend; see `connect()`."""

    def __init__(
        self,
        api: AsyncClient,
        *,
        backend: str = "cloud",
        language: str | None = None,
        options: Options | None = None,
        record_key: str | None = None,
        book: JobBook | None = None,
    ) -> None:
        super().__init__()
        self._api = api
        self.backend = backend
        self.api_url = api.api_url
        self.language = language or default_language()
        set_active(self.language)  # messages raised far from the session speak its language
        self.options = options or api.options
        self.session_id = ""
        self.task_id = ""
        self.history: list[dict[str, Any]] = []
        self.last_state: State | None = None
        self.last_credits: Credits | None = None
        self.jobs: list[RenderJob] = []
        self.closed = False
        self.server: Any = None  # the offline backend this session started, if any
        self._record_key = record_key
        self._book = book if record_key else None
        self._on_close: list[Callable[[], None]] = []
        self.clock = Clock()  # the waits between polls and after a drop (tests pass a fake)
        self.recorder: Recorder | None = None  # with connect(record=...)
        self.chat_state = ChatState()

    @property
    def api(self) -> AsyncClient:
        """The wire client this session talks through."""
        return self._api

    def __repr__(self) -> str:
        return _display.session_line(self)

    def _repr_html_(self) -> str:
        return _display.html_block(_display.session_line(self))

    # -- lifecycle (called by connect) -----------------------------------------------------------
    async def _start(self, resume: bool = True) -> None:
        """Re-attach to the recorded session (and its jobs), or start a new one."""
        rec = self._book.load(self._record_key) if self._book and self._record_key else None
        if resume and rec is not None:
            self.session_id, self.task_id = rec.session_id, rec.task_id
            self._api.bind_id = rec.task_id or rec.session_id
            try:
                await self._fetch_state()
            except SessionNotFound:
                self.emit("notice", ui_text("notice.session_gone", self.language))
            else:
                self.jobs = [RenderJob.from_record(j, self) for j in rec.jobs]
                self.history = list(rec.history)  # a ChatCell made now shows it
                return
        await self._new_session()

    async def _new_session(self) -> None:
        ids = await self._api.create_session(self.language)
        self.session_id, self.task_id = ids["session_id"], ids["task_id"]
        self._api.bind_id = self.task_id or self.session_id
        self.jobs = []
        self.last_state = None
        if self._book and self._record_key:
            self._book.save_session(self._record_key, self.session_id, self.task_id, self.language)

    async def recovering(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run `call`; if the backend forgot the session (1002), make a new one, say so, retry."""
        try:
            return await call()
        except SessionNotFound:
            await self._new_session()
            self.emit("notice", ui_text("notice.session_lost", self.language))
            return await call()

    def save_history(self) -> None:
        """Persist the chat history with the session's record (a restarted kernel shows it)."""
        if self._book and self._record_key:
            try:
                self._book.save_history(self._record_key, self.session_id, self.history)
            except OSError as exc:  # a full or read-only disk must not break the chat
                log.warning("could not record the chat history: %s", exc)

    def record_job(self, job: RenderJob) -> None:
        """Persist a job's record and tell observers."""
        if self._book and self._record_key:
            try:
                self._book.save_job(self._record_key, job.to_record())
            except OSError as exc:  # a full or read-only disk must not break the export
                log.warning("could not record render job %s: %s", job.id, exc)
        self.emit("job", job)

    # -- upload ----------------------------------------------------------------------------------
    def upload(
        self, *paths_or_urls: str | PathLike[str], progress: ProgressArg = None
    ) -> list[Media]:
        """Upload files (globs allowed) or http(s) URLs; every check runs before any request."""
        with caller_progress(progress, "upload") as feed:
            return _loop.run(_upload.upload(self, paths_or_urls, feed))

    async def aupload(
        self, *paths_or_urls: str | PathLike[str], progress: ProgressArg = None
    ) -> list[Media]:
        """Async twin of `upload`."""
        with caller_progress(progress, "upload") as feed:
            return await _loop.arun(_upload.upload(self, paths_or_urls, feed))

    # -- credits, state, views of the draft ------------------------------------------------------
    def credits(self) -> Credits:
        """The current balance."""
        return _loop.run(self._credits())

    async def acredits(self) -> Credits:
        """Async twin of `credits`."""
        return await _loop.arun(self._credits())

    async def _credits(self) -> Credits:
        self.last_credits = await self._api.credits()
        self.emit("credits", self.last_credits)
        return self.last_credits

    def state(self) -> State:
        """The latest state; also stored in `last_state` and published to observers."""
        return _loop.run(self._state())

    async def astate(self) -> State:
        """Async twin of `state`."""
        return await _loop.arun(self._state())

    async def _fetch_state(self) -> State:
        self.last_state = await self._api.state(self.session_id)
        if self.recorder is not None:  # a replayed draft is the working timeline
            self.last_state = self.recorder.view(self.last_state)
        self.emit("state", self.last_state)
        return self.last_state

    async def _state(self) -> State:
        return await self.recovering(self._fetch_state)

    def _known_state(self) -> State:
        # the chat helper calls summary() on the background loop, where blocking is not allowed:
        # there it uses the state it has just read
        if self.last_state is None and not _loop.on_loop():
            return self.state()
        return self.last_state or State({}, [], {}, [])

    def link(self) -> str:
        """The web link to open this project (a claim token, never the real token)."""
        return _loop.run(self._link())

    async def alink(self) -> str:
        """Async twin of `link`."""
        return await _loop.arun(self._link())

    async def _link(self) -> str:
        claim = await self._api.claim_token(self.task_id, self.session_id)
        return str(claim["url"])

    # -- export ----------------------------------------------------------------------------------
    def export(
        self,
        draft: dict[str, Any] | pd.DataFrame | None = None,
        quality: str = "high",
        wait: bool = True,
        download_to: str | PathLike[str] | None = None,
        progress: ProgressArg = None,
    ) -> RenderJob:
        """Render the draft (default: the session's), wait, download."""
        with export_progress(progress, self.subscribe) as feed:
            return _loop.run(_export.run_export(self, draft, quality, wait, download_to, feed))

    async def aexport(
        self,
        draft: dict[str, Any] | pd.DataFrame | None = None,
        quality: str = "high",
        wait: bool = True,
        download_to: str | PathLike[str] | None = None,
        progress: ProgressArg = None,
    ) -> RenderJob:
        """Async twin of `export`."""
        with export_progress(progress, self.subscribe) as feed:
            job = _export.run_export(self, draft, quality, wait, download_to, feed)
            return await _loop.arun(job)

    def resume(
        self,
        job: RenderJob | None = None,
        download_to: str | PathLike[str] | None = None,
        progress: ProgressArg = None,
    ) -> RenderJob:
        """Follow a started job (default: the last) to its end and download it."""
        with export_progress(progress, self.subscribe) as feed:
            return _loop.run(_export.resume(self, job, download_to, feed))

    async def aresume(
        self,
        job: RenderJob | None = None,
        download_to: str | PathLike[str] | None = None,
        progress: ProgressArg = None,
    ) -> RenderJob:
        """Async twin of `resume`."""
        with export_progress(progress, self.subscribe) as feed:
            return await _loop.arun(_export.resume(self, job, download_to, feed))

    # -- chat (session._chat does the work) --- ---------------------------------------------------
    def chat(self, text: str, refresh: bool = False) -> Reply:
        """Send a message (or run the routed action) and wait for the whole reply; with a
        record, a recorded turn is replayed unless `refresh` (then it goes live from here)."""
        return _loop.run(_chat.run_chat(self, text, refresh))

    async def achat(self, text: str, refresh: bool = False) -> Reply:
        """Async twin of `chat`."""
        return await _loop.arun(_chat.run_chat(self, text, refresh))

    def stream(self, text: str, refresh: bool = False) -> AsyncIterator[Event]:
        """Yield the reply's events as they arrive (used by the chat widget)."""
        return _chat.stream_chat(self, text, refresh)

    def retry_last(self) -> Reply:
        """Send again the last message whose stream dropped with no change seen (it may charge)."""
        return _loop.run(_chat.run_retry(self))

    async def aretry_last(self) -> Reply:
        """Async twin of `retry_last`."""
        return await _loop.arun(_chat.run_retry(self))

    @property
    def can_retry(self) -> bool:
        """Whether `retry_last()` has a dropped message to send again."""
        return _chat.has_retry(self)

    # -- closing ---------------------------------------------------------------------------------
    def close(self) -> None:
        """Close the HTTP client (and the offline backend this session started)."""
        if not self.closed:
            _loop.run(self._api.aclose())
            self._finish_close()

    async def aclose(self) -> None:
        """Async twin of `close`."""
        if not self.closed:
            await _loop.arun(self._api.aclose())
            await asyncio.to_thread(self._finish_close)

    def _finish_close(self) -> None:
        self.closed = True
        while self._on_close:
            self._on_close.pop()()
