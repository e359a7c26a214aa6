"""The short displays of Reply, State, Session, Credits and Media, in English and Chinese."""

from __future__ import annotations

import pytest

from nemo_widgets import Credits, Media, State, _text
from nemo_widgets import errors as errors_module
from nemo_widgets.session import Reply

DRAFT = {"t": [{"tt": 0, "nm": "Video", "it": [{"s": 0, "e": 5000, "nm": "clip"}]}]}


def test_reply_shows_its_text_not_its_events() -> None:
    events = tuple(f"event {i}" for i in range(50))
    reply = Reply("Done: **title** added", "chat", events=events, changes=("c1", "c2"))
    assert repr(reply) == "Reply · chat · changes: 2\nDone: **title** added"
    assert "event 3" not in repr(reply) and "event 3" not in reply._repr_html_()
    assert "Done: **title** added" in reply._repr_html_()


def test_reply_html_is_escaped() -> None:
    out = Reply("<script>x</script>", "chat")._repr_html_()
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_state_shows_counts_and_the_summary_not_the_draft() -> None:
    long = {"t": [{"tt": 0, "it": [{"s": i, "e": i + 1, "nm": f"c{i}"} for i in range(500)]}]}
    state = State(long, [{"id": "m1"}, {"id": "m2"}], {}, [], session_id="55")
    line = repr(state)
    assert line.startswith("State · 55 · 2 media · Timeline (1 track)")
    assert len(line) < 200 and "c499" not in line and "'it'" not in line
    assert state._repr_html_().count("<div") == 1


def test_credits_and_media() -> None:
    assert repr(Credits(99900, 100, 100000)) == (
        "Credits: 99,900 available · 100 reserved · 100,000 total"
    )
    m = Media("m_1", "clip.mp4", "video", 12_345_678, duration=5.0, width=1920, height=1080)
    assert repr(m) == "Media clip.mp4 · video · 12.3 MB · 5.0 s · 1920×1080 · m_1"
    assert Credits(1, 2, 3) == Credits(1, 2, 3)  # the dataclass stays a value


def test_displays_in_chinese() -> None:
    _text.set_active("zh-CN")
    assert repr(Credits(90, 10, 100)) == "积分：可用 90 · 冻结 10 · 共 100"
    assert repr(Media("m", "a.png", "image", 5000)) == "媒体 a.png · 图片 · 5 KB · m"
    assert repr(Reply("好的", "export", changes=("x",))) == "回复 · 导出 · 1 处修改\n好的"
    assert repr(State({}, [{"id": "m1"}], {}, [], session_id="55")).startswith(
        "状态 · 55 · 1 个媒体"
    )


def test_session_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    from nemo_widgets.session import Session

    class Api:
        api_url = "http://127.0.0.1:1"
        options = None

    s = Session(Api(), backend="local", language="zh")  # type: ignore[arg-type]
    s.session_id, s.task_id = "5529798706024415232", "88"
    s.last_credits = Credits(90, 10, 100)
    assert repr(s) == "<会话 local · 5529798706024415232 · 任务 88 · 语言 zh · 积分 90/100>"
    _text.set_active("en")
    s.closed = True
    assert repr(s).endswith("· credits 90/100 · closed>")
    assert "5529798706024415232" in s._repr_html_()


def test_error_hints_follow_the_session_language() -> None:
    assert errors_module.AuthError("refused").hint.startswith("Check NEMO_TOKEN")
    _text.set_active("zh")
    assert errors_module.AuthError("refused").hint.startswith("请检查 NEMO_TOKEN")
    assert "免费积分已用完" in errors_module.NoCredits("x", register_url="https://r").hint
    assert errors_module.UnsupportedFile("x").hint.startswith("支持的格式：mp4")
    assert errors_module.AuthError.default_hint.startswith("Check NEMO_TOKEN")  # English
