"""Shared by every test: the run leaves no new file in the checkout (tests write to tmp_path), and
every test starts in English whatever the machine's locale: a test that wants Chinese says so
(`connect(language="zh")`, `NEMO_LANGUAGE`), and no session's language leaks into the next."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from nemo_widgets import _text

ROOT = Path(__file__).resolve().parents[1]
# Folders a test run may leave behind by design: caches, all git-ignored.
_CACHES = {".hypothesis", ".pytest_cache", ".mypy_cache", ".ruff_cache", "__pycache__"}
_WATCHED = (ROOT, ROOT / "notebooks", ROOT / "docs", ROOT / "tests")


def _entries() -> set[Path]:
    return {p for d in _WATCHED if d.is_dir() for p in d.iterdir() if p.name not in _CACHES}


@pytest.fixture(autouse=True, scope="session")
def checkout_stays_clean() -> Iterator[None]:
    """Fail the run if it created files in the checkout's top folders (an MP4 in the root, say)."""
    before = _entries()
    yield
    new = sorted(str(p.relative_to(ROOT)) for p in _entries() - before)
    assert not new, f"the tests wrote into the checkout: {new}"


@pytest.fixture(autouse=True)
def _english_ui(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("NEMO_LANGUAGE", "en")
    monkeypatch.setattr(_text, "_active", None)
    yield
