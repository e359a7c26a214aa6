"""Timeline files an editor opens, shaped for what each format holds (docs/draft-format.md)."""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import DraftError
from ._otio import MediaInfo, OtioWarning, Unmapped, as_draft, build, draft_fps, load

_FORMATS = {  # suffix: (OTIO adapter, the plugin that brings it; None: OTIO's own)
    ".otio": ("otio_json", None),
    ".otioz": ("otioz", None),
    ".xml": ("fcp_xml", "otio-fcp-adapter"),
    ".fcpxml": ("fcpx_xml", "otio-fcpx-xml-adapter"),
    ".edl": ("cmx_3600", "otio-cmx3600-adapter"),
}


def adapter_for(path: str | os.PathLike[str]) -> str:
    """The OTIO adapter for a file's suffix; `DraftError`, or an ImportError naming the plugin."""
    suffix = Path(path).suffix.lower()
    if suffix not in _FORMATS:
        raise DraftError(
            f"{suffix or 'a file without a suffix'!r} is not a timeline format",
            hint=f"Name the file with one of {', '.join(_FORMATS)}.",
        )
    adapter, plugin = _FORMATS[suffix]
    if adapter not in load().adapters.available_adapter_names():
        raise ImportError(
            f"the {adapter} format needs the {plugin or adapter} plugin: "
            "pip install 'nemo-widgets[otio]'"
        )
    return adapter


_NTSC = (24000 / 1001, 30000 / 1001, 48000 / 1001, 60000 / 1001)
_WHOLE = (24.0, 25.0, 30.0, 48.0, 50.0, 60.0)
_FCPX = (24.0, 25.0, 30.0, 50.0, 60.0)  # the adapter reads NTSC rates back as whole numbers


def editor_rate(adapter: str, fps: float) -> float:
    """The rate a format is written (an EDL read) at: `fps`, NTSC made exact, or the nearest."""
    fps = next((r for r in _NTSC if abs(fps - r) < 0.005), fps)
    valid = load().opentime.RationalTime.is_valid_timecode_rate(fps)
    if adapter in ("otio_json", "otioz") or (valid and adapter != "fcpx_xml"):
        return fps
    return min(_FCPX if adapter == "fcpx_xml" else _WHOLE, key=lambda r: (abs(r - fps), r))


_RATIONAL = re.compile(r'(?<!frameDuration=)"(\d+)/(\d+)s"')  # times, not the frame length


def read_timeline(path: str | os.PathLike[str], fps: float | None = None) -> Any:
    """Read a timeline file with OpenTimelineIO's adapter for its suffix (EDLs at `fps`)."""
    adapter = adapter_for(path)
    otio = load()
    try:
        if adapter == "fcpx_xml":
            # FCP X times a millionth of a frame later: the adapter truncates `N/Ds × fps` to an
            # int, so 29/25 s at 25 fps (28.999… in floats) would read as 28 frames
            text = _RATIONAL.sub(
                lambda m: f'"{int(m[1]) * 10**6 + 1}/{int(m[2]) * 10**6}s"',
                Path(path).read_text(encoding="utf-8"),
            )
            return otio.adapters.read_from_string(text, adapter_name=adapter)
        options = {"rate": editor_rate(adapter, fps or 30.0)} if adapter == "cmx_3600" else {}
        return otio.adapters.read_from_file(str(path), adapter_name=adapter, **options)
    except otio.exceptions.OTIOError as exc:
        raise DraftError(f"{Path(path).name} cannot be read as a timeline: {exc}") from exc


def _text(clip: Any) -> str | None:
    ref = clip.media_reference
    if getattr(ref, "generator_kind", None) == "text":
        return str(ref.parameters.get("text", clip.name or ""))
    return None


def _all_text(track: Any) -> bool:
    clips = track.find_clips()
    if clips and all(_text(c) is not None for c in clips):
        return True
    meta = track.metadata.get("nemo")
    return hasattr(meta, "get") and meta.get("tt") == 7


def _as_markers(otio: Any, timeline: Any, lost: list[Unmapped]) -> None:
    """Move text clips onto the video clip playing at their start, as markers; drop text tracks."""
    video = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video]
    under = next((t for t in video if not _all_text(t)), None)
    for track in [t for t in video if _all_text(t)]:
        for clip in track.find_clips():
            at = clip.range_in_parent()
            host = under.child_at_time(at.start_time, shallow_search=True) if under else None
            if under is None or not isinstance(host, otio.schema.Clip):
                lost.append(Unmapped(f"text {clip.name!r}", "no video clip under it: left out"))
                continue
            start = under.transformed_time(at.start_time, host)  # in the host's media
            marker = otio.schema.Marker(
                name=_text(clip) or "",
                marked_range=otio.opentime.TimeRange(start, at.duration),
                metadata={"nemo": clip.metadata.get("nemo", {})},
            )
            host.markers.append(marker)
        timeline.tracks.remove(track)


def _fcp7_texts(otio: Any, timeline: Any, lost: list[Unmapped]) -> None:
    """Text clips as FCP 7 "Text" generators, which Premiere and Resolve draw as titles."""
    for clip in timeline.find_clips():
        if (text := _text(clip)) is not None:
            ref = clip.media_reference
            ref.name, ref.generator_kind = "Text", "Text"
            ref.metadata["fcp_xml"] = {
                "effectcategory": "Text",
                "effecttype": "generator",
                "mediatype": "video",
                "parameter": {"parameterid": "str", "name": "Text", "value": text},
            }


def _edl_tracks(otio: Any, timeline: Any, lost: list[Unmapped]) -> None:
    """An EDL holds one video track: keep the first one with clips, say what else is left out."""
    video = otio.schema.TrackKind.Video
    keep = next((t for t in timeline.tracks if t.kind == video and t.find_clips()), None)
    for track in timeline.tracks:
        if track is not keep and track.find_clips():
            lost.append(Unmapped(f"track {track.name!r}", "an EDL holds one video track"))
    timeline.tracks[:] = [otio.schema.Track(name="V", kind=video) if keep is None else keep]


# what each format cannot hold, reshaped before writing
_SHAPES = {
    "fcp_xml": (_fcp7_texts,),
    "fcpx_xml": (_as_markers,),
    "cmx_3600": (_as_markers, _edl_tracks),
}


def write_timeline(
    draft: Any,
    path: str | os.PathLike[str],
    *,
    media: Mapping[str, MediaInfo] | None = None,
    fps: float | None = None,
) -> Path:
    """Write the draft as a timeline file by suffix; what it cannot hold: one `OtioWarning`."""
    dest = Path(path).expanduser()
    adapter = adapter_for(dest)
    otio = load()
    draft = as_draft(draft)
    wanted = draft_fps(draft, fps)
    rate = editor_rate(adapter, wanted)
    timeline, lost = build(draft, rate, media)
    if abs(rate - wanted) > 0.01:
        why = f"{dest.suffix} timecodes have no {wanted:g} fps: written at {rate:g} fps"
        lost.insert(0, Unmapped("the timeline", why))
    for shape in _SHAPES.get(adapter, ()):
        shape(otio, timeline, lost)
    policy = otio.adapters.file_bundle_utils.MediaReferencePolicy.MissingIfNotFile
    options = {"otioz": {"media_policy": policy}, "cmx_3600": {"rate": rate}}.get(adapter, {})
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
