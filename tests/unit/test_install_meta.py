"""One version (pyproject.toml, read back through importlib.metadata), `--version`,
`python -m nemo_widgets`, the licence and py.typed, and the install story the README and the
scripts tell (no ffprobe, no apt step for Colab, the README's two commands first)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

import nemo_widgets
from nemo_widgets.local.cli import main

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "nemo_widgets"


def test_the_version_is_written_once_and_read_from_the_metadata() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert len(re.findall(r'^version = "', pyproject, re.MULTILINE)) == 1
    assert nemo_widgets.__version__ == version("nemo-widgets")
    literal = re.compile(r"""__version__\s*=\s*["']""")
    assert not [p for p in SRC.rglob("*.py") if literal.search(p.read_text(encoding="utf-8"))]


def test_version_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"nemo-widgets {nemo_widgets.__version__}"


def test_python_dash_m_runs_the_command() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), *sys.path])}
    done = subprocess.run(
        [sys.executable, "-m", "nemo_widgets", "--version"],
        capture_output=True, text=True, env=env, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"nemo-widgets {nemo_widgets.__version__}"


def test_licence_and_typing_marker() -> None:
    assert (ROOT / "LICENSE").read_text().startswith("MIT License")
    assert (SRC / "py.typed").is_file()


def test_nothing_needs_ffprobe() -> None:
    users = [
        p
        for folder in ("src", "scripts", "tests")
        for p in (ROOT / folder).rglob("*")
        if p.suffix in (".py", ".sh")
        and p != Path(__file__)
        and re.search(r"""which\(["']ffprobe|command -v ffprobe|\bffprobe -v\b""", p.read_text())
    ]
    assert users == []
    system = (ROOT / "scripts" / "install-system.sh").read_text()
    assert not re.search(r"want\+=\([^)]*\bffmpeg\b", system)  # imageio-ffmpeg ships ffmpeg


def test_colab_installs_with_pip_alone() -> None:
    nb = json.loads((ROOT / "notebooks" / "colab.ipynb").read_text())
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    install = next(c for c in code if "pip install" in c)
    assert "apt" not in install and "nemo-widgets[local]" in install


def test_the_readme_starts_with_its_two_commands_and_tells_how_to_install() -> None:
    readme = (ROOT / "README.md").read_text()
    head = readme.split("```bash\n", 1)[1].split("```", 1)[0].splitlines()
    assert [line.split("#")[0].strip() for line in head] == [
        "bash scripts/demo.sh",
        "bash scripts/test.sh",
    ]
    assert all((ROOT / "scripts" / s).is_file() for s in ("demo.sh", "test.sh"))
    assert "not on PyPI yet" in readme and ".whl[local]" in readme
    assert "`otio` extra" in readme
