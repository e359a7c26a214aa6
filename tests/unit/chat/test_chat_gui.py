"""GUI translation as a rule: instructions to operate a GUI become actions, content is kept
(English and Chinese, with content that merely mentions a GUI element)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets.session._gui import Translation, translate

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
    # -- the rule, beyond any word list: open-ended GUI instructions --------------------------
    (
        "vendor-worked-example",
        "Your video is ready! Preview in Timeline panel or click Export to save it.",
        "Your video is ready!",
        ("status", "export"),
    ),
    (
        "a-panel-and-what-to-do-in-it",
        "Glow added. Open the Effects panel and choose Glow Max for more.",
        "Glow added.",
        ("status", "chat"),
    ),
    (
        "settings-dialog",
        "The video is 720p. You can change it in the Settings dialog.",
        "The video is 720p.",
        ("chat",),
    ),
    (
        "sidebar",
        "Stickers are ready. Use the left sidebar to add more.",
        "Stickers are ready.",
        ("chat",),
    ),
    ("adjust-in-editor", "Fine-tune the cut in the editor.", "", ("chat",)),
    (
        "a-place-in-the-gui",
        "In the Timeline panel, the title now starts at 2 s.",
        "the title now starts at 2 s.",
        ("status",),
    ),
    (
        "tab-and-toolbar",
        "Select the Audio tab, then hit the mute icon on the toolbar.",
        "",
        ("chat",),
    ),
    (
        "dashboard",
        "Your render used no credits. Check your dashboard for the balance.",
        "Your render used no credits.",
        ("credits",),
    ),
    (
        "attachment-button",
        "Tap the attachment button to add your photos.",
        "",
        ("upload",),
    ),
    ("player", "Watch it in the player: press Play.", "", ("status",)),
    (
        "button-named-in-passing",
        "All set. The Export button is at the top right.",
        "All set.",
        ("export",),
    ),
    (
        "a-list-the-instruction-opens",
        "Which track? Open the timeline to see them: Video, BGM, Title.",
        "Which track?",
        ("status",),
    ),
    (
        "a-list-before-an-instruction-stays",
        "Done: title, BGM, subtitles, then click Export.",
        "Done: title, BGM, subtitles.",
        ("export",),
    ),
    ("select-then-press", "Select the clip and press Delete.", "", ("chat",)),
    ("a-lead-word-alone", "Next, open the Text tab to restyle it.", "", ("status",)),
    ("quoted-control-name", 'Click "Export" when ready.', "", ("export",)),
    (
        "check-it-out-in-the-player",
        "Your video is ready! Check it out in the player.",
        "Your video is ready!",
        ("status",),
    ),
    ("zh-in-the-editor-you-can", "在编辑器里可以继续微调。", "", ("chat",)),
    ("zh-quoted-control-name", "点击右上角的「导出」按钮即可下载。", "", ("export",)),
    (
        "zh-worked-example",
        "视频已生成！在时间轴面板预览，或点击导出保存。",
        "视频已生成！",
        ("status", "export"),
    ),
    ("zh-panel", "标题已添加，打开右侧的文字面板可以调整字体。", "标题已添加。", ("status",)),
    ("zh-settings", "您可以在设置中选择1080p。", "", ("chat",)),
    ("zh-sidebar", "贴纸已加好。去侧边栏选择更多贴纸。", "贴纸已加好。", ("chat",)),
    ("zh-account", "积分不足，请到账户页面充值。", "积分不足。", ("credits",)),
    ("zh-menu", "右键菜单里选择删除即可。", "", ("chat",)),
    ("zh-drag", "拖动片段到3秒处。", "", ("chat",)),
    ("zh-after-happy", "满意后点击导出按钮。", "", ("export",)),
    ("zh-preview", "预览一下效果吧。", "", ("status",)),
    # -- content that merely mentions the GUI stays -------------------------------------------
    (
        "red-button",
        "Here is a video about a red button.",
        "Here is a video about a red button.",
        (),
    ),
    (
        "a-hand-clicking",
        "The intro shows a hand clicking the button.",
        "The intro shows a hand clicking the button.",
        (),
    ),
    (
        "how-to-open-a-menu",
        "I made a tutorial on how to open the settings menu.",
        "I made a tutorial on how to open the settings menu.",
        (),
    ),
    (
        "football-player",
        "A football player scores in the last shot.",
        "A football player scores in the last shot.",
        (),
    ),
    (
        "select-a-style",
        "Select a style: cinematic or vintage?",
        "Select a style: cinematic or vintage?",
        (),
    ),
    (
        "restaurant-menu",
        "The menu of the restaurant appears at 3 s.",
        "The menu of the restaurant appears at 3 s.",
        (),
    ),
    (
        "panel-discussion",
        "Open the video with a slow zoom on the panel discussion.",
        "Open the video with a slow zoom on the panel discussion.",
        (),
    ),
    ("preview-as-a-label", "Preview: a city at night.", "Preview: a city at night.", ()),
    (
        "tap-into",
        "Tap into your creativity with bold colors.",
        "Tap into your creativity with bold colors.",
        (),
    ),
    (
        "export-as-a-suggestion",
        "You can now export the video.",
        "You can now export the video.",
        (),
    ),
    (
        "choose-a-content-option",
        "Choose between the two music options: Lo-fi or Jazz.",
        "Choose between the two music options: Lo-fi or Jazz.",
        (),
    ),
    ("zh-export-as-a-suggestion", "满意的话就导出吧。", "满意的话就导出吧。", ()),
    ("zh-timeline-as-content", "在时间轴上标题从第2秒开始。", "在时间轴上标题从第2秒开始。", ()),
    ("zh-control-panel-video", "做一个介绍控制面板的视频", "做一个介绍控制面板的视频", ()),
    ("zh-red-button", "视频里有一个红色按钮。", "视频里有一个红色按钮。", ()),
    ("zh-i-chose", "我选择了温暖的色调。", "我选择了温暖的色调。", ()),
    ("zh-choose-a-style", "选择一个你喜欢的风格吧？", "选择一个你喜欢的风格吧？", ()),
    ("zh-menu-prices", "菜单上的价格在第3秒出现。", "菜单上的价格在第3秒出现。", ()),
    ("zh-click-rate", "点击率很高的开场已加好。", "点击率很高的开场已加好。", ()),
    (
        "zh-quoted-instruction-is-a-title",
        "标题改成了“点击关注”。",
        "标题改成了“点击关注”。",
        (),
    ),
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


# Sentences the table keeps as they are (the noise rule aside: it depends on what came before).
CONTENT = [c[1] for c in CASES if c[2] == c[1] and not c[3] and "issue" not in c[1]]
INSTRUCTIONS = [c[1] for c in CASES if not c[2] and c[3]]


@settings(max_examples=150, deadline=None)
@given(
    pieces=st.lists(
        st.one_of(st.sampled_from(CONTENT), st.sampled_from(INSTRUCTIONS), st.text(max_size=30)),
        max_size=6,
    ),
    sep=st.sampled_from([" ", "\n", "\n\n- "]),
)
def test_translation_is_idempotent_and_never_raises(pieces: list[str], sep: str) -> None:
    once = translate(sep.join(pieces))
    assert translate(once.text).text == once.text
    assert set(once.actions) <= {"export", "upload", "credits", "status", "chat"}


@settings(max_examples=100, deadline=None)
@given(pieces=st.lists(st.sampled_from(CONTENT), min_size=1, max_size=5))
def test_content_sentences_stay_word_for_word(pieces: list[str]) -> None:
    text = "\n".join(pieces)
    assert translate(text) == Translation(text)
