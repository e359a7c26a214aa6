"""Fixtures of the widgets' kernel-side tests: every widget talks to a recording comm."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from IPython.core.interactiveshell import InteractiveShell
from widget_fakes import FakeSession

from nemo_widgets import session as session_module
from nemo_widgets.magics import register
from widget_comm import RecordingComm, recording


@pytest.fixture
def comms() -> Iterator[list[RecordingComm]]:
    """Every comm a widget opens during the test, in order."""
    with recording() as made:
        yield made


@pytest.fixture
def shell(comms: list[RecordingComm]) -> InteractiveShell:
    """An in-process IPython shell with `%nemo` registered."""
    ip = InteractiveShell.instance()
    register(ip)
    return ip


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeSession:
    """A scripted session made the current one."""
    s = FakeSession()
    monkeypatch.setattr(session_module, "current", lambda: s)
    return s
