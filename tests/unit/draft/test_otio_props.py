"""Property: a cut written to an editor format (no ids kept) comes back unchanged, by names alone,
even when names repeat; and a random trim there comes back as exactly that trim."""

from __future__ import annotations

import math
import tempfile
import warnings
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets.draft import OtioWarning, from_otio
from nemo_widgets.draft._otio_files import write_timeline

otio = pytest.importorskip("opentimelineio")

SETTINGS = settings(max_examples=40, deadline=None, database=None)


@st.composite
def agent_drafts(draw: Any) -> dict[str, Any]:
    """Drafts shaped like the offline agent's: pictures with gaps, music, a title; names repeat."""
    at, pictures = 0, []
    for i in range(draw(st.integers(1, 5))):
        at += draw(st.sampled_from([0, 0, 400, 1001]))
        d = draw(st.integers(50, 4000))
        name = draw(st.sampled_from(["a.jpg", "b.jpg", "照片.png"]))
        pictures.append({"id": f"seg_{i}", "k": "image", "src": f"med_{name}", "nm": name})
        pictures[-1].update({"st": at, "d": d, "x": {"kept": i}})
        at += d
    music = {"id": "seg_m", "k": "audio", "src": "gen_bgm", "nm": "Lo-fi", "st": 0, "d": at}
    title = {"id": "seg_t", "k": "title", "txt": draw(st.sampled_from(["城市之梦", "Hi"]))}
    title.update({"st": 0, "d": min(at, 3000)})
    return {
        "d": at,
        "m": {"fps": draw(st.sampled_from([24, 25, 30, 29.97])), "ratio": "9:16"},
        "t": [
            {"id": "trk_v", "tt": 0, "nm": "Video", "sg": pictures},
            {"id": "trk_a", "tt": 1, "nm": "BGM", "sg": [music]},
            {"id": "trk_t", "tt": 7, "nm": "Title", "sg": [title]},
        ],
    }


def _written(draft: dict[str, Any], folder: str, suffix: str) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", OtioWarning)  # an EDL leaves the music out, and says so
        return write_timeline(draft, Path(folder) / f"cut{suffix}")


@SETTINGS
@given(agent_drafts(), st.sampled_from([".xml", ".fcpxml", ".edl"]))
def test_an_untouched_editor_file_brings_back_the_same_draft(
    draft: dict[str, Any], suffix: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        assert from_otio(_written(draft, folder, suffix), base=draft) == draft


@SETTINGS
@given(agent_drafts(), st.sampled_from([".xml", ".edl"]), st.data())
def test_a_tail_trim_in_an_editor_file_is_exactly_that_trim(
    draft: dict[str, Any], suffix: str, data: st.DataObject
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = _written(draft, folder, suffix)
        rate = _rate(draft, suffix)
        options = {"rate": rate} if suffix == ".edl" else {}
        timeline = otio.adapters.read_from_file(str(path), **options)
        video = next(t for t in timeline.tracks if t.kind == "Video" and t.find_clips())
        clips = video.find_clips()
        i = data.draw(st.integers(0, len(clips) - 1))
        clip = clips[i]
        frames = round(clip.source_range.duration.value)
        cut = data.draw(st.integers(1, frames - 1)) if frames > 1 else 0
        clip.source_range = otio.opentime.TimeRange(
            clip.source_range.start_time,
            clip.source_range.duration - otio.opentime.RationalTime(cut, clip.duration().rate),
        )
        if cut:  # a trim that leaves the rest in place (a track is a sequence: fill the hole)
            hole = otio.opentime.RationalTime(cut, clip.duration().rate)
            video.insert(video.index(clip) + 1, otio.schema.Gap(duration=hole))
        otio.adapters.write_to_file(timeline, str(path), **options)
        back = from_otio(path, base=draft)
    seg = sorted(draft["t"][0]["sg"], key=lambda s: s["st"])[i]
    expected = {**seg}
    if cut:
        end = math.floor((seg["st"] + seg["d"]) * rate / 1000 + 0.5) - cut  # halves up
        expected["d"] = math.floor(end * 1000 / rate + 0.5) - seg["st"]
    got = next(s for s in back["t"][0]["sg"] if s["id"] == seg["id"])
    assert got == expected
    assert [s for s in back["t"][0]["sg"] if s["id"] != seg["id"]] == [
        s for s in draft["t"][0]["sg"] if s["id"] != seg["id"]
    ]
    assert back["t"][1:] == draft["t"][1:]


def _rate(draft: dict[str, Any], suffix: str) -> float:
    from nemo_widgets.draft._otio_files import editor_rate

    return editor_rate("cmx_3600" if suffix == ".edl" else "fcp_xml", draft["m"]["fps"])
