"""The typed answers of the API, read leniently from either variant of the contract."""

from __future__ import annotations

import dataclasses
from typing import Any

from ._request import first

__all__ = ["Credits", "Media", "RenderStatus", "State"]


def _int(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


@dataclasses.dataclass(frozen=True)
class Credits:
    """The credit balance: `available` to spend, `frozen` held by running work, `total`."""

    available: int
    frozen: int
    total: int

    @classmethod
    def from_data(cls, data: Any) -> Credits:
        """Read `data.available/frozen/total` (or `balance` for available)."""
        available = _int(first(data, "available", "balance", "available_credits", default=0))
        frozen = _int(first(data, "frozen", "frozen_credits", default=0))
        total = _int(first(data, "total", "total_credits", default=available + frozen))
        return cls(available, frozen, total)


@dataclasses.dataclass(frozen=True)
class State:
    """The backend's latest state of the session (see docs/draft-format.md)."""

    draft: dict[str, Any]
    video_infos: list[dict[str, Any]]
    canvas_config: dict[str, Any]
    generated_media: list[dict[str, Any]]

    @classmethod
    def from_data(cls, data: Any) -> State:
        """Read `data.state.*` (or the same fields directly under `data`)."""
        state = _dict(first(data, "state", default=data))
        return cls(
            draft=_dict(state.get("draft")),
            video_infos=_list(first(state, "video_infos", "videoInfos")),
            canvas_config=_dict(first(state, "canvas_config", "canvasConfig")),
            generated_media=_list(first(state, "generated_media", "generatedMedia")),
        )


@dataclasses.dataclass(frozen=True)
class Media:
    """One uploaded file as the backend knows it."""

    id: str
    name: str
    type: str
    size: int
    url: str | None = None
    sha256: str | None = None  # of the bytes this client sent (None for URL uploads)

    @classmethod
    def from_data(cls, item: Any) -> Media:
        """Read one media record (`id`/`media_id`, `name`/`filename`, ...)."""
        item = _dict(item)
        return cls(
            id=str(first(item, "id", "media_id", "mediaId", "file_id", default="")),
            name=str(first(item, "name", "filename", "file_name", default="")),
            type=str(first(item, "type", "media_type", "kind", default="")),
            size=_int(first(item, "size", "file_size", default=0)),
            url=first(item, "url", "source_url"),
        )

    @classmethod
    def list_from_data(cls, data: Any) -> list[Media]:
        """Read the media list of an upload answer, whichever key holds it."""
        items = data if isinstance(data, list) else None
        if items is None:
            items = first(data, "files", "media", "video_infos", "items", "uploaded")
        if items is None and isinstance(data, dict) and first(data, "id", "media_id"):
            items = [data]
        return [cls.from_data(i) for i in _list(items)]


@dataclasses.dataclass(frozen=True)
class RenderStatus:
    """One poll of a render job: status, percent (0-100), output url, error text."""

    id: str
    status: str
    percent: float = 0.0
    url: str | None = None
    error: str | None = None

    @classmethod
    def from_data(cls, job_id: str, data: Any) -> RenderStatus:
        """Read a top-level `status` (bare variant) or the envelope's `data.status`."""
        data = _dict(data)
        output = _dict(data.get("output"))
        status = str(first(data, "status", "state", default="pending")).lower()
        if status in ("succeeded", "success", "done", "complete"):
            status = "completed"
        elif status in ("error", "failure"):
            status = "failed"
        raw = first(data, "percent", "progress", default=100.0 if status == "completed" else 0.0)
        try:
            percent = float(raw)
        except (TypeError, ValueError):
            percent = 0.0
        if 0.0 < percent <= 1.0 and not isinstance(raw, int):
            percent *= 100.0  # a fraction in one variant, a percentage in the other
        url = first(output, "url", "download_url") or first(data, "url", "output_url")
        error = first(data, "error", "message", "errorMessage")
        return cls(
            id=str(first(data, "id", default=job_id)),
            status=status,
            percent=max(0.0, min(100.0, percent)),
            url=url if isinstance(url, str) else None,
            error=str(error) if error and status == "failed" else None,
        )
