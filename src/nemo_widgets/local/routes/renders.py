"""Render jobs: `POST /api/render/proxy/lambda` validates the draft and queues a job; one job runs
at a time per session (others wait, FIFO), at most `render_concurrency` in the whole server, each
in a worker thread (`render.render_draft`). Status: `pending → processing → completed | failed`
with an integer `percent` (0-100), or `cancelled` by `POST …/lambda/<id>/cancel` (which kills the
job's ffmpeg and removes its partial file before it answers); downloads (`output.url` or
`/api/render/proxy/<id>/download`) support HTTP Range. The vendor dialect re-shapes the answers
(`vendor.render_answer`).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from .._common import ApiError, Backend, attribution_ok, base_url, json_body, ok
from ..render import check as render_check
from ..render import render_draft
from ..store import new_id
from . import chat as _chat
from . import vendor as _vendor

CANCELLED = "cancelled by the user"

_FIELDS = {"id", "sessionId", "session_id", "draft", "output"}


def validate(draft: Any, known: set[str]) -> str | None:
    """Why `draft` cannot be rendered (None if it can): docs/draft-format.md's validity rules."""
    if not isinstance(draft, dict):
        return "the draft must be a JSON object"
    tracks = draft.get("t")
    if not isinstance(tracks, list) or not any(isinstance(t, dict) and t.get("sg") for t in tracks):
        return "the draft has no track with segments: nothing to render"
    ends = []
    for ti, t in enumerate(tracks):
        if not isinstance(t, dict) or not isinstance(t.get("sg", []), list):
            return f"track {ti + 1} is not an object with a segment list"
        prev_end, prev_id = None, None
        for s in sorted(
            t.get("sg") or [],
            key=lambda s: (
                s.get("st", 0)
                if isinstance(s, dict) and isinstance(s.get("st", 0), (int, float))
                else 0
            ),
        ):
            if not isinstance(s, dict):
                return f"track {ti + 1}: a segment is not an object"
            sid = s.get("id", "?")
            st, d = s.get("st"), s.get("d")
            if not isinstance(st, (int, float)) or not isinstance(d, (int, float)):
                return f"segment {sid}: st and d must be numbers (ms)"
            if st < 0 or d < 0:
                return f"segment {sid}: negative time (st={st}, d={d})"
            if prev_end is not None and st < prev_end:
                return f"segments {prev_id} and {sid} overlap in track {ti + 1}"
            src = s.get("src")
            if s.get("k") in ("image", "video", "audio") and src not in known:
                return f"segment {sid}: unknown media {src!r}"
            prev_end, prev_id = st + d, sid
            ends.append(st + d)
    total = draft.get("d")
    if total is not None:
        if not isinstance(total, (int, float)) or total <= 0:
            return "the draft's d must be a positive number of ms"
        late = [e for e in ends if e > total]
        if late:
            return f"a segment ends at {max(late)} ms, after the draft's d={total}"
    m = draft.get("m", {})
    if not isinstance(m, dict) or any(
        not isinstance(m.get(k, 1), int) or not 0 < m.get(k, 1) <= 4096 for k in ("w", "h")
    ):
        return "m.w and m.h must be integers in 1..4096"
    return None


