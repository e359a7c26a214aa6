"""Route a message before anything goes to the backend: export, credits, status, upload (or a path
or media URL given), else chat; a keyword counts as a command, never as a mere mention."""

from __future__ import annotations

import dataclasses
import re

from ..formats import EXTENSIONS

# Quoted spans in ASCII and CJK quotes; an apostrophe inside a word ("what's") is not a quote.
QUOTED = re.compile(
    r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|「[^」]*」|『[^』]*』|《[^》]*》|(?<!\w)'[^']*'(?!\w)"
)
_EXT = "|".join(EXTENSIONS)  # a path with one of these endings is an upload request
# A path: has a directory part, a home or drive prefix, or is a URL; ends in a media extension
# (globs allowed: "shots/*.jpg").
_PATH = re.compile(
    rf"""(?:https?://\S+?|~?[\w.*?\-\\/:]*[\\/])[\w.*?\-%]*\.(?:{_EXT})(?![\w-])""",
    re.IGNORECASE,
)
# A bare file name ("clip.mp4") counts only with an upload keyword; otherwise it names an upload
# the user wants edited.
_FILE = re.compile(rf"[\w.*?\-\\/:~%]+\.(?:{_EXT})(?![\w-])", re.IGNORECASE)


def _words(phrases: str) -> str:
    """English phrases (`|`-separated) as whole words; a hyphen or an apostrophe continues one."""
    body = phrases.replace(" ", r"\s+")
    return rf"(?<![\w\-'’])(?:{body})(?![\w\-'’])"


# (action, English command phrases | Chinese keywords), checked in this order.
_TABLE = tuple(
    (action, re.compile(f"{_words(en)}|{zh}", re.IGNORECASE))
    for action, en, zh in (
        (
            "export",
            "exports?|exporting|download|render|send me the (?:video|file|mp4|result)"
            "|send (?:it|the video) to me",
            "导出|下载视频|下载成片|把视频发给我|发给我视频",
        ),
        ("credits", "credits?|balance|how much credit", "积分|余额"),
        (
            "status",
            "status|show (?:me )?(?:the |all |my )?tracks|list (?:the |all |my )?tracks"
            "|what tracks|which tracks",
            "状态|显示轨道|查看轨道|有哪些轨道",
        ),
        ("upload", "upload|uploads|uploading", "上传"),
    )
)
_EDIT_VERBS = re.compile(
    _words("add|make|create|generate|put|insert|change|set|replace|remove|delete|edit|move|write")
    + "|添加|加上|加一|加个|增加|做一|制作|生成|修改|改成|改为|换成|删除|删掉|设计|写",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True)
class Route:
    """Where a message goes: `action` is chat/export/credits/status/upload; `paths` for uploads."""

    action: str
    paths: tuple[str, ...] = ()


def blank_quotes(text: str) -> str:
    """Quoted text blanked (it is content, never a command), the length kept for positions."""
    return QUOTED.sub(lambda m: " " * len(m.group(0)), text)


def route(text: str) -> Route:
    """The action for one message (pure)."""
    # Mentions go to the chat: quoted text is content ("add the title 'Export day'"), a hyphen joins
    # words ("a download-style title"), an edit verb first makes an edit ("add a status badge").
    plain = blank_quotes(text)
    paths = tuple(_PATH.findall(plain))
    first_edit = _EDIT_VERBS.search(plain)
    edit_at = first_edit.start() if first_edit else len(plain) + 1
    hits = [(m.start(), a) for a, p in _TABLE if (m := p.search(plain)) and m.start() < edit_at]
    if hits:
        action = min(hits, key=lambda hit: hit[0])[1]  # the first command; a tie: the table's order
        if action == "upload":
            # With the keyword, bare and quoted file names count too ('upload "my clip.mp4"').
            quoted = (q[1:-1] for q in QUOTED.findall(text))
            files = [q for q in quoted if _FILE.fullmatch(q.replace(" ", "_"))]
            files += _FILE.findall(plain)
            return Route("upload", tuple(files))
        return Route(action)
    if paths and first_edit is None:
        # A path given with no edit around it ("here: ~/shots/a.jpg"): upload it.
        return Route("upload", paths)
    return Route("chat")
