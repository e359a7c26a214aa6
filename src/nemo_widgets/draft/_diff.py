"""What changed between two drafts, in sentences a person reads ("BGM volume 35% → 50%").

The chat uses it when an edit ends without a reply. Tracks are matched by id (by position when
ids are missing or repeated), segments likewise within a track.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from . import _read
from ._model import Draft, Segment, Track, fmt_seconds
from ._summary import is_text, quote, segment_name, span, track_name

__all__ = ["Change", "diff_drafts"]

_KEY_NAMES = {
    "pos": "position",
    "fs": "font size",
    "c": "colour",
    "in": "in-point",
    "k": "kind",
    "id": "id",
    "nm": "name",
}
_T = TypeVar("_T", Track, Segment)
Q = "'"  # sentences quote texts with single quotes


@dataclass(frozen=True)
class Change:
    """One change: its `kind`, the track index and segment id it concerns, and a sentence."""

    kind: str
    track: int | None
    segment: str | None
    sentence: str

    def __str__(self) -> str:
        return self.sentence


def _s(ms: float) -> str:
    return f"{ms / 1000:.1f}s"


def _pct(v: float | None) -> str:
    return f"{round(100 * (1.0 if v is None else v))}%"


def _pair(before: Sequence[_T], after: Sequence[_T]) -> tuple[list[tuple[int, int]], list, list]:
    """(matched index pairs, removed indexes, added indexes), by unique ids else by position."""
    ids_a, ids_b = [x.id for x in before], [x.id for x in after]
    by_id = all(isinstance(i, str) for i in ids_a + ids_b) and (
        len(set(ids_a)) == len(ids_a) and len(set(ids_b)) == len(ids_b)
    )
    if by_id:
        where = {i: n for n, i in enumerate(ids_b)}
        pairs = [(n, where[i]) for n, i in enumerate(ids_a) if i in where]
        kept_a, kept_b = {a for a, _ in pairs}, {b for _, b in pairs}
    else:
        common = min(len(before), len(after))
        pairs = [(n, n) for n in range(common)]
        kept_a = kept_b = set(range(common))
    removed = [n for n in range(len(before)) if n not in kept_a]
    added = [n for n in range(len(after)) if n not in kept_b]
    return pairs, removed, added


def _noun(track: Track, seg: Segment, index: int) -> str:
    """What a segment is, capitalised: Title, Subtitle, Image, Clip, or the audio track's name."""
    nouns = {"title": "Title", "subtitle": "Subtitle", "image": "Image", "video": "Clip"}
    if seg.kind in nouns:
        return nouns[seg.kind]
    if track.type == 1 or seg.kind == "audio":
        return track_name(track, index) if track.type == 1 else "Audio"
    return "Text" if is_text(track, seg) else "Clip" if track.type == 0 else "Segment"


def _subject(track: Track, t: int, seg: Segment, pos: int) -> str:
    """How to point at one segment in a sentence: 'Clip 2', 'BGM', 'Subtitle 3', 'Title'."""
    noun, count = _noun(track, seg, t), len(track.items)
    if noun == "Image" or (noun == "Clip" and track.type in (0, None)):
        return f"Clip {pos + 1}"
    if count == 1:
        return noun
    return f"{noun} {pos + 1}" if noun != track_name(track, t) else f"{noun} clip {pos + 1}"


def _added(track: Track, t: int, seg: Segment, verb: str = "added") -> Change:
    name = segment_name(track, seg, Q)
    details = span([seg]) + (f", {_pct(seg.volume)}" if track.type == 1 else "")
    return Change(verb, t, seg.id, f"{_noun(track, seg, t)} {verb}: {name} ({details})")


def _group(kind: str, track: Track, t: int, segs: list[Segment]) -> list[Change]:
    """One sentence per segment, or one for many subtitles at once."""
    if len(segs) >= 2 and all(s.kind == "subtitle" for s in segs):
        return [
            Change(f"subtitles_{kind}", t, None, f"{len(segs)} subtitles {kind} ({span(segs)})")
        ]
    if kind == "removed":
        return [
            Change(
                "removed",
                t,
                s.id,
                f"{_noun(track, s, t)} removed: {segment_name(track, s, chr(39))}",
            )
            for s in segs
        ]
    return [_added(track, t, s) for s in segs]


def _segment_changes(ta: Track, tb: Track, t: int, a: Segment, b: Segment, pos: int, moved: bool):
    who = _subject(tb, t, b, pos)
    out = []
    if a.text != b.text and b.text is not None and a.text is not None:
        out.append(
            ("text", f"{who} text changed: {quote(a.text, chr(39))} → {quote(b.text, chr(39))}")
        )
    elif a.text != b.text:
        out.append(("text", f"{who} text {'removed' if b.text is None else 'added'}"))
    if a.volume != b.volume:
        out.append(("volume", f"{who} volume {_pct(a.volume)} → {_pct(b.volume)}"))
    if a.duration != b.duration:
        verb = "trimmed" if (b.duration or 0) < (a.duration or 0) else "extended"
        out.append(("trimmed", f"{who} {verb} to {_s(b.duration or 0)}"))
    if a.start != b.start and moved:
        out.append(("moved", f"{who} moved to {_s(b.start or 0)}"))
    if a.source != b.source:
        out.append(("replaced", f"{who} replaced: {a.name or a.source} → {b.name or b.source}"))
    elif a.name != b.name and not is_text(tb, b):
        out.append(("renamed", f"{who} renamed to {b.name}"))
    keys = _other_keys(a, b)
    if keys:
        names = ", ".join(_KEY_NAMES.get(k, k) for k in keys)
        out.append(("changed", f"{who} changed: {names}"))
    return [Change(kind, t, b.id, sentence) for kind, sentence in out]


