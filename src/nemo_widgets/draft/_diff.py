"""What changed between two drafts, as the catalog's `diff.*` sentences ("BGM volume 35% → 50%");
tracks, and segments within a track, are matched by unique id, else by position."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, TypeVar

from .._text import ui_text
from . import _read
from ._model import Draft, Segment, Track, fmt_seconds
from ._summary import percent, quote, segment_name, span, track_name

_T = TypeVar("_T", Track, Segment)
Q = "'"  # sentences quote texts with single quotes
_KEY_NAMES = frozenset({"pos", "fs", "c", "in", "k", "id", "nm"})  # keys the catalog names
_NOUNS = {"title": "title", "subtitle": "subtitle", "image": "image", "video": "clip"}  # by kind
_SAID = ("text", "volume", "duration", "start", "source", "name")  # readings with a sentence
_FIRST = {"id": 0, "k": 1, "in": 2}  # named first, in this order
_CANVAS = ("w", "h", "width", "height")


@dataclass(frozen=True)
class Change:
    """One change: its `kind`, the track index and segment id it concerns, and a sentence."""

    kind: str
    track: int | None
    segment: str | None
    sentence: str

    def __str__(self) -> str:
        return self.sentence


def seconds(ms: float, tenths: bool = False) -> str:
    """A time as the sentences write it: '3.5s', '10s' (`tenths`: '10.0s')."""
    return f"{ms / 1000:.1f}s" if tenths else f"{fmt_seconds(ms)}s"


def changed_keys(a: Mapping[str, Any], b: Mapping[str, Any]) -> list[str]:
    return sorted((k for k in a.keys() | b.keys() if a.get(k) != b.get(k)), key=str)


def _pair(before: Sequence[_T], after: Sequence[_T]) -> tuple[list[tuple[int, int]], list, list]:
    """(matched index pairs, removed indexes, added indexes), by unique ids else by position."""
    ids_a, ids_b = [x.id for x in before], [x.id for x in after]
    if all(None not in ids and len(set(ids)) == len(ids) for ids in (ids_a, ids_b)):
        where = {i: n for n, i in enumerate(ids_b)}
        pairs = [(n, where[i]) for n, i in enumerate(ids_a) if i in where]
    else:
        pairs = [(n, n) for n in range(min(len(before), len(after)))]
    removed = sorted(set(range(len(before))) - {a for a, _ in pairs})
    return pairs, removed, sorted(set(range(len(after))) - {b for _, b in pairs})


def _other_keys(a: Segment, b: Segment) -> list[str]:
    """The keys that changed beyond what the other sentences say, `m` included."""
    said = {p for w in _SAID if getattr(a, w) != getattr(b, w) for p in _read.SEGMENT[w][1]}
    keys = [k for k in changed_keys(a.raw, b.raw) if k != "m" and k not in said]
    ma, mb = a.raw.get("m"), b.raw.get("m")
    if isinstance(ma, dict) and isinstance(mb, dict):
        keys += [f"m.{k}" for k in changed_keys(ma, mb) if f"m.{k}" not in said]
    elif ma != mb:
        keys.append("m")
    return sorted(keys, key=lambda k: (_FIRST.get(k, len(_FIRST)), k))


class _Changes(list[Change]):
    def __init__(self, lang: str | None) -> None:
        super().__init__()
        self.lang = lang

    def say(
        self, kind: str, key: str = "", t: int | None = None, seg: str | None = None, **fmt: object
    ) -> None:
        """A change whose sentence is `diff.<key>` (`key` defaults to `kind`)."""
        self.append(Change(kind, t, seg, ui_text(f"diff.{key or kind}", self.lang, **fmt)))

    def text(self, key: str, **fields: object) -> str:
        return ui_text(f"diff.{key}", self.lang, **fields)

    def noun(self, track: Track, seg: Segment, t: int) -> tuple[str | None, str]:
        """(catalog key of what the segment is, None: its audio track's name; the noun shown)."""
        key = _NOUNS.get(seg.kind or "")
        if key is None and track.type != 1:
            media = "clip" if track.type == 0 else "segment"
            text = _read.is_text(seg.raw, track.type)
            key = "audio" if seg.kind == "audio" else "text" if text else media
        return key, track_name(track, t, self.lang) if key is None else self.text(key)

    def subject(self, track: Track, t: int, seg: Segment, pos: int) -> str:
        """How to point at one segment in a sentence: 'Clip 2', 'BGM', 'Subtitle 3', 'Title'."""
        key, noun = self.noun(track, seg, t)
        if key == "image" or (key == "clip" and track.type in (0, None)):
            return f"{self.text('clip')} {pos + 1}"
        if len(track.items) == 1:
            return noun
        if noun != track_name(track, t, self.lang):
            return f"{noun} {pos + 1}"
        return self.text("track_clip", name=noun, n=pos + 1)

    def group(self, kind: str, track: Track, t: int, segs: list[Segment]) -> None:
        """One sentence per segment (`kind`: added or removed), or one for many subtitles."""
        if len(segs) >= 2 and all(s.kind == "subtitle" for s in segs):
            self.say(f"subtitles_{kind}", "", t, n=len(segs), span=span(segs))
            return
        for seg in segs:
            details = span([seg]) + (f", {percent(seg.volume)}%" if track.type == 1 else "")
            noun, name = self.noun(track, seg, t)[1], segment_name(seg, Q, self.lang)
            self.say(kind, "", t, seg=seg.id, noun=noun, name=name, details=details)

    def segment(self, tb: Track, t: int, a: Segment, b: Segment, pos: int, moved: bool) -> None:
        def say(key: str, kind: str = "", **fields: object) -> None:
            self.say(kind or key, key, t, seg=b.id, who=who, **fields)

        who = self.subject(tb, t, b, pos)
        if a.text != b.text and b.text is not None and a.text is not None:
            say("text_changed", "text", old=quote(a.text, Q), new=quote(b.text, Q))
        elif a.text != b.text:
            say("text_removed" if b.text is None else "text_added", "text")
        if a.volume != b.volume:
            say("volume", old=f"{percent(a.volume)}%", new=f"{percent(b.volume)}%")
        if a.duration != b.duration:
            key = "trimmed" if (b.duration or 0) < (a.duration or 0) else "extended"
            say(key, "trimmed", s=seconds(b.duration or 0, tenths=True))
        if a.start != b.start and moved:
            say("moved", s=seconds(b.start or 0, tenths=True))
        if a.source != b.source:
            say("replaced", old=a.name or a.source, new=b.name or b.source)
        elif a.name != b.name and not _read.is_text(b.raw, tb.type):
            say("renamed", name=b.name)
        keys = _other_keys(a, b)
        if keys:
            names = [self.text(f"key.{k}") if k in _KEY_NAMES else k for k in keys]
            say("changed", names=", ".join(names))

    def track(self, ta: Track, tb: Track, t: int) -> None:
        name = track_name(tb, t, self.lang)
        if ta.name != tb.name:
            old = track_name(ta, t, self.lang)
            self.say("track_changed", "track_renamed", t, old=old, new=name)
        if ta.type != tb.type:
            label = tb.type_label
            kind = self.text(f"type.{label}") if label in ("video", "audio", "text") else label
            self.say("track_changed", "track_type", t, name=name, type=kind)
        pairs, removed, added = _pair(ta.items, tb.items)
        reordered = any(p[1] > q[1] for p, q in pairwise(pairs))  # pairs come in `ta` order
        if reordered:
            key = "reordered_texts" if tb.type == 7 else "reordered_clips"
            self.say("reordered", key, t, name=name)
        self.group("removed", ta, t, [ta.items[i] for i in removed])
        self.group("added", tb, t, [tb.items[i] for i in added])
        for i, j in pairs:
            self.segment(tb, t, ta.items[i], tb.items[j], j, not reordered)

    def drafts(self, a: Draft, b: Draft) -> None:
        pairs, removed, added = _pair(a.items, b.items)
        for i in removed:
            self.say("track_removed", "", i, name=track_name(a.items[i], i, self.lang))
        for j in added:
            segs = list(b.items[j].items)
            if segs and (len(segs) == 1 or all(s.kind == "subtitle" for s in segs)):
                self.group("added", b.items[j], j, segs)
            else:
                key = "track_added_segments" if segs else "track_added"
                name = track_name(b.items[j], j, self.lang)
                self.say("track_added", key, j, name=name, n=len(segs), span=span(segs))
        for i, j in pairs:
            self.track(a.items[i], b.items[j], j)
        if a.duration != b.duration:
            old, new = (seconds(d.duration or 0, tenths=True) for d in (a, b))
            self.say("duration", old=old, new=new)
        ma, mb = a.meta or {}, b.meta or {}
        was, now = [(m.get("w", m.get("width")), m.get("h", m.get("height"))) for m in (ma, mb)]
        if was != now:
            self.say("settings", "canvas", old="{}x{}".format(*was), new="{}x{}".format(*now))
        spoken = {"t", "d"} | ({"m"} if a.meta is not None or b.meta is not None else set())
        keys = [k for k in changed_keys(ma, mb) if k not in _CANVAS]
        keys += [k for k in changed_keys(a.raw, b.raw) if k not in spoken]
        if keys:
            self.say("settings", keys=", ".join(map(str, keys)))


def diff_drafts(before: Any, after: Any, language: str | None = None) -> list[Change]:
    """The changes from `before` to `after`, one sentence each, in `language` (None: session's)."""
    a, b, out = Draft.of(before), Draft.of(after), _Changes(language)
    if dict(a.raw) == dict(b.raw):
        return []
    if a.segment_count == 0 and b.segment_count > 0:
        clips = sum(len(t.items) for t in b.items if t.type == 0) or b.segment_count
        length = seconds(b.duration if b.duration is not None else b.end)
        out.say("created", "created_one" if clips == 1 else "created_many", n=clips, length=length)
    elif b.segment_count == 0 and a.segment_count > 0:
        out.say("cleared")
    else:
        out.drafts(a, b)
    if not out:  # e.g. a null that became absent: still a change, say so plainly
        out.say("changed", "draft_changed")
    return list(out)
