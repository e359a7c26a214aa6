"""The `nemo-widgets` command line: argument handling without starting anything."""

from __future__ import annotations

import sys
import types
from collections.abc import Sequence

import pytest

from nemo_widgets.local import cli


def test_demo_is_imported_lazily_and_gets_its_arguments(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []

    def fake_main(argv: Sequence[str] | None = None) -> int:
        seen.append(list(argv or []))
        return 3

    fake = types.ModuleType("nemo_widgets.local.demo")
    fake.main = fake_main  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nemo_widgets.local.demo", fake)
    assert cli.main(["demo", "--out", "somewhere"]) == 3
    assert seen == [["--out", "somewhere"]]


def test_serve_rejects_unknown_flags(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as e:
        cli.main(["serve", "--no-such-flag"])
    assert e.value.code == 2
    assert "no-such-flag" in capsys.readouterr().err


def test_a_command_is_required() -> None:
    with pytest.raises(SystemExit):
        cli.main([])
