"""The data dir: one server at a time (a lock that dies with its process), the JSON store's data
dir migrated once, damaged files refused by name; and what `serve` logs (one line per request,
never the token), `GET /`, a client that leaves mid-body.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from nemo_widgets.local import DataDirInUse, LocalServer, StoreError

from .crash_harness import FAST, ServerProcess, User, half_upload, png_bytes, wait_for

# written by the JSON store (commit 9d55a98): a token of 300 credits, a generation (100) done,
# a render done, a claim token, then kill -9 during an edit, which left 50 credits frozen
LEGACY = Path(__file__).parent / "data" / "json_store"
TOKEN = "nmv_usr_414bca375f8665908dc982adb09cbf0c"
SID = "sess_9dd2c9008563967f"


def _legacy_dir(tmp_path: Path) -> Path:
    data = tmp_path / "legacy"
    shutil.copytree(LEGACY, data)
    tokens = json.loads((data / "tokens.json").read_text())
    tokens[TOKEN]["expires_at"] = time.time() + 3600  # written days ago: keep it valid
    (data / "tokens.json").write_text(json.dumps(tokens))
    claims = json.loads((data / "claims.json").read_text())
    for claim in claims.values():  # a claim lives an hour: the fixture's expired long ago
        claim["expires_at"] = time.time() + 3600
    (data / "claims.json").write_text(json.dumps(claims))
    return data


def test_a_json_data_dir_is_migrated_once(tmp_path: Path) -> None:
    data = _legacy_dir(tmp_path)
    session = json.loads((data / "sessions" / f"{SID}.json").read_text())
    h = {"Authorization": f"Bearer {TOKEN}"}
    for run in range(2):  # the second start finds the database and nothing to migrate
        with LocalServer.start(data_dir=data) as server:
            c = httpx.get(f"{server.url}/api/credits/balance/simple", headers=h).json()["data"]
            assert (c["total"], c["available"], c["frozen"]) == (200, 200, 0)  # 50 released
            st = httpx.get(f"{server.url}/api/state/nemo_agent/me/{SID}/latest", headers=h)
            state = st.json()["data"]["state"]
            assert state["draft"] == session["draft"]
            assert [m["id"] for m in state["video_infos"]] == [session["video_infos"][0]["id"]]
            assert [m["id"] for m in state["generated_media"]] == ["gen_bgm_59238709"]
            assert httpx.get(state["video_infos"][0]["url"]).content == png_bytes_of(data)
            job = httpx.get(f"{server.url}/api/render/proxy/lambda/render_done", headers=h).json()
            assert job["status"] == "completed"
            assert httpx.get(job["output"]["url"]).content[4:8] == b"ftyp"
            claim = json.loads((data / "legacy-json" / "claims.json").read_text())
            page = httpx.get(f"{server.url}/workspace/claim", params={"ct": next(iter(claim))})
            assert page.status_code == 200 and "task_" in page.text
            assert server.app.state.nemo.store.session(SID)["messages"] == 2 + run
            httpx.post(  # a message between the runs: the second run must not migrate again
                f"{server.url}/run_sse",
                headers=h,
                json={
                    "app_name": "nemo_agent",
                    "user_id": "me",
                    "session_id": SID,
                    "new_message": {"parts": [{"text": "hello"}]},
                },
            )
        assert not (data / "tokens.json").exists() and not (data / "sessions").exists()
        assert (data / "legacy-json" / "sessions" / f"{SID}.json").is_file()


def png_bytes_of(data: Path) -> bytes:
    return next((data / "media" / SID).glob("*.png")).read_bytes()


@pytest.mark.parametrize("damage", ["tokens.json", f"sessions/{SID}.json"])
def test_a_damaged_json_file_is_refused_by_name(tmp_path: Path, damage: str) -> None:
    data = _legacy_dir(tmp_path)
    (data / damage).write_text('{"truncated": ')
    with pytest.raises(StoreError, match=damage.replace(".", r"\.")):
        LocalServer(data_dir=data)
    assert (data / damage).is_file()  # nothing moved: fix it and start again
    with pytest.raises(StoreError, match=damage.replace(".", r"\.")):  # not "in use": unlocked
        LocalServer(data_dir=data)


def test_a_damaged_database_is_refused_not_reset(tmp_path: Path) -> None:
    data = tmp_path / "d"
    LocalServer.start(data_dir=data).stop()
    (data / "nemo.db").write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="damaged"):
        LocalServer(data_dir=data)


def test_one_server_per_data_dir(tmp_path: Path) -> None:
    data = tmp_path / "d"
    with LocalServer.start(data_dir=data) as first:
        with pytest.raises(DataDirInUse) as info:
            LocalServer(data_dir=data)
        assert first.url in str(info.value) and "pid" in str(info.value)
    LocalServer.start(data_dir=data).stop()  # free again after a clean stop


def test_a_second_serve_names_the_first_and_kill_9_leaves_no_stale_lock(
    server_process: Callable[..., ServerProcess],
) -> None:
    first = server_process(log="first").start(*FAST)
    second = server_process(log="second")
    with pytest.raises(RuntimeError, match=r"serve did not start \(3\)"):
        second.start(*FAST)
    refused = second.log_text()
    assert first.url in refused and f"pid {first.proc.pid}" in refused  # type: ignore[union-attr]
    first.kill()
    second.start(*FAST)  # at once: the lock died with the process
    assert httpx.get(second.url).status_code == 200


def test_serve_logs_each_request_never_the_token(
    server_process: Callable[..., ServerProcess],
) -> None:
    server = server_process().start(*FAST)
    try:
        page = httpx.get(server.url, headers={"Accept": "text/html"})
        assert page.status_code == 200 and "offline backend" in page.text
        about = httpx.get(server.url).json()["data"]
        assert "contract" in about and "POST /run_sse" in about["endpoints"]
        user = User(server.url)
        user.upload("a.png", png_bytes())
        claim = user.post("/api/auth/claim-token", json={"session_id": user.sid}).json()["data"]
        assert httpx.get(claim["url"]).status_code == 200
        sock = half_upload(server.url, user)
        wait_for("the partial upload", lambda: any((server.data_dir / "tmp").iterdir()))
        sock.close()  # the client goes away mid-body
        wait_for("its log line", lambda: "went away" in server.log_text())
        user.close()
    finally:
        server.stop()
    log = server.log_text()
    assert "GET / 200" in log and "POST /api/auth/anonymous-token 200" in log
    assert f"POST /api/upload-video/nemo_agent/me/{user.sid} 200" in log
    assert log.count("went away") == 1 and "Traceback" not in log
    assert user.token not in log and claim["claim_token"] not in log
    assert not any((server.data_dir / "tmp").iterdir())  # the partial file was removed
