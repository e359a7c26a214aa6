"""Reading a draft for the renderer: canvas, tracks and segments, text styles, and `check`, which
tells why a draft cannot be rendered before any media is read or ffmpeg is started.

Private names are the renderer's (`compose`); `RenderError` and `check` are exported by `render`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from PIL import ImageColor

from .fonts import FontNotFound, face_for

__all__ = ["DEFAULT_CANVAS", "TT_AUDIO", "TT_TEXT", "TT_VIDEO", "RenderError", "check"]

TT_VIDEO, TT_AUDIO, TT_TEXT = 0, 1, 7
DEFAULT_CANVAS = (1080, 1920, 30)
# Default font sizes at a 1080-px-wide canvas, scaled with the canvas's short side.
_DEFAULT_FS = {"title": 96, "subtitle": 56}


class RenderError(RuntimeError):
    """The draft cannot be rendered: bad times, missing media, or ffmpeg failed (message says)."""


@dataclass(frozen=True)
class _Canvas:
    w: int
    h: int
    fps: Fraction

    def frame(self, ms: int) -> int:
        """The frame index at `ms` on the timeline (boundaries round to the nearest frame)."""
        return round(ms * self.fps / 1000)


@dataclass(frozen=True)
class _Seg:
    id: str
    kind: str
    st: int
    d: int
    raw: Mapping[str, Any]


def _ms(seg_id: str, key: str, value: Any, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise RenderError(f"segment {seg_id}: `{key}` must be a number of milliseconds: {value!r}")
    if value < 0:
        raise RenderError(f"segment {seg_id}: `{key}` is negative ({value} ms)")
    return round(value)


def _canvas(meta: Any) -> _Canvas:
    meta = meta if isinstance(meta, Mapping) else {}
    w, h, fps = (
        meta.get(k) or dflt for k, dflt in zip(("w", "h", "fps"), DEFAULT_CANVAS, strict=True)
    )
    for key, value, top in (("w", w, 7680), ("h", h, 7680), ("fps", fps, 120)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 1 <= value <= top:
            raise RenderError(f"draft `m.{key}` is out of range: {value!r}")
    # libx264 with yuv420p needs even sizes.
    return _Canvas(int(w) // 2 * 2, int(h) // 2 * 2, Fraction(str(fps)).limit_denominator(1001))


def _tracks(draft: Mapping[str, Any]) -> list[tuple[int, list[_Seg]]]:
    tracks = draft.get("t") or []
    if not isinstance(tracks, list):
        raise RenderError("draft `t` must be a list of tracks")
    out = []
    for track in tracks:
        if not isinstance(track, Mapping) or track.get("tt") not in (TT_VIDEO, TT_AUDIO, TT_TEXT):
            continue  # other track types may exist; the renderer does not draw them
        segs = []
        for i, raw in enumerate(track.get("sg") or []):
            if not isinstance(raw, Mapping):
                raise RenderError(f"track {track.get('id')}: segment {i} is not an object")
            seg_id = str(raw.get("id", f"{track.get('id')}[{i}]"))
            st, d = _ms(seg_id, "st", raw.get("st"), 0), _ms(seg_id, "d", raw.get("d"))
            segs.append(_Seg(seg_id, str(raw.get("k") or ""), st, d, raw))
        segs.sort(key=lambda s: s.st)
        for prev, nxt in itertools.pairwise(segs):
            if nxt.st < prev.st + prev.d:
                raise RenderError(f"segments {prev.id} and {nxt.id} overlap on one track")
        out.append((int(track["tt"]), segs))
    return out


def _text_style(seg: _Seg, cv: _Canvas) -> dict[str, Any] | None:
    """Size, colour, position and face of a text segment (None: nothing to draw); RenderError."""
    txt = seg.raw.get("txt")
    if not isinstance(txt, str) or not txt.strip() or seg.d == 0:
        return None
    kind = seg.kind if seg.kind in _DEFAULT_FS else "subtitle"
    fs = seg.raw.get("fs") or round(_DEFAULT_FS[kind] * min(cv.w, cv.h) / 1080)
    if isinstance(fs, bool) or not isinstance(fs, (int, float)) or fs <= 0:
        raise RenderError(f"segment {seg.id}: font size `fs` must be a positive number: {fs!r}")
    try:
        color = ImageColor.getrgb(str(seg.raw.get("c") or "#ffffff"))[:3]
    except ValueError as exc:
        raise RenderError(f"segment {seg.id}: unknown colour {seg.raw.get('c')!r}") from exc
    try:
        face = face_for(txt)  # a CJK face only when the text has CJK characters
    except FontNotFound as exc:
        raise RenderError(str(exc)) from exc
    pos = seg.raw.get("pos") or ("center" if kind == "title" else "bottom")
    return {"size": int(min(fs, cv.h // 4)), "color": color, "pos": pos, "face": face}


def check(draft: Any) -> str | None:
    """Why `draft` cannot be rendered, as far as it shows without media or ffmpeg (None: it may).

    A server asks before queueing a render, so a render bound to fail (a bad colour, no font
    for its Chinese text) is refused at once instead of failing later and being retried.
    """
    try:
        if not isinstance(draft, Mapping):
            raise RenderError("the draft must be a JSON object")
        canvas, tracks = _canvas(draft.get("m")), _tracks(draft)
        _total_ms(draft, tracks)
        for seg in (s for tt, segs in tracks if tt == TT_TEXT for s in segs):
            _text_style(seg, canvas)
    except RenderError as exc:
        return str(exc)
    return None


def _total_ms(draft: Mapping[str, Any], tracks: list[tuple[int, list[_Seg]]]) -> int:
    ends = [s.st + s.d for _, segs in tracks for s in segs]
    total = _ms("draft", "d", draft.get("d"), max(ends, default=0))
    if total <= 0:
        raise RenderError("the draft is empty: its duration `d` is 0")
    return total
