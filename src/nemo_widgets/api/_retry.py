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
    """Whether sending this request twice has the same effect as sending it once: asking again for
    a claim link only makes another short-lived link, and cancelling a job twice stops it once;
    creating sessions, uploads and renders have effects, and /run_sse charges."""
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
    try:
        when = email.utils.parsedate_to_datetime(value.strip()).timestamp()
    except (TypeError, ValueError, IndexError):
        return None
    return max(0.0, when - (time.time() if now is None else now))


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
    """Seconds to wait before retrying, or None to give up.

    `status` is the HTTP status (None: the connection failed or broke), `code` the envelope
    code if any, `attempt` how many retries of this request were already made. The recoveries
    that need an action first (a new token, a new client id) are `recovery`'s.
    """
    route = path.rstrip("/")
    limited = status == 429 or code == 429
    # a chat message is never sent twice: it may run, and charge, twice
    if route == "/run_sse" or (limited and route == ANON_PATH):
        return None
    if limited:
        # the configured wait rules here (the contract's 30 s is its default): a server's
        # Retry-After would make a test of the offline backend wait the cloud's time
        return rate_limit_wait if attempt == 0 else None
    transient = status is None or status in _TRANSIENT
    if not transient or attempt >= max_retries or not is_idempotent(method, path):
        return None
    if retry_after is not None:
        return min(retry_after, RETRY_AFTER_CAP)
    # "equal jitter": at least half the backoff, so retries never bunch up at zero, and a random
    # rest, so clients that failed together do not retry together
    ceiling = min(BACKOFF_CAP, BACKOFF_BASE * 2**attempt)
    return ceiling / 2 + rand() * ceiling / 2


def recovery(path: str, code: int | None, anonymous: bool) -> str | None:
    """What to do, once per request, before retrying a refusal at once: `"token"` (1001 for an
    anonymous user: a new anonymous token, same client id), `"client_id"` (400 on the anonymous
    sign-in: a missing or bad client id, so a new one); None when neither applies. Also the
    chat POST: its 1001 is refused before the message runs, so sending it again is safe."""
    if code == 1001 and anonymous:
        return "token"
    return "client_id" if code == 400 and path.rstrip("/") == ANON_PATH else None
