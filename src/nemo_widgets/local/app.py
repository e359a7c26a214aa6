"""The offline backend's HTTP app: every endpoint of the NemoVideo contract.

JSON answers use the envelope `{"code": 0, "message": "ok", "data": {...}}`; errors carry a
non-zero `code`, a `message` (and `detail`, as ADK/FastAPI servers say it) with these statuses:

| code | HTTP | when |
|------|------|------|
| 1001 | 401 | missing, unknown or expired bearer token |
| 1002 | 404 | unknown session (or another client's) |
| 2001 | 403 | balance too low for a generation (100) or an edit (50); `data.bind_id` for the link |
| 4001 | 415 | unsupported, empty, unreadable or spoofed file; non-http(s) upload URL |
| 4002 | 413 | a file over the upload limit (500 MB), enforced while streaming |
| 400  | 400 | anonymous-token call without `X-Client-Id` |
| 402  | 402 | render request without all three attribution headers (`X-Skill-*`) |
| 429  | 429 | a second anonymous token for a client id within 7 days (`Retry-After: 30`) |
A client id whose live token expires within `RENEW_WINDOW` may get the next one (clients renew
before `expires_at`).
Codes added beyond the contract:
| 4000 | 422 (400: bad multipart) | body not JSON, not an object; unknown/missing fields |
| 4003 | 400 | invalid draft: empty, negative or overlapping times, past `d`, unknown media |
| 4004 | 400 | an upload URL could not be fetched (network error, time-out, HTTP error) |
| 4005 | 404/409 | unknown render job or media; download of a job not completed |
| 4009 | 409 | a chat message is still running in this session |
| 5000 | 5xx | injected fault (`Faults.fail_next`), or an unexpected server error |

The chat stream (`POST /run_sse`) answers errors before the stream starts as JSON (404 unknown
session, 422 bad body, 401, 403 no credits); after it started, as `data: {"error": …}` events.

`ServerOptions.dialect == "vendor"` answers as the vendor's documents show (see `_vendor`):
render routes on `{success, data}`, `files[]` uploads, numeric-string session ids, ISO-8601
`expires_at`, `user_id` in the session and state answers. Both dialects have the cancel route.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from . import _access, _chat, _renders, _upload, _vendor
from ._common import ApiError, Backend, ServerOptions, absolute, json_body, ok
from .faults import Faults
from .store import Store

__all__ = ["RENEW_WINDOW", "ROUTE_NAMES", "create_app"]

RENEW_WINDOW = 600.0  # seconds before expiry when a client id may get its next token


async def anonymous_token(request: Request) -> Response:
    """POST /api/auth/anonymous-token: a 7-day token with 100 credits per client id."""
    nemo: Backend = request.app.state.nemo
    client_id = request.headers.get("x-client-id", "").strip()
    if not client_id:
        raise ApiError(400, 400, "X-Client-Id header required")
    live = [t for t in nemo.store.tokens_of(client_id) if nemo.token_valid(t)]
    if any(t["expires_at"] > time.time() + RENEW_WINDOW for t in live):
        raise ApiError(429, 429, "one token per client id per 7 days")
    rec = nemo.store.issue_token(client_id)
    vendor = _vendor.is_vendor(nemo)
    return ok(
        {
            "token": rec["token"],
            "credits": rec["balance"],
            "expires_in": int(nemo.store.token_ttl),
            "expires_at": _vendor.iso_time(rec["expires_at"]) if vendor else rec["expires_at"],
            "user_id": rec["user_id"],
        }
    )


async def create_session(request: Request) -> Response:
    """POST /api/tasks/me/with-session/nemo_agent: a new editing session."""
    nemo: Backend = request.app.state.nemo
    rec = nemo.auth(request)
    body = await json_body(request, {"task_name", "language"}, empty_ok=True)
    lang = body.get("language", "en")
    name = body.get("task_name", "project")
    if not isinstance(lang, str) or not isinstance(name, str):
        raise ApiError(422, 4000, "task_name and language must be strings")
    if _vendor.is_vendor(nemo):
        s = nemo.store.create_session(rec["client_id"], name, lang, _vendor.numeric_id())
        return ok(
            {"task_id": s["task_id"], "session_id": s["session_id"], "user_id": rec["user_id"]}
        )
    s = nemo.store.create_session(rec["client_id"], name, lang)
    return ok({"task_id": s["task_id"], "session_id": s["session_id"], "bind_id": rec["user_id"]})


async def claim_token(request: Request) -> Response:
    """POST /api/auth/claim-token: a short-lived token for the browser link."""
    nemo: Backend = request.app.state.nemo
    rec = nemo.auth(request)
    body = await json_body(request, {"task_id", "session_id"}, {"session_id"})
    s = nemo.session_of(rec, str(body["session_id"]))
    if "task_id" in body and body["task_id"] != s["task_id"]:
        raise ApiError(404, 1002, "task not found for this session")
    claim = nemo.store.create_claim(s["session_id"], nemo.options.claim_ttl)
    web = nemo.options.web_url or str(request.base_url).rstrip("/")
    return ok(
        {
            "claim_token": claim["claim_token"],
            "expires_in": nemo.options.claim_ttl,
            "url": f"{web}/workspace/claim?ct={claim['claim_token']}",
        }
    )


async def claim_page(request: Request) -> Response:
    """GET /workspace/claim?ct=…: the page a claim link opens (a summary of the project)."""
    nemo: Backend = request.app.state.nemo
    claim = nemo.store.claims.get(request.query_params.get("ct", ""))
    if claim is None or claim["expires_at"] < time.time():
        return HTMLResponse("<h1>Link expired or unknown</h1>", status_code=404)
    s = nemo.store.session(claim["session_id"])
    if s is None:
        return HTMLResponse("<h1>Project not found</h1>", status_code=404)
    tracks = s["draft"].get("t", []) if isinstance(s["draft"], dict) else []
    items = "".join(
        f"<li>{html.escape(str(t.get('nm', '?')))}: {len(t.get('sg') or [])} segment(s)</li>"
        for t in tracks
    )
    return HTMLResponse(
        f"<!doctype html><meta charset=utf-8><title>NemoVideo project</title>"
        f"<h1>Project {html.escape(s['task_id'])}</h1><p>{len(s['video_infos'])} upload(s)</p>"
        f"<ul>{items}</ul>"
    )


async def credits(request: Request) -> Response:
    """GET /api/credits/balance/simple: available, frozen, total."""
    nemo: Backend = request.app.state.nemo
    rec = nemo.auth(request)
    return ok(
        {
            "available": rec["balance"] - rec["frozen"],
            "frozen": rec["frozen"],
            "total": rec["balance"],
            "bind_id": rec["user_id"],
        }
    )


async def state(request: Request) -> Response:
    """GET /api/state/nemo_agent/me/<sid>/latest: the session's draft and media."""
    nemo: Backend = request.app.state.nemo
    rec = nemo.auth(request)
    s = nemo.session_of(rec, request.path_params["session_id"])
    data = {
        "state": absolute(nemo.store.snapshot(s), request),
        "session_id": s["session_id"],
        "task_id": s["task_id"],
        "bind_id": rec["user_id"],
        "running": s["session_id"] in nemo.busy,
    }
    if _vendor.is_vendor(nemo):
        data["state"]["video_analyses"] = {}  # the vendor's state has it (nothing analysed here)
        data.update(task_name=s.get("task_name", ""), user_id=rec["user_id"])
    return ok(data)


