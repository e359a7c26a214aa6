"""The pure pacing of streamed text: rate, batching, offsets, replacement."""

from __future__ import annotations

import itertools

import pytest

from nemo_widgets.widgets._coalesce import DeltaCoalescer, utf16_len


def drive(
    co: DeltaCoalescer, arrivals: list[tuple[float, str]], end: float
) -> list[tuple[float, dict]]:
    """Feed (time, token) pairs; send whenever due says so; a fake clock, no sleeping."""
    sent: list[tuple[float, dict]] = []
    events = sorted(arrivals)
    now, i = 0.0, 0
    while now <= end:
        while i < len(events) and events[i][0] <= now:
            co.add(events[i][1], events[i][0])
            i += 1
        due = co.due(now, final=i == len(events))
        if due == 0:
            sent.append((now, co.take(now)))
        now = round(now + 0.001, 6)
    return sent


def test_fast_stream_is_batched_under_the_rate_and_loses_nothing() -> None:
    tokens = [(k * 0.0005, f"tok{k} ") for k in range(4000)]  # 2,000 tokens a second for 2 s
    sent = drive(DeltaCoalescer(30), tokens, end=3.0)
    assert "".join(m["text"] for _, m in sent) == "".join(t for _, t in tokens)
    times = [t for t, _ in sent]
    assert all(b - a >= 1 / 30 for a, b in itertools.pairwise(times))
    assert len(sent) <= 2.0 * 30 + 2


def test_offsets_are_the_utf16_length_already_sent() -> None:
    co = DeltaCoalescer(30, min_chars=1)
    co.add("a😀", 0.0)
    first = co.take(0.0)
    co.add("城", 1.0)
    second = co.take(1.0)
    assert (first["offset"], second["offset"]) == (0, 3)
    assert utf16_len("a😀城") == 4


@pytest.mark.parametrize(
    ("text", "now", "want"),
    [
        pytest.param("ab", 0.05, 0.05, id="short-text-waits-for-max-wait"),
        pytest.param("x" * 40, 0.0, 0.0, id="long-text-goes-at-once"),
        pytest.param("ab", 0.2, 0.0, id="old-short-text-goes"),
    ],
)
def test_small_deltas_wait_a_little(text: str, now: float, want: float) -> None:
    co = DeltaCoalescer(30, min_chars=24, max_wait=0.1)
    co.add(text, 0.0)
    assert co.due(now) == pytest.approx(want)


def test_nothing_pending_means_no_message() -> None:
    co = DeltaCoalescer()
    assert co.due(0.0) is None
    co.add("", 0.0)
    assert co.due(0.0) is None


def test_rate_applies_after_a_message_sent_elsewhere() -> None:
    co = DeltaCoalescer(30)
    co.mark(1.0)
    co.status("activity", "🔧 tool…", 1.0)
    assert co.due(1.0) == pytest.approx(co.interval) and 1 / 30 < co.interval <= 1.05 / 30
    assert co.take(1.04) == {"offset": 0, "text": "", "activity": "🔧 tool…"}


def test_replace_resets_the_offset() -> None:
    co = DeltaCoalescer(30, min_chars=1)
    co.add("Helo", 0.0)
    co.take(0.0)
    co.replace("Hello", 1.0)
    co.add("!", 1.0)
    assert co.take(1.0) == {"replace": "Hello", "offset": 5, "text": "!"}
    co.add("?", 2.0)
    assert co.take(2.0)["offset"] == 6
