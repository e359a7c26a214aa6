"""What changed between two drafts, in sentences a person reads ("BGM volume 35% → 50%").

The chat uses it when an edit ends without a reply. Tracks are matched by id (by position when
ids are missing or repeated), segments likewise within a track. The sentences are the `diff.*`
strings of the UI text catalog, in the language asked for (by default the session's).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .._text import ui_text
from . import _read
from ._model import Draft, Segment, Track, fmt_seconds
from ._summary import is_text, percent, quote, segment_name, span, track_name

_T = TypeVar("_T", Track, Segment)
Q = "'"  # sentences quote texts with single quotes
_KEY_NAMES = frozenset({"pos", "fs", "c", "in", "k", "id", "nm"})  # keys the catalog names
_NOUNS = frozenset({"title", "subtitle", "image", "video"})  # segment kinds with a noun


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
    return f"{percent(v)}%"


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


def _noun_key(track: Track, seg: Segment) -> str | None:
    """What a segment is: title, subtitle, image, clip, audio, text, segment; None: it is called
    by its (audio) track's name."""
    if seg.kind in _NOUNS:
        return "clip" if seg.kind == "video" else seg.kind
    if track.type == 1 or seg.kind == "audio":
        return None if track.type == 1 else "audio"
    return "text" if is_text(track, seg) else "clip" if track.type == 0 else "segment"


def _noun(track: Track, seg: Segment, index: int, lang: str | None) -> str:
    """The segment's noun, capitalised: Title, Subtitle, Image, Clip, or the audio track's name."""
    key = _noun_key(track, seg)
    return track_name(track, index, lang) if key is None else ui_text(f"diff.{key}", lang)


def _subject(track: Track, t: int, seg: Segment, pos: int, lang: str | None) -> str:
    """How to point at one segment in a sentence: 'Clip 2', 'BGM', 'Subtitle 3', 'Title'."""
    key, noun = _noun_key(track, seg), _noun(track, seg, t, lang)
    if key == "image" or (key == "clip" and track.type in (0, None)):
        return f"{ui_text('diff.clip', lang)} {pos + 1}"
    if len(track.items) == 1:
        return noun
    if noun != track_name(track, t, lang):
        return f"{noun} {pos + 1}"
    return ui_text("diff.track_clip", lang, name=noun, n=pos + 1)


def _group(kind: str, track: Track, t: int, segs: list[Segment], lang: str | None) -> list[Change]:
    """One sentence per segment (`kind`: added or removed), or one for many subtitles at once."""
    if len(segs) >= 2 and all(s.kind == "subtitle" for s in segs):
        sentence = ui_text(f"diff.subtitles_{kind}", lang, n=len(segs), span=span(segs))
        return [Change(f"subtitles_{kind}", t, None, sentence)]
    out = []
    for seg in segs:
        fields: dict[str, Any] = {
            "noun": _noun(track, seg, t, lang),
            "name": segment_name(track, seg, Q, lang),
        }
        if kind == "added":
            volume = f", {_pct(seg.volume)}" if track.type == 1 else ""
            fields["details"] = span([seg]) + volume
        out.append(Change(kind, t, seg.id, ui_text(f"diff.{kind}", lang, **fields)))
    return out


def _segment_changes(
    tb: Track, t: int, a: Segment, b: Segment, pos: int, moved: bool, lang: str | None
) -> list[Change]:
    def say(kind: str, key: str, **fields: object) -> None:
        out.append(Change(kind, t, b.id, ui_text(f"diff.{key}", lang, who=who, **fields)))

    who = _subject(tb, t, b, pos, lang)
    out: list[Change] = []
    if a.text != b.text and b.text is not None and a.text is not None:
        say("text", "text_changed", old=quote(a.text, Q), new=quote(b.text, Q))
    elif a.text != b.text:
        say("text", "text_removed" if b.text is None else "text_added")
    if a.volume != b.volume:
        say("volume", "volume", old=_pct(a.volume), new=_pct(b.volume))
    if a.duration != b.duration:
        shorter = (b.duration or 0) < (a.duration or 0)
        say("trimmed", "trimmed" if shorter else "extended", s=_s(b.duration or 0))
    if a.start != b.start and moved:
        say("moved", "moved", s=_s(b.start or 0))
    if a.source != b.source:
        say("replaced", "replaced", old=a.name or a.source, new=b.name or b.source)
    elif a.name != b.name and not is_text(tb, b):
        say("renamed", "renamed", name=b.name)
    keys = _other_keys(a, b)
    if keys:
        names = [ui_text(f"diff.key.{k}", lang) if k in _KEY_NAMES else k for k in keys]
        say("changed", "changed", names=", ".join(names))
    return out


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


