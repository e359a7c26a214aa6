"""The widgets against the real offline backend: no random silent edits and credits to spare;
the image is named as the widgets' tests expect."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from samples import png_file


@pytest.fixture
def server_options(server_options: dict[str, Any]) -> dict[str, Any]:
    return {**server_options, "faults": {"never_silent": True}, "initial_credits": 10_000}


@pytest.fixture
def png(tmp_path: Path) -> Path:
    """A small real PNG (320x240, named city.png)."""
    return png_file(tmp_path / "city.png", (320, 240), "navy")
