"""The draft as a DataFrame (columns and dtypes: docs/draft-format.md). `_row` reads each
reading's first place inline and only falls back to `_read.read` for drafts that keep values
elsewhere: `benchmarks/bench_draft.py` holds it within 3x `pd.json_normalize`.
"""

from __future__ import annotations

from itertools import chain
from typing import Any, Final

import numpy as np
import pandas as pd

from . import _read
from ._model import NO_TYPE, SCALARS, Draft, clone, track_type_label

# frame column -> the reading it shows; its first place is the segment key it maps to
READ_COLUMNS: Final = {
    "segment": "id",
    "start": "start",
    "duration": "duration",
    "source": "source",
    "volume": "volume",
    "kind": "kind",
    "name": "name",
    "text": "text",
}
COLUMNS: Final = [
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
_RESERVED: Final = frozenset(COLUMNS)
OWN_KEYS: Final = {_read.SEGMENT[w][1][0]: c for c, w in READ_COLUMNS.items()}  # key -> column
_BASE_TYPES: Final = ["video", "audio", "text"]
_MS: Final = frozenset({"start", "end", "duration"})


def key_for(column: str) -> str | None:
    """The segment key an other-key column holds (None for the frame's own columns)."""
    if column in _RESERVED:
        return None
    return column[3:] if column.startswith("sg.") else column


_M: Final = _read.MAX_NUMBER
_SHOWN: Final = COLUMNS[2:]  # what `_row` gives, in order


def _ms(value: Any) -> Any:
    return value if type(value) is int else round(value)


def _slow(raw: Any, what: str, value: Any) -> tuple[Any, Any]:
    """(shown, reading) when the first place of a reading did not hold the common type."""
    found = _read.read(raw, what)
    return (value, None) if found is None else (found, found)


# the places besides the first ones; a segment without any has nothing more to look up
_ELSEWHERE: Final = frozenset(
    p.split(".")[0] for _, places in _read.SEGMENT.values() for p in places[1:]
)


def _row(raw: Any) -> tuple[Any, ...]:
    """The cells of one segment in `_SHOWN` order. The first place of each reading is tried
    inline (the common case); anything else goes through `_read.read`."""
    get = raw.get
    more = not _ELSEWHERE.isdisjoint(raw)
    sid = get("id")
    if type(sid) is not str and (more or sid is not None):
        sid = _slow(raw, "id", sid)[0]
    st = sr = get("st")
    if type(st) is not int or not -_M < st < _M:
        st, sr = _slow(raw, "start", st) if more or st is not None else (None, None)
        if sr is not None:
            st = sr = _ms(sr)
    d = dr = get("d")
    if type(d) is not int or not -_M < d < _M:
        d, dr = _slow(raw, "duration", d) if more or d is not None else (None, None)
        if dr is not None:
            d = dr = _ms(dr)
    src = get("src")
    if type(src) is not str and (more or src is not None):
        src = _slow(raw, "source", src)[0]
    v = get("v")
    if type(v) is not float and (more or v is not None):
        v = _slow(raw, "volume", v)[0]
    k = get("k")
    if type(k) is not str and (more or k is not None):
        k = _slow(raw, "kind", k)[0]
    nm = rn = get("nm")
    if type(nm) is not str:
        nm, rn = _slow(raw, "name", nm) if more or nm is not None else (None, None)
    txt = rt = get("txt")
    if type(txt) is not str:
        txt, rt = _slow(raw, "text", txt) if more or txt is not None else (None, None)
    end = None if sr is None or dr is None else sr + dr
    return (sid, st, end, d, rn if rt is None else rt, src, v, k, nm, txt)


class Shown:
    """What `draft_to_frame` shows, as plain lists: one per column, one cell per segment."""

    def __init__(self, model: Draft) -> None:
        self.model = model
        self.segs: list[Any] = []  # the segments' dicts, in frame order
        self.track_of: list[int] = []
        for t, track in enumerate(model.items):
            self.segs += [s.raw for s in track.items]
            self.track_of += [t] * len(track.items)
        self.labels = [track_type_label(t.type) for t in model.items]
        rows = list(map(_row, self.segs))
        shown = [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in _SHOWN]
        label_of = self.labels
        self.cells: dict[str, list[Any]] = {
            "track": self.track_of,
            "track_type": [label_of[t] for t in self.track_of],
            **dict(zip(_SHOWN, shown, strict=True)),
        }
        self.cells = {c: self.cells[c] for c in COLUMNS}
        for key in dict.fromkeys(chain.from_iterable(self.segs)):
            if key not in OWN_KEYS:
                reserved = key in _RESERVED or key.startswith("sg.")
                self.cells[f"sg.{key}" if reserved else key] = [s.get(key) for s in self.segs]
        # the value types of each column that shows a key (None: absent somewhere)
        self.kinds = {
            c: set(map(type, v))
            for c, v in self.cells.items()
            if c not in ("track", "track_type", "end", "label")
        }
        # keys whose values are dicts or lists somewhere: copied, never shared
        self.nested = [key_of(c) for c, kinds in self.kinds.items() if not kinds <= SCALARS]


def key_of(column: str) -> str:
    """The segment key behind any column that shows one (own or other)."""
    key = key_for(column)
    return key if key is not None else _read.SEGMENT[READ_COLUMNS[column]][1][0]


def shown(draft: Any) -> Shown:
    """The cells of `draft_to_frame(draft)` as lists (`DraftError` if it is not a draft)."""
    return Shown(Draft.of(draft))


def objects(values: list[Any]) -> np.ndarray:
    """A 1-d object array of `values` as they are (`np.array` would nest lists into a 2nd axis)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _ints(values: list[Any]) -> Any:
    try:
        return pd.array(values, dtype="Int64")
    except (OverflowError, TypeError, ValueError):  # beyond int64
        return objects(values)


def _array(column: str, values: list[Any], kinds: set[type] | None) -> Any:
    """The column's array with the most useful dtype that holds every value as it is."""
    kinds = (set(map(type, values)) if kinds is None else kinds) - {type(None)}
    if column in _MS:
        return _ints(values) if kinds <= {int} else objects(values)
    if column == "volume":
        if kinds <= {int, float}:
            arr = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
            nan = np.isnan(arr)
            # a NaN or infinity of the draft's own is a foreign value: shown raw, not as missing
            if nan.sum() == values.count(None) and (np.abs(arr[~nan]) < _M).all():
                return arr
        return objects(values)
    if column in _RESERVED:  # the string columns
        return pd.array(values, dtype="str") if kinds <= {str} else objects(values)
    if not kinds:
        return objects(values)
    if all(issubclass(t, int) and not issubclass(t, bool) for t in kinds):
        return _ints(values)
    if all(issubclass(t, (int, float)) and not issubclass(t, bool) for t in kinds):
        try:
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        except OverflowError:
            return objects(values)
    if all(issubclass(t, str) for t in kinds):
        return pd.array(values, dtype="str")
    if kinds == {bool}:
        return pd.array(values, dtype="boolean")
    # cells never share dicts or lists with the draft
    return objects([v if type(v) in SCALARS else clone(v) for v in values])


def _track_types(view: Shown) -> pd.Categorical:
    others = sorted({lb for lb in view.labels if lb not in _BASE_TYPES}, key=_other_order)
    categories = _BASE_TYPES + others
    codes = [categories.index(lb) for lb in view.labels]
    return pd.Categorical.from_codes(
        np.array(codes, dtype=np.int8)[np.array(view.track_of, dtype=np.int64)],
        categories=categories,
    )


def _other_order(label: str) -> tuple[int, int]:
    return (1, 0) if label == NO_TYPE else (0, int(label.split(":", 1)[1]))


def draft_to_frame(draft: Any) -> pd.DataFrame:
    """The draft as a DataFrame, one row per segment in timeline order (`DraftError` if the
    draft is not one; an empty or missing draft gives an empty frame with the same columns)."""
    view = shown(draft)
    data: dict[str, Any] = {}
    for column, values in view.cells.items():
        if column == "track":
            data[column] = np.array(values, dtype=np.int64)
        elif column == "track_type":
            data[column] = _track_types(view)
        else:
            data[column] = _array(column, values, view.kinds.get(column))
    return pd.DataFrame(data, index=pd.RangeIndex(len(view.segs)), copy=False)
