"""The one model of a compact draft: a read-only view over the very dicts it was made from.
Only the contract's shape is checked (`DraftError`); `to_dict()` gives an unshared copy."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import chain
from typing import Any, Final, Generic, TypeVar, overload

from ..errors import DraftError
from . import _read

NO_TYPE: Final = "other:none"  # label of a track without an integer `tt`
_TYPE_LABELS: Final[dict[int | None, str]] = {0: "video", 1: "audio", 7: "text", None: NO_TYPE}
_TYPE_VALUES: Final = {v: k for k, v in _TYPE_LABELS.items()}
_T = TypeVar("_T")


def track_type_value(label: str, where: str) -> int | None:
    """The `tt` for a frame label (None for `other:none`); `DraftError` for unknown labels."""
    if label in _TYPE_VALUES:
        return _TYPE_VALUES[label]
    head, _, num = label.partition(":")
    if head == "other" and num.lstrip("-").isdigit():
        return int(num)
    raise DraftError(f"{where}: unknown track_type {label!r} (video, audio, text or other:<n>)")


def fmt_seconds(ms: float) -> str:
    """Milliseconds as a short seconds string: 10000 -> "10", 3500 -> "3.5", 3333 -> "3.3"."""
    text = f"{ms / 1000:.1f}"
    return text[:-2] if text.endswith(".0") else text


def whole_ms(ms: float) -> float:
    """Whole milliseconds as an int, as the drafts write them; other values as they are."""
    return int(ms) if float(ms).is_integer() else ms


def next_duration(d: float | None, old_end: float, new_end: float) -> float:
    """The new `d`: it follows the content's end when it was that end (or absent), else grows."""
    return new_end if d is None or d == old_end else max(d, new_end)


def clone(value: Any) -> Any:
    """A copy of a JSON-like value (immutable scalars shared; non-JSON values deep-copied)."""
    t = type(value)
    if t is dict:
        return {k: v if type(v) in SCALARS else clone(v) for k, v in value.items()}
    if t is list:
        return [v if type(v) in SCALARS else clone(v) for v in value]
    return value if t in SCALARS else copy.deepcopy(value)


SCALARS: Final = frozenset({str, int, float, bool, type(None)})  # JSON values never copied


