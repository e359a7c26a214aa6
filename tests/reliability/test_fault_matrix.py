"""The fault matrix: every fault the offline backend can inject, met through the public API.

For each case: what the user sees (the reply's text or the typed error), that the chat message
reached the backend once (the server's own count of accepted messages, not the client's word),
and that no upload, draft or render was lost (the state read afterwards). See RELIABILITY.md.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from reliability_helpers import (
    CREDITS,
    RENDER,
    RUN_SSE,
    STATE,
    UPLOAD,
    accepted_messages,
    open_session,
    titled,
)

import nemo_widgets as nw
from nemo_widgets.events import Offer
from nemo_widgets.local import LocalServer
from polling import wait_until
from samples import tiny_draft


def title_of(session: nw.Session) -> str | None:
    """The title text in the session's latest draft."""
    for track in session.state().draft.get("t", []):
        for seg in track.get("sg", []):
            if seg.get("k") == "title":
                return str(seg.get("txt"))
    return None


def media_ids(session: nw.Session) -> list[str]:
    return [m["id"] for m in session.state().video_infos]


# -- the chat stream drops -----------------------------------------------------------------------
@pytest.mark.parametrize("after", [1, 3])
def test_stream_dropped_after_n_events_reports_the_change_and_never_resends(
    after: int, server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    sent, posts = accepted_messages(server, session.session_id), server.counts[RUN_SSE]
    server.faults.drop_stream_after, server.faults.drop_stream_times = after, 1
    reply = session.chat('add title "Night City"')
    # the user is told what changed, read from the state (the stream never finished)
    assert "✅" in reply.text and "Night City" in reply.text, reply.text
    assert reply.changes
    assert accepted_messages(server, session.session_id) == sent + 1
    assert server.counts[RUN_SSE] == posts + 1
    assert title_of(session) == "Night City"
    assert len(media_ids(session)) == 1


def test_stream_dropped_with_no_change_offers_a_retry_and_sends_nothing_more(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    before = session.state().draft
    sent = accepted_messages(server, session.session_id)
    server.faults.drop_stream_after, server.faults.drop_stream_times = 1, 1
    reply = session.chat("hello there")  # a question: the draft does not change
    assert "connection dropped" in reply.text and "not sent again" in reply.text, reply.text
    assert any(isinstance(e, Offer) and e.action == "retry" for e in reply.events)
    assert accepted_messages(server, session.session_id) == sent + 1
    assert session.state().draft == before
    # the session goes on
    assert "Slow Lane" in session.chat('add title "Slow Lane"').text


def test_the_offered_retry_last_sends_once_more(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    server.faults.drop_stream_after, server.faults.drop_stream_times = 1, 1
    reply = session.chat("hello there")
    assert "session.retry_last()" in reply.text
    sent = accepted_messages(server, session.session_id)
    again = session.retry_last()
    assert again.route == "chat" and accepted_messages(server, session.session_id) == sent + 1


def test_error_event_mid_stream_is_shown_and_not_resent(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    sent = accepted_messages(server, session.session_id)
    server.faults.error_stream_after = 1
    server.faults.error_stream_message = "agent crashed"
    reply = session.chat('add title "Broken"')
    server.faults.error_stream_after = None
    assert "agent crashed" in reply.text, reply.text
    assert accepted_messages(server, session.session_id) == sent + 1


# -- 5xx bursts ----------------------------------------------------------------------------------
@pytest.mark.parametrize("html", [False, True], ids=["envelope", "proxy-html"])
@pytest.mark.parametrize(
    ("endpoint", "route", "call"),
    [
        ("state", STATE, lambda s: s.state()),
        ("credits", CREDITS, lambda s: s.credits()),
    ],
    ids=["state", "credits"],
)
def test_short_5xx_burst_on_a_read_is_retried_unseen(
    endpoint: str,
    route: tuple[str, str],
    call: Callable[[nw.Session], Any],
    html: bool,
    server: LocalServer,
    session: nw.Session,
) -> None:
    before = server.counts[route]
    server.faults.fail_html = html
    server.faults.fail(endpoint, times=2, status=503)
    assert call(session) is not None
    assert server.counts[route] == before + 3  # two failures, then the answer


@pytest.mark.parametrize(
    ("endpoint", "call"),
    [("state", lambda s: s.state()), ("credits", lambda s: s.credits())],
    ids=["state", "credits"],
)
def test_long_5xx_burst_on_a_read_is_a_typed_error_then_usable(
    endpoint: str, call: Callable[[nw.Session], Any], server: LocalServer, session: nw.Session
) -> None:
    server.faults.fail(endpoint, times=20, status=502)
    with pytest.raises(nw.BackendUnavailable) as info:
        call(session)
    assert info.value.hint and "try again" in str(info.value)
    server.faults.reset()
    assert call(session) is not None


def test_5xx_on_upload_is_not_retried_and_loses_nothing(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    session.upload(png)
    posts = server.counts[UPLOAD]
    server.faults.fail("upload", times=1, status=500)
    with pytest.raises(nw.BackendUnavailable) as info:
        session.upload(png)
    assert str(info.value).startswith("upload:")
    assert server.counts[UPLOAD] == posts + 1  # an upload has effects: never sent twice unasked
    assert len(media_ids(session)) == 1  # the earlier upload is still there
    session.upload(png)
    assert len(media_ids(session)) == 2


def test_5xx_on_chat_before_the_stream_is_not_resent(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    sent, posts = accepted_messages(server, session.session_id), server.counts[RUN_SSE]
    server.faults.fail("run_sse", times=1, status=503)
    with pytest.raises(nw.BackendUnavailable):
        session.chat('add title "Refused"')
    assert server.counts[RUN_SSE] == posts + 1
    assert accepted_messages(server, session.session_id) == sent
    assert title_of(session) != "Refused"
    assert "Accepted" in session.chat('add title "Accepted"').text


def test_5xx_burst_on_the_state_read_around_a_chat(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    sent = accepted_messages(server, session.session_id)
    server.faults.fail("state", times=2, status=503)  # the read before the message
    reply = session.chat('add title "Through"')
    assert "Through" in reply.text
    assert accepted_messages(server, session.session_id) == sent + 1


# -- latency -------------------------------------------------------------------------------------
def test_latency_on_every_call_slows_but_loses_nothing(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    server.faults.latency = 0.2
    titled(session, png)
    job = session.export(tiny_draft(media_ids(session)[0]))
    server.faults.latency = 0.0
    assert job.status == "completed" and Path(str(job.path)).stat().st_size > 0
    assert accepted_messages(server, session.session_id) == 1
    assert server.counts[RENDER] == 1


def test_latency_spike_past_the_timeout_is_a_typed_error(server: LocalServer) -> None:
    s = open_session(server, timeout=0.3, max_retries=1)
    try:
        server.faults.latency = 1.5
        with pytest.raises(nw.BackendUnavailable) as info:
            s.state()
        assert "Timeout" in str(info.value)
    finally:
        server.faults.latency = 0.0
        s.close()


def test_chat_answer_slower_than_the_read_timeout_is_handled_as_a_drop(
    server: LocalServer, png: Path
) -> None:
    s = open_session(server, heartbeat_timeout=0.4, drop_max_reads=2)
    try:
        s.upload(png)
        posts = server.counts[RUN_SSE]
        server.faults.latency = 1.0  # the answer's headers come after the read time-out
        try:
            reply = s.chat('add title "Late"')
        finally:
            server.faults.latency = 0.0
        # never "try again": the message may be running; it is not sent a second time
        assert "connection dropped" in reply.text and "not sent again" in reply.text, reply.text
        assert server.counts[RUN_SSE] == posts + 1
        assert accepted_messages(server, s.session_id) <= 1
        assert s.chat("hello").route == "chat"  # the session goes on
    finally:
        s.close()


def test_heartbeats_only_for_too_long_is_a_stream_timeout_not_a_resend(
    server_factory: Callable[..., LocalServer], png: Path
) -> None:
    slow = server_factory(generation_delay=3.0, heartbeat_interval=0.05)  # long, silent work
    s = open_session(slow, heartbeat_timeout=1.0)
    try:
        s.upload(png)
        with pytest.raises(nw.StreamTimeout) as info:
            s.chat("make a video")
        assert "Only heartbeats" in str(info.value)
        assert "before sending again" in info.value.hint
        assert slow.counts[RUN_SSE] == 1 and accepted_messages(slow, s.session_id) == 1
        # the work goes on on the backend and lands
        wait_until(lambda: s.state().draft.get("t"), 30, "the generation to land")
        assert "Video" in s.summary()
    finally:
        s.close()


# -- tokens --------------------------------------------------------------------------------------
def test_anonymous_token_expired_mid_session_is_renewed_unseen(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    sent = accepted_messages(server, session.session_id)
    server.faults.expire_tokens()
    reply = session.chat('add title "Renewed"')
    assert "Renewed" in reply.text
    assert accepted_messages(server, session.session_id) == sent + 1  # the refused POST never ran
    assert server.counts[("POST", "/api/auth/anonymous-token")] == 2
    assert len(media_ids(session)) == 1


def test_given_token_expired_is_an_auth_error_without_the_token(server: LocalServer) -> None:
    answer = httpx.post(
        f"{server.url}/api/auth/anonymous-token", headers={"X-Client-Id": "reliability-given"}
    )
    token = answer.json()["data"]["token"]
    s = nw.connect(backend="local", api_url=server.url, token=token, resume=False)
    try:
        assert s.credits().available > 0
        server.faults.expire_tokens(token)
        with pytest.raises(nw.AuthError) as info:
            s.chat("make a video")
        shown = f"{info.value} {info.value!r} {info.value.hint}"
        assert token not in shown and "NEMO_TOKEN" in shown
        assert accepted_messages(server, s.session_id) == 0
    finally:
        s.close()


# -- session lost (1002) ---------------------------------------------------------------------------
def forget_session(server: LocalServer, session_id: str) -> None:
    """The backend loses the session (as after a cloud-side clean-up)."""
    server.app.state.nemo.store.sessions.pop(session_id)


def test_lost_session_gets_a_new_one_and_the_next_calls_work(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    notices: list[str] = []
    session.subscribe(lambda kind, p: notices.append(p) if kind == "notice" else None)
    titled(session, png)
    old = session.session_id
    forget_session(server, old)
    media = session.upload(png)  # re-created, then the upload goes to the new session
    assert session.session_id != old and [m.id for m in media] == media_ids(session)
    assert any("new one" in n for n in notices)
    assert "Timeline" in session.chat("make a video").text
    assert accepted_messages(server, session.session_id) == 1


def test_lost_session_is_said_in_the_chat_reply(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    forget_session(server, session.session_id)
    reply = session.chat('add title "Where"')
    assert "new session" in reply.text.lower() or "lost" in reply.text.lower(), reply.text


# -- rate limit (429) ----------------------------------------------------------------------------
def test_one_429_is_waited_out_once(server: LocalServer, session: nw.Session) -> None:
    before = server.counts[CREDITS]
    server.faults.fail("credits", times=1, status=429)
    assert session.credits().available > 0
    assert server.counts[CREDITS] == before + 2


def test_429_twice_is_rate_limited_then_usable(server: LocalServer, session: nw.Session) -> None:
    server.faults.fail_html = True  # a proxy's page: the HTTP status is all there is
    server.faults.fail("state", times=2, status=429)
    with pytest.raises(nw.RateLimited) as info:
        session.state()
    assert "Wait a minute" in str(info.value)
    assert session.state() is not None


def test_429_on_chat_is_never_resent(server: LocalServer, session: nw.Session, png: Path) -> None:
    titled(session, png)
    sent, posts = accepted_messages(server, session.session_id), server.counts[RUN_SSE]
    server.faults.fail_html = True
    server.faults.fail("run_sse", times=1, status=429)
    with pytest.raises(nw.RateLimited):
        session.chat('add title "Limited"')
    assert server.counts[RUN_SSE] == posts + 1
    assert accepted_messages(server, session.session_id) == sent


def test_429_with_an_envelope_of_another_code_is_rate_limited(
    server: LocalServer, session: nw.Session
) -> None:
    server.faults.fail("state", times=2, status=429)
    with pytest.raises(nw.RateLimited):
        session.state()


# -- renders -------------------------------------------------------------------------------------
def test_render_failed_once_is_retried_with_a_new_id(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    notices: list[str] = []
    session.subscribe(lambda kind, p: notices.append(p) if kind == "notice" else None)
    media = session.upload(png)
    server.faults.fail_next_render = 1
    job = session.export(tiny_draft(media[0].id))
    assert job.status == "completed" and Path(str(job.path)).read_bytes()[4:8] == b"ftyp"
    failed, done = session.jobs[-2:]
    assert failed.status == "failed" and failed.id != done.id
    assert any("failed" in n for n in notices)
    assert server.counts[RENDER] == 2


def test_render_failed_twice_is_render_failed_and_draft_kept(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    before = session.state().draft
    server.faults.fail_next_render = 2
    with pytest.raises(nw.RenderFailed) as info:
        session.export(tiny_draft(media_ids(session)[0]))
    assert "failed twice" in str(info.value) and "summary()" in info.value.hint
    assert server.counts[RENDER] == 2
    assert session.state().draft == before
    assert session.export(tiny_draft(media_ids(session)[0])).status == "completed"


@pytest.mark.parametrize("endpoint", ["render_status", "download"])
def test_5xx_burst_while_following_a_render_is_retried(
    endpoint: str, server: LocalServer, session: nw.Session, png: Path
) -> None:
    media = session.upload(png)
    server.faults.fail(endpoint, times=2, status=503)
    job = session.export(tiny_draft(media[0].id))
    assert job.status == "completed" and Path(str(job.path)).read_bytes()[4:8] == b"ftyp"
    assert server.counts[RENDER] == 1  # the render itself was not submitted again


def test_5xx_on_render_submit_is_typed_recorded_and_not_resent(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    media = session.upload(png)
    server.faults.fail("render", times=1, status=502)
    with pytest.raises(nw.BackendUnavailable):
        session.export(tiny_draft(media[0].id))
    assert server.counts[RENDER] == 1 and session.jobs[-1].status == "failed"
    job = session.export(tiny_draft(media[0].id))
    assert job.status == "completed" and job.id != session.jobs[-2].id


# -- restarts ------------------------------------------------------------------------------------
def slow_draft(media_id: str) -> dict[str, Any]:
    """A draft that takes long enough to render to restart something in the middle of it."""
    draft = tiny_draft(media_id, ms=8000)
    draft["m"].update(w=640, h=360, fps=30)
    return draft


def test_server_restarted_mid_session_keeps_uploads_draft_and_renders(
    server_factory: Callable[..., LocalServer], tmp_path: Path, png: Path
) -> None:
    data = tmp_path / "shared-data"
    first = server_factory(data_dir=data)
    s = open_session(first)
    try:
        titled(s, png)
        job = s.export(tiny_draft(media_ids(s)[0]))
        sid, media, draft = s.session_id, media_ids(s), s.state().draft
        port = first.port
        first.stop()
        second = server_factory(data_dir=data, port=port)
        assert s.session_id == sid and media_ids(s) == media and s.state().draft == draft
        assert s.resume(job).status == "completed"
        assert "Again" in s.chat('add title "Again"').text
        assert accepted_messages(second, sid) == 2
    finally:
        s.close()


def test_server_restarted_during_a_render(
    server_factory: Callable[..., LocalServer], tmp_path: Path, png: Path
) -> None:
    data = tmp_path / "shared-data"
    first = server_factory(data_dir=data)
    s = open_session(first)
    try:
        titled(s, png)
        sid, media = s.session_id, media_ids(s)
        draft = s.state().draft
        jobs = [s.export(slow_draft(media[0]), wait=False)]
        on_server = first.app.state.nemo.store.renders[jobs[0].id]
        assert on_server["status"] in ("pending", "processing")  # stopped in the middle
        port = first.port
        first.stop()
        second = server_factory(data_dir=data, port=port)  # same folder, same address
        for job in jobs:
            s.resume(job, download_to=tmp_path / "out")
            assert job.status == "completed", job
            assert Path(str(job.path)).read_bytes()[4:8] == b"ftyp"
        assert s.session_id == sid and media_ids(s) == media and s.state().draft == draft
        assert accepted_messages(second, sid) == 1
        assert second.counts[RENDER] == 0  # nothing was submitted again
    finally:
        s.close()


def test_server_restarted_during_a_chat_says_so_and_charges_nothing(
    server_factory: Callable[..., LocalServer], tmp_path: Path, png: Path
) -> None:
    from nemo_widgets import _loop

    data = tmp_path / "shared-data"
    first = server_factory(data_dir=data, generation_delay=3.0)
    s = open_session(first)
    try:
        s.upload(png)
        running = _loop.submit(s.achat("make a video"))
        wait_until(lambda: first.app.state.nemo.busy or running.done(), 30)
        assert not running.done()  # the message is running on the server
        port = first.port
        first.stop()
        second = server_factory(data_dir=data, port=port, generation_delay=3.0)
        reply = running.result(60)
        assert "server is shutting down" in reply.text, reply.text
        assert accepted_messages(second, s.session_id) == 1
        assert second.counts[RUN_SSE] == 0  # not sent again to the new server
        credits = s.credits()
        assert credits.frozen == 0 and credits.available == credits.total  # nothing charged
        assert len(media_ids(s)) == 1  # the upload survived the restart
    finally:
        s.close()


KILLED = """
import json, sys, time
import nemo_widgets as nw
s = nw.connect(backend="local", api_url=sys.argv[1], poll_interval=0.05)
media = s.upload(sys.argv[2])
s.chat("make a video")
draft = {"d": 8000, "m": {"w": 640, "h": 360, "fps": 30, "ratio": "16:9"}, "t": [{"id": "v",
         "tt": 0, "sg": [{"id": "g", "k": "image", "src": media[0].id, "st": 0, "d": 8000}]}]}
job = s.export(draft, wait=False)
print(json.dumps({"job": job.id, "session": s.session_id, "media": media[0].id}), flush=True)
time.sleep(600)  # killed here, mid-render, like a kernel restart
"""

REATTACH = """
import json, sys
import nemo_widgets as nw
s = nw.connect(backend="local", api_url=sys.argv[1], poll_interval=0.05)
job = s.jobs[-1]
found = {"job": job.id, "session": s.session_id, "status": job.status}
job.wait(download_to=sys.argv[2])
media = [m["id"] for m in s.state().video_infos]
print(json.dumps({**found, "done": job.status, "path": job.path, "media": media}))
"""


def _python(script: str) -> list[str]:
    return [sys.executable, "-c", textwrap.dedent(script)]


def _env() -> dict[str, str]:
    src = str(Path(nw.__file__).resolve().parents[1])
    return {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}


def test_kernel_killed_during_a_render_reattaches_from_a_fresh_process(
    server: LocalServer, png: Path, tmp_path: Path
) -> None:
    import json

    proc = subprocess.Popen(
        [*_python(KILLED), server.url, str(png)],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line, proc.stderr.read() if proc.stderr else ""
        first = json.loads(line)
        proc.send_signal(signal.SIGKILL)  # no clean-up, no atexit: a dead kernel
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(30)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    statuses = server.app.state.nemo.store.renders
    assert statuses[first["job"]]["status"] != "failed"
    done = subprocess.run(
        [*_python(REATTACH), server.url, str(tmp_path / "out")],
        env=_env(),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    second = json.loads(done.stdout.strip().splitlines()[-1])
    assert (second["job"], second["session"]) == (first["job"], first["session"])
    assert second["done"] == "completed"
    assert Path(second["path"]).read_bytes()[4:8] == b"ftyp"
    assert second["media"] == [first["media"]]
    assert accepted_messages(server, first["session"]) == 1
    assert server.counts[RENDER] == 1
    assert len(statuses) == 1  # the killed process left no second job behind
