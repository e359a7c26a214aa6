"""Where a draft keeps what we show: the one table of readings (docs/draft-format.md).
A value of another kind is never an error: that reading is absent and the value stays as it came."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

NUM: Final = "number"
STR: Final = "string"
# numbers beyond this (about 31,000 years in ms) are garbage; below it floats hold ints exactly
MAX_NUMBER: Final = 1e15

# what -> (kind, places in order of preference); the first place is the key this package writes
Table = Mapping[str, tuple[str, tuple[str, ...]]]
SEGMENT: Final[Table] = {
    "id": (STR, ("id",)),
    "kind": (STR, ("k",)),
    "start": (NUM, ("st", "s", "start")),
    "duration": (NUM, ("d",)),
    "source": (STR, ("src",)),
    "name": (STR, ("nm", "name", "m.name")),
    "text": (STR, ("txt", "text", "m.text")),
    "volume": (NUM, ("v", "volume", "m.volume")),
    "in_point": (NUM, ("in",)),
}
TRACK: Final[Table] = {
    "id": (STR, ("id",)),
    "name": (STR, ("nm", "name", "m.name")),
}


def is_number(value: Any) -> bool:
    """A finite int or float (not a bool) below `MAX_NUMBER`: what a time or volume can be."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return bool(-MAX_NUMBER < value < MAX_NUMBER)  # False for NaN and infinities too


def value_at(obj: Mapping[str, Any], place: str) -> Any:
    if place.startswith("m."):
        meta = obj.get("m")
        return meta.get(place[2:]) if isinstance(meta, Mapping) else None
    return obj.get(place)


# each reading split once into (wants a string, [(key, inside `m`, place), …]): the hot path
_PLANS: Final = {
    id(table): {
        what: (kind == STR, [(p.removeprefix("m."), p.startswith("m."), p) for p in places])
        for what, (kind, places) in table.items()
    }
    for table in (SEGMENT, TRACK)
}


def found(obj: Mapping[str, Any], what: str, table: Table = SEGMENT) -> tuple[str | None, Any]:
    """(place, value) of the first place holding `what` with the right kind, else (None, None)."""
    strings, places = _PLANS[id(table)][what]
    for key, in_meta, place in places:
        if in_meta:
            meta = obj.get("m")
            value = meta.get(key) if meta is not None and isinstance(meta, Mapping) else None
        else:
            value = obj.get(key)
        if value is not None and (isinstance(value, str) if strings else is_number(value)):
            return place, value
    return None, None


def read(obj: Mapping[str, Any], what: str, table: Table = SEGMENT) -> Any:
    """The value of `what` wherever `obj` keeps it (None: nowhere, or not of the right kind)."""
    return found(obj, what, table)[1]


def write_at(seg: dict[str, Any], place: str, value: Any, missing: Any) -> None:
    """Set (or, for `missing`, remove) the value at `place` of a segment being written."""
    if place.startswith("m."):
        meta = seg["m"] = dict(seg["m"]) if isinstance(seg.get("m"), Mapping) else {}
        seg, place = meta, place[2:]
    if value is missing:
        seg.pop(place, None)
    else:
        seg[place] = value


def track_type(track: Mapping[str, Any]) -> int | None:
    """The track's `tt` when it is an integer (None otherwise: kept, never read)."""
    tt = track.get("tt")
    return tt if isinstance(tt, int) and not isinstance(tt, bool) else None


def is_text(seg: Mapping[str, Any], tt: int | None) -> bool:
    return read(seg, "text") is not None or tt == 7 or read(seg, "kind") in ("title", "subtitle")