class Renders:
    """The render queue of one server."""

    def __init__(self, nemo: Backend):
        self.nemo = nemo
        self.sem = asyncio.Semaphore(max(1, nemo.options.render_concurrency))
        self.locks: dict[str, asyncio.Lock] = {}
        self.tasks: set[asyncio.Task[None]] = set()
        self.running: dict[str, asyncio.Task[None]] = {}  # job id → its task (queued or running)
        self.cancelled: set[str] = set()  # ids being cancelled by a user, not by a shutdown

    def start(self, job: dict[str, Any]) -> None:
        """Queue a job."""
        task = asyncio.create_task(self._run(job))
        self.tasks.add(task)
        self.running[job["id"]] = task
        task.add_done_callback(self.tasks.discard)
        task.add_done_callback(lambda _t: self.running.pop(job["id"], None))

    async def cancel(self, job: dict[str, Any]) -> None:
        """Stop a queued or running job; returns once its ffmpeg is gone and its status saved."""
        task = self.running.get(job["id"])
        if task is not None and not task.done():
            self.cancelled.add(job["id"])
            task.cancel()
            await asyncio.wait({task})
            self.cancelled.discard(job["id"])
        if job["status"] in ("pending", "processing"):  # no task (never started): mark it here
            self._mark_cancelled(job)

    def _mark_cancelled(self, job: dict[str, Any]) -> None:
        self.cancelled.discard(job["id"])
        job.update(status="cancelled", error=CANCELLED, finished_at=time.time())
        self.nemo.store.save_render(job)

    def resume(self) -> None:
        """Re-queue the jobs a previous run of the server left unfinished."""
        for part in (self.nemo.store.root / "renders").glob(".*.part.mp4"):
            part.unlink(missing_ok=True)  # an attempt that did not finish
        for job in sorted(self.nemo.store.renders.values(), key=lambda j: j.get("created_at", 0)):
            if job["status"] in ("pending", "processing"):
                job.update(status="pending", percent=0)
                self.nemo.store.save_render(job)
                self.start(job)

    async def aclose(self) -> None:
        """Cancel running jobs (they resume on the next start)."""
        for t in list(self.tasks):
            t.cancel()
        if self.tasks:
            await asyncio.gather(*self.tasks, return_exceptions=True)

    async def _run(self, job: dict[str, Any]) -> None:
        try:
            await self._attempt(job)
        except asyncio.CancelledError:
            if job["id"] not in self.cancelled:
                raise  # the server is stopping: the job stays "processing", resumed later
            self._mark_cancelled(job)

    async def _attempt(self, job: dict[str, Any]) -> None:
        store, faults = self.nemo.store, self.nemo.faults
        lock = self.locks.setdefault(job["session_id"], asyncio.Lock())
        async with lock, self.sem:
            job.update(status="processing", percent=0, started_at=time.time())
            store.save_render(job)
            out = store.render_path(job["id"])
            # a fresh temp name per attempt: an older attempt's ffmpeg never shares the file
            tmp = out.with_name(f".{out.stem}.{new_id('', 4)}.part.mp4")
            try:
                if faults.take_render_failure():
                    raise RuntimeError("render failed (injected fault)")
                await self._render(job, tmp)
                tmp.replace(out)
                job.update(status="completed", percent=100, size=out.stat().st_size)
            except asyncio.CancelledError:  # cancelled or stopping: no partial file is left
                tmp.unlink(missing_ok=True)
                raise
            except Exception as e:
                tmp.unlink(missing_ok=True)
                job.update(status="failed", error=f"{type(e).__name__}: {e}"[:500])
            job["finished_at"] = time.time()
            store.save_render(job)

    async def _render(self, job: dict[str, Any], tmp: Path) -> None:
        """`render_draft` in a worker thread; a cancelled job stops its ffmpeg before returning."""
        store = self.nemo.store
        s = store.session(job["session_id"]) or {}
        files = dict(s.get("media_files", {}))
        cancel = threading.Event()

        def resolve(src: str) -> Path:
            return store.root / files[src]

        def progress(p: float) -> None:
            if cancel.is_set():  # raising here makes the renderer kill its ffmpeg
                raise _Cancelled("render cancelled")
            job["percent"] = int(max(0.0, min(1.0, p)) * 100)  # int: never a fraction

        loop = asyncio.get_running_loop()
        fut = loop.run_in_executor(None, render_draft, job["draft"], resolve, tmp, progress)
        try:
            await asyncio.shield(fut)
        except asyncio.CancelledError:
            cancel.set()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(asyncio.shield(fut), 30)  # ffmpeg reports twice a second
            raise


class _Cancelled(Exception):
    """Raised inside the render thread to stop it."""


def _view(job: dict[str, Any], request: Request) -> dict[str, Any]:
    out: dict[str, Any] = {"format": "mp4", "quality": job.get("quality", "high")}
    if job["status"] == "completed":
        out["url"] = f"{base_url(request)}/api/render/proxy/{job['id']}/download?key={job['key']}"
        out["size"] = job.get("size")
    view = {
        "id": job["id"],
        "status": job["status"],
        "percent": job.get("percent", 0),
        "progress": job.get("percent", 0),
        "sessionId": job["session_id"],
        "output": out,
    }
    for k in ("created_at", "started_at", "finished_at", "error"):
        if job.get(k) is not None:
            view[k] = job[k]
    return view


def _regenerable(draft: Any, known: set[str]) -> list[dict[str, Any]]:
    """The generated music a draft names that this session lacks: the agent's music is a pure
    function of its length, so any session can make it again (as the cloud keeps it on its CDN)."""
    wanted: dict[str, dict[str, Any]] = {}
    tracks = draft.get("t") if isinstance(draft, dict) else None
    for t in tracks if isinstance(tracks, list) else []:
        for seg in (t.get("sg") or []) if isinstance(t, dict) else []:
            src = seg.get("src") if isinstance(seg, dict) else None
            if not isinstance(src, str) or not src.startswith("gen_bgm_") or src in known:
                continue
            ends = [seg.get("d"), seg.get("in", 0)]
            ms = sum(v for v in ends if isinstance(v, (int, float)))
            g = wanted.setdefault(src, {"id": src, "name": seg.get("nm") or src})
            g["duration_ms"] = max(int(ms), g.get("duration_ms", 0))
    return list(wanted.values())


