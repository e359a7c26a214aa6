"""Fixtures of the widgets' kernel-side tests: every widget talks to a recording comm."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nemo_widgets.widgets._recording import RecordingComm, recording


@pytest.fixture
def comms() -> Iterator[list[RecordingComm]]:
    """Every comm a widget opens during the test, in order."""
    with recording() as made:
        yield made
