"""The draft as a DataFrame: one row per segment, in timeline order (tracks bottom to top).

Times are **integer milliseconds** in nullable `Int64` columns `start`, `end` and `duration`
(`<NA>` where the draft has no value): exact, no float drift, and `df.end - df.start`,
`df.duration.sum()` or `df[df.start >= 3000]` work as integers. For a Timedelta view use
`pd.to_timedelta(df.start, unit="ms")`; `frame_to_draft` also accepts Timedelta columns back.

Columns, in order: `track` (index in `t`), `track_type` (categorical video / audio / text /
`other:<n>`), `segment` (`id`), `start` (`st`), `end` (`st + d`, derived), `duration` (`d`),
`label` (the text of a text segment, else its name; derived, editable), `source` (`src`),
`volume` (`v`, 0-1, float), `kind` (`k`), `name` (`nm`), `text` (`txt`), then every other
segment key under its own name, in first-seen order. A key that collides with one of these
names (or starts with `sg.`) is shown as `sg.<key>`. Other columns get an inferred dtype
(`Int64` for integers, float, `str`, `boolean`, else `object`).
"""

from __future__ import annotations

import copy
import gc
import marshal
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from itertools import chain, repeat
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DraftError
from ._model import (
    MAX_NUMBER,
    NO_TYPE,
    NUM,
    SEGMENT_FIELDS,
    check_keys,
    check_top,
    check_track,
    check_types,
    check_value,
    track_type_label,
)

__all__ = [
    "COLUMNS",
    "Flat",
    "build_frame",
    "bulk",
    "check_column",
    "clone",
    "clone_all",
    "column_for",
    "columns",
    "draft_to_frame",
    "flatten",
    "key_for",
    "objects",
]

# frame column -> segment key for the columns that map one-to-one to a key
KEY_COLUMNS = {
    "segment": "id",
    "start": "st",
    "duration": "d",
    "source": "src",
    "volume": "v",
    "kind": "k",
    "name": "nm",
    "text": "txt",
}
COLUMNS = [
    "track",
    "track_type",
    "segment",
    "start",
    "end",
    "duration",
    "label",
    "source",
    "volume",
    "kind",
    "name",
    "text",
]
_RESERVED = frozenset(COLUMNS)
_COLUMN_OF = {key: col for col, key in KEY_COLUMNS.items()}
_BASE_TYPES = ["video", "audio", "text"]
_CONTAINERS = (dict, list)


def column_for(key: str) -> str:
    """The frame column that shows segment key `key`."""
    if key in _COLUMN_OF:
        return _COLUMN_OF[key]
    return f"sg.{key}" if key in _RESERVED or key.startswith("sg.") else key


def key_for(column: str) -> str | None:
    """The segment key a frame column writes to (None for `track`, `track_type`, derived)."""
    if column in _RESERVED:
        return KEY_COLUMNS.get(column)
    return column[3:] if column.startswith("sg.") else column


@dataclass
class Flat:
    """A checked draft flattened column-wise: what both directions of the frame work from."""

    top: dict[str, Any]  # the draft's own keys
    tracks: list[Mapping[str, Any]]
    types: list[int | None]  # `tt` of each track
    segs: list[Mapping[str, Any]]  # every segment, in frame order
    track_of: np.ndarray  # track index of each segment
    raw: dict[str, list[Any]]  # key -> value per segment (None when absent), first-seen order
    containers: frozenset[str]  # keys with dict or list values (copied, never shared)
    nums: dict[str, np.ndarray]  # known number keys as floats, 0 where absent
    seen: dict[str, set[type]]  # the value types of each key (NoneType: absent somewhere)


def _where(flat_tracks: list[int], i: int) -> str:
    """'track T, segment S' (1-based) of flat segment `i`."""
    j = i
    for t, n in enumerate(flat_tracks):
        if j < n:
            return f"track {t + 1}, segment {j + 1}"
        j -= n
    return f"segment {i + 1}"


