"""The widgets against the real offline backend over loopback, with a private HOME."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PIL import Image

import nemo_widgets as nw
from nemo_widgets.local import Faults, LocalServer
from widget_comm import RecordingComm, recording


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home and working directory: client id, tokens, job records and renders stay here."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "NEMO_WEB_URL", "NEMO_CLIENT_ID", "SKILL_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # renders download to the working directory by default
    return home


@pytest.fixture
def server(local_server_factory: Callable[..., LocalServer]) -> LocalServer:
    """A fresh offline backend (no random silent edits, credits to spare)."""
    return local_server_factory(faults=Faults(never_silent=True), initial_credits=10_000)


@pytest.fixture
def session(server: LocalServer) -> Iterator[nw.Session]:
    """A session on the test's offline backend, fast local timings."""
    s = nw.connect(backend="local", api_url=server.url, resume=False, poll_interval=0.05)
    yield s
    s.close()


@pytest.fixture
def comms() -> Iterator[list[RecordingComm]]:
    """Every comm a widget opens during the test, in order."""
    with recording() as made:
        yield made


@pytest.fixture
def png(tmp_path: Path) -> Path:
    """A small real PNG."""
    path = tmp_path / "city.png"
    Image.new("RGB", (320, 240), "navy").save(path)
    return path
