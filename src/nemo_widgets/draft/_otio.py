"""The draft as an OpenTimelineIO timeline, so it opens in editors that read OTIO.

Timeline → Stack → one Track per draft track (Audio for `tt` 1, Video otherwise), its segments as
Clips separated by Gaps, padded with a Gap to the draft's `d`. Times use rate 1000 (one unit per
millisecond), so nothing is rounded to frames. Media clips get an `ExternalReference` to `src`
and a source range starting at the in-point `in`; texts get a `GeneratorReference` of kind
"text" carrying the text. Every original key is kept in the `nemo` metadata of the timeline,
track or clip. OpenTimelineIO is the optional extra `otio`, imported only here.
"""

from __future__ import annotations

from typing import Any

from ..errors import DraftError
from ._model import Draft, Segment, Track
from ._summary import is_text, track_name
from ._validate import _overlaps

__all__ = ["RATE", "to_otio"]

RATE = 1000.0  # one unit per millisecond: exact, and any editor can rescale it


def _import() -> Any:
    try:
        import opentimelineio
    except ImportError as exc:  # the extra is optional
        raise ImportError("to_otio needs OpenTimelineIO: pip install 'nemo-widgets[otio]'") from exc
    return opentimelineio


def _clip(otio: Any, track: Track, t: int, seg: Segment, j: int) -> Any:
    rt, tr = otio.opentime.RationalTime, otio.opentime.TimeRange
    length = rt(float(seg.duration or 0), RATE)
    meta = {"nemo": seg.to_dict()}
    if is_text(track, seg):
        ref = otio.schema.GeneratorReference(
            generator_kind="text", parameters={"text": seg.text or ""}
        )
        source = tr(rt(0, RATE), length)
    else:
        ref = (
            otio.schema.ExternalReference(target_url=seg.source)
            if seg.source
            else otio.schema.MissingReference()
        )
        source = tr(rt(float(seg.in_point or 0), RATE), length)
    name = seg.text if is_text(track, seg) and seg.text else seg.name or seg.id or f"{j + 1}"
    return otio.schema.Clip(name=name, media_reference=ref, source_range=source, metadata=meta)


def _gap(otio: Any, ms: float) -> Any:
    rt, tr = otio.opentime.RationalTime, otio.opentime.TimeRange
    return otio.schema.Gap(source_range=tr(rt(0, RATE), rt(float(ms), RATE)))


def _track(otio: Any, track: Track, t: int, end: float) -> Any:
    kind = otio.schema.TrackKind.Audio if track.type == 1 else otio.schema.TrackKind.Video
    meta = {"nemo": {k: v for k, v in track.to_dict().items() if k != "sg"}}
    out = otio.schema.Track(name=track_name(track, t), kind=kind, metadata=meta)
    for j, seg in enumerate(track.items):
        if seg.start is None or seg.duration is None or seg.start < 0 or seg.duration < 0:
            raise DraftError(
                f"track {t + 1} ({track_name(track, t)}), segment {j + 1} ({seg.id}): "
                "OTIO needs a start and a duration of 0 or more"
            )
    overlaps = _overlaps(track, t)
    if overlaps:
        raise DraftError(overlaps[0] + " (an OTIO track plays one clip at a time)")
    at = 0.0
    for j, seg in sorted(enumerate(track.items), key=lambda p: (p[1].start, p[1].end)):
        if seg.start > at:  # type: ignore[operator]
            out.append(_gap(otio, seg.start - at))  # type: ignore[operator]
        out.append(_clip(otio, track, t, seg, j))
        at = max(at, seg.end)
    if end > at:
        out.append(_gap(otio, end - at))
    return out


def to_otio(draft: Any) -> Any:
    """The draft as an `opentimelineio.schema.Timeline` (needs the extra `otio`)."""
    model = draft if isinstance(draft, Draft) else Draft.from_dict(draft)
    otio = _import()
    end = max(model.duration or 0, model.end)
    top = {k: v for k, v in model.to_dict().items() if k != "t"}
    try:
        timeline = otio.schema.Timeline(name="nemo draft", metadata={"nemo": top})
        timeline.global_start_time = otio.opentime.RationalTime(0, RATE)
        for t, track in enumerate(model.items):
            timeline.tracks.append(_track(otio, track, t, end))
    except (TypeError, ValueError, OverflowError, RuntimeError) as exc:  # metadata OTIO refuses
        raise DraftError(f"the draft cannot be written as OTIO: {exc}") from exc
    return timeline