def flatten(draft: Any) -> Flat:
    """Check `draft` (None and `{}` are empty) and flatten its segments column-wise."""
    tracks, top = check_top(draft)
    tracks = tracks or []
    types: list[int | None] = []
    lists: list[list[Any]] = []
    for i, track in enumerate(tracks):
        tt, sg, _ = check_track(track, f"track {i + 1}")
        types.append(tt)
        lists.append(sg or [])
    lengths = [len(s) for s in lists]
    segs: list[Any] = list(chain.from_iterable(lists))
    seg_types = set(map(type, segs))
    for t in seg_types:
        if not issubclass(t, Mapping):
            i = next(i for i, s in enumerate(segs) if type(s) is t)
            raise DraftError(f"{_where(lengths, i)} must be an object, not {t.__name__}")
    keys = list(dict.fromkeys(chain.from_iterable(segs)))
    if any(not isinstance(k, str) for k in keys):
        i = next(i for i, s in enumerate(segs) if any(not isinstance(k, str) for k in s))
        check_keys(segs[i], _where(lengths, i))
    if seg_types <= {dict}:  # the unbound method, mapped in C: 10-20 % faster
        raw = {key: list(map(dict.get, segs, repeat(key))) for key in keys}
    else:
        raw = {key: [s.get(key) for s in segs] for key in keys}
    containers = set()
    nums: dict[str, np.ndarray] = {}
    seen: dict[str, set[type]] = {}
    for key, values in raw.items():
        types_seen = seen[key] = set(map(type, values))
        spec = SEGMENT_FIELDS.get(key)
        if spec is not None:
            where = partial(_key_where, lengths, key)
            arr = check_column(values, spec[1], types_seen, where)
            if arr is not None:
                nums[key] = arr
        if any(issubclass(t, _CONTAINERS) for t in types_seen):
            containers.add(key)
    track_of = np.repeat(np.arange(len(tracks), dtype=np.int64), lengths)
    return Flat(top, tracks, types, segs, track_of, raw, frozenset(containers), nums, seen)


def _key_where(lengths: list[int], key: str, i: int) -> str:
    return f"{_where(lengths, i)} key {key!r}"


def check_column(
    values: list[Any], kind: str, seen: set[type], where: Callable[[int], str]
) -> np.ndarray | None:
    """Check a column of one known key's values (None: absent) as a whole, per value only to
    name the culprit (`where(i)` says where value i is). Numbers come back as floats, 0 where
    absent."""
    try:
        check_types(seen, kind, "")
        if kind != NUM:
            return None
        filled = [0 if v is None else v for v in values] if type(None) in seen else values
        arr = np.array(filled, dtype=np.float64)
        if (np.abs(arr) < MAX_NUMBER).all():  # also false for NaN and infinities
            return arr
    except (DraftError, OverflowError):
        pass
    for i, v in enumerate(values):
        if v is not None:
            check_value(v, kind, where(i))
    return None


def _ms(flat: Flat, key: str, private: bool) -> Any:
    """A checked number key (ms) as `Int64`; non-integral values are rounded for display only.
    Private: the same values as floats (NaN where absent)."""
    n = len(flat.segs)
    if key not in flat.raw:
        return np.full(n, np.nan) if private else pd.array([None] * n, dtype="Int64")
    values, seen = flat.raw[key], flat.seen[key]
    if seen <= {int}:  # nothing absent, nothing to round
        ints = np.array(values, dtype=np.int64)
        return (
            ints.astype(np.float64) if private else pd.arrays.IntegerArray(ints, np.zeros(n, bool))
        )
    absent = _absent(values, seen)
    nums = np.rint(flat.nums[key])
    if private:
        return np.where(absent, np.nan, nums)
    return pd.arrays.IntegerArray(nums.astype(np.int64), absent)


def _absent(values: list[Any], seen: set[type]) -> np.ndarray:
    if type(None) not in seen:
        return np.zeros(len(values), dtype=bool)
    return np.fromiter((v is None for v in values), dtype=bool, count=len(values))


def objects(values: list[Any]) -> np.ndarray:
    """A 1-d object array of `values` as they are, 1.5-15x faster than `np.array(values,
    dtype=object)`, which looks into each value (for lists to nest, for an array interface)."""
    try:
        return np.fromiter(values, dtype=object, count=len(values))
    except ValueError:  # numpy < 1.23 cannot make object arrays from an iterator
        out = np.empty(len(values), dtype=object)
        out[:] = values
        return out


def _strings(values: list[Any], private: bool = False) -> Any:
    if private:  # compared, never shown: the plain object array is enough and cheaper
        return objects(values)
    return pd.array(values, dtype="str")


def clone(value: Any) -> Any:
    """A copy of a JSON-like value: dicts and lists copied all the way down (much faster than
    `copy.deepcopy`, which the 100,000-segment benchmark could not afford)."""
    t = type(value)
    if t is dict:
        return {k: clone(v) if isinstance(v, _CONTAINERS) else v for k, v in value.items()}
    if t is list:
        return [clone(v) if isinstance(v, _CONTAINERS) else v for v in value]
    if isinstance(value, _CONTAINERS):  # subclasses: keep their type
        return copy.deepcopy(value)
    return value


