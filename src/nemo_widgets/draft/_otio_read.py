"""An edited OTIO timeline back onto the draft it came from (matching: docs/draft-format.md)."""

from __future__ import annotations

import copy
import math
import os
import warnings
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..errors import DraftError
from . import _read, _summary
from ._model import Track, next_duration, whole_ms
from ._otio import OtioWarning, Unmapped, as_draft, deep, draft_fps, frames, listed, load, placed
from ._otio_files import read_timeline


def _ms(time: Any) -> int:
    return math.floor(time.value * 1000 / time.rate + 0.5)


def _same(time: Any, ms: float) -> bool:
    return abs(time.value - frames(ms, time.rate)) < 1e-6


def _base_from_metadata(timeline: Any) -> dict[str, Any]:
    """The draft the timeline was written from, rebuilt from its `nemo` metadata."""
    if (top := timeline.metadata.get("nemo")) is None:
        raise DraftError("this timeline has no nemo metadata: pass the draft it came from, base=")
    tracks: dict[int, dict[str, Any]] = {}
    segs: dict[int, dict[int, Any]] = {}
    for otrack in timeline.tracks:
        t = otrack.metadata.get("nemo_ref")
        if isinstance(t, int) and t not in tracks:
            tracks[t] = deep(otrack.metadata.get("nemo", {}))
        for clip in otrack.find_clips():
            ref = deep(clip.metadata.get("nemo_ref", []))
            if len(ref) == 2 and "nemo" in clip.metadata:
                segs.setdefault(ref[0], {})[ref[1]] = deep(clip.metadata["nemo"])
    draft = deep(top)
    draft["t"] = [
        {**tracks[t], "sg": [seg for _, seg in sorted(segs.get(t, {}).items())]}
        for t in sorted(tracks)
    ]
    return draft


class _Reader:
    """The base draft's placed segments, matched to a timeline's clips, then edited to them."""

    def __init__(self, draft: dict[str, Any]) -> None:
        self.draft = draft
        self.tracks: list[Any] = listed(draft.get("t"))
        self.placed = {
            (t, item[2]): item
            for t, track in enumerate(self.tracks)
            if isinstance(track, Mapping)
            for item in placed(track)[0]
        }
        self.taken: dict[tuple[int, int], tuple] = {}  # segment -> (timeline track, clip, span)
        self.lost: list[Unmapped] = []

    def clips(self, timeline: Any) -> list[tuple[int, Any, Any]]:
        """(track number, clip, its range on the timeline) of every clip; the rest is lost."""
        otio = load()
        out = []
        for k, otrack in enumerate(timeline.tracks):
            if not isinstance(otrack, otio.schema.Track):
                self.lost.append(Unmapped(f"timeline item {k + 1}", "is not a track: left out"))
                continue
            # 0, except for the EDL reader: it trims a track to start at minus the first record
            # timecode, less the 01:00:00:00 editors start their sequences at
            shift = -otrack.trimmed_range().start_time
            hour = otio.opentime.from_seconds(3600, shift.rate)
            shift = shift - hour if shift >= hour else shift
            for child in otrack:
                where = f"track {otrack.name or k + 1!r}, {type(child).__name__} {child.name!r}"
                if isinstance(child, otio.schema.Clip):
                    span = child.range_in_parent()
                    span = otio.opentime.TimeRange(span.start_time + shift, span.duration)
                    out.append((k, child, span))
                elif isinstance(child, otio.schema.Transition):
                    self.lost.append(Unmapped(where, "transitions are not in drafts: left out"))
                elif not isinstance(child, otio.schema.Gap):
                    self.lost.append(Unmapped(where, "nested timelines are not mapped: left out"))
        return out

    def by_metadata(self, clip: Any) -> tuple[int, int] | None:
        """The free segment of its id (its own first), or of its place when neither has an id."""
        meta = clip.metadata.get("nemo")
        sid = _read.read(meta, "id") if hasattr(meta, "get") else None
        ref = tuple(deep(clip.metadata.get("nemo_ref", ())))
        free = [k for k, item in self.placed.items() if k not in self.taken and item[3].id == sid]
        if ref in free:
            return ref
        return free[0] if free and sid is not None else None

    def by_name(self, name: str, prefer: int | None, audio: bool) -> tuple[int, int] | None:
        """The first free segment called `name`, preferring `prefer`'s track, then its kind."""

        def rank(key: tuple[int, int]) -> tuple:
            return (key[0] != prefer, (self.tracks[key[0]].get("tt") == 1) != audio)

        free = [k for k, v in self.placed.items() if k not in self.taken and v[3].label == name]
        return min(free, key=rank, default=None)

    def track_map(self, timeline: Any) -> dict[int, int]:
        """Which draft track each timeline track stands for (metadata, its clips, then its name)."""
        names = {
            t: _summary.track_name(Track(track), t)
            for t, track in enumerate(self.tracks)
            if isinstance(track, Mapping)
        }
        out: dict[int, int] = {}
        for k, otrack in enumerate(timeline.tracks):
            t = otrack.metadata.get("nemo_ref")
            took = Counter(key[0] for key, (on, _, _) in self.taken.items() if on == k)
            if isinstance(t, int) and 0 <= t < len(self.tracks):
                out[k] = t
            elif took:  # the track most of its clips came from
                out[k] = min(took, key=lambda n: (-took[n], n))
        for k, otrack in enumerate(timeline.tracks):
            free = [t for t, name in names.items() if name == otrack.name and t not in out.values()]
            if k not in out and free:
                out[k] = free[0]
        return out

    def match(self, timeline: Any) -> dict[int, int]:
        """Match every clip to a segment (by metadata, then by name); the track map after it."""
        pending = []
        for k, clip, span in self.clips(timeline):
            if (key := self.by_metadata(clip)) is None:
                pending.append((k, clip, span))
            else:
                self.taken[key] = (k, clip, span)
        # names found once on both sides first: they settle which track is which for the others
        names = Counter(clip.name for _, clip, _ in pending)
        labels = Counter(item[3].label for k, item in self.placed.items() if k not in self.taken)
        first = [p for p in pending if names[p[1].name] == labels[p[1].name] == 1]
        rest = [p for p in pending if not names[p[1].name] == labels[p[1].name] == 1]
        tmap: dict[int, int] = {}
        for group in (first, rest):
            for k, clip, span in group:
                audio = timeline.tracks[k].kind == load().schema.TrackKind.Audio
                if (key := self.by_name(clip.name, tmap.get(k), audio)) is None:
                    at = span.start_time.to_seconds()
                    why = "no segment of the draft matches it (new clips are not brought back)"
                    self.lost.append(Unmapped(f"clip {clip.name!r} at {at:.2f}s", why))
                else:
                    self.taken[key] = (k, clip, span)
            tmap = self.track_map(timeline)
        return tmap

    def edit(self, tmap: dict[int, int]) -> None:
        """Matched clips onto their segments (edges, in-points, texts, tracks); delete the rest."""
        tracks, touched = self.tracks, set()
        drop = {key for key in self.placed if key[0] in tmap.values() and key not in self.taken}
        for (t, j), (k, clip, span) in self.taken.items():
            if clip.effects:
                where = f"clip {clip.name!r}"
                self.lost.append(Unmapped(where, "its effects (speed, ...) are not in drafts"))
            if _apply(tracks[t]["sg"][j], self.placed[t, j], clip, span):
                touched.add(t)
            dest = tmap.get(k, t)
            if dest != t and isinstance(tracks[dest], Mapping):  # appended: no index moves
                tracks[dest].setdefault("sg", []).append(tracks[t]["sg"][j])
                drop.add((t, j))
                touched.update((t, dest))
        for t, j in sorted(drop, reverse=True):
            del tracks[t]["sg"][j]
        for t in touched:  # the placeable segments back in timeline order, in the slots they held
            items = placed(tracks[t])[0]
            segs = [tracks[t]["sg"][j] for _, _, j, _ in items]
            for slot, seg in zip(sorted(j for _, _, j, _ in items), segs, strict=True):
                tracks[t]["sg"][slot] = seg
        d = self.draft.get("d")  # after the edits, by the frame's rule
        old_end = max((item[1] for item in self.placed.values()), default=0)
        ends = (s[1] for tr in tracks if isinstance(tr, Mapping) for s in placed(tr)[0])
        new_end = max(ends, default=old_end)
        if _read.is_number(d) and new_end != old_end and next_duration(d, old_end, new_end) != d:
            self.draft["d"] = whole_ms(new_end)


