"""Is a draft ready for export? `DraftError` naming the track and segment if not. Only what the
contract publishes and our own keys where a draft uses them are checked (docs/draft-format.md);
a draft that passes goes to the render endpoint exactly as it came.
"""

from __future__ import annotations

from typing import Any

from ..errors import DraftError
from ._model import Draft, Segment, Track
from ._read import is_number
from ._summary import track_name

_NOTHING = "the draft has nothing to export yet: no track has segments"
_SHOWN = 3  # problems spelled out in the error message; the rest are counted


def _s(ms: float) -> str:
    text = f"{ms / 1000:.1f}s"
    return f"{ms:g} ms" if ms and text in ("0.0s", "-0.0s") else text  # never "-0.0s"


def _seg(track: Track, t: int, seg: Segment, j: int) -> str:
    ident = f" ({seg.id})" if seg.id else ""
    return f"track {t + 1} ({track_name(track, t)}), segment {j + 1}{ident}"


def _overlaps(track: Track, t: int) -> list[str]:
    """One problem per segment that overlaps an earlier one of the same track."""
    timed = [
        (s.start, s.end, j, s)
        for j, s in enumerate(track.items)
        if s.start is not None and s.duration is not None and s.duration > 0
    ]
    timed.sort(key=lambda x: (x[0], x[1]))
    out, last = [], None
    for start, end, j, seg in timed:
        if last is not None and start < last[1]:
            _, prev_end, pj, prev = last
            out.append(
                f"track {t + 1} ({track_name(track, t)}): segments {pj + 1} ({prev.id}) and "
                f"{j + 1} ({seg.id}) overlap from {_s(start)} to {_s(min(end, prev_end))}"
            )
        if last is None or end > last[1]:
            last = (start, end, j, seg)
    return out


def _duration(raw: Any, where: str, negative: str) -> list[str]:
    """A `d` that is there but is not a number of 0 or more."""
    d = raw.get("d")
    if d is None:
        return []
    if not is_number(d):
        return [f"{where}: its duration d must be a number, not {d!r:.40}"]
    return [f"{where}{negative} ({_s(d)})"] if d < 0 else []


def problems(draft: Any) -> list[str]:
    """Every reason the draft cannot be exported, as sentences (empty when it can)."""
    model = Draft.of(draft)
    if not any(t.items for t in model.items):
        return [_NOTHING]
    out = _duration(model.raw, "the draft", "'s duration is negative")
    end = model.duration
    for t, track in enumerate(model.items):
        for j, seg in enumerate(track.items):
            where = _seg(track, t, seg, j)
            out += _duration(seg.raw, where, ": has a negative duration")
            start, length = seg.start, seg.duration
            if start is not None and start < 0:
                out.append(f"{where}: starts at {_s(start)}, before the start of the draft")
            timed = start is not None and length is not None and length >= 0
            if timed and end is not None and end >= 0 and seg.end > end:
                out.append(f"{where}: ends at {_s(seg.end)}, past the draft's end {_s(end)}")
        out += _overlaps(track, t)
    return out


def validate(draft: Any) -> None:
    """Raise `DraftError` (naming track and segment) unless the draft is ready for export."""
    found = problems(draft)
    if found == [_NOTHING]:
        raise DraftError(_NOTHING, hint="Upload media and ask for an edit first.")
    if found:
        more = len(found) - _SHOWN
        text = "; ".join(found[:_SHOWN]) + (f"; and {more} more" if more > 0 else "")
        raise DraftError(text)
