"""The text images the renderer burns into videos.

Text is drawn with Pillow into a tight transparent PNG that the renderer overlays: Pillow wraps,
outlines and shadows Chinese reliably, and a small overlay costs far less than a full-canvas one.
The face comes from `fonts` (by name; Pillow's built-in one for Latin-only text when no CJK font is
installed), and characters it cannot draw are dropped rather than drawn as boxes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from .fonts import Face, drawable, load

__all__ = ["TextImage", "text_image", "wrap_text"]

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
    face: Face | None,
) -> TextImage | None:
    """Draw `text` (wrapped, outlined, with a soft shadow) and place it at `pos` on `canvas`.

    `face` is usually `fonts.face_for(text)`; None is Pillow's built-in face. Characters the face
    cannot draw are left out; None when nothing drawable is left.
    """
    width, height = canvas
    text = drawable(text, face)
    if not text.strip():
        return None
    font = load(face, size)
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
