"""The outermost layer of the offline backend's app: one INFO line per request (method, path,
status, time; never the query string or a header, so never a token or a media key), no response
before the store has what it answers on disk, a client that goes away mid-body logged as one
line instead of a traceback; and `GET /`, which says what this server is.
"""

from __future__ import annotations

import html
import logging
import time
from typing import TYPE_CHECKING

from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ... import __version__

if TYPE_CHECKING:
    from ..store import Store

__all__ = ["AccessLog", "index"]

log = logging.getLogger("nemo_widgets.local")
CONTRACT = (
    "the NemoVideo backend contract: the endpoint table in the module nemo_widgets.local.app "
    "(python -m pydoc nemo_widgets.local.app) and 'The offline backend' in the project README"
)


class AccessLog:
    """Log each request once; hold each response start until the store's writes are done."""

    def __init__(self, app: ASGIApp, store: Store):
        self.app, self.store = app, store

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        status = 0

        async def send_durably(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                pending = self.store.barrier()
                if pending is not None:
                    await pending
            await send(message)

        method, path = scope["method"], scope["path"]
        try:
            await self.app(scope, receive, send_durably)
        except ClientDisconnect:
            ms = (time.perf_counter() - t0) * 1000
            log.info(
                "%s %s: the client went away before its body was sent (%.0f ms)", method, path, ms
            )
            return
        log.info("%s %s %s %.1f ms", method, path, status or "-", (time.perf_counter() - t0) * 1000)


async def index(request: Request) -> Response:
    """GET /: what this server is, its endpoints, and where the contract is written down."""
    nemo = request.app.state.nemo
    endpoints = [
        f"{' '.join(sorted(r.methods - {'HEAD'} or r.methods))} {r.path}"
        for r in request.app.routes
        if isinstance(r, Route) and r.methods and r.path != "/"
    ]
    info = {
        "name": "nemo-widgets offline backend",
        "version": __version__,
        "about": "a local server speaking the NemoVideo cloud's HTTP contract, for demos and tests",
        "dialect": nemo.options.dialect,
        "contract": CONTRACT,
        "endpoints": endpoints,
    }
    if "text/html" in request.headers.get("accept", ""):
        items = "".join(f"<li><code>{html.escape(e)}</code></li>" for e in endpoints)
        return HTMLResponse(
            f"<!doctype html><meta charset=utf-8><title>{info['name']}</title>"
            f"<h1>{info['name']} {html.escape(__version__)}</h1><p>{html.escape(info['about'])}"
            f" (dialect {html.escape(info['dialect'])}).</p><p>Contract: {html.escape(CONTRACT)}."
            f"</p><ul>{items}</ul>"
        )
    return JSONResponse({"code": 0, "message": "ok", "data": info})
