"""The timeline as a file an editor opens, shaped for what each format can hold (the table of
formats: docs/draft-format.md).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DraftError
from ._otio import MediaInfo, OtioWarning, Unmapped, draft_fps, load, to_otio

FORMATS = {
    ".otio": "otio_json",
    ".otioz": "otioz",
    ".xml": "fcp_xml",
    ".fcpxml": "fcpx_xml",
    ".edl": "cmx_3600",
}
_PLUGINS = {
    "fcp_xml": "otio-fcp-adapter",
    "fcpx_xml": "otio-fcpx-xml-adapter",
    "cmx_3600": "otio-cmx3600-adapter",
}


def adapter_for(path: str | os.PathLike[str]) -> str:
    """The OTIO adapter name for a timeline file, by its suffix; `DraftError` for others."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(FORMATS)
        raise DraftError(
            f"{suffix or 'a file without a suffix'!r} is not a timeline format",
            hint=f"Name the file with one of {known}.",
        )
    return FORMATS[suffix]


_NTSC = (24000 / 1001, 30000 / 1001, 48000 / 1001, 60000 / 1001)
_WHOLE = (24.0, 25.0, 30.0, 48.0, 50.0, 60.0)
_FCPX = (24.0, 25.0, 30.0, 50.0, 60.0)  # the adapter reads NTSC rates back as whole numbers


def editor_rate(adapter: str, fps: float) -> float:
    """The rate a format is written (and an EDL read) at: the draft's, made exact for NTSC
    (29.97 is 30000/1001), or the nearest one the format's timecodes have."""
    fps = next((r for r in _NTSC if abs(fps - r) < 0.005), fps)
    if adapter in ("otio_json", "otioz"):
        return fps
    if adapter == "fcpx_xml":
        return fps if fps in _FCPX else min(_FCPX, key=lambda r: (abs(r - fps), r))
    if load().opentime.RationalTime.is_valid_timecode_rate(fps):
        return fps
    return min(_WHOLE, key=lambda r: (abs(r - fps), r))


def require(adapter: str) -> Any:
    """The `opentimelineio` module with `adapter` installed, else an ImportError naming it."""
    otio = load()
    if adapter not in otio.adapters.available_adapter_names():
        raise ImportError(
            f"the {adapter} format needs the {_PLUGINS.get(adapter, adapter)} plugin: "
            "pip install 'nemo-widgets[otio]'"
        )
    return otio


def _is_text(clip: Any) -> bool:
    ref = clip.media_reference
    return getattr(ref, "generator_kind", None) == "text"


def _text_of(clip: Any) -> str:
    return str(clip.media_reference.parameters.get("text", clip.name or ""))


def _as_markers(otio: Any, timeline: Any, lost: list[Unmapped]) -> None:
    """Move text clips onto the video clip playing at their start, as markers; drop text tracks."""
    video: list[Any] = []
    texts: list[Any] = []
    for t in timeline.tracks:
        if t.kind == otio.schema.TrackKind.Video:
            (texts if _all_text(t) else video).append(t)
    for track in texts:
        for clip in track.find_clips():
            at = clip.range_in_parent()
            host = _clip_at(video[0], at.start_time) if video else None
            if host is None:
                lost.append(Unmapped(f"text {clip.name!r}", "no video clip under it: left out"))
                continue
            offset = at.start_time - host.range_in_parent().start_time
            start = host.source_range.start_time + offset
            marker = otio.schema.Marker(
                name=_text_of(clip),
                marked_range=otio.opentime.TimeRange(start, at.duration),
                metadata={"nemo": clip.metadata.get("nemo", {})},
            )
            host.markers.append(marker)
    for track in texts:
        timeline.tracks.remove(track)


def _all_text(track: Any) -> bool:
    clips = list(track.find_clips())
    if clips and all(_is_text(c) for c in clips):
        return True
    meta = track.metadata.get("nemo")
    return meta is not None and hasattr(meta, "get") and meta.get("tt") == 7


