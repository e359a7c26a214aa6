"""Render a draft (docs/draft-format.md) into an H.264 + AAC MP4 with one ffmpeg run.

The whole composition is one `filter_complex` graph:

    video  the first video track is a `concat` of pieces (each image or clip scaled to fit and
           padded black to the canvas, black pieces for the gaps), renumbered frame by frame so
           every piece lands on its exact frame; later video tracks are overlaid segment by segment
    text   each text segment is drawn by Pillow into a small transparent PNG (wrapped, outlined,
           in the face `fonts` chooses for it) and overlaid with `enable` for its time span
    audio  every audio segment (repeated when shorter than the segment), and every clip's own
           sound, is trimmed, set to its volume and delayed to its start, then mixed (`amix`, no
           normalisation) over a silent bed

Images are decoded and scaled once, then repeated with `loop`: an image shown for 3 s costs one
scale, not 90. Unknown track types and keys are ignored; segments running past the draft's `d`
are cut there; bad input (missing media, negative or overlapping times, ffmpeg failing) raises
`RenderError`. The output is written to `<out>.part.mp4` and renamed once complete.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from .ffmpeg import FFmpegError, Streams, probe_streams, run_ffmpeg
from .input import (
    TT_AUDIO,
    TT_TEXT,
    TT_VIDEO,
    RenderError,
    _Canvas,
    _canvas,
    _ms,
    _Seg,
    _text_style,
    _total_ms,
    _tracks,
    check,
)
from .text import text_image

__all__ = ["RenderError", "check", "render_draft"]

_IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".tif", ".tiff"}
_SAMPLE_RATE = 48000


class _Graph:
    """The ffmpeg inputs and filter chains being built."""

    def __init__(self) -> None:
        self.inputs: list[str] = []
        self.chains: list[str] = []
        self._n = 0

    def add_input(self, path: Path, *opts: str) -> int:
        self.inputs += [*opts, "-i", str(path)]
        return self.inputs.count("-i") - 1

    def label(self, prefix: str) -> str:
        self._n += 1
        return f"{prefix}{self._n}"

    def chain(self, sources: str, filters: str, prefix: str) -> str:
        out = self.label(prefix)
        self.chains.append(f"{sources}{filters}[{out}]")
        return out


def _volume(seg: _Seg) -> float:
    v = seg.raw.get("v", 1.0)
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 10:
        raise RenderError(f"segment {seg.id}: volume `v` must be a number from 0 to 1: {v!r}")
    return float(v)


class _Planner:
    """Turns validated tracks into a `_Graph`; owns media lookup and the temp files."""

    def __init__(self, canvas: _Canvas, total_ms: int, resolve: Callable[[str], Path], tmp: Path):
        self.cv, self.total, self.resolve, self.tmp = canvas, total_ms, resolve, tmp
        self.g = _Graph()
        self.audio: list[str] = []  # labels of audio streams to mix
        self._probes: dict[Path, Streams] = {}

    def media(self, seg: _Seg) -> Path:
        src = seg.raw.get("src")
        if not isinstance(src, str) or not src:
            raise RenderError(f"segment {seg.id}: no media (`src`)")
        try:
            path = Path(self.resolve(src))
        except Exception as exc:  # whatever the store raises, the user needs "which media"
            raise RenderError(f"segment {seg.id}: media {src!r} not found ({exc})") from exc
        if not path.is_file():
            raise RenderError(f"segment {seg.id}: media {src!r} not found at {path}")
        return path

    def probe(self, path: Path) -> Streams:
        if path not in self._probes:
            try:
                self._probes[path] = probe_streams(path)
            except FFmpegError as exc:
                raise RenderError(f"cannot read {path.name}: {exc}") from exc
        return self._probes[path]

    def fit(self) -> str:
        w, h = self.cv.w, self.cv.h
        return (
            # out_range=tv: JPEGs decode full-range, and players expect H.264 in limited range.
            f"scale={w}:{h}:force_original_aspect_ratio=decrease:force_divisible_by=2:out_range=tv,"
            f"pad={w}:{h}:(ow-iw)/2:(oh-ih)/2:black,setsar=1,format=yuv420p"
        )

    def piece(self, seg: _Seg, frames: int) -> str:
        """A stream of exactly `frames` canvas-sized frames showing the segment's media."""
        path = self.media(seg)
        is_image = seg.kind == "image" or (
            seg.kind != "video" and path.suffix.lower() in _IMAGE_EXTS
        )
        if is_image:
            i = self.g.add_input(path)
            # Decode and scale one frame, then repeat it: the scale runs once, not per frame.
            return self.g.chain(
                f"[{i}:v]",
                f"trim=end_frame=1,{self.fit()},loop=loop={frames - 1}:size=1,"
                f"trim=end_frame={frames}",
                "img",
            )
        info = self.probe(path)
        if not info.has_video:
            raise RenderError(f"segment {seg.id}: {path.name} has no video stream")
        in_ms = _ms(seg.id, "in", seg.raw.get("in"), 0)
        if info.duration_ms is not None and in_ms >= info.duration_ms:
            raise RenderError(
                f"segment {seg.id}: in-point {in_ms} ms is past the end of {path.name} "
                f"({info.duration_ms} ms)"
            )
        # Read only what is shown (+0.5 s of slack for frame rounding); a clip shorter than its
        # segment holds its last frame.
        i = self.g.add_input(path, "-ss", f"{in_ms / 1000:.3f}", "-t", f"{seg.d / 1000 + 0.5:.3f}")
        if info.has_audio:
            self.add_audio(f"[{i}:a]", seg)
        return self.g.chain(
            f"[{i}:v]",
            f"setpts=PTS-STARTPTS,fps={self.cv.fps},{self.fit()},"
            f"tpad=stop=-1:stop_mode=clone,trim=end_frame={frames}",
            "vid",
        )

    def black(self, frames: int) -> str:
        return self.g.chain(
            "",
            f"color=c=black:s={self.cv.w}x{self.cv.h}:r={self.cv.fps},"
            f"format=yuv420p,trim=end_frame={frames}",
            "gap",
        )

    def video_track(self, segs: list[_Seg], base: str | None) -> str:
        """The first track (base None) as a concat of pieces and gaps; later ones overlaid."""
        pieces, cursor = [], 0
        for seg in segs:
            start, end = self.cv.frame(seg.st), self.cv.frame(min(seg.st + seg.d, self.total))
            if end <= start:
                continue
            if base is None:
                if start > cursor:
                    pieces.append(self.black(start - cursor))
                pieces.append(self.piece(seg, end - start))
                cursor = end
            else:
                shifted = self.g.chain(
                    f"[{self.piece(seg, end - start)}]",
                    f"settb=1/({self.cv.fps}),setpts={start}+N",
                    "at",
                )
                base = self.g.chain(f"[{base}][{shifted}]", "overlay=eof_action=pass", "ov")
        if base is not None:
            return base
        end = max(1, self.cv.frame(self.total))  # a draft shorter than a frame still gets one
        if end > cursor:
            pieces.append(self.black(end - cursor))
        # concat's own timestamps drift at piece boundaries; renumbering by frame index is exact
        # because every piece has exactly its frame count.
        joined = "".join(f"[{p}]" for p in pieces)
        return self.g.chain(
            joined, f"concat=n={len(pieces)}:v=1:a=0,settb=1/({self.cv.fps}),setpts=N", "base"
        )

    def add_audio(self, source: str, seg: _Seg) -> None:
        volume = _volume(seg)
        d = min(seg.d, self.total - seg.st)
        if volume == 0 or d <= 0:
            return
        self.audio.append(
            self.g.chain(
                source,
                f"aresample={_SAMPLE_RATE},aformat=sample_fmts=fltp:channel_layouts=stereo,"
                f"atrim=duration={d / 1000:.3f},asetpts=PTS-STARTPTS,volume={volume:g},"
                f"adelay=delays={seg.st}:all=1",
                "aud",
            )
        )

    def audio_segment(self, seg: _Seg) -> None:
        path = self.media(seg)
        if not self.probe(path).has_audio:
            raise RenderError(f"segment {seg.id}: {path.name} has no audio stream")
        in_ms = _ms(seg.id, "in", seg.raw.get("in"), 0)
        # Music shorter than its segment repeats (a 10 s loop under a 30 s video), as background
        # music does in editors; `-t` still ends the read at the segment's length.
        i = self.g.add_input(
            path,
            *("-stream_loop", "-1"),
            *("-ss", f"{in_ms / 1000:.3f}", "-t", f"{seg.d / 1000 + 0.1:.3f}"),
        )
        self.add_audio(f"[{i}:a]", seg)

    def text(self, seg: _Seg, base: str) -> str:
        style = _text_style(seg, self.cv)
        if style is None:
            return base
        img = text_image(seg.raw["txt"], canvas=(self.cv.w, self.cv.h), **style)
        if img is None:  # only characters no font draws (emoji): nothing to show
            return base
        png = self.tmp / f"text{len(self.g.chains)}.png"
        img.image.save(png, compress_level=1)
        i = self.g.add_input(png)
        a, b = seg.st / 1000, min(seg.st + seg.d, self.total) / 1000
        return self.g.chain(
            f"[{base}][{i}:v]",
            f"overlay=x={img.x}:y={img.y}:enable='gte(t,{a:.3f})*lt(t,{b:.3f})'",
            "txt",
        )

    def plan(self, tracks: list[tuple[int, list[_Seg]]]) -> tuple[str, str]:
        """Build the graph; return the labels of the final video and audio streams."""
        base: str | None = None
        for tt, segs in tracks:
            if tt == TT_VIDEO:
                base = self.video_track(segs, base)
        if base is None:  # a draft with only audio or text still gets a (black) picture
            base = self.video_track([], None)
        for tt, segs in tracks:
            for seg in segs:
                if seg.st >= self.total:
                    continue
                if tt == TT_TEXT:
                    base = self.text(seg, base)
                elif tt == TT_AUDIO:
                    self.audio_segment(seg)
        total_s = f"{self.total / 1000:.3f}"
        bed = self.g.chain(
            "", f"anullsrc=r={_SAMPLE_RATE}:cl=stereo,atrim=duration={total_s}", "bed"
        )
        if self.audio:
            mixed = "".join(f"[{a}]" for a in [bed, *self.audio])
            # normalize=0: each track keeps the volume the draft asks for (amix would divide).
            audio = self.g.chain(
                mixed,
                f"amix=inputs={len(self.audio) + 1}:duration=first:normalize=0,"
                f"atrim=duration={total_s}",
                "mix",
            )
        else:
            audio = bed
        return base, audio


