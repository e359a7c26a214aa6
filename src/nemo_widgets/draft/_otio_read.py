"""An edited OTIO timeline back onto the draft it came from (matching: docs/draft-format.md).
What cannot be mapped is reported with one `OtioWarning`, never raised.
"""

from __future__ import annotations

import copy
import math
import os
import re
import warnings
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DraftError
from . import _read
from ._model import next_duration, whole_ms
from ._otio import (
    OtioWarning,
    Unmapped,
    as_draft,
    deep,
    draft_fps,
    frames,
    listed,
    load,
    placed,
    track_label,
)
from ._otio_files import adapter_for, editor_rate, require


def read_timeline(path: str | os.PathLike[str], fps: float | None = None) -> Any:
    """Read a timeline file with OpenTimelineIO's adapter for its suffix (EDLs at `fps`)."""
    adapter = adapter_for(path)
    otio = require(adapter)
    options = {"rate": editor_rate(adapter, fps or 30.0)} if adapter == "cmx_3600" else {}
    try:
        if adapter == "fcpx_xml":
            text = _nudged(Path(path).read_text(encoding="utf-8"))
            return otio.adapters.read_from_string(text, adapter_name=adapter)
        return otio.adapters.read_from_file(str(path), adapter_name=adapter, **options)
    except otio.exceptions.OTIOError as exc:
        raise DraftError(f"{Path(path).name} cannot be read as a timeline: {exc}") from exc


_RATIONAL = re.compile(r'(?<!frameDuration=)"(\d+)/(\d+)s"')  # times, not the frame length


def _nudged(fcpxml: str) -> str:
    """FCP X times a millionth of a frame later: the adapter truncates `N/Ds × fps` to an int,
    so 29/25 s at 25 fps (28.999… in floats) would read as 28 frames."""
    return _RATIONAL.sub(lambda m: f'"{int(m[1]) * 10**6 + 1}/{int(m[2]) * 10**6}s"', fcpxml)


def _ms(value: float, rate: float) -> int:
    return math.floor(value * 1000 / rate + 0.5)


def _same(value: float, ms: float, rate: float) -> bool:
    return abs(value - frames(ms, rate)) < 1e-6


def _base_from_metadata(timeline: Any) -> dict[str, Any]:
    """The draft the timeline was written from, rebuilt from its `nemo` metadata."""
    top = timeline.metadata.get("nemo")
    if top is None:
        raise DraftError("this timeline has no nemo metadata: pass the draft it came from, base=")
    draft = deep(top)
    tracks: dict[int, dict[str, Any]] = {}
    segs: dict[int, dict[int, Any]] = {}
    for otrack in timeline.tracks:
        t = otrack.metadata.get("nemo_ref")
        if isinstance(t, int) and t not in tracks:
            tracks[t] = {**deep(otrack.metadata.get("nemo", {})), "sg": []}
        for clip in otrack.find_clips():
            ref = deep(clip.metadata.get("nemo_ref", []))
            if len(ref) == 2 and "nemo" in clip.metadata:
                segs.setdefault(ref[0], {})[ref[1]] = deep(clip.metadata["nemo"])
    for t, track in tracks.items():
        track["sg"] = [segs.get(t, {})[j] for j in sorted(segs.get(t, {}))]
    draft["t"] = [tracks[t] for t in sorted(tracks)]
    return draft


class _Reader:
    def __init__(self, base: dict[str, Any]) -> None:
        self.base = base
        self.tracks: list[Any] = listed(base.get("t"))
        self.placed: dict[tuple[int, int], tuple] = {}
        self.by_id: dict[Any, list[tuple[int, int]]] = {}
        for t, track in enumerate(self.tracks):
            if not isinstance(track, Mapping):
                continue
            for item in placed(track)[0]:
                self.placed[(t, item[2])] = item
                if item[3].id is not None:
                    self.by_id.setdefault(item[3].id, []).append((t, item[2]))
        self.taken: dict[tuple[int, int], Any] = {}
        self.matches: dict[int, list[int]] = {}  # timeline track -> the draft tracks it took from
        self.lost: list[Unmapped] = []

    def take(self, key: tuple[int, int], k: int, clip: Any, span: Any) -> None:
        """The clip at `span` on timeline track `k` is the segment `key`."""
        self.taken[key] = (k, clip, span)
        self.matches.setdefault(k, []).append(key[0])

    def by_metadata(self, clip: Any) -> tuple[int, int] | None:
        meta = clip.metadata.get("nemo")
        sid = _read.read(meta, "id") if meta is not None and hasattr(meta, "get") else None
        raw = clip.metadata.get("nemo_ref")
        ref = tuple(deep(raw)) if raw is not None else ()
        free = [k for k in self.by_id.get(sid, []) if k not in self.taken]
        if free:
            return ref if ref in free else free[0]
        if sid is None and len(ref) == 2 and ref in self.placed and ref not in self.taken:
            return ref if self.placed[ref][3].id is None else None
        return None

    def free_labels(self) -> Counter[str]:
        """How many unmatched segments go by each name."""
        return Counter(item[3].label for k, item in self.placed.items() if k not in self.taken)

    def by_name(self, clip: Any, prefer: int | None, audio: bool) -> tuple[int, int] | None:
        """The first unmatched segment of that name: on the preferred track, of the clip's kind
        (audio or not), then in track and timeline order."""
        keys = [
            k
            for k, item in self.placed.items()
            if k not in self.taken and item[3].label == clip.name
        ]

        def rank(k: tuple[int, int]) -> tuple:
            kind = self.tracks[k[0]].get("tt") == 1
            return (k[0] != prefer, kind != audio, k[0], self.placed[k][0])

        keys.sort(key=rank)
        return keys[0] if keys else None