def _apply(seg: dict[str, Any], item: tuple, clip: Any, span: Any) -> bool:
    """The clip's edges and in-point (or text) where the segment keeps them; whether it moved."""
    start_ms, end_ms, _, view = item
    a, z = span.start_time, span.end_time_exclusive()
    new_start = start_ms if _same(a, start_ms) else _ms(a)
    new_end = end_ms if _same(z, end_ms) else _ms(z)
    if new_start != start_ms:
        seg[_read.found(seg, "start")[0] or "st"] = whole_ms(new_start)
    if new_end - new_start != end_ms - start_ms:
        seg[_read.found(seg, "duration")[0] or "d"] = whole_ms(new_end - new_start)
    if view.is_text:
        text = getattr(clip.media_reference, "parameters", {}).get("text")
        place = _read.found(seg, "text")[0]
        if isinstance(text, str) and place and text != view.text:
            _read.write_at(seg, place, text, None)
    elif clip.source_range is not None:
        src = clip.source_range.start_time
        if not _same(src, view.in_point or 0):
            seg[_read.found(seg, "in_point")[0] or "in"] = _ms(src)
    return new_start != start_ms


def from_otio(
    timeline: Any, base: Any = None, *, fps: float | None = None, strict: bool = False
) -> dict[str, Any]:
    """The draft `base` with the timeline's trims, moves, reorders and deletions applied.

    `timeline` is an `opentimelineio` Timeline or a file (`.otio`, `.otioz`, `.xml`, `.fcpxml`,
    `.edl`); without `base`, the draft kept in an OTIO file's metadata. What cannot be mapped
    comes as one `OtioWarning` (`strict=True`: a `DraftError`)."""
    if base is not None:
        base = as_draft(base, "base must be a draft dict")
    if isinstance(timeline, (str, os.PathLike)):
        timeline = read_timeline(timeline, fps if base is None else draft_fps(base, fps))
    reader = _Reader(copy.deepcopy(dict(_base_from_metadata(timeline) if base is None else base)))
    reader.edit(reader.match(timeline))
    if reader.lost:
        if strict:
            raise DraftError(str(OtioWarning("reading the timeline", reader.lost)))
        warnings.warn(OtioWarning("reading the timeline", reader.lost), stacklevel=2)
    return reader.draft
