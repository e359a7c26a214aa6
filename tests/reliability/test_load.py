"""The load test at reduced size (4 sessions); `benchmarks/bench_load.py` runs it at full size (20).

Each session: one upload, 5 chat messages, one render, all at once against one offline backend;
zero errors, zero lost or crossed replies, every message posted and accepted exactly once.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_load.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_load", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_load"] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.mark.load
def test_concurrent_sessions_get_their_own_replies() -> None:
    bench = _bench()
    result = bench.run_load(sessions=4, messages=5, time_limit=240)
    assert result.errors == []
    assert result.crossed == []
    assert result.lost == []
    assert result.replies == result.accepted == result.posts == 4 * 5
    assert result.uploads == result.renders == 4
    assert len(result.latencies) == 20 and result.ok
    assert "p95" in bench.report(result)
