"""The one-line summary, in the contract's exact form."""

from __future__ import annotations

import pytest
from _draft_samples import contract, format_doc

from nemo_widgets.draft import Draft, summarize
from nemo_widgets.errors import DraftError


def test_the_contract_line() -> None:
    assert summarize(contract()) == (
        "Timeline (3 tracks): 1. Video: city timelapse (0-10s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "Urban Dreams" (0-3s)'
    )


def test_chinese_text_several_clips_and_a_model() -> None:
    line = (
        "Timeline (4 tracks): 1. Video: 2 clips (0-7s) 2. BGM: Lo-fi (0-10s, 35%) "
        '3. Title: "城市之梦" (0-3s) 4. Subtitles: "第一句字幕" (0-5s)'
    )
    assert summarize(format_doc()) == line
    assert summarize(Draft.from_dict(format_doc())) == line


@pytest.mark.parametrize(
    ("draft", "line"),
    [
        (None, "Timeline (0 tracks): empty"),
        ({}, "Timeline (0 tracks): empty"),
        ({"t": [{"tt": 1, "sg": []}]}, "Timeline (1 track): 1. Audio: empty"),
        (
            {
                "t": [
                    {
                        "tt": 7,
                        "nm": "Subtitles",
                        "sg": [
                            {"k": "subtitle", "txt": "一", "st": 0, "d": 1500},
                            {"k": "subtitle", "txt": "二", "st": 1500, "d": 1250},
                        ],
                    }
                ]
            },
            "Timeline (1 track): 1. Subtitles: 2 subtitles (0-2.8s)",
        ),
        (
            {
                "t": [
                    {
                        "tt": 1,
                        "nm": "BGM",
                        "sg": [
                            {"nm": "a", "st": 0, "d": 1000, "v": 0.35},
                            {"nm": "b", "st": 1000, "d": 1000},
                        ],
                    }
                ]
            },
            "Timeline (1 track): 1. BGM: 2 clips (0-2s, 35-100%)",
        ),
        (
            {"t": [{"tt": 42, "sg": [{"txt": "x" * 60, "st": 0, "d": 0}]}]},
            'Timeline (1 track): 1. Track 1: "' + "x" * 39 + '…" (0-0s)',
        ),
    ],
    ids=["none", "empty", "empty-track", "subtitles", "volumes", "unknown-type"],
)
def test_more_shapes(draft: object, line: str) -> None:
    assert summarize(draft) == line


def test_values_of_foreign_kinds_are_read_as_absent_and_never_refused() -> None:
    draft = {"t": [{"sg": [{"st": "0", "d": 1000, "nm": False, "v": "loud"}], "tt": "video"}]}
    assert summarize(draft) == "Timeline (1 track): 1. Track 1: untitled (0-1s)"


@pytest.mark.parametrize(
    ("segment", "shown"),
    [
        ({"s": 1000, "d": 2000, "name": "intro.mp4"}, "intro.mp4 (1-3s, 100%)"),
        ({"start": 500, "d": 500, "m": {"name": "Lo-fi", "volume": 0.4}}, "Lo-fi (0.5-1s, 40%)"),
        ({"st": 0, "d": 1000, "text": "Hi", "volume": 0.5}, '"Hi" (0-1s, 50%)'),
        ({"m": {"text": "字幕"}}, '"字幕" (0-0s, 100%)'),
        ({}, "untitled (0-0s, 100%)"),
    ],
    ids=["s-name", "start-m", "text-volume", "m-text", "nothing"],
)
def test_names_texts_starts_and_volumes_wherever_the_draft_keeps_them(
    segment: dict[str, object], shown: str
) -> None:
    line = summarize({"t": [{"tt": 1, "name": "Music", "sg": [segment]}]})
    assert line == f"Timeline (1 track): 1. Music: {shown}"


def test_a_draft_that_is_not_an_object_is_a_draft_error() -> None:
    with pytest.raises(DraftError, match="t must be a list"):
        summarize({"t": "tracks"})
