"""The router: the contract's table in English and Chinese, and the mentions that must not route."""

from __future__ import annotations

import pytest

from nemo_widgets.session._routing import Route, route

CASES = [
    # export
    ("export", "export", ()),
    ("Export the video please", "export", ()),
    ("Please export the video", "export", ()),
    ("download it", "export", ()),
    ("send me the video", "export", ()),
    ("导出", "export", ()),
    ("帮我导出视频", "export", ()),
    ("export it, then add music", "export", ()),
    # credits
    ("credits", "credits", ()),
    ("how many credits do I have?", "credits", ()),
    ("what is my balance", "credits", ()),
    ("积分还有多少", "credits", ()),
    ("余额", "credits", ()),
    # status
    ("status", "status", ()),
    ("what's the status", "status", ()),
    ("show tracks", "status", ()),
    ("show me the tracks", "status", ()),
    ("查看状态", "status", ()),
    # upload
    ("upload", "upload", ()),
    ("上传 a.mp4", "upload", ("a.mp4",)),
    ("upload ~/shots/*.jpg", "upload", ("~/shots/*.jpg",)),
    ('upload "my clip.mp4" and b.png', "upload", ("my clip.mp4", "b.png")),
    ("上传「素材 1.jpg」", "upload", ("素材 1.jpg",)),
    ("here: ~/shots/a.jpg", "upload", ("~/shots/a.jpg",)),
    ("/home/me/clip.mov", "upload", ("/home/me/clip.mov",)),
    ("https://example.com/v/clip.mp4", "upload", ("https://example.com/v/clip.mp4",)),
    ("C:\\Users\\me\\a.mp4", "upload", ("C:\\Users\\me\\a.mp4",)),
    # chat, including edits that merely mention a keyword
    ("做一个带中文字幕的产品宣传短片", "chat", ()),
    ("add background music", "chat", ()),
    ("add a download-style title", "chat", ()),
    ("add the title 'Export day'", "chat", ()),
    ('make the title say "check your balance"', "chat", ()),
    ("加一个导出按钮", "chat", ()),
    ("make the status bar red", "chat", ()),
    ("add music from ~/m/a.mp3", "chat", ()),
    ("make clip.mp4 brighter", "chat", ()),
    ("rendering issues again", "chat", ()),
    ("the exporter's logo", "chat", ()),
    ("balanced colours", "chat", ()),
    ("", "chat", ()),
]


@pytest.mark.parametrize(("text", "action", "paths"), CASES, ids=[c[0] or "empty" for c in CASES])
def test_route(text: str, action: str, paths: tuple[str, ...]) -> None:
    assert route(text) == Route(action, paths)
