"""Each timeline format, written from a draft and read back by OpenTimelineIO's own adapters."""

from __future__ import annotations

import warnings
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest
from _draft_samples import format_doc

from nemo_widgets.draft import OtioWarning, from_otio
from nemo_widgets.draft._otio import MediaInfo
from nemo_widgets.draft._otio_files import adapter_for, editor_rate, write_timeline
from nemo_widgets.errors import DraftError

otio = pytest.importorskip("opentimelineio")

FORMATS = [".otio", ".otioz", ".xml", ".fcpxml", ".edl"]
FPS = 30
# the format doc at 30 fps: (kind, name, start frame, duration frames, file)
VIDEO = [
    ("Video", "product1.jpg", 0, 90, "product1.jpg"),
    ("Video", "clip.mp4", 90, 120, "clip.mp4"),
]
AUDIO = [("Audio", "Lo-fi", 0, 300, "lofi.wav")]
TEXTS = ["城市之梦", "第一句字幕"]


@pytest.fixture
def media(tmp_path: Path) -> dict[str, MediaInfo]:
    """Real (tiny) files for the format doc's three sources."""
    folder = tmp_path / "media"
    folder.mkdir()
    out = {}
    for src, name, ms in [
        ("med_ab12", "product1.jpg", None),
        ("med_cd34", "clip.mp4", 8000),
        ("gen_lofi", "lofi.wav", 10000),
    ]:
        (folder / name).write_bytes(b"media " + name.encode())
        out[src] = MediaInfo((folder / name).as_uri(), ms)
    return out


def _read(path: Path) -> Any:
    options = {"rate": FPS} if path.suffix == ".edl" else {}
    return otio.adapters.read_from_file(str(path), **options)


def _file(url: str) -> str:
    return Path(unquote(urlsplit(url).path)).name


def _media_clips(timeline: Any) -> list[tuple[str, str, int, int, str]]:
    out = []
    for track in timeline.tracks:
        for clip in track.find_clips():
            if isinstance(clip.media_reference, otio.schema.ExternalReference):
                span = clip.range_in_parent()
                out.append(
                    (
                        track.kind,
                        clip.name,
                        round(span.start_time.rescaled_to(FPS).value),
                        round(span.duration.rescaled_to(FPS).value),
                        _file(clip.media_reference.target_url),
                    )
                )
    return sorted(out, key=lambda c: (c[0] != "Video", c[2]))


def _texts(timeline: Any) -> list[str]:
    generators = [
        c.name
        for c in timeline.find_clips()
        if isinstance(c.media_reference, otio.schema.GeneratorReference)
    ]
    markers = [m.name for c in timeline.find_clips() for m in c.markers]
    return generators + markers


def _write(draft: Any, path: Path, media: dict[str, MediaInfo]) -> Path:
    if path.suffix == ".edl":  # one video track: the BGM is left out, and said so
        with pytest.warns(OtioWarning, match="BGM"):
            return write_timeline(draft, path, media=media)
    return write_timeline(draft, path, media=media)


@pytest.mark.parametrize("suffix", FORMATS)
def test_each_format_reads_back_with_clips_order_durations_and_media(
    suffix: str, tmp_path: Path, media: dict[str, MediaInfo]
) -> None:
    path = _write(format_doc(), tmp_path / f"cut{suffix}", media)
    timeline = _read(path)
    expected = VIDEO + ([] if suffix == ".edl" else AUDIO)
    assert _media_clips(timeline) == expected
    assert sorted(_texts(timeline)) == sorted(TEXTS)
    for clip in timeline.find_clips():
        if isinstance(clip.media_reference, otio.schema.ExternalReference) and suffix != ".edl":
            assert clip.media_reference.available_range is not None  # an EDL has no such field
    if suffix == ".otioz":  # the media travel inside
        names = zipfile.ZipFile(path).namelist()
        assert {"media/product1.jpg", "media/clip.mp4", "media/lofi.wav"} <= set(names)
    else:
        refs = [c.media_reference for c in timeline.find_clips()]
        urls = [r.target_url for r in refs if isinstance(r, otio.schema.ExternalReference)]
        assert urls and all(Path(unquote(urlsplit(u).path)).is_file() for u in urls)


def test_the_in_point_survives_the_editor_formats(
    tmp_path: Path, media: dict[str, MediaInfo]
) -> None:
    for suffix in (".xml", ".fcpxml", ".edl"):
        timeline = _read(_write(format_doc(), tmp_path / f"cut{suffix}", media))
        clip = next(c for c in timeline.find_clips() if c.name == "clip.mp4")
        assert clip.source_range.start_time.rescaled_to(FPS).value == pytest.approx(45)  # 1.5 s