ROUTES = [
    Route("/", _access.index, methods=["GET"], name="index"),
    Route("/api/auth/anonymous-token", anonymous_token, methods=["POST"], name="anonymous_token"),
    Route(
        "/api/tasks/me/with-session/nemo_agent", create_session, methods=["POST"], name="session"
    ),
    Route("/api/auth/claim-token", claim_token, methods=["POST"], name="claim_token"),
    Route("/workspace/claim", claim_page, methods=["GET"], name="claim_page"),
    Route("/run_sse", _chat.run_sse, methods=["POST"], name="run_sse"),
    Route(
        "/api/upload-video/nemo_agent/me/{session_id}",
        _upload.upload,
        methods=["POST"],
        name="upload",
    ),
    Route("/api/credits/balance/simple", credits, methods=["GET"], name="credits"),
    Route("/api/state/nemo_agent/me/{session_id}/latest", state, methods=["GET"], name="state"),
    Route("/api/render/proxy/lambda", _renders.submit, methods=["POST"], name="render"),
    Route(
        "/api/render/proxy/lambda/{job_id}", _renders.status, methods=["GET"], name="render_status"
    ),
    Route(
        "/api/render/proxy/lambda/{job_id}/cancel",
        _renders.cancel,
        methods=["POST"],
        name="render_cancel",
    ),
    Route(
        "/api/render/proxy/{job_id}/download",
        _renders.download,
        methods=["GET", "HEAD"],
        name="download",
    ),
    Route(
        "/api/media/{session_id}/{media_id}", _upload.media, methods=["GET", "HEAD"], name="media"
    ),
]
ROUTE_NAMES = [r.name for r in ROUTES]


