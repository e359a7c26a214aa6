"""Hand edits of a draft (by segment `ref`: its id, or `#t.j` for one without), and how they
survive a new backend draft (`rebase`); refusals are the catalog's `edit.*` sentences."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final, TypeAlias

from .._text import ui_text
from . import _read
from ._diff import Q, changed_keys, seconds
from ._model import Draft, Segment, clone
from ._summary import quote

_GONE: Final = object()  # `write_at`'s marker for a key to remove


@dataclass(frozen=True)
class _OnSegment:
    ref: str  # the segment's id, or "#t.j" (track t, position j): a position, valid on one draft


@dataclass(frozen=True)
class SetText(_OnSegment):
    text: str  # the new wording of a title or subtitle


@dataclass(frozen=True)
class Move(_OnSegment):
    start: float  # ms, its duration kept


@dataclass(frozen=True)
class Resize(_OnSegment):
    start: float  # ms; moving a clip's left edge moves its `in` point too: the picture stays put
    duration: float


@dataclass(frozen=True)
class SetVolume(_OnSegment):
    volume: float  # 0-1


@dataclass(frozen=True)
class Reorder(_OnSegment):
    index: int  # its new place on its track; durations and the gaps between segments stay


@dataclass(frozen=True)
class Delete(_OnSegment):
    """Remove the segment."""


@dataclass(frozen=True)
class SetKeys(_OnSegment):
    keys: tuple[tuple[str, Any], ...]  # (key, value; None: remove), as an edited DataFrame did


@dataclass(frozen=True)
class SetDraft:
    draft: Mapping[str, Any]  # from code that changed more than segments (tracks, new ones, `d`)
    ref: str = ""


Edit: TypeAlias = SetText | Move | Resize | SetVolume | Reorder | Delete | SetKeys | SetDraft


@dataclass(frozen=True)
class EditRefused:
    reason: str  # why the edit cannot be made, a sentence for the user


@dataclass(frozen=True)
class NotApplied:
    edit: Edit  # one that a new backend draft left no place for
    reason: str

    def __str__(self) -> str:
        return f"{describe(self.edit)}: {self.reason}"


def placed(draft: Any) -> list[tuple[str, int, int, Segment]]:
    """(ref, track, position, segment) of every segment, in frame row order."""
    tracks = Draft.of(draft).items
    return [
        (s.id or f"#{t}.{j}", t, j, s)
        for t, track in enumerate(tracks)
        for j, s in enumerate(track.items)
    ]


def refs(draft: Any) -> list[str]:
    """The ref of every segment, in frame row order (tracks bottom to top)."""
    return [ref for ref, *_ in placed(draft)]


def locate(raw: Mapping[str, Any], ref: str) -> tuple[int, int] | None:
    """(track, position) of the segment `ref` names, None when it names none (or two)."""
    hits = [(t, j) for r, t, j, _ in placed(raw) if r == ref]
    return hits[0] if len(hits) == 1 else None


def _write(seg: dict[str, Any], what: str, value: Any) -> EditRefused | None:
    """Write where the draft keeps `what`, else at the first free place."""
    free = (p for p in _read.SEGMENT[what][1] if _read.value_at(seg, p) is None)
    if (place := _read.found(seg, what)[0] or next(free, None)) is None:
        return _refused("kept_elsewhere", what=ui_text(f"edit.what.{what}"))
    _read.write_at(seg, place, value, _GONE)
    return None


def _refused(key: str, **fields: object) -> EditRefused:
    """The refusal `edit.<key>` of the text catalog, in the session's language."""
    return EditRefused(ui_text(f"edit.{key}", None, **fields))


