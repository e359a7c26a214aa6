"""Media helpers of the offline backend: the type check of an upload, probing duration and size,
and the generated background music.

`check_type(name, head)` checks the file name's extension and its first bytes against
`nemo_widgets.formats` and raises `MediaError` (code 4001) for unknown, empty or spoofed files.
`probe(path, kind)` reads width/height with Pillow for images and duration/size from `ffmpeg -i`
for audio and video (imageio-ffmpeg ships no ffprobe).
"""

from __future__ import annotations

import math
import re
import subprocess
import wave
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ..formats import FORMATS, extension, fits, sniff
from .render.ffmpeg import ffmpeg_exe

__all__ = ["MediaError", "check_type", "generate_bgm", "probe"]


class MediaError(Exception):
    """A file the backend refuses; `code` is 4001 (type) or 4002 (size)."""

    def __init__(self, message: str, code: int = 4001):
        super().__init__(message)
        self.code = code


def check_type(name: str, head: bytes) -> tuple[str, str, str]:
    """(extension, kind, mime) of an accepted file; MediaError 4001 if unknown or spoofed."""
    ext = extension(name)
    if ext not in FORMATS:
        raise MediaError(f"unsupported file type {ext or '(none)'!r} for {name!r}")
    if not head:
        raise MediaError(f"{name!r} is empty")
    found = sniff(head)
    if found is None:
        raise MediaError(f"{name!r}: content is not a recognised media file")
    if not fits(ext, found):
        raise MediaError(f"{name!r}: the content is {found}, not {ext} (spoofed extension?)")
    return ext, FORMATS[ext].kind, FORMATS[ext].mime


_DUR = re.compile(r"Duration:\s*(\d+):(\d+):(\d+(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #\S+.*?Video:.*?(?<![0-9])(\d{2,5})x(\d{2,5})(?![0-9])")
_AUDIO = re.compile(r"Stream #\S+.*?Audio:")


def probe(path: Path, kind: str) -> dict[str, Any]:
    """`{"duration_ms", "width", "height", "has_audio"}` of a file; MediaError if unreadable."""
    if kind == "image":
        try:
            with Image.open(path) as im:
                im.verify()
            with Image.open(path) as im:
                w, h = im.size
        except Exception as e:
            raise MediaError(f"cannot read the image: {type(e).__name__}") from None
        return {"duration_ms": None, "width": w, "height": h, "has_audio": False}
    try:
        out = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(path)],
            capture_output=True,
            timeout=60,
        ).stderr.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        raise MediaError(f"cannot probe the file: {type(e).__name__}") from None
    m = _DUR.search(out)
    v = _VIDEO.search(out)
    has_audio = _AUDIO.search(out) is not None
    if (kind == "video" and v is None) or (kind == "audio" and not has_audio):
        raise MediaError(f"cannot read the {kind}: no {kind} stream found")
    dur = None
    if m:
        dur = round((int(m[1]) * 3600 + int(m[2]) * 60 + float(m[3])) * 1000)
    return {
        "duration_ms": dur,
        "width": int(v[1]) if v else None,
        "height": int(v[2]) if v else None,
        "has_audio": has_audio,
    }


# C – G – Am – F, each chord two seconds, arpeggiated in eighth notes over a soft pad
_CHORDS = [
    (261.63, 329.63, 392.00),
    (196.00, 246.94, 293.66),
    (220.00, 261.63, 329.63),
    (174.61, 220.00, 261.63),
]


def generate_bgm(path: Path, duration_ms: int, rate: int = 44100) -> Path:
    """Write a pleasant, deterministic chord/arpeggio loop as 16-bit mono WAV; returns `path`."""
    n = max(1, int(rate * duration_ms / 1000))
    t = np.arange(n) / rate
    chord = (t // 2.0).astype(int) % len(_CHORDS)
    freqs = np.array(_CHORDS)[chord]  # (n, 3)
    step = (t // 0.25).astype(int)
    note = freqs[np.arange(n), step % 3] * np.where((step // 3) % 2 == 1, 2.0, 1.0)
    local = t - step * 0.25
    arp = np.sin(2 * math.pi * note * t) * np.exp(-5.0 * local) * 0.35
    pad = sum(np.sin(2 * math.pi * freqs[:, i] / 2 * t) for i in range(3)) * 0.08
    bass = np.sin(2 * math.pi * freqs[:, 0] / 4 * t) * 0.15
    sig = arp + pad + bass
    fade = min(n // 2, int(rate * 0.5))
    if fade:
        env = np.ones(n)
        env[:fade] = np.linspace(0, 1, fade)
        env[-fade:] = np.linspace(1, 0, fade)
        sig = sig * env
    pcm = (np.clip(sig, -1, 1) * 32000).astype("<i2")
    path.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path
