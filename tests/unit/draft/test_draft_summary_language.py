"""The summary line in Chinese: the same line as in English, word for word from the table."""

from __future__ import annotations

from typing import Any

from _draft_strategies import drafts
from hypothesis import HealthCheck, given, settings

from nemo_widgets._text import TEXT
from nemo_widgets.draft import Draft, summarize

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
