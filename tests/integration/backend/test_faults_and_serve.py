"""Fault injection knobs, request counters, the serve() helper and the `serve` command."""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

import nemo_widgets.local as local
from nemo_widgets.local import Faults, LocalServer
from polling import wait_until

from .conftest import Api, png
from .crash_harness import ServerProcess


def test_fail_next_k_calls_of_an_endpoint(api: Api) -> None:
    api.server.faults.fail("credits", times=2, status=502)
    codes = [api.get("/api/credits/balance/simple").status_code for _ in range(3)]
    assert codes == [502, 502, 200]
    assert api.get(f"/api/state/nemo_agent/me/{api.sid}/latest").status_code == 200
    assert api.server.count("GET", "/api/credits/balance/simple") == 3


def test_fail_by_path_template_and_html_body(api: Api) -> None:
    api.server.faults.fail_html = True
    api.server.faults.fail_next["/run_sse"] = 1
    r = api.post("/run_sse", json=api.chat_body("hi"))
    assert r.status_code == 503 and r.text.startswith("<html>")
    assert api.chat("hi")  # the next one goes through
    api.server.faults.fail_html = False


def test_latency(api: Api) -> None:
    api.server.faults.latency = 0.3
    t0 = time.monotonic()
    api.get("/api/credits/balance/simple")
    assert time.monotonic() - t0 >= 0.3
    api.server.faults.latency = 0.0


def test_counts_per_method_and_route(api: Api) -> None:
    api.chat("hi")
    api.chat("hello")
    api.get(f"/api/state/nemo_agent/me/{api.sid}/latest")
    assert api.server.count("POST", "/run_sse") == 2
    assert api.server.counts[("GET", "/api/state/nemo_agent/me/{session_id}/latest")] == 1
    assert api.server.count("POST", "/api/auth/anonymous-token") == 1


def test_faults_from_the_constructor_are_per_instance(server_factory) -> None:  # type: ignore[no-untyped-def]
    a = server_factory(faults=Faults(fail_next={"credits": 1}))
    b = server_factory()
    api_a, api_b = Api(a), Api(b)
    assert api_b.get("/api/credits/balance/simple").status_code == 200
    assert api_a.get("/api/credits/balance/simple").status_code == 503
    assert api_a.get("/api/credits/balance/simple").status_code == 200
    assert a.faults is not b.faults
    api_a.close()
    api_b.close()


def test_faults_reset(api: Api) -> None:
    f = api.server.faults
    f.fail("state", 5)
    f.latency = 0.1
    f.reset()
    assert f.fail_next == {} and f.latency == 0.0
    assert api.get(f"/api/state/nemo_agent/me/{api.sid}/latest").status_code == 200


def test_drop_every_stream(api: Api) -> None:
    api.upload(("a.png", png()))
    api.server.faults.drop_stream_after = 0
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            api.chat_raw("hello")
    api.server.faults.drop_stream_after = None
    assert api.chat("hello")


def test_serve_context_manager_twice_and_cleanup() -> None:
    threads_before = {t.name for t in threading.enumerate()}
    dirs = []
    for _ in range(2):
        with local.serve() as server:
            assert re.fullmatch(r"http://127\.0\.0\.1:\d+", server.url)
            assert server.port > 0 and server.data_dir.is_dir()
            r = httpx.post(f"{server.url}/api/auth/anonymous-token", headers={"X-Client-Id": "c"})
            assert r.status_code == 200
            dirs.append(server.data_dir)
        assert not server.running
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"{server.url}/api/credits/balance/simple")
    assert all(not d.exists() for d in dirs)  # temp data dirs removed on stop
    leftover = {t.name for t in threading.enumerate()} - threads_before
    assert not {n for n in leftover if n.startswith("nemo-local")}


def test_start_without_with_keeps_a_given_data_dir(tmp_path: Path) -> None:
    server = LocalServer.start(data_dir=tmp_path / "keep", step_delay=0.01)
    try:
        assert server.options.step_delay == 0.01
    finally:
        server.stop()
    server.stop()  # idempotent
    assert (tmp_path / "keep" / "nemo.db").is_file()
    with pytest.raises(TypeError):
        LocalServer(no_such_option=1)


def test_cli_serve(server_process: Callable[..., ServerProcess], tmp_path: Path) -> None:
    server = server_process("--fail", "credits:1", "--latency", "0", "--log-level", "warning")
    url = server.start().url
    r = httpx.post(f"{url}/api/auth/anonymous-token", headers={"X-Client-Id": "x"})
    h = {"Authorization": f"Bearer {r.json()['data']['token']}"}
    assert httpx.get(f"{url}/api/credits/balance/simple", headers=h).status_code == 503
    assert httpx.get(f"{url}/api/credits/balance/simple", headers=h).status_code == 200
    server.proc.send_signal(signal.SIGINT)  # type: ignore[union-attr]
    assert server.wait_exit(20) == 0
    assert (tmp_path / "data" / "nemo.db").is_file()


def test_stop_with_an_open_chat_stream_is_quick(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(generation_delay=30.0, heartbeat_interval=0.1)
    api = Api(server)
    api.upload(("a.png", png()))
    lines: list[str] = []

    def read() -> None:
        lines.extend(api.chat_raw("make a video"))

    reader = threading.Thread(target=read)
    reader.start()
    wait_until(lambda: server.app.state.nemo.busy, what="the generation to run")
    server.stop()  # how long it takes: benchmarks/bench_render.py
    reader.join(60)
    assert not reader.is_alive()
    # an error event, then the stream closes: the stop did not wait for the 30 s generation
    assert '"the server is shutting down"' in lines[-2]
    api.close()
