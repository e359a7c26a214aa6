"""The OTIO timeline, read back by OpenTimelineIO itself."""

from __future__ import annotations

from typing import Any

import pytest
from _draft_samples import format_doc

from nemo_widgets.draft import OtioWarning, to_otio
from nemo_widgets.draft._otio import Unmapped
from nemo_widgets.errors import DraftError

otio = pytest.importorskip("opentimelineio")  # the extra `otio`; installed in dev


def _read_back(draft: object) -> Any:
    text = otio.adapters.write_to_string(to_otio(draft), "otio_json")
    return otio.adapters.read_from_string(text, "otio_json")


def test_tracks_clips_gaps_and_durations_survive_json() -> None:
    draft = format_doc()
    timeline = _read_back(draft)
    tracks = list(timeline.tracks)
    assert [t.name for t in tracks] == ["Video", "BGM", "Title", "Subtitles"]
    assert [t.kind for t in tracks] == ["Video", "Audio", "Video", "Video"]
    clips = [c for t in tracks for c in t.find_clips()]
    segs = [s for t in draft["t"] for s in t["sg"]]
    assert len(clips) == len(segs) == 5
    assert [c.source_range.duration.to_seconds() * 1000 for c in clips] == [s["d"] for s in segs]
    assert timeline.duration().to_seconds() == 10.0
    for track in tracks:
        assert track.duration().to_seconds() == 10.0  # padded to the draft's d
    video = clips[1]
    assert video.media_reference.target_url == "med_cd34"
    assert video.source_range.start_time.to_seconds() == 1.5  # the in-point
    title = clips[3]
    assert title.media_reference.generator_kind == "text"
    assert title.media_reference.parameters["text"] == "城市之梦"
    assert dict(title.metadata["nemo"]) == draft["t"][2]["sg"][0]
    assert timeline.metadata["nemo"]["m"]["ratio"] == "9:16"


def test_gaps_between_segments() -> None:
    draft = {
        "d": 6000,
        "t": [
            {
                "tt": 0,
                "sg": [
                    {"id": "b", "nm": "b", "st": 4000, "d": 1000},
                    {"id": "a", "nm": "a", "st": 1000, "d": 1000},
                ],
            }
        ],
    }
    track = _read_back(draft).tracks[0]
    kinds = [(type(item).__name__, item.duration().to_seconds()) for item in track]
    assert kinds == [("Gap", 1.0), ("Clip", 1.0), ("Gap", 2.0), ("Clip", 1.0), ("Gap", 1.0)]
    assert [c.name for c in track.find_clips()] == ["a", "b"]


def test_the_rate_is_the_drafts_fps_and_times_round_to_frames() -> None:
    draft = {"m": {"fps": 25}, "t": [{"sg": [{"st": 0, "d": 1019}, {"st": 1019, "d": 21}]}]}
    track = _read_back(draft).tracks[0]
    assert [c.source_range.duration for c in track] == [
        otio.opentime.RationalTime(25, 25),  # 1019 ms is 25.5 frames: edges round, halves up
        otio.opentime.RationalTime(1, 25),
    ]
    assert _read_back({"t": []}).global_start_time.rate == 30  # no fps: 30
    assert to_otio(draft, fps=50).tracks[0][0].duration().rate == 50  # the caller's wins


def test_every_media_reference_has_an_available_range() -> None:
    timeline = _read_back(format_doc())
    for clip in timeline.find_clips():
        available = clip.media_reference.available_range
        assert available is not None
        inside = clip.source_range
        assert available.start_time <= inside.start_time
        assert inside.end_time_exclusive() <= available.end_time_exclusive()


def test_overlapping_segments_go_to_a_lane_of_the_same_track() -> None:
    draft = {"d": 10, "t": [{"nm": "Subs", "sg": [{"st": 0, "d": 5}, {"st": 2, "d": 5}]}]}
    tracks = list(to_otio(draft, fps=1000).tracks)
    assert [t.name for t in tracks] == ["Subs", "Subs (2)"]
    assert [t.metadata["nemo_ref"] for t in tracks] == [0, 0]
    assert [c.metadata["nemo_ref"][1] for t in tracks for c in t.find_clips()] == [0, 1]


@pytest.mark.parametrize(
    "draft",
    [
        {"t": [{"sg": [{"st": -1, "d": 5}]}]},
        {"t": [{"sg": [{"d": 5}, {"st": "0"}]}]},
        {"t": [{"sg": ["not a segment"]}]},
    ],
    ids=["negative", "no-duration", "not-an-object"],
)
def test_what_otio_cannot_place_is_left_out_with_a_warning(draft: object) -> None:
    with pytest.warns(OtioWarning, match="could not be mapped") as seen:
        timeline = to_otio(draft)
    assert len(timeline.tracks) == 1
    assert all(isinstance(u, Unmapped) and "segment" in u.where for u in seen[0].message.unmapped)


def test_a_segment_without_a_start_follows_the_previous_one() -> None:
    draft = {"t": [{"sg": [{"nm": "a", "d": 1000}, {"nm": "b", "d": 500}]}]}
    track = _read_back(draft).tracks[0]
    assert [(c.name, c.range_in_parent().start_time.to_seconds()) for c in track] == [
        ("a", 0.0),
        ("b", 1.0),
    ]


def test_empty_draft_is_an_empty_timeline() -> None:
    assert len(_read_back({}).tracks) == 0


def test_a_clear_error_without_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "opentimelineio", None)  # import fails
    with pytest.raises(ImportError, match=r"nemo-widgets\[otio\]"):
        to_otio(format_doc())


def test_metadata_otio_cannot_hold_is_a_draft_error() -> None:
    with pytest.raises(DraftError, match="OTIO"):
        to_otio({"x": 2**63})  # beyond OTIO's int64 metadata


def test_a_draft_model_is_taken_and_a_dataframe_refused() -> None:
    from nemo_widgets.draft import Draft, draft_to_frame, from_otio

    draft = format_doc()
    timeline = to_otio(Draft.from_dict(draft))
    assert from_otio(timeline, base=Draft.from_dict(draft)) == draft
    with pytest.raises(DraftError, match="frame_to_draft"):
        to_otio(draft_to_frame(draft))
