"""Drafts shaped unlike ours (the backend's keys, any value in our keys, unknown track types,
no `st` or `d`): read, shown and written back without loss, and never refused."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import pandas as pd
import pytest
from _draft_samples import contract
from _draft_strategies import canonical, foreign_drafts
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nemo_widgets import draft as nd
from nemo_widgets.draft import timeline_view
from nemo_widgets.errors import DraftError
from nemo_widgets.session._export import resolve_draft

SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(foreign_drafts)
def test_the_round_trip_is_lossless(draft: dict[str, Any]) -> None:
    original = copy.deepcopy(draft)
    df = nd.draft_to_frame(draft)
    assert len(df) == nd.Draft.from_dict(draft).segment_count
    assert canonical(nd.frame_to_draft(df, base=draft)) == canonical(draft)
    as_objects = df.astype(object).where(df.notna(), None)
    assert canonical(nd.frame_to_draft(as_objects, base=draft)) == canonical(draft)
    assert canonical(draft) == canonical(original)  # nothing touched the input


@SETTINGS
@given(foreign_drafts, foreign_drafts)
def test_summary_diff_checks_and_lanes_never_raise(before: Any, after: Any) -> None:
    assert nd.summarize(before).startswith("Timeline (")
    assert all(c.sentence for c in nd.diff_drafts(before, after))
    assert nd.diff_drafts(before, copy.deepcopy(before)) == []
    found = nd.problems(after)
    try:
        nd.validate(after)
        assert found == []
    except DraftError:
        assert found
    view = timeline_view(after, 3)
    assert len(view.rows) == min(3, len(view.df))
    assert all(bar["row"] < 3 for lane in view.lanes for bar in lane["segments"])


@SETTINGS
@given(foreign_drafts)
def test_export_sends_a_valid_draft_as_it_came(draft: dict[str, Any]) -> None:
    original = copy.deepcopy(draft)
    if nd.problems(draft):
        return
    assert asyncio.run(resolve_draft(None, draft)) is draft
    assert canonical(draft) == canonical(original)


@SETTINGS
@given(foreign_drafts, st.data())
def test_an_edited_cell_changes_only_its_own_segment(draft: dict[str, Any], data: Any) -> None:
    df = nd.draft_to_frame(draft)
    if df.empty:
        return
    row = data.draw(st.integers(0, len(df) - 1))
    df = df.astype({"label": object})
    df.loc[row, "label"] = "改过"
    out = nd.frame_to_draft(df, base=draft)
    before = [s for t in draft["t"] for s in t.get("sg") or []]
    after = [s for t in out["t"] for s in t.get("sg") or []]
    assert len(before) == len(after)
    for i, (a, b) in enumerate(zip(before, after, strict=True)):
        if i != row:
            assert canonical(a) == canonical(b)
    edited = nd.Draft.from_dict(out).items
    segs = [s for t in edited for s in t.items]
    assert segs[row].label == "改过" or segs[row].text == "改过"
    assert {k: v for k, v in out.items() if k not in ("t", "d")} == {
        k: v for k, v in draft.items() if k not in ("t", "d")
    }


def test_a_foreign_value_in_one_of_our_keys_keeps_its_row_raw() -> None:
    draft = contract()
    draft["t"][1]["sg"][0].update(v=False, st="12")
    df = nd.draft_to_frame(draft)
    assert df.volume.dtype == object and df.volume.tolist() == [None, False, None]
    assert df.start.dtype == object and df.start.tolist()[1] == "12"
    assert pd.isna(df.end[1]) and df.end[0] == 10000
    df.loc[0, "volume"] = 0.5  # an edit elsewhere: the raw values stay as they were
    seg = nd.frame_to_draft(df, base=draft)["t"][1]["sg"][0]
    assert seg["v"] is False and seg["st"] == "12"


def test_vendor_keys_are_shown_in_our_columns_and_written_where_they_were() -> None:
    seg = {"s": 500, "d": 1000, "text": "Hi", "m": {"name": "intro", "volume": 0.3}}
    draft = {"t": [{"tt": 7, "sg": [seg]}]}
    df = nd.draft_to_frame(draft)
    assert (df.start[0], df.end[0], df.label[0]) == (500, 1500, "Hi")
    assert (df.text[0], df.name[0], df.volume[0]) == ("Hi", "intro", 0.3)
    df.loc[0, ["start", "label", "volume"]] = [800, "Hello", 0.6]
    got = nd.frame_to_draft(df, base=draft)["t"][0]["sg"][0]
    assert got == {"s": 800, "d": 1000, "text": "Hello", "m": {"name": "intro", "volume": 0.6}}


def test_two_columns_writing_one_place_must_agree() -> None:
    draft = {"t": [{"sg": [{"start": 100, "d": 10}]}]}
    df = nd.draft_to_frame(draft)
    assert df["sg.start"][0] == 100
    df.loc[0, ["start", "sg.start"]] = [200, 300]
    with pytest.raises(DraftError, match="disagree"):
        nd.frame_to_draft(df, base=draft)
    df.loc[0, "sg.start"] = 200
    assert nd.frame_to_draft(df, base=draft)["t"][0]["sg"][0]["start"] == 200


def test_a_nan_or_infinity_of_the_drafts_own_is_kept_not_read_as_missing() -> None:
    draft = {"t": [{"sg": [{"v": float("nan"), "fx": float("inf"), "q": float("nan")}, {"v": 1}]}]}
    df = nd.draft_to_frame(draft)
    assert df.volume.dtype == object  # the NaN is a value of the draft's, not a missing volume
    assert canonical(nd.frame_to_draft(df, base=draft)) == canonical(draft)
    df.loc[1, "volume"] = 0.5
    out = nd.frame_to_draft(df, base=draft)["t"][0]["sg"]
    assert canonical(out) == canonical([draft["t"][0]["sg"][0], {"v": 0.5}])
