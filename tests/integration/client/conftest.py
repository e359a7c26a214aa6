"""Client tests against the real offline backend over loopback, with a private HOME."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import nemo_widgets as nw
from nemo_widgets.local import LocalServer


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home: client id, stored token and job records live here, not in the real one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "NEMO_WEB_URL", "NEMO_CLIENT_ID", "SKILL_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture
def png(tmp_path: Path) -> Path:
    """A small real PNG."""
    from PIL import Image

    path = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(path)
    return path


@pytest.fixture
def session(local_server: LocalServer) -> Iterator[nw.Session]:
    """A session on the test's offline backend, with fast local timings."""
    s = nw.connect(backend="local", api_url=local_server.url, poll_interval=0.05)
    yield s
    s.close()
