"""A scripted stand-in for `Session` and a recording comm, for the widgets' kernel-side tests."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import AsyncIterator, Callable, Iterable
from pathlib import Path
from typing import Any

from nemo_widgets import Credits, Media, RenderJob, State
from nemo_widgets import events as ev
from nemo_widgets.session._working import WorkingDraft
from widget_comm import RecordingComm


def reply_to(comm: RecordingComm, msg_id: str) -> dict[str, Any] | None:
    """The reply to request `msg_id`, if sent."""
    for m in comm.custom("reply"):
        if m["id"] == msg_id:
            return m
    return None


class FakeSession:
    """Just enough of `Session` for the widgets: observers, a scripted stream, uploads, export."""

    backend = "local"
    session_id = "sess_fake"
    task_id = "task_fake"
    language = "en"

    def __init__(self, script: Iterable[Any] = (), *, delay: float = 0.0) -> None:
        self.script = list(script)
        self.delay = delay
        self.history: list[dict[str, Any]] = []
        self.last_state: State | None = None
        self.jobs: list[RenderJob] = []
        self.observers: list[Callable[[str, Any], None]] = []
        self.sent: list[str] = []
        self.uploaded: list[tuple[str, ...]] = []
        self.upload_error: BaseException | None = None
        self.gate: asyncio.Event | None = None  # when set, uploads wait for it
        self.export_path: str | None = None
        self.export_url: str | None = None
        self.stream_error: BaseException | None = None
        self.pauses: set[int] = set()  # the stream waits for `loop_resume()` before these events
        self.resume: asyncio.Event | None = None
        self.paused_at: int | None = None

    def loop_resume(self) -> None:
        """Let a paused stream go on (from the test's thread)."""
        from nemo_widgets import _loop

        assert self.resume is not None
        _loop.get_loop().call_soon_threadsafe(self.resume.set)

    def subscribe(self, observer: Callable[[str, Any], None]) -> Callable[[], None]:
        self.observers.append(observer)
        return lambda: self.observers.remove(observer)

    def emit(self, kind: str, payload: Any) -> None:
        for o in list(self.observers):
            o(kind, payload)

    @functools.cached_property
    def edits(self) -> WorkingDraft:
        return WorkingDraft(self)  # type: ignore[arg-type]  # the parts of a Host it needs

    async def _stream(self, text: str) -> AsyncIterator[Any]:
        self.sent.append(text)
        for i, event in enumerate(self.script):
            if i in self.pauses:
                self.resume = asyncio.Event()
                self.paused_at = i
                await self.resume.wait()
                self.paused_at = None
            if self.delay:
                await asyncio.sleep(self.delay)
            yield event
        if self.stream_error is not None:
            raise self.stream_error
        yield ev.End()

    def stream(self, text: str) -> AsyncIterator[Any]:
        return self._stream(text)

    async def aupload(self, *items: str, progress: Any = None) -> list[Media]:
        self.uploaded.append(tuple(items))
        if self.gate is not None:
            await self.gate.wait()
        if self.upload_error is not None:
            raise self.upload_error
        out = []
        for i, item in enumerate(items):
            data = Path(item).read_bytes() if "://" not in item else b"url"
            if progress:
                progress(len(data), len(data))
            name = item.rsplit("/", 1)[-1]
            out.append(Media(f"med_{len(self.uploaded)}_{i}", name, "image", len(data), None))
            self.last_content = data
        return out

    async def astate(self) -> State:
        assert self.last_state is not None
        self.emit("state", self.last_state)
        return self.last_state

    def save_history(self) -> None:
        self.saved_history = list(self.history)

    def summary(self) -> str:
        return "summary"

    async def alink(self) -> str:
        return "https://nemovideo.com/workspace/claim?ct=clm_fake"

    async def aexport(
        self,
        quality: str = "high",
        wait: bool = True,
        download_to: Any = None,
        progress: Any = None,
    ) -> RenderJob:
        self.export_args = {"quality": quality, "download_to": download_to}
        job = RenderJob(id="render_1")
        self.jobs.append(job)
        for status, pct in (("pending", 0.0), ("processing", 50.0), ("completed", 100.0)):
            job.status, job.percent = status, pct
            self.emit("job", job)
            await asyncio.sleep(0)
        job.url = self.export_url
        if progress:
            progress(10, 10)
        job.path = self.export_path
        self.emit("job", job)
        return job


def credits() -> Credits:
    """A balance."""
    return Credits(90, 10, 100)