class _Instrument:
    """Counts requests per (method, route), adds latency, answers injected 5xx."""

    def __init__(self, app: ASGIApp, routes: list[Route], faults: Faults, counts: Counter[Any]):
        self.app, self.routes, self.faults, self.counts = app, routes, faults, counts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        name, path = None, scope["path"]
        for r in self.routes:
            match, _ = r.matches(scope)
            if match != Match.NONE:
                name, path = r.name, r.path
                break
        self.counts[(scope["method"], path)] += 1
        if self.faults.latency > 0:
            await asyncio.sleep(self.faults.latency)
        if name and self.faults.take_failure(name, path, f"{scope['method']} {path}"):
            status = self.faults.fail_status
            resp: Response
            if self.faults.fail_html:
                resp = HTMLResponse(
                    f"<html><body><h1>{status} Bad Gateway</h1></body></html>", status_code=status
                )
            else:
                resp = JSONResponse(
                    {"code": 5000, "message": "injected failure", "data": None}, status_code=status
                )
            await resp(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    if _vendor.speaks_success_envelope(request.app.state.nemo, request):
        return _vendor.render_error(exc)
    return exc.response()


async def _server_error(request: Request, exc: Exception) -> Response:
    return JSONResponse(
        {"code": 5000, "message": f"internal error: {type(exc).__name__}", "data": None},
        status_code=500,
    )


def create_app(
    data_dir: Path,
    faults: Faults | None = None,
    options: ServerOptions | None = None,
    counts: Counter[Any] | None = None,
    on_startup: Callable[[], None] | None = None,
) -> Starlette:
    """The ASGI app over a data dir; `faults` and `counts` are shared with the server object."""
    options = options or ServerOptions()
    faults = faults if faults is not None else Faults()
    counts = counts if counts is not None else Counter()
    store = Store(data_dir, token_ttl=options.token_ttl, initial_credits=options.initial_credits)
    nemo = Backend(store=store, faults=faults, options=options)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        nemo.renders = _renders.Renders(nemo)
        nemo.renders.resume()
        if on_startup is not None:
            on_startup()
        try:
            yield
        finally:
            await nemo.renders.aclose()
            for t in list(nemo.tasks):
                t.cancel()
            if nemo.tasks:
                await asyncio.gather(*nemo.tasks, return_exceptions=True)
            await asyncio.to_thread(store.close)  # the last writes (released turns) land first

    app = Starlette(
        routes=ROUTES,
        lifespan=lifespan,
        exception_handlers={ApiError: _api_error, 500: _server_error},
    )
    app.state.nemo = nemo
    app.add_middleware(_Instrument, routes=ROUTES, faults=faults, counts=counts)
    app.add_middleware(_access.AccessLog, store=store)
    return app
