"""The reliability suite's variant of the root fixtures: servers with credits to spare and
predictable replies, fast client timings; readers of the server's own record are in
reliability_helpers."""

from __future__ import annotations

from typing import Any

import pytest
from reliability_helpers import FAST_CLIENT


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "load: the concurrent-sessions load test (reduced size in the normal suite)"
    )


@pytest.fixture
def server_options(server_options: dict[str, Any]) -> dict[str, Any]:
    """Credits to spare, and `never_silent=True` so that a reply's text is predictable (tests of
    silent edits ask for other faults)."""
    return {**server_options, "initial_credits": 100_000, "faults": {"never_silent": True}}


@pytest.fixture
def client_options() -> dict[str, Any]:
    """The contract's client rules, with seconds instead of minutes."""
    return dict(FAST_CLIENT)
