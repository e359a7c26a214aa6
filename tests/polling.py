"""Waiting in tests: poll a condition (never a fixed sleep), and the browser's request–reply."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 60.0, what: str = "") -> T:
    """Poll `condition()` until it returns something true and return that; fail after `timeout`
    seconds (a guard against a hang, not a timing assertion)."""
    end = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < end, f"timed out waiting for {what or condition}"
        time.sleep(0.01)
    return value


def request(
    widget: Any,
    comm: Any,
    kind: Any,
    buffers: list[bytes] | None = None,
    timeout: float = 60.0,
    **body: Any,
) -> dict[str, Any]:
    """Send a `kind`/`id` message as the view does; return the kernel's reply once it came (sync
    handlers answer at once, async ones from the background loop)."""
    msg_id = f"m{len(comm.sent)}-{kind}-{time.monotonic_ns()}"
    widget._handle_custom_msg({"kind": kind, "id": msg_id, **body}, buffers or [])
    return wait_until(
        lambda: next((m for m in comm.custom("reply") if m.get("id") == msg_id), None),
        timeout,
        f"the reply to {kind!r}",
    )
