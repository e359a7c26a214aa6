"""Render queue, downloads with Range, the full run, invalid drafts, restart persistence."""

from __future__ import annotations

import copy
import itertools
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest

from nemo_widgets.local.render import ffmpeg_exe
from nemo_widgets.local.store import Store
from polling import wait_until

from .conftest import ATTRIBUTION, Api, calls, png, texts


def _duration_ms(path: Path) -> float:
    out = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True
    ).stderr
    h, m, s = out.split("Duration: ")[1].split(",")[0].split(":")
    return (int(h) * 3600 + int(m) * 60 + float(s)) * 1000


def test_full_run_upload_chat_state_render_download(
    api: Api, media_dir: Path, tmp_path: Path
) -> None:
    up = api.upload(("a.png", png("orange")), ("clip.mp4", (media_dir / "clip.mp4").read_bytes()))
    assert up.json()["code"] == 0
    evs = api.chat("做一个 5 秒的 1:1 视频，标题“城市之梦”", streaming=True)
    assert "add_title" in calls(evs) and texts(evs)
    st = api.state()
    draft = st["draft"]
    assert draft["m"]["ratio"] == "1:1" and draft["d"] == 5000
    r = api.render(draft, job_id="render_full")
    assert r.status_code == 200 and r.json()["code"] == 0
    assert r.json()["status"] == "pending" and r.json()["data"]["status"] == "pending"
    job = api.wait_render("render_full")
    assert job["status"] == "completed", job
    assert job["percent"] == 100.0 and job["data"]["status"] == "completed"
    url = job["output"]["url"]
    full = httpx.get(url)  # output.url works without the bearer (a <video> tag)
    assert full.status_code == 200 and full.headers["content-type"] == "video/mp4"
    assert full.headers["accept-ranges"] == "bytes"
    assert full.headers["access-control-allow-origin"] == "*"
    out = tmp_path / "out.mp4"
    out.write_bytes(full.content)
    assert abs(_duration_ms(out) - 5000) <= 100
    part = httpx.get(url, headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.headers["content-range"] == f"bytes 100-199/{len(full.content)}"
    assert part.content == full.content[100:200]
    tail = httpx.get(url, headers={"Range": "bytes=-50"})
    assert tail.status_code == 206 and tail.content == full.content[-50:]
    # the fallback route with the bearer
    fb = api.get("/api/render/proxy/render_full/download")
    assert fb.status_code == 200 and fb.content == full.content
    assert httpx.get(f"{api.server.url}/api/render/proxy/render_full/download").status_code == 401
    c = api.credits()
    assert c["available"] == 0  # export costs nothing beyond the generation


def _simple_draft(api: Api, ms: int = 1000) -> dict[str, Any]:
    mid = api.upload(("a.png", png())).json()["data"]["files"][0]["id"]
    return {
        "d": ms,
        "m": {"w": 320, "h": 240, "fps": 25, "ratio": "16:9"},
        "t": [
            {
                "id": "trk_v",
                "tt": 0,
                "nm": "Video",
                "sg": [{"id": "seg_1", "k": "image", "src": mid, "st": 0, "d": ms}],
            }
        ],
    }


def test_render_without_attribution_is_402(api: Api) -> None:
    draft = _simple_draft(api)
    r = httpx.post(
        f"{api.server.url}/api/render/proxy/lambda",
        headers={"Authorization": api.headers["Authorization"]},
        json={"id": "render_x", "sessionId": api.sid, "draft": draft},
    )
    assert (r.status_code, r.json()["code"]) == (402, 402)
    partial = {**api.headers}
    del partial["X-Skill-Platform"]
    r = httpx.post(
        f"{api.server.url}/api/render/proxy/lambda",
        headers=partial,
        json={"id": "render_x", "sessionId": api.sid, "draft": draft},
    )
    assert r.status_code == 402
    assert api.render(draft).json()["code"] == 0  # with the headers it goes through


def _bad(draft: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    d = copy.deepcopy(draft)
    target: Any = d
    keys = path.split(".")
    for k in keys[:-1]:
        target = target[int(k)] if k.isdigit() else target[k]
    last = keys[-1]
    if isinstance(target, list) and int(last) == len(target):
        target.append(value)
    else:
        target[int(last) if last.isdigit() else last] = value
    return d


@pytest.mark.parametrize(
    ("path", "value", "why"),
    [
        ("t.0.sg.0.st", -100, "negative"),
        ("t.0.sg.0.d", -1, "negative"),
        ("t.0.sg.1", {"id": "seg_2", "k": "image", "src": "SRC", "st": 500, "d": 1000}, "overlap"),
        ("t.0.sg.0.d", 5000, "after the draft"),
        ("t.0.sg.0.src", "med_missing", "unknown media"),
        ("t", [], "nothing to render"),
        ("t.0.sg.0.st", "zero", "numbers"),
        ("m.w", 99999, "m.w"),
    ],
    ids=[
        "negative-start",
        "negative-duration",
        "overlap",
        "past-end",
        "unknown-media",
        "empty",
        "string-time",
        "huge-canvas",
    ],
)
def test_invalid_drafts_are_4003(api: Api, path: str, value: Any, why: str) -> None:
    draft = _simple_draft(api)
    if isinstance(value, dict):
        value = {**value, "src": draft["t"][0]["sg"][0]["src"]}
    r = api.render(_bad(draft, path, value))
    assert (r.status_code, r.json()["code"]) == (400, 4003), r.text
    assert why in r.json()["message"]
    assert api.render(draft).json()["code"] == 0  # the server keeps serving


def test_render_body_errors(api: Api) -> None:
    draft = _simple_draft(api)
    r = api.post(
        "/api/render/proxy/lambda", content=b"<html>", headers={"Content-Type": "text/html"}
    )
    assert (r.status_code, r.json()["code"]) == (422, 4000)
    r = api.post("/api/render/proxy/lambda", json={"sessionId": api.sid, "draft": draft, "x": 1})
    assert r.json()["code"] == 4000
    r = api.post("/api/render/proxy/lambda", json={"draft": draft})
    assert r.json()["code"] == 4000
    r = api.post("/api/render/proxy/lambda", json={"sessionId": "sess_no", "draft": draft})
    assert r.json()["code"] == 1002
    r = api.post(
        "/api/render/proxy/lambda",
        json={"sessionId": api.sid, "draft": draft, "output": {"format": "gif"}},
    )
    assert r.json()["code"] == 4000
    # snake_case session_id is accepted too
    r = api.post("/api/render/proxy/lambda", json={"session_id": api.sid, "draft": draft})
    assert r.json()["code"] == 0 and r.json()["id"].startswith("render_")
    assert api.get("/api/render/proxy/lambda/render_nope").json()["code"] == 4005


def test_one_job_at_a_time_per_session(api: Api) -> None:
    draft = _simple_draft(api, 2000)
    ids = ["render_q1", "render_q2", "render_q3"]
    for i in ids:
        assert api.render(draft, job_id=i).json()["code"] == 0
    jobs = [api.wait_render(i) for i in ids]
    assert all(j["status"] == "completed" for j in jobs)
    spans = [(j["started_at"], j["finished_at"]) for j in jobs]
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start >= end  # FIFO, never two at once in one session
    # the same id again answers the existing job instead of rendering twice
    again = api.render(draft, job_id="render_q1").json()
    assert again["status"] == "completed"


def test_failed_render_then_retry_with_new_id(api: Api) -> None:
    draft = _simple_draft(api)
    api.server.faults.fail_next_render = 1
    api.render(draft, job_id="render_f1")
    failed = api.wait_render("render_f1")
    assert failed["status"] == "failed" and "injected" in failed["error"]
    assert "url" not in failed["output"]
    assert api.get("/api/render/proxy/render_f1/download").status_code == 409
    api.render(draft, job_id="render_f2")
    assert api.wait_render("render_f2")["status"] == "completed"


def test_restart_keeps_everything(server_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "persist"
    first = server_factory(data_dir=data, initial_credits=300)
    api = Api(first)
    api.upload(("a.png", png()))
    api.chat("make a 2 second video")
    api.render(api.state()["draft"], job_id="render_keep")
    assert api.wait_render("render_keep")["status"] == "completed"
    before_state, before_credits = api.state(), api.credits()
    token, sid, client_id = api.token, api.sid, api.client_id
    api.close()
    first.stop()
    assert (data / "nemo.db").is_file()

    second = server_factory(data_dir=data)
    h = {"Authorization": f"Bearer {token}", **ATTRIBUTION}
    r = httpx.get(f"{second.url}/api/state/nemo_agent/me/{sid}/latest", headers=h)
    after = r.json()["data"]["state"]
    # the same content, with URLs pointing at the new port
    assert json.dumps(after["draft"]) == json.dumps(before_state["draft"])
    assert after["video_infos"][0]["url"].startswith(second.url)
    c = httpx.get(f"{second.url}/api/credits/balance/simple", headers=h).json()["data"]
    assert c == before_credits
    job = httpx.get(f"{second.url}/api/render/proxy/lambda/render_keep", headers=h).json()
    assert job["status"] == "completed"
    assert httpx.get(job["output"]["url"]).status_code == 200
    # one token per client id still holds after the restart
    assert (
        httpx.post(
            f"{second.url}/api/auth/anonymous-token", headers={"X-Client-Id": client_id}
        ).status_code
        == 429
    )


def test_unfinished_job_resumes_after_restart(server_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "resume"
    first = server_factory(data_dir=data)
    api = Api(first)
    draft = _simple_draft(api)
    api.close()
    first.stop()
    # a job the previous run left "processing" (as if it had died mid-render)
    job = {
        "id": "render_orphan",
        "session_id": api.sid,
        "draft": draft,
        "status": "processing",
        "percent": 40.0,
        "quality": "high",
        "key": "k1",
        "created_at": 1.0,
    }
    store = Store(data)
    store.save_render(job).wait()
    store.close()
    second = server_factory(data_dir=data)
    api2 = Api.__new__(Api)
    api2.server, api2.sid = second, api.sid
    api2.http = httpx.Client(base_url=second.url, timeout=30)
    api2.headers = {"Authorization": f"Bearer {api.token}", **ATTRIBUTION}
    assert api2.wait_render("render_orphan")["status"] == "completed"
    api2.close()


def test_stop_during_a_render_then_resume(server_factory, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "mid-render"
    first = server_factory(data_dir=data)
    api = Api(first)
    draft = _simple_draft(api, 20000)
    draft["m"] = {"w": 1080, "h": 1920, "fps": 30, "ratio": "9:16"}
    api.render(draft, job_id="render_mid")
    wait_until(
        lambda: api.get("/api/render/proxy/lambda/render_mid").json()["status"] == "processing",
        30,
        "the render to run",
    )
    first.stop()  # the running ffmpeg is stopped, not waited for (its time: bench_render.py)
    assert not list((data / "renders").glob("*.mp4"))
    second = server_factory(data_dir=data)
    api.http.close()
    api.http = httpx.Client(base_url=second.url, timeout=30)
    job = api.wait_render("render_mid")
    assert job["status"] == "completed", job
    assert httpx.get(job["output"]["url"]).content[4:8] == b"ftyp"
    api.close()
