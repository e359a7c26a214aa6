"""`AsyncClient`: a coroutine per endpoint, over one core for auth, envelope, errors, retries; the
chat reply leaves as a `ChatStream` of decoded events, never as bytes or httpx errors."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import functools
import logging
import os
import time
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from .._options import Options
from .._text import ui_text
from ..errors import BackendUnavailable, NemoError, RateLimited, StreamDropped, StreamTimeout
from ..events import ChatTurn, Event
from ._auth import Credentials, token_expiry
from ._models import Credits, Media, RenderStatus, State
from ._multipart import MultipartFiles, Progress, ProgressArg
from ._request import DEFAULT_WEB_URL, attribution_headers, first, parse_body, to_error
from ._retry import ANON_PATH, parse_retry_after, recovery, retry_delay

DEFAULT_API_URL = "https://mega-api-prod.nemovideo.ai"
_DEFAULT: Any = object()
_RENDER = "/api/render/proxy/lambda"
_SESSION = "/api/tasks/me/with-session/nemo_agent"
log = logging.getLogger("nemo_widgets.api")
# Transport failures that happen only before a request leaves: the message was not delivered.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _streamable(content_type: str, kind: str) -> bool:
    """Whether a 2xx answer of this type is the stream (`"sse"`) or file (`"bytes"`) asked for."""
    if kind == "sse":
        return content_type.startswith("text/event-stream")
    return not content_type.startswith("application/json")  # an envelope error may come as 200


class ChatStream:
    """One `/run_sse` reply: event batches, one per read, the last ends in `End`; `turn` sums up."""

    def __init__(self, response: httpx.Response) -> None:
        self.turn = ChatTurn()
        self._response = response

    async def __aiter__(self) -> AsyncGenerator[list[Event], None]:
        try:
            async for chunk in self._response.aiter_bytes():
                if events := self.turn.feed(chunk):
                    yield events
        except httpx.TimeoutException as exc:
            # no byte for the read time-out (= heartbeat_timeout): not even heartbeats
            raise StreamTimeout(ui_text("error.stream_silent", kind=type(exc).__name__)) from None
        except httpx.TransportError as exc:
            raise StreamDropped(ui_text("error.stream_broke", kind=type(exc).__name__)) from None
        yield self.turn.close()


class AsyncClient(contextlib.AbstractAsyncContextManager["AsyncClient"]):
    """The NemoVideo API as coroutines; use it from one event loop (the session uses the package's
    background loop). The token comes from `token`, `NEMO_TOKEN`, or an anonymous sign-in."""

    def __init__(
        self,
        api_url: str | None = None,
        token: str | None = None,
        *,
        options: Options | None = None,
        client_id: str | None = None,
        web_url: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[Any]] | None = None,
        token_cache_key: Any = _DEFAULT,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.api_url = (api_url or os.environ.get("NEMO_API_URL") or DEFAULT_API_URL).rstrip("/")
        self.web_url = (web_url or os.environ.get("NEMO_WEB_URL") or DEFAULT_WEB_URL).rstrip("/")
        self.options = options or Options()
        # anonymous tokens are stored per backend (see _auth.save_token); None keeps them in memory
        key = self.api_url if token_cache_key is _DEFAULT else token_cache_key
        self.credentials = Credentials(token or os.environ.get("NEMO_TOKEN"), client_id, key)
        self.bind_id: str | None = None  # for the registration link of a 2001 (set by the session)
        self._transport = transport
        self._sleep = sleep or asyncio.sleep
        self._clock = clock  # wall time, for the token's `expires_at` (tests pass their own)
        self._http: httpx.AsyncClient | None = None
        self._renewing = asyncio.Lock()  # binds to a loop on first use, not here

    def __repr__(self) -> str:
        return f"AsyncClient({self.api_url!r}, {self.credentials!r})"

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connections."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    @property
    def http(self) -> httpx.AsyncClient:
        """The httpx client, made on first use (inside the loop that will use it)."""
        if self._http is None:
            self._http = httpx.AsyncClient(
                base_url=self.api_url,
                transport=self._transport,
                timeout=httpx.Timeout(self.options.timeout),
                headers=attribution_headers(self.options),
                follow_redirects=True,
            )
        return self._http

    async def _renew_token(self, seen_generation: int, early: bool = False) -> None:
        async with self._renewing:
            if self.credentials.generation != seen_generation:
                return  # somebody renewed meanwhile
            try:
                await self.anonymous_token()
            except RateLimited:
                if not early:
                    raise
                # the held token still works: use it to its end, unrenewed, rather than ask again
                log.debug("early token renewal refused (quota); keeping the current token")
                self.credentials.expires_at = None

    async def _call(
        self,
        method: str,
        path: str,
        what: str,
        *,
        json: Any = None,
        body: MultipartFiles | None = None,
        stream: str | None = None,
        read: float | None = None,
    ) -> Any:
        """The envelope's data, or with `stream` the open response (which the caller must close)."""
        attempts = {False: 0, True: 0}  # retries so far, of other failures / of 429s
        recovered: set[str] = set()
        delay_for = functools.partial(
            retry_delay,
            max_retries=self.options.max_retries,
            rate_limit_wait=self.options.rate_limit_wait,
        )
        if stream == "sse":  # no byte for this long: not even heartbeats
            read = self.options.heartbeat_timeout
        url = urlsplit(path)
        route = url.path or path
        while True:
            headers = {"Accept": "text/event-stream"} if stream == "sse" else {}
            if path == ANON_PATH:
                headers["X-Client-Id"] = self.credentials.client_id
            elif not url.netloc or url[:2] == urlsplit(self.api_url)[:2]:  # the token stays home
                held = self.credentials.held()
                if not held or self.credentials.due(self._clock()):  # renew before it expires
                    await self._renew_token(self.credentials.generation, early=held)
                headers.update(self.credentials.header())
            generation = self.credentials.generation
            request = self.http.build_request(
                method,
                path,
                json=json,
                content=None if body is None else body.stream(),
                headers=headers if body is None else {**headers, **body.headers},
                timeout=httpx.Timeout(self.options.timeout, read=read or self.options.timeout),
            )
            status: int | None = None
            try:
                response = await self.http.send(request, stream=True)
                status = response.status_code
                ctype = response.headers.get("content-type", "")
                if stream and status < 300 and _streamable(ctype, stream):
                    return response
                try:
                    raw = await response.aread()
                finally:
                    await response.aclose()
            except httpx.TransportError as exc:
                outcome, cause, retry_after = None, exc, None
            else:
                # the render routes answer a bare object in one dialect
                outcome = parse_body(status, raw, bare_ok=route.startswith(_RENDER))
                if outcome.ok:
                    if stream:  # a JSON answer where a stream or a file was expected
                        raise BackendUnavailable(f"{what}: expected {stream}, got JSON")
                    return outcome.data
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            code = outcome.code if outcome else None
            limited = status == 429 or code == 429
            tried = attempts[limited]
            log.debug("%s %s -> %s (code %s, attempt %d)", method, route, status, code, tried)
            fix = recovery(route, code, path != ANON_PATH and self.credentials.anonymous)
            if fix is not None and fix not in recovered:
                recovered.add(fix)
                if fix == "token":
                    await self._renew_token(generation)
                else:
                    self.credentials.renew_client_id()
                continue
            delay = delay_for(method, route, status, code, tried, retry_after)
            if delay is not None:
                log.debug("retrying %s %s in %.2fs", method, route, delay)
                await self._sleep(delay)
                attempts[limited] += 1
                continue
            if outcome is None:
                # chained so callers can tell "never sent" from "sent, no answer" by the cause
                problem = str(cause) or "connection failed"
                raise BackendUnavailable(f"{what}: {type(cause).__name__}: {problem}") from cause
            raise to_error(
                outcome,
                what,
                path=route,
                web_url=self.web_url,
                anonymous=self.credentials.is_anonymous,
                user_id=self.credentials.user_id,
                fallback_bind=self.bind_id,
            )

    def _learn_user(self, data: Any) -> None:
        user_id = first(data, "user_id", "userId")
        if isinstance(user_id, str) and user_id and user_id != "me":
            self.credentials.user_id = user_id

    async def anonymous_token(self) -> dict[str, Any]:
        """Get (and hold) an anonymous token for the client id; returns its `credits`."""
        data = await self._call("POST", ANON_PATH, "anonymous sign-in")
        token = first(data, "token", "access_token", "accessToken")
        if not isinstance(token, str) or not token:
            raise BackendUnavailable("anonymous sign-in: the answer holds no token")
        expires_in = first(data, "expires_in", "expiresIn")
        expires_at = token_expiry(first(data, "expires_at", "expiresAt"), expires_in, self._clock())
        self._learn_user(data)  # before the token is stored with it
        self.credentials.set_token(token, expires_at)
        return {
            "credits": first(data, "credits", "balance"),
            "expires_in": expires_in,
            "expires_at": expires_at,
            "user_id": self.credentials.user_id,
        }

    async def create_session(
        self, language: str = "en", task_name: str = "project"
    ) -> dict[str, str]:
        """Start an editing session: `{"task_id", "session_id"}`."""
        body = {"task_name": task_name, "language": language}
        data = await self._call("POST", _SESSION, "create session", json=body)
        session = first(data, "session")
        sid = first(data, "session_id", "sessionId") or first(session, "id", "session_id")
        tid = first(data, "task_id", "taskId", "id") or first(first(data, "task"), "id")
        if not sid:
            raise BackendUnavailable("create session: the answer holds no session id")
        self._learn_user(data)
        return {"task_id": str(tid or ""), "session_id": str(sid)}

    async def claim_token(self, task_id: str, session_id: str) -> dict[str, Any]:
        """A short-lived claim token and the web link that uses it (never the real token)."""
        body = {"task_id": task_id, "session_id": session_id}
        data = await self._call("POST", "/api/auth/claim-token", "claim link", json=body)
        claim = first(data, "claim_token", "claimToken", "token")
        if not claim:
            raise BackendUnavailable("claim link: the answer holds no claim token")
        url = f"{self.web_url}/workspace/claim?ct={claim}"
        return {"claim_token": claim, "expires_in": first(data, "expires_in"), "url": url}

    @contextlib.asynccontextmanager
    async def open_chat(
        self, session_id: str, text: str, *, streaming: bool = True
    ) -> AsyncIterator[ChatStream]:
        """POST /run_sse and yield the reply as a `ChatStream` of decoded events (errors before
        the stream starts raise typed errors; the message is never sent twice)."""
        body = {
            "app_name": "nemo_agent",
            "user_id": "me",
            "session_id": session_id,
            "new_message": {"role": "user", "parts": [{"text": text}]},
            "streaming": streaming,
        }
        try:
            response = await self._call("POST", "/run_sse", "chat", json=body, stream="sse")
        except BackendUnavailable as exc:
            # a failure that may come after delivery (no headers in time) is not resendable
            cause = exc.__cause__
            if isinstance(cause, httpx.TransportError) and not isinstance(cause, _NOT_SENT):
                message = ui_text("error.maybe_delivered", problem=exc.message)
                raise StreamDropped(message) from cause
            raise
        try:
            yield ChatStream(response)
        finally:
            await response.aclose()

    async def upload_files(
        self,
        session_id: str,
        paths: Sequence[str | os.PathLike[str]],
        progress: ProgressArg = None,
        hook: Callable[[int, int], Any] | None = None,
    ) -> list[Media]:
        """Upload files as one streamed multipart request (field `files`)."""
        body = MultipartFiles(paths, progress, hook)
        # the server may take a while to store and probe 500 MB after the last byte
        media = await self._upload(session_id, body=body, read=max(self.options.timeout, 600.0))
        if len(body.sha256) != len(media):
            return media
        # the answer lists the files in the request's order
        return [dataclasses.replace(m, sha256=h) for m, h in zip(media, body.sha256, strict=True)]

    async def upload_urls(self, session_id: str, urls: Sequence[str]) -> list[Media]:
        """Have the backend fetch media from http(s) URLs."""
        return await self._upload(session_id, json={"urls": list(urls), "source_type": "url"})

    async def _upload(self, session_id: str, **kw: Any) -> list[Media]:
        path = f"/api/upload-video/nemo_agent/me/{session_id}"
        return Media.list_from_data(await self._call("POST", path, "upload", **kw))

    async def credits(self) -> Credits:
        """The credit balance."""
        return Credits.from_data(await self._call("GET", "/api/credits/balance/simple", "credits"))

    async def state(self, session_id: str) -> State:
        """The session's latest state."""
        data = await self._call("GET", f"/api/state/nemo_agent/me/{session_id}/latest", "state")
        self._learn_user(data)
        return State.from_data(data)

    async def render(
        self, job_id: str, session_id: str, draft: dict[str, Any], quality: str = "high"
    ) -> RenderStatus:
        """Submit a render job `job_id` (`render_<ms>`)."""
        output = {"format": "mp4", "quality": quality}
        body = {"id": job_id, "sessionId": session_id, "draft": draft, "output": output}
        data = await self._call("POST", _RENDER, "export", json=body)
        return RenderStatus.from_data(job_id, data)

    async def render_status(self, job_id: str) -> RenderStatus:
        """One poll of a render job."""
        data = await self._call("GET", f"{_RENDER}/{job_id}", "export")
        return RenderStatus.from_data(job_id, data)

    async def cancel_render(self, job_id: str) -> RenderStatus:
        """Ask the backend to stop a render job (`POST …/lambda/<id>/cancel`, no body)."""
        data = await self._call("POST", f"{_RENDER}/{job_id}/cancel", "cancel export")
        # an answer without a status still means the cancel was taken
        return RenderStatus.from_data(job_id, data, default="cancelled")

    async def download(
        self,
        job_id: str,
        dest: str | os.PathLike[str],
        *,
        url: str | None = None,
        progress: ProgressArg = None,
        hook: Callable[[int, int], Any] | None = None,
    ) -> Path:
        """Stream the rendered MP4 to `dest` from `url`, else the download route (no half file)."""
        dest = Path(dest)
        dest.parent.mkdir(parents=True, exist_ok=True)
        if url:
            try:
                return await fetch(self, url, dest, progress, hook)
            except NemoError as exc:
                log.debug("the job's URL failed (%s): trying the route", type(exc).__name__)
        return await fetch(self, f"/api/render/proxy/{job_id}/download", dest, progress, hook)


async def fetch(client: AsyncClient, route: str, dest: Path, *feeds: ProgressArg) -> Path:
    """GET `route` into `dest` by way of a `.part` file, so a broken download leaves no `dest`."""
    response = await client._call("GET", route, "download", stream="bytes")
    part = dest.with_name(f".{dest.name}.part")
    # with a content-encoding the length counts the encoded bytes, not the file's: not checkable
    encoded = response.headers.get("content-encoding", "identity") != "identity"
    total = 0 if encoded else int(response.headers.get("content-length") or 0)
    bar = Progress(total, *feeds)
    try:
        with open(part, "wb") as f:
            done = 0
            async for chunk in response.aiter_bytes(1 << 20):
                await asyncio.to_thread(f.write, chunk)
                done += len(chunk)
                bar.update(done)
        if total and done != total:
            raise BackendUnavailable(f"download: got {done} of {total} bytes")
        os.replace(part, dest)
        return dest
    except httpx.TransportError as exc:
        raise BackendUnavailable(f"download broke off: {type(exc).__name__}") from None
    finally:
        await response.aclose()
        part.unlink(missing_ok=True)
