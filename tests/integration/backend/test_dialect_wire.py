"""The offline backend's two dialects on the wire, read with plain httpx: the ADK dialect as
before, the vendor dialect as the vendor's documents show it, and the cancel route in both."""

from __future__ import annotations

import datetime
import hashlib
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from nemo_widgets.local import LocalServer
from samples import tiny_draft

from .conftest import Api, png


@pytest.fixture(params=["adk", "vendor"])
def dialect(request: pytest.FixtureRequest) -> str:
    """Each test runs against both dialects."""
    return str(request.param)


@pytest.fixture
def wire(server_factory: Callable[..., LocalServer], dialect: str) -> Iterator[Api]:
    """A signed-in plain-httpx caller on a server speaking `dialect`."""
    a = Api(server_factory(dialect=dialect))
    yield a
    a.close()


def uploaded_id(wire: Api) -> str:
    assert wire.upload(("a.png", png())).status_code == 200
    return str(wire.state()["video_infos"][0]["id"])


def job_data(body: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The job fields of a render answer: under `data` on `{success}`, top level on `{code}`."""
    if dialect == "vendor":
        assert body["success"] is True and "code" not in body, body
        return dict(body["data"])
    assert body["code"] == 0 and body["data"]["id"] == body["id"], body
    return body


def test_token_and_session_answers(wire: Api, dialect: str) -> None:
    r = wire.http.post("/api/auth/anonymous-token", headers={"X-Client-Id": "another-client"})
    data = r.json()["data"]
    assert data["user_id"].startswith("anon_")
    if dialect == "vendor":
        expires = datetime.datetime.fromisoformat(data["expires_at"].replace("Z", "+00:00"))
        assert data["expires_at"].endswith("Z")
        assert abs(expires.timestamp() - (time.time() + 7 * 24 * 3600)) < 60
        assert wire.sid.isdigit() and len(wire.sid) == 19
    else:
        assert isinstance(data["expires_at"], float)
        assert wire.sid.startswith("sess_")
    state = wire.get(f"/api/state/nemo_agent/me/{wire.sid}/latest").json()["data"]
    assert state["session_id"] == wire.sid
    if dialect == "vendor":
        assert state["task_name"] == "project" and state["state"]["video_analyses"] == {}
        assert state["user_id"].startswith("anon_")
    else:
        assert "video_analyses" not in state["state"] and "task_name" not in state


def test_upload_answer(wire: Api, dialect: str) -> None:
    image = png("green", (200, 100))
    data = wire.upload(("shot.png", image)).json()["data"]
    if dialect == "vendor":
        assert data["session_state_applied"] is True and "video_infos" not in data
        (f,) = data["files"]
        assert set(f) == {
            "filename", "file_type", "cdn_url", "duration", "width", "height", "fps", "hash"
        }  # fmt: skip
        assert (f["filename"], f["file_type"], f["width"], f["height"]) == (
            "shot.png",
            "image",
            200,
            100,
        )
        assert f["hash"] == hashlib.sha256(image).hexdigest()
        assert f["cdn_url"].startswith(wire.server.url)
    else:
        assert data["files"] == data["video_infos"] and data["files"][0]["id"].startswith("med_")


def test_render_submit_status_and_errors(wire: Api, dialect: str) -> None:
    mid = uploaded_id(wire)
    submitted = job_data(wire.render(tiny_draft(mid), job_id="render_a").json(), dialect)
    assert (submitted["id"], submitted["status"]) == ("render_a", "pending")
    assert "progress" in submitted
    done = job_data(wire.wait_render("render_a"), dialect)
    assert done["status"] == "completed" and done["progress"] == 100
    url = done["outputUrl"] if dialect == "vendor" else done["output"]["url"]
    assert wire.http.get(url).content[4:8] == b"ftyp"
    if dialect == "vendor":
        assert isinstance(done["createdAt"], int) and done["completedAt"] >= done["createdAt"]
    bad = wire.render({"t": []}, job_id="render_b")
    assert bad.status_code == 400
    if dialect == "vendor":
        assert bad.json()["success"] is False and "nothing to render" in bad.json()["error"]
    else:
        assert bad.json()["code"] == 4003
    blocked = wire.http.post(
        "/api/render/proxy/lambda",
        json={"id": "render_c", "sessionId": wire.sid, "draft": tiny_draft(mid)},
        headers={"Authorization": wire.headers["Authorization"]},  # no attribution headers
    )
    assert blocked.status_code == 402
    assert blocked.json().get("success") is (False if dialect == "vendor" else None)


def test_cancel_route(wire: Api, dialect: str) -> None:
    mid = uploaded_id(wire)
    wire.render(tiny_draft(mid, ms=1_200_000), job_id="render_long")
    r = wire.post("/api/render/proxy/lambda/render_long/cancel")
    assert r.status_code == 200
    cancelled = job_data(r.json(), dialect)
    assert cancelled["status"] == "cancelled" and cancelled["error"] == "cancelled by the user"
    assert job_data(wire.wait_render("render_long"), dialect)["status"] == "cancelled"
    assert not list(wire.server.data_dir.glob("renders/*render_long*.mp4"))
    # a job that already ended stays as it is
    wire.render(tiny_draft(mid), job_id="render_short")
    wire.wait_render("render_short")
    again = job_data(wire.post("/api/render/proxy/lambda/render_short/cancel").json(), dialect)
    assert again["status"] == "completed"
    missing = wire.post("/api/render/proxy/lambda/render_nope/cancel")
    assert missing.status_code == 404
