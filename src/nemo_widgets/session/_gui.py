"""The backend's web-editor talk ("click Export") made into what a notebook user can do (pure):
a clause telling the user to operate the GUI becomes an action (`_TARGETS`), content stays."""

from __future__ import annotations

import dataclasses
import re

from ._routing import blank_quotes

_NOT_END = r"[^，。！？,.!?]"  # within one clause

# -- the vocabulary of a GUI -------------------------------------------------------------------
_EN_LEAD = (
    r"^[\s\-*•>\d.)]*(?:(?:please|kindly|just|simply|then|now|next|first|finally|also|and|or|so|"
    r"you\s+(?:can|could|may|might|should|will|would|need\s+to|have\s+to|want\s+to)|you'll|"
    r"feel\s+free\s+to|go\s+ahead\s+and|try(?:\s+to)?|remember\s+to|don't\s+forget\s+to|"
    r"be\s+sure\s+to|make\s+sure\s+to)\s+)*"
)
_EN_GUI_VERB = (
    r"(?:(?:double-|right-)?click|tap(?!\s+into)|drag|hover|scroll|drop\s+(?:it|them)|"
    r"preview(?!\s*:))"
)
_EN_OPERATE = (
    r"(?:open|select|choose|pick|go\s+to|navigate\s+to|head\s+(?:over\s+)?to|switch\s+to|use|"
    r"find|locate|check(?:\s+out)?|view|see|look\s+at|adjust|toggle|enable|expand|visit|"
    r"return\s+to|hit|press|access|launch)"
)
_EN_ELEMENT = (
    r"(?:buttons?|panels?|menus?|tabs?|side\s?bars?|tool\s?bars?|dialog(?:ue)?s?|pop-?ups?|"
    r"modals?|settings|preferences|dashboards?|editors?|players?|timelines?|windows?|pages?|"
    r"screens?|icons?|account|billing|workspace|inspector|checkbox(?:es)?|sliders?|"
    r"drop-?downs?|library|app|website|web\s+app)\b"
)
_EN_COMMAND = (
    r"(?-i:Export|Download|Save|Share|Upload|Settings|Preview|Apply|Confirm|Publish|Render|"
    r"Generate|Regenerate|Retry|Undo|Redo|Delete|Play|Submit|Send|Next|Cancel|Done|OK)"
)
_EN_PLACE = r"(?:in|on|from|under|via|at|inside|within|using|through)\s+(?:the\s+|your\s+|a\s+)?"
# An element that ends its phrase ("in the editor.", not "on the panel discussion").
_EN_PHRASE_END = r"(?=\s*(?:$|[,.;:!?)]|(?:to|and|or|for|then|when|if|below|above|at)\b))"
# Who a clause is about when it is content ("The intro shows…", "I added…"), not an instruction.
_EN_SUBJECT = (
    r"^[\s\-*•>\d.)]*(?:the|a|an|this|that|these|those|it|its|it's|there|here|i|i've|i'm|we|"
    r"we've|my|our|your|he|she|they|his|her|their)\b"
)

_ZH_LEAD = (
    r"^[\s\-*•>\d.)、]*(?:[^，。！？,\s]{0,6}?(?:后|时|的话))?"
    r"(?:请|您|你|可以|可|能|直接|然后|再|先|只需|只要|就|也|还|接着|最后|随后|现在|或者|或|并|马上|立即)*"
)
_ZH_GUI_VERB = (
    r"(?:点击(?![率量数])|单击|右键|双击|点一下|点开|轻点|轻触|拖拽|拖动|拖放|拖到|拖入|拖至|预览)"
)
_ZH_OPERATE = (
    r"(?:打开|选择|选中|选取|前往|进入|切换到|切换至|使用|查看|调整|找到|返回|访问|充值|去)"
)
_ZH_ELEMENT = (
    r"(?:按钮|面板|菜单|标签页|选项卡|侧边栏|工具栏|对话框|弹窗|设置|仪表盘|控制台|编辑器|播放器|"
    r"时间轴|时间线|窗口|页面|界面|图标|账户|账号|后台)"
)
_ZH_PLACE = r"(?:在|到|去|从|进入)"

