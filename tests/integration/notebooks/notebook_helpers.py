"""Helpers of the notebook tests: the executed notebook and what an MP4 holds."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from nemo_widgets.local.render import probe_streams


@dataclass
class Executed:
    """An executed notebook: its cells (with outputs), its directory and the probe's answer."""

    nb: nbformat.NotebookNode
    cwd: Path
    probe: Any

    def outputs(self, index: int) -> list[dict[str, Any]]:
        return list(self.nb.cells[index].outputs)

    def text(self) -> str:
        """Every stream and text/plain output, joined."""
        parts = []
        for cell in self.nb.cells:
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream":
                    parts.append(out.get("text", ""))
                elif "data" in out:
                    parts.append(out["data"].get("text/plain", ""))
        return "\n".join(parts)

    def has_widget_view(self) -> bool:
        return any(
            "application/vnd.jupyter.widget-view+json" in out.get("data", {})
            for cell in self.nb.cells
            for out in cell.get("outputs", [])
        )


def ffprobe(path: Path) -> dict[str, Any]:
    """codec, width, height and duration (s) of the first video stream of `path`.

    Read with the ffmpeg of imageio-ffmpeg (`ffmpeg -i`): the project needs no system ffprobe.
    """
    info = probe_streams(path)
    assert info.has_video and info.duration_ms is not None, info
    return {
        "codec": info.video_codec,
        "width": info.width,
        "height": info.height,
        "duration": info.duration_ms / 1000,
    }
