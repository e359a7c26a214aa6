"""The dependency floors are true: a fresh venv with the lowest versions pyproject.toml allows
(every `>=` of the core and of the `local` extra pinned exactly) passes the backend's tests."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from packaging.version import Version

from .conftest import ROOT, Dist, run

_REQ = re.compile(r"([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*(?:>=|==)\s*([^,;\s]+)")


def lowest() -> dict[str, str]:
    """Each dependency of the core and the `local` extra at its floor."""
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {}
    for req in [*project["dependencies"], *project["optional-dependencies"]["local"]]:
        match = _REQ.fullmatch(req.split(";")[0].strip())
        assert match, f"{req!r} has no floor"
        pins[match[1].lower().replace("_", "-")] = match[2]
    return pins


def test_every_dependency_has_a_floor() -> None:
    pins = lowest()
    assert {"starlette", "uvicorn", "python-multipart", "tqdm", "noto-cjk-sans-otc"} <= set(pins)


def test_the_lowest_allowed_server_stack_passes_the_backend_tests(
    dist: Dist, make_venv: Callable[[str], Path], tmp_path: Path
) -> None:
    pins = lowest()
    constraints = tmp_path / "floors.txt"
    constraints.write_text("".join(f"{name}=={version}\n" for name, version in pins.items()))
    python = make_venv("floors")
    run(python, "-m", "pip", "install", "-q", "-c", constraints, f"{dist.wheel}[local]",
        "pytest", "pytest-timeout", "hypothesis")  # fmt: skip
    listed = run(python, "-m", "pip", "list", "--format=json").stdout
    installed = {p["name"].lower().replace("_", "-"): p["version"] for p in json.loads(listed)}
    for name, version in pins.items():
        assert Version(installed[name]) == Version(version), (name, installed[name])
    # the offline backend's own tests (plain httpx against a real loopback server); at the floor
    # versions the tests' own client can leave the socket of a stream the drop fault cut to the
    # garbage collector, whose warning lands in whatever test runs then: the backend is what is
    # checked here, so that warning is not an error
    proc = run(
        python, "-m", "pytest", "tests/integration/backend", "-q", "-p", "no:cacheprovider",
        "-W", "ignore::pytest.PytestUnraisableExceptionWarning", cwd=ROOT, timeout=900,
    )  # fmt: skip
    assert re.search(r"\d+ passed", proc.stdout), proc.stdout[-2000:]
