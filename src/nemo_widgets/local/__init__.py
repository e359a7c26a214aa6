"""The offline backend: a real local server that speaks the NemoVideo contract.

    with nemo_widgets.local.serve() as server:     # background thread, free port
        server.url                                 # http://127.0.0.1:PORT

Install with the `local` extra. `app` holds the endpoint table and error codes; `server` runs it
(`LocalServer`, `serve`); `store/` keeps the state in SQLite; `faults` injects failures; `media`
checks and probes uploads (the types are `nemo_widgets.formats`'); `samples` makes the demo's media;
`cli` and `demo` are the `nemo-widgets` command. `routes/` has one module per family of endpoints,
`agent/` the rule-based editing agent (`agent.respond` documents the draft keys it writes),
`render/` turns a draft into an MP4.
"""

from __future__ import annotations

from ._common import ServerOptions
from .app import create_app
from .faults import Faults
from .samples import make_sample_media
from .server import LocalServer, serve
from .store import DataDirInUse, StoreError

__all__ = [
    "DataDirInUse",
    "Faults",
    "LocalServer",
    "ServerOptions",
    "StoreError",
    "create_app",
    "make_sample_media",
    "serve",
]
