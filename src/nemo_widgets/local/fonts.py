"""Fonts that draw Chinese, and the text images the renderer burns into videos.

Order: `NEMO_WIDGETS_FONT` (a path), the well-known files of fonts-wqy-zenhei and Noto CJK, then
fontconfig (`fc-list :lang=zh`). Every candidate is checked to really hold CJK glyphs, because
`fc-match :lang=zh` happily answers with a Latin-only font when no CJK font is installed.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

__all__ = ["FontNotFound", "TextImage", "cjk_font", "has_glyphs", "text_image", "wrap_text"]

INSTALL_HINT = "bash scripts/install-system.sh (installs fonts-wqy-zenhei)"

_KNOWN = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
# Common characters a Chinese title is made of; a font lacking any of them is not good enough.
_PROBE = "中文字幕城市之梦"


class FontNotFound(RuntimeError):
    """No installed font can draw Chinese text."""


def _mask_signature(font: object, char: str) -> tuple[tuple[int, int, int, int] | None, bytes]:
    mask = font.getmask(char)  # type: ignore[attr-defined]
    return mask.getbbox(), bytes(mask)


def has_glyphs(path: str | os.PathLike[str], text: str, *, index: int = 0) -> bool:
    """True when the font at `path` draws every non-space character of `text` as a real glyph.

    A missing character is drawn as the font's .notdef glyph (the "tofu" box), or as nothing; both
    are detected by comparing each character's mask with that of a private-use code point, which no
    text font maps.
    """
    try:
        font = ImageFont.truetype(str(path), 48, index=index)
    except OSError:
        return False
    notdef = _mask_signature(font, "\ue000")
    for char in set(text):
        if char.isspace():
            continue
        sig = _mask_signature(font, char)
        if sig[0] is None or sig == notdef:
            return False
    return True


def _fontconfig_candidates() -> list[str]:
    exe = shutil.which("fc-list")
    if exe is None:
        return []
    try:
        out = subprocess.run(
            [exe, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    files = [line.split(":")[0].strip() for line in out.splitlines() if line.strip()]
    # Sans faces read best on video; prefer them, then keep fontconfig's order.
    return sorted(dict.fromkeys(files), key=lambda f: "sans" not in f.lower() and "hei" not in f)


@functools.lru_cache(maxsize=1)
def cjk_font() -> Path:
    """Path of a font file that draws Chinese; raises `FontNotFound` naming the install step."""
    override = os.environ.get("NEMO_WIDGETS_FONT")
    if override:
        if has_glyphs(override, _PROBE):
            return Path(override)
        raise FontNotFound(f"NEMO_WIDGETS_FONT={override} cannot draw Chinese text")
    for candidate in (*_KNOWN, *_fontconfig_candidates()):
        if Path(candidate).is_file() and has_glyphs(candidate, _PROBE):
            return Path(candidate)
    raise FontNotFound(f"no font that can draw Chinese text is installed; run: {INSTALL_HINT}")


# --- text images --------------------------------------------------------------------------------
# Text is drawn with Pillow into a tight transparent PNG that the renderer overlays: Pillow wraps,
# outlines and shadows Chinese reliably, and a small overlay costs far less than a full-canvas one.

# Characters that must not start a line (Chinese punctuation); they stay on the line before.
_NO_LINE_START = set("，。！？、；：”’）》」』】〉…—,.!?;:)]}%")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_'’\-]+[^\sA-Za-z0-9_'’\-\u2e80-\uffff]*\s*|\s+|.")


@dataclass(frozen=True)
class TextImage:
    """A rendered text overlay: an RGBA image and where its top-left corner goes on the canvas."""

    image: Image.Image
    x: int
    y: int


def wrap_text(text: str, font: ImageFont.FreeTypeFont, max_width: float) -> list[str]:
    """Split `text` into lines no wider than `max_width`: between words, or between CJK glyphs."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        current = ""
        for token in _TOKEN_RE.findall(paragraph):
            candidate = current + token
            if not current or font.getlength(candidate.rstrip()) <= max_width:
                current = candidate
            elif token[0] in _NO_LINE_START:
                current = candidate  # a little overflow beats a line that opens with "，"
            else:
                lines.append(current.rstrip())
                current = token.lstrip()
            # A single word wider than the line (a URL, say) is cut between characters.
            while font.getlength(current.rstrip()) > max_width and len(current.rstrip()) > 1:
                cut = len(current)
                while cut > 1 and font.getlength(current[:cut]) > max_width:
                    cut -= 1
                lines.append(current[:cut])
                current = current[cut:]
        lines.append(current.rstrip())
    return lines


def text_image(
    text: str,
    *,
    canvas: tuple[int, int],
    size: int,
    color: tuple[int, int, int],
    pos: str,
    font_path: str | os.PathLike[str],
) -> TextImage:
    """Draw `text` (wrapped, outlined, with a soft shadow) and place it at `pos` on `canvas`."""
    width, height = canvas
    font = ImageFont.truetype(str(font_path), size)
    lines = wrap_text(text, font, width * 0.88)
    ascent, descent = font.getmetrics()
    line_h = ascent + descent + round(size * 0.15)
    stroke = max(1, round(size * 0.05))
    shadow = max(1, round(size * 0.05))
    margin = stroke + shadow + 2 * shadow
    text_w = max((font.getlength(line) for line in lines), default=0.0)
    img_w = min(width, int(text_w) + 2 * margin + 2 * stroke)
    img_h = min(height, line_h * len(lines) + 2 * margin)

    def draw(layer: Image.Image, fill: tuple[int, ...], outline: tuple[int, ...], off: int) -> None:
        pen = ImageDraw.Draw(layer)
        for i, line in enumerate(lines):
            x = (img_w - font.getlength(line)) / 2
            y = margin + i * line_h + off
            pen.text(
                (x + off, y), line, font=font, fill=fill, stroke_width=stroke, stroke_fill=outline
            )

    shadow_layer = Image.new("RGBA", (img_w, img_h), (0, 0, 0, 0))
    draw(shadow_layer, (0, 0, 0, 140), (0, 0, 0, 140), shadow)
    image = shadow_layer.filter(ImageFilter.GaussianBlur(shadow))
    draw(image, (*color, 255), (0, 0, 0, 200), 0)

    x = (width - img_w) // 2
    if pos == "top":
        y = round(height * 0.08)
    elif pos == "bottom":
        y = height - img_h - round(height * 0.1)
    else:
        y = (height - img_h) // 2
    y = min(max(y, 0), height - img_h)
    # Even offsets keep the overlay aligned with yuv420p's 2x2 chroma blocks.
    return TextImage(image, x - x % 2, y - y % 2)
