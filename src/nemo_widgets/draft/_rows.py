"""Column-wise comparison of an edited frame with the frame of its base draft.

`Columns.updates()` answers, for every segment key, which rows must write a new value and what
it is; rows and keys it does not name keep the base's value untouched. The rules are described in
`_unframe.py`'s docstring; everything here works on whole columns, so an untouched 100,000-row
frame costs a few vectorised comparisons and no per-row Python.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_numeric_dtype, is_timedelta64_dtype

from ..errors import DraftError
from ._frame import Flat, check_column, key_for
from ._model import MAX_NUMBER, SEGMENT_FIELDS, TEXT_KINDS, track_type_value

__all__ = ["MISSING", "Columns", "ms_floats", "ms_value", "py_value", "same", "same_value"]

MISSING: Any = object()  # an update that removes its key
_TEXT = sorted(TEXT_KINDS)
_MASKED = (pd.arrays.IntegerArray, pd.arrays.FloatingArray, pd.arrays.BooleanArray)
_SPECIAL = frozenset({"track", "track_type", "end", "label", "start", "duration", "text", "name"})


def same(f: pd.Series, b: np.ndarray) -> np.ndarray:
    """Element-wise "shows the same value" of a frame column and an aligned base column
    (NA equals NA)."""
    if _numeric(f.dtype) and _numeric(b.dtype):
        fv = f.to_numpy(np.float64, na_value=np.nan)
        return (fv == b) | (np.isnan(fv) & np.isnan(b))
    # pd.NA == x is NA, which numpy cannot turn into a bool; masked arrays can say None instead
    fo = f.to_numpy(object, na_value=None) if isinstance(f.array, _MASKED) else f.to_numpy(object)
    bo = b.astype(object, copy=False)
    try:
        eq = np.asarray(fo == bo, dtype=bool)  # element-wise, in C
        if eq.shape != fo.shape:
            raise ValueError("not element-wise")
    except (TypeError, ValueError):  # cells holding arrays or pd.NA: compare one by one
        fna, bna = pd.isna(fo), pd.isna(bo)
        pairs = zip(fo, bo, strict=True)
        eq = np.fromiter((same_value(x, y) for x, y in pairs), dtype=bool, count=len(fo))
        return np.where(fna | bna, fna & bna, eq)
    # only unequal cells can be two NAs (NaN != NaN); checking just those keeps this one pass
    rest = np.flatnonzero(~eq)
    if len(rest):
        eq[rest] = pd.isna(fo[rest]) & pd.isna(bo[rest])
    return eq


def _numeric(dtype: Any) -> bool:
    return is_numeric_dtype(dtype) and not is_bool_dtype(dtype)


def same_value(x: Any, y: Any) -> bool:
    """`x == y` as a plain bool, False when the comparison has no truth value."""
    try:
        return bool(x == y)
    except (TypeError, ValueError):  # arrays and other values without a plain truth value
        return False


def ms_floats(s: pd.Series, name: str, index: pd.Index) -> np.ndarray:
    """A column of milliseconds (numbers or Timedelta) as floats, NaN where missing."""
    if is_timedelta64_dtype(s.dtype):
        ns = s.to_numpy("timedelta64[ns]")
        out = np.where(np.isnat(ns), np.nan, ns.astype(np.int64) / 1e6)
    elif _numeric(s.dtype):
        out = s.to_numpy(np.float64, na_value=np.nan)
    else:
        vals = s.to_numpy(object)
        out = np.empty(len(vals))
        for i, v in enumerate(vals):
            if v is None or v is pd.NA or v is pd.NaT:
                out[i] = np.nan
            elif isinstance(v, pd.Timedelta):
                out[i] = v.value / 1e6
            elif isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)):
                out[i] = float(v)
            else:
                raise DraftError(f"row {index[i]!r}, column {name!r}: {v!r:.40} is not a number")
    bad = ~np.isnan(out) & ~(np.abs(out) < MAX_NUMBER)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise DraftError(f"row {index[i]!r}, column {name!r}: {out[i]!r} is not a valid time")
    return out


def ms_value(x: float) -> Any:
    """A float from `ms_floats` as a draft value: int when whole, MISSING for NaN."""
    if np.isnan(x):
        return MISSING
    return int(x) if float(x).is_integer() else float(x)


def py_value(v: Any) -> Any:
    """A frame cell as a plain JSON-like Python value."""
    if isinstance(v, np.generic):
        return v.item()
    return v


class Columns:
    """An edited frame next to the (private) columns of its base, rows already matched."""

    def __init__(
        self, df: pd.DataFrame, bf: dict[str, Any], flat: Flat, ref: np.ndarray, own: np.ndarray
    ) -> None:
        self.df, self.bf, self.flat, self.ref, self.own = df, bf, flat, ref, own
        self.has_ref = ref >= 0
        self.new = ~self.has_ref
        self._take = np.maximum(ref, 0)
        # every base row still in its place: base columns need no reordering copy
        self._aligned = len(ref) == len(flat.segs) and bool((ref == np.arange(len(ref))).all())
        self._edited: dict[str, np.ndarray] = {}

    def frame(self, c: str) -> pd.Series | None:
        """Column `c` of the edited frame, positional (None if absent)."""
        return self.df[c].reset_index(drop=True) if c in self.df.columns else None

    def base(self, c: str) -> np.ndarray | None:
        """Column `c` of the base frame, aligned to the edited rows (None if absent)."""
        if c not in self.bf or not len(self.flat.segs):
            return None
        return self.bf[c] if self._aligned else self.bf[c][self._take]

    def edited(self, c: str) -> np.ndarray:
        """Rows with a base segment whose cell in `c` no longer shows the base's value."""
        if c not in self._edited:
            f, b = self.frame(c), self.base(c)
            if f is None or not self.has_ref.any():
                out = np.zeros(len(self.df), dtype=bool)
            elif b is None:
                out = self.has_ref & f.notna().to_numpy()
            else:
                out = self.has_ref & ~same(f, b)
            self._edited[c] = out
        return self._edited[c]

    def _present(self, c: str) -> np.ndarray:
        """New rows with a value in column `c`."""
        f = self.frame(c)
        if f is None or not self.new.any():
            return np.zeros(len(self.df), bool)
        return self.new & f.notna().to_numpy()

    def _where(self, r: int, c: str) -> str:
        return f"row {self.df.index[r]!r}, column {c!r}"

    def _values(self, c: str, key: str, rows: np.ndarray) -> list[Any]:
        """The new values of `key` from column `c` at `rows`, checked, types kept."""
        f = self.frame(c)
        assert f is not None
        na = f.isna().to_numpy()[rows].tolist()
        cells = f.to_numpy(object)[rows].tolist()
        vals: list[Any] = [None if n else v for v, n in zip(cells, na, strict=True)]
        types = set(map(type, vals))
        if any(issubclass(t, np.generic) for t in types):
            vals = list(map(py_value, vals))
            types = set(map(type, vals))
        spec = SEGMENT_FIELDS.get(key)
        if spec is not None:
            check_column(vals, spec[1], types, lambda i: self._where(int(rows[i]), c))
        base_vals = self.flat.raw.get(key)
        if base_vals is not None and any(issubclass(t, float) for t in types):
            for i, (v, r) in enumerate(zip(vals, rows.tolist(), strict=True)):
                whole = isinstance(v, float) and v.is_integer() and self.has_ref[r]
                if whole and type(base_vals[self.ref[r]]) is int:
                    vals[i] = int(v)  # an int edited through a float column stays an int
        return [MISSING if n else v for v, n in zip(vals, na, strict=True)]

    def updates(self) -> dict[str, tuple[np.ndarray, list[Any]]]:
        """key -> (rows, new values) for every key that some row must write."""
        out: dict[str, tuple[np.ndarray, list[Any]]] = {}
        for c in self.df.columns:
            if c in _SPECIAL:
                continue
            key = key_for(c)
            if key is None:  # `track`, `end`, …: handled below, not a key of their own
                continue
            rows = np.flatnonzero(self.edited(c) | (self._present(c)))
            if len(rows):
                out[key] = (rows, self._values(c, key, rows))
        out.update(self._times())
        out.update(self._texts())
        return {k: v for k, v in out.items() if len(v[0])}

    def _ms(self, c: str) -> np.ndarray:
        f = self.frame(c)
        if f is None:  # a dropped column: the base's values stand
            b = self.base(c)
            if b is None:
                return np.full(len(self.df), np.nan)
            return np.where(self.has_ref, ms_floats(pd.Series(b), c, self.df.index), np.nan)
        return ms_floats(f, c, self.df.index)

    def _times(self) -> dict[str, tuple[np.ndarray, list[Any]]]:
        fs, fe, fd = self._ms("start"), self._ms("end"), self._ms("duration")
        es, ee, ed = self.edited("start"), self.edited("end"), self.edited("duration")
        start0 = np.where(np.isnan(fs), 0.0, fs)
        by_end = ~np.isnan(fe) & (self.new & np.isnan(fd) | ee & ~ed)
        d = np.where(by_end, fe - start0, fd)
        st_rows = np.flatnonzero(es | (self.new & ~np.isnan(fs)))
        d_rows = np.flatnonzero(ed | (by_end & self.has_ref) | (self.new & ~np.isnan(d)))
        return {
            "st": (st_rows, [ms_value(x) for x in fs[st_rows]]),
            "d": (d_rows, [ms_value(x) for x in d[d_rows]]),
        }

    def _to_txt(self) -> np.ndarray:
        """Rows whose `label` is their text (text segments), else their name."""
        flat, take = self.flat, self._take
        if len(flat.segs):
            kinds = pd.Series(self.bf["kind"], dtype=object, copy=False)
            base_text = pd.notna(self.bf["text"]) | kinds.isin(_TEXT).to_numpy(bool)
            types = np.array([tt == 7 for tt in flat.types], dtype=bool)
            base_text = base_text | types[flat.track_of]
            out = self.has_ref & base_text[take]
        else:
            out = np.zeros(len(self.df), dtype=bool)
        if not self.new.any():
            return out
        tt, kind = self.frame("track_type"), self.frame("kind")
        new_text = self._present("text")
        if tt is not None:
            new_text = new_text | tt.astype(object).isin(["text"]).to_numpy(bool)
        if kind is not None:
            new_text = new_text | kind.astype(object).isin(_TEXT).to_numpy(bool)
        return out | (self.new & new_text)

    def _texts(self) -> dict[str, tuple[np.ndarray, list[Any]]]:
        out = {}
        label_e = self.edited("label") | (self._present("label"))
        # where to_txt decides is only where a label was written
        to_txt = self._to_txt() if label_e.any() else np.zeros(len(self.df), dtype=bool)
        for key, c, mine in (("txt", "text", to_txt), ("nm", "name", ~to_txt)):
            own_e = self.edited(c) | (self._present(c))
            via_label = label_e & mine
            rows = np.flatnonzero(own_e | via_label)
            if not len(rows):
                continue
            from_col = self._values(c, key, rows) if self.frame(c) is not None else None
            from_label = (
                self._values("label", key, rows) if self.frame("label") is not None else None
            )
            vals = []
            for i, r in enumerate(rows.tolist()):
                a = from_col[i] if from_col is not None and own_e[r] else None
                b = from_label[i] if from_label is not None and via_label[r] else None
                if a is not None and b is not None and a != b:
                    raise DraftError(
                        f"row {self.df.index[r]!r}: label {b!r:.40} and {c} {a!r:.40} disagree; "
                        f"edit one of them"
                    )
                vals.append(a if a is not None else b)
            out[key] = (rows, vals)
        return out

    def track_types(self, targets: np.ndarray, nbt: int) -> dict[int, int | None]:
        """The `tt` of new tracks and of base tracks whose `track_type` cells were edited."""
        f = self.frame("track_type")
        if f is None:
            return {}
        edited = self.edited("track_type")
        rows = np.flatnonzero((targets >= nbt) | edited)
        labels = f.to_numpy(object)[rows]
        wanted: dict[int, set[Any]] = {}
        for r, label in zip(rows.tolist(), labels, strict=True):
            t = int(targets[r])
            if not pd.isna(label):
                wanted.setdefault(t, set()).add(label)
        out: dict[int, int | None] = {}
        for t, found in wanted.items():
            if len(found) > 1:
                raise DraftError(f"track {t}: rows disagree on its track_type: {sorted(found)}")
            out[t] = track_type_value(str(found.pop()), f"track {t}")
        return out
