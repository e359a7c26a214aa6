"""The font faces the renderer draws text with.

A text with Chinese (or other CJK) characters is drawn with the first of: `NEMO_WIDGETS_FONT` (a
path), the Noto Sans CJK collection that the `local` extra installs from PyPI (the
`noto-cjk-sans-otc` package), the well-known files of system fonts, then fontconfig
(`fc-list :lang=zh`). Inside a collection (.ttc/.otc) the face is chosen by its name, the
Simplified Chinese one ("Noto Sans CJK SC", "PingFang SC"), never by position: face 0 of Noto's
collection is the Japanese one, whose glyph forms differ from the Chinese ones. Every candidate is
checked to really hold CJK glyphs, because `fc-match :lang=zh` happily answers with a Latin-only
font when no CJK font is installed.

A text with no CJK character never needs a CJK font: it uses the CJK face when there is one (the
same look throughout a video), else Pillow's built-in face. Characters the chosen face cannot draw
(most emoji) are dropped, never drawn as boxes.
"""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from PIL import ImageFont

from ...errors import NemoError

__all__ = [
    "FONT_PACKAGE",
    "Face",
    "FontNotFound",
    "cjk_font",
    "drawable",
    "face_for",
    "faces",
    "forget",
    "has_glyphs",
    "load",
    "needs_cjk",
]

# The font package of the `local` extra (pinned in pyproject.toml): Noto Sans CJK, SIL OFL 1.1.
FONT_PACKAGE = "noto-cjk-sans-otc"

_KNOWN = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "C:/Windows/Fonts/msyh.ttc",
)
# Common characters a Chinese title is made of; a face lacking any of them is not good enough.
_PROBE = "中文字幕城市之梦"
# Names of Simplified Chinese faces, and of faces for other regions or of lesser use on video.
_SIMPLIFIED = re.compile(r"\b(SC|CN|Hans|GB|Simplified)\b|Zen Hei|Micro Hei|YaHei", re.IGNORECASE)
_OTHER_REGION = re.compile(r"\b(JP|KR|TC|HK|Hant|Traditional)\b")
_LESSER = re.compile(r"\b(Mono|Sharp)\b")
_MAX_FACES = 64  # a collection holds a handful; this only bounds a corrupt file
# Han, kana, Hangul, CJK symbols and punctuation, full-width forms, and the supplementary planes.
_CJK = re.compile(
    "[\u2e80-\u2fdf\u3000-\u30ff\u3100-\u31ff\u3200-\u9fff\uac00-\ud7af\uf900-\ufaff"
    "\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]"
)


class FontNotFound(NemoError):
    """No font face that draws Chinese was found (or `NEMO_WIDGETS_FONT` names a bad one)."""

    default_hint = f"pip install {FONT_PACKAGE}"


@dataclass(frozen=True)
class Face:
    """One face of a font file: the file, the face's index in it, and the face's family name."""

    path: Path
    index: int = 0
    name: str = ""

    def load(self, size: int, *, basic: bool = False) -> ImageFont.FreeTypeFont:
        """The face at `size` px; `basic` lays out one character at a time (no shaping)."""
        engine = ImageFont.Layout.BASIC if basic else None
        return ImageFont.truetype(str(self.path), size, index=self.index, layout_engine=engine)


def needs_cjk(text: str) -> bool:
    """True when `text` holds a Chinese, Japanese or Korean character."""
    return _CJK.search(text) is not None


def _signature(font: ImageFont.FreeTypeFont, char: str) -> tuple[object, bytes]:
    mask = font.getmask(char)
    return mask.getbbox(), bytes(mask)


def _drawn(font: ImageFont.FreeTypeFont, chars: set[str]) -> set[str]:
    """The characters of `chars` that `font` (laid out BASIC: no shaping) draws as real glyphs.

    A missing character is drawn as the face's .notdef glyph (the "tofu" box) or as nothing; both
    are told by comparing its mask with that of a private-use code point, which no text face maps.
    """
    notdef = _signature(font, "\ue000")
    real = set()
    for char in chars:
        sig = _signature(font, char)
        if sig[0] is not None and sig != notdef:
            real.add(char)
    return real


