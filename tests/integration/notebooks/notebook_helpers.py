"""Helpers of the notebook tests: the executed notebook and an ffprobe wrapper."""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
import pytest


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
    """codec, width, height and duration (s) of the first video stream of `path`."""
    exe = shutil.which("ffprobe")
    if exe is None:
        pytest.fail("ffprobe is missing: run `bash scripts/install-system.sh`")
    done = subprocess.run(
        [exe, "-v", "error", "-select_streams", "v:0", "-show_entries",
         "stream=codec_name,width,height:format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, check=True, timeout=30,
    )  # fmt: skip
    info = json.loads(done.stdout)
    stream = info["streams"][0]
    return {
        "codec": stream["codec_name"],
        "width": stream["width"],
        "height": stream["height"],
        "duration": float(info["format"]["duration"]),
    }
