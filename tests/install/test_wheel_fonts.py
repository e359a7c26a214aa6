"""The built distributions, and the wheel installed with [local] into a fresh venv rendering
Chinese on a machine whose font folders are hidden (a private mount namespace)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from .conftest import BUNDLES, Dist, run

HERE = Path(__file__).parent
# Folders fontconfig and our lookup read system fonts from; each is covered by an empty tmpfs.
FONT_DIRS = ("/usr/share/fonts", "/usr/local/share/fonts", "/var/cache/fontconfig")


def test_sdist_and_wheel_carry_the_bundles_the_licence_and_py_typed(dist: Dist) -> None:
    wheel_names = set(zipfile.ZipFile(dist.wheel).namelist())
    with tarfile.open(dist.sdist) as tar:
        sdist_names = {n.split("/", 1)[1] for n in tar.getnames() if "/" in n}
    for bundle in BUNDLES:
        assert f"nemo_widgets/static/{bundle}" in wheel_names
        assert f"src/nemo_widgets/static/{bundle}" in sdist_names  # a source build needs no npm
    assert "nemo_widgets/py.typed" in wheel_names and "src/nemo_widgets/py.typed" in sdist_names
    assert "LICENSE" in sdist_names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in wheel_names), wheel_names
    meta_name = next(n for n in wheel_names if n.endswith(".dist-info/METADATA"))
    meta = zipfile.ZipFile(dist.wheel).read(meta_name).decode()
    requires = [
        line.split(": ", 1)[1] for line in meta.splitlines() if line.startswith("Requires-Dist")
    ]
    assert any(r.startswith("tqdm") and "extra" not in r for r in requires)  # a core dependency
    assert any(r.startswith("noto-cjk-sans-otc==") and "extra == 'local'" in r for r in requires)
    assert "Classifier: Typing :: Typed" in meta and "Project-URL" in meta


def _can_hide_fonts() -> str | None:
    """Why the font folders cannot be hidden here (None when they can)."""
    if os.name != "posix" or not hasattr(os, "geteuid") or os.geteuid() != 0:
        return "needs root to make a private mount namespace (unshare -m)"
    if shutil.which("unshare") is None:
        return "unshare (util-linux) is not installed"
    probe = subprocess.run(
        ["unshare", "-m", "mount", "-t", "tmpfs", "tmpfs", "/mnt"], capture_output=True, text=True
    )
    if probe.returncode != 0:
        return f"this machine refuses a private mount namespace: {probe.stderr.strip()}"
    return None


def test_the_wheel_renders_chinese_with_its_packaged_font_when_system_fonts_are_hidden(
    dist: Dist, make_venv: Callable[[str], Path], tmp_path: Path
) -> None:
    why = _can_hide_fonts()
    if why:
        pytest.skip(why)
    python = make_venv("venv")
    run(python, "-m", "pip", "install", "-q", f"{dist.wheel}[local]")
    work = tmp_path / "work"
    work.mkdir()
    hide = " && ".join(f"{{ [ ! -d {d} ] || mount -t tmpfs tmpfs {d}; }}" for d in FONT_DIRS)
    proc = run(
        "unshare", "-m", "sh", "-c", f'{hide} && exec "$0" "$@"',
        python, HERE / "_render_in_venv.py", work,
        cwd=work,
        env={"HOME": str(work), "XDG_CONFIG_HOME": str(work / ".config"), "NEMO_WIDGETS_FONT": ""},
    )  # fmt: skip
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    print(seen)  # the measured overlaps, for -s / -rP runs
    assert seen["system_zh_fonts"] == [] and seen["system_font_dirs"] == []  # truly hidden
    # the face is the packaged collection's Simplified Chinese one, chosen by name
    assert seen["face"] == "Noto Sans CJK SC" and seen["first_face"] == "Noto Sans CJK JP"
    assert Path(seen["face_path"]).is_relative_to(seen["prefix"])
    # real glyphs, not boxes, and the Chinese forms rather than the Japanese ones
    assert seen["ink"] > 1000
    assert seen["iou_real"] > 0.6, seen
    assert seen["iou_boxes"] < 0.3, seen
    assert seen["iou_real"] > seen["iou_japanese"] + 0.02, seen
