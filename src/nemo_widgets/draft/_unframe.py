"""An edited `draft_to_frame` table back into a draft (rules: docs/draft-format.md); only cells
that no longer show what `draft_to_frame(base)` shows are written, so untouched rows come back."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from itertools import count
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DraftError
from . import _read
from ._frame import READ_COLUMNS, Shown
from ._model import SCALARS, clone, next_duration, track_type_value, whole_ms

_TIMES = ("start", "duration", "end")
MISSING: Any = object()  # a write that removes its key


@dataclass
class Rows:
    """Per row: base segment (-1: new), owns it, track, writes; track_type labels per track."""

    view: Shown
    ref: list[int]
    own: list[bool]
    targets: list[int]
    writes: dict[int, dict[str, Any]] = field(default_factory=dict)
    types: dict[int, set[Any]] = field(default_factory=dict)


def _cells(s: pd.Series) -> list[Any]:
    """A column as plain Python values, None wherever pandas sees a missing value."""
    return s.to_numpy(dtype=object, na_value=None).tolist()


def _same(x: Any, y: Any) -> bool:
    """Whether two cells show one value; None, NaT and a NaN of the draft's own all show missing."""
    if x is y:
        return True
    if x is None or y is None:  # `_cells` turns every NaN into None, the base's too
        v = y if x is None else x
        return v is pd.NaT or (type(v) is float and v != v)
    try:  # NaT equals nothing, not even NaT (the same NaT is caught above)
        return bool(x == y)
    except (TypeError, ValueError):  # arrays and other values without a plain truth value
        return False


def _plain(v: Any) -> Any:
    return v.item() if isinstance(v, np.generic) else None if v is pd.NaT else v


def _match(index: pd.Index, fids: list[Any] | None, view: Shown) -> tuple[list[int], list[bool]]:
    """For each row: the base position it is diffed against (-1: new) and whether it owns it."""
    ids = view.cells["segment"]
    if fids == ids and all(type(i) is str for i in ids) and len(set(ids)) == len(ids):
        return list(range(len(ids))), [True] * len(ids)  # every row in its place: no search
    count = Counter(i for i in ids if type(i) is str)
    unique = {i: p for p, i in enumerate(ids) if type(i) is str and count[i] == 1}
    n, nb = len(index), len(ids)
    ref, own, taken = [-1] * n, [False] * n, [False] * nb
    if fids is not None:
        for r, fid in enumerate(fids):
            p = unique.get(fid) if type(fid) is str else None
            if p is not None:
                ref[r], own[r], taken[p] = p, not taken[p], True
    # rows whose id says nothing (missing, or shared in the base): match by index label
    for r, label in enumerate(index):
        if ref[r] >= 0 or not isinstance(label, (int, np.integer)) or isinstance(label, bool):
            continue
        p = int(label)
        if not 0 <= p < nb or taken[p] or (type(ids[p]) is str and ids[p] in unique):
            continue
        if fids is None or _same(fids[r], ids[p]):  # both None, or the same shared id
            ref[r], own[r], taken[p] = p, True, True
    return ref, own


def _targets(df: pd.DataFrame, ref: list[int], view: Shown) -> list[int]:
    if "track" not in df.columns:
        if any(p < 0 for p in ref):
            raise DraftError("new rows need a `track` column")
        return [view.track_of[p] for p in ref]
    out = []
    for label, v in zip(df.index, _cells(df["track"]), strict=True):
        v = _plain(v)
        if not (_read.is_number(v) and v >= 0 and float(v).is_integer()):
            raise DraftError(f"row {label!r}: track must be an index 0, 1, …, not {v!r:.40}")
        out.append(int(v))
    return out


def _ms(v: Any, where: str) -> float | None:
    """A time cell (number or Timedelta) as ms; None where missing."""
    v = _plain(v)
    if v is None:
        return None
    if isinstance(v, pd.Timedelta):
        v = v.value / 1e6
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise DraftError(f"{where}: {v!r:.40} is not a number")
    if not _read.is_number(v):
        raise DraftError(f"{where}: {v!r:.40} is not a valid time")
    return v


