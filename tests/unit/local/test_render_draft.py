"""render_draft end to end: real ffmpeg runs on small generated media, checked with `ffmpeg -i`."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from nemo_widgets.local.render import (
    RenderError,
    cjk_font,
    ffmpeg_exe,
    probe_streams,
    render_draft,
    text,
    text_image,
)

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def ff(*args: str) -> str:
    """Run the bundled ffmpeg; return its stderr."""
    proc = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-y", *args],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stderr


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Small test media: two still images, a clip red→green→blue (1 s each) with a tone, a tone."""
    d = tmp_path_factory.mktemp("media")
    Image.new("RGB", (640, 480), RED).save(d / "red.png")
    Image.new("RGB", (1920, 1080), BLUE).save(d / "blue.jpg", quality=95)
    ff(
        "-f", "lavfi", "-i", "color=c=red:s=320x240:r=25:d=1",
        "-f", "lavfi", "-i", "color=c=lime:s=320x240:r=25:d=1",
        "-f", "lavfi", "-i", "color=c=blue:s=320x240:r=25:d=1",
        "-f", "lavfi", "-i", "sine=f=440:d=3",
        "-filter_complex", "[0][1][2]concat=n=3[v]",
        "-map", "[v]", "-map", "3:a", "-c:v", "libx264", "-g", "5", "-c:a", "aac",
        str(d / "clip.mp4"),
    )  # fmt: skip
    ff("-f", "lavfi", "-i", "sine=f=330:d=3", str(d / "tone.wav"))
    (d / "garbage.png").write_bytes(b"this is not an image at all")
    return {p.stem: p for p in d.iterdir()}


@pytest.fixture(scope="module")
def probe() -> Callable[[Path], dict[str, Any]]:
    """An ffprobe-shaped summary, read with imageio-ffmpeg's ffmpeg (no system ffprobe needed)."""

    def summary(path: Path) -> dict[str, Any]:
        info = probe_streams(path)
        # the video stream's own length: where a stream copy of it ends
        copy = ff("-i", str(path), "-map", "0:v:0", "-c", "copy", "-f", "null", "-",
                  "-progress", "pipe:2", "-nostats")  # fmt: skip
        ends = [int(v) for v in re.findall(r"out_time_us=(\d+)", copy)]
        frame = 1 / 30
        video = {"codec_type": "video", "codec_name": info.video_codec, "pix_fmt": info.pix_fmt,
                 "width": info.width, "height": info.height,
                 "duration": max(ends) / 1e6 + frame}  # fmt: skip
        audio = {"codec_type": "audio", "codec_name": info.audio_codec}
        assert info.duration_ms is not None
        return {"format": {"duration": info.duration_ms / 1000}, "streams": [video, audio]}

    return summary


