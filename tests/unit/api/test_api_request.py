"""Envelope parsing and attribution: pure functions, every odd body a proxy or a crash can send."""

from __future__ import annotations

from pathlib import Path

import pytest

from nemo_widgets import (
    AuthError,
    BackendUnavailable,
    ExportBlocked,
    NemoError,
    NoCredits,
    RateLimited,
    SessionNotFound,
    UnsupportedFile,
)
from nemo_widgets._options import Options
from nemo_widgets.api import Credits, Media, RenderStatus, State
from nemo_widgets.api._auth import detect_platform
from nemo_widgets.api._request import attribution_headers, parse_body, to_error

HTML = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


@pytest.mark.parametrize(
    ("status", "body", "ok", "code"),
    [
        pytest.param(200, b'{"code":0,"data":{"a":1}}', True, None, id="envelope-ok"),
        pytest.param(200, b'{"code":"0","data":{"a":1}}', True, None, id="string-code"),
        pytest.param(200, b'{"code":0,"data":null}', True, None, id="null-data"),
        pytest.param(200, b'{"code":1001,"message":"expired"}', False, 1001, id="code-on-200"),
        pytest.param(401, b'{"code":1001,"message":"expired"}', False, 1001, id="code-on-401"),
        pytest.param(500, b'{"code":0,"data":{}}', False, 500, id="code-0-on-500"),
        pytest.param(502, HTML, False, 502, id="html-502"),
        pytest.param(429, b"", False, 429, id="empty-429"),
        pytest.param(402, b"Payment Required", False, 402, id="text-402"),
        pytest.param(200, HTML, False, None, id="html-200"),
        pytest.param(200, b"", False, None, id="empty-200"),
        pytest.param(200, b'{"code":0,"data":{"tok', False, None, id="truncated-json"),
        pytest.param(200, b"[1,2]", False, None, id="json-list"),
        pytest.param(200, b'{"status":"completed"}', False, None, id="bare-object-refused"),
        pytest.param(200, b"\xff\xfe\x00garbage", False, None, id="not-utf8"),
        pytest.param(422, b'{"detail":"bad body"}', False, 422, id="fastapi-detail"),
    ],
)
def test_parse_body(status: int, body: bytes, ok: bool, code: int | None) -> None:
    outcome = parse_body(status, body)
    assert outcome.ok is ok
    assert outcome.code == code
    if not ok:
        assert isinstance(to_error(outcome, "call"), NemoError)


def test_bare_render_status_accepted_where_allowed() -> None:
    outcome = parse_body(
        200, b'{"id":"render_1","status":"completed","output":{"url":"u"}}', bare_ok=True
    )
    assert outcome.ok
    status = RenderStatus.from_data("render_1", outcome.data)
    assert (status.status, status.url, status.percent) == ("completed", "u", 100.0)


def test_top_level_status_beside_the_envelope_is_merged() -> None:
    body = b'{"code":0,"data":{"id":"r"},"status":"processing","progress":0.4}'
    status = RenderStatus.from_data("r", parse_body(200, body, bare_ok=True).data)
    assert (status.status, status.percent) == ("processing", pytest.approx(40.0))


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (401, b'{"code":1001,"message":"bad token"}', AuthError),
        (404, b'{"code":1002,"message":"no session"}', SessionNotFound),
        (403, b'{"code":2001,"message":"no credits"}', NoCredits),
        (415, b'{"code":4001,"message":"bad type"}', UnsupportedFile),
        (402, b"", ExportBlocked),
        (429, b'{"code":429,"message":"slow down"}', RateLimited),
        (503, HTML, BackendUnavailable),
        (500, b'{"code":5000,"message":"boom"}', BackendUnavailable),
        (400, b'{"code":4003,"message":"bad draft"}', NemoError),
        (200, b"", BackendUnavailable),
    ],
)
def test_error_classes(status: int, body: bytes, cls: type[NemoError]) -> None:
    err = to_error(parse_body(status, body), "credits")
    assert type(err) is cls
    assert str(err).startswith("credits: ")


def test_server_message_is_redacted() -> None:
    body = b'{"code":1001,"message":"token nmv_usr_abcdef123456 expired"}'
    err = to_error(parse_body(401, body), "state")
    assert "nmv_usr_abcdef123456" not in str(err)
    assert "[redacted]" in str(err)


def test_attribution_headers_default_and_configurable() -> None:
    env = {"SKILL_SOURCE": "clawhub"}
    assert attribution_headers(Options(), env) == {
        "X-Skill-Source": "ai-video-maker-free-chinese",
        "X-Skill-Version": "1.9",
        "X-Skill-Platform": "clawhub",
    }
    opts = Options(skill_name="mine", skill_version="2.0", skill_platform="cursor")
    assert attribution_headers(opts, env)["X-Skill-Platform"] == "cursor"
    assert attribution_headers(opts, env)["X-Skill-Source"] == "mine"


@pytest.mark.parametrize(
    ("where", "want"),
    [
        (".clawhub/skills/x/pkg.py", "clawhub"),
        (".cursor/skills/x/pkg.py", "cursor"),
        ("lib/x.py", "unknown"),
    ],
)
def test_platform_from_install_path(tmp_path: Path, where: str, want: str) -> None:
    env = {"HOME": str(tmp_path)}
    assert detect_platform(env, str(tmp_path / where)) == want


def test_skill_source_wins_over_install_path(tmp_path: Path) -> None:
    env = {"HOME": str(tmp_path), "SKILL_SOURCE": "vscode"}
    assert detect_platform(env, str(tmp_path / ".cursor/skills/x.py")) == "vscode"


def test_models_accept_both_spellings() -> None:
    assert Credits.from_data({"balance": 7, "frozen": 3}) == Credits(7, 3, 10)
    state = State.from_data({"draft": {"t": []}, "videoInfos": [{"id": "m"}]})
    assert state.draft == {"t": []} and state.video_infos == [{"id": "m"}]
    assert State.from_data({"state": None}).draft == {}
    media = Media.list_from_data({"files": [{"media_id": "m1", "filename": "a.png", "size": "5"}]})
    assert media == [Media("m1", "a.png", "", 5)]
    assert Media.list_from_data([{"id": "m2"}])[0].id == "m2"
    assert Media.list_from_data("nonsense") == []
