"""Shared by the reliability suite: a private HOME, fast offline backends on 127.0.0.1, fast client
timings, and readers of the server's own record (how many messages a session really accepted)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import FAST_SERVER, open_session

import nemo_widgets as nw
from nemo_widgets.local import Faults, LocalServer


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "load: the concurrent-sessions load test (reduced size in the normal suite)"
    )


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh home: client id, stored tokens and job records live here, not in the real one."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in ("NEMO_TOKEN", "NEMO_API_URL", "NEMO_WEB_URL", "NEMO_CLIENT_ID", "SKILL_SOURCE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # downloads without a destination land here
    return home


@pytest.fixture
def server_factory(tmp_path: Path) -> Iterator[Callable[..., LocalServer]]:
    """`factory(data_dir=None, faults=None, port=0, **options)`: fast servers, stopped at the end.

    Faults default to `never_silent=True` so that a reply's text is predictable; tests of silent
    edits ask for them."""
    started: list[LocalServer] = []
    counter = iter(range(1000))

    def factory(
        data_dir: Path | None = None, faults: Faults | None = None, port: int = 0, **options: Any
    ) -> LocalServer:
        folder = data_dir if data_dir is not None else tmp_path / f"data{next(counter)}"
        server = LocalServer.start(
            port=port,
            data_dir=folder,
            faults=faults if faults is not None else Faults(never_silent=True),
            **{**FAST_SERVER, **options},
        )
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def server(server_factory: Callable[..., LocalServer]) -> LocalServer:
    """One fast offline backend."""
    return server_factory()


@pytest.fixture
def session(server: LocalServer) -> Iterator[nw.Session]:
    """A session on `server`, closed at the end."""
    s = open_session(server)
    yield s
    s.close()


@pytest.fixture
def png(tmp_path: Path) -> Path:
    """A small real PNG."""
    from PIL import Image

    path = tmp_path / "photo.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(path)
    return path
