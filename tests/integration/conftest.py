"""Fixtures shared by the integration tests: a real offline backend on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from nemo_widgets.local import Faults, LocalServer

# timings that keep a chat turn well under a second while still showing heartbeats and chunks
FAST = {
    "heartbeat_interval": 0.05,
    "step_delay": 0.05,
    "generation_delay": 0.15,
    "chunk_delay": 0.0,
    "url_timeout": 5.0,
}


@pytest.fixture
def local_server_factory(tmp_path: Path) -> Iterator[Callable[..., LocalServer]]:
    """Start servers with fast timings (options overridable); all are stopped at the end.

    `factory(data_dir=None, faults=None, **options)`; `data_dir` defaults to a fresh folder
    under tmp_path (pass the same folder again to test a restart).
    """
    started: list[LocalServer] = []
    counter = iter(range(1000))

    def factory(
        data_dir: Path | None = None, faults: Faults | None = None, **options: Any
    ) -> LocalServer:
        folder = data_dir if data_dir is not None else tmp_path / f"data{next(counter)}"
        server = LocalServer.start(data_dir=folder, faults=faults, **{**FAST, **options})
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def local_server(local_server_factory: Callable[..., LocalServer]) -> LocalServer:
    """A running offline backend with a fresh data dir and fast timings."""
    return local_server_factory()
