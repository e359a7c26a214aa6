"""The Session held in kernel state (one per notebook): each `a…` coroutine runs on the background
loop, its blocking twin waits for it; observers are called on the loop's thread, must not block."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from os import PathLike
from typing import TYPE_CHECKING, Any, TypeVar

from .. import _display, _loop
from .. import draft as _draft  # its pandas half loads on first use
from .._options import Options
from .._text import default_language, set_active, ui_text
from ..api import AsyncClient, Credits, Media, State
from ..errors import SessionNotFound
from . import _chat, _export, _record, _timeline_file, _watchdog, _working
from ._host import ChatState, Observer, twins
from ._jobs import JobBook, RenderJob
from ._progress import ProgressArg
from ._upload import resolve

if TYPE_CHECKING:
    import pandas as pd


T = TypeVar("T")
log = logging.getLogger("nemo_widgets.session")


class Session:
    """One editing session on a backend; see `connect()`."""

    def __init__(
        self,
        api: AsyncClient,
        *,
        backend: str = "cloud",
        language: str | None = None,
        options: Options | None = None,
        record_key: str | None = None,
    ) -> None:
        self._observers: list[Observer] = []
        self.api = api  # the wire client this session talks through
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
        self._key = record_key or ""
        self._book = JobBook() if record_key else None  # records the session and its jobs
        self._on_close: list[Callable[[], None]] = []
        self.clock = _watchdog.Clock()  # the waits between polls and after a drop (tests fake it)
        self.recorder: _record.Recorder | None = None  # with connect(record=...)
        self.chat_state = ChatState()
        # the working draft: `.edits`, `.undo()`, `.redo()`, `.not_applied` after a rebase
        self.edits = _working.WorkingDraft(self)

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call `observer(kind, payload)` on every change; returns the unsubscribe function."""
        self._observers.append(observer)

        def unsubscribe() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return unsubscribe

    def emit(self, kind: str, payload: Any) -> None:
        """Tell every observer; an observer's failure is logged, never raised into the workflow."""
        for observer in list(self._observers):
            try:
                observer(kind, payload)
            except Exception:
                log.exception("observer %r failed on %r", observer, kind)

    def __repr__(self) -> str:
        return _display.session_line(self)

    def _repr_html_(self) -> str:
        return _display.html_block(_display.session_line(self))

    async def _start(self, resume: bool = True) -> None:
        """Re-attach to the recorded session (and its jobs), or start a new one."""
        rec = self._book.load(self._key) if self._book else None
        if resume and rec is not None:
            self.session_id, self.task_id = rec.session_id, rec.task_id
            self.api.bind_id = rec.task_id or rec.session_id
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
        ids = await self.api.create_session(self.language)
        self.session_id, self.task_id = ids["session_id"], ids["task_id"]
        self.api.bind_id = self.task_id or self.session_id
        self.jobs = []
        self.last_state = None
        if self._book:
            self._book.save_session(self._key, self.session_id, self.task_id, self.language)

    async def recovering(self, call: Callable[[], Awaitable[T]]) -> T:
        """Run `call`; if the backend forgot the session (1002), make a new one, say so, retry."""
        try:
            return await call()
        except SessionNotFound:
            await self._new_session()
            self.emit("notice", ui_text("notice.session_lost", self.language))
            return await call()

    def _keep(self, what: str, save: Callable[[JobBook], None]) -> None:
        if self._book:
            try:
                save(self._book)
            except OSError as exc:  # a full or read-only disk must not break the workflow
                log.warning("could not record %s: %s", what, exc)

    def save_history(self) -> None:
        """Persist the chat history with the session's record (a restarted kernel shows it)."""
        self._keep(
            "the chat history", lambda b: b.save_history(self._key, self.session_id, self.history)
        )

    def record_job(self, job: RenderJob) -> None:
        """Persist a job's record and tell observers."""
        self._keep(f"render job {job.id}", lambda b: b.save_job(self._key, job.to_record()))
        self.emit("job", job)

    async def _upload(
        self, *paths_or_urls: str | PathLike[str], progress: ProgressArg = None
    ) -> list[Media]:
        """Upload files (globs allowed) or http(s) URLs; every check runs before any request."""
        files, urls = resolve(paths_or_urls)
        media: list[Media] = []
        if files:
            names = ", ".join(f.name for f in files)

            def hook(sent: int, total: int) -> None:
                self.emit("upload", {"name": names, "sent": sent, "total": total})

            media += await self.recovering(
                lambda: self.api.upload_files(self.session_id, files, progress, hook)
            )
        if urls:
            media += await self.recovering(lambda: self.api.upload_urls(self.session_id, urls))
        if self.recorder is not None:
            self.recorder.uploaded(media)
        return media

    upload, aupload = twins(_upload, "upload", bar="upload")

    async def _credits(self) -> Credits:
        """The current balance."""
        self.last_credits = await self.api.credits()
        self.emit("credits", self.last_credits)
        return self.last_credits

    credits, acredits = twins(_credits, "credits")

    async def _fetch_state(self) -> State:
        self.last_state = await self.api.state(self.session_id)
        if self.recorder is not None:  # a replayed draft is the working timeline
            self.last_state = self.recorder.view(self.last_state)
        self.emit("state", self.last_state)
        return self.last_state

    async def _state(self) -> State:
        """The latest state; also stored in `last_state` and published to observers."""
        return await self.recovering(self._fetch_state)

    state, astate = twins(_state, "state")

    def _known_state(self) -> State:
        # the chat helper calls summary() on the background loop, where blocking is not allowed:
        # there it uses the state it has just read
        if self.last_state is None and not _loop.on_loop():
            return self.state()
        return self.last_state or State({}, [], {}, [])

    async def _link(self) -> str:
        """The web link to open this project (a claim token, never the real token)."""
        return str((await self.api.claim_token(self.task_id, self.session_id))["url"])

    link, alink = twins(_link, "link")

    export, aexport = twins(_export.run_export, "export", bar="render")
    resume, aresume = twins(_export.resume, "resume", bar="render")
    export_timeline, aexport_timeline = twins(
        _timeline_file.export_timeline, "export_timeline", bar="media", then=_timeline_file.reissue
    )
    chat, achat = twins(_chat.run_chat, "chat")
    retry_last, aretry_last = twins(_chat.run_retry, "retry_last")

    stream = _chat.stream_chat  # the reply's events as they arrive (the chat widget's)

    @property
    def can_retry(self) -> bool:
        """Whether `retry_last()` has a dropped message to send again."""
        return self.chat_state.retryable is not None

    def timeline(self) -> pd.DataFrame:
        """The working draft (the backend's with your hand edits) as a DataFrame."""
        self._known_state()
        return _draft.draft_to_frame(self.edits.current())

    def set_timeline(self, timeline: pd.DataFrame | dict[str, Any]) -> None:
        """Make a DataFrame edited in code (or a draft dict) the working draft, as hand edits."""
        self._known_state()
        self.edits.set(timeline)

    def discard_edits(self) -> None:
        """Drop every hand edit: the timeline is the backend's draft again."""
        self.edits.discard()

    def describe_edits(self) -> str:
        """Your hand edits as sentences to tell the chat ("I changed the text of subtitle 2 …")."""
        return self.edits.describe()

    def summary(self) -> str:
        """The one-line track summary (`nemo_widgets.draft.summarize`)."""
        return _draft.summarize(self._known_state().draft, self.language)

    async def _close(self) -> None:
        """Close the HTTP client (and the offline backend this session started)."""
        if not self.closed:
            await self.api.aclose()
            self.closed = True
            while self._on_close:  # a server's stop blocks: not on the loop's thread
                await asyncio.to_thread(self._on_close.pop())

    close, aclose = twins(_close, "close")
