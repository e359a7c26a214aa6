"""Anonymous tokens, bearer auth, sessions, claim tokens and the claim page over real HTTP."""

from __future__ import annotations

import uuid

import httpx

from nemo_widgets.local import LocalServer
from polling import wait_until

from .conftest import Api


def _token(server: LocalServer, client_id: str | None) -> httpx.Response:
    headers = {"X-Client-Id": client_id} if client_id is not None else {}
    return httpx.post(f"{server.url}/api/auth/anonymous-token", headers=headers)


def test_anonymous_token_shape(server: LocalServer) -> None:
    r = _token(server, str(uuid.uuid4()))
    assert r.status_code == 200
    body = r.json()
    assert body["code"] == 0
    assert body["data"]["token"].startswith("nmv_usr_")
    assert body["data"]["credits"] == 100
    assert body["data"]["expires_in"] == 7 * 24 * 3600


def test_missing_client_id_is_400(server: LocalServer) -> None:
    r = _token(server, None)
    assert r.status_code == 400
    assert r.json()["code"] == 400
    assert _token(server, "").status_code == 400
    assert _token(server, "cid-ok").status_code == 200  # still serving


def test_one_token_per_client_id_then_429(server: LocalServer) -> None:
    cid = str(uuid.uuid4())
    assert _token(server, cid).status_code == 200
    r = _token(server, cid)
    assert r.status_code == 429
    assert r.json()["code"] == 429
    assert r.headers["retry-after"] == "30"
    assert _token(server, str(uuid.uuid4())).status_code == 200  # other ids unaffected


def test_expired_token_is_1001_and_replaced_for_same_client_id(server: LocalServer) -> None:
    api = Api(server)
    assert api.get("/api/credits/balance/simple").json()["code"] == 0
    server.expire_tokens(api.token)
    r = api.get("/api/credits/balance/simple")
    assert (r.status_code, r.json()["code"]) == (401, 1001)
    r2 = _token(server, api.client_id)  # a new one for the same id once the old expired
    assert r2.status_code == 200
    new = r2.json()["data"]["token"]
    assert new != api.token
    # the client's session survives the new token (sessions belong to the client id)
    r3 = httpx.get(
        f"{server.url}/api/state/nemo_agent/me/{api.sid}/latest",
        headers={"Authorization": f"Bearer {new}"},
    )
    assert r3.json()["code"] == 0
    api.close()


def test_expire_all_tokens_fault(server: LocalServer) -> None:
    a, b = Api(server), Api(server)
    server.faults.expire_tokens()
    assert a.get("/api/credits/balance/simple").json()["code"] == 1001
    assert b.get("/api/credits/balance/simple").json()["code"] == 1001
    fresh = Api(server)  # issued after the fault: valid
    assert fresh.get("/api/credits/balance/simple").json()["code"] == 0
    for x in (a, b, fresh):
        x.close()


def test_token_ttl_expires_by_time(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(token_ttl=0.3)
    api = Api(server)
    assert api.get("/api/credits/balance/simple").json()["code"] == 0
    # no clock seam in the server: its token expires on the wall clock, 0.3 s after issue
    wait_until(lambda: api.get("/api/credits/balance/simple").json()["code"] == 1001, 10)
    assert _token(server, api.client_id).status_code == 200
    api.close()


def test_bad_or_missing_bearer_is_1001(server: LocalServer) -> None:
    url = f"{server.url}/api/credits/balance/simple"
    for headers in ({}, {"Authorization": "Bearer nmv_usr_nope"}, {"Authorization": "Basic x"}):
        r = httpx.get(url, headers=headers)
        assert (r.status_code, r.json()["code"]) == (401, 1001)
        assert r.json()["message"]


def test_session_create_and_1002(api: Api) -> None:
    r = api.post(
        "/api/tasks/me/with-session/nemo_agent", json={"task_name": "project", "language": "zh"}
    )
    data = r.json()["data"]
    assert data["session_id"].startswith("sess_") and data["task_id"].startswith("task_")
    assert data["bind_id"]
    r = api.get("/api/state/nemo_agent/me/sess_unknown/latest")
    assert (r.status_code, r.json()["code"]) == (404, 1002)
    # another client's session is not found either
    other = Api(api.server)
    r = other.get(f"/api/state/nemo_agent/me/{api.sid}/latest")
    assert r.json()["code"] == 1002
    other.close()


def test_session_body_errors(api: Api) -> None:
    path = "/api/tasks/me/with-session/nemo_agent"
    r = api.post(path, content=b"not json", headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["code"]) == (422, 4000)
    r = api.post(path, json={"task_name": "project", "language": "en", "colour": "red"})
    assert (r.status_code, r.json()["code"]) == (422, 4000)
    assert "colour" in r.json()["message"]
    r = api.post(path, json=["a list"])
    assert r.json()["code"] == 4000
    assert api.post(path, json={"task_name": "project"}).json()["code"] == 0  # keeps serving
    assert api.post(path).json()["code"] == 0  # no body at all: the defaults


def test_claim_token_and_page(api: Api) -> None:
    r = api.post("/api/auth/claim-token", json={"task_id": "x", "session_id": api.sid})
    assert r.json()["code"] == 1002  # wrong task id
    state = api.get(f"/api/state/nemo_agent/me/{api.sid}/latest").json()["data"]
    r = api.post("/api/auth/claim-token", json={"task_id": state["task_id"], "session_id": api.sid})
    data = r.json()["data"]
    assert data["claim_token"].startswith("clm_")
    assert data["expires_in"] > 0
    assert data["url"].endswith(f"/workspace/claim?ct={data['claim_token']}")
    assert api.token not in data["url"]
    page = httpx.get(data["url"])  # no bearer: the link works on its own
    assert page.status_code == 200 and "Project" in page.text
    assert httpx.get(f"{api.server.url}/workspace/claim?ct=clm_bad").status_code == 404
    r = api.post("/api/auth/claim-token", json={"session_id": "sess_nope"})
    assert r.json()["code"] == 1002


def test_credits_and_state_shapes(api: Api) -> None:
    c = api.credits()
    assert (c["available"], c["frozen"], c["total"]) == (100, 0, 100)
    st = api.state()
    assert st["draft"] == {}
    assert st["video_infos"] == [] and st["generated_media"] == []
    assert st["canvas_config"] == {"width": 1080, "height": 1920, "ratio": "9:16", "fps": 30}
