"""Every decoder test runs with each fast-path parser (orjson when installed, the stdlib scanner):
they must read every stream the same."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nemo_widgets import events

PARSERS: dict[str, Callable[[bytes], Any]] = {"stdlib": events._stdlib_loads}
try:
    import orjson

    PARSERS["orjson"] = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    pass


@pytest.fixture(params=sorted(PARSERS), autouse=True)
def fast_parser(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Use one fast-path parser for the test."""
    monkeypatch.setattr(events, "_fast_loads", PARSERS[request.param])
    yield request.param
