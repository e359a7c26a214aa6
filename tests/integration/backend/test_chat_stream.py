"""`POST /run_sse`: the ADK event shapes, heartbeats, errors, silent edits, credits, generation;
and the same turns in the vendor's dialect (typed events)."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from nemo_widgets.local import Faults, LocalServer
from polling import wait_until

from .conftest import Api, calls, events_of, png, texts


@pytest.fixture
def ready(api: Api) -> Api:
    """A session with two images uploaded."""
    assert api.upload(("a.png", png("red")), ("b.png", png("blue"))).json()["code"] == 0
    return api


def test_non_streaming_reply_is_one_complete_event(api: Api) -> None:
    evs = api.chat("hello, what can you do?")
    assert texts(evs) == [(False, texts(evs)[0][1])]
    ev = evs[0]
    assert "make a video" in ev["content"]["parts"][0]["text"]
    assert "Export button" in ev["content"]["parts"][0]["text"]  # speaks in GUI terms
    assert ev["content"]["role"] == "model"
    assert ev["author"] == "nemo_agent"
    assert ev["invocationId"].startswith("e-")
    assert isinstance(ev["id"], str) and isinstance(ev["timestamp"], float)
    assert "partial" not in ev or ev["partial"] is False


def test_wire_format_is_compact_data_lines(api: Api) -> None:
    lines = api.chat_raw("hi", streaming=True)
    data = [ln for ln in lines if ln.startswith("data: {")]
    assert data, lines
    for ln in data:
        payload = ln[len("data: ") :]
        compact = json.dumps(json.loads(payload), ensure_ascii=False, separators=(",", ":"))
        assert payload == compact
    assert not any(ln.startswith(("event:", "id:", "retry:")) for ln in lines)
    # every event is one line followed by a blank line
    for k, ln in enumerate(lines):
        if ln.startswith("data: {"):
            assert lines[k + 1] == ""


def test_streaming_partials_then_full_text(ready: Api) -> None:
    evs = ready.chat("make a 6 second video", streaming=True)
    ts = texts(evs)
    final = [t for p, t in ts if not p]
    assert final, ts
    # the last text: partial deltas whose concatenation is the final full text
    last_full = final[-1]
    idx = max(i for i, (p, t) in enumerate(ts) if not p)
    deltas = []
    for p, t in reversed(ts[:idx]):
        if not p:
            break
        deltas.insert(0, t)
    assert len(deltas) > 1
    assert "".join(deltas) == last_full
    assert len({e["invocationId"] for e in evs}) == 1


def test_two_stage_generation(ready: Api) -> None:
    evs = ready.chat("做一个 6 秒的 16:9 视频", streaming=False)
    names = calls(evs)
    assert names[0] == "generate_video"
    assert names[1:] == ["generate_music", "add_bgm", "add_title"]
    # each call is followed by its response with the same id, role user
    resp = [
        (p["functionResponse"]["id"], e["content"]["role"])
        for e in evs
        for p in e["content"]["parts"]
        if "functionResponse" in p
    ]
    call_ids = [
        p["functionCall"]["id"] for e in evs for p in e["content"]["parts"] if "functionCall" in p
    ]
    assert [i for i, _ in resp] == call_ids
    assert {r for _, r in resp} == {"user"}
    # an interim text between the stages, the final text at the end
    kinds = [
        "call"
        if "functionCall" in e["content"]["parts"][0]
        else "resp"
        if "functionResponse" in e["content"]["parts"][0]
        else "text"
        for e in evs
    ]
    assert kinds[:3] == ["call", "resp", "text"] and kinds[-1] == "text"
    st = ready.state()
    assert [t["nm"] for t in st["draft"]["t"]] == ["Video", "BGM", "Title"]
    assert st["canvas_config"]["width"] == 1920 and st["draft"]["d"] == 6000
    gen = st["generated_media"]
    assert gen and gen[0]["type"] == "audio" and gen[0]["url"].startswith(ready.server.url)
    assert httpx.get(gen[0]["url"]).content[:4] == b"RIFF"
    c = ready.credits()
    assert (c["available"], c["frozen"], c["total"]) == (0, 0, 0)  # generation costs 100


def test_heartbeats_in_both_forms(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(heartbeat_interval=0.02, generation_delay=0.3)
    api = Api(server)
    api.upload(("a.png", png()))
    lines = api.chat_raw("make a video")
    assert ": keepalive" in lines
    assert "data: " in lines or "data:" in lines
    assert events_of(lines)
    api.close()


def test_credits_frozen_while_edit_runs_then_charged(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(step_delay=0.8, initial_credits=200, silent_rate=0.0)
    api = Api(server)
    api.upload(("a.png", png()))
    server.options.generation_delay = 0.01
    server.options.step_delay = 0.01
    api.chat("make a video")
    assert api.credits()["available"] == 100
    server.options.step_delay = 0.8
    edit = threading.Thread(target=api.chat, args=("change the title to Hello",))
    edit.start()
    seen = wait_until(lambda: (c := api.credits())["frozen"] and c, what="the edit's freeze")
    edit.join()
    assert (seen["available"], seen["frozen"], seen["total"]) == (50, 50, 100)
    c = api.credits()
    assert (c["available"], c["frozen"], c["total"]) == (50, 0, 50)
    api.close()


def test_no_credits_is_2001_before_the_stream(ready: Api) -> None:
    ready.chat("make a video")
    r = ready.post("/run_sse", json=ready.chat_body("add title Hello"))
    assert r.status_code == 403
    body = r.json()
    assert body["code"] == 2001 and body["data"]["bind_id"]
    assert ready.chat("hello")  # free text still works


def test_errors_before_the_stream_are_json(api: Api) -> None:
    r = api.post("/run_sse", json=api.chat_body("hi", sid="sess_nope"))
    assert r.status_code == 404 and r.json()["code"] == 1002 and r.json()["detail"]
    r = api.post("/run_sse", content=b"{nope", headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["code"] == 4000
    r = api.post("/run_sse", json={**api.chat_body("hi"), "surprise": 1})
    assert r.status_code == 422 and "surprise" in r.json()["message"]
    r = api.post("/run_sse", json={**api.chat_body("hi"), "new_message": {"parts": []}})
    assert r.status_code == 422
    r = httpx.post(f"{api.server.url}/run_sse", json=api.chat_body("hi"))
    assert r.status_code == 401 and r.json()["code"] == 1001
    assert api.chat("hi")  # the server keeps serving


def test_error_event_after_stream_started(server: LocalServer) -> None:
    api = Api(server)
    api.upload(("a.png", png()))
    server.faults.error_stream_after = 1
    server.faults.error_stream_message = "model overloaded"
    lines = api.chat_raw("make a video")  # status 200 asserted inside
    evs = events_of(lines)
    assert len(evs) == 2
    assert evs[-1]["error"] == "model overloaded"
    server.faults.error_stream_after = None
    api.close()


def test_drop_fault_cuts_the_connection_but_the_edit_lands(server: LocalServer) -> None:
    api = Api(server)
    api.upload(("a.png", png()))
    server.faults.drop_stream_after = 2
    server.faults.drop_stream_times = 1
    got: list[str] = []
    with (
        pytest.raises(httpx.RemoteProtocolError),
        api.http.stream(
            "POST", "/run_sse", json=api.chat_body("make a video"), headers=api.headers
        ) as r,
    ):
        for line in r.iter_lines():
            got.append(line)
    assert len(events_of(got)) == 2
    # the generation goes on after the drop and lands
    wait_until(lambda: len(api.state()["draft"].get("t", [])) >= 2, 10, "the whole draft")
    # the draft can be whole before the generation ends: until then a message is refused (4009)
    wait_until(lambda: not server.app.state.nemo.busy, 10, "the generation to end")
    # the next stream is not dropped (drop_stream_times was 1)
    assert api.chat("hello")
    assert server.count("POST", "/run_sse") == 2
    api.close()


def test_silent_edit_has_no_text(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(initial_credits=1000, silent_rate=0.0)
    api = Api(server)
    api.upload(("a.png", png()))
    api.chat("make a video")
    server.faults.silent_next = 1
    evs = api.chat("change the title to Quiet")
    assert texts(evs) == []
    assert calls(evs) == ["set_title"]
    title = next(t for t in api.state()["draft"]["t"] if t["nm"] == "Title")
    assert title["sg"][0]["txt"] == "Quiet"
    evs = api.chat("change the title to Loud")
    assert texts(evs)  # silent_rate 0: the next edit speaks
    api.close()


def test_about_30_percent_of_edits_are_silent(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(initial_credits=100_000, step_delay=0.0)
    api = Api(server)
    api.upload(("a.png", png()))
    api.chat("make a video")
    silent = sum(not texts(api.chat(f"change the title to T{i}")) for i in range(40))
    assert 3 <= silent <= 24  # seeded per session+message: ~30%, never all or none
    api.close()


def test_busy_session_is_409(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(generation_delay=1.0)
    api = Api(server)
    api.upload(("a.png", png()))
    with api.http.stream(
        "POST", "/run_sse", json=api.chat_body("make a video"), headers=api.headers
    ) as r:
        assert r.status_code == 200
        second = httpx.post(f"{server.url}/run_sse", json=api.chat_body("hi"), headers=api.headers)
        assert second.status_code == 409 and second.json()["code"] == 4009
        r.read()
    api.close()


# -- both dialects -------------------------------------------------------------------------------
TYPES = {"text", "tool_call", "tool_result", "heartbeat", "error"}


@pytest.fixture(params=["adk", "vendor"])
def speaker(request: pytest.FixtureRequest, server_factory) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """A signed-in caller with one image uploaded, on a server in one dialect."""
    server = server_factory(
        dialect=request.param,
        heartbeat_interval=0.02,
        initial_credits=1000,
        faults=Faults(never_silent=True),
    )
    api = Api(server)
    api.upload(("a.png", png()))
    yield api
    api.close()


def reply_text(api: Api, events: list[dict[str, Any]]) -> str:
    """The reply as each dialect means it: ADK's last final text; typed chunks appended."""
    if api.server.options.dialect == "adk":
        finals = [t for partial, t in texts(events) if not partial]
        return finals[-1] if finals else ""
    return "".join(e["content"] for e in events if e["type"] == "text")


