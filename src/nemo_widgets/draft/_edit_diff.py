"""How a DataFrame edited in code (or a draft dict) joins the working draft as edits by segment
id, so a new backend draft can rebase them; what segment edits cannot say (new tracks or
segments, a changed `d`, segments without ids) becomes one `SetDraft`.
"""

from __future__ import annotations

from typing import Any

from ._diff import changed_keys
from ._edits import (
    Delete,
    Edit,
    EditRefused,
    Move,
    Resize,
    SetDraft,
    SetKeys,
    SetText,
    SetVolume,
    apply,
    check_track,
    locate,
    refs,
)
from ._model import Draft
from ._read import read


def _segment_ops(ref: str, old: Any, new: Any) -> list[Edit]:
    """The rule edits (text, time, volume) that make segment `old` into `new`."""
    ops: list[Edit] = []
    text, start, length, volume = (read(new, w) for w in ("text", "start", "duration", "volume"))
    if text is not None and text != read(old, "text"):
        ops.append(SetText(ref, text))
    if length is not None and length != read(old, "duration"):
        ops.append(Resize(ref, start if start is not None else 0, length))
    elif start is not None and start != read(old, "start"):
        ops.append(Move(ref, start))
    if volume is not None and volume != read(old, "volume"):
        ops.append(SetVolume(ref, volume))
    return ops


def _find(draft: dict[str, Any], ref: str) -> Any:
    where = locate(draft, ref)
    return None if where is None else draft["t"][where[0]]["sg"][where[1]]


def edits_between(old: Any, new: Any) -> list[Edit] | EditRefused:
    """Edits that make `old` into `new` (empty when they are equal), or why `new` is refused."""
    before, after = Draft.of(old).to_dict(), Draft.of(new).to_dict()
    if before == after:
        return []
    old_refs, new_refs = refs(before), refs(after)
    plain = all(not r.startswith("#") for r in old_refs + new_refs)
    unique = len(set(old_refs)) == len(old_refs) and len(set(new_refs)) == len(new_refs)
    if not (plain and unique) or not set(new_refs) <= set(old_refs):
        return [SetDraft(after)]
    ops: list[Edit] = [Delete(r) for r in old_refs if r not in new_refs]
    for ref in new_refs:
        ops += _segment_ops(ref, _find(before, ref), _find(after, ref))
    draft = before
    for op in ops:
        result = apply(draft, op)
        if isinstance(result, EditRefused):
            # one at a time, a swap of two clips overlaps on the way: take the whole if it is valid
            if any(check_track(after, t) for t in range(len(after.get("t") or []))):
                return EditRefused(f"segment {op.ref}: {result.reason}")
            return [SetDraft(after)]
        draft = result
    for ref in new_refs:
        got, want = _find(draft, ref), _find(after, ref)
        keys = tuple((k, want.get(k)) for k in changed_keys(got, want))
        if keys:
            ops.append(SetKeys(ref, keys))
            draft = apply(draft, ops[-1])  # type: ignore[assignment]  # SetKeys is never refused
    return ops if draft == after else [SetDraft(after)]
