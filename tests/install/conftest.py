"""Fixtures of the packaging tests: the wheel and sdist built once per run, and fresh venvs.

Builds go to a temp folder (never into the checkout); pip installs from the configured index
(a local mirror in CI). The built widget bundles must exist: the sdist carries them.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BUNDLES = ("chat.js", "upload.js", "timeline.js", "export.js", "styles.css")


@dataclass(frozen=True)
class Dist:
    """The built distributions."""

    wheel: Path
    sdist: Path


def run(*cmd: str | Path, timeout: float = 600, **kw: object) -> subprocess.CompletedProcess[str]:
    """Run a command; fail the test with its output tail when it fails."""
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    env.pop("PYTHONPATH", None)  # the venv must see its own install, not a checkout's src/
    env.update(kw.pop("env", {}))  # type: ignore[call-overload]
    proc = subprocess.run(
        [str(c) for c in cmd],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
        **kw,  # type: ignore[arg-type]
    )
    if proc.returncode != 0:
        pytest.fail(
            f"{cmd[:3]} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
        )
    return proc


@pytest.fixture(autouse=True)
def home() -> Path:
    """The machine's own home, not the root conftest's private one: pip reads its index there."""
    return Path.home()


@pytest.fixture(scope="session")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    """`python -m build`: the sdist, then the wheel built from that sdist (so no npm is needed)."""
    static = ROOT / "src" / "nemo_widgets" / "static"
    missing = [b for b in BUNDLES if not (static / b).is_file()]
    if missing:
        pytest.fail(f"the widget bundles are not built ({missing}): cd js && npm run build")
    out = tmp_path_factory.mktemp("dist")
    run(sys.executable, "-m", "build", "--outdir", out, ROOT)
    (wheel,) = out.glob("*.whl")
    (sdist,) = out.glob("*.tar.gz")
    return Dist(wheel, sdist)


@pytest.fixture
def make_venv(tmp_path: Path) -> Callable[[str], Path]:
    """`make_venv(name)` makes a venv (with pip) under tmp_path; returns its python."""

    def make(name: str) -> Path:
        where = tmp_path / name
        venv.EnvBuilder(with_pip=True, clear=True).create(where)
        return where / "bin" / "python"

    return make
