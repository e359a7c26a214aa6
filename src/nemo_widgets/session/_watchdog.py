"""The timing rules of a chat reply and of waiting, as pure decisions over a clock's readings (the
`Clock` is the seam: tests pass a fake one)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from .._options import Options
from .._text import ui_text
from ..errors import StreamTimeout
from ..events import Event, Heartbeat, Notice, Text, TextDelta


class Clock:
    """Time as the session's waits see it: the running loop's clock, and `asyncio.sleep`."""

    def now(self) -> float:
        """Seconds on the running event loop's clock (what `asyncio.wait` time-outs count)."""
        return asyncio.get_running_loop().time()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class Watchdog:
    """What a reply stream's silence means at a given time (pure: the caller reads the clock)."""

    def __init__(self, options: Options, start: float, language: str | None = None) -> None:
        self.options = options
        self.language = language  # None: the active session's
        self.start = start
        self.last_real = start  # the last event that was more than a keep-alive
        self.notice_from = start  # the last text, or the last notice

    def deadline(self) -> float:
        """When the next decision is due if nothing arrives."""
        o = self.options
        return min(
            self.notice_from + o.still_working_interval,
            self.last_real + o.heartbeat_timeout,
            self.start + o.overall_timeout,
        )

    def silent(self, now: float) -> Notice | None:
        """Nothing arrived until `now`: raise `StreamTimeout` past a limit, or the notice due."""
        o = self.options
        if now >= self.start + o.overall_timeout:
            raise StreamTimeout(self._t("error.no_complete_reply", o.overall_timeout))
        if now >= self.last_real + o.heartbeat_timeout:
            raise StreamTimeout(self._t("error.only_heartbeats", o.heartbeat_timeout))
        if now >= self.notice_from + o.still_working_interval:
            self.notice_from = now
            return Notice(ui_text("chat.still_working", self.language))
        return None

    def _t(self, key: str, seconds: float) -> str:
        return ui_text(key, self.language, seconds=f"{seconds:.0f}")

    def saw(self, events: Sequence[Event], now: float) -> None:
        """Events came at `now`: text restarts both clocks, other non-heartbeats the quiet one."""
        if any(isinstance(ev, (Text, TextDelta)) for ev in events):
            self.last_real = self.notice_from = now
        elif any(not isinstance(ev, Heartbeat) for ev in events):
            self.last_real = now


def drop_waits(options: Options) -> list[float]:
    """The wait before each state read after a drop (at least one read; the last wait repeats)."""
    waits = tuple(options.drop_waits) or (0.0,)
    return [waits[min(i, len(waits) - 1)] for i in range(max(1, options.drop_max_reads))]
