"""The token never reaches a repr, an error message, a log line or a URL."""

from __future__ import annotations

import asyncio
import logging
import stat
import traceback
from pathlib import Path

import httpx
import pytest

from nemo_widgets import NemoError
from nemo_widgets.api import AsyncClient, Client

TOKEN = "nmv_usr_SECRET0123456789abcdef"


def leaky(request: httpx.Request) -> httpx.Response:
    """A backend that echoes the token back in its error messages, as a careless one might."""
    path = request.url.path
    auth = request.headers.get("authorization", "")
    if path == "/api/auth/anonymous-token":
        return httpx.Response(200, json={"code": 0, "data": {"token": TOKEN, "expires_in": 600}})
    if path == "/api/credits/balance/simple":
        return httpx.Response(401, json={"code": 1001, "message": f"bad token {auth}"})
    if path.startswith("/api/state/"):
        return httpx.Response(502, text=f"<html>upstream said {auth}</html>")
    return httpx.Response(500, json={"code": 5000, "message": f"crash with {TOKEN}"})


def test_token_absent_from_reprs_errors_and_debug_logs(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[BaseException] = []

    async def go() -> AsyncClient:
        api = AsyncClient("https://api.test", transport=httpx.MockTransport(leaky), sleep=_nosleep)
        await api.anonymous_token()
        for call in (api.credits(), api.state("s1"), api.create_session()):
            try:
                await call
            except NemoError as exc:
                errors.append(exc)
        return api

    api = asyncio.run(go())
    assert len(errors) == 3
    texts = [repr(api), repr(api.credentials), str(api.http.headers), caplog.text]
    for exc in errors:
        texts += [str(exc), repr(exc), *map(str, exc.args)]
        texts.append("".join(traceback.format_exception(exc)))
    for text in texts:
        assert TOKEN not in text
        assert "SECRET0123" not in text


def test_token_given_by_the_user_stays_out_of_reprs() -> None:
    api = Client("https://api.test", token=TOKEN)
    assert TOKEN not in repr(api) and TOKEN not in repr(api.aio.credentials)


def test_stored_anonymous_token_is_private_to_the_user(home: Path) -> None:
    async def go() -> None:
        api = AsyncClient("https://api.test", transport=httpx.MockTransport(leaky))
        await api.anonymous_token()

    asyncio.run(go())
    stored = home / ".config/nemovideo/tokens.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert not (home / ".config/nemovideo/client_id").read_text().startswith("nmv_")


async def _nosleep(_: float) -> None:
    return None
