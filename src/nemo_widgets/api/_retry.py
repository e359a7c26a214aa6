"""When to retry a request: pure functions, tested with a table (no I/O, no clock)."""

from __future__ import annotations

import contextlib
import email.utils
import random
import time
from collections.abc import Callable

BACKOFF_BASE = 0.5  # seconds before the first transport retry
BACKOFF_CAP = 8.0  # no single backoff wait is longer than this
RETRY_AFTER_CAP = 120.0  # a server asking for more than this is not waited for blindly
# a 429 on the anonymous sign-in is the 7-day token quota, not congestion: waiting will not help
ANON_PATH = "/api/auth/anonymous-token"
_TRANSIENT = frozenset({500, 502, 503, 504})


def is_idempotent(method: str, path: str) -> bool:
    """Whether sending twice is sending once (a second claim link is harmless, a job stops once)."""
    method, path = method.upper(), path.rstrip("/")
    if method in ("GET", "HEAD", "OPTIONS", "PUT", "DELETE"):
        return True
    cancel = path.startswith("/api/render/proxy/lambda/") and path.endswith("/cancel")
    return method == "POST" and (cancel or path == "/api/auth/claim-token")


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date), or None."""
    if not value:
        return None
    with contextlib.suppress(ValueError):
        return max(0.0, float(value))
    with contextlib.suppress(TypeError, ValueError, IndexError):
        when = email.utils.parsedate_to_datetime(value.strip()).timestamp()
        return max(0.0, when - (time.time() if now is None else now))
    return None


def retry_delay(
    method: str,
    path: str,
    status: int | None,
    code: int | None,
    attempt: int,
    retry_after: float | None,
    *,
    max_retries: int = 3,
    rate_limit_wait: float = 30.0,
    rand: Callable[[], float] = random.random,
) -> float | None:
    """Seconds to wait before retrying, or None to give up: `status` is None when the connection
    failed or broke, `code` the envelope code if any, `attempt` the retries so far."""
    route = path.rstrip("/")
    if route == "/run_sse":
        return None  # a chat message is never sent twice: it may run, and charge, twice
    if status == 429 or code == 429:
        # once, for the configured wait (not Retry-After: offline tests would wait the cloud's time)
        return rate_limit_wait if attempt == 0 and route != ANON_PATH else None
    transient = status is None or status in _TRANSIENT
    if not transient or attempt >= max_retries or not is_idempotent(method, path):
        return None
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP)
    # "equal jitter": half the backoff at least (no bunching at zero), a random rest (no herd)
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)
    return ceiling / 2 + rand() * ceiling / 2


def recovery(path: str, code: int | None, anonymous: bool) -> str | None:
    """The fix to make once before retrying a refusal: `"token"` or `"client_id"`, or None."""
    # safe for the chat POST too: its 1001 comes before the message runs
    if code == 1001 and anonymous:
        return "token"
    return "client_id" if code == 400 and path.rstrip("/") == ANON_PATH else None