async def submit(request: Request) -> Response:
    """POST /api/render/proxy/lambda: queue a render of the given draft."""
    nemo: Backend = request.app.state.nemo
    rec = nemo.auth(request)
    if not attribution_ok(request):
        raise ApiError(402, 402, "export blocked: attribution headers missing (free plan)")
    body = await json_body(request, _FIELDS, {"draft"})
    sid = body.get("sessionId", body.get("session_id"))
    if not isinstance(sid, str):
        raise ApiError(422, 4000, "missing field: sessionId")
    s = nemo.session_of(rec, sid)
    job_id = body.get("id") or f"render_{int(time.time() * 1000)}"
    if not isinstance(job_id, str) or not job_id.replace("_", "").replace("-", "").isalnum():
        raise ApiError(422, 4000, "id must be letters, digits, '_' or '-'")
    old = nemo.store.renders.get(job_id)
    if old is not None:
        if old["session_id"] != sid:
            raise ApiError(409, 4000, "this render id belongs to another session")
        return _answer(nemo, old, request)
    output = body.get("output") or {}
    if not isinstance(output, dict) or output.get("format", "mp4") != "mp4":
        raise ApiError(422, 4000, "output.format must be mp4")
    # a replayed draft may name music another session made
    for g in _regenerable(body["draft"], set(s.get("media_files", {}))):
        await _chat.generate_music(nemo, s, g)
    known = set(s.get("media_files", {}))
    why = validate(body["draft"], known)
    if why:
        raise ApiError(400, 4003, f"invalid draft: {why}")
    # A render bound to fail (no font for its Chinese text, a bad colour) is refused now rather
    # than failed later, which clients would retry.
    doomed = render_check(body["draft"])
    if doomed:
        raise ApiError(422, 4003, f"cannot render this draft: {doomed}")
    job = {
        "id": job_id,
        "session_id": sid,
        "draft": body["draft"],
        "status": "pending",
        "percent": 0,
        "quality": output.get("quality", "high"),
        "key": new_id("", 12),
        "created_at": time.time(),
    }
    nemo.store.save_render(job)
    nemo.renders.start(job)
    return _answer(nemo, job, request)


def _job(nemo: Backend, request: Request) -> dict[str, Any]:
    job = nemo.store.renders.get(request.path_params["job_id"])
    if job is None:
        raise ApiError(404, 4005, "render job not found")
    return job


async def status(request: Request) -> Response:
    """GET /api/render/proxy/lambda/<id>: the job, with `status` also at the top level."""
    nemo: Backend = request.app.state.nemo
    rec = nemo.auth(request)
    job = _job(nemo, request)
    nemo.session_of(rec, job["session_id"])
    return _answer(nemo, job, request)


async def cancel(request: Request) -> Response:
    """POST /api/render/proxy/lambda/<id>/cancel: stop the job (one that ended stays as it is)."""
    nemo: Backend = request.app.state.nemo
    rec = nemo.auth(request)
    job = _job(nemo, request)
    nemo.session_of(rec, job["session_id"])
    if job["status"] in ("pending", "processing"):
        await nemo.renders.cancel(job)
    return _answer(nemo, job, request)


def _answer(nemo: Backend, job: dict[str, Any], request: Request) -> Response:
    view = _view(job, request)
    if _vendor.is_vendor(nemo):
        return _vendor.render_answer(view)
    return ok(view, **view)


async def download(request: Request) -> Response:
    """GET /api/render/proxy/<id>/download: the MP4 (bearer or the job's `key`; Range works)."""
    nemo: Backend = request.app.state.nemo
    job = _job(nemo, request)
    if request.query_params.get("key") != job["key"]:
        nemo.session_of(nemo.auth(request), job["session_id"])
    path = nemo.store.render_path(job["id"])
    if job["status"] != "completed" or not path.is_file():
        raise ApiError(409, 4005, f"render job is {job['status']}, not completed")
    return FileResponse(
        path,
        media_type="video/mp4",
        filename=f"{job['id']}.mp4",
        content_disposition_type="inline",
        headers={"Access-Control-Allow-Origin": "*"},  # a page on another port may play it
    )
