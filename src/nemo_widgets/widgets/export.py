"""`ExportPanel`: render the draft, follow the job, play the result (from its URL, Colab's proxy,
or streamed through the widget channel in chunks paced under IOPub's rate limit, up to `cap`)."""

from __future__ import annotations

import asyncio
import html
import os
import time
from concurrent.futures import Future
from typing import Any
from urllib.parse import urlsplit

import traitlets

from .. import _loop
from .._display import word
from ..session import QUALITIES, RenderJob, Session
from ._base import STATIC, NemoWidget, list_trait, throttled

__all__ = ["ExportPanel"]

CHUNK = 512 * 1024  # bytes per message: far under the 10 MB websocket cap
RATE = 800_000  # bytes per second, sustained: under jupyter_server's 1 MB/s IOPub limit
CAP = 200 * 1024 * 1024  # larger videos are not pushed through the notebook channel
_LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0"}


class ExportPanel(NemoWidget):
    """Quality, Export (Cancel while rendering), progress, player, download, link, past renders."""

    _esm = STATIC / "export.js"
    _areas = ("export",)
    qualities = traitlets.List(traitlets.Unicode(), list(QUALITIES)).tag(sync=True)
    quality = traitlets.Unicode("high").tag(sync=True)
    job = traitlets.Dict(allow_none=True, default_value=None).tag(sync=True)
    jobs = list_trait()
    video_url = traitlets.Unicode("").tag(sync=True)
    local_port = traitlets.Int(0).tag(sync=True)
    local_path = traitlets.Unicode("").tag(sync=True)
    video_size = traitlets.Int(0).tag(sync=True)
    cap = traitlets.Int(CAP).tag(sync=True)

    def __init__(
        self,
        session: Session | None = None,
        *,
        download_to: str | None = None,
        rate: int = RATE,
        chunk: int = CHUNK,
        cap: int = CAP,
    ) -> None:
        super().__init__(session, cap=cap)
        self.download_to = download_to  # where renders are saved (None: the session's default)
        self.rate, self.chunk = rate, chunk
        self._sleep = asyncio.sleep  # the pacing wait (tests record it instead of waiting)
        self._export: Future[Any] | None = None
        self.jobs = [_job_dict(j) for j in self._session.jobs]
        if self._session.jobs:
            self._show_job(self._session.jobs[-1])
        self._handlers.update(
            export=lambda msg, _b: self.export(str(msg.get("quality") or self.quality)),
            cancel=lambda _m, _b: self.cancel(),
            # The claim link is a credential for the project: handed to the browser, never a trait.
            link=lambda _m, _b: self._link(),
            fetch=self._on_fetch,
            fetch_cancel=self._on_fetch_cancel,
        )
        self._follow("job", self._show_job)

    def export(self, quality: str | None = None) -> Future[Any]:
        """Start an export of the session's draft and return at once (a future of the job)."""
        if self._export is not None and not self._export.done():
            raise self._error("error.export_running", "hint.wait_finish")
        if quality is not None:
            self.quality = quality
        if self.quality not in self.qualities:
            raise self._error(
                "error.unknown_quality",
                "hint.use_one_of",
                quality=repr(self.quality),
                choices=", ".join(self.qualities),
            )
        self.job = {"id": "", "status": "pending", "percent": 0}

        @throttled
        def progress(done: int, total: int) -> None:
            if self.job:
                self.job = {**self.job, "downloaded": done, "size": total}

        async def go() -> dict[str, Any]:
            try:
                job = await self._session.aexport(
                    quality=self.quality, wait=True, download_to=self.download_to, progress=progress
                )
                self._show_job(job)
            except Exception as exc:
                if self.job is not None and self.job.get("status") != "failed":
                    self.job = {**self.job, "status": "failed", "error": str(exc)}
                raise
            return {"job": _job_dict(job)}

        self._export = _loop.submit(go())
        return self._export

    def cancel(self) -> Future[Any]:
        """Stop the running render (`RenderJob.cancel`); returns at once (a future of the job)."""
        return _loop.submit(self._cancel())

    def _job(self, job_id: object) -> RenderJob | None:
        return next((j for j in self._session.jobs if j.id == job_id), None)

    async def _cancel(self) -> dict[str, Any]:
        if (job := self._job((self.job or {}).get("id"))) is None:
            # not submitted yet: stopping the export before its request is all it takes
            if self._export is not None and not self._export.done():
                self._export.cancel()
                self.job = {**(self.job or {}), "status": "cancelled", "error": "cancelled"}
                return {"job": self.job}
            raise self._error("error.no_render", "hint.start_export")
        self._show_job(await job.acancel())
        return {"job": _job_dict(job)}

    async def _link(self) -> dict[str, Any]:
        return {"url": await self._session.alink()}

    def _on_fetch(self, msg: dict[str, Any], _b: list[bytes]) -> Any:
        fid = str(msg.get("fetch") or "")
        job = self._job(msg.get("job"))
        if not fid or job is None or not job.path or not os.path.isfile(job.path):
            raise self._error("error.no_file", "hint.export_again")
        size = os.path.getsize(job.path)
        if size > self.cap:
            raise self._error(
                "error.too_big",
                "hint.open_on_kernel",
                size=f"{size / 2**20:.0f}",
                cap=self.cap // 2**20,
                path=job.path,
            )
        self._running[fid] = fut = _loop.submit(self._stream(fid, job.path, size))
        fut.add_done_callback(lambda _f: self._running.pop(fid, None))
        return fut

    def _on_fetch_cancel(self, msg: dict[str, Any], _b: list[bytes]) -> dict[str, Any]:
        fut = self._running.pop(str(msg.get("fetch")), None)
        if fut is not None:
            fut.cancel()
        return {"cancelled": fut is not None}

    async def _stream(self, fid: str, path: str, size: int) -> dict[str, Any]:
        start, sent, seq = time.monotonic(), 0, 0
        with open(path, "rb") as fh:
            while data := fh.read(min(self.chunk, size - sent)):
                chunk = {"kind": "video_chunk", "fetch": fid, "seq": seq, "offset": sent}
                self._post({**chunk, "total": size}, [data])
                sent, seq = sent + len(data), seq + 1
                # Pace to the rate: IOPub drops what goes faster (jupyter_server's limit).
                await self._sleep(max(0.0, start + sent / self.rate - time.monotonic()))
        return {"total": sent}

    def _show_job(self, job: RenderJob) -> None:
        d = _job_dict(job)
        if self.job and self.job.get("id") == job.id:
            d = {**self.job, **d}  # keep the download progress fields
        with self.hold_sync():
            self.job = d
            self.jobs = [*(j for j in self.jobs if j["id"] != job.id), _job_dict(job)]
            if job.status == "completed" and job.path:
                url = urlsplit(job.url or "")
                web = url.scheme in ("http", "https")
                local = web and url.hostname in _LOCAL_HOSTS
                self.video_size = os.path.getsize(job.path) if os.path.isfile(job.path) else 0
                self.video_url = (job.url or "") if web else ""
                self.local_port = (url.port or {"https": 443}.get(url.scheme, 80)) if local else 0
                self.local_path = url.path + (f"?{url.query}" if url.query else "") if local else ""

    def _fallback(self) -> tuple[str, str]:
        job = self.job
        if not job:
            return self._nothing("export.none")
        where = job.get("path") or job.get("url") or ""
        percent = f"{float(job.get('percent') or 0):.0f}"
        status = word("export.phase", str(job.get("status")), self.lang)
        line = self._t("export.render", id=job["id"], status=status, percent=percent, where=where)
        line = line.strip() + (f" — {job['error']}" if job.get("error") else "")
        return line, f"<p>{html.escape(line)}</p>"


def _job_dict(job: RenderJob) -> dict[str, Any]:
    return {k: getattr(job, k) for k in ("id", "status", "percent", "url", "path", "error")}
