"""The way back: a (possibly edited) frame of `draft_to_frame` into a draft.

How rows find their segment in `base`: by `segment` id when the id is unique in the base, else by
index label (for drafts whose segments lack ids). A second row with an id already taken is a copy:
it is diffed against that segment and gets a fresh id. Any other row is new.

For a row with a base segment, each cell that still equals what `draft_to_frame(base)` shows
keeps the base's value exactly (type, null or absent); only edited cells are written, so an
untouched frame gives back `base` (key order aside). Rules for the linked columns:
- `duration` wins; else an edited `end` sets `d = end - start`; editing only `start` moves the
  segment (its duration stays).
- `label` writes to `txt` for text segments (text tracks, titles, subtitles) and to `nm` for
  others, unless `text` / `name` was edited too (then they must agree).
- a `track` beyond the base's tracks creates a track (in order, without gaps; type from
  `track_type`); a track whose rows are all deleted stays, with no segments.
Segments keep the frame's row order within their track; new rows go before the first segment that
starts later. A column missing from the frame leaves that key as it was.

The draft's `d`: when it was the end of the last segment it follows the content; when it was set
apart (longer, e.g. by a trim) it stays unless a segment now ends past it, then it grows.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DraftError
from ._frame import Flat, bulk, clone_all, columns, flatten, objects
from ._rows import MISSING, Columns, ms_floats, same_value

__all__ = ["frame_to_draft"]


def _match(df: pd.DataFrame, flat: Flat) -> tuple[np.ndarray, np.ndarray]:
    """For each row: the base position it is diffed against (-1: new) and whether it owns it."""
    n, nb = len(df), len(flat.segs)
    ref = np.full(n, -1, dtype=np.int64)
    ids = flat.raw.get("id", [None] * nb)
    id_arr = objects(ids)
    base_ids = pd.Index(id_arr, dtype=object, copy=False)
    dup = base_ids.duplicated(keep=False)
    if flat.seen.get("id", set()) <= {str}:  # every segment has a string id: no scan
        unique_str = ~dup & ("id" in flat.raw)
    else:
        unique_str = ~dup & np.fromiter((isinstance(i, str) for i in ids), bool, count=nb)
    fids = df["segment"].to_numpy(object, na_value=None) if "segment" in df.columns else None
    if fids is not None and unique_str.any():
        # fast path: rows still at their original label (edits and deletions keep labels)
        labels = df.index.to_numpy()
        if labels.dtype.kind in "iu" and len(labels):
            ok = (labels >= 0) & (labels < nb)
            at = np.where(ok, labels, 0)
            ok &= unique_str[at] & (id_arr[at] == fids)
            ref[ok] = at[ok]
        rest = np.flatnonzero(ref < 0)
        if len(rest):
            lookup = pd.Index(id_arr[unique_str])
            found = lookup.get_indexer(fids[rest])
            ref[rest] = np.where(found >= 0, np.flatnonzero(unique_str)[np.maximum(found, 0)], -1)
    own = ref >= 0
    own[own] = ~pd.Series(ref[own]).duplicated().to_numpy()
    taken = np.zeros(nb, dtype=bool)
    taken[ref[own]] = True
    # rows whose id says nothing (missing, or shared in the base): match by index label
    for r in np.flatnonzero(ref < 0).tolist():
        label = df.index[r]
        if not isinstance(label, (int, np.integer)) or isinstance(label, bool):
            continue
        if not 0 <= label < nb or taken[label] or unique_str[label]:
            continue
        if fids is None or same_value(fids[r], ids[label]):  # both None, or the same shared id
            ref[r], own[r], taken[label] = label, True, True
    return ref, own


def _targets(df: pd.DataFrame, ref: np.ndarray, flat: Flat) -> np.ndarray:
    """The track index of every row, checked."""
    if "track" not in df.columns:
        if (ref < 0).any():
            raise DraftError("new rows need a `track` column")
        return flat.track_of[ref]
    col = df["track"]
    vals = ms_floats(col, "track", df.index)
    bad = np.isnan(vals) | (vals < 0) | (vals != np.floor(vals))
    if bad.any():
        r = int(np.flatnonzero(bad)[0])
        raise DraftError(
            f"row {df.index[r]!r}: track must be an index 0, 1, …, not {col.iloc[r]!r}"
        )
    return vals.astype(np.int64)


def frame_to_draft(df: pd.DataFrame, base: Any = None) -> dict[str, Any]:
    """The draft of an edited `draft_to_frame` table; `base` is the draft it came from."""
    if not isinstance(df, pd.DataFrame):
        raise DraftError(f"frame_to_draft needs a DataFrame, not {type(df).__name__}")
    for c in df.columns:
        if not isinstance(c, str):
            raise DraftError(f"column names must be strings, not {c!r:.40}")
    if df.columns.duplicated().any():
        raise DraftError(f"duplicate columns: {sorted(set(df.columns[df.columns.duplicated()]))}")
    with bulk():
        flat = flatten(base)
        cols = Columns(df, columns(flat, private=True), flat, *_match(df, flat))
        targets = _targets(df, cols.ref, flat)
        updates = cols.updates()
        return _assemble(flat, cols, targets, updates)


def _fresh(prefix: str, used: set[str]) -> Any:
    """A generator of ids `<prefix>_<n>` not in `used`, n counting on from the largest seen."""
    pattern = re.compile(rf"{prefix}_(\d+)$")
    n = max((int(m.group(1)) for u in used if (m := pattern.match(u))), default=0)
    while True:
        n += 1
        if f"{prefix}_{n}" not in used:
            used.add(f"{prefix}_{n}")
            yield f"{prefix}_{n}"


def _assemble(
    flat: Flat,
    cols: Columns,
    targets: np.ndarray,
    updates: dict[str, tuple[np.ndarray, list[Any]]],
) -> dict[str, Any]:
    """The output draft: base segments copied, updates applied, tracks and `d` rebuilt."""
    ref, own = cols.ref, cols.own
    touched = ~own.copy()
    for rows, _ in updates.values():
        touched[rows] = True
    moved = own & (targets != flat.track_of[np.maximum(ref, 0)]) if len(flat.segs) else own
    changed = bool(touched.any() or moved.any() or own.sum() < len(flat.segs))
    base_segs = flat.segs
    if len(ref) and ref.min() >= 0:  # no new rows: copy in C
        segs: list[dict[str, Any]] = list(map(dict, map(base_segs.__getitem__, ref.tolist())))
    else:
        segs = [dict(base_segs[p]) if p >= 0 else {} for p in ref.tolist()]
    for key in flat.containers:  # nested values are copied, never shared with the base
        values = flat.raw[key]
        kinds = {t for t in flat.seen[key] if issubclass(t, (dict, list))}
        nested = np.fromiter(map(kinds.__contains__, map(type, values)), bool, len(values))
        rows = np.flatnonzero((ref >= 0) & nested[np.maximum(ref, 0)]).tolist()
        copies = clone_all([segs[r][key] for r in rows])
        for r, v in zip(rows, copies, strict=True):
            segs[r][key] = v
    for key, (rows, values) in updates.items():
        for r, v in zip(rows.tolist(), values, strict=True):
            if v is MISSING:
                segs[r].pop(key, None)
            else:
                segs[r][key] = v
    if not own.all():
        _fresh_ids(segs, flat, ref, own)
    tracks = _tracks(flat, cols, targets, segs)
    out = {k: copy.deepcopy(v) for k, v in flat.top.items() if k != "t"}
    if tracks:
        out["t"] = tracks
    elif "t" in flat.top:
        out["t"] = copy.deepcopy(flat.top["t"])
    _set_duration(out, flat, ref, updates, changed)
    return out


def _fresh_ids(segs: list[dict[str, Any]], flat: Flat, ref: np.ndarray, own: np.ndarray) -> None:
    """New and copied rows keep their id only if no other segment has it."""
    ids = flat.raw.get("id", [None] * len(flat.segs))
    used = {i for i in ids if isinstance(i, str)}
    used |= {s["id"] for s in segs if isinstance(s.get("id"), str)}
    fresh = _fresh("seg", used)
    seen: set[Any] = {ids[p] for p in ref[own].tolist()}
    for r in np.flatnonzero(~own).tolist():
        sid = segs[r].get("id")
        if not isinstance(sid, str) or sid in seen or (ref[r] >= 0 and sid == ids[ref[r]]):
            sid = segs[r]["id"] = next(fresh)
        seen.add(sid)


def _tracks(
    flat: Flat, cols: Columns, targets: np.ndarray, segs: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The output tracks: the base's (types possibly edited) and the new ones, with segments."""
    nbt = len(flat.tracks)
    extra = sorted(set(targets[targets >= nbt].tolist()))
    renumber = {t: nbt + i for i, t in enumerate(extra)}
    if renumber:
        targets = np.array([renumber.get(t, t) for t in targets.tolist()], dtype=np.int64)
    order = np.argsort(targets, kind="stable")  # rows grouped by track, frame order kept
    bounds = np.searchsorted(targets[order], np.arange(nbt + len(extra) + 1))
    rows_of = {t: order[bounds[t] : bounds[t + 1]].tolist() for t in range(nbt + len(extra))}
    types = cols.track_types(targets, nbt)
    out: list[dict[str, Any]] = []
    used = {t.get("id") for t in flat.tracks if isinstance(t.get("id"), str)}
    fresh = _fresh("trk", used)  # type: ignore[arg-type]
    for t in range(nbt + len(extra)):
        rows = _order(rows_of.get(t, []), cols.ref, segs)
        if t < nbt:
            track = {k: copy.deepcopy(v) for k, v in flat.tracks[t].items() if k != "sg"}
            if t in types:
                track.pop("tt", None)
                if types[t] is not None:
                    track["tt"] = types[t]
            sg = flat.tracks[t].get("sg", MISSING)
            if rows or isinstance(sg, list):
                track["sg"] = [segs[r] for r in rows]
            elif sg is None:
                track["sg"] = None
        else:
            tt = types.get(t)
            kinds = {segs[r].get("k") for r in rows}
            track = {"id": next(fresh), "nm": _default_name(tt, kinds, t)}
            if tt is not None:
                track["tt"] = tt
            track["sg"] = [segs[r] for r in rows]
        out.append(track)
    return out


