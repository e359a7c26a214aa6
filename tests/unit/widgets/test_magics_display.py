"""`%nemo` shows one thing per command, `%nemo?` is real help, `%%nemo` fills `{var}` from the
notebook like jupyter-ai's `%%ai`, and all of it speaks the session's language."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from widget_fakes import FakeSession

from nemo_widgets import Credits, Media, _text
from nemo_widgets import events as ev
from nemo_widgets.magics import interpolate, register


def _shown(shell: InteractiveShell, line: str) -> list[str]:
    """Every line a cell whose last line is `line` puts on screen (prints and its result)."""
    with capture_output() as out:
        result = shell.run_cell(line, store_history=True)
    assert result.success, result.error_in_exec
    printed = re.sub(r"^Out\[\d+\]: ", "", out.stdout, flags=re.M)  # the terminal displayhook
    lines = printed.splitlines() + [o.data.get("text/plain", "") for o in out.outputs]
    return [line for line in lines if line]


def test_credits_show_once(shell: InteractiveShell, fake: FakeSession) -> None:
    fake.credits = lambda: Credits(90, 10, 100)  # type: ignore[attr-defined]
    assert _shown(shell, "%nemo credits") == ["Credits: 90 available · 10 reserved · 100 total"]


def test_upload_shows_each_file_once(shell: InteractiveShell, fake: FakeSession) -> None:
    media = [Media("m_1", "a.mp4", "video", 2_000_000), Media("m_2", "b.png", "image", 5000)]
    fake.upload = lambda *items: media  # type: ignore[attr-defined]
    assert _shown(shell, "%nemo upload a.mp4 b.png") == [
        "Media a.mp4 · video · 2.0 MB · m_1",
        "Media b.png · image · 5 KB · m_2",
    ]


def test_connect_shows_the_session_once(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch, fake: FakeSession
) -> None:
    import nemo_widgets.session as s

    made: list[dict[str, object]] = []

    class Live:
        language = "zh-CN"

        def __repr__(self) -> str:
            return "<Session local>"

    monkeypatch.setattr(s, "connect", lambda **kw: made.append(kw) or Live())
    assert _shown(shell, "%nemo connect local --language zh-CN") == ["<Session local>"]
    assert made == [
        {"backend": "local", "api_url": None, "language": "zh-CN", "record": None, "refresh": False}
    ]
    # the help follows the new session's language
    assert "会话语言" in (shell.find_line_magic("nemo").__doc__ or "")
    _text.set_active("en")
    register(shell)


def test_help_lists_every_command_and_option(shell: InteractiveShell) -> None:
    doc = shell.find_line_magic("nemo").__doc__ or ""
    for word in ("connect", "studio", "upload", "credits", "status", "export", "link", "%%nemo"):
        assert word in doc
    for option in ("--api-url", "--language", "--quality", "--no-wait"):
        assert option in doc


def test_help_in_chinese(shell: InteractiveShell) -> None:
    _text.set_active("zh")
    register(shell)
    doc = shell.find_line_magic("nemo").__doc__ or ""
    assert "命令" in doc and "积分余额" in doc and "导出画质" in doc
    _text.set_active("en")
    register(shell)


def test_errors_and_usage_in_chinese(shell: InteractiveShell, fake: FakeSession) -> None:
    from IPython.core.error import UsageError

    _text.set_active("zh")
    with pytest.raises(UsageError, match="没有 'bogus' 这个命令") as info:
        shell.run_line_magic("nemo", "bogus")
    assert "用法" in str(info.value)
    with pytest.raises(UsageError, match="请从 high, medium, low 中选择"):
        shell.run_line_magic("nemo", "export --quality ultra")


def test_cell_fills_variables_from_the_notebook(shell: InteractiveShell, fake: FakeSession) -> None:
    fake.script = [ev.Text("ok")]
    shell.user_ns.update(title="城市夜景", clip={"n": 3})
    with capture_output():
        shell.run_cell_magic("nemo", "", "add the title {title} to clip {clip[n]} {{as is}} {nope}")
    assert fake.sent == ["add the title 城市夜景 to clip 3 {as is} {nope}"]


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("{x}", "5"),
        ("{x!r:>4}", "   5"),
        ("{{x}}", "{x}"),
        ("{missing} {x}", "{missing} 5"),
        ("{o.real}", "{o.real}"),  # o is not defined: left as typed
        ("{x.nothing}", "{x.nothing}"),
        ('{"json": 1}', '{"json": 1}'),  # not a format string: unchanged
        ("a } b", "a } b"),
        ("请把 {x} 秒剪掉", "请把 5 秒剪掉"),
    ],
)
def test_interpolate(text: str, want: str) -> None:
    assert interpolate(text, {"x": 5}) == want


@given(st.text(alphabet=st.characters(blacklist_characters="{}"), max_size=60))
def test_text_without_braces_is_sent_as_typed(text: str) -> None:
    assert interpolate(text, {"x": 1}) == text
