"""The summary line, the change sentences and the edit refusals in Chinese: the same as in
English, word for word from the catalog."""

from __future__ import annotations

from typing import Any

from _draft_strategies import drafts
from hypothesis import HealthCheck, given, settings

from nemo_widgets._text import TEXT, set_active
from nemo_widgets.draft import Draft, diff_drafts, summarize
from nemo_widgets.draft._edits import EditRefused, SetVolume, apply

ENGLISH = {"Timeline (", " tracks)", " track)", ": empty", " clips", " images", " untitled"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drafts)
def test_chinese_summary_has_the_tracks_and_no_english_frame(draft: Any) -> None:
    zh = summarize(draft, "zh-CN")
    n = len(Draft.of(draft).items)
    assert zh.startswith(f"时间线（{n} 条轨道）：")
    assert not any(word in zh for word in ENGLISH)
    assert summarize(draft).startswith(f"Timeline ({n} track")  # English stays the default


def test_chinese_summary_words() -> None:
    draft = {"t": [{"tt": 0, "sg": []}, {"tt": 7, "nm": "字幕", "sg": []}]}
    assert summarize({}, "zh") == TEXT["summary.none"][1]
    assert summarize(draft, "zh") == "时间线（2 条轨道）：1. 视频：空 2. 字幕：空"
    assert summarize(draft) == "Timeline (2 tracks): 1. Video: empty 2. 字幕: empty"


# the fixed words of every English change sentence (the catalog's diff.* templates, fields cut out)
DIFF_WORDS = {" added", " removed", " changed", " renamed", " trimmed", " moved", "Track '"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drafts, drafts)
def test_chinese_changes_are_the_english_ones_in_chinese(before: Any, after: Any) -> None:
    en, zh = diff_drafts(before, after, "en"), diff_drafts(before, after, "zh-CN")
    assert [(c.kind, c.track, c.segment) for c in zh] == [(c.kind, c.track, c.segment) for c in en]
    assert not any(word in c.sentence for c in zh for word in DIFF_WORDS)


def test_chinese_change_sentences() -> None:
    before = {"t": [{"tt": 1, "nm": "BGM", "sg": [{"id": "a", "st": 0, "d": 10000, "v": 0.35}]}]}
    after = {"t": [{"tt": 1, "nm": "BGM", "sg": [{"id": "a", "st": 0, "d": 4000, "v": 0.5}]}]}
    assert [c.sentence for c in diff_drafts(before, after, "zh")] == [
        "BGM 音量 35% → 50%",
        "BGM 缩短到 4.0s",
    ]
    assert [c.sentence for c in diff_drafts({}, after, "zh")] == ["视频已生成：1 个片段，4s"]


def test_changes_follow_the_session_language_by_default() -> None:
    before, after = {"t": [{"nm": "V", "sg": []}]}, {"t": [{"nm": "W", "sg": []}]}
    assert [c.sentence for c in diff_drafts(before, after)] == ["Track 'V' renamed to 'W'"]
    set_active("zh")
    try:
        assert [c.sentence for c in diff_drafts(before, after)] == ["轨道“V”改名为“W”"]
    finally:
        set_active("en")


def test_edit_refusals_follow_the_session_language() -> None:
    draft = {"t": [{"tt": 1, "sg": [{"id": "a", "st": 0, "d": 1000}]}]}
    assert apply(draft, SetVolume("a", 2)) == EditRefused("a volume is between 0 and 1 (asked 2)")
    set_active("zh")
    try:
        assert apply(draft, SetVolume("a", 2)) == EditRefused("音量在 0 到 1 之间（要求的是 2）")
    finally:
        set_active("en")
