"""A small typed model of the compact draft that keeps every key it does not know.

`Draft.from_dict(obj)` checks the shape (see docs/draft-format.md) and raises only `DraftError`;
`to_dict()` gives the same dict back (key order aside). Typed fields hold the keys this package
reads; `None` means absent. Everything else, including known keys whose value is `null`, stays in
`extra`, so a null survives the round-trip as a null and an absent key as an absent key.

The type rules live here once (`SEGMENT_FIELDS`, `check_value`, `check_types`): the per-object
parser below and the column-wise parser of `_frame.py` both apply them.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from ..errors import DraftError

__all__ = [
    "SEGMENT_FIELDS",
    "TEXT_KINDS",
    "Draft",
    "Segment",
    "Track",
    "check_types",
    "check_value",
    "fmt_seconds",
    "track_type_label",
    "track_type_value",
]

NUM: Final = "number"
STR: Final = "string"

# compact key -> (model attribute, value kind); the frame maps the same keys to its columns
SEGMENT_FIELDS: Final[dict[str, tuple[str, str]]] = {
    "id": ("id", STR),
    "k": ("kind", STR),
    "st": ("start", NUM),
    "d": ("duration", NUM),
    "src": ("source", STR),
    "nm": ("name", STR),
    "txt": ("text", STR),
    "v": ("volume", NUM),
    "in": ("in_point", NUM),
}
TRACK_FIELDS: Final[dict[str, tuple[str, str]]] = {"id": ("id", STR), "nm": ("name", STR)}
TEXT_KINDS: Final = frozenset({"title", "subtitle"})
_TYPE_LABELS: Final = {0: "video", 1: "audio", 7: "text"}
_TYPE_VALUES: Final = {v: k for k, v in _TYPE_LABELS.items()}
NO_TYPE: Final = "other:none"  # label of a track without `tt`
# numbers beyond this (about 31,000 years in ms) are garbage; below it floats hold ints exactly
MAX_NUMBER: Final = 1e15


def _is_number_type(t: type) -> bool:
    return issubclass(t, (int, float)) and not issubclass(t, bool)


def check_value(value: Any, kind: str, where: str) -> None:
    """Raise `DraftError` unless `value` (not None) is a `kind` ("number" or "string")."""
    if kind == STR:
        if not isinstance(value, str):
            raise DraftError(f"{where} must be a string, not {type(value).__name__} {value!r:.40}")
    elif not _is_number_type(type(value)):
        raise DraftError(f"{where} must be a number, not {type(value).__name__} {value!r:.40}")
    elif not (isinstance(value, int) or math.isfinite(value)) or not abs(value) < MAX_NUMBER:
        raise DraftError(f"{where} must be a finite number below 1e15, not {value!r:.40}")


def check_types(types: Iterable[type], kind: str, where: str) -> bool:
    """Raise `DraftError` if a column's value types break `kind`; True if floats need a finite
    check (done by the caller on the whole column at once). `NoneType` is always allowed."""
    floats = False
    for t in types:
        if t is type(None):
            continue
        ok = issubclass(t, str) if kind == STR else _is_number_type(t)
        if not ok:
            raise DraftError(f"{where} must be a {kind}, not {t.__name__}")
        floats = floats or issubclass(t, float)
    return floats


def check_keys(obj: Mapping[Any, Any], where: str) -> None:
    """Raise `DraftError` unless every key of `obj` is a string (drafts are JSON)."""
    for key in obj:
        if not isinstance(key, str):
            raise DraftError(f"{where} has a key that is not a string: {key!r:.40}")


def track_type_label(tt: Any) -> str:
    """The frame's label for a track type: video, audio, text or `other:<n>`."""
    if tt is None:
        return NO_TYPE
    return _TYPE_LABELS.get(tt, f"other:{tt}")