def tool_names(api: Api, events: list[dict[str, Any]]) -> list[str]:
    """The tools called, in order, in either dialect."""
    if api.server.options.dialect == "adk":
        return calls(events)
    return [e["name"] for e in events if e["type"] == "tool_call"]


def test_a_turn_in_either_dialect_has_the_same_text_and_tools(speaker: Api) -> None:
    evs = speaker.chat("make a 6 second video", streaming=True)
    assert tool_names(speaker, evs) == ["generate_video", "generate_music", "add_bgm", "add_title"]
    text = reply_text(speaker, evs)
    assert text.count("Your video is ready") == 1
    if speaker.server.options.dialect == "vendor":
        assert {e["type"] for e in evs} <= TYPES
        assert sum(e["type"] == "text" for e in evs) > 1  # chunks, and no final repeating them
        results = [e for e in evs if e["type"] == "tool_result"]
        assert [r["name"] for r in results] == tool_names(speaker, evs)
        assert all("result" in r for r in results)


def test_the_vendor_dialect_streams_chunks_unasked(server_factory) -> None:  # type: ignore[no-untyped-def]
    api = Api(server_factory(dialect="vendor"))
    evs = api.chat("hello, what can you do?", streaming=False)  # no vendor source sends it
    chunks = [e["content"] for e in evs if e["type"] == "text"]
    assert len(chunks) > 1 and "make a video" in "".join(chunks)
    api.close()


