"""The UI string table: both languages, no English left in Chinese, locale mapping, and every key
the views and the kernel ask for exists."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

import pytest

from nemo_widgets import _text
from nemo_widgets._text import TEXT, WIDGET_AREAS, default_language, labels_for, ui_lang, ui_text

ROOT = Path(__file__).resolve().parents[2]
FIELD = re.compile(r"\{(\w+)\}")
# Words that stay Latin in Chinese UI text: product names, key names, units, the URL scheme.
PROPER = {"NemoVideo", "Nemo", "Enter", "Shift", "http", "https", "MB", "KB", "GB", "nemovideo"}
PROPER |= {"com", "NEMO_TOKEN", "nemo_widgets", "connect", "summary", "session", "zh", "CN", "en"}
# Code the user types stays code: `…`, '…', a session call and a magic's syntax up to the
# Chinese text after it.
CODE = re.compile(
    r"`[^`]*`|'[^']*'|\bsession\.\w+\([^)]*\)|%%?nemo[\x20-\x7e]*?(?=\s{2,}|[^\x00-\x7f]|$)", re.M
)


@pytest.mark.parametrize("key", sorted(TEXT))
def test_every_key_has_both_languages_and_the_same_fields(key: str) -> None:
    en, zh = TEXT[key]
    assert en.strip() and zh.strip()
    assert sorted(FIELD.findall(en)) == sorted(FIELD.findall(zh))
    assert re.fullmatch(r"[a-z]+(\.[a-z_]+)+", key), "keys are <area>.<name>"


def test_the_catalog_file_holds_each_key_once_as_an_english_chinese_pair() -> None:
    raw = resources.files("nemo_widgets").joinpath("messages.json").read_text(encoding="utf-8")
    pairs = json.loads(raw, object_pairs_hook=list)  # a dict would keep a repeated key silently
    keys = [key for key, _ in pairs]
    assert len(keys) == len(set(keys)) == len(TEXT)
    assert all(isinstance(v, list) and len(v) == 2 for _, v in pairs)


def _latin_words(text: str) -> set[str]:
    text = FIELD.sub("", text)
    text = CODE.sub("", text)
    return set(re.findall(r"[A-Za-z][A-Za-z_]+", text)) - PROPER


@pytest.mark.parametrize("key", sorted(TEXT))
def test_no_english_words_in_chinese(key: str) -> None:
    assert _latin_words(TEXT[key][1]) == set()


def test_the_english_check_catches_english() -> None:
    assert _latin_words("导出 {name} Export now") == {"Export", "now"}
    assert _latin_words("按 Enter 发送 `s.chat()`") == set()
    assert _latin_words("%nemo upload PATH…      上传 files") == {"files"}


@pytest.mark.parametrize(
    ("code", "want"),
    [
        ("zh", "zh"),
        ("zh-CN", "zh"),
        ("zh_TW", "zh"),
        ("zh-Hans", "zh"),
        ("zh-Hant-HK", "zh"),
        ("ZH_cn.UTF-8", "zh"),
        ("zh_CN.GB18030@stroke", "zh"),
        ("Chinese (Simplified)_China", "zh"),
        ("cmn", "zh"),
        ("yue-HK", "zh"),
        ("en", "en"),
        ("en_US.UTF-8", "en"),
        ("ja", "en"),
        ("", "en"),
        ("zhx", "en"),
    ],
)
def test_ui_lang(code: str, want: str) -> None:
    assert ui_lang(code) == want


@pytest.mark.parametrize(
    ("env", "want"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh-CN"),
        ({"LC_ALL": "zh_TW.UTF-8", "LANG": "en_US.UTF-8"}, "zh-CN"),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),
        ({"LANGUAGE": "zh_CN:en"}, "zh-CN"),
        ({"LANG": "C.UTF-8", "LANGUAGE": "zh"}, "zh-CN"),
        ({"LANG": "de_DE.UTF-8"}, "en"),
    ],
)
def test_default_language_follows_the_locale(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], want: str
) -> None:
    for var in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE", "NEMO_LANGUAGE"):
        monkeypatch.delenv(var, raising=False)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    assert default_language() == want


def test_nemo_language_overrides_the_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    monkeypatch.setenv("NEMO_LANGUAGE", "zh-Hans")
    assert default_language() == "zh-Hans" and ui_lang(None) == "zh"


def test_ui_text_fills_fields_and_picks_the_language() -> None:
    assert ui_text("timeline.track", "zh-CN", n=2) == "轨道 2"
    assert ui_text("timeline.track", "en", n=2) == "Track 2"
    assert ui_text("export.export", "zh_TW") == "导出"
    with pytest.raises(KeyError):
        ui_text("no.such_key", "en")


def test_the_active_language_serves_messages_without_a_session() -> None:
    assert ui_text("common.cancel") == "Cancel"  # tests/conftest.py: NEMO_LANGUAGE=en
    _text.set_active("zh")
    assert ui_text("common.cancel") == "取消"
    _text.set_active("en")
    assert ui_text("common.cancel") == "Cancel"


def test_labels_for_a_widget_hold_its_area_and_common_only() -> None:
    got = labels_for("zh", "export")
    assert got["export.export"] == "导出" and got["common.cancel"] == "取消"
    assert not any(k.startswith(("chat.", "upload.")) for k in got)


# -- the keys the views ask for exist, in an area their widget sends -------------------------------
VIEW_AREAS = {"upload": "upload", "chat": "chat", "timeline": "timeline", "export": "export"}
KEY_CALL = re.compile(r"""\bt\(model, ["`]([a-z_.]+)(\$\{[^}]+\})?["`]""")


def _view_keys(name: str) -> set[str]:
    src = (ROOT / "js" / f"{name}.ts").read_text(encoding="utf-8")
    return {m[1] + ("*" if m[2] else "") for m in KEY_CALL.finditer(src)}


@pytest.mark.parametrize("view", sorted(VIEW_AREAS))
def test_every_key_a_view_reads_is_in_the_table(view: str) -> None:
    keys = _view_keys(view)
    assert keys, "the scan finds the view's t(model, ...) calls"
    areas = {"common", VIEW_AREAS[view]}
    for key in keys:
        assert key.split(".", 1)[0] in areas, key
        if key.endswith("*"):  # a key built from a value: some key must start with it
            assert any(k.startswith(key[:-1]) for k in TEXT), key
        else:
            assert key in TEXT, key


def test_widget_areas_cover_the_table_areas_sent_to_views() -> None:
    assert set(VIEW_AREAS.values()) <= set(WIDGET_AREAS)
