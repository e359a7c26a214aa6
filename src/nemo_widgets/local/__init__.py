"""The offline backend: a real local server that speaks the NemoVideo contract.

    with nemo_widgets.local.serve() as server:     # background thread, free port
        server.url                                 # http://127.0.0.1:PORT

Install with the `local` extra. See `app` for the endpoints and error codes, `agent` for the
editing agent and the draft keys it writes, `faults` for fault injection.
"""

from __future__ import annotations

from ._common import ServerOptions
from .app import create_app
from .faults import Faults
from .server import LocalServer, serve
from .store import DataDirInUse, StoreError

__all__ = [
    "DataDirInUse",
    "Faults",
    "LocalServer",
    "ServerOptions",
    "StoreError",
    "create_app",
    "serve",
]
