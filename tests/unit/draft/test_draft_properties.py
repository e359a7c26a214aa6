"""Properties over generated drafts: the frame round-trip is lossless, garbage gives DraftError."""

from __future__ import annotations

import contextlib
import copy
from typing import Any

import pandas as pd
import pytest
from _draft_strategies import canonical, drafts, garbage_drafts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nemo_widgets.draft import (
    COLUMNS,
    Draft,
    diff_drafts,
    draft_to_frame,
    frame_to_draft,
    problems,
    summarize,
)
from nemo_widgets.draft._read import read
from nemo_widgets.errors import DraftError

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _segments(draft: Any) -> list[dict[str, Any]]:
    return [s for t in (draft or {}).get("t") or [] for s in t.get("sg") or []]


@SETTINGS
@given(drafts)
def test_untouched_frame_gives_the_draft_back(draft: Any) -> None:
    original = copy.deepcopy(draft)
    df = draft_to_frame(draft)
    back = frame_to_draft(df, base=draft)
    assert canonical(back) == canonical(draft if draft is not None else {})
    assert canonical(draft) == canonical(original)  # neither direction touched the input


@SETTINGS
@given(drafts, st.sampled_from([None, float("nan"), pd.NA]))
def test_object_columns_and_any_missing_marker_are_no_edit(draft: Any, na: Any) -> None:
    df = draft_to_frame(draft).astype(object)
    df = df.where(df.notna(), na)
    assert canonical(frame_to_draft(df, base=draft)) == canonical(draft or {})


@SETTINGS
@given(drafts)
def test_frame_shape(draft: Any) -> None:
    df = draft_to_frame(draft)
    segs = _segments(draft)
    assert len(df) == len(segs)
    assert list(df.columns[: len(COLUMNS)]) == COLUMNS
    timed = df.start.notna() & df.duration.notna()
    assert (df.end[timed] == df.start[timed] + df.duration[timed]).all()
    assert df.end[~timed].isna().all()
    for row, seg in zip(df.itertuples(index=False), segs, strict=True):
        assert (row.segment if isinstance(row.segment, str) else None) == seg.get("id")
        text = read(seg, "text")  # wherever the segment keeps it, else our key's raw value
        assert (row.text if isinstance(row.text, str) else None) == (
            text
            if text is not None
            else seg.get("txt")
            if isinstance(seg.get("txt"), str)
            else None
        )
    assert df.track.is_monotonic_increasing


@SETTINGS
@given(drafts)
def test_the_model_round_trips_and_agrees_with_the_frame(draft: Any) -> None:
    model = Draft.from_dict(draft)
    assert canonical(model.to_dict()) == canonical(draft if draft is not None else {})
    assert model.segment_count == len(draft_to_frame(draft))
    assert isinstance(summarize(draft), str)
    assert diff_drafts(draft, copy.deepcopy(draft)) == []
    assert isinstance(problems(draft), list)


@SETTINGS
@given(drafts)
def test_frame_without_base_keeps_every_segment_key(draft: Any) -> None:
    df = draft_to_frame(draft)
    rebuilt = frame_to_draft(df)
    segs = [s for t in rebuilt.get("t", []) for s in t["sg"]]
    assert len(segs) == len(df)
    seen: set[Any] = set()
    for new, old in zip(segs, _segments(draft), strict=True):
        # without a base, nulls are dropped, fresh ids replace missing or repeated ones and
        # times are whole ms
        expected = {k: v for k, v in old.items() if v is not None}
        if expected.get("id") in seen:
            del expected["id"]
        seen.add(new["id"])
        for key in ("st", "d"):
            if key in expected:
                expected[key] = round(expected[key])
        assert {k: v for k, v in new.items() if k in expected} == expected


def _only_draft_error(fn: Any, *args: Any) -> None:
    """Run `fn`: succeeding is fine, and so is DraftError; any other exception fails the test."""
    with contextlib.suppress(DraftError):
        fn(*args)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(garbage_drafts())
def test_garbage_raises_only_draft_error(draft: Any) -> None:
    for fn in (draft_to_frame, summarize, problems, lambda d: frame_to_draft(pd.DataFrame(), d)):
        _only_draft_error(fn, draft)
    _only_draft_error(diff_drafts, draft, {})
    try:
        df = draft_to_frame(draft)
    except DraftError:
        with pytest.raises(DraftError):
            Draft.from_dict(draft)  # both parsers refuse the same drafts
        return
    Draft.from_dict(draft)
    _only_draft_error(frame_to_draft, df, draft)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drafts, drafts)
def test_diff_of_any_two_drafts_is_sentences(before: Any, after: Any) -> None:
    changes = diff_drafts(before, after)
    assert all(isinstance(c.sentence, str) and c.sentence for c in changes)
    same = (before or {}) == (after or {})  # 1000 and 1000.0 are the same time
    assert (changes == []) == same  # every difference is reported, and only differences
