"""The backend's media probing and generated music (its type check: tests/unit/test_formats.py)."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from PIL import Image

from nemo_widgets.local.media import MediaError, generate_bgm, probe


def _img(fmt: str) -> bytes:
    b = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(b, fmt)
    return b.getvalue()


def test_generated_bgm_is_a_real_wav(tmp_path: Path) -> None:
    path = generate_bgm(tmp_path / "m.wav", 2500)
    with wave.open(str(path)) as w:
        assert w.getnframes() == int(44100 * 2.5)
        frames = w.readframes(w.getnframes())
    assert max(frames) > 0  # not silence
    info = probe(path, "audio")
    assert abs(info["duration_ms"] - 2500) <= 30
    assert generate_bgm(tmp_path / "n.wav", 2500).read_bytes() == path.read_bytes()  # deterministic


def test_probe_image_and_unreadable(tmp_path: Path) -> None:
    p = tmp_path / "a.png"
    p.write_bytes(_img("PNG"))
    assert probe(p, "image")["width"] == 8
    bad = tmp_path / "b.mp4"
    bad.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + b"\x00" * 64)
    with pytest.raises(MediaError):
        probe(bad, "video")
