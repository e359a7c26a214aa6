"""What the rule-based agent reads in a message: intents, numbers, quoted text, replies (en/zh)."""

from __future__ import annotations

import re

CJK = re.compile(r"[\u4e00-\u9fff]")
_QUOTED = re.compile(r"[\"“”'‘’「」『』《》]([^\"“”'‘’「」『』《》]+)[\"“”'‘’「」『』《》]")
_NUM = r"(\d+(?:\.\d+)?)"
_SEC = r"\s*(?:s|sec|secs|second|seconds|秒钟|秒)"
RANGE = re.compile(_NUM + r"(?:" + _SEC + r")?\s*(?:-|–|~|to|到|至)\s*" + _NUM + _SEC + r"?", re.I)
SECONDS = re.compile(_NUM + _SEC + r"(?![a-z])", re.I)
PERCENT = re.compile(_NUM + r"\s*%")
RATIO = re.compile(r"(\d+)\s*[:：x×]\s*(\d+)")

INTENTS: list[tuple[str, re.Pattern[str]]] = [
    ("export", re.compile(r"\bexport\b|\bdownload\b|导出|下载", re.I)),
    (
        "generate",
        re.compile(
            r"\b(make|create|generate|build|produce|assemble)\b.{0,40}"
            r"\b(video|clip|slideshow|movie|film|reel|short|promo)\b"
            r"|(做|制作|生成|创建|剪辑|合成).{0,24}?(视频|短片|影片|宣传片|幻灯片|短视频)",
            re.I,
        ),
    ),
    ("cut", re.compile(r"\b(cut|remove|delete|drop)\b|剪掉|删掉|删除|去掉|切掉", re.I)),
    (
        "trim",
        re.compile(
            r"\b(trim|shorten)\b|\bcut (?:it )?(?:down )?to\b|剪到|剪成|缩短|只保留前|截取|裁剪到",
            re.I,
        ),
    ),
    (
        "reorder",
        re.compile(r"\b(reorder|swap|reverse|order|move)\b|顺序|调换|交换|互换|倒序|移到", re.I),
    ),
    ("subtitles", re.compile(r"\b(subtitles?|captions?)\b|字幕", re.I)),
    ("title", re.compile(r"\b(title|heading)\b|标题", re.I)),
    (
        "bgm",
        re.compile(
            r"\b(add|use|put)\b.{0,20}\b(bgm|music|song|soundtrack)\b"
            r"|\b(change|replace|switch)\b(?!.*(volume|louder|quieter)).{0,20}\b(bgm|music|song)\b"
            r"|(加|添加|配上|使用|用).{0,6}(背景音乐|配乐|音乐|BGM)"
            r"|(换|更换)(?!.*音量).{0,6}(背景音乐|配乐|音乐|BGM)",
            re.I,
        ),
    ),
    ("volume", re.compile(r"\b(volume|louder|quieter|softer|mute)\b|音量|大声|小声|静音", re.I)),
    ("bgm", re.compile(r"\b(bgm|music|song|soundtrack)\b|背景音乐|配乐|音乐|BGM", re.I)),
    (
        "ratio",
        re.compile(
            r"\b(landscape|portrait|square|aspect|ratio)\b|横屏|竖屏|方形|比例|\d\s*:\s*\d", re.I
        ),
    ),
]

TRACK_WORDS: list[tuple[str, re.Pattern[str]]] = [
    ("Subtitles", re.compile(r"subtitle|caption|字幕", re.I)),
    ("Title", re.compile(r"title|heading|标题", re.I)),
    ("BGM", re.compile(r"bgm|music|song|soundtrack|背景音乐|配乐|音乐", re.I)),
    ("Video", re.compile(r"\bvideo track\b|视频轨", re.I)),
]


def is_zh(text: str) -> bool:
    """Whether to answer in Chinese."""
    return bool(CJK.search(text))


def intent(text: str) -> str:
    """The first matching intent name, or 'help'."""
    for name, pat in INTENTS:
        if pat.search(text):
            if name == "cut" and not RANGE.search(text):
                if any(p.search(text) for _, p in TRACK_WORDS):
                    return "remove"
                if re.search(r"\btrack\b|轨", text, re.I):
                    return "remove"
                if re.search(r"\bclip\b|片段|第", text, re.I):
                    return "remove_clip"
                continue
            return name
    return "help"


