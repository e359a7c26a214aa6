"""`connect()` and `current()`: build a Session, start the offline backend if asked, reuse the live
session when a notebook cell runs the same `connect()` again."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from . import _loop
from ._jobs import JobBook
from ._options import Options
from .api import AsyncClient
from .errors import NemoError
from .session import Session

__all__ = ["connect", "current", "forget"]

LOCAL_CREDITS = 100_000  # starter credits of the in-process offline backend

_lock = threading.Lock()
_current: Session | None = None
_signatures: dict[int, tuple[Any, ...]] = {}  # id(session) -> the connect() arguments


def _start_local(
    stack: contextlib.ExitStack, data_dir: str | os.PathLike[str] | None, dialect: str
) -> Any:
    try:
        from .local import serve
    except ImportError as exc:
        raise NemoError(
            f"backend='local' needs the offline backend's dependencies ({exc.name} is missing)",
            hint="pip install 'nemo-widgets[local]'",
        ) from None
    # The contract's 100 starter credits pay for one generation only; an offline backend on the
    # user's own machine costs nothing, so it starts with enough for a long notebook session.
    return stack.enter_context(
        serve(
            port=0,
            data_dir=None if data_dir is None else Path(data_dir),
            initial_credits=LOCAL_CREDITS,
            dialect=dialect,
        )
    )


def _open(
    backend: str,
    api_url: str | None,
    token: str | None,
    language: str,
    opts: Options,
    data_dir: str | os.PathLike[str] | None,
    web_url: str | None,
    resume: bool,
    dialect: str = "adk",
) -> Session:
    stack = contextlib.ExitStack()
    server = None
    try:
        if backend == "local" and api_url is None:
            server = _start_local(stack, data_dir, dialect)
            api_url = server.url
            # a data dir outlives the kernel, a port does not: records are keyed by the folder
            place = f"local|{Path(data_dir).resolve()}" if data_dir is not None else None
        else:
            place = f"{backend}|{(api_url or os.environ.get('NEMO_API_URL') or '').rstrip('/')}"
        if backend == "local":
            web_url = web_url or api_url  # the offline backend serves the claim page itself
        api = AsyncClient(api_url, token, options=opts, web_url=web_url, token_cache_key=place)
        # the working folder stands in for "this notebook": a restarted kernel keeps it, while
        # notebooks in other folders do not re-attach to each other's session
        key = f"{place}|{api.credentials.fingerprint()}|{os.getcwd()}" if place else None
        session = Session(
            api, backend=backend, language=language, options=opts, record_key=key, book=JobBook()
        )
        session.server = server
        session._on_close.append(stack.close)
        try:
            _loop.run(session._start(resume))
        except BaseException:
            _loop.run(api.aclose())
            raise
    except BaseException:
        stack.close()
        raise
    return session


def connect(
    backend: str = "cloud",
    api_url: str | None = None,
    token: str | None = None,
    language: str = "en",
    **kw: Any,
) -> Session:
    """See `nemo_widgets.connect`."""
    global _current
    if backend not in ("cloud", "local"):
        raise ValueError(f"backend must be 'cloud' or 'local', not {backend!r}")
    options: Options | None = kw.pop("options", None)
    data_dir = kw.pop("data_dir", None)
    web_url = kw.pop("web_url", None)
    new = bool(kw.pop("new", False))
    resume = bool(kw.pop("resume", True)) and not new
    dialect = kw.pop("dialect", "adk")  # the offline backend's way of speaking (tests, notebooks)
    base = options or (Options.for_local() if backend == "local" else Options())
    try:
        opts = dataclasses.replace(base, **kw)
    except TypeError:
        known = ", ".join(f.name for f in dataclasses.fields(Options))
        raise TypeError(
            f"connect() got an unknown keyword in {sorted(kw)}; options: {known}"
        ) from None
    token_id = hashlib.sha256(token.encode()).hexdigest() if token else None
    where = str(Path(data_dir).resolve()) if data_dir is not None else None
    signature = (
        backend,
        api_url,
        token_id,
        language,
        where,
        web_url,
        dialect,
        dataclasses.astuple(opts),
    )
    with _lock:
        live = _current
        # new=True: a fresh backend session, neither the live one nor the recorded one
        same = live is not None and _signatures.get(id(live)) == signature
        if not new and same and live is not None and not live.closed:
            return live  # the same cell run again: keep the session, its history and its server
        session = _open(backend, api_url, token, language, opts, data_dir, web_url, resume, dialect)
        _signatures[id(session)] = signature
        _current = session
    return session


def current() -> Session:
    """See `nemo_widgets.current`."""
    if _current is None or _current.closed:
        raise NemoError("no live session", hint="Run nemo_widgets.connect() first.")
    return _current


def forget(session: Session) -> None:
    """Drop a closed session from the registry."""
    global _current
    with _lock:
        _signatures.pop(id(session), None)
        if _current is session:
            _current = None
