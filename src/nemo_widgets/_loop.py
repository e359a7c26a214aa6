"""The one background loop, on a daemon thread: sync calls work under a running loop (Jupyter,
papermill) with no patched loop (nest-asyncio: archived, fails on 3.12+, NeMo-Agent-Toolkit#770)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None
_thread: threading.Thread | None = None


def get_loop() -> asyncio.AbstractEventLoop:
    """The background loop, started on first use."""
    global _loop, _thread
    with _lock:
        if _loop is None or _loop.is_closed() or _thread is None or not _thread.is_alive():
            # no need to wait until it runs: what is scheduled before waits in its queue
            _loop = asyncio.new_event_loop()
            _thread = threading.Thread(
                target=_loop.run_forever, name="nemo-widgets-loop", daemon=True
            )
            _thread.start()
        return _loop


def on_loop() -> bool:
    return _thread is not None and threading.current_thread() is _thread


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    return asyncio.run_coroutine_threadsafe(coro, get_loop())


def run(coro: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
    """Run `coro` on the background loop and wait for its result (the sync facade)."""
    if on_loop():
        coro.close()
        raise RuntimeError("a blocking nemo_widgets call was made from the background loop")
    return submit(coro).result(timeout)


async def arun(coro: Coroutine[Any, Any, T]) -> T:
    """Await `coro` on the background loop from any other loop (the async facade)."""
    if on_loop():
        return await coro
    return await asyncio.wrap_future(submit(coro))


def aiter_on_loop(make: Callable[[], AsyncGenerator[list[T], None]]) -> AsyncIterator[T]:
    """`make()`'s batches, made on the loop, item by item to any loop; closing early closes them."""
    source: AsyncGenerator[list[T], None] | None = None
    pulling: asyncio.Task[Any] | None = None

    async def pull() -> list[T] | None:
        # Made and advanced on the background loop, so that its finalizer belongs to that loop.
        nonlocal source, pulling
        pulling = asyncio.current_task()
        try:
            if source is None:
                source = make()
            return await anext(source, None)
        finally:
            pulling = None

    async def close() -> None:
        if pulling is not None:  # a pull cancelled from another thread may still be unwinding
            await asyncio.wait([pulling])
        if source is not None:
            await source.aclose()

    async def items() -> AsyncIterator[T]:
        try:
            while (batch := await arun(pull())) is not None:
                for item in batch:
                    yield item
        finally:
            await arun(close())

    return items()
