"""`nemo-widgets demo`: the whole workflow on the offline backend, from nothing to `DIR/demo.mp4`.

Sample media, the offline backend, upload, one message asking for a promo video (printed as it
streams on a terminal), the track summary, the timeline as CSV, then the export. Any failure is
one line and a hint (exit status 1), never a traceback, unless `--debug`.
"""

from __future__ import annotations

import argparse
import math
import shutil
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import nemo_widgets as nw

from ..errors import NemoError
from ..events import Notice, ReplyView
from .render import FFmpegError, probe_streams
from .samples import SAMPLE_FILES, make_sample_media

__all__ = ["PROMPTS", "main"]

# What the demo asks the offline agent, in its own vocabulary: make the video (portrait = 9:16, a
# length, the uploaded music at a volume, Chinese caption lines after the colon); the agent adds a
# title by itself. One message: a generation costs 100 credits, all a new anonymous token has.
# (No "upload" or "export" in it: the session routes those words to its own actions.)
PROMPTS: tuple[str, ...] = (
    "Create a short promotional video from my pictures, 9 seconds, portrait, with my music at 40% "
    "and Chinese captions: 晨光咖啡 唤醒每个早晨; 竹韵茶具 品味东方雅致; 云朵枕头 一夜好眠",
)


# -- the run --------------------------------------------------------------------------------------


def _rows(text: str, columns: int) -> int:
    """Terminal rows `text` fills when printed from column 0 (CJK characters are two wide)."""
    rows = 0
    for line in text.split("\n"):
        width = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
        rows += max(1, math.ceil(width / max(columns, 1)))
    return rows


class _Console:
    """The session's chat events on a terminal: the reply as it streams, erased and redrawn when
    the session replaces the text (GUI instructions stripped, the summary added). Observers run
    on the package's background thread; a lock keeps lines from interleaving."""

    def __init__(self, stream: Any = None, tty: bool | None = None) -> None:
        self.out = stream or sys.stdout
        self.tty = self.out.isatty() if tty is None else tty
        self.lock = threading.Lock()
        self.view = ReplyView()  # the reply, since the message was sent
        self.screen = ""  # what was printed of it (notices too): the rows a redraw erases

    def __call__(self, kind: str, payload: Any) -> None:
        with self.lock:
            if kind == "chat" and self.tty:
                more = self.view.add(payload)
                if more is None:  # a correction: redraw the reply
                    rows = _rows(self.screen, shutil.get_terminal_size().columns)
                    up = f"\x1b[{rows - 1}A" if rows > 1 else ""
                    self.out.write(f"\r{up}\x1b[J")
                    self.screen = ""
                    self._write(self.view.text)
                elif more:
                    self._write(more)
                elif isinstance(payload, Notice):
                    self._write(f"\n{payload.text}\n")
            elif kind == "notice":
                self.out.write(f"\n{payload}\n")
                self.out.flush()

    def _write(self, text: str) -> None:
        self.screen += text
        self.out.write(text)
        self.out.flush()

    def start_reply(self) -> None:
        """A message was sent: the next text is a new reply."""
        with self.lock:
            self.view, self.screen = ReplyView(), ""


def _say(text: str) -> None:
    print(text, flush=True)


def _describe(path: Path) -> str:
    """ "h264 1080x1920, 9.0 s" from `ffmpeg -i` (the ffmpeg of imageio-ffmpeg; no ffprobe)."""

    try:
        info = probe_streams(path)
    except FFmpegError:
        return ""
    if not info.video_codec or info.duration_ms is None:
        return ""
    return f"{info.video_codec} {info.width}x{info.height}, {info.duration_ms / 1000:.1f} s"


def run(out_dir: Path, prompts: Sequence[str] = PROMPTS) -> Path:
    """The demo's steps; returns the path of the MP4. Raises on failure."""
    from tqdm import tqdm

    out_dir.mkdir(parents=True, exist_ok=True)
    media_dir = out_dir / "media"
    started = time.monotonic()

    with tqdm(total=SAMPLE_FILES, desc="sample media", unit="file") as bar:
        files = make_sample_media(media_dir, progress=lambda _name: bar.update())

    _say("Starting the offline backend…")
    # a fresh session every run: a re-run must not re-attach to the last one (its credits are spent)
    session = nw.connect(backend="local", data_dir=str(out_dir / "backend"), resume=False)
    console = _Console()
    unsubscribe = session.subscribe(console)
    try:
        _say(f"Offline backend at {session.api_url} (session {session.session_id})")
        media = session.upload(*files, progress=True)
        _say(f"Uploaded {len(media)} files: " + ", ".join(m.name for m in media))

        for prompt in prompts:
            _say(f"\n» {prompt}")
            console.start_reply()
            reply = session.chat(prompt).text
            with console.lock:
                shown = console.view.text
                if shown != reply:  # not a terminal, or a reply that did not stream
                    console.out.write(f"\n{reply}" if shown else reply)
                console.out.write("\n")
                console.out.flush()

        summary = session.summary()
        if summary not in reply:  # the reply often ends with it already
            _say("\n" + summary)
        csv_path = out_dir / "timeline.csv"
        session.timeline().to_csv(csv_path, index=False)
        _say(f"Timeline written to {csv_path}")

        target = out_dir / "demo.mp4"
        job = session.export(download_to=target, progress=True)
        if job.status != "completed" or not target.is_file() or target.stat().st_size == 0:
            raise NemoError(
                f"the export ended as {job.status!r} without a video: {job.error or 'no detail'}",
                hint="Run again with --debug and look at the backend log in DIR/backend.",
            )
    finally:
        unsubscribe()
        session.close()

    info = _describe(target)
    size_mb = target.stat().st_size / 1e6
    _say(f"\n✅ {target} ({size_mb:.1f} MB{', ' + info if info else ''}) "
         f"in {math.ceil(time.monotonic() - started)} s")  # fmt: skip
    return target


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `nemo-widgets demo`; returns the exit status."""
    parser = argparse.ArgumentParser(
        prog="nemo-widgets demo",
        description="Make a short promotional video with Chinese text and subtitles, offline.",
    )
    parser.add_argument("--out", default="out", help="output directory (default: out)")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on failure")
    args = parser.parse_args(argv)
    try:
        run(Path(args.out))
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one line and a hint, never a traceback (unless --debug)
        if args.debug:
            raise
        if isinstance(exc, NemoError):
            problem, hint = exc.message, exc.hint
        elif isinstance(exc, ImportError):
            problem, hint = str(exc), "pip install 'nemo-widgets[local]'"
        else:
            problem, hint = f"{type(exc).__name__}: {exc}", "run again with --debug for the details"
        print(f"\nerror: {problem}", file=sys.stderr)
        if hint:
            print(f"hint: {hint}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
