"""One server per data dir: an exclusive `flock` on `<data dir>/server.lock`, held for the
server's life. The kernel drops the lock with the process (kill -9 included), so a stale lock
never blocks; the file's content (pid, URL) only names the holder for the error message.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path
from typing import Any

from ._db import StoreError

__all__ = ["LOCK_NAME", "DataDirInUse", "DataDirLock"]

LOCK_NAME = "server.lock"


class DataDirInUse(StoreError):
    """Another server (named in the message) serves this data dir."""

    def __init__(self, data_dir: Path, holder: dict[str, Any]):
        self.holder = holder
        who = f"pid {holder.get('pid', '?')}"
        if holder.get("url"):
            who += f", {holder['url']}"
        super().__init__(
            f"another nemo-widgets server ({who}) is using the data dir {data_dir}; stop it, "
            "or pass another --data-dir"
        )


class DataDirLock:
    """The lock of one data dir: `acquire()`, `describe(url)` once the URL is known, `release()`."""

    def __init__(self, data_dir: Path):
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / LOCK_NAME
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock or raise DataDirInUse naming the holder."""
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            _lock(fd)
        except OSError as e:
            os.close(fd)
            if e.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise DataDirInUse(self.data_dir, self._holder()) from None
        self._fd = fd
        self.describe(None)

    def describe(self, url: str | None) -> None:
        """Write who holds the lock (pid, URL) into the lock file."""
        if self._fd is None:
            return
        data = json.dumps({"pid": os.getpid(), "url": url}).encode()
        os.ftruncate(self._fd, 0)
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, data)

    def _holder(self) -> dict[str, Any]:
        try:
            value = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}

    def release(self) -> None:
        """Give the lock up (the file stays; its content is only read while locked)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.ftruncate(fd, 0)
            os.close(fd)  # closing the descriptor drops the flock


def _lock(fd: int) -> None:
    """An exclusive, non-blocking lock that the OS drops when the process ends."""
    if sys.platform == "win32":  # pragma: no cover - no fcntl there; same semantics
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
