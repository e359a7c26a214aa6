"""The one-line track summary users are shown, and the words the diff shares with it."""

from __future__ import annotations

from typing import Any

from .._text import ui_text
from ._model import Draft, Segment, Track, fmt_seconds

_PLURALS = {"image": "images", "video": "videos", "title": "titles", "subtitle": "subtitles"}
_MAX_TEXT = 40


def quote(text: str, mark: str = '"') -> str:
    text = " ".join(text.split())
    if len(text) > _MAX_TEXT:
        text = text[: _MAX_TEXT - 1] + "…"
    return f"{mark}{text}{mark}"


def track_name(track: Track, index: int, language: str | None = "en") -> str:
    """The track's display name, or one made from its type (in `language`)."""
    if track.name:
        return track.name
    if track.type_label in ("video", "audio", "text"):
        return ui_text(f"summary.{track.type_label}", language)
    return ui_text("timeline.track", language, n=index + 1)


def segment_name(seg: Segment, mark: str = '"', language: str | None = "en") -> str:
    if seg.text is not None:  # a segment with a text is a text segment
        return quote(seg.text, mark)
    return seg.name or seg.kind or ui_text("summary.untitled", language)


def span(segs: tuple[Segment, ...] | list[Segment]) -> str:
    """'0-10s': from the first start to the last end."""
    first = min((s.start or 0 for s in segs), default=0)
    last = max((s.end for s in segs), default=0)
    return f"{fmt_seconds(first)}-{fmt_seconds(last)}s"


def percent(volume: float | None) -> int:
    return round(100 * (1.0 if volume is None else volume))


def _track_line(track: Track, index: int, language: str) -> str:
    name = track_name(track, index, language)
    segs = track.items
    if not segs:
        return ui_text("summary.track_empty", language, i=index + 1, name=name)
    details = span(segs)
    if track.type == 1:  # '35%', or '35-50%' when the segments differ
        vols = sorted({percent(s.volume) for s in segs})
        details += f", {vols[0]}%" if len(vols) == 1 else f", {vols[0]}-{vols[-1]}%"
    if len(segs) == 1:
        what = segment_name(segs[0], language=language)
    else:
        kind = segs[0].kind if len({s.kind for s in segs}) == 1 else None
        noun = _PLURALS.get(kind or "", "texts" if track.type == 7 else "clips")
        what = ui_text(f"summary.n_{noun}", language, n=len(segs))
    return ui_text("summary.track", language, i=index + 1, name=name, what=what, details=details)


def summarize(draft: Any, language: str = "en") -> str:
    """The draft in one line: `Timeline (3 tracks): 1. Video: … (0-10s) 2. BGM: … (0-10s, 35%)`;
    in Chinese for `language="zh"` (and `zh-CN`…): `时间线（3 条轨道）：1. 视频：…`."""
    tracks = Draft.of(draft).items
    if not tracks:
        return ui_text("summary.none", language)
    key = "summary.one" if len(tracks) == 1 else "summary.many"
    lines = " ".join(_track_line(t, i, language) for i, t in enumerate(tracks))
    return ui_text(key, language, n=len(tracks), lines=lines)
