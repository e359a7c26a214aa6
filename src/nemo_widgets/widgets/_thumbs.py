"""Thumbnails made in the kernel as small JPEG data URLs: they show where the browser cannot
reach the kernel's 127.0.0.1, and after a page reload too."""

from __future__ import annotations

import base64
import glob
import os
import shutil
import subprocess
from pathlib import Path

_MAX_BYTES = 64_000  # a data URL larger than this is not worth a trait sync


def thumbnail(path: str | os.PathLike[str], width: int = 160) -> str | None:
    """The first frame of `path` as a JPEG data URL, or None; runs ffmpeg (off the event loop)."""
    try:
        import imageio_ffmpeg  # the `local` extra

        exe: str | None = str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        exe = shutil.which("ffmpeg")
    if exe is None:
        return None
    cmd = [exe, "-v", "error", "-nostdin", "-i", str(path), "-frames:v", "1"]
    cmd += ["-vf", f"scale='min({width},iw)':-2", "-q:v", "6", "-f", "image2pipe"]
    cmd += ["-vcodec", "mjpeg", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode or not done.stdout.startswith(b"\xff\xd8") or len(done.stdout) > _MAX_BYTES:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(done.stdout).decode("ascii")


def local_files(items: list[str]) -> dict[str, Path]:
    """The files on this machine that `items` (paths, globs or URLs) name, by file name."""
    paths = [Path(p) for i in items if "://" not in i for p in glob.glob(os.path.expanduser(i))]
    return {p.name: p for p in reversed(paths) if p.is_file()}  # reversed: the first one named
