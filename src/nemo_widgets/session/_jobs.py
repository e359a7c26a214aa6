"""Render jobs, and the sessions and jobs recorded in one JSON file (never a token) so that a
restarted kernel re-attaches to them: leaving before a render completes would orphan the job."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import html
import json
import time
from collections.abc import Iterator
from os import PathLike
from pathlib import Path
from typing import Any

from ..api._auth import config_dir, read_json, write_atomic
from ..api._models import TERMINAL, RenderStatus
from ._host import twins

KEEP_SESSIONS = 50  # records kept per file (oldest dropped first)
KEEP_JOBS = 20  # jobs kept per session
KEEP_HISTORY = 200  # chat entries kept per session (the newest)
KEEP_TEXT = 20_000  # characters kept of one entry's text


@dataclasses.dataclass
class RenderJob:
    """An export: `pending → processing → completed | failed | cancelled`, downloaded to `path`."""

    id: str
    status: str = "pending"
    percent: float = 0.0
    url: str | None = None
    path: str | None = None
    error: str | None = None
    session_id: str = ""
    created: float = dataclasses.field(default_factory=time.time)
    # the live session that follows this job (None when read back from disk without one)
    _session: Any = dataclasses.field(default=None, repr=False, compare=False)
    # set by cancel(): wakes a follow() that waits between polls (binds to a loop on first wait)
    _wake: asyncio.Event = dataclasses.field(
        default_factory=asyncio.Event, repr=False, compare=False
    )

    @property
    def done(self) -> bool:
        """True once completed and downloaded, failed or cancelled."""
        return self.status in TERMINAL and (self.status != "completed" or self.path is not None)

    async def _cancel(self) -> RenderJob:
        """Stop this render on the backend (`status` becomes `cancelled`); an ended job stays."""
        if self._session is None:
            raise RuntimeError("this job belongs to no live session")
        if self.status in TERMINAL:
            return self
        self.apply(await self._session.api.cancel_render(self.id))
        if self.status == "cancelled":
            self.error = self.error or "cancelled by the user"
        self._session.record_job(self)
        self._wake.set()  # a follow() waiting between polls stops now
        return self

    cancel, acancel = twins(_cancel, "cancel")

    def apply(self, status: RenderStatus) -> None:
        """Take in what the backend says of this job."""
        self.status, self.percent = status.status, status.percent
        self.url = status.url or self.url
        self.error = status.error

    def wait(
        self, download_to: str | PathLike[str] | None = None, progress: Any = None
    ) -> RenderJob:
        """Poll this job to its end and download it (after a restart too: see `Session.jobs`)."""
        if self._session is None:
            raise RuntimeError("this job belongs to no live session")
        return self._session.resume(self, download_to=download_to, progress=progress)

    def _repr_html_(self) -> str:
        # `job` as the last line of a cell: the status, and a player once the video exists. The
        # URL is the backend's download link (never carries the token); a browser that cannot
        # reach it (Colab, remote hubs) gets the ExportPanel widget's proxied/chunked player.
        line = f"<b>{html.escape(self.id)}</b> · {html.escape(self.status)}"
        if self.status in ("pending", "processing"):
            line += f" · {self.percent:.0f}%"
        if self.error:
            line += f" · {html.escape(self.error)}"
        if self.path:
            line += f" · <code>{html.escape(self.path)}</code>"
        if self.status == "completed" and self.url and self.url.startswith(("http://", "https://")):
            src = html.escape(self.url, quote=True)
            line += f'<br><video src="{src}" controls preload="metadata" style="max-height:360px">'
            line += "</video>"
        return f'<div class="nemo-job">{line}</div>'

    def to_record(self) -> dict[str, Any]:
        """The JSON-able record kept on disk (not `asdict`: it would deep-copy the session)."""
        return {k: getattr(self, k) for k in _RECORD_FIELDS}

    @classmethod
    def from_record(cls, rec: dict[str, Any], session: Any = None) -> RenderJob:
        return cls(**{k: v for k, v in rec.items() if k in _RECORD_FIELDS}, _session=session)


_RECORD_FIELDS = [f.name for f in dataclasses.fields(RenderJob) if not f.name.startswith("_")]


@dataclasses.dataclass
class RecordedSession:
    """What is needed to re-attach: the ids and the jobs (as plain dicts)."""

    session_id: str
    task_id: str
    jobs: list[dict[str, Any]]
    # the chat transcript: role, text, route (+ stopped/error); never media bytes nor secrets
    history: list[dict[str, Any]]


def history_record(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The part of a chat history kept on disk: plain fields, bounded sizes."""
    return [
        {"text": h["text"][:KEEP_TEXT]}
        | {k: h[k][:40] for k in ("role", "route") if isinstance(h.get(k), str)}
        | {k: True for k in ("stopped", "error") if h.get(k) is True}
        for h in history[-KEEP_HISTORY:]
        if isinstance(h, dict) and isinstance(h.get("text"), str)
    ]


class JobBook:
    """Reads and writes the record file."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "jobs.json"  # honours HOME / XDG_CONFIG_HOME

    def load(self, key: str) -> RecordedSession | None:
        rec = read_json(self.path).get(key)
        if not isinstance(rec, dict) or not rec.get("session_id"):
            return None
        return RecordedSession(
            session_id=str(rec["session_id"]),
            task_id=str(rec.get("task_id", "")),
            jobs=[j for j in rec.get("jobs", []) if isinstance(j, dict) and j.get("id")],
            history=history_record(rec.get("history") or []),
        )

    @contextlib.contextmanager
    def _update(self) -> Iterator[dict[str, Any]]:
        """The file's content to change in place, written back under a lock (kernels race)."""
        # on Windows, without fcntl, the last writer wins; the atomic write keeps the file valid
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a+") as lock:
            with contextlib.suppress(ImportError):
                import fcntl

                fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
            data = read_json(self.path)
            yield data
            write_atomic(self.path, json.dumps(data, ensure_ascii=False, indent=1))

    def save_session(self, key: str, session_id: str, task_id: str, language: str) -> None:
        """Record (or replace) the session for `key`; a new session starts with no jobs."""
        with self._update() as data:
            old = data.get(key)
            old = old if isinstance(old, dict) and old.get("session_id") == session_id else {}
            data[key] = {
                "session_id": session_id,
                "task_id": task_id,
                "language": language,
                "jobs": old.get("jobs", []),
                "history": old.get("history", []),
                "updated": time.time(),
            }
            by_age = sorted(data, key=lambda k: _updated(data[k]))
            for stale in by_age[:-KEEP_SESSIONS]:
                del data[stale]

    def save_history(self, key: str, session_id: str, history: list[dict[str, Any]]) -> None:
        """Replace the chat history of the session recorded under `key` (if it is that one)."""
        with self._update() as data:
            rec = data.get(key)
            if isinstance(rec, dict) and rec.get("session_id") == session_id:
                rec.update(history=history_record(history), updated=time.time())

    def save_job(self, key: str, job: dict[str, Any]) -> None:
        """Insert or update one job of the session recorded under `key`."""
        with self._update() as data:
            rec = data.get(key)
            if isinstance(rec, dict):
                jobs = {j.get("id"): j for j in rec.get("jobs", [])}
                jobs[job["id"]] = job  # an update keeps its place
                rec.update(jobs=list(jobs.values())[-KEEP_JOBS:], updated=time.time())


def _updated(rec: Any) -> float:
    return float(rec.get("updated", 0)) if isinstance(rec, dict) else 0.0
