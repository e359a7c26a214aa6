"""Suggested first prompts of a ChatCell, per backend and UI language.

The offline backend's rule-based agent understands a fixed set of phrasings
(`local/agent/reading.py`): its suggestions are ones it really acts on, in the order a newcomer
needs them (make the video, then edit it); tests send each one to it. The cloud agent is a
language model: a generic set. None of them contains a routing keyword (export, credits, status,
upload / 上传…): each goes to the chat.
"""

from __future__ import annotations

__all__ = ["suggestions"]

_LOCAL = {
    "en": (
        "Make a 15 s video from my clips",
        'Add the title "Summer Sale"',
        "Add background music",
        "Make it square 1:1",
    ),
    "zh": (
        "用这些素材做一个15秒的视频",
        "加标题“夏日特惠”",
        "添加背景音乐",
        "改成方形 1:1",
    ),
}
_CLOUD = {
    "en": (
        "Make a 15-second video from my media",
        "Add subtitles to the video",
        "Add upbeat background music",
        "Make it vertical, 9:16",
    ),
    "zh": (
        "用我的素材做一个15秒的视频",
        "给视频加上字幕",
        "加一段轻快的背景音乐",
        "改成竖屏 9:16",
    ),
}


def suggestions(backend: str, language: str) -> list[str]:
    """The suggested prompts for `backend` ("local" or "cloud") in the UI `language`."""
    lang = "zh" if str(language or "").lower().replace("_", "-").startswith("zh") else "en"
    table = _LOCAL if backend == "local" else _CLOUD
    return list(table[lang])
