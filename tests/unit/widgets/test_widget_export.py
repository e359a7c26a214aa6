"""ExportPanel's kernel side: export request, job progress, player source, chunked video fetch."""

from __future__ import annotations

from pathlib import Path

import pytest
from widget_fakes import FakeSession, RecordingComm, reply_to

from nemo_widgets.widgets import ExportPanel
from polling import wait_until


def wait_reply(comm: RecordingComm, msg_id: str) -> dict:
    return wait_until(lambda: reply_to(comm, msg_id), what=f"the reply to {msg_id}")


@pytest.fixture
def video(tmp_path: Path) -> Path:
    path = tmp_path / "render_1.mp4"
    path.write_bytes(bytes(range(256)) * 6000)  # 1,536,000 bytes
    return path


def exported(
    comms: list[RecordingComm], video: Path, url: str | None, **kw: object
) -> tuple[ExportPanel, RecordingComm, FakeSession]:
    session = FakeSession()
    session.export_path, session.export_url = str(video), url
    w = ExportPanel(session, **kw)
    comm = comms[-1]
    w._handle_custom_msg({"kind": "export", "id": "e1", "quality": "medium"}, [])
    answer = wait_reply(comm, "e1")
    assert answer["ok"], answer
    return w, comm, session


def test_export_follows_the_job_to_the_player(comms: list[RecordingComm], video: Path) -> None:
    url = "http://127.0.0.1:8765/api/render/proxy/render_1/download"
    w, comm, session = exported(comms, video, url, download_to="/renders")
    assert session.export_args == {"quality": "medium", "download_to": "/renders"}
    assert w.quality == "medium"
    assert w.job["status"] == "completed" and w.job["path"] == str(video)
    assert [u["status"] for u in comm.updates("job") if u][:3] == [
        "pending",
        "pending",
        "processing",
    ]
    assert w.video_url == url and w.local_port == 8765
    assert w.local_path == "/api/render/proxy/render_1/download"
    assert w.video_size == video.stat().st_size
    assert [j["id"] for j in w.jobs] == ["render_1"]


def test_a_remote_url_is_not_a_kernel_port(comms: list[RecordingComm], video: Path) -> None:
    w, _, _ = exported(comms, video, "https://cdn.example.com/r.mp4?sig=1")
    assert (w.video_url, w.local_port, w.local_path) == (
        "https://cdn.example.com/r.mp4?sig=1",
        0,
        "",
    )


def test_video_streams_in_paced_chunks(comms: list[RecordingComm], video: Path) -> None:
    w, comm, _ = exported(comms, video, None, rate=1_000_000, chunk=512 * 1024)
    sleeps: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    w._sleep = fake_sleep
    w._handle_custom_msg({"kind": "fetch", "id": "f1", "job": "render_1", "fetch": "fx"}, [])
    assert wait_reply(comm, "f1") == {"kind": "reply", "id": "f1", "ok": True, "total": 1_536_000}
    chunks = comm.buffers("video_chunk")
    assert [m["offset"] for m, _ in chunks] == [0, 524288, 1048576]
    assert all(m["fetch"] == "fx" and m["total"] == 1_536_000 for m, _ in chunks)
    assert b"".join(b[0] for _, b in chunks) == video.read_bytes()
    assert max(len(b[0]) for _, b in chunks) <= 10 * 1024 * 1024
    # Paced: with the clock standing still, each wait is the time its bytes take at the rate.
    assert sleeps == pytest.approx([0.524288, 1.048576, 1.536], abs=0.1)


def test_video_over_the_cap_is_refused_with_its_path(
    comms: list[RecordingComm], video: Path
) -> None:
    w, comm, _ = exported(comms, video, None, cap=1_000_000)
    w._handle_custom_msg({"kind": "fetch", "id": "f1", "job": "render_1", "fetch": "fx"}, [])
    answer = wait_reply(comm, "f1")
    assert answer["ok"] is False and str(video) in answer["error"]["hint"]
    assert comm.buffers("video_chunk") == []


def test_fetch_of_an_unknown_job(comms: list[RecordingComm], video: Path) -> None:
    w, comm, _ = exported(comms, video, None)
    w._handle_custom_msg({"kind": "fetch", "id": "f1", "job": "nope", "fetch": "fx"}, [])
    assert wait_reply(comm, "f1")["ok"] is False


def test_link_goes_to_the_browser_only(comms: list[RecordingComm]) -> None:
    w = ExportPanel(FakeSession())
    comm = comms[-1]
    w._handle_custom_msg({"kind": "link", "id": "l1"}, [])
    assert wait_reply(comm, "l1")["url"].startswith("https://nemovideo.com/workspace/claim?ct=")
    assert "clm_fake" not in str(w.get_state())


def test_a_second_export_while_one_runs_is_refused(comms: list[RecordingComm], video: Path) -> None:
    import asyncio

    session = FakeSession()
    gate = asyncio.Event()

    async def slow_export(**_kw: object) -> object:
        await gate.wait()

    session.aexport = slow_export  # type: ignore[method-assign]
    w = ExportPanel(session)
    comm = comms[-1]
    w._handle_custom_msg({"kind": "export", "id": "e1"}, [])
    w._handle_custom_msg({"kind": "export", "id": "e2"}, [])
    assert "already running" in wait_reply(comm, "e2")["error"]["message"]
    w._export.cancel()


def test_unknown_quality_and_fallback(comms: list[RecordingComm], video: Path) -> None:
    w, comm, _ = exported(comms, video, None)
    w._handle_custom_msg({"kind": "export", "id": "e2", "quality": "ultra"}, [])
    assert wait_reply(comm, "e2")["ok"] is False
    data, _ = w._repr_mimebundle_()
    assert "render_1: completed" in data["text/plain"] and str(video) in data["text/html"]


def test_cancel_before_the_render_is_submitted_stops_the_export(
    comms: list[RecordingComm],
) -> None:
    import asyncio

    session = FakeSession()
    gate = asyncio.Event()

    async def slow_export(**_kw: object) -> object:
        await gate.wait()  # still checking the draft: no job id yet

    session.aexport = slow_export  # type: ignore[method-assign]
    w = ExportPanel(session)
    comm = comms[-1]
    w._handle_custom_msg({"kind": "cancel", "id": "c0"}, [])
    assert wait_reply(comm, "c0")["error"]["message"] == "No render is running."
    w._handle_custom_msg({"kind": "export", "id": "e1"}, [])
    w._handle_custom_msg({"kind": "cancel", "id": "c1"}, [])
    assert wait_reply(comm, "c1")["job"]["status"] == "cancelled"
    assert wait_reply(comm, "e1")["ok"] is False  # the export itself ended, cancelled
    assert w._export is not None and w._export.cancelled()
    w._handle_custom_msg({"kind": "export", "id": "e2", "quality": "ultra"}, [])
    assert "Unknown quality" in wait_reply(comm, "e2")["error"]["message"]  # not "already running"
