"""Hypothesis strategies for compact drafts: valid ones with unknown keys everywhere; garbage."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import strategies as st

KNOWN_SEGMENT = {"id", "k", "st", "d", "src", "nm", "txt", "v", "in"}
KNOWN_TRACK = {"id", "tt", "nm", "sg"}
KNOWN_DRAFT = {"t", "d", "m"}

# Unicode and Chinese text, plus names that collide with the frame's own columns
text = st.text(
    st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=12
) | st.sampled_from(["城市之梦", "第一句字幕", "Urban Dreams", "", " ", "é", "🎬"])
tricky_keys = st.sampled_from(
    [
        "start",
        "end",
        "label",
        "track",
        "track_type",
        "text",
        "name",
        "segment",
        "sg.start",
        "sg.x",
        "pos",
        "fs",
        "c",
        "名字",
        "fx",
        "0",
    ]
)


def keys(exclude: set[str]) -> st.SearchStrategy[str]:
    """Unknown keys (never one of the level's known keys)."""
    return (tricky_keys | text).filter(lambda k: k not in exclude)


scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
ms = st.integers(0, 10**8) | st.floats(0, 1e8, allow_nan=False) | st.integers(-5000, -1)
ids = st.sampled_from(["seg_1", "seg_2", "seg_9", "a", "片段"]) | st.text(max_size=6)


def _maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """A key's value: usually the strategy's, sometimes an explicit null."""
    return st.one_of(strategy, strategy, strategy, st.none())


@st.composite
def _object(draw: Any, fields: dict[str, st.SearchStrategy[Any]], known: set[str]) -> dict:
    out: dict[str, Any] = {}
    for key, strategy in fields.items():
        if draw(st.booleans()):
            out[key] = draw(_maybe(strategy))
    extra = draw(st.dictionaries(keys(known), json_values, max_size=3))
    out.update(extra)
    return out


segments = _object(
    {
        "id": ids,
        "k": st.sampled_from(["image", "video", "audio", "title", "subtitle"]) | text,
        "st": ms,
        "d": st.just(0) | ms,
        "src": text,
        "nm": text,
        "txt": text,
        "v": st.floats(0, 1) | st.sampled_from([0, 1]),
        "in": ms,
    },
    KNOWN_SEGMENT,
)
tracks = _object(
    {
        "id": st.sampled_from(["trk_v", "trk_a", "trk_1"]) | text,
        "tt": st.sampled_from([0, 1, 7, 3, 42, -1]),
        "nm": text,
        "sg": st.lists(segments, max_size=5),
    },
    KNOWN_TRACK,
)
drafts = st.none() | _object(
    {
        "d": ms,
        "m": st.dictionaries(text, json_values, max_size=3),
        "t": st.lists(tracks, max_size=6),
    },
    KNOWN_DRAFT,
)

garbage_values = st.one_of(
    st.sampled_from([float("nan"), float("inf"), -float("inf"), 10**400, True, "12", b"x", ()]),
    st.sets(st.integers(), max_size=2),
    st.just(object()),
    st.dictionaries(st.integers(), st.integers(), min_size=1, max_size=1),
    scalars,
)


@st.composite
def garbage_drafts(draw: Any) -> Any:
    """A valid draft with one value somewhere replaced by something a draft cannot hold."""
    draft = draw(drafts)
    if not draft or draw(st.integers(0, 9)) == 0:
        return draw(garbage_values | st.lists(scalars, max_size=2))
    spots: list[tuple[Any, Any]] = [(draft, k) for k in draft]
    for track in draft.get("t") or []:
        if isinstance(track, dict):
            spots += [(track, k) for k in track]
            for seg in track.get("sg") or []:
                spots += [(seg, k) for k in seg] + [(seg, "st"), (seg, "v"), (seg, "txt")]
    holder, key = draw(st.sampled_from(spots))
    holder[key] = draw(garbage_values)
    return draft


def canonical(obj: Any) -> str:
    """A string that differs whenever two drafts differ, types included (1 is not 1.0)."""
    return json.dumps(obj, sort_keys=True, ensure_ascii=False)


# -- drafts shaped unlike ours: any JSON value in any key, ours and the vendor's aliases too ------
OUR_SEGMENT_KEYS = sorted(KNOWN_SEGMENT | {"s", "start", "text", "name", "volume", "m"})
foreign_values = json_values | st.sampled_from([False, True, "12", "0:01", -1, 10**16, [], {}])
meta = st.dictionaries(
    st.sampled_from(["text", "name", "volume", "title", "width", "height"]) | text,
    foreign_values,
    max_size=3,
)


@st.composite
def _foreign_object(draw: Any, ours: list[str], nested: dict[str, Any] | None = None) -> dict:
    out: dict[str, Any] = {}
    for key in draw(st.lists(st.sampled_from(ours), unique=True, max_size=len(ours))):
        out[key] = draw(meta if key == "m" else foreign_values)
    out.update(draw(st.dictionaries(keys(set(ours)), json_values, max_size=2)))
    for key, strategy in (nested or {}).items():
        if draw(st.integers(0, 4)):
            out[key] = draw(strategy)
    return out


foreign_segments = _foreign_object(OUR_SEGMENT_KEYS)
foreign_tracks = _foreign_object(
    ["id", "tt", "nm", "name", "m"],
    {"sg": st.lists(foreign_segments, max_size=4), "tt": st.integers(-3, 200) | foreign_values},
)
foreign_drafts = _foreign_object(
    ["d", "m", "title"], {"t": st.lists(foreign_tracks, max_size=4), "m": meta}
)