def track_type_value(label: str, where: str) -> int | None:
    """The `tt` for a frame label (None for `other:none`); `DraftError` for unknown labels."""
    if label in _TYPE_VALUES:
        return _TYPE_VALUES[label]
    if label == NO_TYPE:
        return None
    head, _, num = label.partition(":")
    if head == "other" and num.lstrip("-").isdigit():
        return int(num)
    raise DraftError(f"{where}: unknown track_type {label!r} (video, audio, text or other:<n>)")


def fmt_seconds(ms: float) -> str:
    """Milliseconds as a short seconds string: 10000 -> "10", 3500 -> "3.5", 3333 -> "3.3"."""
    text = f"{ms / 1000:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _split(obj: Mapping[str, Any], fields: Mapping[str, tuple[str, str]], where: str) -> tuple:
    """Typed values for `fields` (None when absent or null) and the rest of `obj`."""
    check_keys(obj, where)
    typed: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for key, value in obj.items():
        spec = fields.get(key)
        if spec is None or value is None:
            extra[key] = copy.deepcopy(value)
            continue
        check_value(value, spec[1], f"{where} key {key!r}")
        typed[spec[0]] = value
    return typed, extra


def _out(fields: Mapping[str, tuple[str, str]], obj: Any) -> dict[str, Any]:
    out = {key: getattr(obj, attr) for key, (attr, _) in fields.items()}
    out = {k: v for k, v in out.items() if v is not None}
    out.update(copy.deepcopy(obj.extra))
    return out


@dataclass(frozen=True)
class Segment:
    """One segment: a clip, an image, an audio piece or a text, placed on the timeline (ms)."""

    id: str | None = None
    kind: str | None = None
    start: float | None = None
    duration: float | None = None
    source: str | None = None
    name: str | None = None
    text: str | None = None
    volume: float | None = None
    in_point: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def end(self) -> float:
        """Where the segment ends on the timeline, ms (absent start or duration count as 0)."""
        return (self.start or 0) + (self.duration or 0)

    @property
    def label(self) -> str | None:
        """What a person calls it: the text of a text segment, else its name."""
        return self.text if self.text is not None else self.name

    @classmethod
    def from_dict(cls, obj: Any, where: str = "segment") -> Segment:
        """Parse one segment dict; `DraftError` if it is not one."""
        if not isinstance(obj, Mapping):
            raise DraftError(f"{where} must be an object, not {type(obj).__name__}")
        typed, extra = _split(obj, SEGMENT_FIELDS, where)
        return cls(**typed, extra=extra)

    def to_dict(self) -> dict[str, Any]:
        """The compact dict, with every key kept."""
        return _out(SEGMENT_FIELDS, self)


@dataclass(frozen=True)
class Track:
    """One track: a type (`tt`), a display name and its segments in timeline order."""

    id: str | None = None
    type: int | None = None
    name: str | None = None
    segments: tuple[Segment, ...] | None = None  # None: the track has no `sg` key
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def type_label(self) -> str:
        """video, audio, text or `other:<n>`."""
        return track_type_label(self.type)

    @property
    def items(self) -> tuple[Segment, ...]:
        """The segments, empty when the track has none."""
        return self.segments or ()

    @classmethod
    def from_dict(cls, obj: Any, where: str = "track") -> Track:
        """Parse one track dict with its segments; `DraftError` if it is not one."""
        tt, sg, rest = check_track(obj, where)
        typed, extra = _split(rest, TRACK_FIELDS, where)
        segs = None
        if sg is not None:
            segs = tuple(
                Segment.from_dict(s, f"{where}, segment {j + 1}") for j, s in enumerate(sg)
            )
        if "tt" in obj and tt is None:
            extra["tt"] = None
        if "sg" in obj and sg is None:
            extra["sg"] = None
        return cls(type=tt, segments=segs, extra=extra, **typed)

    def to_dict(self) -> dict[str, Any]:
        """The compact dict, with every key kept."""
        out = _out(TRACK_FIELDS, self)
        if self.type is not None:
            out["tt"] = self.type
        if self.segments is not None:
            out["sg"] = [s.to_dict() for s in self.segments]
        return out


