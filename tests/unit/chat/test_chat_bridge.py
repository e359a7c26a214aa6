"""`_loop.aiter_on_loop`: batches made on the background loop, consumed one by one anywhere."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from nemo_widgets import _loop


async def numbers(n: int, where: list[str] | None = None) -> AsyncIterator[list[int]]:
    """0..n-1 in batches of 7 (and an empty batch, which must not matter)."""
    yield []
    for start in range(0, n, 7):
        if where is not None:
            where.append(threading.current_thread().name)
        yield list(range(start, min(n, start + 7)))
        if start % 700 == 0:
            await asyncio.sleep(0)


def test_from_a_foreign_loop_items_arrive_in_order_and_run_on_the_background_loop() -> None:
    where: list[str] = []

    async def consume() -> list[int]:
        return [i async for i in _loop.aiter_on_loop(lambda: numbers(5000, where))]

    assert asyncio.run(consume()) == list(range(5000))  # more than the buffer's high water
    assert set(where) == {"nemo-widgets-loop"}


def test_on_the_background_loop_it_is_used_directly() -> None:
    where: list[str] = []

    async def consume() -> list[int]:
        return [i async for i in _loop.aiter_on_loop(lambda: numbers(3, where))]

    assert _loop.run(consume()) == [0, 1, 2]
    assert set(where) == {"nemo-widgets-loop"}


def test_errors_reach_the_consumer_after_the_items_before_them() -> None:
    async def failing() -> AsyncIterator[list[int]]:
        yield [1]
        raise ValueError("boom")

    async def consume(seen: list[int]) -> None:
        async for i in _loop.aiter_on_loop(failing):
            seen.append(i)

    seen: list[int] = []
    with pytest.raises(ValueError, match="boom"):
        asyncio.run(consume(seen))
    assert seen == [1]


def test_aclose_stops_the_source_and_runs_its_cleanup() -> None:
    cleaned = threading.Event()

    async def endless() -> AsyncIterator[list[int]]:
        try:
            i = 0
            while True:
                yield [i]
                i += 1
                await asyncio.sleep(0)
        finally:
            cleaned.set()

    async def consume() -> None:
        it = _loop.aiter_on_loop(endless)
        async for i in it:
            if i == 10:
                break
        await it.aclose()

    asyncio.run(consume())
    assert cleaned.is_set()


def test_two_consumers_from_two_threads_at_once() -> None:
    results: dict[str, list[int]] = {}

    def worker(name: str) -> None:
        async def consume() -> list[int]:
            return [i async for i in _loop.aiter_on_loop(lambda: numbers(2000))]

        results[name] = asyncio.run(consume())

    threads = [threading.Thread(target=worker, args=(n,)) for n in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == {"a": list(range(2000)), "b": list(range(2000))}
