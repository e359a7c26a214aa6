"""Fixtures of the widgets' kernel-side tests: an IPython shell and a scripted session (every
widget talks to a recording comm: `comms`, at the root)."""

from __future__ import annotations

import pytest
from IPython.core.interactiveshell import InteractiveShell
from widget_fakes import FakeSession

from nemo_widgets import session as session_module
from nemo_widgets.magics import register
from widget_comm import RecordingComm


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