def frame_at(path: Path, t: float) -> np.ndarray:
    """The decoded RGB frame at `t` seconds, as an (h, w, 3) array."""
    info = subprocess.run(
        [ffmpeg_exe(), "-v", "error", "-ss", f"{t}", "-i", str(path), "-frames:v", "1",
         "-f", "image2pipe", "-c:v", "png", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    from io import BytesIO

    return np.asarray(Image.open(BytesIO(info)).convert("RGB")).astype(int)


def mean_volume(path: Path) -> float:
    """Mean volume of the audio, in dB (volumedetect)."""
    err = ff("-i", str(path), "-map", "0:a", "-af", "volumedetect", "-f", "null", "-")
    match = re.search(r"mean_volume: (-?[\d.]+|-inf) dB", err)
    assert match, err
    return float(match.group(1))


def close_to(pixel: np.ndarray, rgb: tuple[int, int, int], tol: int = 40) -> bool:
    return bool(np.all(np.abs(pixel - np.array(rgb)) <= tol))


def draft(d: int, *tracks: dict[str, Any], w: int = 360, h: int = 640) -> dict[str, Any]:
    return {"d": d, "m": {"w": w, "h": h, "fps": 30}, "t": list(tracks)}


def track(tt: int, *segs: dict[str, Any]) -> dict[str, Any]:
    return {"id": f"trk_{tt}", "tt": tt, "sg": list(segs)}


def render(media: dict[str, Path], tmp_path: Path, d: dict[str, Any], **kw: Any) -> Path:
    out = tmp_path / "out.mp4"
    render_draft(d, lambda src: media[src], out, **kw)
    return out


@pytest.mark.parametrize(("w", "h"), [(1080, 1920), (1920, 1080), (1080, 1080)], ids=str)
def test_canvas_codecs_duration_and_faststart(
    media: dict[str, Path],
    tmp_path: Path,
    probe: Callable[[Path], dict[str, Any]],
    w: int,
    h: int,
) -> None:
    d = draft(
        2400,
        track(0, {"id": "s1", "k": "image", "src": "red", "st": 0, "d": 1200, "zz": "unknown key"},
                 {"id": "s2", "k": "image", "src": "blue", "st": 1200, "d": 1200}),
        track(1, {"id": "s3", "k": "audio", "src": "tone", "st": 0, "d": 2400, "v": 0.5}),
        track(7, {"id": "s4", "k": "title", "txt": "城市之梦", "st": 0, "d": 1000}),
        {"id": "trk_x", "tt": 42, "sg": [{"anything": True}]},  # unknown track type: ignored
        w=w, h=h,
    )  # fmt: skip
    seen: list[float] = []
    out = render(media, tmp_path, d, progress=seen.append)
    info = probe(out)
    video = next(s for s in info["streams"] if s["codec_type"] == "video")
    audio = next(s for s in info["streams"] if s["codec_type"] == "audio")
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert audio["codec_name"] == "aac"
    assert (video["width"], video["height"]) == (w, h)
    assert abs(float(info["format"]["duration"]) - 2.4) <= 0.1
    assert abs(float(video["duration"]) - 2.4) <= 0.1
    head = out.read_bytes()[:65536]
    assert b"moov" in head and head.index(b"moov") < head.index(b"mdat")  # faststart
    assert seen and seen[-1] == 1.0 and seen == sorted(seen)
    assert not list(tmp_path.glob("*.part*"))


def test_chinese_title_shows_glyphs_in_its_box_only_during_its_span(
    media: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seg = {"id": "t", "k": "title", "txt": "城市之梦", "st": 0, "d": 1000, "pos": "center",
           "fs": 120, "c": "#ffffff"}  # fmt: skip
    out = render(media, tmp_path, draft(2000, track(7, seg)))
    ref = text_image("城市之梦", canvas=(360, 640), size=120, color=(255, 255, 255),
                     pos="center", face=cjk_font())  # fmt: skip
    assert ref is not None
    x0, y0 = ref.x, ref.y
    x1, y1 = x0 + ref.image.width, y0 + ref.image.height
    shown, gone = frame_at(out, 0.5), frame_at(out, 1.5)
    box = shown[y0:y1, x0:x1].max(axis=2)
    outside = shown.max(axis=2).copy()
    outside[y0:y1, x0:x1] = 0
    assert (box > 200).sum() > 2000  # white glyph strokes
    assert outside.max() < 40  # nothing drawn elsewhere
    assert gone.max() < 40  # and nothing after the title's span

    # Glyphs, not tofu: the frame matches the font's real glyphs far better than the boxes the
    # font draws for characters it lacks (private-use code points, same layout).
    def ink(img: np.ndarray) -> np.ndarray:
        return img > 200

    frame_ink = ink(box)
    real = ink(np.asarray(ref.image.convert("RGB")).max(axis=2))
    # the renderer leaves out what the face cannot draw; the reference keeps the boxes
    monkeypatch.setattr(text, "drawable", lambda txt, _face: txt)
    tofu_img = text_image("\ue001\ue002\ue003\ue004", canvas=(360, 640), size=120,
                          color=(255, 255, 255), pos="center", face=cjk_font())  # fmt: skip
    assert tofu_img is not None
    tofu = np.zeros_like(frame_ink)
    t = ink(np.asarray(tofu_img.image.convert("RGB")).max(axis=2))
    h, w = min(t.shape[0], tofu.shape[0]), min(t.shape[1], tofu.shape[1])
    tofu[:h, :w] = t[:h, :w]

    def iou(a: np.ndarray, b: np.ndarray) -> float:
        return float((a & b).sum() / max(1, (a | b).sum()))

    assert iou(frame_ink, real) > 0.6
    assert iou(frame_ink, tofu) < 0.3


def test_gaps_are_black_and_images_sit_at_their_start(
    media: dict[str, Path], tmp_path: Path, probe: Callable[[Path], dict[str, Any]]
) -> None:
    d = draft(
        4000,
        track(0, {"id": "a", "k": "image", "src": "red", "st": 500, "d": 1000},
                 {"id": "b", "k": "image", "src": "blue", "st": 2000, "d": 1000}),
    )  # fmt: skip
    out = render(media, tmp_path, d)
    center = (320, 180)
    expect = {0.2: (0, 0, 0), 1.0: RED, 1.8: (0, 0, 0), 2.5: BLUE, 3.5: (0, 0, 0)}
    for t, rgb in expect.items():
        assert close_to(frame_at(out, t)[center], rgb), t
    assert abs(float(probe(out)["format"]["duration"]) - 4.0) <= 0.1


def test_a_second_video_track_is_drawn_over_the_first_during_its_segments(
    media: dict[str, Path], tmp_path: Path
) -> None:
    d = draft(
        2000,
        track(0, {"id": "low", "k": "image", "src": "red", "st": 0, "d": 2000}),
        track(0, {"id": "high", "k": "image", "src": "blue", "st": 500, "d": 500}),
    )
    out = render(media, tmp_path, d)
    expect = {0.2: RED, 0.7: BLUE, 1.5: RED}
    for t, rgb in expect.items():
        assert close_to(frame_at(out, t)[320, 180], rgb), t


def test_video_segment_starts_at_its_in_point_and_brings_its_sound(
    media: dict[str, Path], tmp_path: Path
) -> None:
    seg = {"id": "v", "k": "video", "src": "clip", "st": 0, "d": 1000, "in": 1500}
    out = render(media, tmp_path, draft(1000, track(0, seg)))
    # source 1.7 s is green, source 2.3 s is blue; without the in-point both would be red
    assert close_to(frame_at(out, 0.2)[320, 180], GREEN, tol=60)
    assert close_to(frame_at(out, 0.8)[320, 180], BLUE, tol=60)
    assert mean_volume(out) > -30

    muted = render(media, tmp_path, draft(1000, track(0, {**seg, "v": 0})))
    assert mean_volume(muted) < -80


def test_clip_shorter_than_its_segment_holds_its_last_frame(
    media: dict[str, Path], tmp_path: Path, probe: Callable[[Path], dict[str, Any]]
) -> None:
    seg = {"id": "v", "k": "video", "src": "clip", "st": 0, "d": 2000, "in": 2000}
    out = render(media, tmp_path, draft(2000, track(0, seg)))
    assert close_to(frame_at(out, 1.7)[320, 180], BLUE, tol=60)
    assert abs(float(probe(out)["format"]["duration"]) - 2.0) <= 0.1


def test_audio_is_mixed_at_its_volume_and_silent_without_audio(
    media: dict[str, Path], tmp_path: Path
) -> None:
    def with_volume(v: float) -> float:
        seg = {"id": "m", "k": "audio", "src": "tone", "st": 0, "d": 2000, "v": v}
        return mean_volume(render(media, tmp_path, draft(2000, track(1, seg))))

    loud, quiet = with_volume(1.0), with_volume(0.2)
    assert 12 < loud - quiet < 16  # 20·log10(1/0.2) ≈ 14 dB: volumes are applied, not normalised
    silent = render(media, tmp_path, draft(1000, track(0, {"k": "image", "src": "red", "d": 1000})))
    assert mean_volume(silent) < -80


def test_audio_is_delayed_to_its_start(media: dict[str, Path], tmp_path: Path) -> None:
    seg = {"id": "m", "k": "audio", "src": "tone", "st": 1000, "d": 1000}
    out = render(media, tmp_path, draft(2000, track(1, seg)))
    first = mean_volume_of(out, 0.0, 0.9)
    second = mean_volume_of(out, 1.1, 0.8)
    assert first < -80  # silent before its start
    assert second > -30


def test_music_shorter_than_its_segment_repeats(media: dict[str, Path], tmp_path: Path) -> None:
    seg = {"id": "m", "k": "audio", "src": "tone", "st": 0, "d": 5000}  # tone.wav lasts 3 s
    out = render(media, tmp_path, draft(5000, track(1, seg)))
    assert mean_volume_of(out, 3.5, 1.0) > -30  # sounding after the file's own end
    assert abs(mean_volume_of(out, 0.5, 1.0) - mean_volume_of(out, 3.5, 1.0)) < 3


def mean_volume_of(path: Path, start: float, length: float) -> float:
    err = ff("-ss", f"{start}", "-t", f"{length}", "-i", str(path), "-map", "0:a",
             "-af", "volumedetect", "-f", "null", "-")  # fmt: skip
    match = re.search(r"mean_volume: (-?[\d.]+) dB", err)
    assert match, err
    return float(match.group(1))


BAD_DRAFTS = {
    "unknown media id": (track(0, {"id": "s", "k": "image", "src": "nope", "d": 500}), "nope"),
    "no src": (track(0, {"id": "s", "k": "image", "d": 500}), "src"),
    "negative start": (track(0, {"id": "s", "k": "image", "src": "red", "st": -5, "d": 500}),
                       "negative"),
    "negative duration": (track(1, {"id": "s", "k": "audio", "src": "tone", "d": -1}), "negative"),
    "not a number": (track(7, {"id": "s", "k": "title", "txt": "x", "st": "0", "d": 500}), "`st`"),
    "overlap": (track(0, {"id": "s1", "k": "image", "src": "red", "d": 500},
                         {"id": "s2", "k": "image", "src": "red", "st": 200, "d": 500}), "overlap"),
    "in-point past the end": (
        track(0, {"id": "s", "k": "video", "src": "clip", "d": 500, "in": 9000}), "in-point"),
    "audio without sound": (track(1, {"id": "s", "k": "audio", "src": "red", "d": 500}), "audio"),
    "bad colour": (track(7, {"id": "s", "k": "title", "txt": "x", "d": 500, "c": "#zz"}), "colour"),
    "not an image": (track(0, {"id": "s", "k": "image", "src": "garbage", "d": 500}), "ffmpeg"),
}  # fmt: skip


@pytest.mark.parametrize(("trk", "needle"), BAD_DRAFTS.values(), ids=BAD_DRAFTS.keys())
def test_bad_input_is_a_clear_render_error(
    media: dict[str, Path], tmp_path: Path, trk: dict[str, Any], needle: str
) -> None:
    with pytest.raises(RenderError, match=re.escape(needle)):
        render(media, tmp_path, draft(1000, trk))
    assert list(tmp_path.iterdir()) == []  # no output, no half-written file


@pytest.mark.parametrize(
    "bad",
    [{"d": 0, "t": []}, {"t": []}, {"d": 1000, "m": {"w": -3}}, {"d": 1000, "t": "tracks"}],
    ids=["zero duration", "empty", "bad canvas", "tracks not a list"],
)
def test_bad_drafts(media: dict[str, Path], tmp_path: Path, bad: dict[str, Any]) -> None:
    with pytest.raises(RenderError):
        render(media, tmp_path, bad)