def _clip_at(track: Any, time: Any) -> Any:
    for clip in track.find_clips():
        r = clip.range_in_parent()
        if r.start_time <= time < r.end_time_exclusive():
            return clip
    return None


def _fcp7_texts(timeline: Any) -> None:
    """Text clips as FCP 7 "Text" generators, which Premiere and Resolve draw as titles."""
    for clip in timeline.find_clips():
        if _is_text(clip):
            ref = clip.media_reference
            ref.name, ref.generator_kind = "Text", "Text"
            ref.metadata["fcp_xml"] = {
                "effectcategory": "Text",
                "effecttype": "generator",
                "mediatype": "video",
                "parameter": {"parameterid": "str", "name": "Text", "value": _text_of(clip)},
            }


def _edl_tracks(otio: Any, timeline: Any, lost: list[Unmapped]) -> None:
    """An EDL holds one video track: keep the first one with clips, say what else is left out."""
    keep = next(
        (t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video and t.find_clips()),
        None,
    )
    for track in list(timeline.tracks):
        if track is not keep:
            if track.find_clips():
                lost.append(Unmapped(f"track {track.name!r}", "an EDL holds one video track"))
            timeline.tracks.remove(track)
    if keep is None:
        timeline.tracks.append(otio.schema.Track(name="V", kind=otio.schema.TrackKind.Video))


def write_timeline(
    draft: Any,
    path: str | os.PathLike[str],
    *,
    media: Mapping[str, MediaInfo] | None = None,
    fps: float | None = None,
) -> Path:
    """Write the draft as a timeline file by suffix (docs/draft-format.md); the path back.

    `media` maps each `src` to a file or URL (`MediaInfo`); `.otioz` bundles the files it names.
    What a format cannot hold is reported with one `OtioWarning`."""
    dest = Path(path).expanduser()
    adapter = adapter_for(dest)
    otio = require(adapter)
    lost: list[Unmapped] = []
    wanted = draft_fps(draft if isinstance(draft, Mapping) else {}, fps)
    rate = editor_rate(adapter, wanted)
    if abs(rate - wanted) > 0.01:
        why = f"{dest.suffix} timecodes have no {wanted:g} fps: written at {rate:g} fps"
        lost.append(Unmapped("the timeline", why))
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always", OtioWarning)
        timeline = to_otio(draft, fps=rate, media=media)
    for w in seen:
        if isinstance(w.message, OtioWarning):
            lost.extend(w.message.unmapped)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if adapter in ("fcpx_xml", "cmx_3600"):
        _as_markers(otio, timeline, lost)
    if adapter == "cmx_3600":
        _edl_tracks(otio, timeline, lost)
    if adapter == "fcp_xml":
        _fcp7_texts(timeline)
    options: dict[str, Any] = {}
    if adapter == "otioz":
        policy = otio.adapters.file_bundle_utils.MediaReferencePolicy.MissingIfNotFile
        options["media_policy"] = policy
    if adapter == "cmx_3600":
        options["rate"] = timeline.metadata["nemo_fps"]
    dest.parent.mkdir(parents=True, exist_ok=True)
    # written beside and then moved: a failed write leaves no half file, and otioz never overwrites
    part = dest.with_name(f".{dest.stem}.part{dest.suffix}")
    part.unlink(missing_ok=True)
    try:
        otio.adapters.write_to_file(timeline, str(part), adapter_name=adapter, **options)
        os.replace(part, dest)
    except (otio.exceptions.NotSupportedError, otio.exceptions.OTIOError) as exc:
        raise DraftError(
            f"the timeline cannot be written as {dest.suffix}: {exc}",
            hint="Try another format: .otio keeps everything.",
        ) from exc
    finally:
        part.unlink(missing_ok=True)
    if lost:
        warnings.warn(OtioWarning(f"writing {dest.name}", lost), stacklevel=2)
    return dest
