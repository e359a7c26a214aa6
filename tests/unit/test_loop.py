"""The background loop: sync calls from plain code and from inside a running loop, async twins."""

import asyncio
import threading

import pytest

from nemo_widgets import _loop


async def _where() -> str:
    await asyncio.sleep(0)
    return threading.current_thread().name


def test_run_from_plain_code_uses_the_background_thread() -> None:
    assert _loop.run(_where()) == "nemo-widgets-loop"


def test_run_works_inside_a_running_loop_like_a_kernel() -> None:
    async def cell() -> str:
        return _loop.run(_where())  # a sync call made from a coroutine, as in a Jupyter cell

    assert asyncio.run(cell()) == "nemo-widgets-loop"


def test_arun_from_a_foreign_loop_and_from_the_background_loop() -> None:
    async def nested() -> str:
        return await _loop.arun(_where())

    assert asyncio.run(_loop.arun(_where())) == "nemo-widgets-loop"
    assert _loop.run(nested()) == "nemo-widgets-loop"


def test_blocking_call_from_the_background_loop_is_refused() -> None:
    async def bad() -> None:
        _loop.run(_where())

    with pytest.raises(RuntimeError, match="background loop"):
        _loop.run(bad())


def test_errors_propagate() -> None:
    async def boom() -> None:
        raise ValueError("x")

    with pytest.raises(ValueError):
        _loop.run(boom())
