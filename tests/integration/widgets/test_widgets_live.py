"""Each widget's kernel side against the offline backend: messages in, state and messages out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from nemo_widgets.widgets import ChatCell, ExportPanel, Studio, TimelineTable, UploadPicker
from polling import request, wait_until
from widget_comm import RecordingComm, rebuild_reply


def upload_through_picker(
    picker: UploadPicker, comm: RecordingComm, path: Path, chunk: int
) -> dict[str, Any]:
    data = path.read_bytes()
    start = request(picker, comm, "upload_start", name=path.name, size=len(data), type="image/png")
    assert start["ok"], start
    for seq, off in enumerate(range(0, len(data), chunk)):
        r = request(
            picker,
            comm,
            "upload_chunk",
            [data[off : off + chunk]],
            upload=start["upload"],
            seq=seq,
            offset=off,
        )
        assert r["ok"], r
    return request(picker, comm, "upload_end", upload=start["upload"])


def test_upload_picker_sends_chunks_to_the_backend(
    session: nw.Session, comms: list[RecordingComm], png: Path
) -> None:
    picker = UploadPicker(session)
    comm = comms[-1]
    assert upload_through_picker(picker, comm, png, chunk=1000)["ok"]
    media = wait_until(lambda: picker.media)
    assert media[0]["name"] == "city.png" and media[0]["id"]
    assert media[0]["size"] == png.stat().st_size
    wait_until(lambda: picker.transfers == [] or None)
    # The session knows it too: the backend's state lists the upload.
    assert any(v["id"] == media[0]["id"] for v in session.state().video_infos)


def test_upload_picker_path_field(
    session: nw.Session, comms: list[RecordingComm], png: Path
) -> None:
    picker = UploadPicker(session)
    r = request(picker, comms[-1], "path", path=str(png))
    assert r["ok"] and r["media"][0]["name"] == "city.png"
    missing = request(picker, comms[-1], "path", path=str(png.with_name("nope.png")))
    assert missing["ok"] is False and missing["error"]["message"]


def test_chat_cell_streams_a_real_reply(
    session: nw.Session, comms: list[RecordingComm], png: Path
) -> None:
    session.upload(png)
    cell = ChatCell(session)
    comm = comms[-1]
    assert request(cell, comm, "ready", have=0)["ok"]
    assert request(cell, comm, "send", text="make a video from my photos")["ok"]
    end = wait_until(lambda: comm.custom("end"), timeout=120)
    text = rebuild_reply(comm.custom("delta"))
    assert text and end[0]["length"] == len(text.encode("utf-16-le")) // 2
    assert cell.transcript[-1]["text"] == text and cell.transcript[-1]["role"] == "assistant"
    assert comm.updates("transcript") == []  # the reply went once, as deltas
    wait_until(lambda: not cell.busy)


def test_chat_cell_routes_credits_to_a_card(
    session: nw.Session, comms: list[RecordingComm]
) -> None:
    cell = ChatCell(session)
    entry = cell.ask("余额").result(60)
    assert entry["route"] == "credits" and entry["text"]


def test_timeline_follows_an_edit_and_export_plays(
    session: nw.Session, comms: list[RecordingComm], png: Path, tmp_path: Path
) -> None:
    session.upload(png)
    timeline = TimelineTable(session)
    assert timeline.rows == []
    session.chat("make a video from my photos")
    session.state()
    rows = wait_until(lambda: timeline.rows)
    assert len(rows) == len(timeline.df) and timeline.summary.startswith("Timeline (")
    assert timeline.tracks and timeline.duration > 0

    panel = ExportPanel(session)
    comm = comms[-1]
    r = request(panel, comm, "export", quality="high")
    assert r["ok"], r
    job = r["job"]
    assert job["status"] == "completed" and Path(job["path"]).is_file()
    assert panel.job["status"] == "completed" and panel.jobs[-1]["id"] == job["id"]
    statuses = [u["status"] for u in comm.updates("job") if u]
    assert statuses[0] == "pending" and statuses[-1] == "completed"
    # The offline backend is on this machine: the player uses its URL directly.
    assert panel.video_url.startswith("http://127.0.0.1:") and panel.local_port > 0
    # A browser elsewhere gets the file through the widget channel instead.
    fetched = request(panel, comm, "fetch", job=job["id"], fetch="f1")
    assert fetched["ok"], fetched
    chunks = b"".join(b[0] for _, b in comm.buffers("video_chunk"))
    assert chunks == Path(job["path"]).read_bytes() and chunks[4:8] == b"ftyp"


def test_no_token_and_no_media_bytes_reach_the_browser_as_json(
    server: LocalServer, session: nw.Session, comms: list[RecordingComm], png: Path
) -> None:
    studio = Studio(session)
    assert upload_through_picker(studio.upload, studio.upload.comm, png, chunk=4096)["ok"]
    wait_until(lambda: studio.upload.media)
    assert request(studio.chat, studio.chat.comm, "ready", have=0)["ok"]
    studio.chat.ask("make a video from my photos").result(120)
    session.state()
    assert request(studio.export, studio.export.comm, "export")["ok"]
    assert request(studio.export, studio.export.comm, "link")["ok"]
    tokens = list(server.app.state.nemo.store.tokens)
    assert tokens
    texts = [json.dumps(c.opened.get("data"), ensure_ascii=False) for c in comms]
    texts += [json.dumps(d, ensure_ascii=False) for c in comms for d, _ in c.sent]
    texts += [json.dumps(p.get_state(), ensure_ascii=False) for p in studio.parts]
    png_head = png.read_bytes()[:16].decode("latin-1")
    for text in texts:
        assert not any(t in text for t in tokens)
        assert png_head not in text  # file bytes only ever travel in binary buffers


def test_studio_puts_four_widgets_on_one_session(
    session: nw.Session, comms: list[RecordingComm]
) -> None:
    studio = Studio(session)
    kinds = (UploadPicker, ChatCell, TimelineTable, ExportPanel)
    # isinstance: anywidget's add_traits gives every instance its own subclass
    assert all(isinstance(p, k) for p, k in zip(studio.parts, kinds, strict=True))
    assert all(p.session is session for p in studio.parts)
    assert session.session_id in studio.children[0].value
    studio.close()