def quoted(text: str) -> list[str]:
    """Every quoted string in `text`, in order."""
    return [q.strip() for q in _QUOTED.findall(text) if q.strip()]


def title_text(text: str) -> str | None:
    """The title asked for: quoted, else what follows 'title (to|:|改成…)' (None if nothing)."""
    q = quoted(text)
    if q:
        return q[0]
    m = re.search(
        r"(?:\btitle\b|\bheading\b|标题)\s*(?:to|as|:|：|改成|改为|换成|设为|设置为|为|是|叫做|叫)?\s*(.+)$",
        text,
        re.I,
    )
    if not m:
        return None
    out = m.group(1).strip().strip("。.!！\"“”'‘’「」《》 ")
    return out or None


def lines_of(text: str) -> list[str]:
    """Subtitle lines given in a message: quoted strings, else a list after ':'."""
    m = re.search(
        r"(?:subtitles?|captions?|字幕|lines?|台词)[^:：]{0,24}[:：]\s*(.+)$", text, re.S | re.I
    )
    if not m:
        return quoted(text)
    q = quoted(m.group(1))
    if q:
        return q
    parts = re.split(r"[\n;；,，、|/]+", m.group(1))
    return [p.strip().strip('。."“”') for p in parts if p.strip().strip('。."“”')]


def seconds(text: str) -> float | None:
    """The first 'N seconds' / 'N秒' in the text."""
    m = SECONDS.search(text)
    return float(m.group(1)) if m else None


def volume(text: str) -> float | None:
    """A volume 0–1 from '30%', 'volume 0.3', '音量30' (None if not said)."""
    m = PERCENT.search(text)
    if m:
        return max(0.0, min(1.0, float(m.group(1)) / 100))
    m = re.search(r"(?:volume|音量)\D{0,12}?(\d+(?:\.\d+)?)", text, re.I)
    if m:
        v = float(m.group(1))
        return max(0.0, min(1.0, v / 100 if v > 1 else v))
    return None


def ratio(text: str) -> str | None:
    """'9:16' | '16:9' | '1:1' if the message names one."""
    m = RATIO.search(text)
    if m:
        r = f"{m.group(1)}:{m.group(2)}"
        if r in ("9:16", "16:9", "1:1"):
            return r
    if re.search(r"landscape|horizontal|widescreen|横屏|横版", text, re.I):
        return "16:9"
    if re.search(r"square|方形|正方", text, re.I):
        return "1:1"
    if re.search(r"portrait|vertical|竖屏|竖版|抖音|douyin|tiktok", text, re.I):
        return "9:16"
    return None


def ordinals(text: str) -> list[int]:
    """Clip numbers named in the text (1-based), e.g. 'swap clip 1 and 3' → [1, 3]."""
    zh = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
    text = re.sub(r"第([一二两三四五六七八九])", lambda m: str(zh[m.group(1)]), text)
    text = re.sub(
        r"\b(first|second|third|fourth|fifth)\b",
        lambda m: str(
            ["first", "second", "third", "fourth", "fifth"].index(m.group(1).lower()) + 1
        ),
        text,
        flags=re.I,
    )
    return [int(n) for n in re.findall(r"(?<![\d.:])(\d{1,2})(?![\d.:%])", text)]


CAPABILITIES_EN = (
    "I can: make a video from your uploads (say the aspect ratio, e.g. 16:9, and a length); "
    'add or change the title ("title: Summer Sale"); add subtitles ("subtitles: line one; line '
    'two"); add background music at a volume ("add BGM at 30%"); change a volume; trim to N '
    'seconds or cut a range ("cut 2-4s"); remove a track; reorder clips ("swap clip 1 and 2"). '
    "Open the timeline to see the tracks, and click the Export button when you are happy."
)
CAPABILITIES_ZH = (
    "我可以：用你上传的素材做视频（可说明比例如 16:9 和时长）；添加或修改标题（“标题：夏日特惠”）；"
    "添加字幕（“字幕：第一句；第二句”）；添加背景音乐并设音量（“加背景音乐 30%”）；调整音量；"
    "剪到 N 秒或剪掉一段（“剪掉 2-4 秒”）；删除轨道；调整片段顺序（“交换第1和第2个片段”）。"
    "打开时间线即可查看轨道，满意后点击导出按钮。"
)


def say(zh: bool, en: str, cn: str) -> str:
    """Pick the reply in the user's language."""
    return cn if zh else en