@pytest.mark.parametrize("suffix", FORMATS)
def test_an_untouched_file_brings_back_the_draft_unchanged(
    suffix: str, tmp_path: Path, media: dict[str, MediaInfo]
) -> None:
    draft = format_doc()
    path = _write(draft, tmp_path / f"cut{suffix}", media)
    assert from_otio(path, base=draft) == draft


@pytest.mark.parametrize("suffix", [".xml", ".fcpxml", ".edl"])
def test_a_trim_made_in_an_editor_format_comes_back_by_name(
    suffix: str, tmp_path: Path, media: dict[str, MediaInfo]
) -> None:
    draft = format_doc()
    path = _write(draft, tmp_path / f"cut{suffix}", media)
    timeline = _read(path)
    clip = next(c for c in timeline.find_clips() if c.name == "clip.mp4")
    assert "nemo" not in clip.metadata  # the editor formats keep no ids: names match
    rate = clip.source_range.duration.rate
    clip.source_range = otio.opentime.TimeRange(
        clip.source_range.start_time,
        clip.source_range.duration - otio.opentime.RationalTime(rate, rate),
    )  # one second off its tail
    options = {"rate": FPS} if suffix == ".edl" else {}
    otio.adapters.write_to_file(timeline, str(path), **options)
    back = from_otio(path, base=draft)
    expected = format_doc()
    expected["t"][0]["sg"][1]["d"] = 3000
    assert back == expected


def test_an_unknown_suffix_is_a_draft_error(tmp_path: Path) -> None:
    with pytest.raises(DraftError, match=r"\.mov"):
        write_timeline(format_doc(), tmp_path / "cut.mov")


def test_fcp7_texts_are_text_generators(tmp_path: Path, media: dict[str, MediaInfo]) -> None:
    timeline = _read(write_timeline(format_doc(), tmp_path / "cut.xml", media=media))
    title = next(c for c in timeline.find_clips() if c.name == "城市之梦")
    ref = title.media_reference
    assert ref.generator_kind == "Text"
    assert ref.metadata["fcp_xml"]["parameter"]["value"] == "城市之梦"


def test_media_the_session_cannot_reach_is_reported(tmp_path: Path) -> None:
    with pytest.warns(OtioWarning, match="med_cd34") as seen:
        path = write_timeline(format_doc(), tmp_path / "cut.otio", media={})
    assert len(seen[0].message.unmapped) == 3  # three sources, none reachable
    timeline = _read(path)
    assert all(
        not isinstance(c.media_reference, otio.schema.ExternalReference)
        for c in timeline.find_clips()
    )


def test_a_missing_plugin_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(otio.adapters, "available_adapter_names", lambda: ["otio_json", "otioz"])
    with pytest.raises(ImportError, match=r"otio-cmx3600-adapter.*nemo-widgets\[otio\]"):
        write_timeline(format_doc(), tmp_path / "cut.edl")
    with pytest.raises(ImportError, match="otio-fcp-adapter"):
        from_otio(tmp_path / "cut.xml", base=format_doc())
    assert not list(tmp_path.iterdir())  # nothing half-written


@pytest.mark.parametrize("fps", [10, 12.5, 24, 25, 29.97, 48, 60])
@pytest.mark.parametrize("suffix", FORMATS)
def test_any_fps_round_trips_at_a_rate_the_format_has(
    suffix: str, fps: float, tmp_path: Path, media: dict[str, MediaInfo]
) -> None:
    draft = format_doc()
    draft["m"]["fps"] = fps
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        path = write_timeline(draft, tmp_path / f"cut{suffix}", media=media)
    said = " ".join(str(w.message) for w in seen)
    rate = editor_rate(adapter_for(path), fps)
    assert (f"written at {rate:g} fps" in said) == (abs(rate - fps) > 0.01)
    options = {"rate": rate} if suffix == ".edl" else {}
    timeline = otio.adapters.read_from_file(str(path), **options)
    clip = next(c for c in timeline.find_clips() if c.name == "clip.mp4")
    assert clip.duration().to_seconds() == pytest.approx(4.0, abs=1 / rate)  # to a frame
    assert from_otio(path, base=draft) == draft


def test_an_editors_edl_starting_at_one_hour_maps_onto_the_draft(tmp_path: Path) -> None:
    path = tmp_path / "from-premiere.edl"
    path.write_text(
        "TITLE: cut\nFCM: NON-DROP FRAME\n\n"
        "001  AX       V     C        00:00:00:00 00:00:02:00 01:00:00:00 01:00:02:00\n"
        "* FROM CLIP NAME:  product1.jpg\n"
        "002  AX       V     C        00:00:01:15 00:00:05:15 01:00:03:00 01:00:07:00\n"
        "* FROM CLIP NAME:  clip.mp4\n",
        encoding="utf-8",
    )
    back = from_otio(path, base=format_doc())
    expected = format_doc()
    expected["t"][0]["sg"][0]["d"] = 2000  # the picture's tail trimmed by a second
    assert back == expected  # music and texts are not in the EDL: kept as they were
