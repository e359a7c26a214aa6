"""The ffmpeg binary shipped by imageio-ffmpeg, and a runner that reports progress.

`ffmpeg_exe()` is the one place the rest of `local/` gets ffmpeg from, so the offline backend needs
no system ffmpeg. `probe_streams()` lists a file's streams, codecs and size from `ffmpeg -i`
(imageio-ffmpeg ships no ffprobe, and nothing here needs one).
`run_ffmpeg()` runs a command with `-progress pipe:1`, turns `out_time_us` into a 0..1 fraction of
the expected duration, and raises `FFmpegError` with the tail of stderr on failure.
"""

from __future__ import annotations

import collections
import functools
import os
import re
import subprocess
import threading
from collections.abc import Callable, Sequence
from typing import IO, NamedTuple

__all__ = ["FFmpegError", "Streams", "ffmpeg_exe", "parse_probe", "probe_streams", "run_ffmpeg"]

_STDERR_TAIL_LINES = 30


class FFmpegError(RuntimeError):
    """ffmpeg could not be found, or exited with an error (the message holds stderr's tail)."""

    def __init__(self, message: str, *, returncode: int | None = None, stderr: str = "") -> None:
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(message)


@functools.lru_cache(maxsize=1)
def ffmpeg_exe() -> str:
    """Path of the ffmpeg executable from imageio-ffmpeg (or `IMAGEIO_FFMPEG_EXE` if set)."""
    try:
        import imageio_ffmpeg
    except ImportError as exc:  # the `local` extra is missing
        raise FFmpegError(
            "imageio-ffmpeg is not installed: pip install 'nemo-widgets[local]'"
        ) from exc
    try:
        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except RuntimeError as exc:
        raise FFmpegError(f"no ffmpeg binary available: {exc}") from exc


def _drain(stream: IO[str], tail: collections.deque[str]) -> None:
    # stderr is read on its own thread: if nobody reads it, a chatty ffmpeg fills the pipe and
    # blocks while we wait on stdout.
    for line in stream:
        tail.append(line.rstrip("\n"))


def run_ffmpeg(
    args: Sequence[str],
    *,
    duration_s: float | None = None,
    progress: Callable[[float], None] | None = None,
    cwd: str | os.PathLike[str] | None = None,
) -> None:
    """Run `ffmpeg <args>`; call `progress(0..1)` as it goes; raise `FFmpegError` if it fails.

    `args` excludes the executable and the global flags this function adds itself
    (`-hide_banner -nostdin -y -progress pipe:1 -nostats`). Progress needs `duration_s`, the
    length of the output; the last call is always `progress(1.0)` on success.
    """
    cmd = [
        ffmpeg_exe(),
        "-hide_banner",
        "-nostdin",
        "-y",
        "-loglevel",
        "error",
        "-progress",
        "pipe:1",
        "-nostats",
        *args,
    ]
    tail: collections.deque[str] = collections.deque(maxlen=_STDERR_TAIL_LINES)
    try:
        proc = subprocess.Popen(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            cwd=cwd,
        )
    except OSError as exc:
        raise FFmpegError(f"could not start ffmpeg ({cmd[0]}): {exc}") from exc
    assert proc.stdout is not None and proc.stderr is not None
    reader = threading.Thread(target=_drain, args=(proc.stderr, tail), daemon=True)
    reader.start()
    last = -1.0
    try:
        for line in proc.stdout:
            key, _, value = line.strip().partition("=")
            if key != "out_time_us" or not progress or not duration_s or duration_s <= 0:
                continue
            try:
                done = int(value) / 1e6 / duration_s
            except ValueError:  # "N/A" before the first frame is written
                continue
            done = min(max(done, 0.0), 0.999)  # 1.0 is kept for "finished and the file is closed"
            if done > last:
                last = done
                progress(done)
        proc.wait()
    except BaseException:
        # A failing progress callback (or Ctrl-C) must not leave an orphan ffmpeg behind.
        proc.kill()
        proc.wait()
        raise
    finally:
        reader.join(timeout=5)
        proc.stdout.close()
        proc.stderr.close()
    if proc.returncode != 0:
        stderr = "\n".join(tail)
        raise FFmpegError(
            f"ffmpeg exited with code {proc.returncode}:\n{stderr or '(no stderr output)'}",
            returncode=proc.returncode,
            stderr=stderr,
        )
    if progress:
        progress(1.0)


class Streams(NamedTuple):
    """What `probe_streams` found in a media file (the first video and audio streams)."""

    has_video: bool  # a real picture stream (an MP3's cover art does not count)
    has_audio: bool
    duration_ms: int | None
    video_codec: str | None = None  # "h264"
    pix_fmt: str | None = None  # "yuv420p"
    width: int | None = None
    height: int | None = None
    audio_codec: str | None = None  # "aac"


_STREAM_RE = re.compile(r"Stream #\d+:\d+.*?: (Video|Audio): (.*)")
_SIZE_RE = re.compile(r"\b(\d{2,5})x(\d{2,5})\b")


def probe_streams(path: str | os.PathLike[str]) -> Streams:
    """The streams and duration of a media file, read from `ffmpeg -i` (no ffprobe needed)."""
    try:
        # "-i" with no output makes ffmpeg print the stream list and exit with an error: expected.
        proc = subprocess.run(
            [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", os.fspath(path)],
            capture_output=True,
            text=True,
            errors="replace",
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise FFmpegError(f"could not probe {os.fspath(path)}: {exc}") from exc
    return parse_probe(proc.stderr)


def parse_probe(stderr: str) -> Streams:
    """`Streams` from what `ffmpeg -i FILE` printed."""
    streams = _STREAM_RE.findall(stderr)
    duration = re.search(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)", stderr)
    ms = None
    if duration:
        hours, minutes, seconds = duration.groups()
        ms = round((int(hours) * 3600 + int(minutes) * 60 + float(seconds)) * 1000)
    video = next((r for k, r in streams if k == "Video" and "attached pic" not in r), None)
    audio = next((r for k, r in streams if k == "Audio"), None)
    # "h264 (High) (avc1 / 0x31637661), yuv420p(tv, progressive), 1080x1920 [SAR 1:1 ...], ..."
    fields = _top_level_fields(video) if video else []
    size = _SIZE_RE.search(", ".join(fields[2:]))
    return Streams(
        has_video=video is not None,
        has_audio=audio is not None,
        duration_ms=ms,
        video_codec=fields[0].split()[0] if fields else None,
        pix_fmt=fields[1].split("(")[0].strip() if len(fields) > 1 else None,
        width=int(size.group(1)) if size else None,
        height=int(size.group(2)) if size else None,
        audio_codec=audio.split()[0].rstrip(",") if audio else None,
    )


def _top_level_fields(description: str) -> list[str]:
    """Split a stream description at the commas outside parentheses."""
    fields, depth, current = [], 0, ""
    for char in description:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            fields.append(current.strip())
            current = ""
        else:
            current += char
    return [*fields, current.strip()]
