"""Fault injection for reliability tests, held per server instance (never global).

Pass a `Faults` to `serve(faults=...)` (or use the `nemo-widgets serve` flags), or change the
live object at run time through `server.faults`; every request reads it afresh.

Endpoint names (for `fail_next`) are the route names of `app.ROUTE_NAMES`: `anonymous_token`,
`session`, `claim_token`, `claim_page`, `run_sse`, `upload`, `credits`, `state`, `render`,
`render_status`, `render_cancel`, `download`, `media`. A path template (`/run_sse`) works too.
"""

from __future__ import annotations

import dataclasses
import threading
import time

__all__ = ["Faults"]


@dataclasses.dataclass
class Faults:
    """The knobs; all default to "no fault"."""

    # chat: close the connection abruptly (no end of the chunked body) after N events
    drop_stream_after: int | None = None
    drop_stream_times: int | None = None  # how many streams to drop (None: every stream)
    # chat: send `data: {"error": ...}` after N events, then close (HTTP status stays 200)
    error_stream_after: int | None = None
    error_stream_message: str = "injected failure"
    # answer `fail_status` to the next K calls of an endpoint: {"state": 2, "run_sse": 1}
    fail_next: dict[str, int] = dataclasses.field(default_factory=dict)
    fail_status: int = 503
    fail_html: bool = False  # answer the 5xx with an HTML page (a proxy), not the envelope
    latency: float = 0.0  # seconds added before every response
    fail_next_render: int = 0  # the next N render jobs fail
    silent_next: int = 0  # the next N edits end with no text
    never_silent: bool = False  # no random silent edits at all
    # tokens issued at or before this time count as expired (see `expire_tokens`)
    tokens_expired_before: float | None = None
    expired_tokens: set[str] = dataclasses.field(default_factory=set)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()

    # -- actions -------------------------------------------------------------------------------
    def fail(self, endpoint: str, times: int = 1, status: int | None = None) -> None:
        """Answer a 5xx to the next `times` calls of `endpoint`."""
        with self._lock:
            self.fail_next[endpoint] = self.fail_next.get(endpoint, 0) + times
            if status is not None:
                self.fail_status = status

    def expire_tokens(self, token: str | None = None) -> None:
        """Expire one token, or every token issued so far."""
        with self._lock:
            if token is None:
                self.tokens_expired_before = time.time()
            else:
                self.expired_tokens.add(token)

    def reset(self) -> None:
        """Back to no faults at all."""
        fresh = Faults()
        with self._lock:
            for f in dataclasses.fields(self):
                setattr(self, f.name, getattr(fresh, f.name))

    # -- queries used by the app ------------------------------------------------------------------
    def take_failure(self, *names: str) -> bool:
        """Consume one injected failure for the first of `names` that has one."""
        with self._lock:
            for name in names:
                left = self.fail_next.get(name, 0)
                if left > 0:
                    self.fail_next[name] = left - 1
                    return True
        return False

    def take_render_failure(self) -> bool:
        """Consume one injected render failure."""
        with self._lock:
            if self.fail_next_render > 0:
                self.fail_next_render -= 1
                return True
        return False

    def take_silent(self) -> bool:
        """Consume one forced silent edit."""
        with self._lock:
            if self.silent_next > 0:
                self.silent_next -= 1
                return True
        return False

    def take_drop(self) -> int | None:
        """The event count after which this stream is dropped, or None."""
        with self._lock:
            if self.drop_stream_after is None:
                return None
            if self.drop_stream_times is not None:
                if self.drop_stream_times <= 0:
                    return None
                self.drop_stream_times -= 1
            return self.drop_stream_after

    def token_expired(self, token: str, issued_at: float) -> bool:
        """Whether a fault expired this token."""
        if token in self.expired_tokens:
            return True
        return self.tokens_expired_before is not None and issued_at <= self.tokens_expired_before
