"""The reply stream's timing rules, as pure decisions over a fake clock's readings."""

from __future__ import annotations

import pytest

from nemo_widgets._options import Options
from nemo_widgets._text import ui_text
from nemo_widgets.errors import StreamTimeout
from nemo_widgets.events import Heartbeat, Notice, Text, TextDelta, ToolCall
from nemo_widgets.session._watchdog import Watchdog, drop_waits

STILL_WORKING = Notice(ui_text("chat.still_working"))  # no language given: the active one
OPTS = Options(still_working_interval=120, heartbeat_timeout=600, overall_timeout=900)


def test_the_first_deadline_is_the_still_working_notice() -> None:
    dog = Watchdog(OPTS, start=1000.0)
    assert dog.deadline() == 1120.0
    assert dog.silent(1119.9) is None
    assert dog.silent(1120.0) == STILL_WORKING
    assert dog.deadline() == 1240.0  # the next notice counts from this one


def test_text_restarts_the_notice_and_the_quiet_clock() -> None:
    dog = Watchdog(OPTS, start=0.0)
    dog.saw([TextDelta("Adding")], now=500.0)
    assert dog.silent(619.0) is None and dog.silent(620.0) == STILL_WORKING
    dog.saw([Heartbeat()], now=1000.0)
    with pytest.raises(StreamTimeout, match="in all"):
        dog.silent(1000.0)  # text came, but the whole stream has its own limit


@pytest.mark.parametrize(
    ("events", "quiet_at"),
    [([Heartbeat()], 600.0), ([ToolCall("add_title", {})], 700.0), ([Text("Done")], 700.0)],
    ids=["heartbeat", "tool-call", "text"],
)
def test_only_heartbeats_for_too_long_is_a_time_out(events: list, quiet_at: float) -> None:
    dog = Watchdog(Options(heartbeat_timeout=600, overall_timeout=10_000), start=0.0)
    dog.saw(events, now=100.0)
    dog.notice_from = quiet_at  # notices are not what this checks
    assert dog.deadline() <= quiet_at
    with pytest.raises(StreamTimeout, match="heartbeats"):
        dog.silent(quiet_at)
    if quiet_at > 600.0:  # more than a keep-alive moved the quiet clock
        assert dog.silent(quiet_at - 1) is None


def test_the_overall_limit_wins_over_the_others() -> None:
    dog = Watchdog(Options(heartbeat_timeout=900, overall_timeout=900), start=0.0)
    with pytest.raises(StreamTimeout, match="900 s in all"):
        dog.silent(900.0)


@pytest.mark.parametrize(
    ("waits", "reads", "expected"),
    [
        ((30.0, 60.0), 5, [30.0, 60.0, 60.0, 60.0, 60.0]),
        ((1.0,), 2, [1.0, 1.0]),
        ((), 0, [0.0]),  # at least one read, at once
    ],
    ids=["contract", "one-wait", "nothing-set"],
)
def test_drop_waits(waits: tuple[float, ...], reads: int, expected: list[float]) -> None:
    assert drop_waits(Options(drop_waits=waits, drop_max_reads=reads)) == expected


def test_a_chinese_session_hears_the_notice_and_the_time_outs_in_chinese() -> None:
    dog = Watchdog(OPTS, 0.0, "zh-CN")
    assert dog.silent(120.0) == Notice("⏳ 仍在处理…")
    with pytest.raises(StreamTimeout, match="600 秒内只收到心跳"):
        dog.silent(600.0)
    with pytest.raises(StreamTimeout, match="总共 900 秒"):
        Watchdog(OPTS, 0.0, "zh-CN").silent(900.0)
