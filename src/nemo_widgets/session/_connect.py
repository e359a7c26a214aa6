"""`connect()`/`current()`: a Session (and the offline backend if asked), reused by a cell rerun."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import threading
from pathlib import Path
from typing import Any

from .. import _loop
from .._options import Options
from .._text import default_language, ui_text
from ..api import AsyncClient
from ..errors import NemoError
from ._record import Recorder
from ._session import Session

LOCAL_CREDITS = 100_000  # the offline backend's: the contract's 100 pay for one generation only

_lock = threading.Lock()
_current: tuple[Session, tuple[Any, ...]] | None = None  # and the connect() arguments that made it


def _local_backend(data_dir: str | None, dialect: str) -> contextlib.AbstractContextManager[Any]:
    try:
        from ..local import serve  # the offline backend's dependencies are an extra
    except ImportError as exc:
        raise NemoError(
            f"backend='local' needs the offline backend's dependencies ({exc.name} is missing)",
            hint="pip install 'nemo-widgets[local]'",
        ) from None
    # without `data_dir` it owns a temp folder, removed when it stops or the interpreter ends
    return serve(port=0, data_dir=data_dir, initial_credits=LOCAL_CREDITS, dialect=dialect)


def connect(
    backend: str = "cloud",
    api_url: str | None = None,
    token: str | None = None,
    language: str | None = None,
    *,
    options: Options | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    resume: bool = True,
    new: bool = False,
    web_url: str | None = None,
    record: str | os.PathLike[str] | None = None,
    refresh: bool = False,
    **overrides: Any,
) -> Session:
    """Connect (or re-use the live session of an identical earlier call) and make it current.

    `backend="local"` starts the offline backend in-process (in `data_dir`, default a temporary
    folder), or with `api_url` uses one already running. `resume` re-attaches to the session, render
    jobs and chat history an earlier run recorded for this backend and identity; `new=True` starts
    a fresh session (an empty chat) instead. `overrides` set `Options` fields (`poll_interval=0.1`).
    The token comes from `token`, `NEMO_TOKEN`, or an anonymous sign-in. `language` (default: the
    locale's, `zh-CN` or `en`) is the session's and the UI's: `zh`, `zh-CN`, `zh_TW`, `zh-Hans`…
    show every label and message in Chinese. `record="promo.nemo.json"` records each chat turn
    there and replays it on a later run (same reply and draft, no chat call, no credits; a new
    session each run); `refresh=True` asks everything again and rewrites the record.
    """
    global _current
    if backend not in ("cloud", "local"):
        raise ValueError(f"backend must be 'cloud' or 'local', not {backend!r}")
    language = language or default_language()
    dialect = overrides.pop("dialect", "adk")  # the offline backend's way of speaking (tests)
    base = options or (Options.for_local() if backend == "local" else Options())
    try:
        opts = dataclasses.replace(base, **overrides)
    except TypeError:
        known = ", ".join(f.name for f in dataclasses.fields(Options))
        raise TypeError(
            f"connect() got an unknown keyword in {sorted(overrides)}; options: {known}"
        ) from None
    token_id = hashlib.sha256(token.encode()).hexdigest() if token else None
    where = str(Path(data_dir).resolve()) if data_dir is not None else None
    recorded = None if record is None else (str(Path(record).expanduser().absolute()), refresh)
    fields = dataclasses.astuple(opts)  # a snapshot: the session's options may change later
    signature = (backend, api_url, token_id, language, where, web_url, dialect, fields, recorded)
    live = _current
    if live is not None and not live[0].closed and live[1] == signature:
        if not new and record is None:
            return live[0]  # the same cell run again: keep the session, its history and its server
        # new=True: a fresh backend session; a recorded notebook run again starts afresh
        live[0].close()
    with _lock, contextlib.ExitStack() as stack:
        # a foreign record fails here, before any request
        recorder = None if record is None else Recorder(record, refresh, backend, language)
        server = None
        if backend == "local" and api_url is None:
            server = stack.enter_context(_local_backend(where, dialect))
            api_url = server.url
            # a data dir outlives the kernel, a port does not: records are keyed by the folder
            place = f"local|{where}" if where is not None else None
        else:
            place = f"{backend}|{(api_url or os.environ.get('NEMO_API_URL') or '').rstrip('/')}"
        if backend == "local":
            web_url = web_url or api_url  # the offline backend serves the claim page itself
        api = AsyncClient(api_url, token, options=opts, web_url=web_url, token_cache_key=place)
        # the working folder stands in for "this notebook": a restarted kernel keeps it, while
        # notebooks in other folders do not re-attach to each other's session
        key = f"{place}|{api.credentials.fingerprint()}|{os.getcwd()}" if place else None
        session = Session(api, backend=backend, language=language, options=opts, record_key=key)
        session.server, session.recorder = server, recorder
        if recorder is not None:
            recorder.secrets = lambda: [api.credentials.header().get("Authorization", "")[7:]]
        try:
            # a recorded notebook starts afresh: its draft comes from the record
            _loop.run(session._start(resume and not new and recorder is None))
        except BaseException:
            _loop.run(api.aclose())
            raise
        session._on_close.append(stack.pop_all().close)
        _current = (session, signature)
    return session


def current() -> Session:
    """The session made by the last `connect()`."""
    if _current is None or _current[0].closed:
        raise NemoError(ui_text("error.no_session"), hint=ui_text("hint.connect_first"))
    return _current[0]
