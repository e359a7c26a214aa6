"""GUI translation: instructions stripped, content kept, the implied actions returned."""

from __future__ import annotations

import pytest

from nemo_widgets._gui import Translation, translate

CASES = [
    (
        "click-export",
        "I added the title 'Urban Dreams' (0-3s). Click Export to download your video.",
        "I added the title 'Urban Dreams' (0-3s).",
        ("export",),
    ),
    (
        "preview-clause",
        "I've added BGM, you can preview it in the timeline.",
        "I've added BGM.",
        ("status",),
    ),
    ("purpose-clause-goes-too", "To see the result, open the timeline.", "", ("status",)),
    ("zh-click-export", "已添加标题。点击导出即可下载视频。", "已添加标题。", ("export",)),
    ("zh-open-timeline", "字幕已加好，打开时间轴查看效果。", "字幕已加好。", ("status",)),
    ("zh-preview", "字幕已加好，你可以在时间轴预览。", "字幕已加好。", ("status",)),
    ("drag", "Drag the clip to 3s to move it.", "", ("chat",)),
    ("zh-drag", "把字幕拖拽到底部即可。", "", ("chat",)),
    (
        "account",
        "You are out of credits. Please check your account billing to top up.",
        "You are out of credits.",
        ("credits",),
    ),
    (
        "button-in-passing",
        "The speed is 1.5x now. When you are happy, use Export to save it.",
        "The speed is 1.5x now.",
        ("export",),
    ),
    (
        "bullets",
        "Here is the plan:\n- Add a title\n- Click the Upload button for photos\n- Set BGM to 35%",
        "Here is the plan:\n- Add a title\n- Set BGM to 35%",
        ("upload",),
    ),
    (
        "open-without-a-gui-place-is-content",
        'Open with a bang: the title now reads "Click here".',
        'Open with a bang: the title now reads "Click here".',
        (),
    ),
    (
        "go-to-a-time-is-content",
        "Go to 3s and the title appears.",
        "Go to 3s and the title appears.",
        (),
    ),
    (
        "trailing-temporary-issue-dropped",
        "Done! Your video is ready. I encountered a temporary issue, please try again.",
        "Done! Your video is ready.",
        (),
    ),
    (
        "temporary-issue-alone-kept",
        "I encountered a temporary issue.",
        "I encountered a temporary issue.",
        (),
    ),
    ("zh-temporary-issue", "标题已添加。我遇到了临时问题。", "标题已添加。", ()),
    (
        "plain-text-unchanged",
        "Added BGM: Lo-fi (0-10s, 35%).",
        "Added BGM: Lo-fi (0-10s, 35%).",
        (),
    ),
    ("decimals-are-not-sentence-ends", "Volume set to 0.35 now.", "Volume set to 0.35 now.", ()),
    (
        "actions-once-in-order",
        "Open the timeline to check. Then click Export. Click Export again later.",
        "",
        ("status", "export"),
    ),
]


@pytest.mark.parametrize(
    ("text", "kept", "actions"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_translate(text: str, kept: str, actions: tuple[str, ...]) -> None:
    assert translate(text) == Translation(kept, actions)


@pytest.mark.parametrize(
    "text",
    ["Plan:\n\n1.\n-----\n- keep me", "Title: 城市之梦\n\n\n\nBGM: Lo-fi  "],
    ids=["bare-markers-kept-when-nothing-was-stripped", "blank-lines-tidied"],
)
def test_text_without_instructions_is_only_tidied(text: str) -> None:
    expected = "\n".join(line.rstrip() for line in text.split("\n"))
    while "\n\n\n" in expected:
        expected = expected.replace("\n\n\n", "\n\n")
    assert translate(text) == Translation(expected.strip())
    # The same text with an instruction appended goes the long way and keeps the same lines.
    assert translate(text + "\nClick Export.") == Translation(expected.strip(), ("export",))