def has_glyphs(face: Face | str | os.PathLike[str], text: str) -> bool:
    """True when `face` (or a file's first face) draws every non-space character of `text`."""
    if not isinstance(face, Face):
        face = Face(Path(face))
    try:
        font = face.load(48, basic=True)
    except OSError:
        return False
    wanted = {c for c in text if not c.isspace()}
    return _drawn(font, wanted) == wanted


def faces(path: str | os.PathLike[str]) -> list[Face]:
    """Every face of a font file (one for a .ttf/.otf, several for a .ttc/.otc)."""
    found: list[Face] = []
    for index in range(_MAX_FACES):
        try:
            family = ImageFont.truetype(os.fspath(path), 12, index=index).getname()[0] or ""
        except OSError:
            break
        found.append(Face(Path(path), index, family))
    return found


def _rank(face: Face) -> tuple[int, int]:
    region = 0 if _SIMPLIFIED.search(face.name) else 2 if _OTHER_REGION.search(face.name) else 1
    return region, 1 if _LESSER.search(face.name) else 0


def _chinese_face(path: str | os.PathLike[str]) -> Face | None:
    """The face of `path` best for Simplified Chinese (by name), if any face draws Chinese."""
    for face in sorted(faces(path), key=_rank):
        if has_glyphs(face, _PROBE):
            return face
    return None


def _packaged() -> list[str]:
    try:
        import noto_cjk_sans_otc
    except ImportError:
        return []
    return [os.fspath(noto_cjk_sans_otc.FONT_PATH)]


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
def _search() -> Face | FontNotFound:
    # The failure is cached too: text without CJK asks on every segment, and the search runs
    # fontconfig.
    override = os.environ.get("NEMO_WIDGETS_FONT")
    if override:
        if not Path(override).is_file():
            return FontNotFound(f"NEMO_WIDGETS_FONT={override}: no such file")
        face = _chinese_face(override)
        if face is None:
            return FontNotFound(f"NEMO_WIDGETS_FONT={override} cannot draw Chinese text")
        return face
    for candidate in (*_packaged(), *_KNOWN, *_fontconfig_candidates()):
        if Path(candidate).is_file() and (face := _chinese_face(candidate)) is not None:
            return face
    return FontNotFound(
        "no font that can draw Chinese text was found (nemo-widgets[local] installs "
        f"{FONT_PACKAGE}; NEMO_WIDGETS_FONT may name any .ttf/.otf/.ttc that draws Chinese)"
    )


def cjk_font() -> Face:
    """The face that draws Chinese text; raises `FontNotFound` (its hint is a pip command)."""
    found = _search()
    if isinstance(found, FontNotFound):
        raise FontNotFound(found.message)
    return found


def forget() -> None:
    """Search again on the next call (after `NEMO_WIDGETS_FONT` or the installed fonts change)."""
    _search.cache_clear()
    _missing.cache_clear()


def face_for(text: str) -> Face | None:
    """The face to draw `text` with; None means Pillow's built-in face (Latin text only)."""
    if needs_cjk(text):
        return cjk_font()
    found = _search()
    return None if isinstance(found, FontNotFound) else found


def load(face: Face | None, size: int, *, basic: bool = False) -> ImageFont.FreeTypeFont:
    """`face` at `size` px, or Pillow's built-in face for None."""
    if face is not None:
        return face.load(size, basic=basic)
    font = ImageFont.load_default(size)
    assert isinstance(font, ImageFont.FreeTypeFont)  # Pillow is always built with FreeType here
    return font.font_variant(layout_engine=ImageFont.Layout.BASIC) if basic else font


@functools.lru_cache(maxsize=256)
def _missing(face: Face | None, chars: frozenset[str]) -> frozenset[str]:
    wanted = {c for c in chars if not c.isspace()}
    return frozenset(wanted - _drawn(load(face, 48, basic=True), wanted))


def drawable(text: str, face: Face | None) -> str:
    """`text` without the characters `face` cannot draw (emoji, say), and the gaps they leave."""
    missing = _missing(face, frozenset(text))
    if not missing:
        return text
    kept = "".join(c for c in text if c not in missing)
    return "\n".join(re.sub(r"[ \t]{2,}", " ", line).strip() for line in kept.splitlines())
