"""quickstart.ipynb in a real browser, in JupyterLab and in Notebook 7: run all, upload a file
through the picker's file chooser, chat and watch the reply stream in, see the timeline, export and
play the video.

Selectors (from js/): `.nemo-upload .nemo-link` (the "choose files" link that opens the file
chooser of the picker's `input[type=file]`), `.nemo-upload .nemo-media figcaption`;
`.nemo-chat textarea.nemo-input` (Enter sends), `.nemo-chat .nemo-live .nemo-msg-body` (the reply
while it streams), `.nemo-chat-list > .nemo-msg.nemo-assistant` or `> .nemo-card` (finished
answers); `.nemo-timeline .nemo-table tbody tr`, `.nemo-timeline .nemo-lane`, `.nemo-bar`;
`.nemo-export` button "Export", `.nemo-export .nemo-jobs li` ("<job id> · <status> · …"),
`.nemo-export video`.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import time
from pathlib import Path

import pytest
from notebook_ui import ARTIFACTS, ROOT, NotebookUI, poll_growth, tall_shot

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

DOCS = ROOT / "docs"
# A free message (no credits: the one generation of the new anonymous token is spent by the
# notebook's own cells) whose long answer streams in many chunks.
CHAT = "你能做什么？"  # "what can you do?": the agent lists its skills, in Chinese

# the assistant's finished answers: chat messages, or cards for replies routed to an action
ANSWERS = ".nemo-chat-list > .nemo-msg.nemo-assistant:not(.nemo-live), .nemo-chat-list > .nemo-card"
STUDIO = ".jp-OutputArea-output:has(.nemo-upload)"  # the Studio's whole output
URLS = {"lab": "lab/tree/quickstart.ipynb", "notebook": "notebooks/quickstart.ipynb"}


def _extra_image(path: Path) -> Path:
    """A fifth picture to upload through the browser."""
    from PIL import Image, ImageDraw

    from nemo_widgets.local.render import cjk_font

    img = Image.new("RGB", (720, 960), "#ff9a8b")
    draw = ImageDraw.Draw(img)
    font = cjk_font().load(90)
    draw.text((80, 420), "新品上市 New!", font=font, fill="white")
    img.save(path)
    return path


@pytest.mark.parametrize("kind", ["lab", "notebook"])
def test_quickstart_studio(
    jupyter_app, page, browser_log: list[str], kind: str, tmp_path: Path
) -> None:
    t0 = time.monotonic()
    steps: list[str] = []

    def step(name: str) -> None:
        steps.append(f"{time.monotonic() - t0:6.1f}s {name}")

    app = jupyter_app(kind)
    ui = NotebookUI(page, kind)
    ui.open(app.url(URLS[kind]))
    step("opened")
    # errors from here on are ours (Notebook 7 itself throws one "reading 'schema'" at start-up)
    log_start = len(browser_log)
    ui.run_all(timeout=180)
    step("ran all cells")

    studio = page.locator(".nemo-upload").first
    studio.wait_for(state="visible", timeout=30_000)
    # the code cells' session is the Studio's: its media and timeline are already there
    page.locator(".nemo-timeline .nemo-table tbody tr").first.wait_for(timeout=30_000)
    ui.screenshot(str(ARTIFACTS / f"{kind}-1-after-run-all.png"))

    # -- upload through the file chooser --------------------------------------------------------
    extra = _extra_image(tmp_path / "new-arrival.png")
    with page.expect_file_chooser(timeout=10_000) as chooser:
        page.locator(".nemo-upload .nemo-link").first.click()
    chooser.value.set_files(str(extra))
    page.locator(".nemo-upload .nemo-media figcaption", has_text="new-arrival.png").wait_for(
        timeout=60_000
    )
    step("uploaded through the file chooser")

    # -- chat: the reply grows in visible steps --------------------------------------------------
    answers_before = page.locator(ANSWERS).count()
    box = page.locator(".nemo-chat textarea.nemo-input").first
    box.scroll_into_view_if_needed()
    box.fill(CHAT)
    box.press("Enter")
    lengths = poll_growth(
        page,
        ".nemo-chat .nemo-live .nemo-msg-body",
        until_js=f"() => document.querySelectorAll({ANSWERS!r}).length > {answers_before}",
        timeout=90,
        interval_ms=20,
        snapshot_at=120,
        snapshot=lambda: ui.screenshot(str(ARTIFACTS / f"{kind}-2-streaming.png"), ".nemo-chat"),
    )
    step(f"reply streamed in {len(lengths)} steps")
    growing = [b for a, b in itertools.pairwise(lengths) if b > a]
    assert len(growing) + 1 >= 3, f"the reply did not grow in 3 visible steps: {lengths}"
    final = page.locator(ANSWERS).last.inner_text()
    assert len(final) >= max(lengths) * 0.8, (final, lengths)
    assert "我可以" in final, final

    # -- the timeline: table rows and lanes with bars -------------------------------------------
    timeline = page.locator(".nemo-timeline").first
    timeline.scroll_into_view_if_needed()
    rows = page.locator(".nemo-timeline .nemo-table tbody tr").count()
    lanes = page.locator(".nemo-timeline .nemo-lane").count()
    bars = page.locator(".nemo-timeline .nemo-bar").count()
    assert rows >= 7 and lanes >= 4 and bars >= 7, (rows, lanes, bars)
    assert "唤醒每个早晨" in timeline.inner_text(), "the Chinese subtitles are not in the timeline"
    ui.screenshot(str(ARTIFACTS / f"{kind}-3-timeline.png"), ".nemo-timeline")

    # -- export from the panel and play the video ------------------------------------------------
    jobs_before = page.locator(".nemo-export .nemo-jobs li").count()
    panel = page.locator(".nemo-export").first
    panel.scroll_into_view_if_needed()
    panel.get_by_role("button", name=re.compile("^Export$")).click()
    page.wait_for_function(
        f"""() => {{
          const items = [...document.querySelectorAll('.nemo-export .nemo-jobs li')];
          const last = items[items.length - 1];
          return items.length > {jobs_before} && /completed/.test(last.textContent);
        }}""",
        timeout=150_000,
    )
    step("export completed")
    job_id = page.locator(".nemo-export .nemo-jobs li").last.inner_text().split(" · ")[0].strip()
    assert job_id.startswith("render_"), job_id
    # the player of THIS job (the panel replaces the player of the earlier export)
    page.wait_for_function(
        f"""() => {{
          const v = document.querySelector('.nemo-export video');
          const ours = v && (v.currentSrc.includes({job_id!r}) || v.currentSrc.startsWith('blob:'));
          return ours && (v.readyState >= 2 || v.error);
        }}""",
        timeout=60_000,
    )
    video = page.evaluate(
        """() => {
          const v = document.querySelector('.nemo-export video');
          return {ready: v.readyState, duration: v.duration, error: v.error && v.error.code,
                  src: v.currentSrc};
        }"""
    )
    assert video["error"] is None and video["ready"] >= 2, video
    draft_ms = ui.add_cell_and_run("print(session.state().draft['d'])")
    assert abs(video["duration"] - int(draft_ms.strip()) / 1000) <= 0.2, (video, draft_ms)
    page.evaluate("() => document.querySelector('.nemo-export video').play()")
    page.wait_for_function(
        "() => document.querySelector('.nemo-export video').currentTime > 0.5", timeout=20_000
    )
    step("video plays")
    ui.screenshot(str(ARTIFACTS / f"{kind}-4-video.png"), ".nemo-export")
    ui.screenshot(str(ARTIFACTS / f"{kind}-5-page.png"))
    tall_shot(page, str(ARTIFACTS / f"{kind}-6-studio.png"), STUDIO)
    uncaught = [m for m in browser_log[log_start:] if m.startswith("pageerror")]
    assert not uncaught, f"uncaught errors in the page: {uncaught}"
    if kind == "lab" and os.environ.get("NEMO_UPDATE_DOCS") == "1":
        _keep_for_docs()
    print("\n".join(steps))


def _keep_for_docs() -> None:
    """NEMO_UPDATE_DOCS=1: the README's screenshot is refreshed from a passing JupyterLab run."""
    shutil.copyfile(ARTIFACTS / "lab-6-studio.png", DOCS / "studio.png")