def clone_all(values: list[Any]) -> list[Any]:
    """`[clone(v) for v in values]`, 2-3x faster: a marshal round-trip copies plain JSON-like
    data in C with exact types (1 stays int, 1.0 float, -0.0 and NaN as they are)."""
    try:
        return marshal.loads(marshal.dumps(values))
    except ValueError:  # anything marshal does not take as it is: subclasses, other objects
        return [clone(v) for v in values]


def _infer(values: list[Any], seen: set[type], containers: bool, private: bool) -> Any:
    """An array for a column of other segment keys, with the most useful dtype that fits."""
    seen = seen - {type(None)}
    if not seen:
        return objects(values)
    if all(issubclass(t, int) and not issubclass(t, bool) for t in seen):
        if private:  # the same ints, unconverted
            return objects(values)
        try:
            return pd.array(values, dtype="Int64")
        except (OverflowError, TypeError, ValueError):
            return objects(values)
    if all(issubclass(t, (int, float)) and not issubclass(t, bool) for t in seen):
        try:
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        except OverflowError:
            return objects(values)
    if all(issubclass(t, str) for t in seen):
        return _strings(values, private)
    if seen == {bool}:
        return objects(values) if private else pd.array(values, dtype="boolean")
    return objects(clone_all(values) if containers else values)


def build_frame(flat: Flat) -> pd.DataFrame:
    """The DataFrame of a flattened draft (see the module docstring for its columns)."""
    return pd.DataFrame(columns(flat), index=pd.RangeIndex(len(flat.segs)), copy=False)


def columns(flat: Flat, private: bool = False) -> dict[str, Any]:
    """The frame's columns as arrays. Cells never share dicts or lists with the draft.

    A `private` set is only compared with, never shown: it shows the same values in cheaper
    arrays (floats for ms, objects for strings and booleans) and may share nested values."""
    raw, n = flat.raw, len(flat.segs)
    nothing: list[Any] = [None] * n

    def col(key: str) -> list[Any]:
        return raw.get(key, nothing)

    labels = [track_type_label(tt) for tt in flat.types]
    if private:
        track_type: Any = np.array([*labels, None], dtype=object)[flat.track_of]
    else:
        others = sorted({lb for lb in labels if lb not in _BASE_TYPES}, key=_other_order)
        categories = _BASE_TYPES + others
        codes = np.array([categories.index(lb) for lb in labels], dtype=np.int8)
        track_type = pd.Categorical.from_codes(codes[flat.track_of], categories=categories)
    start, duration = _ms(flat, "st", private), _ms(flat, "d", private)
    txt, nm = col("txt"), col("nm")
    if private:  # the same values, built in C
        txt_arr = objects(txt)
        label: Any = np.where(pd.notna(txt_arr), txt_arr, objects(nm))
    else:
        label = [t if t is not None else m for t, m in zip(txt, nm, strict=True)]
    if "v" in flat.raw:
        volume = np.where(_absent(raw["v"], flat.seen["v"]), np.nan, flat.nums["v"])
    else:
        volume = np.full(n, np.nan)
    data: dict[str, Any] = {
        "track": flat.track_of,
        "track_type": track_type,
        "segment": _strings(col("id"), private),
        "start": start,
        "end": start + duration,
        "duration": duration,
        "label": _strings(label, private),
        "source": _strings(col("src"), private),
        "volume": volume,
        "kind": _strings(col("k"), private),
        "name": _strings(nm, private),
        "text": _strings(txt, private),
    }
    for key, values in raw.items():
        if key not in _COLUMN_OF:
            nested = key in flat.containers and not private
            data[column_for(key)] = _infer(values, flat.seen[key], nested, private)
    return data


def _other_order(label: str) -> tuple[int, int]:
    return (1, 0) if label == NO_TYPE else (0, int(label.split(":", 1)[1]))


@contextmanager
def bulk() -> Iterator[None]:
    """Pause the cycle collector while building: it would otherwise walk the whole heap
    (the draft's 100,000 dicts included) again and again while new objects are made, and
    nothing built here forms a cycle. Restored on exit, exceptions included."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def draft_to_frame(draft: Any) -> pd.DataFrame:
    """The draft as a DataFrame, one row per segment in timeline order (`DraftError` if the
    draft is not one; an empty or missing draft gives an empty frame with the same columns)."""
    with bulk():
        return build_frame(flatten(draft))