def _ms_value(x: float | None) -> Any:
    return MISSING if x is None else whole_ms(x)


def _place(base: Any, what: str) -> str:
    return _read.found(base or {}, what)[0] or _read.SEGMENT[what][1][0]


def _checked(value: Any, what: str, where: str) -> Any:
    value = _plain(value)
    if value is None:
        return MISSING
    kind = _read.SEGMENT[what][0]
    if not (isinstance(value, str) if kind == _read.STR else _read.is_number(value)):
        name = type(value).__name__
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        extra = " finite" if kind == _read.NUM and number else ""
        raise DraftError(f"{where} must be a{extra} {kind}, not {name} {value!r:.40}")
    return value


def _row_writes(
    where: str, base: Any, tt: int | None, edited: dict[str, Any], cells: dict[str, Any]
) -> dict[str, Any]:
    """place -> value for a row's edited cells; `DraftError` when two columns disagree on one."""
    writes: dict[str, tuple[Any, str]] = {}

    def put(place: str, value: Any, column: str) -> None:
        if place in writes and not _same(writes[place][0], value):
            was, other = writes[place]
            raise DraftError(
                f"{where}: {column} {value!r:.40} and {other} {was!r:.40} disagree; "
                "edit one of them"
            )
        writes[place] = (value, column)

    for column, value in edited.items():
        if column in READ_COLUMNS and column not in _TIMES:
            what = READ_COLUMNS[column]
            put(_place(base, what), _checked(value, what, f"{where}, column {column!r}"), column)
        elif column not in _TIMES and column not in ("track", "track_type", "label"):
            v = _plain(value)
            put(column.removeprefix("sg."), MISSING if v is None else v, column)
    if "label" in edited:
        seg = base if base is not None else {"txt": cells.get("text"), "k": cells.get("kind")}
        what = "text" if _read.is_text(seg, tt) else "name"
        value = _checked(edited["label"], what, f"{where}, column 'label'")
        put(_place(base, what), value, "label")
    if any(c in edited for c in _TIMES):
        fs, fd, fe = (_ms(cells.get(c), f"{where}, column {c!r}") for c in _TIMES)
        if "start" not in cells and base is not None:
            fs = _read.read(base, "start")
        if "start" in edited:
            put(_place(base, "start"), _ms_value(fs), "start")
        if "duration" in edited:
            put("d", _ms_value(fd), "duration")
        elif fe is not None and ("end" in edited or (base is None and fd is None)):
            put("d", _ms_value(fe - (fs or 0)), "end")
    kept = {}
    for place, (value, _) in writes.items():
        old = _read.value_at(base or {}, place)
        kind = value is not MISSING and isinstance(old, bool) == isinstance(value, bool)
        if kind and _same(old, value):
            continue  # the base's own value, of one JSON kind (1 == 1.0 is kept; True is not 1)
        if type(value) is float and value.is_integer() and type(old) is int:
            value = int(value)  # an int edited through a float column stays an int
        kept[place] = clone(value)  # never shared with the frame's cells
    return kept


def _edits(frame: dict[str, list[Any]], ref: list[int], view: Shown) -> dict[int, dict[str, Any]]:
    """row -> {column: cell} of changed cells; whole columns are compared first, in C, as lists."""
    n, nb = len(ref), len(view.segs)
    aligned = n == nb and ref == list(range(nb))
    out: dict[int, dict[str, Any]] = {}
    for column, cells in frame.items():
        base = view.cells.get(column)
        if base is None:
            base = [None] * n
        elif not aligned:
            base = [base[p] if p >= 0 else None for p in ref]
        with suppress(TypeError, ValueError):  # cells without a plain truth value: one by one
            if cells == base:
                continue
        for r, (x, y) in enumerate(zip(cells, base, strict=True)):
            if not _same(x, y):  # a new row's base cells are None: its present cells are edits
                out.setdefault(r, {})[column] = x
    return dict(sorted(out.items()))


