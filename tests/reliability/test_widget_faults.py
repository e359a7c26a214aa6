"""Faults as the widgets show them: the same injected faults, seen through ChatCell, UploadPicker
and ExportPanel driven by the messages a browser sends (the comm records what goes back)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import RUN_SSE, UPLOAD, accepted_messages, titled

import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from nemo_widgets.widgets import ChatCell, ExportPanel, UploadPicker
from polling import wait_until
from widget_comm import RecordingComm


def send(cell: ChatCell, text: str) -> dict[str, Any]:
    """Send as the browser does and wait for the finished transcript entry."""
    cell._handle_custom_msg({"kind": "send", "id": f"s{time.monotonic_ns()}", "text": text}, [])
    assert cell._future is not None
    entry = cell._future.result(120)
    wait_until(lambda: not cell.busy)
    return entry


@pytest.fixture
def chat(
    comms: list[RecordingComm], session: nw.Session, png: Path
) -> Iterator[tuple[ChatCell, RecordingComm]]:
    titled(session, png)
    cell = ChatCell(session)
    comm = comms[-1]
    cell._handle_custom_msg({"kind": "ready", "id": "r", "have": 0}, [])
    yield cell, comm
    cell.close()


def test_chat_cell_shows_a_dropped_stream_and_never_resends(
    chat: tuple[ChatCell, RecordingComm], server: LocalServer, session: nw.Session
) -> None:
    cell, comm = chat
    sent, posts = accepted_messages(server, session.session_id), server.counts[RUN_SSE]
    server.faults.drop_stream_after, server.faults.drop_stream_times = 2, 1
    entry = send(cell, 'add title "Dropped"')
    assert "✅" in entry["text"] and "Dropped" in entry["text"], entry
    assert cell.transcript[-1] == entry
    notices = [m.get("notice") for m in comm.custom("delta") if m.get("notice")]
    assert any("connection dropped" in n for n in notices), notices
    assert accepted_messages(server, session.session_id) == sent + 1
    assert server.counts[RUN_SSE] == posts + 1
    assert "Again" in send(cell, 'add title "Again"')["text"]


def test_chat_cell_shows_a_refused_message_as_an_error_entry(
    chat: tuple[ChatCell, RecordingComm], server: LocalServer, session: nw.Session
) -> None:
    cell, _ = chat
    sent = accepted_messages(server, session.session_id)
    server.faults.fail("run_sse", times=1, status=503)
    entry = send(cell, 'add title "Refused"')
    assert entry["route"] == "error" and "⚠️" in entry["text"], entry
    assert "chat:" in entry["text"] and "try again" in entry["text"]
    assert accepted_messages(server, session.session_id) == sent
    assert "Accepted" in send(cell, 'add title "Accepted"')["text"]


def test_chat_cell_shows_an_expired_given_token_without_it(
    comms: list[RecordingComm], server: LocalServer
) -> None:
    import httpx

    token = httpx.post(
        f"{server.url}/api/auth/anonymous-token", headers={"X-Client-Id": "widget-given"}
    ).json()["data"]["token"]
    s = nw.connect(backend="local", api_url=server.url, token=token, resume=False)
    cell = ChatCell(s)
    comm = comms[-1]
    try:
        cell._handle_custom_msg({"kind": "ready", "id": "r", "have": 0}, [])
        server.faults.expire_tokens(token)
        entry = send(cell, "make a video")
        assert "⚠️" in entry["text"] and "NEMO_TOKEN" in entry["text"], entry
        assert token not in str(comm.sent) and token not in str(cell.transcript)
    finally:
        cell.close()
        s.close()


def test_upload_picker_shows_a_5xx_then_the_next_upload_works(
    comms: list[RecordingComm], server: LocalServer, session: nw.Session, png: Path
) -> None:
    picker = UploadPicker(session)
    try:
        server.faults.fail("upload", times=1, status=502)
        with pytest.raises(nw.BackendUnavailable):
            picker.add(str(png)).result(60)
        failed = wait_until(lambda: [t for t in picker.transfers if t.get("status") == "error"])
        assert failed[0]["error"].startswith("upload:"), failed
        assert picker.media == []
        picker.add(str(png)).result(60)
        wait_until(lambda: picker.media)
        assert len(session.state().video_infos) == 1 and server.counts[UPLOAD] == 2
    finally:
        picker.close()


def test_export_panel_shows_a_render_failing_twice_then_exports(
    comms: list[RecordingComm], server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    panel = ExportPanel(session)
    try:
        server.faults.fail_next_render = 2
        with pytest.raises(nw.RenderFailed):
            panel.export("low").result(300)
        job = wait_until(
            lambda: panel.job if panel.job and panel.job["status"] == "failed" else None
        )
        assert "failed" in str(job.get("error")), job
        assert [j["status"] for j in panel.jobs] == ["failed", "failed"]
        done = panel.export("low").result(300)
        assert done["job"]["status"] == "completed" and panel.video_url
    finally:
        panel.close()
