"""A live session's timeline to each editor format and back, then rendered: all over loopback."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

import nemo_widgets as nw
from nemo_widgets.draft import OtioWarning, from_otio
from nemo_widgets.local import LocalServer
from nemo_widgets.local.render import ffmpeg_exe

otio = pytest.importorskip("opentimelineio")


@pytest.fixture
def edited(session: nw.Session, png: Path, tmp_path: Path) -> dict[str, Any]:
    """A session with a photo and a 2 s clip made into a video (music and title added)."""
    clip = tmp_path / "clip.mp4"
    subprocess.run(
        [
            *(ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i", "testsrc=size=160x120:rate=10:d=2"),
            *("-c:v", "libx264", "-pix_fmt", "yuv420p", "-y", str(clip)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    session.upload(png, clip)
    session.chat("make a 4 second video from my uploads")
    draft = session.state().draft
    assert [s["nm"] for s in draft["t"][0]["sg"]] == ["photo.png", "clip.mp4"]
    return draft


def _path(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


@pytest.mark.parametrize("suffix", [".otio", ".otioz", ".xml", ".fcpxml", ".edl"])
def test_each_format_holds_the_sessions_cut_with_real_files(
    session: nw.Session, edited: dict[str, Any], png: Path, tmp_path: Path, suffix: str
) -> None:
    dest = tmp_path / "out" / f"cut{suffix}"
    if suffix == ".edl":
        with pytest.warns(OtioWarning, match="BGM"):  # an EDL holds one video track
            written = session.export_timeline(dest)
    else:
        written = session.export_timeline(dest)
    assert written == dest
    options = {"rate": 30} if suffix == ".edl" else {}
    timeline = otio.adapters.read_from_file(str(dest), **options)
    video = next(t for t in timeline.tracks if t.kind == "Video" and len(t.find_clips()) == 2)
    clips = video.find_clips()
    assert [c.name for c in clips] == ["photo.png", "clip.mp4"]
    assert [c.duration().to_frames() for c in clips] == [60, 60]  # 2 s each at the draft's 30 fps
    if suffix == ".otioz":
        assert clips[0].media_reference.target_url == "media/photo.png"
        return
    photo = _path(clips[0].media_reference.target_url)
    assert photo == tmp_path / "out" / "cut_media" / "photo.png"
    assert photo.read_bytes() == png.read_bytes()  # the downloaded copy of the upload
    assert _path(clips[1].media_reference.target_url).read_bytes()[4:8] == b"ftyp"


def test_a_trim_and_a_reorder_in_otio_come_back_and_render(
    session: nw.Session, edited: dict[str, Any], server: LocalServer, tmp_path: Path
) -> None:
    path = session.export_timeline(tmp_path / "cut.otio")
    timeline = otio.adapters.read_from_file(str(path))
    video = timeline.tracks[0]
    clip = video.find_clips()[1]
    half = otio.opentime.RationalTime(15, 30)
    # the clip loses its first half second (15 frames) and goes first
    clip.source_range = otio.opentime.TimeRange(
        clip.source_range.start_time + half, clip.source_range.duration - half
    )
    video.remove(clip)
    video.insert(0, clip)
    otio.adapters.write_to_file(timeline, str(path))

    back = from_otio(path, base=edited)

    expected = json.loads(json.dumps(edited))
    photo_seg, clip_seg = expected["t"][0]["sg"]
    clip_seg.update({"st": 0, "d": 1500, "in": clip_seg.get("in", 0) + 500})
    photo_seg["st"] = 1500
    expected["t"][0]["sg"] = [clip_seg, photo_seg]
    assert back == expected

    job = session.export(back, download_to=tmp_path)
    assert job.status == "completed"
    assert Path(str(job.path)).read_bytes()[4:8] == b"ftyp"
    rendered = server.app.state.nemo.store.renders[job.id]
    assert rendered["draft"] == expected  # what the backend rendered is the edited cut


def test_the_backends_urls_instead_of_downloads(
    session: nw.Session, edited: dict[str, Any], server: LocalServer, tmp_path: Path
) -> None:
    path = session.export_timeline(tmp_path / "cut.otio", download=False)
    timeline = otio.adapters.read_from_file(str(path))
    urls = [c.media_reference.target_url for c in timeline.tracks[0].find_clips()]
    assert all(u.startswith(server.url) for u in urls)
    assert not (tmp_path / "cut_media").exists()


def test_a_dataframe_draft_and_a_named_media_folder(
    session: nw.Session, edited: dict[str, Any], tmp_path: Path
) -> None:
    df = session.timeline()
    df.loc[df.track_type == "text", "text"] = "城市之梦"
    seen: list[tuple[int, int]] = []
    path = session.export_timeline(
        tmp_path / "cut.xml", tmp_path / "media", draft=df, progress=lambda *p: seen.append(p)
    )
    timeline = otio.adapters.read_from_file(str(path))
    assert "城市之梦" in [c.name for c in timeline.find_clips()]
    files = list((tmp_path / "media").iterdir())
    assert {"photo.png", "clip.mp4"} <= {f.name for f in files}
    everything = sum(f.stat().st_size for f in files)
    assert seen[-1] == (everything, everything)  # one running count over the files
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_the_async_twin_writes_the_same_file(
    session: nw.Session, edited: dict[str, Any], tmp_path: Path
) -> None:
    import asyncio

    sync = session.export_timeline(tmp_path / "a.otio")
    twin = asyncio.run(
        session.aexport_timeline(tmp_path / "b.otio", media_dir=tmp_path / "a_media")
    )
    assert twin.read_text(encoding="utf-8") == sync.read_text(encoding="utf-8")  # same media


def test_the_writers_warnings_point_at_the_callers_line(
    session: nw.Session, edited: dict[str, Any], tmp_path: Path
) -> None:
    import asyncio

    async def twin() -> Path:
        return await session.aexport_timeline(tmp_path / "b.edl")

    with pytest.warns(OtioWarning, match="BGM") as sync:
        session.export_timeline(tmp_path / "a.edl")
    with pytest.warns(OtioWarning, match="BGM") as later:
        asyncio.run(twin())
    assert {w.filename for w in [*sync, *later]} == {__file__}  # raised on the caller's thread
