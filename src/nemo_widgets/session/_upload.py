"""What may be uploaded, checked before the first byte is sent: a renamed file is caught by its
first bytes here, not after a 500 MB transfer."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from .._text import ui_text
from ..errors import FileTooLarge, InputError, UnsupportedFile
from ..formats import EXTENSIONS, MAX_BYTES, SUPPORTED, extension, fits, sniff

URL_STARTS = ("http:", "https:", "www.")


def check_file(path: Path) -> Path:
    """Raise the typed error that uploading `path` would end in; return it if fine."""
    if not path.exists():
        raise InputError(ui_text("input.no_such_file", path=path))
    if path.is_dir():
        raise InputError(ui_text("input.is_dir", path=path))
    ext = path.suffix.lower().lstrip(".")
    if ext not in EXTENSIONS:
        shown = ext or ui_text("input.no_ext")
        raise UnsupportedFile(ui_text("input.not_accepted", name=path.name, ext=shown))
    size = path.stat().st_size
    if size == 0:
        raise UnsupportedFile(
            ui_text("upload.empty", name=path.name), hint=ui_text("hint.saved_fully")
        )
    if size > MAX_BYTES:
        raise FileTooLarge(ui_text("input.too_large", name=path.name, mb=f"{size / 1e6:.0f}"))
    with open(path, "rb") as f:
        fmt = sniff(f.read(64))
    if not fits(extension(path.name), fmt):
        key = "input.mislabeled" if fmt else "input.not_media"
        said = ui_text(key, name=path.name, ext=ext, fmt=(fmt or "").upper())
        raise UnsupportedFile(said, hint=ui_text("hint.convert", formats=SUPPORTED))
    return path


def _check_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(ui_text("input.not_url", url=repr(text)))
    if not parts.hostname or any(c.isspace() for c in text) or ".." in parts.hostname:
        raise InputError(ui_text("input.malformed_url", url=repr(text)))
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InputError(ui_text("input.bad_port", url=repr(text))) from None
    return text


def resolve(items: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str]]:
    """Expand and check everything; returns (files, urls) or raises before any request."""
    files: list[Path] = []
    urls: list[str] = []
    for item in items:
        text = os.fspath(item)
        if isinstance(item, str) and ("://" in text or text.lower().startswith(URL_STARTS)):
            urls.append(_check_url(text))
            continue
        text = os.path.expanduser(text)
        paths = [text]
        if any(c in text for c in "*?["):
            paths = sorted(m for m in glob.glob(text, recursive=True) if not os.path.isdir(m))
            if not paths:
                raise InputError(ui_text("input.no_match", pattern=repr(text)))
        files.extend(check_file(Path(p)) for p in paths)
    if not files and not urls:
        raise InputError(ui_text("input.nothing"))
    unique = list({f.resolve(): f for f in files}.values())  # a file named twice goes once
    return unique, urls
