"""The backend's extension/content check (the sniffer itself: tests/unit/test_formats.py), probing
and the generated music."""

from __future__ import annotations

import io
import wave
from pathlib import Path

import pytest
from PIL import Image

from nemo_widgets.local.media import MediaError, check_type, generate_bgm, probe


def _img(fmt: str) -> bytes:
    b = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(b, fmt)
    return b.getvalue()


HEADS = {
    "mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
    "mp4-mp42": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
    "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ",
    "m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isomiso2",
    "avi": b"RIFF\x24\x00\x00\x00AVI LIST",
    "wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "webp": _img("WEBP")[:16],
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm",
    "mkv": b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x88matroska",
    "jpg": _img("JPEG")[:16],
    "png": _img("PNG")[:16],
    "gif": _img("GIF")[:16],
    "mp3-id3": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "mp3-frame": b"\xff\xfb\x90\x64\x00\x00",
    "aac": b"\xff\xf1\x50\x80\x02\x1f\xfc",
}


@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("a.MP4", HEADS["mp4"], "video"),
        ("a.mov", HEADS["mp4"], "video"),
        ("a.m4a", HEADS["m4a"], "audio"),
        ("a.jpeg", HEADS["jpg"], "image"),
        ("a.mkv", HEADS["webm"], "video"),
        ("a.aac", HEADS["aac"], "audio"),
        ("a.mp3", HEADS["mp3-frame"], "audio"),
    ],
    ids=["upper-ext", "mov-iso-family", "m4a", "jpeg-alias", "ebml-family", "aac", "mp3"],
)
def test_check_type_accepts(name: str, head: bytes, kind: str) -> None:
    assert check_type(name, head)[1] == kind


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("a.png", HEADS["jpg"], "spoofed"),
        ("a.mp4", HEADS["png"], "spoofed"),
        ("a.wav", HEADS["avi"], "spoofed"),
        ("a.txt", b"hello", "unsupported"),
        ("a.png", b"", "empty"),
        ("a.mp3", b"hello there", "not a recognised"),
        ("noext", HEADS["png"], "unsupported"),
    ],
    ids=["jpg-as-png", "png-as-mp4", "avi-as-wav", "txt", "empty", "text-as-mp3", "no-ext"],
)
def test_check_type_refuses(name: str, head: bytes, message: str) -> None:
    with pytest.raises(MediaError, match=message) as e:
        check_type(name, head)
    assert e.value.code == 4001


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
    bad.write_bytes(HEADS["mp4"] + b"\x00" * 64)
    with pytest.raises(MediaError):
        probe(bad, "video")
