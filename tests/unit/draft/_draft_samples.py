"""Example drafts shared by the draft tests."""

from __future__ import annotations

import copy
from typing import Any

# the example of docs/draft-format.md
_FORMAT_DOC: dict[str, Any] = {
    "d": 10000,
    "m": {"w": 1080, "h": 1920, "fps": 30, "ratio": "9:16"},
    "t": [
        {
            "id": "trk_v",
            "tt": 0,
            "nm": "Video",
            "sg": [
                {
                    "id": "seg_1",
                    "k": "image",
                    "src": "med_ab12",
                    "nm": "product1.jpg",
                    "st": 0,
                    "d": 3000,
                },
                {
                    "id": "seg_2",
                    "k": "video",
                    "src": "med_cd34",
                    "nm": "clip.mp4",
                    "st": 3000,
                    "d": 4000,
                    "in": 1500,
                    "v": 1.0,
                },
            ],
        },
        {
            "id": "trk_a",
            "tt": 1,
            "nm": "BGM",
            "sg": [
                {
                    "id": "seg_3",
                    "k": "audio",
                    "src": "gen_lofi",
                    "nm": "Lo-fi",
                    "st": 0,
                    "d": 10000,
                    "v": 0.35,
                },
            ],
        },
        {
            "id": "trk_t",
            "tt": 7,
            "nm": "Title",
            "sg": [
                {
                    "id": "seg_4",
                    "k": "title",
                    "txt": "城市之梦",
                    "st": 0,
                    "d": 3000,
                    "pos": "center",
                    "fs": 96,
                    "c": "#ffffff",
                },
            ],
        },
        {
            "id": "trk_s",
            "tt": 7,
            "nm": "Subtitles",
            "sg": [
                {
                    "id": "seg_5",
                    "k": "subtitle",
                    "txt": "第一句字幕",
                    "st": 0,
                    "d": 5000,
                    "pos": "bottom",
                    "fs": 56,
                    "c": "#ffffff",
                },
            ],
        },
    ],
}

# the contract's summary example
_CONTRACT: dict[str, Any] = {
    "d": 10000,
    "t": [
        {
            "id": "trk_v",
            "tt": 0,
            "nm": "Video",
            "sg": [
                {
                    "id": "seg_1",
                    "k": "video",
                    "src": "med_1",
                    "nm": "city timelapse",
                    "st": 0,
                    "d": 10000,
                },
            ],
        },
        {
            "id": "trk_a",
            "tt": 1,
            "nm": "BGM",
            "sg": [
                {
                    "id": "seg_2",
                    "k": "audio",
                    "src": "gen_lofi",
                    "nm": "Lo-fi",
                    "st": 0,
                    "d": 10000,
                    "v": 0.35,
                },
            ],
        },
        {
            "id": "trk_t",
            "tt": 7,
            "nm": "Title",
            "sg": [
                {"id": "seg_3", "k": "title", "txt": "Urban Dreams", "st": 0, "d": 3000},
            ],
        },
    ],
}


def format_doc() -> dict[str, Any]:
    """A fresh copy of the draft-format.md example."""
    return copy.deepcopy(_FORMAT_DOC)


def contract() -> dict[str, Any]:
    """A fresh copy of the contract's three-track example."""
    return copy.deepcopy(_CONTRACT)


def segment(draft: dict[str, Any], seg_id: str) -> dict[str, Any]:
    """The segment with id `seg_id`."""
    return next(s for t in draft["t"] for s in t.get("sg") or [] if s.get("id") == seg_id)
