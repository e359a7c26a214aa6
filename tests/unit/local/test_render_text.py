"""The renderer's helpers: text wrapping and images, the ffmpeg runner (fonts: test_fonts.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import ImageFont

from nemo_widgets.local.render import FFmpegError, cjk_font, run_ffmpeg, text_image, wrap_text
from nemo_widgets.local.render.fonts import has_glyphs


def test_installed_font_draws_chinese_and_tells_glyphs_from_tofu() -> None:
    face = cjk_font()
    assert has_glyphs(face, "城市之梦 第一句字幕 Hello")
    assert not has_glyphs(face, "城市\ue001")  # a private-use code point draws the .notdef box


@pytest.fixture(scope="module")
def font() -> ImageFont.FreeTypeFont:
    return cjk_font().load(40)


def test_wrap_breaks_chinese_between_glyphs_within_the_width(font: ImageFont.FreeTypeFont) -> None:
    text = "这是一个很长很长的句子，需要自动换行才能完整显示在画面上。"
    lines = wrap_text(text, font, 400)
    assert len(lines) > 1
    assert "".join(lines) == text  # nothing lost, nothing added
    assert all(font.getlength(line) <= 400 + font.getlength("，") for line in lines)
    assert not any(line[0] in "，。" for line in lines)  # punctuation never opens a line


def test_wrap_keeps_english_words_whole_and_honours_newlines(font: ImageFont.FreeTypeFont) -> None:
    text = "the quick brown fox jumps over the lazy dog\n第二行"
    lines = wrap_text(text, font, 300)
    assert [w for line in lines for w in line.split()] == text.split()
    assert lines[-1] == "第二行"
    assert all(font.getlength(line) <= 300 for line in lines)


def test_a_word_wider_than_the_line_is_cut(font: ImageFont.FreeTypeFont) -> None:
    url = "https://example.com/" + "a" * 80
    lines = wrap_text(url, font, 200)
    assert "".join(lines) == url and all(font.getlength(line) <= 200 for line in lines)


@pytest.mark.parametrize("pos", ["top", "center", "bottom"])
def test_text_image_is_placed_by_position_inside_the_canvas(pos: str) -> None:
    img = text_image("第一句字幕", canvas=(1080, 1920), size=56, color=(255, 255, 0), pos=pos,
                     face=cjk_font())  # fmt: skip
    assert img is not None
    y_mid = img.y + img.image.height / 2
    band = {"top": (0, 640), "center": (640, 1280), "bottom": (1280, 1920)}[pos]
    assert band[0] <= y_mid < band[1]
    assert img.x % 2 == 0 and img.y % 2 == 0
    assert img.x >= 0 and img.x + img.image.width <= 1080
    pixels = np.asarray(img.image)
    yellow = (pixels[..., 0] > 200) & (pixels[..., 1] > 200) & (pixels[..., 2] < 60)
    assert yellow.sum() > 500  # the fill colour is used
    assert pixels[0, 0, 3] == 0  # and the background is transparent


def test_run_ffmpeg_reports_progress_to_one() -> None:
    seen: list[float] = []
    run_ffmpeg(
        ["-f", "lavfi", "-i", "testsrc=d=1:s=160x120:r=25", "-f", "null", "-"],
        duration_s=1.0,
        progress=seen.append,
    )
    assert seen[-1] == 1.0 and seen == sorted(seen) and all(0 <= p <= 1 for p in seen)


def test_run_ffmpeg_failure_carries_the_stderr_tail(tmp_path: Path) -> None:
    missing = tmp_path / "missing.mp4"
    with pytest.raises(FFmpegError, match=r"missing\.mp4") as info:
        run_ffmpeg(["-i", str(missing), "-f", "null", "-"])
    assert info.value.returncode not in (0, None)
    assert "missing.mp4" in info.value.stderr


def test_run_ffmpeg_kills_ffmpeg_when_the_callback_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    started: list[subprocess.Popen[str]] = []
    real_popen = subprocess.Popen

    def spy(*args: Any, **kwargs: Any) -> subprocess.Popen[str]:
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def boom(_: float) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(subprocess, "Popen", spy)
    with pytest.raises(KeyboardInterrupt):
        run_ffmpeg(
            ["-re", "-f", "lavfi", "-i", "testsrc=d=30:s=160x120:r=25", "-f", "null", "-"],
            duration_s=30.0,
            progress=boom,
        )
    assert len(started) == 1 and started[0].poll() is not None  # no orphan ffmpeg left running