_INSTRUCTION = re.compile(
    "|".join(
        [
            rf"{_EN_LEAD}{_EN_GUI_VERB}\b",
            rf"{_EN_LEAD}{_EN_OPERATE}\s+(?:\S+\s+){{0,4}}?{_EN_ELEMENT}",
            rf"{_EN_LEAD}{_EN_OPERATE}\s+(?:the\s+)?{_EN_COMMAND}\b",
            rf"{_EN_LEAD}{_EN_PLACE}(?:\S+\s+){{0,3}}?{_EN_ELEMENT}\s*$",
            # an imperative (no subject) that says where in the GUI: "Fine-tune it in the editor"
            rf"^(?!{_EN_SUBJECT}){_NOT_END}*?\b{_EN_PLACE}(?:\S+\s+){{0,2}}?{_EN_ELEMENT}"
            rf"{_EN_PHRASE_END}",
            rf"(?<![\w-]){_EN_COMMAND}\s+(?:button|panel|menu|tab|icon)\b",
            rf"{_ZH_LEAD}(?:{_ZH_PLACE}{_NOT_END}{{0,12}}?)?{_ZH_GUI_VERB}",
            rf"{_ZH_LEAD}把{_NOT_END}{{0,15}}?{_ZH_GUI_VERB}",
            rf"{_ZH_LEAD}{_ZH_OPERATE}{_NOT_END}{{0,10}}?{_ZH_ELEMENT}",
            rf"{_ZH_LEAD}{_ZH_PLACE}{_NOT_END}{{0,10}}?{_ZH_ELEMENT}{_NOT_END}{{0,6}}?"
            rf"(?:{_ZH_OPERATE}|{_ZH_GUI_VERB})",
            # a place in the GUI and what the user can do there: 在编辑器里可以继续微调
            rf"{_ZH_LEAD}{_ZH_PLACE}{_NOT_END}{{0,10}}?{_ZH_ELEMENT}{_NOT_END}{{0,4}}?(?:可以|能|可)",
            r"(?:导出|上传|下载|分享|保存)按钮",
        ]
    ),
    re.IGNORECASE,
)
# An operating verb that continues an instruction in the same sentence ("… and choose Glow").
_CONTINUES = re.compile(
    rf"{_EN_LEAD}(?:{_EN_GUI_VERB}|{_EN_OPERATE})\b|{_ZH_LEAD}(?:{_ZH_GUI_VERB}|{_ZH_OPERATE})",
    re.IGNORECASE,
)
# Picking something out, just before an instruction, is its first step ("Select the clip and
# press Delete").
_PICKS = re.compile(rf"{_EN_LEAD}(?:select|choose|pick)\b|{_ZH_LEAD}(?:选择|选中|选取)", re.I)
# What an instruction stands for, first match wins; anything else becomes "chat".
_TARGETS = tuple(
    (action, re.compile(pattern, re.I))
    for action, pattern in (
        ("upload", r"\bupload|\battach|上传|附件"),
        ("export", r"\bexport|\bdownload|\brender|\bpublish|导出|下载|渲染|发布"),
        (
            "credits",
            r"\baccount|\bbilling|\bcredits?\b|\bbalance|top\s*up|\bdashboard|\bsubscription|"
            r"账户|账号|账单|充值|积分|余额|仪表盘|订阅",
        ),
        (
            "status",
            r"\btimeline|\btracks?\b|\bpreview|\bplayer|\bopen\b|时间轴|时间线|轨道|预览|播放器|打开",
        ),
    )
)

