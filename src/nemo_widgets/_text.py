"""Every string the package shows: one catalog (`messages.json`, `<area>.<name>` → [English,
Chinese]), one lookup; `js/lib/text.ts` fills `{name}` fields the same way as `ui_text`."""

from __future__ import annotations

import json
import locale
import os
import re
from importlib import resources
from typing import Literal

Lang = Literal["en", "zh"]

_CATALOG = resources.files("nemo_widgets").joinpath("messages.json").read_text(encoding="utf-8")
TEXT: dict[str, tuple[str, str]] = {k: (en, zh) for k, (en, zh) in json.loads(_CATALOG).items()}

# Areas whose strings the browser shows; every widget also gets "common".
WIDGET_AREAS = ("common", "upload", "chat", "timeline", "export", "studio")

_FIELD = re.compile(r"\{(\w+)\}")
_CHINESE = ("zh", "cmn", "yue", "wuu", "hak", "nan", "chinese")
_active: Lang | None = None  # the UI language of the latest session (errors raised deep down)


def ui_lang(language: str | None) -> Lang:
    """Chinese for `zh-CN`, `zh_CN.UTF-8`, `Chinese (Simplified)_China`…; `None`: the active one."""
    if language is None:
        return _active or ui_lang(default_language())
    head = re.split(r"[-_.@ (]", language.strip().lower(), maxsplit=1)[0]
    return "zh" if head in _CHINESE else "en"


def default_language() -> str:
    """`connect()`'s language: `NEMO_LANGUAGE`, else `zh-CN` under a Chinese locale, else `en`."""
    if chosen := os.environ.get("NEMO_LANGUAGE", "").strip():
        return chosen
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(var, "").split(":")[0]
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return "zh-CN" if ui_lang(value) == "zh" else "en"
    try:
        found = locale.getlocale()[0] or ""
    except ValueError:  # an unknown locale name in the environment
        found = ""
    return "zh-CN" if ui_lang(found) == "zh" else "en"


def set_active(language: str | None) -> None:
    """Make `language` the UI language of messages raised without a session at hand."""
    global _active
    _active = None if language is None else ui_lang(language)


def ui_text(key: str, lang: str | None = None, /, **fmt: object) -> str:
    """The string for `key` in `lang` (`None`: the active one), `{name}` filled from `fmt`."""
    en, zh = TEXT[key]
    text = zh if ui_lang(lang) == "zh" else en
    return _FIELD.sub(lambda m: str(fmt[m[1]]) if m[1] in fmt else m[0], text)


def labels_for(lang: str | None, *areas: str) -> dict[str, str]:
    """The strings of `areas` (and `common`) in `lang`, for a widget's `labels` trait."""
    wanted = {"common", *areas}
    pick = 1 if ui_lang(lang) == "zh" else 0
    return {k: v[pick] for k, v in TEXT.items() if k.split(".", 1)[0] in wanted}
