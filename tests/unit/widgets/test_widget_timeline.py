"""TimelineTable's kernel side: rows, lanes and summary from the state; selection; fallback."""

from __future__ import annotations

import json

import pandas as pd
from widget_fakes import FakeSession, RecordingComm

from nemo_widgets import State
from nemo_widgets.draft import draft_to_frame
from nemo_widgets.widgets import TimelineTable

VIDEO = [
    {"id": "seg_1", "k": "image", "src": "med_ab12", "nm": "product1.jpg", "st": 0, "d": 3000},
    {"id": "seg_2", "k": "video", "src": "med_cd34", "nm": "clip.mp4", "st": 3000, "d": 4000},
]
BGM = [{"id": "seg_3", "k": "audio", "src": "gen", "nm": "Lo-fi", "st": 0, "d": 10000, "v": 0.35}]
TITLE = [{"id": "seg_4", "k": "title", "txt": "城市之梦 <b>", "st": 0, "d": 3000}]
DRAFT = {
    "d": 10000,
    "m": {"w": 1080, "h": 1920, "fps": 30, "ratio": "9:16"},
    "t": [
        {"id": "trk_v", "tt": 0, "nm": "Video", "sg": VIDEO},
        {"id": "trk_a", "tt": 1, "nm": "BGM", "sg": BGM},
        {"id": "trk_t", "tt": 7, "nm": "Title", "sg": TITLE},
    ],
}


def state(draft: dict) -> State:
    return State(draft, [], {}, [])


def test_rows_lanes_and_summary_from_the_state(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    session.last_state = state(DRAFT)
    w = TimelineTable(session)
    assert w.total_rows == len(w.rows) == 4
    assert w.columns[:6] == ["track", "track_type", "segment", "start", "end", "duration"]
    assert [(t["name"], t["type"], len(t["segments"])) for t in w.tracks] == [
        ("Video", "video", 2),
        ("BGM", "audio", 1),
        ("Title", "text", 1),
    ]
    bars = {s["label"]: (s["start"], s["end"]) for t in w.tracks for s in t["segments"]}
    assert bars["clip.mp4"] == (3000, 7000) and bars["城市之梦 <b>"] == (0, 3000)
    assert w.duration == 10000
    assert w.summary.startswith("Timeline (3 tracks)")
    json.dumps(w.get_state())  # every trait is plain JSON
    pd.testing.assert_frame_equal(w.df, draft_to_frame(DRAFT))


def test_bars_point_at_their_rows(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    session.last_state = state(DRAFT)
    w = TimelineTable(session)
    for lane in w.tracks:
        for bar in lane["segments"]:
            row = w.rows[bar["row"]]
            assert (row["track"], row["start"], row["end"]) == (
                lane["index"],
                bar["start"],
                bar["end"],
            )


def test_state_events_refresh_the_table(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    w = TimelineTable(session)
    assert w.rows == [] and w.summary == "" and w.df.empty
    w.selected = 3
    session.emit("state", state(DRAFT))
    assert len(w.rows) == 4 and w.selected == 3
    smaller = {**DRAFT, "t": DRAFT["t"][:1]}
    session.emit("state", state(smaller))
    assert len(w.rows) == 2 and w.selected == -1  # the selected row is gone
    sent = comms[-1].updates("rows")
    assert sent and len(sent[-1]) == 2


def test_large_frames_are_capped_in_the_browser_not_in_df(comms: list[RecordingComm]) -> None:
    segs = [
        {"id": f"s{i}", "k": "image", "nm": f"{i}.jpg", "st": i * 10, "d": 10} for i in range(50)
    ]
    session = FakeSession()
    session.last_state = state({"d": 500, "t": [{"id": "v", "tt": 0, "nm": "Video", "sg": segs}]})
    w = TimelineTable(session, max_rows=20)
    assert len(w.rows) == 20 and w.total_rows == 50 and len(w.df) == 50


def test_fallback_shows_summary_and_table(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    session.last_state = state(DRAFT)
    data, _ = TimelineTable(session)._repr_mimebundle_()
    assert data["text/plain"].startswith("Timeline (3 tracks)")
    assert "<table" in data["text/html"] and "城市之梦 &lt;b&gt;" in data["text/html"]


def test_closing_stops_following_the_session(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    w = TimelineTable(session)
    w.close()
    # only the session's working draft (which outlives its views) still follows the session
    assert session.observers == [w.edits._on_session]


def test_a_draft_shaped_unlike_ours_is_drawn_not_refused(comms: list[RecordingComm]) -> None:
    vendor = {
        "d": 4000,
        "m": {"title": "城市", "width": 1080, "height": 1920},
        "t": [
            {"tt": 0, "name": "Main", "sg": [{"s": 1000, "d": 2000, "m": {"name": "a.mp4"}}]},
            {"tt": 1, "sg": [{"st": "12", "d": 1000, "v": False, "text": "BGM"}]},
            {"tt": 42, "sg": [{"kind": "sticker"}]},
        ],
    }
    session = FakeSession()
    session.last_state = state(vendor)
    w = TimelineTable(session)
    bars = [(t["name"], s["label"], s["start"], s["end"]) for t in w.tracks for s in t["segments"]]
    assert bars == [("Main", "a.mp4", 1000, 3000), ("Audio", "BGM", 0, 1000), ("Track 3", "", 0, 0)]
    assert w.rows[1]["volume"] is False and w.rows[1]["start"] == "12"
    assert w.duration == 4000 and "untitled" in w.summary
    json.dumps(w.get_state())