def _track_changes(ta: Track, tb: Track, t: int, lang: str | None) -> list[Change]:
    out: list[Change] = []
    name_a, name_b = track_name(ta, t, lang), track_name(tb, t, lang)
    if ta.name != tb.name:
        sentence = ui_text("diff.track_renamed", lang, old=name_a, new=name_b)
        out.append(Change("track_changed", t, None, sentence))
    if ta.type != tb.type:
        label = tb.type_label
        kind = ui_text(f"diff.type.{label}", lang) if label in ("video", "audio", "text") else label
        sentence = ui_text("diff.track_type", lang, name=name_b, type=kind)
        out.append(Change("track_changed", t, None, sentence))
    pairs, removed, added = _pair(ta.items, tb.items)
    order_a = [a for a, _ in sorted(pairs, key=lambda p: p[1])]
    reordered = order_a != sorted(order_a)
    if reordered:
        key = "diff.reordered_texts" if tb.type == 7 else "diff.reordered_clips"
        out.append(Change("reordered", t, None, ui_text(key, lang, name=name_b)))
    out += _group("removed", ta, t, [ta.items[i] for i in removed], lang)
    out += _group("added", tb, t, [tb.items[i] for i in added], lang)
    for i, j in pairs:
        out += _segment_changes(tb, t, ta.items[i], tb.items[j], j, not reordered, lang)
    return out


def _new_track(track: Track, t: int, lang: str | None) -> list[Change]:
    name, segs = track_name(track, t, lang), list(track.items)
    if len(segs) == 1 or (len(segs) >= 2 and all(s.kind == "subtitle" for s in segs)):
        return _group("added", track, t, segs, lang)
    if segs:
        sentence = ui_text(
            "diff.track_added_segments", lang, name=name, n=len(segs), span=span(segs)
        )
    else:
        sentence = ui_text("diff.track_added", lang, name=name)
    return [Change("track_added", t, None, sentence)]


def diff_drafts(before: Any, after: Any, language: str | None = None) -> list[Change]:
    """The changes from `before` to `after`, one sentence each (empty when nothing changed), in
    `language` (None: the session's)."""
    a, b, lang = Draft.of(before), Draft.of(after), language
    if dict(a.raw) == dict(b.raw):
        return []
    if a.segment_count == 0 and b.segment_count > 0:
        clips = sum(len(t.items) for t in b.items if t.type == 0) or b.segment_count
        length = b.duration if b.duration is not None else b.end
        key = "diff.created_one" if clips == 1 else "diff.created_many"
        sentence = ui_text(key, lang, n=clips, length=f"{fmt_seconds(length)}s")
        return [Change("created", None, None, sentence)]
    if b.segment_count == 0 and a.segment_count > 0:
        return [Change("cleared", None, None, ui_text("diff.cleared", lang))]
    out: list[Change] = []
    pairs, removed, added = _pair(a.items, b.items)
    for i in removed:
        sentence = ui_text("diff.track_removed", lang, name=track_name(a.items[i], i, lang))
        out.append(Change("track_removed", i, None, sentence))
    for j in added:
        out += _new_track(b.items[j], j, lang)
    for i, j in pairs:
        out += _track_changes(a.items[i], b.items[j], j, lang)
    if a.duration != b.duration:
        old, new = _s(a.duration or 0), _s(b.duration or 0)
        out.append(Change("duration", None, None, ui_text("diff.duration", lang, old=old, new=new)))
    out += _settings(a, b, lang)
    if not out:  # e.g. a null that became absent: still a change, say so plainly
        out.append(Change("changed", None, None, ui_text("diff.draft_changed", lang)))
    return out


def _canvas(meta: Mapping[str, Any]) -> tuple[Any, Any]:
    return meta.get("w", meta.get("width")), meta.get("h", meta.get("height"))


def _settings(a: Draft, b: Draft, lang: str | None) -> list[Change]:
    ma, mb = a.meta or {}, b.meta or {}
    out = []
    if _canvas(ma) != _canvas(mb):
        (wa, ha), (wb, hb) = _canvas(ma), _canvas(mb)
        sentence = ui_text("diff.canvas", lang, old=f"{wa}x{ha}", new=f"{wb}x{hb}")
        out.append(Change("settings", None, None, sentence))
    canvas = ("w", "h", "width", "height")
    keys = sorted(str(k) for k in set(ma) | set(mb) if k not in canvas and ma.get(k) != mb.get(k))
    ra, rb = a.raw, b.raw
    spoken = {"t", "d"} | ({"m"} if a.meta is not None or b.meta is not None else set())
    keys += sorted(k for k in set(ra) | set(rb) if k not in spoken and ra.get(k) != rb.get(k))
    if keys:
        sentence = ui_text("diff.settings", lang, keys=", ".join(keys))
        out.append(Change("settings", None, None, sentence))
    return out