def _fresh(prefix: str, used: set[str]) -> Iterator[str]:
    """Ids `<prefix>_<n>` not in `used`, n counting on from the largest seen."""
    pattern = re.compile(rf"{prefix}_(\d+)$")
    last = max((int(m.group(1)) for u in used if (m := pattern.match(u))), default=0)
    return (f"{prefix}_{n}" for n in count(last + 1))  # all beyond every id of that shape


def _segments(rows: Rows) -> list[dict[str, Any]]:
    out = [dict(rows.view.segs[p]) if p >= 0 else {} for p in rows.ref]
    for key in rows.view.nested:  # only keys holding dicts or lists somewhere need a copy
        for seg in out:
            if type(seg.get(key)) not in SCALARS:
                seg[key] = clone(seg[key])
    for r, writes in rows.writes.items():
        for place, value in writes.items():
            _read.write_at(out[r], place, value, MISSING)
    if not all(rows.own):  # new and copied rows keep their id only if no other segment has it
        ids = rows.view.cells["segment"]
        used = {i for i in [*ids, *(s.get("id") for s in out)] if isinstance(i, str)}
        fresh = _fresh("seg", used)
        seen = {ids[p] for p, o in zip(rows.ref, rows.own, strict=True) if o}
        for r, seg in enumerate(out):
            if rows.own[r]:
                continue
            sid, p = seg.get("id"), rows.ref[r]
            if not isinstance(sid, str) or sid in seen or (p >= 0 and sid == ids[p]):
                sid = seg["id"] = next(fresh)
            seen.add(sid)
    return out


def _start(seg: Mapping[str, Any]) -> float:
    st = _read.read(seg, "start")
    return float("inf") if st is None else st


def _order(rows: list[int], ref: list[int], segs: list[dict[str, Any]]) -> list[int]:
    """Frame order, each new row before the first kept row that starts later (ties: by start)."""
    kept = [r for r in rows if ref[r] >= 0]
    if len(kept) in (0, len(rows)):
        return rows
    at = {k: i for i, k in enumerate(kept)}
    starts = [_start(segs[k]) for k in kept]

    def slot(r: int) -> tuple[int, int, float]:  # a new row sorts before the kept row it precedes
        if r in at:
            return at[r], 1, 0
        s = _start(segs[r])
        return next((i for i, k in enumerate(starts) if k > s), len(kept)), 0, s

    return sorted(rows, key=slot)  # stable: equal starts keep frame order


def _default_name(tt: int | None, kinds: set[Any], t: int) -> str:
    if tt == 7:
        return "Subtitles" if kinds == {"subtitle"} else "Title" if kinds == {"title"} else "Text"
    return {0: "Video", 1: "Audio"}.get(tt, f"Track {t + 1}")  # type: ignore[arg-type]


def _types(rows: Rows, renumber: dict[int, int]) -> dict[int, int | None]:
    out: dict[int, int | None] = {}
    for t, found in rows.types.items():
        if len(found) > 1:
            raise DraftError(f"track {t}: rows disagree on its track_type: {sorted(found)}")
        label = str(found.pop())
        if t >= len(rows.view.labels) or label != rows.view.labels[t]:
            out[renumber.get(t, t)] = track_type_value(label, f"track {t}")
    return out


