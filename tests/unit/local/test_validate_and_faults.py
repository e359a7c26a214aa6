"""The render request's draft validation and the fault knobs, without a server."""

from __future__ import annotations

import time
from typing import Any

import pytest

from nemo_widgets.local.faults import Faults
from nemo_widgets.local.routes.renders import validate

GOOD: dict[str, Any] = {
    "d": 4000,
    "m": {"w": 1080, "h": 1920},
    "t": [
        {
            "tt": 0,
            "sg": [
                {"id": "a", "k": "image", "src": "m1", "st": 0, "d": 2000},
                {"id": "b", "k": "image", "src": "m1", "st": 2000, "d": 2000},
            ],
        },
        {"tt": 7, "sg": [{"id": "c", "k": "title", "txt": "x", "st": 0, "d": 4000}]},
        {"tt": 99, "sg": [], "custom": True},
    ],
}


def test_valid_draft() -> None:
    assert validate(GOOD, {"m1"}) is None


@pytest.mark.parametrize(
    ("change", "why"),
    [
        (lambda d: d["t"][0]["sg"][1].update(st=1500), "overlap"),
        (lambda d: d["t"][0]["sg"][0].update(st=-1), "negative"),
        (lambda d: d["t"][1]["sg"][0].update(d=-5), "negative"),
        (lambda d: d.update(d=3000), "after the draft"),
        (lambda d: d["t"][0]["sg"][0].update(src="m2"), "unknown media"),
        (lambda d: d.update(t=[]), "nothing to render"),
        (lambda d: d.update(d=0), "positive"),
        (lambda d: d["m"].update(w=0), "m.w"),
        (lambda d: d["t"][0]["sg"][0].update(d=None), "numbers"),
    ],
    ids=[
        "overlap",
        "negative-start",
        "negative-duration",
        "past-end",
        "unknown-media",
        "empty",
        "zero-d",
        "zero-width",
        "missing-d",
    ],
)
def test_invalid(change: Any, why: str) -> None:
    import copy

    d = copy.deepcopy(GOOD)
    change(d)
    assert why in (validate(d, {"m1"}) or "")


def test_not_a_dict() -> None:
    assert validate([], set()) == "the draft must be a JSON object"


def test_fault_counters_consume() -> None:
    f = Faults()
    f.fail("state", 2)
    assert [f.take_failure("state") for _ in range(3)] == [True, True, False]
    f.fail_next_render = 1
    assert [f.take_render_failure(), f.take_render_failure()] == [True, False]
    f.silent_next = 1
    assert [f.take_silent(), f.take_silent()] == [True, False]


def test_drop_times() -> None:
    f = Faults(drop_stream_after=3, drop_stream_times=2)
    assert [f.take_drop() for _ in range(3)] == [3, 3, None]
    assert Faults().take_drop() is None
    always = Faults(drop_stream_after=0)
    assert [always.take_drop() for _ in range(3)] == [0, 0, 0]


def test_token_expiry_fault() -> None:
    f = Faults()
    issued = time.time() - 1
    assert not f.token_expired("t1", issued)
    f.expire_tokens("t1")
    assert f.token_expired("t1", issued) and not f.token_expired("t2", issued)
    f.expire_tokens()
    assert f.token_expired("t2", issued)
    assert not f.token_expired("t3", time.time() + 1)  # issued later: still valid


def test_faults_are_not_shared() -> None:
    a, b = Faults(), Faults()
    a.fail("x")
    assert b.fail_next == {}
