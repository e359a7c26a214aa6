"""Export: check the draft, submit `render_<ms>`, poll, retry once with a new id, download."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import draft as _draft  # its pandas half loads on first use
from .._options import Options
from .._text import ui_text
from ..api._models import TERMINAL
from ..errors import DraftError, NemoError, RenderFailed
from ._host import Host
from ._jobs import RenderJob

if TYPE_CHECKING:
    import pandas as pd

    from ._progress import ProgressArg


_last_id = 0


def new_job_id() -> str:
    """`render_<ms>`, never the same twice in one process (a retry needs a new id)."""
    global _last_id
    _last_id = max(int(time.time() * 1000), _last_id + 1)
    return f"render_{_last_id}"


async def resolve_draft(session: Host, draft: Any) -> dict[str, Any]:
    """The draft to render, checked: the session's, a DataFrame written onto it, or a given dict."""
    if not isinstance(draft, dict):
        if draft is not None and type(draft).__name__ != "DataFrame":
            raise DraftError(
                f"export(draft=...) takes a dict or a DataFrame, not {type(draft).__name__}"
            )
        await session.astate()
        base = session.edits.current()  # the working draft: hand edits included
        draft = base if draft is None else _draft.frame_to_draft(draft, base)
    _draft.validate(draft)  # raises DraftError naming the track and segment
    return draft  # a given dict is the very one: a cloud draft is rendered as it came


def poll_waits(opts: Options) -> Iterator[float]:
    """The waits between render polls, growing up to `poll_max_interval`, `poll_timeout` in all."""
    wait, total = opts.poll_interval, 0.0
    while total < opts.poll_timeout:
        step = min(wait, opts.poll_max_interval, opts.poll_timeout - total)
        total += step
        yield step
        wait *= opts.poll_backoff


async def _pause(session: Host, job: RenderJob, seconds: float) -> None:
    """Wait between polls; `job.cancel()` ends the wait at once."""
    sleeper = asyncio.ensure_future(session.clock.sleep(seconds))
    woken = asyncio.ensure_future(job._wake.wait())
    try:
        await asyncio.wait({sleeper, woken}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sleeper.cancel()
        woken.cancel()


async def follow(
    session: Host,
    job: RenderJob,
    download_to: str | os.PathLike[str] | None = None,
    progress: ProgressArg = None,
) -> RenderJob:
    """Poll `job` to its end (waits: `poll_waits`, at most `options.max_polls`), download it."""
    polls = 0
    waits = poll_waits(session.options)
    while job.status not in TERMINAL:
        wait = next(waits, None) if polls or job.status == "pending" else 0.0
        if polls >= session.options.max_polls or wait is None:
            session.emit(
                "notice",
                f"Render {job.id} is still running after {polls} checks; "
                "call session.resume() later to fetch it.",
            )
            return job
        if wait:
            await _pause(session, job, wait)
            if job.status in TERMINAL:  # cancelled while we waited
                break
        job.apply(await session.api.render_status(job.id))
        polls += 1
        session.record_job(job)
    if job.status in ("failed", "cancelled"):
        return job
    dest = Path(download_to or ".").expanduser().absolute()
    if dest.is_dir() or not dest.suffix or str(download_to).endswith(("/", os.sep)):
        dest /= f"{job.id}.mp4"  # a folder (existing, or named without an extension)

    def hook(done: int, total: int) -> None:
        session.emit("download", {"id": job.id, "sent": done, "total": total})

    await session.api.download(job.id, dest, url=job.url, progress=progress, hook=hook)
    job.path = str(dest)
    session.record_job(job)
    return job


QUALITIES = ("high", "medium", "low")


async def run_export(
    session: Host,
    draft: dict[str, Any] | pd.DataFrame | None = None,
    quality: str = "high",
    wait: bool = True,
    download_to: str | os.PathLike[str] | None = None,
    progress: ProgressArg = None,
) -> RenderJob:
    """Render the draft (default: the session's), wait, download; a failure is retried once."""
    if quality not in QUALITIES:
        raise NemoError(f"unknown export quality {quality!r}", hint=f"Use one of {QUALITIES}.")
    body = await resolve_draft(session, draft)
    failures: list[str] = []
    for attempt in range(2):
        job = RenderJob(new_job_id(), session_id=session.session_id, _session=session)
        session.jobs.append(job)
        session.record_job(job)  # on disk before the request: a restart must find it
        try:
            job.apply(await session.api.render(job.id, session.session_id, body, quality))
        except NemoError as exc:
            job.status, job.error = "failed", str(exc)
            raise
        finally:
            session.record_job(job)
        if not wait:
            return job
        await follow(session, job, download_to, progress)
        if job.status != "failed":
            return job  # completed, cancelled by the user, or still running (resume later)
        failures.append(job.error or "failed")
        lang = session.language
        then = ui_text("notice.retrying" if attempt == 0 else "notice.giving_up", lang)
        reason = job.error or ui_text("notice.no_reason", lang)
        session.emit(
            "notice", ui_text("notice.render_failed", lang, id=job.id, reason=reason, then=then)
        )
    raise RenderFailed(f"the render failed twice: {' / '.join(failures)}")


async def resume(
    session: Host,
    job: RenderJob | None = None,
    download_to: str | os.PathLike[str] | None = None,
    progress: ProgressArg = None,
) -> RenderJob:
    """Follow a started job (default: the last) to its end and download it."""
    if job is None:
        if not session.jobs:
            raise LookupError("this session has no render jobs")
        job = session.jobs[-1]
    job._session = session
    if job.status == "completed" and job.path and os.path.exists(job.path):
        return job
    if job.status == "completed":
        job.status = "processing"  # downloaded nowhere yet: poll once more for a fresh url
    return await follow(session, job, download_to, progress)
