"""Tunable timings and names: the contract's values by default, shorter in tests."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass
class Options:
    """Every interval the client waits, and the attribution it sends."""

    # attribution headers (X-Skill-Source / -Version / -Platform); platform None = from SKILL_SOURCE
    skill_name: str = "ai-video-maker-free-chinese"
    skill_version: str = "1.9"
    skill_platform: str | None = None
    # transport
    timeout: float = 30.0  # per request, seconds (the chat stream has its own limits below)
    max_retries: int = 3  # transient 5xx / connection errors on idempotent calls
    rate_limit_wait: float = 30.0  # 429: wait this long, then retry once
    # chat
    still_working_interval: float = 120.0  # "⏳ Still working..." after this long without text
    heartbeat_timeout: float = 600.0  # only heartbeats for this long → StreamTimeout
    overall_timeout: float = 900.0  # the whole stream
    drop_waits: tuple[float, ...] = (30.0, 60.0)  # waits between state reads after a dropped stream
    drop_max_reads: int = 5  # unchanged reads before reporting failure
    # export: render polls back off like the vendor's CLI (2 s, x1.5 each time, at most 15 s
    # apart) for 5 minutes; then the job is left running for `Session.resume()`
    poll_interval: float = 2.0  # the first wait
    poll_backoff: float = 1.5
    poll_max_interval: float = 15.0
    poll_timeout: float = 300.0  # seconds of waiting between polls, summed (no clock needed)
    max_polls: int = 200

    @classmethod
    def for_local(cls) -> Options:
        """Timings for the offline backend, which answers in seconds, not minutes."""
        return cls(
            poll_interval=0.5,
            poll_max_interval=1.0,
            poll_timeout=600.0,
            max_polls=1200,
            drop_waits=(1.0, 2.0),
            rate_limit_wait=1.0,
        )