def check_track(obj: Any, where: str) -> tuple[int | None, list[Any] | None, dict[str, Any]]:
    """Check a track's own keys; return its `tt`, its `sg` list and the other keys."""
    if not isinstance(obj, Mapping):
        raise DraftError(f"{where} must be an object, not {type(obj).__name__}")
    check_keys(obj, where)
    tt = obj.get("tt")
    if tt is not None and (not isinstance(tt, int) or isinstance(tt, bool)):
        raise DraftError(f"{where}: track type tt must be an integer, not {tt!r:.40}")
    sg = obj.get("sg")
    if sg is not None and not isinstance(sg, list):
        raise DraftError(f"{where}: segments sg must be a list, not {type(sg).__name__}")
    for key, (_, kind) in TRACK_FIELDS.items():
        if obj.get(key) is not None:
            check_value(obj[key], kind, f"{where} key {key!r}")
    return tt, sg, {k: v for k, v in obj.items() if k not in ("tt", "sg")}


def check_top(obj: Any) -> tuple[list[Any] | None, dict[str, Any]]:
    """Check a draft's own keys (not its tracks); return its `t` list and the draft as a dict.

    A missing or None draft is the empty draft `{}` (the state before the first edit)."""
    if obj is None:
        return None, {}
    if not isinstance(obj, Mapping):
        raise DraftError(f"a draft must be an object, not {type(obj).__name__}")
    check_keys(obj, "the draft")
    tracks = obj.get("t")
    if tracks is not None and not isinstance(tracks, list):
        raise DraftError(f"the draft's tracks t must be a list, not {type(tracks).__name__}")
    if obj.get("d") is not None:
        check_value(obj["d"], NUM, "the draft's duration d")
    meta = obj.get("m")
    if meta is not None and not isinstance(meta, Mapping):
        raise DraftError(f"the draft's metadata m must be an object, not {type(meta).__name__}")
    if meta is not None:
        check_keys(meta, "the draft's metadata m")
    return tracks, dict(obj)


@dataclass(frozen=True)
class Draft:
    """A whole draft: tracks bottom to top, total duration `d` (ms), metadata `m`."""

    tracks: tuple[Track, ...] | None = None  # None: no `t` key
    duration: float | None = None
    meta: dict[str, Any] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def items(self) -> tuple[Track, ...]:
        """The tracks, empty when there are none."""
        return self.tracks or ()

    @property
    def segment_count(self) -> int:
        """How many segments all tracks hold."""
        return sum(len(t.items) for t in self.items)

    @property
    def end(self) -> float:
        """The end of the last segment, ms (0 when there is none)."""
        return max((s.end for t in self.items for s in t.items), default=0)

    @classmethod
    def from_dict(cls, obj: Any) -> Draft:
        """Parse a draft (None or `{}` for an empty one); `DraftError` if it is not one."""
        tracks, rest = check_top(obj)
        parsed = None
        if tracks is not None:
            parsed = tuple(Track.from_dict(t, f"track {i + 1}") for i, t in enumerate(tracks))
        extra = copy.deepcopy({k: v for k, v in rest.items() if k not in ("t", "d", "m")})
        for key in ("t", "d", "m"):
            if key in rest and rest[key] is None:
                extra[key] = None
        meta = rest.get("m")
        return cls(
            tracks=parsed,
            duration=rest.get("d"),
            meta=None if meta is None else copy.deepcopy(dict(meta)),
            extra=extra,
        )

    def to_dict(self) -> dict[str, Any]:
        """The compact dict, with every key kept."""
        out: dict[str, Any] = {}
        if self.duration is not None:
            out["d"] = self.duration
        if self.meta is not None:
            out["m"] = copy.deepcopy(self.meta)
        if self.tracks is not None:
            out["t"] = [t.to_dict() for t in self.tracks]
        out.update(copy.deepcopy(self.extra))
        return out
