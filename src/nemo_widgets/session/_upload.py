"""What may be uploaded, checked before the first byte is sent: a renamed file is caught by its
first bytes here, not after a 500 MB transfer."""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import FileTooLarge, InputError, UnsupportedFile
from ..formats import EXTENSIONS, MAX_BYTES, SUPPORTED, extension, fits, sniff

URL_STARTS = ("http:", "https:", "www.")


def check_file(path: Path) -> Path:
    """Raise the typed error that uploading `path` would end in; return it if fine."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if path.is_dir():
        raise InputError(f"{path} is a directory; give the files in it (e.g. '{path}/*.mp4')")
    ext = path.suffix.lower().lstrip(".")
    if ext not in EXTENSIONS:
        raise UnsupportedFile(f"{path.name}: .{ext or '(no extension)'} files are not accepted")
    size = path.stat().st_size
    if size == 0:
        raise UnsupportedFile(f"{path.name} is empty", hint="Check that the file was fully saved.")
    if size > MAX_BYTES:
        raise FileTooLarge(f"{path.name} is {size / 1e6:.0f} MB; the limit is 500 MB per file")
    with open(path, "rb") as f:
        fmt = sniff(f.read(64))
    if not fits(extension(path.name), fmt):
        found = f"its content is {fmt.upper()}" if fmt else "its content is not a media type"
        raise UnsupportedFile(
            f"{path.name} is named .{ext} but {found}",
            hint=f"Convert it or give it its real extension ({SUPPORTED}).",
        )
    return path


def _check_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https"):
        raise InputError(f"not an http(s) URL: {text!r}")
    if not parts.hostname or any(c.isspace() for c in text) or ".." in parts.hostname:
        raise InputError(f"malformed URL: {text!r}")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise InputError(f"malformed URL (bad port): {text!r}") from None
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
                raise InputError(f"no file matches {text!r}")
        files.extend(check_file(Path(p)) for p in paths)
    if not files and not urls:
        raise InputError("nothing to upload")
    unique = list({f.resolve(): f for f in files}.values())  # a file named twice goes once
    return unique, urls