def _clips(timeline: Any, reader: _Reader) -> list[tuple[int, Any, Any]]:
    """(track number, clip, its range on the track) of every clip, reporting what is not one."""
    otio = load()
    out = []
    for k, otrack in enumerate(timeline.tracks):
        if not isinstance(otrack, otio.schema.Track):
            reader.lost.append(Unmapped(f"timeline item {k + 1}", "is not a track: left out"))
            continue
        shift = _record_start(otio, otrack)
        for child in otrack:
            where = f"track {otrack.name or k + 1!r}, {type(child).__name__} {child.name!r}"
            if isinstance(child, otio.schema.Clip):
                span = child.range_in_parent()
                span = otio.opentime.TimeRange(span.start_time + shift, span.duration)
                out.append((k, child, span))
            elif isinstance(child, otio.schema.Transition):
                reader.lost.append(Unmapped(where, "transitions are not in drafts: left out"))
            elif not isinstance(child, otio.schema.Gap):
                reader.lost.append(Unmapped(where, "nested timelines are not mapped: left out"))
    return out


def _record_start(otio: Any, otrack: Any) -> Any:
    """Where a track's first item sits on the timeline: 0, except for the EDL reader, which
    trims the track to start at minus the first record timecode (less the 01:00:00:00 editors
    start their sequences at)."""
    if otrack.source_range is None:
        return otio.opentime.RationalTime(0, 1)
    start = -otrack.source_range.start_time
    hour = otio.opentime.RationalTime(3600 * start.rate, start.rate)
    return start - hour if start >= hour else start


def _is_audio(timeline: Any, k: int) -> bool:
    return bool(timeline.tracks[k].kind == load().schema.TrackKind.Audio)


def _track_map(timeline: Any, reader: _Reader) -> dict[int, int]:
    """Which draft track each timeline track stands for (metadata, its clips, then its name)."""
    out: dict[int, int] = {}
    for k, otrack in enumerate(timeline.tracks):
        t = otrack.metadata.get("nemo_ref") if hasattr(otrack, "metadata") else None
        if isinstance(t, int) and 0 <= t < len(reader.tracks):
            out[k] = t
        elif reader.matches.get(k):
            out[k] = max(set(reader.matches[k]), key=reader.matches[k].count)
    used = set(out.values())
    for k, otrack in enumerate(timeline.tracks):
        if k not in out and otrack.name:
            for t, track in enumerate(reader.tracks):
                ok = isinstance(track, Mapping) and t not in used
                if ok and track_label(track, t) == otrack.name:
                    out[k] = t
                    used.add(t)
                    break
    return out


def _apply(seg: dict[str, Any], item: tuple, clip: Any, span: Any) -> bool:
    """Write the clip's edges and in-point onto the segment; whether anything changed."""
    start_ms, end_ms, _, view = item
    rate = span.start_time.rate
    a, z = span.start_time.value, span.start_time.value + span.duration.value
    new_start = start_ms if _same(a, start_ms, rate) else _ms(a, rate)
    new_end = end_ms if _same(z, end_ms, rate) else _ms(z, rate)
    moved = new_start != start_ms
    if moved:
        seg[view.start_key or "st"] = whole_ms(new_start)
    if new_end - new_start != end_ms - start_ms:
        seg[view.duration_key or "d"] = whole_ms(new_end - new_start)
    if view.is_text:
        text = getattr(clip.media_reference, "parameters", {}).get("text")
        if isinstance(text, str) and view.text_key and text != view.text:
            _read.write_at(seg, view.text_key, text, None)
        return moved
    src = clip.source_range.start_time if clip.source_range is not None else None
    if src is not None and not _same(src.value, view.in_point or 0, src.rate):
        seg[view.in_key or "in"] = _ms(src.value, src.rate)
    return moved


