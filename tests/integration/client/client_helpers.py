"""Helpers shared by the client integration tests."""

from __future__ import annotations

from typing import Any

from nemo_widgets.local import LocalServer


def draft_of(media_id: str, name: str = "photo.png", ms: int = 1000) -> dict[str, Any]:
    """A tiny one-image draft (small canvas, low fps: renders in well under a second)."""
    return {
        "d": ms,
        "m": {"w": 160, "h": 120, "fps": 10, "ratio": "16:9"},
        "t": [
            {
                "id": "trk_v",
                "tt": 0,
                "nm": "Video",
                "sg": [
                    {"id": "seg_1", "k": "image", "src": media_id, "nm": name, "st": 0, "d": ms}
                ],
            }
        ],
    }


def upload_count(server: LocalServer) -> int:
    """Upload requests the server has seen."""
    return sum(n for (method, path), n in server.counts.items() if "upload-video" in path)