def _default_name(tt: int | None, kinds: set[Any], t: int) -> str:
    if tt == 7:
        return "Subtitles" if kinds == {"subtitle"} else "Title" if kinds == {"title"} else "Text"
    return {0: "Video", 1: "Audio"}.get(tt, f"Track {t + 1}")  # type: ignore[arg-type]


def _start(seg: Mapping[str, Any]) -> float:
    st = seg.get("st")
    return st if isinstance(st, (int, float)) else float("inf")


def _order(rows: list[int], ref: np.ndarray, segs: list[dict[str, Any]]) -> list[int]:
    """Frame order, with each new row placed before the first kept row that starts later
    (new rows meeting at one place go in order of start)."""
    has = ref[rows] >= 0 if rows else np.zeros(0, dtype=bool)
    if has.all() or not has.any():
        return rows
    kept = [r for r, h in zip(rows, has.tolist(), strict=True) if h]
    new = [r for r, h in zip(rows, has.tolist(), strict=True) if not h]
    slots: dict[int, list[int]] = {}
    for r in new:
        s = _start(segs[r])
        at = next((i for i, k in enumerate(kept) if _start(segs[k]) > s), len(kept))
        slots.setdefault(at, []).append(r)
    for group in slots.values():
        group.sort(key=lambda r: _start(segs[r]))  # stable: equal starts keep frame order
    out: list[int] = []
    for i, k in enumerate(kept):
        out += [*slots.get(i, []), k]
    return out + slots.get(len(kept), [])


