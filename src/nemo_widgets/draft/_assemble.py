"""The output draft of `frame_to_draft`: base segments copied, row writes applied, new ids,
tracks rebuilt, and `d` kept valid (it follows the content only when it was the content's end)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from itertools import count
from typing import Any

from ..errors import DraftError
from . import _read
from ._frame import Shown
from ._model import SCALARS, clone, next_duration, track_type_value, whole_ms

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
    """The end of the last segment, ms (0 at the least)."""
    ends = ((_read.read(s, "start") or 0) + (_read.read(s, "duration") or 0) for s in segs)
    return max([0, *ends])


def assemble(rows: Rows) -> dict[str, Any]:
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
