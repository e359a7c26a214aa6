"""What may be uploaded: the one list of accepted types and the one sniffer of their first bytes
(the client before sending, the offline backend on arrival, the upload widget's picker)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "MAX_BYTES",
    "SUPPORTED",
    "Format",
    "extension",
    "fits",
    "sniff",
]

MAX_BYTES = 500 * 1000 * 1000  # "500 MB" per file (decimal, the stricter reading for the cloud)


@dataclass(frozen=True)
class Format:
    kind: str  # "video" | "image" | "audio"
    mime: str
    family: str  # formats of one container family may carry each other's extension


FORMATS: dict[str, Format] = {
    "mp4": Format("video", "video/mp4", "iso"),
    "mov": Format("video", "video/quicktime", "iso"),
    "avi": Format("video", "video/x-msvideo", "avi"),
    "webm": Format("video", "video/webm", "ebml"),
    "mkv": Format("video", "video/x-matroska", "ebml"),
    "jpg": Format("image", "image/jpeg", "jpg"),
    "png": Format("image", "image/png", "png"),
    "gif": Format("image", "image/gif", "gif"),
    "webp": Format("image", "image/webp", "webp"),
    "mp3": Format("audio", "audio/mpeg", "mp3"),
    "wav": Format("audio", "audio/wav", "wav"),
    "m4a": Format("audio", "audio/mp4", "iso"),
    "aac": Format("audio", "audio/aac", "aac"),
}
_ALIASES = {"jpeg": "jpg"}
SUPPORTED = ", ".join(FORMATS)  # for messages: "mp4, mov, …"
EXTENSIONS: tuple[str, ...] = (*FORMATS, *_ALIASES)  # every accepted file name ending
# AAC also comes in an MP4 container (an .m4a renamed); behind an ID3 tag it cannot be told from
# mp3 in the first bytes, so an ID3-led .aac is refused
_ALSO = {"aac": {"iso"}}
_BRANDS = {b"qt  ": "mov", b"M4A ": "m4a", b"M4B ": "m4a", b"M4P ": "m4a"}  # other ftyp: mp4
# old QuickTime files start with one of these atoms, not `ftyp` (ffmpeg's mov demuxer probes them)
_OLD_QUICKTIME = (b"moov", b"mdat", b"wide", b"free", b"skip")


def extension(name: str) -> str:
    """The lower-case extension of a file name, aliases resolved ('' if none)."""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    return _ALIASES.get(ext, ext)


def sniff(head: bytes) -> str | None:
    """The format (a FORMATS key) told by a file's first bytes, or None when unknown."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        return _BRANDS.get(head[8:12], "mp4")
    if len(head) >= 8 and head[4:8] in _OLD_QUICKTIME:
        return "mov"
    if len(head) >= 12 and head[:4] == b"RIFF":
        return {b"AVI ": "avi", b"WAVE": "wav", b"WEBP": "webp"}.get(head[8:12])
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "webm" if b"webm" in head[:64] else "mkv"
    if head[:3] == b"\xff\xd8\xff":
        return "jpg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:3] == b"ID3":
        return "mp3"
    if head[:4] == b"ADIF":
        return "aac"
    if len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0:
        layer = (head[1] >> 1) & 0x03
        if layer == 0:  # reserved in MPEG audio; ADTS when the sync word is 0xFFF
            return "aac" if head[1] & 0xF6 == 0xF0 else None
        return "mp3"
    return None


def fits(ext: str, found: str | None) -> bool:
    """Whether content sniffed as `found` may be named `.ext` (an extension() result)."""
    if found is None or ext not in FORMATS:
        return False
    family = FORMATS[found].family
    return family == FORMATS[ext].family or family in _ALSO.get(ext, ())