def _object(obj: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise DraftError(f"{where} must be an object, not {type(obj).__name__}")
    for key in obj:
        if not isinstance(key, str):
            raise DraftError(f"{where} has a key that is not a string: {key!r:.40}")
    return obj


def _list(obj: Mapping[str, Any], key: str, where: str) -> list[Any] | None:
    value = obj.get(key)
    if value is not None and not isinstance(value, list):
        raise DraftError(f"{where}: {key} must be a list, not {type(value).__name__}")
    return value


class _Raw:
    __slots__ = ()
    raw: Mapping[str, Any]

    def to_dict(self) -> dict[str, Any]:
        """The object as a dict, every key kept, sharing nothing with the model."""
        return dict(clone(dict(self.raw)))


class _Reading(Generic[_T]):
    """A read-only attribute that reads `what` from the object's `raw` dict through `_read`."""

    def __init__(self, what: str, doc: str, table: Mapping[str, Any] = _read.SEGMENT) -> None:
        self.what, self.table, self.__doc__ = what, table, doc

    @overload
    def __get__(self, obj: None, owner: Any = None) -> _Reading[_T]: ...
    @overload
    def __get__(self, obj: object, owner: Any = None) -> _T | None: ...
    def __get__(self, obj: Any, owner: Any = None) -> Any:
        return self if obj is None else _read.read(obj.raw, self.what, self.table)


class Segment(_Raw):
    """One segment placed on the timeline (ms); its readings come from `_read.SEGMENT`."""

    __slots__ = ("raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw  # a plain class: a draft makes one per segment, and this is the cheapest

    def __repr__(self) -> str:
        return f"Segment({dict(self.raw)!r})"

    @classmethod
    def from_dict(cls, obj: Any, where: str = "segment") -> Segment:
        """Check one segment (an object with string keys); `DraftError` if it is not one."""
        return cls(_object(obj, where))

    id = _Reading[str]("id", "`id`, when it is a string.")
    kind = _Reading[str]("kind", "`k`: image, video, audio, title, subtitle, …")
    start = _Reading[float]("start", "Where it starts on the timeline, ms (`st`, `s`, `start`).")
    duration = _Reading[float]("duration", "`d`, ms.")
    source = _Reading[str]("source", "`src`: the media it shows.")
    name = _Reading[str]("name", "Its name (`nm`, `name` or `m.name`).")
    text = _Reading[str]("text", "Its text (`txt`, `text` or `m.text`).")
    volume = _Reading[float]("volume", "Its volume 0-1 (`v`, `volume` or `m.volume`).")
    in_point = _Reading[float]("in_point", "`in`: where it starts in the source media, ms.")

    @property
    def end(self) -> float:
        """Where the segment ends on the timeline, ms (absent start or duration count as 0)."""
        return (self.start or 0) + (self.duration or 0)

    @property
    def label(self) -> str | None:
        """What a person calls it: its text, else its name."""
        text = self.text
        return text if text is not None else self.name


@dataclass(frozen=True, eq=False, slots=True)
class Track(_Raw):
    """One track: a type (`tt`), a display name and its segments in timeline order."""

    raw: Mapping[str, Any]
    segments: tuple[Segment, ...] | None = None  # None: the track has no `sg` list

    @classmethod
    def from_dict(cls, obj: Any, where: str = "track") -> Track:
        """Check one track with its segments; `DraftError` if it is not one."""
        raw = _object(obj, where)
        sg = _list(raw, "sg", where)
        if sg is None:
            return cls(raw)
        segs = [Segment(s) for s in sg if type(s) is dict]  # the JSON case: checked in bulk
        if len(segs) < len(sg) or not set(map(type, chain.from_iterable(sg))) <= {str}:
            segs = [Segment.from_dict(s, f"{where}, segment {j + 1}") for j, s in enumerate(sg)]
        return cls(raw, tuple(segs))

    id = _Reading[str]("id", "`id`, when it is a string.", _read.TRACK)
    name = _Reading[str]("name", "Its display name (`nm`, `name` or `m.name`).", _read.TRACK)

    @property
    def type(self) -> int | None:
        """`tt` when it is an integer: 0 video, 1 audio, 7 text, others kept."""
        return _read.track_type(self.raw)

    @property
    def type_label(self) -> str:
        """video, audio, text or `other:<n>`."""
        return _TYPE_LABELS.get(self.type, f"other:{self.type}")

    @property
    def items(self) -> tuple[Segment, ...]:
        """The segments, empty when the track has none."""
        return self.segments or ()


@dataclass(frozen=True, eq=False, slots=True)
class Draft(_Raw):
    """A whole draft: tracks bottom to top, total duration `d` (ms), metadata `m`."""

    raw: Mapping[str, Any]
    tracks: tuple[Track, ...] | None = None  # None: no `t` list

    @classmethod
    def from_dict(cls, obj: Any) -> Draft:
        """Check a draft (None or `{}` for an empty one); `DraftError` if it is not one."""
        if obj is None:
            return cls({})
        raw = _object(obj, "the draft")
        tracks = _list(raw, "t", "the draft")
        if tracks is None:
            return cls(raw)
        return cls(raw, tuple(Track.from_dict(t, f"track {i + 1}") for i, t in enumerate(tracks)))

    @classmethod
    def of(cls, draft: Any) -> Draft:
        """`draft` itself when it is a model already, else `from_dict(draft)`."""
        return draft if isinstance(draft, Draft) else cls.from_dict(draft)

    @property
    def duration(self) -> float | None:
        """`d`, ms, when it is a number."""
        d = self.raw.get("d")
        return d if _read.is_number(d) else None

    @property
    def meta(self) -> Mapping[str, Any] | None:
        """`m` when it is an object (`title`, `width`, `height`, … as the backend has them)."""
        m = self.raw.get("m")
        return m if isinstance(m, Mapping) else None

    @property
    def items(self) -> tuple[Track, ...]:
        """The tracks, empty when there are none."""
        return self.tracks or ()

    @property
    def segment_count(self) -> int:
        return sum(len(t.items) for t in self.items)

    @property
    def end(self) -> float:
        """The end of the last segment, ms (0 when there is none)."""
        return max((s.end for t in self.items for s in t.items), default=0)
