"""The draft as a DataFrame: one row per segment, in timeline order (tracks bottom to top).

Times are **integer milliseconds** in nullable `Int64` columns `start`, `end` and `duration`
(`<NA>` where the draft has no value): exact, no float drift, and `df.end - df.start`,
`df.duration.sum()` or `df[df.start >= 3000]` work as integers. For a Timedelta view use
`pd.to_timedelta(df.start, unit="ms")`; `frame_to_draft` also accepts Timedelta columns back.

Columns, in order: `track` (index in `t`), `track_type` (categorical video / audio / text /
`other:<n>`), `segment` (`id`), `start` (`st`), `end` (`start + duration`, derived), `duration`
(`d`), `label` (the text of a segment, else its name; derived, editable), `source` (`src`),
`volume` (`v`, 0-1, float), `kind` (`k`), `name` (`nm`), `text` (`txt`), then every other
segment key under its own name, in first-seen order. A key that collides with one of these
names (or starts with `sg.`) is shown as `sg.<key>`. Other columns get an inferred dtype
(`Int64` for integers, float, `str`, `boolean`, else `object`).

`start`, `name`, `text` and `volume` show the value wherever the draft keeps it (`_read.py`:
`st`/`s`/`start`, `nm`/`name`/`m.name`, …). Where one of our keys holds a value of another kind
(`"v": false`, `"st": "12"`), the cell shows that raw value and the column becomes `object`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Final

import numpy as np
import pandas as pd

from . import _read
from ._model import NO_TYPE, Draft, clone, track_type_label

__all__ = ["COLUMNS", "Shown", "column_for", "draft_to_frame", "key_for", "objects", "shown"]

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
_SCALARS: Final = frozenset({str, int, float, bool, type(None)})
_MS: Final = frozenset({"start", "end", "duration"})


def column_for(key: str) -> str:
    """The frame column that shows segment key `key`."""
    if key in OWN_KEYS:
        return OWN_KEYS[key]
    return f"sg.{key}" if key in _RESERVED or key.startswith("sg.") else key


def key_for(column: str) -> str | None:
    """The segment key an other-key column holds (None for the frame's own columns)."""
    if column in _RESERVED:
        return None
    return column[3:] if column.startswith("sg.") else column


def _ms(value: Any) -> Any:
    return value if type(value) is int else round(value)


def _own(raw: Any, what: str, key: str) -> Any:
    """What a reading column shows: the reading, else a foreign value under our own key."""
    value = _read.read(raw, what)
    return value if value is not None else raw.get(key)


class Shown:
    """What `draft_to_frame` shows, as plain lists: one per column, one cell per segment."""

    def __init__(self, model: Draft) -> None:
        self.model = model
        self.segs: list[Any] = []  # the segments' dicts, in frame order
        self.track_of: list[int] = []
        self.labels = [track_type_label(t.type) for t in model.items]
        cells: dict[str, list[Any]] = {c: [] for c in COLUMNS}
        others: dict[str, list[Any]] = {}
        read, add = _read.read, [cells[c].append for c in COLUMNS]
        for t, track in enumerate(model.items):
            for seg in track.items:
                raw = seg.raw
                n = len(self.segs)
                self.segs.append(raw)
                st, d = read(raw, "start"), read(raw, "duration")
                end = None if st is None or d is None else _ms(st) + _ms(d)
                st = raw.get("st") if st is None else _ms(st)
                d = raw.get("d") if d is None else _ms(d)
                text, name = _own(raw, "text", "txt"), _own(raw, "name", "nm")
                label = read(raw, "text")
                for put, value in zip(
                    add,
                    (
                        t,
                        self.labels[t],
                        _own(raw, "id", "id"),
                        st,
                        end,
                        d,
                        read(raw, "name") if label is None else label,
                        _own(raw, "source", "src"),
                        _own(raw, "volume", "v"),
                        _own(raw, "kind", "k"),
                        name,
                        text,
                    ),
                    strict=True,
                ):
                    put(value)
                for key, value in raw.items():
                    if key not in OWN_KEYS:
                        col = others.get(key)
                        if col is None:
                            col = others[key] = [None] * n
                        col.append(value)
                for col in others.values():
                    if len(col) == n:  # this segment has no such key
                        col.append(None)
        self.track_of = cells["track"]
        self.cells = cells
        self.cells.update({column_for(k): v for k, v in others.items()})


def shown(draft: Any) -> Shown:
    """The cells of `draft_to_frame(draft)` as lists (`DraftError` if it is not a draft)."""
    return Shown(Draft.of(draft))


def objects(values: list[Any]) -> np.ndarray:
    """A 1-d object array of `values` as they are (`np.array` would nest lists into a 2nd axis)."""
    out = np.empty(len(values), dtype=object)
    for i, v in enumerate(values):
        out[i] = v
    return out


def _kinds(values: Iterable[Any]) -> set[type]:
    return set(map(type, values)) - {type(None)}


def _ints(values: list[Any]) -> Any:
    try:
        return pd.array(values, dtype="Int64")
    except (OverflowError, TypeError, ValueError):  # beyond int64
        return objects(values)


def _array(column: str, values: list[Any]) -> Any:
    """The column's array with the most useful dtype that holds every value as it is."""
    kinds = _kinds(values)
    if column in _MS:
        return _ints(values) if kinds <= {int} else objects(values)
    if column == "volume":
        if all(_read.is_number(v) for v in values if v is not None):
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
    return objects([v if type(v) in _SCALARS else clone(v) for v in values])


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
            data[column] = _array(column, values)
    return pd.DataFrame(data, index=pd.RangeIndex(len(view.segs)), copy=False)
