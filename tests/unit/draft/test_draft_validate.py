"""Export checks, with messages that name the track and the segment."""

from __future__ import annotations

from typing import Any

import pytest
from _draft_samples import contract, format_doc

from nemo_widgets.draft import problems, validate
from nemo_widgets.errors import DraftError


def test_valid_drafts_pass() -> None:
    validate(contract())
    validate(format_doc())
    assert problems(format_doc()) == []


def _with(edit: Any) -> dict[str, Any]:
    draft = contract()
    edit(draft)
    return draft


@pytest.mark.parametrize(
    ("draft", "message"),
    [
        ({}, "the draft has nothing to export yet: no track has segments"),
        ({"t": [{"tt": 0, "sg": []}]}, "nothing to export"),
        (
            _with(lambda d: d["t"][1]["sg"][0].update(d=12000)),
            "track 2 (BGM), segment 1 (seg_2): ends at 12.0s, past the draft's end 10.0s",
        ),
        (
            _with(lambda d: d["t"][2]["sg"][0].update(st=-500)),
            "track 3 (Title), segment 1 (seg_3): starts at -0.5s, before the start of the draft",
        ),
        (
            _with(lambda d: d["t"][0]["sg"][0].update(d=-1)),
            "track 1 (Video), segment 1 (seg_1): has a negative duration (-1 ms)",
        ),
        (
            _with(lambda d: d["t"][0]["sg"].append({"id": "x", "st": 9000, "d": 1000})),
            "track 1 (Video): segments 1 (seg_1) and 2 (x) overlap from 9.0s to 10.0s",
        ),
        (
            _with(lambda d: d["t"][0]["sg"][0].update(d="10s")),
            "track 1 (Video), segment 1 (seg_1): its duration d must be a number, not '10s'",
        ),
        (_with(lambda d: d.update(d=None, t=[])), "nothing to export"),
        (_with(lambda d: d.update(d=[1])), "the draft: its duration d must be a number, not [1]"),
    ],
    ids=[
        "empty",
        "no-segments",
        "past-end",
        "negative-start",
        "negative-d",
        "overlap",
        "segment-d-not-a-number",
        "no-tracks",
        "draft-d-not-a-number",
    ],
)
def test_problems_are_named(draft: dict[str, Any], message: str) -> None:
    with pytest.raises(DraftError) as info:
        validate(draft)
    assert message in str(info.value)
    assert any(message in p for p in problems(draft))


def test_touching_and_zero_length_segments_do_not_overlap() -> None:
    draft = _with(
        lambda d: d["t"][0]["sg"].extend(
            [{"id": "z", "st": 5000, "d": 0}, {"id": "y", "st": 10000, "d": 0}]
        )
    )
    validate(draft)


def test_many_problems_are_counted() -> None:
    draft = contract()
    for track in draft["t"]:
        track["sg"][0]["st"] = -1
    draft["t"][0]["sg"][0]["d"] = -5
    with pytest.raises(DraftError, match=r"starts at -1 ms.*; and 1 more"):
        validate(draft)


@pytest.mark.parametrize(
    "edit",
    [
        lambda d: d["t"][0]["sg"][0].pop("st"),
        lambda d: d["t"][0]["sg"][0].pop("d"),
        lambda d: d.pop("d"),
        lambda d: d["t"][1]["sg"][0].update(v=False, st="12", nm=7, fx={"x": [1]}),
        lambda d: d["t"].append({"tt": 99, "sg": [{"kind": "sticker", "at": "0:01"}]}),
        lambda d: d.update(m={"title": "城市", "width": 1080, "height": 1920}, extra=[None]),
    ],
    ids=["no-start", "no-duration", "no-draft-d", "foreign-types", "unknown-track", "meta"],
)
def test_keys_the_contract_does_not_publish_are_the_backends(edit: Any) -> None:
    draft = _with(edit)
    validate(draft)  # nothing required, nothing refused
    assert problems(draft) == []