def render_draft(
    draft: dict[str, Any],
    resolve: Callable[[str], Path],
    out: Path,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Render `draft` to the MP4 `out`, with media ids mapped to files by `resolve` (blocking)."""
    if not isinstance(draft, Mapping):
        raise RenderError("the draft must be a JSON object")
    canvas = _canvas(draft.get("m"))
    tracks = _tracks(draft)
    total = _total_ms(draft, tracks)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    part = out.with_name(out.name + ".part.mp4")
    with tempfile.TemporaryDirectory(prefix="nemo-render-") as tmp:
        planner = _Planner(canvas, total, resolve, Path(tmp))
        video, audio = planner.plan(tracks)
        gop = max(1, round(canvas.fps * 2))  # a keyframe every 2 s keeps browser seeking snappy
        args = [
            *planner.g.inputs,
            "-filter_complex",
            ";".join(planner.g.chains),
            "-map", f"[{video}]", "-map", f"[{audio}]",
            "-c:v", "libx264", "-preset", "veryfast", "-crf", "22", "-pix_fmt", "yuv420p",
            "-r", str(canvas.fps), "-g", str(gop), "-threads", "0",
            "-c:a", "aac", "-b:a", "160k", "-ar", str(_SAMPLE_RATE), "-ac", "2",
            "-movflags", "+faststart",
            "-f", "mp4", str(part),
        ]  # fmt: skip
        try:
            run_ffmpeg(args, duration_s=total / 1000, progress=progress)
        except FFmpegError as exc:
            part.unlink(missing_ok=True)
            raise RenderError(f"rendering failed: {exc}") from exc
        except BaseException:
            part.unlink(missing_ok=True)
            raise
    part.replace(out)
