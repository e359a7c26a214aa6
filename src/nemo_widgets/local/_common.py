"""Pieces shared by the offline backend's route modules: options, envelope, errors, auth."""

from __future__ import annotations

import dataclasses
import json
import threading
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse

if TYPE_CHECKING:
    from .faults import Faults
    from .store import Store

MAX_UPLOAD = 500 * 1000 * 1000  # bytes per file: the contract's "500 MB", read as decimal
DIALECTS = ("adk", "vendor")  # an ADK server's shapes, or the vendor documents' shapes


@dataclasses.dataclass
class ServerOptions:
    """Timings and limits of one server (the tests shorten the timings)."""

    heartbeat_interval: float = 2.0  # seconds of silence before a heartbeat on the chat stream
    step_delay: float = 1.0  # seconds one editing tool call "works"
    generation_delay: float = 3.0  # seconds the first stage of a generation "works"
    chunk_delay: float = 0.03  # seconds between streamed text chunks
    chunk_chars: int = 12  # characters per streamed text chunk
    silent_rate: float = 0.3  # share of edits that end with no text
    max_upload_bytes: int = MAX_UPLOAD
    url_timeout: float = 30.0  # seconds to fetch an upload URL
    render_concurrency: int = 2  # render jobs running at once (whole server)
    token_ttl: float = 7 * 24 * 3600.0
    initial_credits: int = 100
    claim_ttl: int = 3600  # seconds a claim token lives
    web_url: str | None = None  # base of the claim link (default: this server)
    # "adk": ADK events and the `{code, data}` envelope everywhere; "vendor": the vendor's own
    # documents (typed chat events, `{success, data}` render answers, `files[]` uploads...)
    dialect: str = "adk"

    def __post_init__(self) -> None:
        if self.dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, not {self.dialect!r}")


class ApiError(Exception):
    """An error answered as `{"code", "message", "data"}` with an HTTP status."""

    def __init__(self, status: int, code: int, message: str, data: Any = None):
        super().__init__(message)
        self.status, self.code, self.message, self.data = status, code, message, data

    def response(self) -> JSONResponse:
        """The JSON response (also carries ADK's `detail` for clients that read that)."""
        body = {
            "code": self.code,
            "message": self.message,
            "data": self.data,
            "detail": self.message,
        }
        headers = {"Retry-After": "30"} if self.status == 429 else None
        return JSONResponse(body, status_code=self.status, headers=headers)


def ok(data: Any, **top: Any) -> JSONResponse:
    """The success envelope (extra top-level keys allowed: the render status has `status`)."""
    return JSONResponse({"code": 0, "message": "ok", "data": data, **top})


def bad_body(message: str, status: int = 422) -> ApiError:
    """A body that is not the JSON the endpoint takes (code 4000)."""
    return ApiError(status, 4000, message)


async def json_body(
    request: Request,
    allowed: set[str],
    required: set[str] = frozenset(),  # type: ignore[assignment]
    empty_ok: bool = False,
) -> dict[str, Any]:
    """The request's JSON object; 422/4000 for non-JSON, non-objects, unknown or missing keys."""
    raw = await request.body()
    if empty_ok and not raw.strip():
        return {}
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        raise bad_body("the body is not valid JSON") from None
    if not isinstance(body, dict):
        raise bad_body("the body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise bad_body(f"unknown field(s): {', '.join(unknown)}")
    missing = sorted(required - set(body))
    if missing:
        raise bad_body(f"missing field(s): {', '.join(missing)}")
    return body


@dataclasses.dataclass
class Backend:
    """Everything a request handler needs, hung on `app.state.nemo`."""

    store: Store
    faults: Faults
    options: ServerOptions
    renders: Any = None  # _renders.Renders
    busy: set[str] = dataclasses.field(default_factory=set)  # sessions with a chat run
    closing: threading.Event = dataclasses.field(default_factory=threading.Event)  # stop() began
    tasks: set[Any] = dataclasses.field(default_factory=set)  # background tasks to keep alive

    def token_valid(self, rec: dict[str, Any]) -> bool:
        """Not expired, by time or by a fault."""
        if rec["expires_at"] <= time.time():
            return False
        return not self.faults.token_expired(rec["token"], rec["issued_at"])

    def auth(self, request: Request) -> dict[str, Any]:
        """The token record of the bearer; ApiError 1001 if missing, unknown or expired."""
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(401, 1001, "missing bearer token")
        rec = self.store.token(token.strip())
        if rec is None:
            raise ApiError(401, 1001, "invalid token")
        if not self.token_valid(rec):
            raise ApiError(401, 1001, "token expired")
        return rec

    def session_of(self, rec: dict[str, Any], session_id: str) -> dict[str, Any]:
        """The caller's session; ApiError 1002 if unknown or someone else's."""
        s = self.store.session(session_id)
        if s is None or s["owner"] != rec["client_id"]:
            raise ApiError(404, 1002, "session not found")
        return s


def base_url(request: Request) -> str:
    """This server's base URL as the client reached it (no trailing slash)."""
    return str(request.base_url).rstrip("/")


def attribution_ok(request: Request) -> bool:
    """All three attribution headers present and non-empty."""
    return all(
        request.headers.get(h, "").strip()
        for h in ("x-skill-source", "x-skill-version", "x-skill-platform")
    )


def absolute(state: dict[str, Any], request: Request) -> dict[str, Any]:
    """The state with its media URLs made absolute for the host the client used."""
    base = base_url(request)
    for key in ("video_infos", "generated_media"):
        for m in state.get(key) or []:
            if isinstance(m.get("url"), str) and m["url"].startswith("/"):
                m["url"] = base + m["url"]
    return state
