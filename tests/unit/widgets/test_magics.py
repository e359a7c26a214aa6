"""`%nemo` and `%%nemo` in an IPython shell, on a scripted session."""

from __future__ import annotations

import types

import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from widget_fakes import FakeSession

from nemo_widgets import events as ev
from nemo_widgets import session as session_module
from nemo_widgets.errors import NoCredits
from nemo_widgets.widgets import ChatCell, Studio, TimelineTable
from polling import wait_until


@pytest.mark.parametrize(
    "line", ["bogus", "studio extra", "export --quality ultra", "connect mars"]
)
def test_bad_commands_are_usage_errors(
    shell: InteractiveShell, fake: FakeSession, line: str
) -> None:
    with pytest.raises(UsageError, match="Usage:"):
        shell.run_line_magic("nemo", line)


def test_help_prints_usage(shell: InteractiveShell) -> None:
    with capture_output() as out:
        shell.run_line_magic("nemo", "")
    assert "%nemo connect" in out.stdout


def test_no_session_yet_says_how_to_connect(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        session_module, "current", lambda: (_ for _ in ()).throw(RuntimeError("none"))
    )
    with pytest.raises(UsageError, match="%nemo connect local"):
        shell.run_line_magic("nemo", "credits")


def test_cell_magic_streams_the_reply_into_one_display(
    shell: InteractiveShell, fake: FakeSession
) -> None:
    fake.script = [
        ev.ToolCall("add_title", {}),
        ev.TextDelta("Title "),
        ev.TextDelta("added."),
        ev.Text("Title added."),
    ]
    with capture_output() as out:
        assert shell.run_cell_magic("nemo", "", "  add a title  \n") is None
    assert fake.sent == ["add a title"]
    # One renderer: the reply is a (compact) ChatCell's, not JupyterLab's Markdown; the refreshed
    # display's fallback carries the finished reply for front-ends without widgets.
    final = out.outputs[-1].data
    assert "application/vnd.jupyter.widget-view+json" in final and "text/markdown" not in final
    assert final["text/plain"] == "user: add a title\n\nassistant: Title added."


def test_cell_magic_no_wait_shows_a_chat_cell(shell: InteractiveShell, fake: FakeSession) -> None:
    fake.script = [ev.TextDelta("ok")]
    with capture_output() as out:
        shell.run_cell_magic("nemo", "--no-wait", "hello")
    shown = [o for o in out.outputs if "application/vnd.jupyter.widget-view+json" in o.data]
    assert len(shown) == 1
    assert "user: hello" in shown[0].data["text/plain"]  # the fallback has the message
    wait_until(lambda: fake.sent == ["hello"])  # sent on the background loop, after the cell


def test_empty_cell_is_a_usage_error(shell: InteractiveShell, fake: FakeSession) -> None:
    with pytest.raises(UsageError, match="empty"):
        shell.run_cell_magic("nemo", "", "  \n")


def test_studio_and_status_return_widgets(shell: InteractiveShell, fake: FakeSession) -> None:
    from nemo_widgets import State

    studio = shell.run_line_magic("nemo", "studio")
    assert isinstance(studio, Studio) and isinstance(studio.chat, ChatCell)
    assert all(p.session is fake for p in studio.parts)
    data = studio._repr_mimebundle_()  # ipywidgets boxes give the data dict alone
    assert "application/vnd.jupyter.widget-view+json" in data
    for words in ("no media", "no messages", "Empty timeline", "no export"):
        assert words in data["text/plain"] and words in data["text/html"]
    fake.last_state = State({}, [], {}, [])
    fake.state = lambda: fake.last_state  # type: ignore[attr-defined]
    assert isinstance(shell.run_line_magic("nemo", "status"), TimelineTable)


def test_a_nemo_error_is_printed_not_raised(shell: InteractiveShell, fake: FakeSession) -> None:
    def no_credits() -> None:
        raise NoCredits("balance too low", register_url="https://nemovideo.com/register?bind=x")

    fake.credits = no_credits  # type: ignore[attr-defined]
    with capture_output() as out:
        assert shell.run_line_magic("nemo", "credits") is None
    assert "❌ balance too low" in out.stdout and "Register" in out.stdout


def test_cell_magic_marks_a_replayed_reply(shell: InteractiveShell, fake: FakeSession) -> None:
    fake.script = [ev.Replayed("replayed · no credits spent"), ev.Text("Your video is ready.")]
    with capture_output() as out:
        shell.run_cell_magic("nemo", "", "make a video")
    final = out.outputs[-1].data  # the compact ChatCell's fallback, refreshed when done
    assert "application/vnd.jupyter.widget-view+json" in final
    assert "Your video is ready. (replayed · no credits spent)" in final["text/plain"]
    assert "replayed · no credits spent</small>" in final["text/html"]


def test_connect_passes_the_record_file_on(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, object] = {}

    def connect(**kw: object) -> types.SimpleNamespace:
        seen.update(kw)
        return types.SimpleNamespace(language="en")

    monkeypatch.setattr(session_module, "connect", connect)
    with capture_output():
        shell.run_line_magic("nemo", "connect local --record promo.nemo.json --refresh")
    assert seen["record"] == "promo.nemo.json" and seen["refresh"] is True
    with capture_output():
        shell.run_line_magic("nemo", "connect local")
    assert seen["record"] is None and seen["refresh"] is False
