"""The renderer: a draft into an MP4 with one ffmpeg run (`compose`), the draft read and checked
first (`input`), text drawn by Pillow (`text`) in the face `fonts` chooses, ffmpeg run and probed
(`ffmpeg`)."""

from __future__ import annotations

from .compose import render_draft
from .ffmpeg import FFmpegError, Streams, ffmpeg_exe, probe_streams, run_ffmpeg
from .fonts import Face, FontNotFound, cjk_font
from .input import RenderError, check
from .text import TextImage, text_image, wrap_text

__all__ = [
    "FFmpegError",
    "Face",
    "FontNotFound",
    "RenderError",
    "Streams",
    "TextImage",
    "check",
    "cjk_font",
    "ffmpeg_exe",
    "probe_streams",
    "render_draft",
    "run_ffmpeg",
    "text_image",
    "wrap_text",
]
