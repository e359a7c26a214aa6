"""The editable timeline in a real browser (JupyterLab, Notebook 7): edit a subtitle cell with the
mouse, move a bar, trim an edge, edit from the keyboard alone, see an invalid edit refused in
place, and keep the local edits over a chat turn; the export renders the edited text.

Selectors (from js/timeline.ts): `.nemo-timeline .nemo-table tr[data-row]` (rows, focusable),
`td[data-col=<column>]` (cells; `data-edit` when editable), `input.nemo-cell-input` (the cell
editor; `.nemo-invalid` when refused), `.nemo-edit-status` (the reason), `.nemo-lane`,
`.nemo-bar`, `.nemo-handle-l` / `.nemo-handle-r` (its trim edges).
"""

from __future__ import annotations

import json
import re

import pytest
from notebook_ui import ARTIFACTS, NotebookUI

pytestmark = [pytest.mark.browser, pytest.mark.timeout(420)]

SETUP = """\
import json
import nemo_widgets as nw
from nemo_widgets.local import make_sample_media
from nemo_widgets.widgets import TimelineTable

session = nw.connect(backend="local", resume=False)
session.upload(*make_sample_media("media"))
session.chat("make a video with subtitles")
TimelineTable(session)
"""
URLS = {"lab": "lab/tree/edit.ipynb", "notebook": "notebooks/edit.ipynb"}
T = ".nemo-timeline"
MINE = "浏览器字幕"


def _notebook(source: str) -> str:
    cell = {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None}
    nb = {
        "cells": [{**cell, "source": source}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(nb)


def _row(page, kind: str, nth: int = 0):
    return page.locator(f'{T} tbody tr:has(td[data-col="kind"]:text-is("{kind}"))').nth(nth)


def _cell(page, kind: str, col: str, nth: int = 0):
    return _row(page, kind, nth).locator(f'td[data-col="{col}"]')


def _drag(page, locator, dx: float) -> None:
    box = locator.bounding_box()
    assert box, "nothing to drag"
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + dx / 2, y, steps=4)
    page.mouse.move(x + dx, y, steps=4)
    page.mouse.up()


def _wait_text(locator, pattern: str, timeout: float = 30_000) -> None:
    from playwright.sync_api import expect

    expect(locator).to_have_text(re.compile(pattern), timeout=timeout)


@pytest.mark.parametrize("kind", ["lab", "notebook"])
def test_edit_the_timeline_in_the_browser(jupyter_app, page, browser_log, kind: str) -> None:
    app = jupyter_app(kind)
    (app.root / "edit.ipynb").write_text(_notebook(SETUP))
    ui = NotebookUI(page, kind)
    ui.open(app.url(URLS[kind]))
    log_start = len(browser_log)  # Notebook 7 itself throws one "reading 'schema'" at start-up
    ui.run_all(timeout=180)
    page.locator(f"{T} tbody tr").first.wait_for(timeout=30_000)

    # -- double-click a subtitle cell, type, Enter ------------------------------------------------
    _cell(page, "subtitle", "text", 1).dblclick()
    editor = page.locator(f"{T} input.nemo-cell-input")
    editor.fill(MINE)
    editor.press("Enter")
    _wait_text(_cell(page, "subtitle", "text", 1), f"^{MINE}$")

    # -- an invalid edit is refused in place, with the reason; Escape cancels ----------------------
    _cell(page, "subtitle", "start", 1).dblclick()
    editor.fill("-1000")
    editor.press("Enter")
    _wait_text(page.locator(f"{T} .nemo-edit-status"), "before 0")
    assert "nemo-invalid" in (editor.get_attribute("class") or "")
    editor.press("Escape")
    assert editor.count() == 0

    # -- keyboard only: the focus is back on the row; Tab to the next row, Enter edits its start,
    # Tab twice walks to its duration
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    assert editor.get_attribute("aria-label") == "duration"
    page.keyboard.type("1500")
    page.keyboard.press("Enter")
    _wait_text(_cell(page, "subtitle", "duration", 2), "^1500$")

    # -- drag the title's bar to the right; trim the music's right edge ---------------------------
    title_bar = page.locator(f'{T} .nemo-lane:has(.nemo-lane-name:text-matches("Title")) .nemo-bar')
    _drag(page, title_bar, 60)
    _wait_text(_cell(page, "title", "start"), "^[1-9][0-9]*$")
    bgm = _cell(page, "audio", "duration")
    before = int(bgm.inner_text())
    handle = page.locator(f"{T} .nemo-lane:has(.nemo-type-audio) .nemo-handle-r")
    _drag(page, handle, -80)
    _wait_text(bgm, f"^(?!{before}$)[1-9][0-9]*$")
    assert int(bgm.inner_text()) < before
    ui.screenshot(str(ARTIFACTS / f"{kind}-timeline-edited.png"), T)

    # -- a chat turn after the local edits keeps them; the export renders the edited text ---------
    out = ui.add_cell_and_run(
        'session.chat("change the title to Night City")\n'
        "job = session.export(quality='low', progress=False)\n"
        "sent = session.server.app.state.nemo.store.renders[job.id]['draft']\n"
        "print(job.status, sorted(set(session.timeline().text.dropna())),"
        f" {MINE!r} in json.dumps(sent, ensure_ascii=False), session.edits.not_applied)",
        timeout=180,
    )
    assert out.startswith("completed") and MINE in out and "Night City" in out, out
    assert out.rstrip().endswith("True []"), out
    _wait_text(_cell(page, "title", "text"), "^Night City$")
    _wait_text(_cell(page, "subtitle", "text", 1), f"^{MINE}$")
    assert not [m for m in browser_log[log_start:] if m.startswith("pageerror")], browser_log
