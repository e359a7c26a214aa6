"""Driving a notebook in JupyterLab 4 and Notebook 7 (same Lumino DOM): open, run all, wait until
every code cell has run, add and run a cell, read outputs. Every wait is bounded and fails with a
message that says what was awaited."""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

ROOT = Path(__file__).resolve().parents[2]
# screenshots and console logs: outside the checkout (NEMO_BROWSER_ARTIFACTS names another folder)
ARTIFACTS = Path(
    os.environ.get("NEMO_BROWSER_ARTIFACTS")
    or Path(tempfile.gettempdir()) / "nemo_widgets-browser-artifacts"
)

# A code cell's prompt: "[ ]:" never run, "[*]:" running or queued, "[12]:" done.
_ALL_RAN_JS = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
  if (!prompts.length) return null;
  const texts = prompts.map(p => p.textContent.trim());
  return texts.every(t => /^\\[\\d+\\]:?$/.test(t)) ? texts.length : null;
}"""

_PROMPTS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
  .map(p => p.textContent.trim())"""

_ERRORS_JS = """() => [...document.querySelectorAll('.jp-Notebook .jp-OutputArea-output')]
  .filter(o => o.getAttribute('data-mime-type') === 'application/vnd.jupyter.stderr'
               && /Traceback|Error:/.test(o.textContent) && !/\\d+%\\|/.test(o.textContent)
               || o.querySelector('[data-mime-type="application/vnd.jupyter.error"]'))
  .map(o => o.textContent.slice(-800))"""


class NotebookUI:
    """One notebook open in a page of `kind` "lab" or "notebook"."""

    def __init__(self, page: Page, kind: str) -> None:
        self.page = page
        self.kind = kind

    def open(self, url: str, timeout: float = 60) -> None:
        self.page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout * 1000)
        # the kernel must be idle before "Run All" (otherwise the first cells may be skipped)
        self.wait_kernel_idle(timeout)

    def wait_kernel_idle(self, timeout: float = 60) -> None:
        """A kernel is attached (not "No Kernel") and idle."""
        self.page.wait_for_function(
            """() => {
              const name = document.querySelector('.jp-KernelName');
              const ind = document.querySelector('.jp-Notebook-ExecutionIndicator');
              return name && /python/i.test(name.textContent)
                && ind && ind.getAttribute('data-status') === 'idle';
            }""",
            timeout=timeout * 1000,
        )

    def menu(self, top: str, item: str) -> None:
        self.page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(f"^{top}$")).first.click()
        self.page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()

    def run_all(self, timeout: float = 180) -> int:
        """Run All Cells and wait until every code cell has an execution count; returns how many."""
        started = (
            "() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]"
            ".some(p => p.textContent.includes('*') || /\\d/.test(p.textContent))"
        )
        # the first cells must start before "all ran" can be trusted; Run All queues every cell
        # at once ("[*]"), so none started means the menu click was lost: click it once more
        self.menu("Run", "Run All Cells")
        try:
            self.page.wait_for_function(started, timeout=20_000)
        except PlaywrightError:
            self.menu("Run", "Run All Cells")
            self.page.wait_for_function(started, timeout=60_000)
        return self.wait_all_ran(timeout)

    def wait_all_ran(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            count = self.page.evaluate(_ALL_RAN_JS)
            errors = self.page.evaluate(_ERRORS_JS)
            if errors:
                raise AssertionError("a cell failed:\n" + "\n---\n".join(errors))
            if count:
                return int(count)
            self.page.wait_for_timeout(500)
        prompts = self.page.evaluate(_PROMPTS_JS)
        raise AssertionError(f"cells still not run after {timeout:.0f} s: prompts {prompts}")

    def add_cell_and_run(self, source: str, timeout: float = 60) -> str:
        """Append a code cell with `source`, run it, return its text output."""
        cells = self.page.locator(".jp-Notebook .jp-Cell")
        before = cells.count()
        cells.nth(before - 1).locator(".jp-InputPrompt").click()
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("b")
        self.page.wait_for_function(
            f"() => document.querySelectorAll('.jp-Notebook .jp-Cell').length > {before}",
            timeout=10_000,
        )
        new = cells.nth(before)
        new.locator(".cm-content").click()
        self.page.keyboard.insert_text(source)
        self.page.keyboard.press("Shift+Enter")
        output = new.locator(".jp-OutputArea-output")
        output.first.wait_for(timeout=timeout * 1000)
        return output.first.inner_text()

    def screenshot(self, path: str, selector: str | None = None) -> None:
        """A screenshot of the page, or of one element scrolled into view."""
        try:
            if selector:
                target = self.page.locator(selector).first
                target.scroll_into_view_if_needed()
                target.screenshot(path=path)
            else:
                self.page.screenshot(path=path)
        except PlaywrightError:
            self.page.screenshot(path=path)


def tall_shot(page: Page, path: str, selector: str, height: int = 1800) -> None:
    """A screenshot of one tall element: the viewport grows so the element fits below the
    notebook's sticky header, then shrinks back."""
    size = page.viewport_size or {"width": 1400, "height": 1000}
    page.set_viewport_size({"width": size["width"], "height": height})
    try:
        target = page.locator(selector).first
        target.evaluate("e => e.scrollIntoView({block: 'center'})")
        page.wait_for_timeout(400)
        target.screenshot(path=path)
    finally:
        page.set_viewport_size(size)


def poll_growth(
    page: Page,
    selector: str,
    until_js: str,
    timeout: float,
    interval_ms: int = 25,
    snapshot_at: int = 0,
    snapshot: Callable[[], Any] | None = None,
) -> list[int]:
    """Lengths of `selector`'s text seen while it changes, until `until_js` is true; calls
    `snapshot()` once when the text first reaches `snapshot_at` characters."""
    lengths: list[int] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state: dict[str, Any] = page.evaluate(
            f"""() => {{
              const el = document.querySelector({selector!r});
              const text = el && !el.closest('[hidden]') ? el.textContent.trim() : '';
              return {{len: text.length, done: Boolean(({until_js})())}};
            }}"""
        )
        if state["len"] and (not lengths or lengths[-1] != state["len"]):
            lengths.append(state["len"])
            if snapshot is not None and state["len"] >= snapshot_at:
                snapshot()
                snapshot = None
        if state["done"]:
            return lengths
        page.wait_for_timeout(interval_ms)
    raise AssertionError(f"{selector} still streaming after {timeout:.0f} s; lengths {lengths}")
