"""Shared by every test.

- The run leaves no new file in the checkout (tests write to tmp_path).
- `home` (autouse): a private HOME, config dir and working directory, and no `NEMO_*` setting
  from the machine; every test starts in English whatever the machine's locale (a test that
  wants Chinese says so: `connect(language="zh")`, `NEMO_LANGUAGE`), and no session's language
  leaks into the next.
- `server_factory` / `server`: the offline backend in this process on 127.0.0.1, port 0, with
  fast timings; a folder or a test varies it by overriding `server_options` (faults, dialect,
  credits). `session` is a client session on `server`, its timings in `client_options`.
- `comms`: every comm a widget opens, recorded; `png`: a small real image.
- Helpers to import: `polling` (`wait_until`, `request`), `samples` (`tiny_draft`, `png_file`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis.configuration import set_hypothesis_home_dir

import nemo_widgets as nw
from nemo_widgets import _text
from nemo_widgets.local import Faults, LocalServer
from samples import png_file
from widget_comm import RecordingComm, recording

ROOT = Path(__file__).resolve().parents[1]
# Folders a test run may leave behind by design: the linters' and Python's caches, all git-ignored.
_CACHES = {".pytest_cache", ".mypy_cache", ".ruff_cache", "__pycache__"}
# hypothesis keeps its examples and caches in the user's cache folder, not in the checkout
set_hypothesis_home_dir(
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "nemo_widgets" / "hypothesis"
)
_WATCHED = (ROOT, ROOT / "notebooks", ROOT / "docs", ROOT / "tests")
# server timings that keep a chat turn well under a second while still showing heartbeats and chunks
FAST = {
    "heartbeat_interval": 0.05,
    "step_delay": 0.05,
    "generation_delay": 0.15,
    "chunk_delay": 0.0,
    "url_timeout": 5.0,
}


def _entries() -> set[Path]:
    return {p for d in _WATCHED if d.is_dir() for p in d.iterdir() if p.name not in _CACHES}


@pytest.fixture(autouse=True, scope="session")
def checkout_stays_clean() -> Iterator[None]:
    """Fail the run if it created files in the checkout's top folders (an MP4 in the root, say)."""
    before = _entries()
    yield
    new = sorted(str(p.relative_to(ROOT)) for p in _entries() - before)
    assert not new, f"the tests wrote into the checkout: {new}"


@pytest.fixture(autouse=True)
def home(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A fresh home (beside tmp_path, which stays the test's own): client id, stored tokens and
    job records live there; downloads without a destination land in tmp_path."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in [k for k in os.environ if k.startswith("NEMO_")] + ["SKILL_SOURCE"]:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # downloads without a destination land here
    return home


@pytest.fixture(autouse=True)
def _english_ui(home: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NEMO_LANGUAGE", "en")
    monkeypatch.setattr(_text, "_active", None)
    yield


@pytest.fixture
def server_options() -> dict[str, Any]:
    """What every server of the test starts with; override it (it may ask for its parent's value
    under the same name) for a variant. `faults` here are Faults' keyword arguments."""
    return dict(FAST)


@pytest.fixture
def server_factory(
    tmp_path: Path, server_options: dict[str, Any]
) -> Iterator[Callable[..., LocalServer]]:
    """`factory(data_dir=None, **options)` starts a server (`server_options` overridden by
    `options`: faults, port, timings…); all are stopped at the end. `data_dir` defaults to a fresh
    folder under tmp_path (pass the same folder again to test a restart)."""
    started: list[LocalServer] = []
    counter = iter(range(1000))

    def factory(data_dir: Path | None = None, **options: Any) -> LocalServer:
        folder = data_dir if data_dir is not None else tmp_path / f"data{next(counter)}"
        opts = {**server_options, **options}
        if isinstance(opts.get("faults"), dict):  # each server its own: tests change them
            opts["faults"] = Faults(**opts["faults"])
        server = LocalServer.start(data_dir=folder, **opts)
        started.append(server)
        return server

    yield factory
    for server in started:
        server.stop()


@pytest.fixture
def server(server_factory: Callable[..., LocalServer]) -> LocalServer:
    """A running offline backend with a fresh data dir and fast timings."""
    return server_factory()


@pytest.fixture
def client_options() -> dict[str, Any]:
    """The `session` fixture's client options (a folder overrides it for its timings)."""
    return {"poll_interval": 0.05}


@pytest.fixture
def session(server: LocalServer, client_options: dict[str, Any]) -> Iterator[nw.Session]:
    """A new session on `server` (never re-attached), closed at the end."""
    s = nw.connect(backend="local", api_url=server.url, resume=False, **client_options)
    yield s
    s.close()


@pytest.fixture
def png(tmp_path: Path) -> Path:
    """A small real PNG (64x48)."""
    return png_file(tmp_path / "photo.png")


@pytest.fixture
def comms() -> Iterator[list[RecordingComm]]:
    """Every comm a widget opens during the test, in order (the stand-in for the kernel's)."""
    with recording() as made:
        yield made