def test_heartbeats_in_each_dialect(speaker: Api) -> None:
    speaker.server.options.generation_delay = 0.3
    lines = speaker.chat_raw("make a video")
    assert ": keepalive" in lines
    if speaker.server.options.dialect == "adk":
        assert "data: " in lines or "data:" in lines
    else:
        assert 'data: {"type":"heartbeat"}' in lines


def test_error_event_in_each_dialect(speaker: Api) -> None:
    speaker.server.faults.error_stream_after = 1
    speaker.server.faults.error_stream_message = "model overloaded"
    evs = events_of(speaker.chat_raw("make a video"))
    last = evs[-1]
    if speaker.server.options.dialect == "adk":
        assert last["error"] == "model overloaded"
    else:
        assert last["type"] == "error" and last["message"] == "model overloaded"


def test_silent_edit_in_each_dialect(speaker: Api) -> None:
    speaker.chat("make a video")
    speaker.server.faults.silent_next = 1
    evs = speaker.chat("change the title to Quiet", streaming=True)
    assert reply_text(speaker, evs) == ""
    assert tool_names(speaker, evs) == ["set_title"]
    title = next(t for t in speaker.state()["draft"]["t"] if t["nm"] == "Title")
    assert title["sg"][0]["txt"] == "Quiet"