def _check_time(draft: dict[str, Any], t: int, j: int) -> EditRefused | None:
    """The edited segment: start ≥ 0, duration > 0, ends by `d`, overlaps none of its track."""
    seg = Segment(draft["t"][t]["sg"][j])
    if seg.start is not None and seg.start < 0:
        return _refused("before_zero", s=seconds(seg.start))
    if seg.duration is not None and seg.duration <= 0:
        return _refused("no_duration")
    total = Draft(draft).duration
    if total is not None and 0 <= total < seg.end:
        return _refused("past_end", end=seconds(seg.end), total=seconds(total))
    for k, other in enumerate(map(Segment, draft["t"][t]["sg"])):
        if k == j or other.start is None or (other.duration or 0) <= 0:
            continue
        if (seg.start or 0) < other.end and other.start < seg.end:
            name = other.text or other.name or other.raw.get("id") or k + 1
            span = f"{seconds(other.start)}–{seconds(other.end)}"
            return _refused("overlap", name=f"{name!s:.40}", span=span)
    return None


def apply(draft: Any, edit: Edit) -> dict[str, Any] | EditRefused:
    """The draft with `edit` made (a new dict), or why it cannot be made."""
    if isinstance(edit, SetDraft):
        return clone(dict(edit.draft))
    out = Draft.of(draft).to_dict()
    where = locate(out, edit.ref)
    return _refused("gone") if where is None else _make(out, *where, edit) or out


def _make(out: dict[str, Any], t: int, j: int, edit: Edit) -> EditRefused | None:
    """Make `edit` on `out` (a copy) at track t, position j; why not, when the rules say no."""
    track = out["t"][t]
    seg = track["sg"][j]
    match edit:
        case SetText(text=text):
            if not _read.is_text(seg, _read.track_type(track)):
                return _refused("no_text")
            return _write(seg, "text", text)
        case Move(start=start):
            return _write(seg, "start", start) or _check_time(out, t, j)
        case Resize(start=start, duration=duration):
            shift = start - (_read.read(seg, "start") or 0)
            refused = _write(seg, "start", start) or _write(seg, "duration", duration)
            inp = _read.read(seg, "in_point")
            if not refused and inp is not None:
                if inp + shift < 0:
                    return _refused("media_short")
                seg["in"] = inp + shift
            return refused or _check_time(out, t, j)
        case SetVolume(volume=volume):
            if not 0 <= volume <= 1 or not _read.is_number(volume):
                return _refused("volume_range", v=f"{volume:g}")
            return _write(seg, "volume", volume)
        case Reorder(index=index):
            return _reorder(track, j, index) or check_track(out, t)
        case Delete():
            del track["sg"][j]
        case SetKeys(keys=keys):
            for key, value in keys:
                _read.write_at(seg, key, _GONE if value is None else clone(value), _GONE)
    return None


def _reorder(track: dict[str, Any], j: int, index: int) -> EditRefused | None:
    sg = track["sg"]
    if not 0 <= index < len(sg):
        return _refused("no_position", n=index + 1, count=len(sg))
    seg = [Segment(s) for s in sg]
    order = sorted(range(len(sg)), key=lambda k: seg[k].start or 0)
    gaps = [0] + [max(0, (seg[b].start or 0) - seg[a].end) for a, b in pairwise(order)]
    at = seg[order[0]].start or 0
    order.remove(j)
    order.insert(index, j)
    for k, gap in zip(order, gaps, strict=True):
        at += gap
        if refused := _write(sg[k], "start", at):
            return refused
        at += seg[k].duration or 0
    track["sg"] = [sg[k] for k in order]
    return None


def check_track(draft: dict[str, Any], t: int) -> EditRefused | None:
    """The first refusal of the time rules for a segment of track `t` (None: they all pass)."""
    checks = (_check_time(draft, t, j) for j in range(len(draft["t"][t].get("sg") or [])))
    return next(filter(None, checks), None)


def replay(base: Any, edits: Iterable[Edit]) -> tuple[dict[str, Any], list[NotApplied]]:
    """`base` with each edit made in order; the ones refused come back with their reason."""
    draft, _kept, missed = rebase(list(edits), base, same_base=True)
    return draft, missed


