"""Is a draft ready for export? Only the contract's keys and ours are checked (see
docs/draft-format.md); a draft that passes goes to the render endpoint exactly as it came."""

from __future__ import annotations

from typing import Any

from ..errors import DraftError
from ._diff import seconds
from ._model import Draft, Track
from ._read import is_number
from ._summary import track_name

_NOTHING = "the draft has nothing to export yet: no track has segments"
_SHOWN = 3  # problems spelled out in the error message; the rest are counted


def _s(ms: float) -> str:
    text = seconds(ms, tenths=True)
    return f"{ms:g} ms" if ms and text in ("0.0s", "-0.0s") else text  # never "-0.0s"


def _overlaps(track: Track, where: str) -> list[str]:
    timed = sorted(
        (s.start, s.end, j, s.id)
        for j, s in enumerate(track.items)
        if s.start is not None and (s.duration or 0) > 0
    )
    out, reach = [], None  # reach: (end, position, id) of the one reaching furthest so far
    for start, end, j, ident in timed:
        if reach and start < reach[0]:
            out.append(
                f"{where}: segments {reach[1] + 1} ({reach[2]}) and {j + 1} ({ident}) overlap "
                f"from {_s(start)} to {_s(min(end, reach[0]))}"
            )
        if not reach or end > reach[0]:
            reach = (end, j, ident)
    return out


def _duration(raw: Any, where: str, negative: str) -> list[str]:
    d = raw.get("d")
    if d is not None and not is_number(d):
        return [f"{where}: its duration d must be a number, not {d!r:.40}"]
    return [f"{where}{negative} ({_s(d)})"] if d is not None and d < 0 else []


def problems(draft: Any) -> list[str]:
    """Every reason the draft cannot be exported, as sentences (empty when it can)."""
    model = Draft.of(draft)
    if not any(t.items for t in model.items):
        return [_NOTHING]
    out = _duration(model.raw, "the draft", "'s duration is negative")
    end = model.duration
    for t, track in enumerate(model.items):
        name = f"track {t + 1} ({track_name(track, t)})"
        for j, seg in enumerate(track.items):
            where = f"{name}, segment {j + 1}" + (f" ({seg.id})" if seg.id else "")
            out += _duration(seg.raw, where, ": has a negative duration")
            if seg.start is not None and seg.start < 0:
                out.append(f"{where}: starts at {_s(seg.start)}, before the start of the draft")
            timed = seg.start is not None and seg.duration is not None and seg.duration >= 0
            if timed and end is not None and 0 <= end < seg.end:
                out.append(f"{where}: ends at {_s(seg.end)}, past the draft's end {_s(end)}")
        out += _overlaps(track, name)
    return out


def validate(draft: Any) -> None:
    """Raise `DraftError` (naming track and segment) unless the draft is ready for export."""
    found = problems(draft)
    if found == [_NOTHING]:
        raise DraftError(_NOTHING, hint="Upload media and ask for an edit first.")
    if found:
        more = len(found) - _SHOWN
        raise DraftError("; ".join(found[:_SHOWN]) + (f"; and {more} more" if more > 0 else ""))
