"""The draft as an OpenTimelineIO timeline (the mapping: docs/draft-format.md). OpenTimelineIO
is the optional extra `otio`, imported only by the `_otio*` modules."""

from __future__ import annotations

import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import DraftError
from . import _read, _summary
from ._model import Draft, Segment, Track


def load() -> Any:
    try:
        import opentimelineio
    except ImportError as exc:  # the extra is optional
        raise ImportError("OTIO support needs the extra: pip install 'nemo-widgets[otio]'") from exc
    return opentimelineio


@dataclass(frozen=True)
class Unmapped:
    """One thing left out between a draft and an OTIO timeline: where it is, and why."""

    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class OtioWarning(UserWarning):
    """Some things could not be mapped; `.unmapped` lists them (`Unmapped`), the text says so."""

    def __init__(self, doing: str, unmapped: Sequence[Unmapped]) -> None:
        self.doing = doing
        self.unmapped = tuple(unmapped)
        lines = "".join(f"\n  - {u}" for u in self.unmapped)
        n = len(self.unmapped)
        super().__init__(f"{doing}: {n} thing{'s' if n != 1 else ''} could not be mapped:{lines}")


@dataclass(frozen=True)
class MediaInfo:
    """Where a draft's `src` lives for an editor: a file path or URL, its length if known."""

    url: str
    duration_ms: float | None = None


def listed(value: Any) -> list[Any]:  # drafts are the backend's: anything may be there
    return value if isinstance(value, list) else []


class SegmentView(Segment):
    """A segment as OTIO shows it: a text or media, and what an editor calls it."""

    __slots__ = ("is_text",)

    def __init__(self, seg: Mapping[str, Any], track_type: Any = None) -> None:
        super().__init__(seg)
        self.is_text = _read.is_text(seg, track_type)

    @property
    def label(self) -> str:
        base = self.source.rsplit("/", 1)[-1] if self.source else None
        first = self.text if self.is_text else self.name
        return first or self.name or base or (str(self.id) if self.id is not None else "untitled")


def as_draft(obj: Any, refusal: str = "a draft is a dict of the compact format") -> Mapping:
    """A draft, its `Draft` model or None (an empty one) as a dict; `DraftError` for others."""
    if type(obj).__name__ == "DataFrame":
        raise DraftError(
            "this takes a draft, not a DataFrame",
            hint="Turn the table into one first: frame_to_draft(df, base=draft).",
        )
    obj = {} if obj is None else obj.to_dict() if isinstance(obj, Draft) else obj
    if not isinstance(obj, Mapping):
        raise DraftError(f"{refusal}, not {type(obj).__name__}")
    return obj


def draft_fps(draft: Mapping[str, Any], fps: float | None = None) -> float:
    """The timeline rate: `fps` when given, else the draft's `m.fps`, else 30."""
    rates: tuple[Any, ...] = (fps, _read.value_at(draft, "m.fps"))
    return next((float(r) for r in rates if _read.is_number(r) and 0 < r <= 1000), 30.0)


def frames(ms: float, fps: float) -> int:
    """Milliseconds to the nearest frame (halves up, the same rule both ways)."""
    return math.floor(ms * fps / 1000 + 0.5)


def _json(value: Any, where: str) -> Any:
    """A deep copy OTIO can store (int64 numbers); `DraftError` otherwise."""
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as exc:
        raise DraftError(f"{where} cannot be written as OTIO metadata: {exc}") from exc


def placed(track: Mapping[str, Any], where: str = "") -> tuple[list[tuple], list[Unmapped]]:
    """(start ms, end ms, index, view) of the placeable segments in timeline order, and the rest."""
    out, lost = [], []
    at = 0.0
    for j, seg in enumerate(listed(track.get("sg"))):
        here = f"{where}, segment {j + 1}"
        if not isinstance(seg, Mapping):
            lost.append(Unmapped(here, "is not an object: left out"))
            continue
        view = SegmentView(seg, track.get("tt"))
        start = view.start if view.start is not None else at  # no start: after the one before
        if view.duration is None or view.duration < 0 or start < 0:
            lost.append(Unmapped(here, "has no start and duration of 0 or more: left out"))
            continue
        at = start + view.duration
        out.append((start, at, j, view))
    out.sort(key=lambda p: p[:3])
    return out, lost


