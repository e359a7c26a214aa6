"""Example round-trips through the DataFrame: each edit lands where a user expects it."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pandas as pd
import pytest
from _draft_samples import format_doc, segment
from _draft_strategies import canonical

from nemo_widgets.draft import COLUMNS, draft_to_frame, frame_to_draft
from nemo_widgets.errors import DraftError


def test_columns_and_values_of_the_format_example() -> None:
    df = draft_to_frame(format_doc())
    assert list(df.columns) == [*COLUMNS, "in", "pos", "fs", "c"]
    assert df.segment.tolist() == ["seg_1", "seg_2", "seg_3", "seg_4", "seg_5"]
    assert df.track_type.astype(str).tolist() == ["video", "video", "audio", "text", "text"]
    assert df.label.tolist() == ["product1.jpg", "clip.mp4", "Lo-fi", "城市之梦", "第一句字幕"]
    assert df.end.tolist() == [3000, 7000, 10000, 3000, 5000]
    assert str(df.start.dtype) == "Int64" and str(df.fs.dtype) == "Int64"
    assert df.volume.tolist()[1:3] == [1.0, 0.35]
    # a Timedelta view is one call away, exact to the millisecond
    assert pd.to_timedelta(df.duration, unit="ms").iloc[1] == pd.Timedelta(seconds=4)


@pytest.mark.parametrize("draft", [None, {}, {"t": []}, {"t": [{"tt": 0, "sg": []}]}])
def test_empty_drafts_give_an_empty_frame_with_the_same_dtypes(draft: object) -> None:
    empty, full = draft_to_frame(draft), draft_to_frame(format_doc())
    assert list(empty.columns) == COLUMNS and len(empty) == 0
    for col in COLUMNS:
        assert empty[col].dtype == full[col].dtype or col == "track_type", col
    assert list(empty.track_type.cat.categories) == ["video", "audio", "text"]


def test_architecture_example_edits_the_text_of_text_rows() -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    df.loc[df.track_type == "text", "text"] = "城市之梦"
    out = frame_to_draft(df, base=draft)
    expected = format_doc()
    segment(expected, "seg_5")["txt"] = "城市之梦"
    assert canonical(out) == canonical(expected)


def test_edited_subtitle_label_lands_in_txt() -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    df.loc[df.segment == "seg_5", "label"] = "第一句字幕（修正）"
    df.loc[df.segment == "seg_1", "label"] = "cover.jpg"  # a clip's label is its name
    out = frame_to_draft(df, base=draft)
    expected = format_doc()
    segment(expected, "seg_5")["txt"] = "第一句字幕（修正）"
    segment(expected, "seg_1")["nm"] = "cover.jpg"
    assert canonical(out) == canonical(expected)


def test_changed_volume() -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    df.loc[df.track_type == "audio", "volume"] = 0.5
    out = frame_to_draft(df, base=draft)
    expected = format_doc()
    segment(expected, "seg_3")["v"] = 0.5
    assert canonical(out) == canonical(expected)


def test_deleted_row_removes_the_segment() -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    out = frame_to_draft(df[df.segment != "seg_4"], base=draft)
    expected = format_doc()
    expected["t"][2]["sg"] = []  # the track stays, empty
    assert canonical(out) == canonical(expected)


def test_deleting_the_last_clip_shortens_a_draft_whose_d_followed_the_content() -> None:
    draft = format_doc()
    draft["t"] = draft["t"][:1]  # video only: d 10000 was set apart from the 7 s of content
    df = draft_to_frame(draft)
    assert frame_to_draft(df.iloc[:1], base=draft)["d"] == 10000
    draft["d"] = 7000  # now d is the end of the content, and follows it
    assert frame_to_draft(df.iloc[:1], base=draft)["d"] == 3000


def test_added_row_gets_a_fresh_id_and_its_place_by_start() -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    new = {"track": 3, "track_type": "text", "kind": "subtitle", "start": 5000}
    df.loc[len(df)] = {**new, "duration": 2000, "text": "第二句", "pos": "bottom"}
    df.loc[len(df)] = {**new, "start": 0, "duration": 0, "label": "零"}
    out = frame_to_draft(df, base=draft)
    subs = out["t"][3]["sg"]
    assert [s.get("txt") for s in subs] == ["第一句字幕", "零", "第二句"]
    assert subs[2] == {
        "id": "seg_6",
        "k": "subtitle",
        "st": 5000,
        "d": 2000,
        "txt": "第二句",
        "pos": "bottom",
    }
    assert subs[1]["id"] == "seg_7" and subs[1]["d"] == 0
    assert out["d"] == 10000


def test_a_new_track_index_creates_a_track_and_d_grows() -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    row = {"track": 9, "track_type": "audio", "kind": "audio", "start": 8000, "duration": 4000}
    df = pd.concat([df, pd.DataFrame([{**row, "source": "gen_x", "volume": 0.2}])])
    out = frame_to_draft(df, base=draft)
    assert out["t"][0]["sg"][0] == segment(format_doc(), "seg_1")
    assert out["t"][4] == {
        "id": "trk_1",
        "nm": "Audio",
        "tt": 1,
        "sg": [{"id": "seg_6", "k": "audio", "st": 8000, "d": 4000, "src": "gen_x", "v": 0.2}],
    }
    assert out["d"] == 12000


def test_a_copied_row_is_a_new_segment_with_every_key() -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    copy_row = df[df.segment == "seg_4"].assign(start=5000, label="第二个标题")
    out = frame_to_draft(pd.concat([df, copy_row], ignore_index=True), base=draft)
    titles = out["t"][2]["sg"]
    assert titles[0] == segment(format_doc(), "seg_4")
    assert titles[1] == {**titles[0], "id": "seg_6", "st": 5000, "txt": "第二个标题"}


@pytest.mark.parametrize(
    ("edit", "st", "d"),
    [
        (lambda df: df.assign(duration=df.duration - 1000), 3000, 3000),  # trim
        (lambda df: df.assign(end=df.end + 500), 3000, 4500),  # drag the end
        (lambda df: df.assign(start=df.start + 500), 3500, 4000),  # move
        (lambda df: df.assign(start=df.start + 500, end=df.end + 500), 3500, 4000),
        (lambda df: df.assign(duration=pd.to_timedelta(df.duration, unit="ms") * 2), 3000, 8000),
    ],
    ids=["duration", "end", "start", "start-and-end", "timedelta"],
)
def test_time_edits(edit: object, st: int, d: int) -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    clip = df[df.segment == "seg_2"]
    edited = pd.concat([df[df.segment != "seg_2"], edit(clip)]).sort_index()  # type: ignore[operator]
    out = frame_to_draft(edited, base=draft)
    got = segment(out, "seg_2")
    assert (got["st"], got["d"]) == (st, d)
    assert type(got["st"]) is int and type(got["d"]) is int
    assert out["d"] == max(10000, st + d)


def test_unknown_keys_types_and_colliding_names_survive_edits() -> None:
    draft: dict[str, Any] = {
        "d": 5000,
        "x": {"nested": [1, 2]},
        "t": [
            {
                "tt": 42,
                "sg": [
                    {
                        "id": "a",
                        "st": 0,
                        "d": 1000,
                        "start": "not ours",
                        "sg.x": 1,
                        "fx": [1, {"b": 2}],
                        "fs": 12,
                        "v": 1,
                        "txt": None,
                    },
                    {"id": "b", "st": 1000, "d": 1000, "fs": 14.5},
                ],
            }
        ],
    }
    df = draft_to_frame(draft)
    assert {"sg.start", "sg.sg.x", "fx", "fs"} <= set(df.columns)
    assert df.track_type.astype(str).tolist() == ["other:42", "other:42"]
    df.loc[0, "fs"] = 13.0
    df.loc[1, "sg.start"] = "added"
    out = frame_to_draft(df, base=draft)
    a, b = out["t"][0]["sg"]
    assert a["fs"] == 13 and type(a["fs"]) is int  # an int edited through a float column
    assert a["v"] == 1 and type(a["v"]) is int and a["txt"] is None
    assert a["fx"] == [1, {"b": 2}] and a["fx"] is not draft["t"][0]["sg"][0]["fx"]
    assert b["start"] == "added" and b["fs"] == 14.5
    assert out["x"] == {"nested": [1, 2]} and out["t"][0]["tt"] == 42


def test_segments_without_ids_match_by_row_label() -> None:
    draft = {"t": [{"sg": [{"st": 0, "d": 1}, {"st": 1, "d": 1, "q": None}]}]}
    df = draft_to_frame(draft)
    df.loc[1, "duration"] = 5
    out = frame_to_draft(df, base=draft)
    assert out["t"][0]["sg"][1] == {"st": 1, "d": 5, "q": None}
    assert "id" not in out["t"][0]["sg"][0] and out["d"] == 6


def test_without_base_the_frame_alone_makes_a_draft() -> None:
    df = draft_to_frame(format_doc())
    out = frame_to_draft(df)
    assert [t["nm"] for t in out["t"]] == ["Video", "Audio", "Title", "Subtitles"]
    assert [t["tt"] for t in out["t"]] == [0, 1, 7, 7]
    assert out["d"] == 10000
    assert segment(out, "seg_4")["txt"] == "城市之梦"
    assert frame_to_draft(draft_to_frame(None)) == {}


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda df: df.assign(volume="loud"), "volume"),
        (lambda df: df.assign(track=-1), "track"),
        (lambda df: df.assign(start="soon"), "start"),
        (
            lambda df: df.assign(
                text=df.label.where(df.track_type != "text", "a"),
                label=df.label.where(df.track_type != "text", "b"),
            ),
            "disagree",
        ),
        (lambda df: df.iloc[:, :5].set_axis([1, 2, 3, 4, 5], axis=1), "column names"),
        (lambda df: df.assign(kind=5), "kind"),
        (lambda df: df.assign(track_type="sideways"), "track_type"),
    ],
    ids=["volume", "track", "start", "label-text", "names", "kind", "track_type"],
)
def test_bad_frames_raise_draft_error(edit: object, message: str) -> None:
    draft = format_doc()
    with pytest.raises(DraftError, match=message):
        frame_to_draft(edit(draft_to_frame(draft)), base=draft)  # type: ignore[operator]


def test_bad_arguments_raise_draft_error() -> None:
    with pytest.raises(DraftError, match="DataFrame"):
        frame_to_draft({"t": []})  # wrong on purpose
    with pytest.raises(DraftError, match="track"):
        frame_to_draft(pd.DataFrame({"start": [0]}))
    with pytest.raises(DraftError, match="must be an object"):
        frame_to_draft(pd.DataFrame(), base=[1])


def test_the_result_shares_nothing_with_the_base_or_the_frame() -> None:
    draft = {"d": 1, "m": {"w": 1}, "t": [{"sg": [{"id": "a", "st": 0, "d": 1, "fx": {"k": [1]}}]}]}
    before = copy.deepcopy(draft)
    df = draft_to_frame(draft)
    out = frame_to_draft(df, base=draft)
    out["t"][0]["sg"][0]["fx"]["k"].append(2)
    out["m"]["w"] = 2
    df.loc[0, "fx"]["k"].append(3)
    assert draft == before


def test_object_columns_with_pandas_na_are_read_as_missing() -> None:
    draft = format_doc()
    df = draft_to_frame(draft).astype({"segment": object, "text": object})
    df.loc[len(df)] = {"track": 0, "start": 7000, "duration": 1000, "segment": pd.NA, "text": pd.NA}
    out = frame_to_draft(df, base=draft)
    assert out["t"][0]["sg"][2] == {"id": "seg_6", "st": 7000, "d": 1000}
    assert canonical(frame_to_draft(df.iloc[:-1], base=draft)) == canonical(draft)


def test_a_new_row_with_na_everywhere_but_track_and_times() -> None:
    draft = format_doc()
    df = draft_to_frame(draft).astype(object)  # every column object, NA as pd.NA
    df.loc[len(df)] = dict.fromkeys(df.columns, pd.NA) | {"track": 1, "start": 0, "duration": 5}
    out = frame_to_draft(df, base=draft)
    assert out["t"][1]["sg"][1] == {"id": "seg_6", "st": 0, "d": 5}
    assert canonical(frame_to_draft(df.iloc[:-1], base=draft)) == canonical(draft)


class _Tagged(dict):  # type: ignore[type-arg]
    """A dict subclass: copied with its type, not turned into a plain dict."""


def test_nested_values_come_back_as_unshared_copies_with_their_exact_types() -> None:
    fx = {"i": 1, "f": 1.0, "z": -0.0, "b": True, "n": None, "big": 10**30, "l": [1, [2.5, "字"]]}
    odd = [{"x": 1}, _Tagged(y=2), (1, 2)]
    draft = {"t": [{"sg": [{"id": "a", "fx": fx}, {"id": "b", "fx": odd}, {"id": "c", "fx": 3}]}]}
    before = copy.deepcopy(draft)
    df = draft_to_frame(draft)
    out = frame_to_draft(df, base=draft)
    a, b, c = out["t"][0]["sg"]
    assert canonical(out) == canonical(before)
    assert [type(v) for v in a["fx"].values()] == [type(v) for v in fx.values()]
    assert str(a["fx"]["z"]) == "-0.0"
    assert type(b["fx"][1]) is _Tagged and b["fx"][1] is not odd[1]
    assert a["fx"] is not fx and a["fx"]["l"][1] is not fx["l"][1] and c["fx"] == 3
    for cell, value in zip(df.fx, (fx, odd), strict=False):
        assert cell == value and cell is not value  # the frame's cells are copies too


def test_cells_holding_lists_or_arrays_compare_cell_by_cell() -> None:
    draft = {"t": [{"sg": [{"id": "a", "q": [1, 2]}, {"id": "b", "q": [3, 4]}]}]}
    df = draft_to_frame(draft)
    assert df.q.tolist() == [[1, 2], [3, 4]]  # one list per cell, not a second axis
    assert canonical(frame_to_draft(df, base=draft)) == canonical(draft)
    df.at[1, "q"] = np.array([3, 5])  # no plain truth value for ==: compared one by one
    out = frame_to_draft(df, base=draft)
    assert out["t"][0]["sg"][0]["q"] == [1, 2] and list(out["t"][0]["sg"][1]["q"]) == [3, 5]


@pytest.mark.parametrize("na", [None, np.nan, pd.NA], ids=["None", "NaN", "pd.NA"])
def test_any_missing_marker_in_an_untouched_cell_keeps_the_base(na: object) -> None:
    draft = format_doc()
    df = draft_to_frame(draft).astype({"text": object, "fs": object, "source": object})
    for col in ("text", "fs", "source"):
        df[col] = df[col].where(df[col].notna(), na)
    assert canonical(frame_to_draft(df, base=draft)) == canonical(draft)


def test_a_bad_edited_cell_is_named_by_row_and_column() -> None:
    draft = format_doc()
    df = draft_to_frame(draft).astype({"source": object, "in": object})
    df.loc[2, "source"] = 7
    with pytest.raises(DraftError, match=r"row 2, column 'source' must be a string, not int 7"):
        frame_to_draft(df, base=draft)
    df = draft_to_frame(draft)
    df.loc[3, "volume"] = float("inf")
    with pytest.raises(DraftError, match=r"row 3, column 'volume' must be a finite number"):
        frame_to_draft(df, base=draft)


def test_numpy_scalars_written_into_object_cells_become_plain_values() -> None:
    draft = format_doc()
    df = draft_to_frame(draft).astype({"fs": object, "name": object})
    df.loc[3, "fs"] = np.int64(100)
    df.loc[0, "name"] = np.str_("cover.jpg")
    out = frame_to_draft(df, base=draft)
    assert out["t"][2]["sg"][0]["fs"] == 100 and type(out["t"][2]["sg"][0]["fs"]) is int
    assert type(segment(out, "seg_1")["nm"]) is str


def test_a_missing_track_in_a_nullable_integer_column_is_a_draft_error() -> None:
    draft = format_doc()
    df = draft_to_frame(draft)
    df["track"] = df["track"].astype("Int64")
    df.loc[df.index[0], "track"] = pd.NA
    with pytest.raises(DraftError, match="track must be an index"):
        frame_to_draft(df, base=draft)