def rebase(
    edits: Sequence[Edit], new_draft: Any, same_base: bool = False
) -> tuple[dict[str, Any], list[Edit], list[NotApplied]]:
    """(draft, kept, missed): the edits re-applied; a new base voids `#t.j` refs and SetDrafts."""
    kept: list[Edit] = []
    missed: list[NotApplied] = []
    draft = Draft.of(new_draft).to_dict()
    for edit in edits:
        if same_base or not (isinstance(edit, SetDraft) or edit.ref.startswith("#")):
            result = apply(draft, edit)
        else:
            result = _refused("superseded" if isinstance(edit, SetDraft) else "no_id")
        if isinstance(result, EditRefused):
            missed.append(NotApplied(edit, result.reason))
        else:
            draft = result
            kept.append(edit)
    return draft, kept, missed


_SENTENCES: Final[dict[type, Callable[[Any, str], str]]] = {
    SetText: lambda e, w: f"I changed the text of {w} to {quote(e.text, Q)}",
    Move: lambda e, w: f"I moved {w} to start at {seconds(e.start)}",
    Resize: lambda e, w: f"I trimmed {w} to {seconds(e.start)}–{seconds(e.start + e.duration)}",
    SetVolume: lambda e, w: f"I set the volume of {w} to {round(e.volume * 100)}%",
    Reorder: lambda e, w: f"I moved {w} to position {e.index + 1} of its track",
    Delete: lambda e, w: f"I deleted {w}",
    SetKeys: lambda e, w: f"I changed {', '.join(k for k, _ in e.keys)} of {w}",
    SetDraft: lambda e, w: "I edited the draft in code",
}


def describe(edit: Edit, name: str = "") -> str:
    """The edit as a sentence in the first person ("I changed subtitle 2 to '…'")."""
    what = name or (f"segment {edit.ref}" if edit.ref else "the draft")
    return _SENTENCES[type(edit)](edit, what)


def _segment_ops(ref: str, old: Any, new: Any) -> list[Edit]:
    """The rule edits (text, time, volume) that make segment `old` into `new`."""
    ops: list[Edit] = []
    a, b = Segment(old), Segment(new)
    if b.text is not None and b.text != a.text:
        ops.append(SetText(ref, b.text))
    if b.duration is not None and b.duration != a.duration:
        ops.append(Resize(ref, b.start if b.start is not None else 0, b.duration))
    elif b.start is not None and b.start != a.start:
        ops.append(Move(ref, b.start))
    if b.volume is not None and b.volume != a.volume:
        ops.append(SetVolume(ref, b.volume))
    return ops


def _by_id(draft: dict[str, Any]) -> dict[str, Any] | None:
    """Each segment by its id; None unless every segment has an id of its own."""
    segs = placed(draft)
    by_id = {ref: s.raw for ref, _, _, s in segs}
    return None if len(by_id) < len(segs) or any(r.startswith("#") for r in by_id) else by_id


def edits_between(old: Any, new: Any) -> list[Edit] | EditRefused:
    """Edits making `old` into `new` (a SetDraft for what segment edits can't say), or a refusal."""
    before, after = Draft.of(old).to_dict(), Draft.of(new).to_dict()
    if before == after:
        return []
    was, now = _by_id(before), _by_id(after)
    if was is None or now is None or not now.keys() <= was.keys():
        return [SetDraft(after)]
    ops: list[Edit] = [Delete(r) for r in was if r not in now]
    ops += [op for r, seg in now.items() for op in _segment_ops(r, was[r], seg)]
    draft, missed = replay(before, ops)
    if missed:
        # one at a time, a swap of two clips overlaps on the way: take the whole if it is valid
        if any(check_track(after, t) for t in range(len(after.get("t") or []))):
            return EditRefused(f"segment {missed[0].edit.ref}: {missed[0].reason}")
        return [SetDraft(after)]
    got = _by_id(draft) or {}
    keys = {r: tuple((k, w.get(k)) for k in changed_keys(got[r], w)) for r, w in now.items()}
    fixes: list[Edit] = [SetKeys(r, k) for r, k in keys.items() if k]
    draft, _ = replay(draft, fixes)  # a SetKeys is never refused
    return ops + fixes if draft == after else [SetDraft(after)]