def build(
    draft: Mapping[str, Any], rate: float, media: Mapping[str, MediaInfo] | None
) -> tuple[Any, list[Unmapped]]:
    """The timeline of a draft at `rate` (see `to_otio`), and what was left out of it."""
    otio = load()
    schema, rt, lost = otio.schema, otio.opentime.RationalTime, []

    def span(start: float, dur: float) -> Any:
        return otio.opentime.TimeRange(rt(start, rate), rt(dur, rate))

    def pad(otrack: Any, to: float) -> None:
        if to > (at := otrack.duration().value):
            otrack.append(schema.Gap(source_range=span(0, to - at)))

    def reference(view: SegmentView, need: int, where: str) -> Any:
        if view.is_text:
            return schema.GeneratorReference(
                name="text",
                generator_kind="text",
                parameters={"text": view.text or ""},
                available_range=span(0, need),
            )
        src = view.source or ""  # a segment with no media at all is the backend's business
        info = MediaInfo(src) if media is None else media.get(src)  # no mapping: keep the src
        if src and info is None:
            lost.append(Unmapped(where, f"media {src!r} is not reachable"))
        if not src or info is None:
            return schema.MissingReference(name=src, available_range=span(0, need))
        length = frames(info.duration_ms, rate) if info.duration_ms else 0
        return schema.ExternalReference(
            target_url=info.url, available_range=span(0, max(need, length))
        )

    try:  # OTIO refuses some metadata (numbers beyond int64)
        timeline = schema.Timeline(
            name="nemo draft",
            global_start_time=rt(0, rate),
            metadata={
                "nemo": _json({k: v for k, v in draft.items() if k != "t"}, "the draft"),
                "nemo_fps": rate,
            },
        )
        for t, track in enumerate(listed(draft.get("t"))):
            if not isinstance(track, Mapping):
                lost.append(Unmapped(f"track {t + 1}", "is not an object: left out"))
                continue
            name = _summary.track_name(Track(track), t)
            items, left = placed(track, f"track {t + 1} ({name})")
            lost.extend(left)
            nemo = _json({k: v for k, v in track.items() if k != "sg"}, f"track {t + 1}")
            kind = schema.TrackKind.Audio if track.get("tt") == 1 else schema.TrackKind.Video
            meta = {"nemo": nemo, "nemo_ref": t}
            lanes = [schema.Track(name=name, kind=kind, metadata=meta)]
            for a, z, j, view in items:
                a, z = frames(a, rate), frames(z, rate)
                lane = next((ln for ln in lanes if ln.duration().value <= a), None)
                if lane is None:  # overlapping segments go to a lane of their own
                    label = f"{name} ({len(lanes) + 1})"
                    lanes.append(lane := schema.Track(name=label, kind=kind, metadata=meta))
                pad(lane, a)
                where = f"track {t + 1} ({name}), segment {j + 1}"
                inf = 0 if view.is_text else frames(view.in_point or 0, rate)
                clip = schema.Clip(
                    name=view.label,
                    media_reference=reference(view, inf + z - a, where),
                    source_range=span(inf, z - a),
                    metadata={"nemo": _json(dict(view.raw), where), "nemo_ref": [t, j]},
                )
                lane.append(clip)
            timeline.tracks.extend(lanes)
        d = draft.get("d", 0)
        end = max(frames(d, rate) if _read.is_number(d) and d > 0 else 0, timeline.duration().value)
        for otrack in timeline.tracks:
            pad(otrack, end)
    except (TypeError, ValueError, OverflowError, RuntimeError) as exc:
        raise DraftError(f"the draft cannot be written as OTIO: {exc}") from exc
    return timeline, lost


def to_otio(
    draft: Any, *, fps: float | None = None, media: Mapping[str, MediaInfo] | None = None
) -> Any:
    """The draft as an `opentimelineio.schema.Timeline` at the draft's fps (needs the extra).

    `media` maps each `src` to where an editor finds it (`MediaInfo`); without it the clips keep
    `src` as their target. What cannot be placed is left out with an `OtioWarning`."""
    draft = as_draft(draft)
    timeline, lost = build(draft, draft_fps(draft, fps), media)
    if lost:
        warnings.warn(OtioWarning("writing the timeline", lost), stacklevel=2)
    return timeline


def deep(value: Any) -> Any:
    """A plain-Python deep copy of OTIO metadata (AnyDictionary / AnyVector → dict / list)."""
    return json.loads(load().core.serialize_json_to_string(value, indent=-1))