def _tracks(rows: Rows, segs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The output tracks: the base's (types possibly edited) and the new ones, with segments."""
    base = [t.raw for t in rows.view.model.items]
    nbt = len(base)
    renumber = {t: nbt + i for i, t in enumerate(sorted({t for t in rows.targets if t >= nbt}))}
    rows_of: dict[int, list[int]] = {}
    for r, t in enumerate(rows.targets):
        rows_of.setdefault(renumber.get(t, t), []).append(r)
    types = _types(rows, renumber)
    fresh = _fresh("trk", {t["id"] for t in base if isinstance(t.get("id"), str)})
    out: list[dict[str, Any]] = []
    for t in range(nbt + len(renumber)):
        mine = _order(rows_of.get(t, []), rows.ref, segs)
        if t < nbt:
            track = clone({k: v for k, v in base[t].items() if k != "sg"})
        else:
            kinds = {segs[r].get("k") for r in mine}
            track = {"id": next(fresh), "nm": _default_name(types.get(t), kinds, t)}
        if t in types:
            track.pop("tt", None)
            if types[t] is not None:
                track["tt"] = types[t]
        sg = base[t].get("sg", MISSING) if t < nbt else []
        if mine or sg is not MISSING:  # an empty track without `sg`, or with `sg: null`, stays so
            track["sg"] = [segs[r] for r in mine] if mine or sg is not None else None
        out.append(track)
    return out


def _end(segs: list[Any]) -> float:
    """The end of the last segment, ms; ints in `st` and `d` taken at once (bench budget)."""
    big, end = _read.MAX_NUMBER, 0
    for s in segs:
        st, d = s.get("st"), s.get("d")
        if type(st) is not int or type(d) is not int or not (-big < st < big and -big < d < big):
            st, d = _read.read(s, "start") or 0, _read.read(s, "duration") or 0
        end = max(end, st + d)
    return end


def assemble(rows: Rows) -> dict[str, Any]:
    """The output draft; its `d` follows the content only when it was the content's end."""
    view, ref = rows.view, rows.ref
    segs = _segments(rows)
    tracks = _tracks(rows, segs)
    top = view.model.raw
    out = clone({k: v for k, v in top.items() if k != "t"})
    if tracks:
        out["t"] = tracks
    elif "t" in top:
        out["t"] = clone(top["t"])
    moved = any(p >= 0 and t != view.track_of[p] for p, t in zip(ref, rows.targets, strict=True))
    changed = rows.writes or moved or not all(rows.own) or sum(rows.own) < len(view.segs)
    if changed and (top.get("d") is None or view.model.duration is not None):
        old = view.model.duration
        new = next_duration(old, _end(view.segs), _end(segs))
        if new != old:
            out["d"] = whole_ms(new)
    return out


def frame_to_draft(df: pd.DataFrame, base: Any = None) -> dict[str, Any]:
    """The draft of an edited `draft_to_frame` table; `base` is the draft it came from."""
    if not isinstance(df, pd.DataFrame):
        raise DraftError(f"frame_to_draft needs a DataFrame, not {type(df).__name__}")
    for c in df.columns:
        if not isinstance(c, str):
            raise DraftError(f"column names must be strings, not {c!r:.40}")
    if df.columns.duplicated().any():
        raise DraftError(f"duplicate columns: {sorted(set(df.columns[df.columns.duplicated()]))}")
    view = Shown(base)
    frame = {c: _cells(df[c]) for c in df.columns}
    ref, own = _match(df.index, frame.get("segment"), view)
    targets = _targets(df, ref, view)
    tracks = view.model.items
    rows = Rows(view, ref, own, targets)
    edits = _edits(frame, ref, view)
    for r, edited in edits.items():
        p = ref[r]
        named = {c: cells[r] for c, cells in frame.items()}
        if p >= 0:
            seg, tt = view.segs[p], tracks[view.track_of[p]].type
        else:  # a new row is a text by its cells (its text and kind cells are checked first)
            seg, tt = None, 7 if named.get("track_type") == "text" else None
        if writes := _row_writes(f"row {df.index[r]!r}", seg, tt, edited, named):
            rows.writes[r] = writes
    asked = [(r, _plain(e["track_type"])) for r, e in edits.items() if "track_type" in e]
    if "track_type" in frame:  # every row of a new track says its type
        asked += [(r, frame["track_type"][r]) for r, t in enumerate(targets) if t >= len(tracks)]
    for r, label in asked:
        if label is not None:
            rows.types.setdefault(targets[r], set()).add(label)
    return assemble(rows)
