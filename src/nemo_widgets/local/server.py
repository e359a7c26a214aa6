"""The one loopback helper: run the offline backend with uvicorn in a background thread on a free
port, wait until it serves, stop it cleanly. Used by the tests, `connect(backend="local")` and
`nemo-widgets serve` alike.
"""

from __future__ import annotations

import atexit
import contextlib
import dataclasses
import logging
import os
import shutil
import socket
import tempfile
import threading
import weakref
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import uvicorn

from ._common import ServerOptions
from .app import create_app
from .faults import Faults
from .routes.sse import Drop
from .store import DataDirLock

__all__ = ["LocalServer", "serve"]


class _HideDrops(logging.Filter):
    """uvicorn logs an app that raised mid-response; an injected drop is not worth a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, Drop)


_filter = _HideDrops()
logging.getLogger("uvicorn.error").addFilter(_filter)
_TEMP_PREFIX = "nemo-local-"  # + "<pid>-": the process whose server owns the folder
_own_dirs: weakref.WeakSet[LocalServer] = weakref.WeakSet()  # servers in a temp folder, running


@atexit.register
def _stop_all() -> None:
    # A script or kernel that never stops its server leaves no temp folder behind: a kernel's
    # shutdown ends its interpreter normally, so this runs there too.
    for server in list(_own_dirs):
        with contextlib.suppress(Exception):
            server.stop()


def _temp_data_dir() -> Path:
    """A fresh temp folder named for this process; first remove those of processes now gone.

    A process killed outright (a forced kernel restart, the OOM killer) runs no exit handler, so
    its folder is removed by the next server started on the machine instead.
    """
    for old in Path(tempfile.gettempdir()).glob(f"{_TEMP_PREFIX}*-*"):
        pid = old.name[len(_TEMP_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f"{_TEMP_PREFIX}{os.getpid()}-"))


def _alive(pid: int) -> bool:
    if os.name == "nt":  # signal 0 means CTRL_C_EVENT there: never sent; folders are kept
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # someone else's process (EPERM), or a platform without signal 0
        return True
    return True


class LocalServer:
    """A running offline backend: `.url`, `.port`, `.faults`, `.counts`, `.data_dir`, `.stop()`."""

    def __init__(
        self,
        port: int = 0,
        data_dir: str | Path | None = None,
        faults: Faults | None = None,
        host: str = "127.0.0.1",
        log_level: str = "warning",
        **opts: Any,
    ):
        names = {f.name for f in dataclasses.fields(ServerOptions)}
        unknown = sorted(set(opts) - names)
        if unknown:
            raise TypeError(f"unknown server option(s): {', '.join(unknown)}")
        self.options = ServerOptions(**opts)
        self.faults = faults if faults is not None else Faults()
        self.counts: Counter[tuple[str, str]] = Counter()
        self._own_dir = data_dir is None
        self.data_dir = _temp_data_dir() if data_dir is None else Path(data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.host = host
        self._lock = DataDirLock(self.data_dir)
        self._lock.acquire()  # DataDirInUse (naming the other server) before anything is read
        self._sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind((host, port))
            self.port: int = self._sock.getsockname()[1]
            shown = f"[{host}]" if ":" in host else host
            self.url = f"http://{shown}:{self.port}"
            self._lock.describe(self.url)
            self.app = create_app(self.data_dir, self.faults, self.options, self.counts)
        except BaseException:
            self._sock.close()
            self._lock.release()
            if self._own_dir:
                shutil.rmtree(self.data_dir, ignore_errors=True)
            raise
        config = uvicorn.Config(
            self.app,
            log_level=log_level,
            log_config=None,
            lifespan="on",
            timeout_graceful_shutdown=2,
            timeout_keep_alive=5,
            access_log=False,
        )
        self._server = uvicorn.Server(config)
        self._thread: threading.Thread | None = None
        self._stopped = False
        if self._own_dir:
            _own_dirs.add(self)

    @classmethod
    def start(cls, *args: Any, **kwargs: Any) -> LocalServer:
        """Start a server and return it once it answers (call `.stop()` when done)."""
        server = cls(*args, **kwargs)
        server._run()
        return server

    def _run(self) -> None:
        self._thread = threading.Thread(
            target=self._serve, name=f"nemo-local:{self.port}", daemon=True
        )
        self._thread.start()
        while not self._server.started:
            self._thread.join(0.01)
            if not self._thread.is_alive():
                self._cleanup()
                raise RuntimeError("the offline backend did not start (see the log)")

    def _serve(self) -> None:
        self._server.run(sockets=[self._sock])

    @property
    def running(self) -> bool:
        """Whether the server thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def expire_tokens(self, token: str | None = None) -> None:
        """Expire one token, or all tokens issued so far (a fault; see `Faults.expire_tokens`)."""
        self.faults.expire_tokens(token)

    def count(self, method: str, path: str) -> int:
        """How many `method path` requests arrived (path as the route's template)."""
        return self.counts[(method.upper(), path)]

    def stop(self) -> None:
        """Stop serving, join the thread, close the socket (and remove a temp data dir)."""
        if self._stopped:
            return
        self._stopped = True
        self.app.state.nemo.closing.set()  # open chat streams end now, not after a time-out
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(15)
            if self._thread.is_alive():  # graceful shutdown stuck: force it
                self._server.force_exit = True
                self._thread.join(5)
        self._cleanup()

    def _cleanup(self) -> None:
        self._sock.close()
        if not self.running:  # a thread stuck past force_exit may still write: keep the lock
            self._lock.release()
        if self._own_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<LocalServer {self.url} data_dir={str(self.data_dir)!r}>"


@contextmanager
def serve(
    port: int = 0,
    data_dir: str | Path | None = None,
    faults: Faults | None = None,
    host: str = "127.0.0.1",
    **opts: Any,
) -> Iterator[LocalServer]:
    """Run the offline backend for the duration of a `with` block; yields the `LocalServer`."""
    server = LocalServer.start(port=port, data_dir=data_dir, faults=faults, host=host, **opts)
    try:
        yield server
    finally:
        server.stop()
