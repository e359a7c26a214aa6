"""Pacing of a streamed reply (pure: the caller owns time): at most `max_per_second` messages of
appended text, each waiting for `min_chars` characters or `max_wait` s, not paid per token."""

from __future__ import annotations

import math
from typing import Any


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units: the unit of JavaScript's `string.length` (offsets)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


class DeltaCoalescer:
    """Collects deltas and status lines; `due(now)` says when to send, `take(now)` what."""

    def __init__(
        self, max_per_second: float = 30.0, min_chars: int = 24, max_wait: float = 0.1
    ) -> None:
        # 5% over the bare interval: a closed one-second window then never holds more than
        # `max_per_second` messages, even with the loop's timer jitter.
        self.interval = 1.05 / max_per_second
        self.min_chars = min_chars
        self.max_wait = max_wait
        self._text = ""
        self._status: dict[str, str] = {}
        self._replace: str | None = None
        self._oldest = math.inf  # when what waits began to wait
        self._last = -math.inf
        self.sent_units = 0  # UTF-16 units already sent: the offset of the next delta

    @property
    def pending(self) -> bool:
        return bool(self._text or self._status or self._replace is not None)

    def add(self, text: str, now: float) -> None:
        if text:
            self._oldest = min(self._oldest, now)
            self._text += text

    def replace(self, text: str, now: float) -> None:
        """Queue a replacement of the whole text (a final text that differs from the deltas)."""
        self._oldest = min(self._oldest, now)
        self._replace, self._text = text, ""

    def status(self, field: str, text: str, now: float) -> None:
        """Queue a status line (`activity` or `notice`); the latest value wins."""
        self._oldest = min(self._oldest, now)
        self._status[field] = text

    def mark(self, now: float) -> None:
        """Record a message sent outside `take` (it counts against the rate too)."""
        self._last = now

    def slot(self, now: float) -> float:
        """Seconds until the rate allows the next message."""
        return max(0.0, self._last + self.interval - now)

    def due(self, now: float, final: bool = False) -> float | None:
        """Seconds until a message may go (0: now), or None when nothing waits."""
        if not self.pending:
            return None
        if final or self._status or self._replace is not None or len(self._text) >= self.min_chars:
            return self.slot(now)
        return max(self.slot(now), self._oldest + self.max_wait - now)

    def take(self, now: float) -> dict[str, Any]:
        """The message body to send now: `offset`, `text`, maybe `replace`, and status lines."""
        body: dict[str, Any] = {}
        if self._replace is not None:
            body["replace"] = self._replace
            self.sent_units = utf16_len(self._replace)
        body.update(offset=self.sent_units, text=self._text, **self._status)
        self.sent_units += utf16_len(self._text)
        self._text, self._status, self._replace = "", {}, None
        self._oldest, self._last = math.inf, now
        return body
