"""The kernel end of the browser → kernel file transfer: in-order chunks into a temporary file;
any mismatch drops the transfer with a typed error and removes the file at once."""

from __future__ import annotations

import itertools
import re
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import FileTooLarge, NemoError, UnsupportedFile
from ..formats import EXTENSIONS, MAX_BYTES, extension

MAX_CHUNK = 4 * 1024 * 1024  # per message, far under Tornado's 10 MB websocket cap


class TransferError(NemoError, hint_key="hint.chunk"):
    """A chunk that does not fit the transfer (forged, out of order, truncated, too large)."""


@dataclass
class _Upload:
    name: str
    size: int
    path: Path
    held: int = 0
    next_seq: int = 0
    last: tuple[object, object, int] | None = None  # (seq, offset, length) of the last chunk


@dataclass(eq=False)
class ChunkReceiver:
    """Open transfers, each writing into its own temporary directory."""

    accepted: tuple[str, ...] = EXTENSIONS
    max_size: int = MAX_BYTES  # the same per-file limit as Session.upload
    max_chunk: int = MAX_CHUNK
    root: str | None = None
    _open: dict[str, _Upload] = field(default_factory=dict, init=False, repr=False)
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1), init=False, repr=False)

    def start(self, name: str, size: object) -> str:
        # no directory part, no control characters
        name = re.sub(r"[\x00-\x1f]", "", re.split(r"[\\/]", str(name))[-1]).strip().lstrip(".")
        name = name[:200] or "upload"
        if (ext := extension(name)) not in self.accepted:
            raise UnsupportedFile(f"{name}: type .{ext or '?'} is not accepted.")
        if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
            raise TransferError(f"{name}: declared size {size!r} is not a positive byte count.")
        if size > self.max_size:
            raise FileTooLarge(
                f"{name} is {size / 1e6:.0f} MB, over the {self.max_size // 2**20} MB limit."
            )
        if shutil.disk_usage(self.root or tempfile.gettempdir()).free < size:
            raise TransferError(f"{name}: not enough free disk space on the kernel's machine.")
        path = Path(tempfile.mkdtemp(prefix="nemo-upload-", dir=self.root), name)
        path.touch()
        uid = f"u{next(self._ids)}"
        self._open[uid] = _Upload(name, size, path)
        return uid

    def write(self, uid: object, seq: object, offset: object, data: bytes) -> int:
        """Write one chunk; returns the bytes held. Any mismatch drops the transfer."""
        up = self._get(uid)
        n, limit = len(data), self.max_chunk
        if (seq, offset, n) == up.last:
            return up.held  # the same chunk again: its answer was lost, it is already written
        problems = (
            (seq != up.next_seq, f"chunk {seq!r} arrived, expected chunk {up.next_seq}"),
            (offset != up.held, f"chunk {seq} starts at byte {offset!r}, expected {up.held}"),
            (n == 0, f"chunk {seq} is empty"),
            (n > limit, f"chunk {seq} has {n} bytes, over the {limit}-byte chunk limit"),
            (up.held + n > up.size, f"chunk {seq} goes past the declared size of {up.size} bytes"),
        )
        if problem := next((text for bad, text in problems if bad), None):
            self.cancel(uid)
            raise TransferError(f"{up.name}: {problem}; transfer dropped.")
        try:
            with open(up.path, "ab") as fh:  # the checks above: the file ends at `held`
                fh.write(data)
        except OSError as exc:
            self.cancel(uid)
            raise TransferError(f"{up.name}: could not write the temporary file ({exc}).") from exc
        up.last = (seq, offset, n)
        up.held += n
        up.next_seq += 1
        return up.held

    def finish(self, uid: str) -> Path:
        """The complete file's path (the caller removes it with `discard`); refuses a short one."""
        up = self._get(uid)
        if up.held != up.size:
            self.cancel(uid)
            raise TransferError(f"{up.name}: got {up.held} of {up.size} bytes; transfer dropped.")
        del self._open[uid]
        return up.path

    def cancel(self, uid: object) -> bool:
        """Drop a transfer and its temporary file; False when there was none."""
        up = self._open.pop(uid, None) if isinstance(uid, str) else None
        if up is not None:
            discard(up.path)
        return up is not None

    def cancel_all(self) -> None:
        for uid in list(self._open):
            self.cancel(uid)

    def _get(self, uid: object) -> _Upload:
        up = self._open.get(uid) if isinstance(uid, str) else None
        if up is None:
            raise TransferError(f"unknown or finished upload {uid!r}.")
        return up

    @property
    def open_count(self) -> int:
        return len(self._open)


def discard(path: Path) -> None:
    """Remove a received file and the temporary folder made for it."""
    if path.parent.name.startswith("nemo-upload-"):  # never a folder the receiver did not make
        shutil.rmtree(path.parent, ignore_errors=True)
