"""Translate the backend's web-editor talk into what a notebook user can do (pure).

The backend speaks as if the user had its GUI open. Sentences (or clauses) that tell the user to
click, open, drag or preview are removed; what they say about the content stays; the instruction
becomes a suggested action:

    click / tap / press Export, 点击导出, the Export button   → export (offered, the user confirms)
    open / preview in the timeline, 打开时间轴, 预览            → status (the track summary)
    check your account / billing, top up, 账户, 充值            → credits
    click / open upload, 上传                                   → upload (offered)
    drag / drop, 拖拽, 拖动                                      → chat (describe the move instead)

A trailing "I encountered a temporary issue" after a normal reply is noise and is dropped.
"""

from __future__ import annotations

import dataclasses
import re

from ._routing import QUOTED as _QUOTED

__all__ = ["Translation", "translate"]

# Places and controls of the web editor: "open" or "go to" only count with one of these after them,
# so that "open your mind" or "go to 3 s" stay content.
_PLACES = (
    r"(?:timeline|editor|preview|project|account|settings|billing|panel|tab|menu|page|workspace|"
    r"dashboard|export|upload|button|icon|window|player)"
)
_GUI = re.compile(
    rf"(?<![\w-])(?:click(?:ing)?|double-click|"
    rf"(?:open|go to|navigate to|head to|switch to)\s+(?:\w+\s+){{0,3}}?{_PLACES}|"
    rf"(?:tap|press|hit|select)\s+(?:\w+\s+){{0,3}}?(?:button|icon|tab)|"
    r"drag(?:ging)?|drop (?:it|them|the)|"
    r"preview (?:it |them |this |the \w+ )?(?:in|on) the (?:timeline|editor)|"
    r"check (?:your|the) (?:account|billing)|top up|(?:the|an?) Export button)(?![\w-])"
    r"|点击|单击|点一下|打开|拖拽|拖动|拖到|拖入|前往|在时间轴(?:中|上|里)?预览|导出按钮|充值|查看账户",
    re.IGNORECASE,
)
# Targets of a GUI instruction → the action the user would want. First match wins.
_TARGETS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("export", re.compile(r"\bexport|\bdownload|\brender|导出|下载", re.I)),
    ("upload", re.compile(r"\bupload|上传", re.I)),
    (
        "credits",
        re.compile(r"\baccount|\bbilling|\bcredits?\b|top up|账户|账号|账单|充值|积分", re.I),
    ),
    (
        "status",
        re.compile(r"\btimeline|\btracks?\b|\beditor|\bpreview|时间轴|时间线|轨道|预览", re.I),
    ),
    ("chat", re.compile(r"\bdrag|\bdrop\b|拖", re.I)),
)
# The "Export" button named in passing ("use Export when you are happy"); capitalised on purpose.
_EXPORT_BUTTON = re.compile(r"(?<=\w )Export\b")
_NOISE = re.compile(r"I encountered a temporary issue|遇到了?(?:一个)?(?:临时|暂时性?)的?问题")
_SENTENCE = re.compile(r".*?(?:[.!?]+(?=\s|$)|[。！？]+|$)[ \t]*")
_CLAUSE_SPLIT = re.compile(r"(?:[,;，；]|\s+(?:and|then)\s+|然后)\s*")
# Clauses that only lead up to the instruction ("To see it, open the timeline"): dropped with it.
_PURPOSE = re.compile(
    r"^(?:(?:to|so that|in order to|when|once|if|after|you can|you may|please)\b"
    r"|为了|以便|如果|当|请|可以|您可以|你可以)",
    re.I,
)
_BLANK_LINES = re.compile(r"\n{3,}")
_TERMINATOR = re.compile(r"[.!?。！？]+\s*$")


@dataclasses.dataclass(frozen=True)
class Translation:
    """The text to show and the actions its GUI instructions stand for, in order, no repeats."""

    text: str
    actions: tuple[str, ...] = ()


def _target(sentence: str) -> str | None:
    for action, pattern in _TARGETS:
        if pattern.search(sentence):
            return action
    return None


def _is_gui(text: str) -> bool:
    # Quoted text is content ('the title now reads "Click here"'), never an instruction.
    plain = _QUOTED.sub(lambda m: " " * len(m.group(0)), text)
    return bool(_GUI.search(plain) or _EXPORT_BUTTON.search(plain))


def _translate_sentence(sentence: str, actions: list[str]) -> str:
    """The sentence without its GUI instruction; records the action it implies."""
    if not _is_gui(sentence):
        return sentence
    end = _TERMINATOR.search(sentence)
    terminator = end.group(0).strip() if end else ""
    body = sentence[: end.start()] if end else sentence.rstrip()
    kept: list[str] = []
    for clause in _CLAUSE_SPLIT.split(body):
        clause = clause.strip()
        if not clause:
            continue
        if _is_gui(clause):
            action = _target(clause) or _target(sentence)
            if action and action not in actions:
                actions.append(action)
        elif not _PURPOSE.match(clause):
            kept.append(clause)
    if not kept:
        return ""
    cjk = any("\u4e00" <= ch <= "\u9fff" for ch in body)
    joined = ("，" if cjk else ", ").join(kept)
    trailing = sentence[len(sentence.rstrip()) :]
    return joined + (terminator or ("。" if cjk else ".")) + (trailing or " ")


# Words without which none of the patterns above can match: plain substring tests on the lower-cased
# text run at memory speed, the patterns do not (a long reply would take milliseconds per pattern).
_TRIGGERS = (
    "click", "open", "go to", "navigate", "head to", "switch to", "tap", "press", "hit",
    "select", "drag", "drop", "preview", "check", "top up", "export", "i encountered",
    "点击", "单击", "点一下", "打开", "拖", "前往", "预览", "导出", "充值", "账户", "遇到",
)  # fmt: skip


def _may_need_work(text: str) -> bool:
    low = text.lower()
    return any(word in low for word in _TRIGGERS)


def translate(text: str) -> Translation:
    """Strip GUI instructions and trailing noise from a backend reply; return the actions."""
    if not _may_need_work(text):
        return Translation(_tidy(text.split("\n")))  # nothing to strip: skip the sentence walk
    actions: list[str] = []
    lines_out: list[str] = []
    has_content = False
    for line in text.split("\n"):
        pieces: list[str] = []
        changed = False
        for m in _SENTENCE.finditer(line):
            sentence = m.group(0)
            if not sentence.strip():
                continue
            if _NOISE.search(sentence) and has_content:
                changed = True
                continue
            kept = _translate_sentence(sentence, actions)
            changed = changed or kept != sentence
            if kept.strip():
                pieces.append(kept)
                has_content = True
        out = "".join(pieces)
        # A bullet left with only its marker ("- ") is dropped with its instruction.
        if not changed or out.strip(" -*•0123456789.)"):
            lines_out.append(out)
    return Translation(_tidy(lines_out), tuple(actions))


def _tidy(lines: list[str]) -> str:
    """Lines without trailing blanks, at most one empty line in a row, no blank ends."""
    return _BLANK_LINES.sub("\n\n", "\n".join(line.rstrip() for line in lines)).strip()