def _ends(flat: Flat, ref: np.ndarray, updates: dict[str, tuple[np.ndarray, list[Any]]]) -> tuple:
    """(the base's last end, the new last end), ms, without a per-segment Python loop."""
    nb = len(flat.segs)
    zeros = np.zeros(nb)
    st, d = flat.nums.get("st", zeros), flat.nums.get("d", zeros)
    old = float((st + d).max()) if nb else 0.0
    take, kept = np.maximum(ref, 0), ref >= 0
    new = []
    for key, base in (("st", st), ("d", d)):
        arr = np.where(kept, base[take] if nb else 0.0, 0.0)
        rows, values = updates.get(key, (np.zeros(0, np.int64), []))
        # an update removing the key (MISSING) counts as 0, like any absent value
        arr[rows] = [v if isinstance(v, (int, float)) else 0 for v in values]
        new.append(arr)
    return old, float((new[0] + new[1]).max()) if len(ref) else 0.0


def _set_duration(
    out: dict[str, Any],
    flat: Flat,
    ref: np.ndarray,
    updates: dict[str, tuple[np.ndarray, list[Any]]],
    changed: bool,
) -> None:
    """Keep `d` valid: follow the content if it did, grow if a segment now ends past it."""
    old = flat.top.get("d")
    if not changed:
        return
    base_end, new_end = _ends(flat, ref, updates)
    if isinstance(old, (int, float)):
        new = new_end if old == base_end else max(old, new_end)
        if new == old:
            return
    else:
        new = new_end
    out["d"] = int(new) if float(new).is_integer() else new
