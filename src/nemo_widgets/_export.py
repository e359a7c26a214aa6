"""Export: check the draft, submit `render_<ms>`, poll, retry once with a new id, download.

Written against the `Session` internals (`_api`, `options`, `_emit`, `_record_job`); the public
entry points are `Session.export` / `aexport` / `resume`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DraftError, NemoError, RenderFailed

if TYPE_CHECKING:
    from ._jobs import RenderJob
    from .api._progress import ProgressArg
    from .session import Session

__all__ = ["check_draft", "follow", "new_job_id", "resolve_draft", "resume", "run_export"]

_last_id = 0


def new_job_id() -> str:
    """`render_<ms>`, never the same twice in one process (a retry needs a new id)."""
    global _last_id
    ms = max(int(time.time() * 1000), _last_id + 1)
    _last_id = ms
    return f"render_{ms}"


def check_draft(draft: Any) -> dict[str, Any]:
    """Raise `DraftError` unless the draft is ready (a track with segments; see `validate`).

    The very dict is returned, unchanged: a cloud draft goes to the render endpoint as it came."""
    from .draft import validate

    if not isinstance(draft, dict):
        raise DraftError(f"a draft is a dict of the compact format, not {type(draft).__name__}")
    validate(draft)  # raises DraftError naming the track and segment
    return draft


async def resolve_draft(session: Session, draft: Any) -> dict[str, Any]:
    """The draft to render: the session's, a given dict, or a DataFrame written back onto it."""
    if draft is None:
        return check_draft((await session.astate()).draft)
    if isinstance(draft, dict):
        return check_draft(draft)
    if type(draft).__name__ == "DataFrame":
        from .draft import frame_to_draft

        base = (await session.astate()).draft
        return check_draft(frame_to_draft(draft, base))
    raise DraftError(f"export(draft=...) takes a dict or a DataFrame, not {type(draft).__name__}")


def _destination(job_id: str, download_to: str | os.PathLike[str] | None) -> Path:
    if download_to is None:
        return Path.cwd() / f"{job_id}.mp4"
    dest = Path(download_to).expanduser().absolute()
    # a folder (existing, or named without an extension) gets `<id>.mp4` inside it
    if dest.is_dir() or not dest.suffix or os.fspath(download_to).endswith(("/", os.sep)):
        return dest / f"{job_id}.mp4"
    return dest


async def follow(
    session: Session,
    job: RenderJob,
    download_to: str | os.PathLike[str] | None = None,
    progress: ProgressArg = None,
) -> RenderJob:
    """Poll `job` until it ends (at most `options.max_polls` polls), then download it."""
    opts = session.options
    polls = 0
    while job.status not in ("completed", "failed"):
        if polls >= opts.max_polls:
            session._emit(
                "notice",
                f"Render {job.id} is still running after {polls} checks; "
                "call session.resume() later to fetch it.",
            )
            return job
        if polls or job.status == "pending":
            await session._sleep(opts.poll_interval)
        status = await session._api.render_status(job.id)
        polls += 1
        job.status, job.percent = status.status, status.percent
        job.url = status.url or job.url
        job.error = status.error
        session._record_job(job)
    if job.status == "failed":
        return job
    dest = _destination(job.id, download_to)

    def hook(done: int, total: int) -> None:
        session._emit("download", {"id": job.id, "sent": done, "total": total})

    await session._api.download(job.id, dest, url=job.url, progress=progress, hook=hook)
    job.path = str(dest)
    session._record_job(job)
    return job


QUALITIES = ("high", "medium", "low")


async def run_export(
    session: Session,
    draft: Any,
    quality: str,
    wait: bool,
    download_to: str | os.PathLike[str] | None,
    progress: ProgressArg,
) -> RenderJob:
    """The whole export; a failed render is retried once with a new id."""
    from ._jobs import RenderJob

    if quality not in QUALITIES:
        raise NemoError(f"unknown export quality {quality!r}", hint=f"Use one of {QUALITIES}.")
    body = await resolve_draft(session, draft)
    failures: list[str] = []
    for attempt in range(2):
        job = RenderJob(id=new_job_id(), session_id=session.session_id)
        job._session = session
        session.jobs.append(job)
        session._record_job(job)  # on disk before the request: a restart must find it
        try:
            submitted = await session._api.render(job.id, session.session_id, body, quality)
        except NemoError as exc:
            job.status, job.error = "failed", str(exc)
            session._record_job(job)
            raise
        job.status = submitted.status
        job.error = submitted.error
        session._record_job(job)
        if not wait:
            return job
        await follow(session, job, download_to, progress)
        if job.status != "failed":
            return job
        failures.append(job.error or "failed")
        then = "retrying once with a new id" if attempt == 0 else "giving up"
        session._emit("notice", f"Render {job.id} failed ({job.error or 'no reason'}): {then}.")
    raise RenderFailed(f"the render failed twice: {' / '.join(failures)}")


async def resume(
    session: Session,
    job: RenderJob | None,
    download_to: str | os.PathLike[str] | None,
    progress: ProgressArg,
) -> RenderJob:
    """Follow a started job (default: the session's last) to its end and download it."""
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