_SAID = ("text", "volume", "duration", "start", "source", "name")  # readings with a sentence
_FIRST = ("id", "k", "in")  # named first, in this order


def _other_keys(a: Segment, b: Segment) -> list[str]:
    """The keys that changed beyond what the sentences above say, `m` included."""
    said = {p for w in _SAID if getattr(a, w) != getattr(b, w) for p in _read.SEGMENT[w][1]}
    ra, rb = dict(a.raw), dict(b.raw)
    ma, mb = ra.pop("m", None), rb.pop("m", None)
    keys = [k for k in set(ra) | set(rb) if k not in said and ra.get(k) != rb.get(k)]
    if isinstance(ma, dict) and isinstance(mb, dict):
        sub = {k for k in set(ma) | set(mb) if f"m.{k}" not in said and ma.get(k) != mb.get(k)}
        keys += [f"m.{k}" for k in sub]
    elif ma != mb:
        keys.append("m")
    first = [k for k in _FIRST if k in keys]
    return first + sorted(k for k in keys if k not in _FIRST)


def _track_changes(ta: Track, tb: Track, t: int) -> list[Change]:
    out: list[Change] = []
    name_a, name_b = track_name(ta, t), track_name(tb, t)
    if ta.name != tb.name:
        out.append(Change("track_changed", t, None, f"Track '{name_a}' renamed to '{name_b}'"))
    if ta.type != tb.type:
        out.append(Change("track_changed", t, None, f"Track '{name_b}' is now {tb.type_label}"))
    pairs, removed, added = _pair(ta.items, tb.items)
    order_a = [a for a, _ in sorted(pairs, key=lambda p: p[1])]
    reordered = order_a != sorted(order_a)
    if reordered:
        noun = "Texts" if tb.type == 7 else "Clips"
        out.append(Change("reordered", t, None, f"{noun} reordered on {name_b}"))
    out += _group("removed", ta, t, [ta.items[i] for i in removed])
    out += _group("added", tb, t, [tb.items[i] for i in added])
    for i, j in pairs:
        out += _segment_changes(ta, tb, t, ta.items[i], tb.items[j], j, not reordered)
    return out


def _new_track(track: Track, t: int) -> list[Change]:
    name, segs = track_name(track, t), list(track.items)
    if len(segs) == 1 or (len(segs) >= 2 and all(s.kind == "subtitle" for s in segs)):
        return _group("added", track, t, segs)
    what = f": {len(segs)} segments ({span(segs)})" if segs else ""
    return [Change("track_added", t, None, f"Track '{name}' added{what}")]


def diff_drafts(before: Any, after: Any) -> list[Change]:
    """The changes from `before` to `after`, one sentence each (empty when nothing changed)."""
    a, b = Draft.of(before), Draft.of(after)
    if dict(a.raw) == dict(b.raw):
        return []
    if a.segment_count == 0 and b.segment_count > 0:
        clips = sum(len(t.items) for t in b.items if t.type == 0) or b.segment_count
        length = b.duration if b.duration is not None else b.end
        noun = "clip" if clips == 1 else "clips"
        return [
            Change("created", None, None, f"Video created: {clips} {noun}, {fmt_seconds(length)}s")
        ]
    if b.segment_count == 0 and a.segment_count > 0:
        return [Change("cleared", None, None, "Timeline cleared: no segments left")]
    out: list[Change] = []
    pairs, removed, added = _pair(a.items, b.items)
    for i in removed:
        ta = a.items[i]
        out.append(Change("track_removed", i, None, f"Track '{track_name(ta, i)}' removed"))
    for j in added:
        out += _new_track(b.items[j], j)
    for i, j in pairs:
        out += _track_changes(a.items[i], b.items[j], j)
    if a.duration != b.duration:
        old, new = _s(a.duration or 0), _s(b.duration or 0)
        out.append(Change("duration", None, None, f"Duration {old} → {new}"))
    out += _settings(a, b)
    if not out:  # e.g. a null that became absent: still a change, say so plainly
        out.append(Change("changed", None, None, "The draft changed"))
    return out


def _canvas(meta: Mapping[str, Any]) -> tuple[Any, Any]:
    return meta.get("w", meta.get("width")), meta.get("h", meta.get("height"))


def _settings(a: Draft, b: Draft) -> list[Change]:
    ma, mb = a.meta or {}, b.meta or {}
    out = []
    if _canvas(ma) != _canvas(mb):
        (wa, ha), (wb, hb) = _canvas(ma), _canvas(mb)
        out.append(Change("settings", None, None, f"Canvas {wa}x{ha} → {wb}x{hb}"))
    canvas = ("w", "h", "width", "height")
    keys = sorted(str(k) for k in set(ma) | set(mb) if k not in canvas and ma.get(k) != mb.get(k))
    ra, rb = a.raw, b.raw
    spoken = {"t", "d"} | ({"m"} if a.meta is not None or b.meta is not None else set())
    keys += sorted(k for k in set(ra) | set(rb) if k not in spoken and ra.get(k) != rb.get(k))
    if keys:
        out.append(Change("settings", None, None, f"Draft settings changed: {', '.join(keys)}"))
    return out
