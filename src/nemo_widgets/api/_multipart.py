"""A multipart/form-data body streamed from disk, 1 MiB at a time in a worker thread, with a known
length and progress (httpx's own multipart reads files on the event loop and reports none)."""

from __future__ import annotations

import asyncio
import hashlib
import mimetypes
import os
import secrets
from collections.abc import AsyncIterator, Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import NemoError

CHUNK = 1 << 20

# `progress=`: a callable(done, total) is told; True (a bar), None (one if watched), False (none)
ProgressArg = Callable[[int, int], Any] | bool | None

# what browsers do (WHATWG form encoding): escape the three characters that break the header
_QUOTE = str.maketrans({"\\": "\\\\", '"': "%22", "\r": "%0D", "\n": "%0A"})


class Progress:
    """Tells `done` of `total` bytes to the caller's callback and the session's hook."""

    def __init__(self, total: int, *feeds: ProgressArg) -> None:
        self.total = total
        self._feeds = [f for f in feeds if callable(f)]

    def update(self, done: int) -> None:
        for feed in self._feeds:
            feed(done, self.total)


class MultipartFiles:
    """One upload request's body: `paths` in the form field `files`; `feeds` hear the bytes sent."""

    def __init__(self, paths: Sequence[str | os.PathLike[str]], *feeds: ProgressArg) -> None:
        boundary = f"nemo-{secrets.token_hex(16)}"
        self.paths = [Path(p) for p in paths]
        self.sizes = [p.stat().st_size for p in self.paths]
        self._heads = [
            f"--{boundary}\r\n"
            f'Content-Disposition: form-data; name="files"; filename="{p.name.translate(_QUOTE)}"'
            f"\r\nContent-Type: {mimetypes.guess_type(p.name)[0] or 'application/octet-stream'}"
            "\r\n\r\n".encode()
            for p in self.paths
        ]
        self._tail = f"--{boundary}--\r\n".encode()
        self.progress = Progress(sum(self.sizes), *feeds)
        # exact, so that the server can refuse a too-large body at once (each file ends in CRLF)
        framing = sum(map(len, self._heads)) + 2 * len(self.paths) + len(self._tail)
        self.headers = {
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Content-Length": str(framing + self.progress.total),
        }
        self.sha256: list[str] = []  # of each file's bytes as sent, filled in while streaming

    async def stream(self) -> AsyncIterator[bytes]:
        """Yield the body; restartable (each call reads the files again)."""
        done = 0
        self.sha256 = []
        for head, path, size in zip(self._heads, self.paths, self.sizes, strict=True):
            yield head
            digest = hashlib.sha256()
            with open(path, "rb") as f:
                left = size
                while left > 0:
                    chunk = await asyncio.to_thread(f.read, min(CHUNK, left))
                    if not chunk:
                        raise NemoError(f"{path.name} got shorter while it was being uploaded")
                    left -= len(chunk)
                    done += len(chunk)
                    digest.update(chunk)
                    yield chunk
                    self.progress.update(done)
            self.sha256.append(digest.hexdigest())
            yield b"\r\n"
        yield self._tail
