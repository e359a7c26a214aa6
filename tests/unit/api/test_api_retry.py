"""The retry table: `retry_delay` decides every transport retry, with no clock and no socket."""

from __future__ import annotations

import pytest

from nemo_widgets.api import retry_delay
from nemo_widgets.api._retry import BACKOFF_CAP, is_idempotent, parse_retry_after, recovery

STATE = "/api/state/nemo_agent/me/s1/latest"
SESSION = "/api/tasks/me/with-session/nemo_agent"
RENDER = "/api/render/proxy/lambda"
CLAIM = "/api/auth/claim-token"

# (method, path, status, code, attempt, retry_after, rand) -> expected delay (None: give up)
TABLE = [
    pytest.param("GET", STATE, 503, 5000, 0, None, 0.0, 0.25, id="get-503-first-min-jitter"),
    pytest.param("GET", STATE, 503, 5000, 0, None, 1.0, 0.5, id="get-503-first-max-jitter"),
    pytest.param("GET", STATE, 502, None, 1, None, 0.0, 0.5, id="get-502-second"),
    pytest.param("GET", STATE, 500, 5000, 2, None, 1.0, 2.0, id="get-500-third"),
    pytest.param("GET", STATE, 503, 5000, 3, None, 0.5, None, id="get-503-retries-exhausted"),
    pytest.param("GET", STATE, None, None, 0, None, 0.0, 0.25, id="get-connection-error"),
    pytest.param("GET", STATE, 504, None, 0, 3.0, 0.7, 3.0, id="retry-after-honoured"),
    pytest.param("GET", STATE, 503, None, 0, 9999.0, 0.7, 120.0, id="retry-after-capped"),
    pytest.param("POST", SESSION, 503, 5000, 0, None, 0.0, None, id="post-session-never-on-5xx"),
    pytest.param("POST", RENDER, 502, None, 0, None, 0.0, None, id="post-render-never-on-5xx"),
    pytest.param("POST", SESSION, None, None, 0, None, 0.0, None, id="post-never-on-conn-error"),
    pytest.param("POST", CLAIM, 503, 5000, 0, None, 0.0, 0.25, id="claim-post-is-idempotent"),
    pytest.param("POST", "/run_sse", 503, None, 0, None, 0.0, None, id="run-sse-never-5xx"),
    pytest.param("POST", "/run_sse", 429, 429, 0, None, 0.0, None, id="run-sse-never-429"),
    pytest.param("POST", "/run_sse", None, None, 0, None, 0.0, None, id="run-sse-never-conn"),
    pytest.param("GET", STATE, 429, 429, 0, None, 0.0, 30.0, id="429-waits-once"),
    pytest.param("GET", STATE, 429, 429, 0, 5.0, 0.0, 30.0, id="429-configured-wait-rules"),
    pytest.param("GET", STATE, 429, 429, 1, None, 0.0, None, id="429-only-once"),
    pytest.param("POST", SESSION, 429, 429, 0, None, 0.0, 30.0, id="429-post-waits-once"),
    pytest.param("GET", STATE, 401, 1001, 0, None, 0.0, None, id="1001-not-a-transport-retry"),
    pytest.param("GET", STATE, 404, 1002, 0, None, 0.0, None, id="1002-never"),
    pytest.param("GET", STATE, 403, 2001, 0, None, 0.0, None, id="2001-never"),
    pytest.param("POST", RENDER, 402, 402, 0, None, 0.0, None, id="402-never"),
    pytest.param("GET", STATE, 200, 4001, 0, None, 0.0, None, id="envelope-error-on-200-never"),
]


@pytest.mark.parametrize(
    ("method", "path", "status", "code", "attempt", "after", "r", "want"), TABLE
)
def test_retry_table(
    method: str,
    path: str,
    status: int | None,
    code: int | None,
    attempt: int,
    after: float | None,
    r: float,
    want: float | None,
) -> None:
    got = retry_delay(method, path, status, code, attempt, after, rand=lambda: r)
    assert got == pytest.approx(want) if want is not None else got is None


def test_backoff_is_capped_and_grows() -> None:
    delays = [
        retry_delay("GET", STATE, 503, None, n, None, max_retries=20, rand=lambda: 1.0)
        for n in range(10)
    ]
    assert delays == sorted(delays)
    assert max(d for d in delays if d is not None) == BACKOFF_CAP


def test_rate_limit_wait_is_configurable() -> None:
    assert retry_delay("GET", STATE, 429, None, 0, None, rate_limit_wait=0.01) == 0.01


def test_max_retries_is_configurable() -> None:
    assert retry_delay("GET", STATE, 503, None, 0, None, max_retries=0) is None


@pytest.mark.parametrize(
    ("value", "want"),
    [("7", 7.0), (" 1.5 ", 1.5), ("-3", 0.0), ("", None), (None, None), ("soon", None)],
)
def test_parse_retry_after_seconds(value: str | None, want: float | None) -> None:
    assert parse_retry_after(value) == want


def test_parse_retry_after_http_date() -> None:
    now = 1_700_000_000.0  # 2023-11-14T22:13:20Z
    assert parse_retry_after("Tue, 14 Nov 2023 22:13:30 GMT", now=now) == pytest.approx(10.0)


@pytest.mark.parametrize(
    ("method", "path", "want"),
    [("GET", STATE, True), ("POST", SESSION, False), ("POST", CLAIM, True), ("PUT", "/x", True)],
)
def test_idempotent(method: str, path: str, want: bool) -> None:
    assert is_idempotent(method, path) is want


@pytest.mark.parametrize(
    ("path", "code", "anonymous", "expected"),
    [
        ("/api/state/nemo_agent/me/s/latest", 1001, True, "token"),
        ("/run_sse", 1001, True, "token"),  # refused before it ran: safe to send again
        ("/api/state/nemo_agent/me/s/latest", 1001, False, None),  # a given token is not renewed
        ("/api/auth/anonymous-token", 400, True, "client_id"),
        ("/api/auth/anonymous-token/", 400, False, "client_id"),
        ("/api/credits/balance/simple", 400, True, None),
        ("/api/credits/balance/simple", 1002, True, None),
        ("/api/credits/balance/simple", None, True, None),
    ],
)
def test_recovery(path: str, code: int | None, anonymous: bool, expected: str | None) -> None:
    assert recovery(path, code, anonymous) == expected
