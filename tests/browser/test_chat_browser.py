"""The ChatCell in a real browser (JupyterLab and Notebook 7): suggestions, an IME Enter (keyCode
229, sent through Chromium's own input pipeline) that sends nothing, sticky scroll while a reply
streams, Stop, copy, a Markdown table, and the history after a kernel restart.

The notebook starts an offline backend on a port fixed by the test and a data dir in the
notebook's folder, so that the restarted kernel finds the same backend session again; the backend
streams slowly (4 characters every 0.1 s) so that a reply is still streaming while the test
scrolls and stops.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import nbformat
import pytest
from notebook_ui import ARTIFACTS, NotebookUI

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

ASK = "What can you do?"  # free, and a 438-character answer: ~11 s at this pace
TABLE = "| Track | Clips |\n|:--|--:|\n| Video | 3 |\n| **BGM** | 1 |"
CHAT = ".nemo-chat:not(:has(.nemo-chat-list .nemo-msg-body table))"  # the live chat, not the table
ANSWERS = f"{CHAT} .nemo-chat-list > .nemo-msg.nemo-assistant:not(.nemo-live)"
URLS = {"lab": "lab/tree/chat-ux.ipynb", "notebook": "notebooks/chat-ux.ipynb"}


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _notebook(root: Path, port: int) -> None:
    setup = (
        "import nemo_widgets as nw\n"
        "from nemo_widgets.local import LocalServer\n"
        "from nemo_widgets.widgets import ChatCell\n\n"
        f"server = LocalServer.start(port={port}, data_dir='nemo-data', chunk_delay=0.1, "
        "chunk_chars=4, initial_credits=10_000)\n"
        "s = nw.connect(backend='local', api_url=server.url)\n"
        "cell = ChatCell(s)\n"
        "cell"
    )
    table = f"md = ChatCell(s)\nmd.transcript = [{{'role': 'assistant', 'text': {TABLE!r}}}]\nmd"
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
    nb.cells = [nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(table)]
    nbformat.write(nb, root / "chat-ux.ipynb")


def _restart_and_run_all(ui: NotebookUI) -> None:
    ui.menu("Kernel", "Restart Kernel and Run All Cells…")
    ui.page.locator(".jp-Dialog .jp-mod-accept").click()
    ui.page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
        ".some(p => p.textContent.includes('*'))",
        timeout=60_000,
    )
    ui.wait_all_ran(180)


@pytest.mark.parametrize("kind", ["lab", "notebook"])
def test_chat_cell_in_the_browser(jupyter_app, page, browser_log: list[str], kind: str) -> None:
    app = jupyter_app(kind)
    _notebook(app.root, _port())
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app.base)
    ui = NotebookUI(page, kind)
    ui.open(app.url(URLS[kind]))
    log_start = len(browser_log)
    ui.run_all(timeout=180)
    box = page.locator(f"{CHAT} textarea.nemo-input").first
    box.wait_for(timeout=30_000)

    # -- a Markdown table, by our renderer --------------------------------------------------------
    table = page.locator(".nemo-chat .nemo-msg-body table").first
    table.wait_for(timeout=30_000)
    assert table.locator("th").all_inner_texts() == ["Track", "Clips"]
    assert (
        table.locator("tbody tr").count() == 2 and table.locator("td strong").inner_text() == "BGM"
    )

    # -- suggestions the offline agent understands ----------------------------------------------
    assert page.locator(f"{CHAT} .nemo-suggestion").count() >= 3

    # -- Enter with keyCode 229 (an IME candidate pick) sends nothing -----------------------------
    box.click()
    box.fill("ni hao")
    cdp = page.context.new_cdp_session(page)
    for kind_ in ("rawKeyDown", "keyUp"):
        cdp.send(
            "Input.dispatchKeyEvent",
            {"type": kind_, "key": "Enter", "code": "Enter", "windowsVirtualKeyCode": 229},
        )
    page.wait_for_timeout(1500)
    assert page.locator(f"{CHAT} .nemo-user").count() == 0
    assert box.input_value().startswith("ni hao")

    # -- a streaming reply: scrolling up stays put ------------------------------------------------
    # a small list, so that the reply overflows it early in its ~11 s
    small = "e => e.style.cssText += 'max-height:60px;width:260px'"
    page.locator(f"{CHAT} .nemo-chat-list").first.evaluate(small)
    box.fill(ASK)
    box.press("Enter")
    live = page.locator(f"{CHAT} .nemo-live:not([hidden]) .nemo-msg-body").first
    page.wait_for_function(
        "s => { const l = document.querySelector(s);"
        " return l && l.scrollHeight > l.clientHeight + 30; }",
        arg=f"{CHAT} .nemo-chat-list",
        timeout=60_000,
    )
    lst = page.locator(f"{CHAT} .nemo-chat-list").first
    lst.hover()
    page.mouse.wheel(0, -5000)
    page.wait_for_timeout(300)
    top = lst.evaluate("e => e.scrollTop")
    grew_from = lst.evaluate("e => e.scrollHeight")
    page.wait_for_function(
        f"() => document.querySelector({CHAT + ' .nemo-chat-list'!r}).scrollHeight"
        f" > {grew_from} + 20",
        timeout=30_000,
    )
    assert live.is_visible(), "the reply ended before the scroll could be checked"
    assert lst.evaluate("e => e.scrollTop") == top == 0
    page.locator(ANSWERS).first.wait_for(timeout=60_000)  # the reply ends, the view stayed put
    assert lst.evaluate("e => e.scrollTop") == 0
    reply = page.locator(f"{ANSWERS} .nemo-msg-body").first.inner_text()
    assert reply.startswith("I can:"), reply

    # -- copy the reply's Markdown source ----------------------------------------------------------
    copy = page.locator(f"{ANSWERS} .nemo-copy").first
    copy.click(force=True)
    page.wait_for_function(
        f"() => document.querySelector({ANSWERS + ' .nemo-copy'!r}).dataset.label === 'Copied'"
    )
    copied = page.evaluate("() => navigator.clipboard.readText()")
    assert copied.split() == reply.split() and "\n\n" in copied  # the source, not the HTML

    # -- Stop: stops waiting, never re-sends, reads the state --------------------------------------
    lst.evaluate("e => e.scrollTop = e.scrollHeight")
    box.fill(ASK)
    box.press("Enter")
    page.locator(f"{CHAT} .nemo-live:not([hidden])").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    page.locator(f"{CHAT} .nemo-stop").first.click()
    stopped = page.locator(f"{CHAT} .nemo-msg.nemo-stopped").first
    stopped.wait_for(timeout=60_000)
    assert "Stopped waiting" in stopped.inner_text() and "not sent again" in stopped.inner_text()
    page.wait_for_function(
        f"() => !document.querySelector({CHAT + ' .nemo-btn.nemo-primary'!r}).disabled"
    )
    assert page.locator(f"{CHAT} .nemo-user").count() == 2
    ui.screenshot(str(ARTIFACTS / f"{kind}-chat-ux.png"), CHAT)

    # -- the history after a kernel restart -------------------------------------------------------
    _restart_and_run_all(ui)
    page.locator(f"{CHAT} .nemo-user").nth(1).wait_for(timeout=60_000)
    users = page.locator(f"{CHAT} .nemo-user").all_inner_texts()
    assert users == [ASK, ASK], users
    assert page.locator(f"{CHAT} .nemo-msg.nemo-stopped").count() == 1
    assert page.locator(f"{ANSWERS} .nemo-msg-body").first.inner_text() == reply
    uncaught = [m for m in browser_log[log_start:] if m.startswith("pageerror")]
    assert not uncaught, json.dumps(uncaught)[:2000]
