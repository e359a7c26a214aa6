"""Every test starts in English, whatever the machine's locale: a test that wants Chinese says so
(`connect(language="zh")`, `NEMO_LANGUAGE`), and no session's language leaks into the next test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from nemo_widgets import _text


@pytest.fixture(autouse=True)
def _english_ui(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NEMO_LANGUAGE", "en")
    monkeypatch.setattr(_text, "_active", None)
    yield
