"""The package's one background event loop.

All network work runs here, on a daemon thread, so that sync calls work in a script, in IPython,
inside a Jupyter kernel whose own loop is running and under papermill, without patching any loop
(nest-asyncio is archived upstream and breaks on Python 3.12+: NVIDIA/NeMo-Agent-Toolkit#770).
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import contextlib
import threading
from collections.abc import AsyncIterator, Callable, Coroutine
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
            loop = asyncio.new_event_loop()
            ready = threading.Event()

            def _run() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                loop.run_forever()

            _thread = threading.Thread(target=_run, name="nemo-widgets-loop", daemon=True)
            _thread.start()
            ready.wait()
            _loop = loop
        return _loop


def on_loop() -> bool:
    """True when called from the background loop's own thread."""
    return _thread is not None and threading.current_thread() is _thread


def submit(coro: Coroutine[Any, Any, T]) -> concurrent.futures.Future[T]:
    """Schedule `coro` on the background loop and return at once."""
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


_HIGH_WATER = 1024  # buffered items before the producer waits for the consumer


def aiter_on_loop(make: Callable[[], AsyncIterator[list[T]]]) -> AsyncIterator[T]:
    """Iterate `make()` (which yields batches: the hand-over between threads is paid per batch)
    on the background loop, from whatever loop iterates the result, item by item. Closing the
    result early cancels the producer, which closes the source; errors reach the consumer after
    the items before them."""
    return _Bridge(make)


class _Bridge(AsyncIterator[T]):
    def __init__(self, make: Callable[[], AsyncIterator[list[T]]]) -> None:
        self._make = make
        self._direct: AsyncIterator[list[T]] | None = None  # the source, on its own loop
        self._started = False
        self._lock = threading.Lock()
        self._items: collections.deque[T] = collections.deque()  # filled by the producer
        self._batch: collections.deque[T] = collections.deque()  # the consumer's current batch
        self._done = False
        self._error: BaseException | None = None
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None]] | None = None
        self._drained: asyncio.Event | None = None  # lives on the background loop
        self._task: asyncio.Task[None] | None = None  # the producer, on the background loop
        # Resolved once the producer is over and the source closed (or it never started).
        self._closed: concurrent.futures.Future[None] = concurrent.futures.Future()

    def __aiter__(self) -> _Bridge[T]:
        return self

    async def __anext__(self) -> T:
        if not self._started:
            self._started = True
            if on_loop():
                self._direct = self._make()
            else:
                get_loop().call_soon_threadsafe(self._start)
        if self._direct is not None:
            while not self._batch:  # ends with the source's StopAsyncIteration
                self._batch = collections.deque(await self._direct.__anext__())
            return self._batch.popleft()
        while True:
            if self._batch:
                return self._batch.popleft()
            with self._lock:
                if self._items:
                    # Take the whole buffer at once: one lock round per batch, not per item.
                    self._batch, self._items = self._items, self._batch
                    if self._drained is not None:
                        get_loop().call_soon_threadsafe(self._drained.set)
                    continue
                if self._done:
                    if self._error is not None:
                        raise self._error
                    raise StopAsyncIteration
                loop = asyncio.get_running_loop()
                waiter = loop.create_future()
                self._waiter = (loop, waiter)
            await waiter

    async def _produce(self) -> None:
        """Runs on the background loop: pull items and hand them over."""
        self._drained = asyncio.Event()
        source = self._make()
        error: BaseException | None = None
        try:
            async for batch in source:
                with self._lock:
                    self._items.extend(batch)
                    full = len(self._items) >= _HIGH_WATER
                    self._wake()
                if full:
                    self._drained.clear()
                    await self._drained.wait()
        except asyncio.CancelledError:
            error = StopAsyncIteration()  # cancelled by aclose(): nobody is waiting for more
            raise
        except BaseException as exc:
            error = exc  # handed to the consumer
            if not isinstance(exc, Exception):
                raise
        finally:
            aclose = getattr(source, "aclose", None)
            if aclose is not None:
                await aclose()
            with self._lock:
                self._done = True
                self._error = None if isinstance(error, StopAsyncIteration) else error
                self._wake()

    def _start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._produce())
        self._task.add_done_callback(self._finished)

    def _finished(self, _: object) -> None:
        # Also covers a producer cancelled before its first step, whose `finally` never ran.
        with self._lock:
            self._done = True
            self._wake()
        self._closed.set_result(None)

    def _cancel(self) -> None:
        if self._task is not None:
            self._task.cancel()

    def _wake(self) -> None:
        """Resolve the consumer's waiter (called with the lock held)."""
        if self._waiter is not None:
            loop, waiter = self._waiter
            self._waiter = None
            loop.call_soon_threadsafe(_resolve, waiter)

    async def aclose(self) -> None:
        """Stop early: cancel the producer (which closes the source) and wait for it."""
        if self._direct is not None:
            aclose = getattr(self._direct, "aclose", None)
            if aclose is not None:
                await aclose()
        elif self._started and not self._closed.done():
            # Scheduled after `_start` (call_soon keeps order), so the task exists by then.
            get_loop().call_soon_threadsafe(self._cancel)
            await asyncio.wrap_future(self._closed)
        self._started = True

    def __del__(self) -> None:
        # Abandoned without aclose() (a `break` out of `async for`): do not leave the producer
        # blocked on a full buffer forever.
        if self._started and self._direct is None and not self._closed.done():
            with contextlib.suppress(RuntimeError):  # the loop may be gone at exit
                get_loop().call_soon_threadsafe(self._cancel)


def _resolve(waiter: asyncio.Future[None]) -> None:
    if not waiter.done():
        waiter.set_result(None)
