"""Small real inputs shared by the tests: a PNG and a tiny one-image draft."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from PIL import Image


def png_bytes(size: tuple[int, int] = (64, 48), color: Any = (200, 40, 40)) -> bytes:
    """A small real PNG."""
    b = io.BytesIO()
    Image.new("RGB", size, color).save(b, "PNG")
    return b.getvalue()


def png_file(path: Path, size: tuple[int, int] = (64, 48), color: Any = (200, 40, 40)) -> Path:
    """`png_bytes` written to `path`."""
    path.write_bytes(png_bytes(size, color))
    return path


def tiny_draft(
    media_id: str, ms: int = 1000, name: str = "photo.png", w: int = 160, h: int = 120
) -> dict[str, Any]:
    """A one-image draft on a small canvas at a low fps: renders in well under a second. A long
    `ms` or a big canvas makes a render that is still running when the test acts on it."""
    seg = {"id": "seg_1", "k": "image", "src": media_id, "nm": name, "st": 0, "d": ms}
    return {
        "d": ms,
        "m": {"w": w, "h": h, "fps": 30 if w > 160 else 10, "ratio": "16:9"},
        "t": [{"id": "trk_v", "tt": 0, "nm": "Video", "sg": [seg]}],
    }
