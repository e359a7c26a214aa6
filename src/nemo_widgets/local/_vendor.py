"""The vendor dialect of the offline backend: the answers shaped as
the vendor's own documents show them. The ADK dialect's answers are built by the route modules;
these functions only re-shape them, so both dialects share every rule.

- render submit / status / cancel: `{"success": true, "data": {"id", "status", "progress",
  "outputUrl", "createdAt", "completedAt", "error"}}` (ms epochs); their errors
  `{"success": false, "error", "code"}`;
- upload: `data.files[]` of `{filename, file_type, cdn_url, duration (s), width, height, fps,
  hash}` and `data.session_state_applied: true`;
- anonymous token: `data.expires_at` as ISO-8601; session ids: 19-digit numeric strings; the
  session and state answers carry `user_id`, the state `task_name` and `video_analyses`.
"""

from __future__ import annotations

import datetime
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from ._common import ApiError, Backend

__all__ = [
    "is_vendor",
    "iso_time",
    "numeric_id",
    "render_answer",
    "render_error",
    "speaks_success_envelope",
    "upload_files",
]

RENDER_PREFIX = "/api/render/proxy/"


def is_vendor(nemo: Backend) -> bool:
    """Whether this server speaks the vendor dialect."""
    return nemo.options.dialect == "vendor"


def speaks_success_envelope(nemo: Backend, request: Request) -> bool:
    """The render routes of the vendor dialect answer `{success, data}` / `{success, error}`."""
    return is_vendor(nemo) and request.url.path.startswith(RENDER_PREFIX)


def numeric_id() -> str:
    """A 19-digit numeric string, like the vendor's session ids (`"5529798706024415232"`)."""
    return str(10**18 + secrets.randbelow(9 * 10**18))


def iso_time(epoch: float) -> str:
    """`2026-03-18T00:00:00Z` for an epoch in seconds."""
    when = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ms(epoch: Any) -> int | None:
    return int(epoch * 1000) if isinstance(epoch, (int, float)) else None


def render_answer(view: dict[str, Any]) -> JSONResponse:
    """A render job (the ADK-dialect view) as `{"success": true, "data": …}`."""
    data: dict[str, Any] = {
        "id": view["id"],
        "status": view["status"],
        "progress": view.get("progress", 0),
        "outputUrl": view.get("output", {}).get("url"),
        "createdAt": _ms(view.get("created_at")),
        "completedAt": _ms(view.get("finished_at")) if view["status"] == "completed" else None,
    }
    if view.get("error"):
        data["error"] = view["error"]
    return JSONResponse({"success": True, "data": data})


def render_error(exc: ApiError) -> JSONResponse:
    """An error of a render route as `{"success": false, "error": …}` (the code kept beside it,
    so that an expired token still reads as 1001)."""
    headers = {"Retry-After": "30"} if exc.status == 429 else None
    body = {"success": False, "error": exc.message, "code": exc.code}
    return JSONResponse(body, status_code=exc.status, headers=headers)


def upload_files(infos: list[dict[str, Any]], hashes: list[str]) -> dict[str, Any]:
    """The upload answer's `data`: one `files[]` entry per accepted file."""
    files = []
    for info, digest in zip(infos, hashes, strict=True):
        ms = info.get("duration_ms")
        files.append(
            {
                "filename": info["name"],
                "file_type": info["type"],
                "cdn_url": info["url"],
                "duration": ms / 1000.0 if isinstance(ms, (int, float)) else None,
                "width": info.get("width"),
                "height": info.get("height"),
                "fps": info.get("fps"),
                "hash": digest,
            }
        )
    return {"files": files, "session_state_applied": True}
