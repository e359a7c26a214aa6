"""The store's one writer thread: each write a transaction of SQL steps, run in submission
order, so a later write never lands before an earlier one; a caller gets a `Pending` handle at
once. Crash tests set `NEMO_LOCAL_CRASH_AT=<kind>[:<n>]` to make the process SIGKILL itself in
the n-th write of that kind, after its statements and before its commit.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import os
import signal
import sqlite3
from collections.abc import Callable, Generator
from typing import Any

from ._db import StoreError

__all__ = ["CRASH_ENV", "Op", "Pending", "Writer"]

CRASH_ENV = "NEMO_LOCAL_CRASH_AT"  # crash tests only
log = logging.getLogger("nemo_widgets.local")
Op = Callable[[sqlite3.Connection], object]


class Pending:
    """A write on its way to disk: `await` it, `.wait()` for it, or ignore it."""

    def __init__(self, future: concurrent.futures.Future[None]):
        self.future = future

    def __await__(self) -> Generator[Any, None, None]:
        if not self.future.done():
            yield from asyncio.wrap_future(self.future).__await__()
        self.future.result()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the write is committed (raises what the write raised)."""
        self.future.result(timeout)


class Writer:
    """The one thread that writes: each job a transaction, in submission order. A write that
    fails is logged (its `Pending` raises); later writes go on."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self.pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="nemo-store")
        self.last: concurrent.futures.Future[None] | None = None
        kind, _, nth = os.environ.get(CRASH_ENV, "").partition(":")
        self.crash_kind, self.crash_left = kind, int(nth or 1)

    def submit(self, kind: str, ops: list[Op]) -> Pending:
        try:
            fut = self.pool.submit(self._run, kind, ops)
        except RuntimeError:  # closed: a straggler after the server stopped; said, not raised
            fut = concurrent.futures.Future()
            fut.set_exception(StoreError(f"the store is closed: a {kind} write was dropped"))
        fut.add_done_callback(_log_failure)
        self.last = fut
        return Pending(fut)

    def _run(self, kind: str, ops: list[Op]) -> None:
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            for op in ops:
                op(conn)
            if kind == self.crash_kind:
                self.crash_left -= 1
                if self.crash_left <= 0:  # in the middle of the transaction: nothing committed
                    log.warning("crash point %s reached: SIGKILL", kind)
                    os.kill(os.getpid(), signal.SIGKILL)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.conn.close()


def _log_failure(fut: concurrent.futures.Future[None]) -> None:
    exc = fut.exception()
    if exc is not None:
        log.error("a store write failed: %s: %s", type(exc).__name__, exc)
