"""A `connect(backend="local", language="zh")` Studio in Chromium, in JupyterLab and Notebook 7:
its visible UI text (labels, buttons, placeholders, tooltips, the header, a routed card) holds no
English UI string. User content (messages, replies, file names, the DataFrame's cells and column
names) is taken out first; what is left is checked against every English string the widgets send.
"""

from __future__ import annotations

import json
import re

import pytest
from notebook_ui import ARTIFACTS, NotebookUI

from nemo_widgets._text import TEXT, WIDGET_AREAS, labels_for

pytestmark = [pytest.mark.browser, pytest.mark.timeout(300)]

URLS = {"lab": "lab/tree/lang_zh.ipynb", "notebook": "notebooks/lang_zh.ipynb"}
SETUP = """\
import nemo_widgets as nw
from PIL import Image
Image.new("RGB", (640, 360), "#3a7").save("pic.png")
s = nw.connect(backend="local", language="zh")
s.upload("pic.png")
s.state()
nw.Studio(s)"""

# The UI text of the Studio's output: visible text, and the attributes a user reads (placeholder,
# title, aria-label), without what the user typed or the backend wrote.
_UI_TEXT_JS = """() => {
  const out = document.querySelector('.jp-OutputArea-output:has(.nemo-upload)');
  if (!out) return null;
  const copy = out.cloneNode(true);
  const content = ['.nemo-msg-body', '.nemo-card-body', '.nemo-offer', '.nemo-media', '.nemo-name',
    '.nemo-table', '.nemo-bar', '.nemo-summary', '.nemo-lane-name', 'code', '.nemo-jobs',
    '.nemo-muted'];
  const attrs = [];
  for (const el of out.querySelectorAll('[placeholder],[title],[aria-label]')) {
    if (el.closest(content.join(','))) continue;
    if (!el.checkVisibility()) continue;  // e.g. ipywidgets' empty description label
    for (const a of ['placeholder', 'title', 'aria-label']) {
      if (el.getAttribute(a)) attrs.push(el.getAttribute(a));
    }
  }
  for (const el of copy.querySelectorAll(content.join(','))) el.remove();
  document.body.append(copy);  // innerText needs layout
  const text = copy.innerText;
  copy.remove();
  const drop = '.nemo-upload .nemo-drop .nemo-muted';  // the accepted types and the size limit
  return {text, attrs, muted: [...out.querySelectorAll(drop)].map(e => e.innerText)};
}"""


SHORTCUT = re.compile(r"((Ctrl|Shift|Alt)\+)*(Delete|[A-Z]|[↑↓←→])")


def _english_fragments() -> set[str]:
    """The literal parts (at least one word of 3+ letters) of every English widget string."""
    english = labels_for("en", *WIDGET_AREAS)
    parts: set[str] = set()
    for value in english.values():
        for piece in re.split(r"\{\w+\}", value):
            piece = piece.strip(" ·:()…→↗.,%/#")
            if re.search(r"[A-Za-z]{3,}", piece):
                parts.add(piece)
    return parts


def _notebook(root) -> None:  # type: ignore[no-untyped-def]
    cells = [
        {
            "cell_type": "code",
            "metadata": {},
            "source": SETUP,
            "outputs": [],
            "execution_count": None,
        }
    ]
    nb = {
        "cells": cells,
        "metadata": {
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / "lang_zh.ipynb").write_text(json.dumps(nb), encoding="utf-8")


@pytest.mark.parametrize("kind", ["lab", "notebook"])
def test_chinese_studio_has_no_english_ui_string(jupyter_app, page, kind: str) -> None:  # type: ignore[no-untyped-def]
    app = jupyter_app(kind)
    _notebook(app.root)
    ui = NotebookUI(page, kind)
    ui.open(app.url(URLS[kind]))
    ui.run_all(timeout=180)
    page.locator(".nemo-upload .nemo-drop").first.wait_for(state="visible", timeout=60_000)
    page.locator(".nemo-upload .nemo-media figure").first.wait_for(timeout=60_000)

    # one routed message, so a card title (and its reply) is on screen too
    box = page.locator(".nemo-chat textarea.nemo-input").first
    box.click()
    box.fill("积分")
    box.press("Enter")
    page.locator(".nemo-chat-list > .nemo-card").first.wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('.nemo-chat .nemo-live:not([hidden])')")
    ui.screenshot(str(ARTIFACTS / f"{kind}-lang-zh.png"), ".jp-OutputArea-output:has(.nemo-upload)")

    shown = page.evaluate(_UI_TEXT_JS)
    assert shown is not None
    # a keyboard shortcut in a tooltip ("Ctrl+Z", "Delete") names a key, not a UI string
    attrs = [a for a in shown["attrs"] if not SHORTCUT.fullmatch(a)]
    seen = "\n".join([shown["text"], *attrs, *shown["muted"]])
    # the test can fail: the Chinese labels are there ...
    zh = labels_for("zh", *WIDGET_AREAS)
    for key in (
        "upload.drop",
        "upload.add_path",
        "chat.send",
        "export.export",
        "chat.route.credits",
    ):
        assert zh[key] in seen, (key, seen)
    assert "NemoVideo 工作台" in seen
    assert TEXT["chat.placeholder"][1] in shown["attrs"]
    # ... and no English one is
    found = sorted(p for p in _english_fragments() if p in seen)
    assert found == [], f"English UI strings in the zh Studio: {found}\n---\n{seen}"
    # nor any other English word, besides names, units and the accepted file types
    allowed = {
        "NemoVideo",
        "Enter",
        "https",
        "MB",
        "KB",
        *labels_for("en", "upload")["upload.limits"].split(),
    }
    allowed |= {
        "mp4",
        "mov",
        "avi",
        "webm",
        "mkv",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "mp3",
        "wav",
        "m4a",
        "aac",
    }
    words = set(re.findall(r"[A-Za-z]{3,}", seen)) - allowed
    assert words == set(), f"English words in the zh Studio: {sorted(words)}\n---\n{seen}"
