"""The typed answers of the API, read leniently from either variant of the contract."""

from __future__ import annotations

import contextlib
import dataclasses
import math
from typing import Any

from .. import _display
from ._request import first


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word.title() for word in rest)


def _number(value: Any) -> float | None:
    with contextlib.suppress(TypeError, ValueError):
        number = float(value)
        # a bool is no number, an infinite width no width
        return number if math.isfinite(number) and not isinstance(value, bool) else None
    return None


def _whole(value: Any) -> int | None:  # a bool is no count either
    number = _number(value)
    return None if number is None else int(number)


class _Shown:
    def _repr_html_(self) -> str:  # the notebook's block of the `_display` line that is the repr
        return _display.html_block(repr(self))


@dataclasses.dataclass(frozen=True, repr=False)
class Credits(_Shown):
    """The credit balance: `available` to spend, `frozen` held by running work, `total`."""

    available: int
    frozen: int
    total: int

    __repr__ = _display.credits_line

    @classmethod
    def from_data(cls, data: Any) -> Credits:
        """Read `data.available/frozen/total` (or `balance` for available)."""
        available = _whole(first(data, "available", "balance", "available_credits")) or 0
        frozen = _whole(first(data, "frozen", "frozen_credits")) or 0
        total = _whole(first(data, "total", "total_credits", default=available + frozen)) or 0
        return cls(available, frozen, total)


# the fields read from `data.state`, each with what makes it the field's type, and from `data`
_STATE_FIELDS: dict[str, Any] = {
    "draft": _dict,
    "video_infos": _list,
    "canvas_config": _dict,
    "generated_media": _list,
    "video_analyses": lambda value: value,
}
_TOP_FIELDS = ("session_id", "task_id", "task_name")
_STATE_TOP = {"state", *_TOP_FIELDS, *map(_camel, _TOP_FIELDS)}
_STATE_KEYS = {*_STATE_FIELDS, *map(_camel, _STATE_FIELDS), *_STATE_TOP}


@dataclasses.dataclass(frozen=True, repr=False)
class State(_Shown):
    """The backend's latest state of the session (see docs/draft-format.md); every key this class
    has no field for is kept in `extra` (from `data.state` first, then from `data`)."""

    draft: dict[str, Any]
    video_infos: list[dict[str, Any]]
    canvas_config: dict[str, Any]
    generated_media: list[dict[str, Any]]
    video_analyses: Any = None  # the backend's analysis of the videos (vendor dialect)
    session_id: str = ""
    task_id: str = ""
    task_name: str = ""
    extra: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    __repr__ = _display.state_line

    @classmethod
    def from_data(cls, data: Any) -> State:
        """Read `data.state.*` (or the same fields directly under `data`)."""
        top = _dict(data)
        state = _dict(first(top, "state", default=top))
        extra = {k: v for k, v in state.items() if k not in _STATE_KEYS}
        if state is not top:
            extra |= {k: v for k, v in top.items() if k not in _STATE_TOP and k not in extra}
        fields = {key: read(first(state, key, _camel(key))) for key, read in _STATE_FIELDS.items()}
        for key in _TOP_FIELDS:  # ids stay strings: a 19-digit session id is not a number to round
            fields[key] = str(first(top, key, _camel(key), default=""))
        return cls(**fields, extra=extra)


@dataclasses.dataclass(frozen=True, repr=False)
class Media(_Shown):
    """One uploaded file as the backend knows it (`duration` in seconds; the vendor's `files[]`
    also gives `width`, `height`, `fps` and a content `hash`)."""

    id: str
    name: str
    type: str
    size: int
    url: str | None = None
    duration: float | None = None
    width: int | None = None
    height: int | None = None
    fps: float | None = None
    hash: str | None = None
    sha256: str | None = None  # of the bytes this client sent (None for URL uploads)

    __repr__ = _display.media_line

    @classmethod
    def from_data(cls, item: Any) -> Media:
        """Read one media record (`id`/`media_id`, `name`/`filename`, `type`/`file_type`...)."""
        item = _dict(item)
        url = first(item, "url", "cdn_url", "cdnUrl", "source_url")
        seconds = _number(item.get("duration"))
        ms = _number(first(item, "duration_ms", "durationMs"))  # our own records give ms
        digest = first(item, "hash", "md5", "sha256")
        return cls(
            id=str(first(item, "id", "media_id", "mediaId", "file_id", default="")),
            name=str(first(item, "name", "filename", "file_name", default="")),
            type=str(
                first(item, "type", "file_type", "fileType", "media_type", "kind", default="")
            ),
            size=_whole(first(item, "size", "file_size")) or 0,
            url=url if isinstance(url, str) else None,
            duration=seconds if seconds is not None or ms is None else ms / 1000.0,
            width=_whole(item.get("width")),
            height=_whole(item.get("height")),
            fps=_number(item.get("fps")),
            hash=str(digest) if digest is not None else None,
        )

    @classmethod
    def list_from_data(cls, data: Any) -> list[Media]:
        """Read the media list of an upload answer, whichever key holds it."""
        keys = ("files", "media", "video_infos", "items", "uploaded")
        items = data if isinstance(data, list) else first(data, *keys)
        if items is None and isinstance(data, dict) and first(data, "id", "media_id"):
            items = [data]
        return [cls.from_data(i) for i in _list(items)]


_STATUSES = {
    **dict.fromkeys(("succeeded", "success", "done", "complete"), "completed"),
    **dict.fromkeys(("error", "failure"), "failed"),
    **dict.fromkeys(("canceled", "aborted"), "cancelled"),
}
TERMINAL = ("completed", "failed", "cancelled")


@dataclasses.dataclass(frozen=True)
class RenderStatus:
    """One poll of a render job: status, percent (0-100), output url, error text."""

    id: str
    status: str
    percent: float = 0.0
    url: str | None = None
    error: str | None = None

    @classmethod
    def from_data(cls, job_id: str, data: Any, default: str = "pending") -> RenderStatus:
        """Read a job's answer (its fields at the top or under `data`); `default`: if no status."""
        top = _dict(data)
        inner = _dict(top.get("data"))

        def pick(*keys: str, default: Any = None) -> Any:
            return first(top, *keys, default=first(inner, *keys, default=default))

        status = str(pick("status", "state", default=default)).lower()
        status = _STATUSES.get(status, status)
        raw = pick("percent", "progress", default=100.0 if status == "completed" else 0.0)
        percent = _number(raw) or 0.0
        if 0.0 < percent <= 1.0 and not isinstance(raw, int):
            percent *= 100.0  # a fraction in one variant, a percentage in the other
        url = None
        for where in (top, inner):
            url = url or first(_dict(where.get("output")), "url", "download_url")
            url = url or first(where, "outputUrl", "output_url", "url", "downloadUrl")
        error = pick("error", "message", "errorMessage", "reason")
        if isinstance(error, dict):
            error = first(error, "message", "reason", default=None)
        return cls(
            id=str(pick("id", default=job_id)),
            status=status,
            percent=max(0.0, min(100.0, percent)),
            url=url if isinstance(url, str) else None,
            error=str(error) if error and status in ("failed", "cancelled") else None,
        )
