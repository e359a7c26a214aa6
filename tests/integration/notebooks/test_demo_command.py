"""`nemo-widgets demo`: from nothing to a playable MP4 on the offline backend, and a one-line
error (no traceback) when something fails."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from notebook_helpers import ffprobe

import nemo_widgets
from nemo_widgets.errors import BackendUnavailable
from nemo_widgets.local import demo, make_sample_media

ROOT = Path(__file__).resolve().parents[3]


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    paths = (str(ROOT / "src"), os.environ.get("PYTHONPATH", ""))
    env["PYTHONPATH"] = os.pathsep.join(p for p in paths if p)
    env["XDG_CONFIG_HOME"] = str(tmp_path / "config")
    return env


@pytest.mark.timeout(300)
def test_demo_makes_a_promo_video(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [sys.executable, "-m", "nemo_widgets", "demo", f"--out={out}"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    # the reply (Chinese: the message has Chinese captions) comes before the track summary
    reply_at = done.stdout.find("视频已完成")
    summary_at = done.stdout.find("Timeline (4 tracks)")
    assert 0 <= reply_at < summary_at, done.stdout
    video = ffprobe(out / "demo.mp4")
    assert (video["codec"], video["width"], video["height"]) == ("h264", 1080, 1920)
    assert abs(video["duration"] - 9.0) <= 0.2, video
    table = pd.read_csv(out / "timeline.csv")
    assert list(table.track_type.value_counts().sort_index().items()) == [
        ("audio", 1),
        ("text", 4),
        ("video", 3),
    ]
    assert "云朵枕头 一夜好眠" in set(table.label)
    assert sorted(p.name for p in (out / "media").iterdir()) == [
        "music.wav",
        "product1.jpg",
        "product2.jpg",
        "product3.jpg",
    ]


def test_a_nemo_error_is_one_line_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(**_: object) -> None:
        raise BackendUnavailable("could not start the offline backend: port in use")

    monkeypatch.setattr(nemo_widgets, "connect", refuse)
    assert demo.main(["--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert "error: could not start the offline backend: port in use" in err
    assert f"hint: {BackendUnavailable.default_hint}" in err
    assert "Traceback" not in err


def test_an_unexpected_failure_is_one_line_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    assert demo.main(["--out", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert "error: FileExistsError" in err and "--debug" in err
    assert "Traceback" not in err


def test_sample_media_images_with_text_and_music(tmp_path: Path) -> None:
    from PIL import Image

    files = make_sample_media(tmp_path)
    assert [f.name for f in files] == ["product1.jpg", "product2.jpg", "product3.jpg", "music.wav"]
    with Image.open(files[0]) as img:
        assert img.size == (1080, 1920)
        # the name band (Chinese, then English) holds white text pixels
        band = img.crop((0, int(1920 * 0.58), 1080, int(1920 * 0.70))).convert("L")
        white = band.point(lambda px: 255 if px > 240 else 0).histogram()[255]
        assert white > 2000, white
    assert files[3].stat().st_size > 800_000  # 10 s of 44.1 kHz mono 16-bit audio


def test_terminal_output_streams_then_redraws_a_corrected_reply(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import io

    monkeypatch.setenv("COLUMNS", "80")
    from nemo_widgets.events import Text, TextDelta

    out = io.StringIO()
    console = demo._Console(out, tty=True)
    console.start_reply()
    for event in (
        TextDelta("Done: 3 clips. "),
        TextDelta("Click the Export button."),
        Text("Done: 3 clips. Click the Export button."),  # the same text: nothing more
        Text("Done: 3 clips."),  # GUI instruction stripped: redraw
        Text("Done: 3 clips.\n\nTimeline (1 track)"),  # an extension: only the new part
    ):
        console("chat", event)
    assert out.getvalue() == (
        "Done: 3 clips. Click the Export button."
        "\r\x1b[J"  # one row up from where it started: none; clear to the end of the screen
        "Done: 3 clips.\n\nTimeline (1 track)"
    )
    assert console.view.text == "Done: 3 clips.\n\nTimeline (1 track)"


def test_rows_count_wide_characters_twice() -> None:
    assert demo._rows("abc", 80) == 1
    assert demo._rows("中" * 50, 80) == 2  # 100 columns
    assert demo._rows("a\n\nb", 80) == 3
