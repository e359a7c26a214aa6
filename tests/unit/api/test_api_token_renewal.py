"""The client over a scripted transport: `user_id`/`expires_at` from the token answer, renewal
before expiry driven by an injected clock, the 7-day quota never looped on, the cancel call, and
render answers on the `{success, data}` envelope."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from test_api_wire import SID, Backend, client, env, run

from nemo_widgets import RateLimited
from nemo_widgets.api import AsyncClient

ANON = "/api/auth/anonymous-token"
CREDITS = "/api/credits/balance/simple"


class Clock:
    """Wall time that moves only when the test says so."""

    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def token(name: str, expires_at: Any, **extra: Any) -> httpx.Response:
    return env({"token": name, "credits": 100, "expires_at": expires_at, **extra})


def test_user_id_and_expiry_come_from_the_token_answer() -> None:
    backend = Backend()
    backend.script[ANON] = [token("nmv_usr_a", "2026-03-18T00:00:00Z", user_id="anon_abc")]
    api = client(backend)
    answer = run(api.anonymous_token())
    assert answer["user_id"] == "anon_abc" and answer["expires_at"] == 1773792000.0
    assert api.credentials.user_id == "anon_abc" and api.credentials.is_anonymous


def test_token_is_renewed_before_it_expires() -> None:
    backend, clock = Backend(), Clock()
    backend.script[ANON] = [
        token("nmv_usr_a", 1_000_000.0 + 3600),  # an hour of life
        token("nmv_usr_b", 1_000_000.0 + 7 * 86400),
    ]
    api = AsyncClient(
        "https://api.test",
        transport=httpx.MockTransport(backend),
        clock=clock,
        token_cache_key=None,
    )

    async def go() -> None:
        await api.credits()
        clock.now += 3600 - 600  # ten minutes left: not yet
        await api.credits()
        clock.now += 400  # under five minutes left: renew first
        await api.credits()
        await api.credits()

    run(go())
    assert backend.paths() == [ANON, CREDITS, CREDITS, ANON, CREDITS, CREDITS]
    bearers = [r.headers.get("authorization") for r in backend.requests if r.url.path == CREDITS]
    assert bearers == ["Bearer nmv_usr_a"] * 2 + ["Bearer nmv_usr_b"] * 2


def test_a_refused_early_renewal_keeps_the_token_and_asks_once() -> None:
    backend, clock = Backend(), Clock()
    quota = httpx.Response(429, json={"code": 429, "message": "one token per 7 days"})
    backend.script[ANON] = [token("nmv_usr_a", 1_000_000.0 + 60), quota]
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    api = AsyncClient(
        "https://api.test",
        transport=httpx.MockTransport(backend),
        clock=clock,
        sleep=sleep,
        token_cache_key=None,
    )

    async def go() -> None:
        await api.anonymous_token()
        for _ in range(3):
            await api.credits()  # due from the start: one renewal tried, refused, then none

    run(go())
    assert backend.paths() == [ANON, ANON, CREDITS, CREDITS, CREDITS] and sleeps == []
    assert {r.headers.get("authorization") for r in backend.requests[2:]} == {"Bearer nmv_usr_a"}


def test_token_quota_is_not_waited_for_or_retried() -> None:
    backend, sleeps = Backend(), []
    backend.script[ANON] = [httpx.Response(429, json={"code": 429, "message": "quota"})] * 3
    with pytest.raises(RateLimited) as info:
        run(client(backend, sleeps).credits())
    assert backend.paths() == [ANON] and sleeps == []
    assert "7 days" in str(info.value)


def test_session_answer_ids_stay_strings_and_tell_the_user() -> None:
    backend = Backend()
    sid = "5529798706024415232"
    backend.script["/api/tasks/me/with-session/nemo_agent"] = [
        httpx.Response(
            200,
            content=b'{"code":0,"data":{"task_id":"task_x","session_id":5529798706024415232,'
            b'"user_id":"usr_9"}}',
        )
    ]
    api = client(backend, token="nmv_usr_given")
    assert run(api.create_session()) == {"task_id": "task_x", "session_id": sid}
    assert api.credentials.user_id == "usr_9" and not api.credentials.is_anonymous


def test_render_on_the_success_envelope_and_cancel() -> None:
    backend = Backend()
    lam = "/api/render/proxy/lambda"
    backend.script[lam] = [
        httpx.Response(
            200, json={"success": True, "data": {"id": "r1", "status": "pending", "progress": 5}}
        )
    ]
    done = {"id": "r1", "status": "completed", "progress": 100, "outputUrl": "https://cdn/r1.mp4"}
    backend.script[f"{lam}/r1"] = [httpx.Response(200, json={"success": True, "data": done})]
    backend.script[f"{lam}/r1/cancel"] = [httpx.Response(200, json={"success": True})]
    api = client(backend, token="nmv_usr_given")
    submitted = run(api.render("r1", SID, {"t": []}))
    assert (submitted.status, submitted.percent) == ("pending", 5.0)
    status = run(api.render_status("r1"))
    assert (status.status, status.url) == ("completed", "https://cdn/r1.mp4")
    cancelled = run(api.cancel_render("r1"))
    assert cancelled.status == "cancelled"  # an answer with no status: the cancel was taken
    request = backend.requests[-1]
    assert (request.method, request.url.path, request.read()) == ("POST", f"{lam}/r1/cancel", b"")


def test_a_kept_token_near_its_end_is_used_when_no_new_one_is_given() -> None:
    import time

    from nemo_widgets.api._auth import load_client_id, save_token

    save_token("https://api.test", load_client_id(), "nmv_usr_kept", time.time() + 100, None)
    backend = Backend()
    backend.script[ANON] = [httpx.Response(429, json={"code": 429, "message": "quota"})]
    api = AsyncClient("https://api.test", transport=httpx.MockTransport(backend))
    assert run(api.credits()).available == 90
    assert backend.paths() == [ANON, CREDITS]  # renewal tried once, refused: the kept one works
    assert backend.requests[-1].headers["authorization"] == "Bearer nmv_usr_kept"
