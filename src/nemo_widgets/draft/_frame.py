"""The draft as a DataFrame (columns and dtypes: docs/draft-format.md); every cell is a
`_read.read` (`benchmarks/bench_draft.py` holds it within 3x `pd.json_normalize`)."""

from __future__ import annotations

from itertools import chain
from typing import Any, Final

import numpy as np
import pandas as pd

from . import _read
from ._model import NO_TYPE, SCALARS, Draft, clone

# frame column -> the reading it shows; the reading's first place is the column's segment key
READ_COLUMNS: Final = {
    "segment": "id",
    **{w: w for w in ("start", "duration", "source", "volume", "kind", "name", "text")},
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
_KEYS: Final = {c: _read.SEGMENT[w][1][0] for c, w in READ_COLUMNS.items()}  # column -> key
_BASE_TYPES: Final = ["video", "audio", "text"]
_MS: Final = frozenset({"start", "end", "duration"})


def _readings(segs: list[Any], what: str) -> list[Any]:
    """`_read.read(s, what)` of every segment, a plain first-place value at once (bench budget)."""
    kind, places = _read.SEGMENT[what]
    key, read, big = places[0], _read.read, _read.MAX_NUMBER
    if kind == _read.STR:
        return [v if type(v := s.get(key)) is str else read(s, what) for s in segs]
    return [
        v if type(v := s.get(key)) in (int, float) and -big < v < big else read(s, what)
        for s in segs
    ]


def _shown(segs: list[Any]) -> dict[str, list[Any]]:
    """The reading columns, `end` and `label`; a value of a foreign kind is shown as it is."""
    got = {c: _readings(segs, w) for c, w in READ_COLUMNS.items()}
    for c in ("start", "duration"):
        got[c] = [None if v is None else round(v) for v in got[c]]
    cells = {
        c: [s.get(key) if v is None else v for s, v in zip(segs, got[c], strict=True)]
        for c, key in _KEYS.items()
    }
    cells["end"] = [
        None if a is None or b is None else a + b
        for a, b in zip(got["start"], got["duration"], strict=True)
    ]
    cells["label"] = [n if t is None else t for t, n in zip(got["text"], got["name"], strict=True)]
    return {c: cells[c] for c in COLUMNS[2:]}


class Shown:
    """What `draft_to_frame` shows, as plain lists: one per column, one cell per segment."""

    def __init__(self, draft: Any) -> None:
        self.model = model = Draft.of(draft)
        self.segs: list[Any] = [s.raw for track in model.items for s in track.items]
        self.track_of = [t for t, track in enumerate(model.items) for _ in track.items]
        self.labels = [t.type_label for t in model.items]
        self.cells: dict[str, list[Any]] = {
            "track": self.track_of,
            "track_type": [self.labels[t] for t in self.track_of],
            **_shown(self.segs),
        }
        for key in dict.fromkeys(chain.from_iterable(self.segs)):
            if key not in _KEYS.values():
                reserved = key in _RESERVED or key.startswith("sg.")
                self.cells[f"sg.{key}" if reserved else key] = [s.get(key) for s in self.segs]
        self.nested = [  # the keys holding dicts or lists somewhere: copied, never shared
            _KEYS.get(c) or c.removeprefix("sg.")
            for c, v in self.cells.items()
            if c not in ("track", "track_type", "end", "label") and not set(map(type, v)) <= SCALARS
        ]


def objects(values: list[Any]) -> np.ndarray:
    """A 1-d object array of `values` as they are (`np.array` would nest lists into a 2nd axis)."""
    return np.fromiter(values, dtype=object, count=len(values))


def _ints(values: list[Any]) -> Any:
    try:
        return pd.array(values, dtype="Int64")
    except (OverflowError, TypeError, ValueError):  # beyond int64
        return objects(values)


def _array(column: str, values: list[Any]) -> Any:
    """The column's array with the most useful dtype that holds every value as it is."""
    if column == "track":
        return np.array(values, dtype=np.int64)
    if column == "track_type":  # video, audio, text, other:<n> by n, other:none
        others = sorted(set(values) - {*_BASE_TYPES, NO_TYPE}, key=lambda v: int(v[6:]))
        others += [NO_TYPE] if NO_TYPE in values else []
        return pd.Categorical(values, categories=_BASE_TYPES + others)
    kinds = set(map(type, values)) - {type(None)}
    if column in _MS:
        return _ints(values) if kinds <= {int} else objects(values)
    if column == "volume":  # a NaN or infinity of the draft's own is foreign: shown raw, not as NaN
        if all(v is None or _read.is_number(v) for v in values):
            return np.array([np.nan if v is None else float(v) for v in values], dtype=float)
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


def draft_to_frame(draft: Any) -> pd.DataFrame:
    """The draft as a DataFrame, one row per segment in timeline order (`DraftError` if the
    draft is not one; an empty or missing draft gives an empty frame with the same columns)."""
    view = Shown(draft)
    data = {column: _array(column, values) for column, values in view.cells.items()}
    return pd.DataFrame(data, index=pd.RangeIndex(len(view.segs)), copy=False)