_NOISE = re.compile(r"I encountered a temporary issue|遇到了?(?:一个)?(?:临时|暂时性?)的?问题")
_SENTENCE = re.compile(r".*?(?:[.!?]+(?=\s|$)|[。！？]+|$)[ \t]*")
_CLAUSE_SPLIT = re.compile(r"(?:[,;，；]|\s+(?:and|then|or)\s+|然后|或者)\s*")
# Clauses that only lead up to the instruction ("To see it, open the timeline"): dropped with it.
_PURPOSE = re.compile(
    r"^(?:(?:to|so that|in order to|when|once|if|after|you can|you may|please)\b"
    r"|(?:next|then|now|first|finally|also|afterwards)\W*$"
    r"|为了|以便|如果|当|请|可以|您可以|你可以|(?:接着|然后|最后|首先)\W*$)",
    re.I,
)
_INSTRUCTED, _OPENS_LIST, _LISTED = "instruction", "opens a list", "listed"
# a sentence's body, its end marks, the blanks after them
_ENDING = re.compile(r"([.!?。！？]*)(\s*)$")
CJK = re.compile("[\u4e00-\u9fff]")


@dataclasses.dataclass(frozen=True)
class Translation:
    """The text to show and the actions its GUI instructions stand for, in order, no repeats."""

    text: str
    actions: tuple[str, ...] = ()


def _translate_sentence(sentence: str, actions: dict[str, None]) -> str:
    """The sentence without its GUI instructions; records the actions they stand for."""
    body, terminator, trailing = _ENDING.split(sentence)[:3]  # pieces 2 and 3 may be empty
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(body) if c.strip()]
    # Per clause: an instruction, content, or an item of a list an instruction opened with a
    # colon ("see them: Video, BGM"), which goes with it.
    marks: list[str] = []
    for plain in map(blank_quotes, clauses):
        goes_on = marks[-1:] == [_INSTRUCTED] and _CONTINUES.match(plain)
        if _OPENS_LIST in marks:
            marks.append(_LISTED)
        elif goes_on or _INSTRUCTION.search(plain):
            marks.append(_OPENS_LIST if ":" in plain or "：" in plain else _INSTRUCTED)
        else:
            marks.append("")
    if not any(marks):
        return sentence
    kept: list[str] = []
    for clause, mark, then in zip(clauses, marks, [*marks[1:], ""], strict=True):
        if not mark and then == _INSTRUCTED and _PICKS.match(blank_quotes(clause)):
            mark = _INSTRUCTED
        if mark in (_INSTRUCTED, _OPENS_LIST):
            # quotes included: 'click "Export"' names the control
            actions.setdefault(next((a for a, p in _TARGETS if p.search(clause)), "chat"))
        elif not mark and not _PURPOSE.match(clause):
            kept.append(clause)
    if not kept:
        return ""
    cjk = CJK.search(body)
    joined = ("，" if cjk else ", ").join(kept)
    return joined + (terminator or ("。" if cjk else ".")) + (trailing or " ")


def translate(text: str) -> Translation:
    """Strip GUI instructions and trailing noise from a backend reply; return the actions."""
    actions: dict[str, None] = {}  # ordered, no repeats
    lines_out: list[str] = []
    has_content = False
    for line in text.split("\n"):
        pieces: list[str] = []
        changed = False
        for sentence in _SENTENCE.findall(line):  # a blank one comes back as it was: not kept
            noise = has_content and _NOISE.search(sentence)
            kept = "" if noise else _translate_sentence(sentence, actions)
            changed = changed or kept != sentence
            if kept.strip():
                pieces.append(kept)
                has_content = True
        out = "".join(pieces)
        # A bullet left with only its marker ("- ") is dropped with its instruction.
        if not changed or out.strip(" -*•0123456789.)"):
            lines_out.append(out)
    # lines without trailing blanks, at most one empty line in a row, no blank ends
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(line.rstrip() for line in lines_out)).strip()
    return Translation(text, tuple(actions))
