"""The one-line track summary users are shown, and the words the diff shares with it.

Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%)
3. Title: "Urban Dreams" (0-3s)                     (one line, wrapped here)
"""

from __future__ import annotations

from typing import Any

from . import _read
from ._model import Draft, Segment, Track, fmt_seconds

__all__ = [
    "is_text",
    "quote",
    "segment_name",
    "span",
    "summarize",
    "track_name",
    "volume_text",
]

_PLURALS = {"image": "images", "video": "videos", "title": "titles", "subtitle": "subtitles"}
_MAX_TEXT = 40


def quote(text: str, mark: str = '"') -> str:
    """`text` in quotes, cut to a readable length."""
    text = " ".join(text.split())
    if len(text) > _MAX_TEXT:
        text = text[: _MAX_TEXT - 1] + "…"
    return f"{mark}{text}{mark}"


def track_name(track: Track, index: int) -> str:
    """The track's display name, or one made from its type."""
    if track.name:
        return track.name
    names = {"video": "Video", "audio": "Audio", "text": "Text"}
    return names.get(track.type_label, f"Track {index + 1}")


def is_text(track: Track, seg: Segment) -> bool:
    """Whether a segment is a text (title, subtitle) rather than media."""
    return _read.is_text(seg.raw, track.type)


def segment_name(track: Track, seg: Segment, mark: str = '"') -> str:
    """What to call one segment: its quoted text, its name, or its kind."""
    if is_text(track, seg) and seg.text is not None:
        return quote(seg.text, mark)
    return seg.name or seg.kind or "untitled"


def span(segs: tuple[Segment, ...] | list[Segment]) -> str:
    """'0-10s': from the first start to the last end."""
    first = min((s.start or 0 for s in segs), default=0)
    last = max((s.end for s in segs), default=0)
    return f"{fmt_seconds(first)}-{fmt_seconds(last)}s"


def volume_text(segs: tuple[Segment, ...] | list[Segment]) -> str:
    """'35%', or '35-50%' when the segments differ (absent volume is 100%)."""
    vols = sorted({round(100 * (1.0 if s.volume is None else s.volume)) for s in segs})
    return f"{vols[0]}%" if len(vols) == 1 else f"{vols[0]}-{vols[-1]}%"


def _content(track: Track) -> str:
    segs = track.items
    if len(segs) == 1:
        return segment_name(track, segs[0])
    kinds = {s.kind for s in segs}
    kind = next(iter(kinds)) if len(kinds) == 1 else None
    noun = _PLURALS.get(kind or "", "texts" if track.type == 7 else "clips")
    return f"{len(segs)} {noun}"


def _track_line(track: Track, index: int) -> str:
    name = track_name(track, index)
    if not track.items:
        return f"{index + 1}. {name}: empty"
    details = span(track.items)
    if track.type == 1:
        details += f", {volume_text(track.items)}"
    return f"{index + 1}. {name}: {_content(track)} ({details})"


def summarize(draft: Any) -> str:
    """The draft in one line: `Timeline (3 tracks): 1. Video: … (0-10s) 2. BGM: … (0-10s, 35%)`."""
    model = Draft.of(draft)
    tracks = model.items
    if not tracks:
        return "Timeline (0 tracks): empty"
    noun = "track" if len(tracks) == 1 else "tracks"
    lines = " ".join(_track_line(t, i) for i, t in enumerate(tracks))
    return f"Timeline ({len(tracks)} {noun}): {lines}"
