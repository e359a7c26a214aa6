"""Sentences for silent edits: what changed between two drafts."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from _draft_samples import contract, format_doc

from nemo_widgets.draft import Change, diff_drafts
from nemo_widgets.errors import DraftError


def _sentences(before: Any, after: Any) -> list[str]:
    return [c.sentence for c in diff_drafts(before, after)]


def test_nothing_changed() -> None:
    assert diff_drafts(format_doc(), format_doc()) == []
    assert diff_drafts(None, {}) == []


def test_video_created() -> None:
    assert diff_drafts({}, contract()) == [
        Change("created", None, None, "Video created: 1 clip, 10s")
    ]
    assert _sentences(contract(), {"t": []}) == ["Timeline cleared: no segments left"]


def test_title_added_volume_trim_and_text() -> None:
    before = contract()
    before["t"] = before["t"][:2]
    after = contract()
    after["t"][1]["sg"][0]["v"] = 0.5
    after["t"][0]["sg"][0]["d"] = 4000
    assert _sentences(before, after) == [
        "Title added: 'Urban Dreams' (0-3s)",
        "Clip 1 trimmed to 4.0s",
        "BGM volume 35% → 50%",
    ]
    changes = diff_drafts(before, after)
    assert (changes[0].kind, changes[0].track, changes[0].segment) == ("added", 2, "seg_3")
    assert str(changes[2]) == "BGM volume 35% → 50%"


def test_clip_2_trimmed_and_subtitles_added() -> None:
    before, after = format_doc(), format_doc()
    after["t"][0]["sg"][1]["d"] = 4000 - 2000
    after["t"][3]["sg"] += [
        {"id": f"seg_{9 + i}", "k": "subtitle", "txt": "字幕", "st": 5000 + 1000 * i, "d": 1000}
        for i in range(3)
    ]
    assert _sentences(before, after) == ["Clip 2 trimmed to 2.0s", "3 subtitles added (5-8s)"]


def test_track_removed_reordered_and_duration() -> None:
    before, after = format_doc(), format_doc()
    del after["t"][1]
    after["t"][0]["sg"].reverse()
    after["d"] = 7000
    assert _sentences(before, after) == [
        "Track 'BGM' removed",
        "Clips reordered on Video",
        "Duration 10.0s → 7.0s",
    ]


def test_text_and_other_keys() -> None:
    before, after = format_doc(), format_doc()
    after["t"][2]["sg"][0].update(txt="城市之梦 2", pos="top", fx="glow")
    after["t"][0]["sg"][0]["src"] = "med_new"
    after["t"][0]["nm"] = "Main"
    after["m"]["fps"] = 25
    assert _sentences(before, after) == [
        "Track 'Video' renamed to 'Main'",
        "Clip 1 replaced: product1.jpg → product1.jpg",
        "Title text changed: '城市之梦' → '城市之梦 2'",
        "Title changed: fx, position",
        "Draft settings changed: fps",
    ]


def test_segments_removed_without_ids_match_by_position() -> None:
    before: dict[str, Any] = {
        "t": [{"tt": 7, "sg": [{"k": "subtitle", "txt": t, "st": 0, "d": 1} for t in "ab"]}]
    }
    after = copy.deepcopy(before)
    after["t"][0]["sg"] = after["t"][0]["sg"][:1]
    assert _sentences(before, after) == ["Subtitle removed: 'b'"]


def test_garbage_is_a_draft_error() -> None:
    with pytest.raises(DraftError):
        diff_drafts({}, {"t": "tracks"})
