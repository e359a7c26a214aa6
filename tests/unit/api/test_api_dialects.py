"""The vendor's variants read by pure pieces: both envelopes, the
render status and URL wherever they are, `files[]`, the state's extra keys, the token's expiry
and user, the advice texts, the poll back-off. Tables, and hypothesis for the readers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets import ExportBlocked, NemoError, NoCredits, RateLimited
from nemo_widgets._options import Options
from nemo_widgets.api import Media, RenderStatus, State, retry_delay
from nemo_widgets.api._auth import Credentials, token_expiry
from nemo_widgets.api._request import parse_body, to_error
from nemo_widgets.session._export import poll_waits

WEB = "https://nemovideo.com"


def body(obj: Any) -> bytes:
    return json.dumps(obj).encode()


@pytest.mark.parametrize(
    ("status", "obj", "bare_ok", "ok", "code", "data"),
    [
        pytest.param(
            200, {"success": True, "data": {"a": 1}}, False, True, None, {"a": 1}, id="ok"
        ),
        pytest.param(200, {"success": True}, False, True, None, {}, id="ok-no-data"),
        pytest.param(
            200,
            {"success": True, "data": {"id": "r"}, "status": "x"},
            True,
            True,
            None,
            {"id": "r", "status": "x"},
            id="ok-extras-merged",
        ),
        pytest.param(
            200, {"success": False, "error": "dup id"}, True, False, None, None, id="refused-200"
        ),
        pytest.param(
            400, {"success": False, "error": "bad"}, True, False, 400, None, id="refused-400"
        ),
        pytest.param(
            401,
            {"success": False, "error": "x", "code": 1001},
            True,
            False,
            1001,
            None,
            id="code-kept",
        ),
        pytest.param(
            403,
            {"success": False, "error": {"code": 2001, "message": "no credits"}},
            True,
            False,
            2001,
            None,
            id="nested-error",
        ),
        pytest.param(
            200,
            {"code": 0, "success": False, "error": "no"},
            False,
            False,
            None,
            None,
            id="code-0-refused",
        ),
        pytest.param(
            503, {"success": True, "data": {}}, True, False, 503, None, id="success-on-503"
        ),
    ],
)
def test_success_envelope(
    status: int, obj: Any, bare_ok: bool, ok: bool, code: int | None, data: Any
) -> None:
    outcome = parse_body(status, body(obj), bare_ok=bare_ok)
    assert (outcome.ok, outcome.code) == (ok, code)
    if ok:
        assert outcome.data == data
    else:
        error = to_error(outcome, "export")
        assert isinstance(error, NemoError) and "export:" in error.message
        if code is None:  # the backend refused clearly: not "unreachable"
            assert type(error) is NemoError
            assert obj["error"] in error.message


@pytest.mark.parametrize(
    ("data", "want"),
    [
        pytest.param(
            {"status": "completed", "output": {"url": "u1"}}, ("completed", 100.0, "u1"), id="v0"
        ),
        pytest.param(
            {"data": {"status": "completed", "progress": 100, "outputUrl": "u2"}},
            ("completed", 100.0, "u2"),
            id="api-ref-under-data",
        ),
        pytest.param(
            {"status": "processing", "outputUrl": "u3", "progress": 40},
            ("processing", 40.0, "u3"),
            id="cli",
        ),
        pytest.param(
            {"data": {"status": "completed", "output": {"url": "u4"}}},
            ("completed", 100.0, "u4"),
            id="data-output-url",
        ),
        pytest.param(
            {"id": "r", "status": "pending", "progress": 5}, ("pending", 5.0, None), id="submit"
        ),
        pytest.param(
            {"data": {"status": "canceled"}}, ("cancelled", 0.0, None), id="canceled-spelling"
        ),
        pytest.param({}, ("pending", 0.0, None), id="empty"),
    ],
)
def test_render_status_wherever_it_is(data: dict[str, Any], want: tuple[Any, ...]) -> None:
    s = RenderStatus.from_data("r", data)
    assert (s.status, s.percent, s.url) == want


def test_render_error_read_under_data_only_when_it_ended() -> None:
    failed = RenderStatus.from_data("r", {"data": {"status": "failed", "error": "bad clip"}})
    assert failed.error == "bad clip"
    running = RenderStatus.from_data("r", {"status": "processing", "error": "noise"})
    assert running.error is None


def test_vendor_upload_file() -> None:
    item = {
        "filename": "city.mp4",
        "file_type": "video",
        "cdn_url": "https://static1.nemovideo.ai/u/city.mp4",
        "duration": 30.5,
        "width": 1920,
        "height": 1080,
        "fps": 30,
        "hash": "abc123",
    }
    (m,) = Media.list_from_data({"files": [item], "session_state_applied": True})
    assert (m.id, m.name, m.type, m.url) == ("", "city.mp4", "video", item["cdn_url"])
    assert (m.duration, m.width, m.height, m.fps, m.hash) == (30.5, 1920, 1080, 30.0, "abc123")
    ours = Media.from_data({"id": "med_1", "name": "a.mp4", "duration_ms": 2500, "size": 9})
    assert (ours.id, ours.duration, ours.size, ours.hash) == ("med_1", 2.5, 9, None)


def test_state_keeps_ids_as_strings_and_every_unknown_key() -> None:
    data = {
        "session_id": "5529798706024415232",
        "task_id": "task_xxx",
        "task_name": "Video Project",
        "user_id": "anon_abc",
        "state": {
            "draft": {"t": []},
            "video_infos": [{"id": "v"}],
            "canvas_config": {"width": 1080},
            "video_analyses": {"v": {"scenes": 3}},
            "style_memory": ["warm"],
        },
    }
    state = State.from_data(data)
    assert state.session_id == "5529798706024415232" and state.task_name == "Video Project"
    assert state.video_analyses == {"v": {"scenes": 3}}
    assert state.extra == {"style_memory": ["warm"], "user_id": "anon_abc"}
    assert State.from_data({"session_id": 5529798706024415232}).session_id == "5529798706024415232"


@pytest.mark.parametrize(
    ("expires_at", "expires_in", "want"),
    [
        pytest.param("2026-03-18T00:00:00Z", None, 1773792000.0, id="iso-z"),
        pytest.param("2026-03-18T08:00:00+08:00", None, 1773792000.0, id="iso-offset"),
        pytest.param("2026-03-18T00:00:00", None, 1773792000.0, id="iso-naive-utc"),
        pytest.param(1773792000, None, 1773792000.0, id="epoch-s"),
        pytest.param(1773792000000, None, 1773792000.0, id="epoch-ms"),
        pytest.param("1773792000000", None, 1773792000.0, id="epoch-ms-string"),
        pytest.param(None, 600, 1600.0, id="expires-in"),
        pytest.param("soon", None, None, id="unreadable"),
        pytest.param(None, None, None, id="none"),
    ],
)
def test_token_expiry(expires_at: Any, expires_in: Any, want: float | None) -> None:
    assert token_expiry(expires_at, expires_in, now=1000.0) == want


@pytest.mark.parametrize(
    ("expires_at", "now", "due"),
    [(None, 1e9, False), (1000.0, 600.0, False), (1000.0, 700.0, True), (1000.0, 2000.0, True)],
)
def test_needs_renewal(expires_at: float | None, now: float, due: bool) -> None:
    credentials = Credentials(cache_key=None)  # anonymous: renewed 300 s before it expires
    credentials.set_token("nmv_anon_x", expires_at)
    assert credentials.due(now) is due


@pytest.mark.parametrize(
    ("user_id", "given", "anonymous"),
    [("anon_abc", True, True), ("usr_1", False, False), (None, False, True), (None, True, False)],
)
def test_is_anonymous(user_id: str | None, given: bool, anonymous: bool) -> None:
    credentials = Credentials("nmv_usr_given" if given else None)
    credentials.user_id = user_id
    assert credentials.is_anonymous is anonymous


def advice(status: int, raw: dict[str, Any], path: str = "/run_sse", **kw: Any) -> NemoError:
    return to_error(parse_body(status, body(raw)), "chat", path=path, web_url=WEB, **kw)


def test_no_credits_anonymous_and_registered() -> None:
    anon = advice(403, {"code": 2001, "message": "x"}, anonymous=True, user_id="anon_abc")
    assert isinstance(anon, NoCredits)
    assert anon.register_url == "https://nemovideo.com/register?bind=anon_abc"
    assert anon.hint == (
        "Your free credits are used up! Register to get 100 more credits, and your project "
        "history will be preserved: https://nemovideo.com/register?bind=anon_abc"
    )
    from_error = advice(403, {"code": 2001, "data": {"bind_id": "anon_e"}}, anonymous=True)
    assert from_error.register_url == "https://nemovideo.com/register?bind=anon_e"
    registered = advice(403, {"code": 2001}, anonymous=False, user_id="usr_1")
    assert isinstance(registered, NoCredits) and registered.register_url is None
    assert registered.hint == "Top up at nemovideo.com."


def test_402_and_the_token_quota() -> None:
    blocked = advice(402, {}, path="/api/render/proxy/lambda", anonymous=True)
    assert isinstance(blocked, ExportBlocked)
    assert blocked.hint == "Register at nemovideo.com to unlock export."
    quota = advice(429, {}, path="/api/auth/anonymous-token", anonymous=True)
    assert isinstance(quota, RateLimited) and "7 days" in quota.message
    assert "will not help" in quota.hint and "NEMO_TOKEN" in quota.hint
    congestion = advice(429, {}, path="/api/credits/balance/simple", anonymous=True)
    assert isinstance(congestion, RateLimited) and "7 days" not in str(congestion)


def test_poll_waits_back_off_like_the_vendor_cli() -> None:
    waits = list(poll_waits(Options()))
    assert waits[:6] == [2.0, 3.0, 4.5, 6.75, 10.125, 15.0]
    assert set(waits[6:-1]) == {15.0} and sum(waits) == pytest.approx(300.0)
    fast = Options(poll_interval=0.1, poll_backoff=2.0, poll_max_interval=0.5, poll_timeout=1.0)
    assert list(poll_waits(fast)) == pytest.approx([0.1, 0.2, 0.4, 0.3])
    assert list(poll_waits(Options(poll_timeout=0.0))) == []


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "status",
                    "data",
                    "output",
                    "url",
                    "outputUrl",
                    "progress",
                    "error",
                    "success",
                    "code",
                    "state",
                    "files",
                    "id",
                    "duration",
                    "width",
                ]
            )
            | st.text(max_size=6),
            inner,
            max_size=5,
        )
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(JSON, st.sampled_from([200, 400, 402, 429, 500]), st.booleans())
def test_readers_never_raise_on_any_json(value: Any, status: int, bare_ok: bool) -> None:
    outcome = parse_body(status, body(value), bare_ok=bare_ok)
    if not outcome.ok:
        assert isinstance(to_error(outcome, "call"), NemoError)
    s = RenderStatus.from_data("r", value)
    assert 0.0 <= s.percent <= 100.0 and isinstance(s.status, str)
    assert s.url is None or isinstance(s.url, str)
    State.from_data(value)
    Media.list_from_data(value)


@pytest.mark.parametrize(
    ("method", "path", "status", "want"),
    [
        ("POST", "/api/render/proxy/lambda/r1/cancel", 503, 0.25),  # cancelling twice is harmless
        ("POST", "/api/render/proxy/lambda", 503, None),  # a second render would run twice
        ("POST", "/api/auth/anonymous-token", 429, None),  # the 7-day quota: never waited for
        ("GET", "/api/credits/balance/simple", 429, 30.0),  # congestion: once, after 30 s
    ],
)
def test_retry_rules_for_cancel_and_the_token_quota(
    method: str, path: str, status: int, want: float | None
) -> None:
    got = retry_delay(method, path, status, None, 0, None, rand=lambda: 0.0)
    assert got == want