def _resort(track: dict[str, Any]) -> None:
    """Put a track's placeable segments back in timeline order, in the slots they held."""
    items, _ = placed(track)
    slots = sorted(item[2] for item in items)
    ordered = [track["sg"][item[2]] for item in items]  # placed() sorts by start
    for slot, seg in zip(slots, ordered, strict=True):
        track["sg"][slot] = seg


def from_otio(
    timeline: Any, base: Any = None, *, fps: float | None = None, strict: bool = False
) -> dict[str, Any]:
    """The draft `base` with the timeline's trims, moves, reorders and deletions applied.

    `timeline` is an `opentimelineio` Timeline or a file (`.otio`, `.otioz`, `.xml`, `.fcpxml`,
    `.edl`); without `base`, the draft kept in an OTIO file's metadata. What cannot be mapped
    comes as one `OtioWarning` (`strict=True`: a `DraftError`)."""
    base = as_draft(base)
    if isinstance(timeline, (str, os.PathLike)):
        rate = draft_fps(base, fps) if isinstance(base, Mapping) else fps
        timeline = read_timeline(timeline, rate)
    if base is None:
        base = _base_from_metadata(timeline)
    if not isinstance(base, Mapping):
        raise DraftError(f"base must be a draft dict, not {type(base).__name__}")
    draft = copy.deepcopy(dict(base))
    reader = _Reader(draft)
    clips = _clips(timeline, reader)
    pending = []
    for k, clip, span in clips:
        key = reader.by_metadata(clip)
        if key is None:
            pending.append((k, clip, span))
            continue
        reader.take(key, k, clip, span)
    # names found once on both sides first: they settle which track is which for the others
    once, labels = Counter(c.name for _, c, _ in pending), reader.free_labels()
    unique = [p for p in pending if once[p[1].name] == 1 and labels[p[1].name] == 1]
    for k, clip, span in unique:
        key = reader.by_name(clip, None, _is_audio(timeline, k))
        if key is not None:  # always: the name is free once
            reader.take(key, k, clip, span)
    tmap = _track_map(timeline, reader)
    for k, clip, span in pending:
        if any(clip is c for _, c, _ in unique):
            continue
        key = reader.by_name(clip, tmap.get(k), _is_audio(timeline, k))
        if key is None:
            at = span.start_time.to_seconds()
            reader.lost.append(
                Unmapped(
                    f"clip {clip.name!r} at {at:.2f}s",
                    "no segment of the draft matches it (new clips are not brought back)",
                )
            )
            continue
        reader.take(key, k, clip, span)
    return _changes(draft, reader, _track_map(timeline, reader), strict)


def _changes(
    draft: dict[str, Any], reader: _Reader, tmap: dict[int, int], strict: bool
) -> dict[str, Any]:
    tracks = reader.tracks
    touched: set[int] = set()
    moves: list[tuple[int, int, int]] = []  # (from track, index, to track)
    for key, (k, clip, span) in reader.taken.items():
        t, j = key
        if clip.effects:
            where = f"clip {clip.name!r}"
            reader.lost.append(Unmapped(where, "its effects (speed, ...) are not in drafts"))
        if _apply(tracks[t]["sg"][j], reader.placed[key], clip, span):
            touched.add(t)
        dest = tmap.get(k, t)
        if dest != t and isinstance(tracks[dest], Mapping):
            moves.append((t, j, dest))
            touched.update((t, dest))
    represented = set(tmap.values())
    drop = {key for key in reader.placed if key[0] in represented and key not in reader.taken}
    for t, j, dest in moves:
        tracks[dest].setdefault("sg", []).append(tracks[t]["sg"][j])
        drop.add((t, j))
    for t, j in sorted(drop, reverse=True):
        del tracks[t]["sg"][j]
    for t in touched:
        _resort(tracks[t])
    _follow_duration(draft, reader)
    if reader.lost:
        if strict:
            raise DraftError(str(OtioWarning("reading the timeline", reader.lost)))
        warnings.warn(OtioWarning("reading the timeline", reader.lost), stacklevel=3)
    return draft


def _follow_duration(draft: dict[str, Any], reader: _Reader) -> None:
    """`d` after the edits, by the frame's rule (`next_duration`)."""
    d = draft.get("d")
    if isinstance(d, bool) or not isinstance(d, (int, float)):
        return
    old_end = max((item[1] for item in reader.placed.values()), default=None)
    new_end = max(
        (s[1] for tr in reader.tracks if isinstance(tr, Mapping) for s in placed(tr)[0]),
        default=None,
    )
    if old_end is None or new_end is None or new_end == old_end:
        return
    if next_duration(d, old_end, new_end) != d:
        draft["d"] = whole_ms(new_end)
