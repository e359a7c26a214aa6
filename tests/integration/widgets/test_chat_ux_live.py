"""ChatCell against the offline backend: suggestions it understands, Stop, history after a
restart, `connect(new=True)`, and video thumbnails that need no loopback URL."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import nemo_widgets as nw
from nemo_widgets._text import TEXT, ui_text
from nemo_widgets.local import Faults, LocalServer
from nemo_widgets.widgets import ChatCell, UploadPicker
from polling import request, wait_until
from widget_comm import RecordingComm


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_offline_suggestion_edits_the_draft(
    server: LocalServer, png: Path, language: str
) -> None:
    s = nw.connect(backend="local", api_url=server.url, language=language, resume=False)
    try:
        s.upload(png)
        cell = ChatCell(s)
        local = [ui_text(k, language) for k in TEXT if k.startswith("suggest.local.")]
        assert cell.suggestions == local and len(local) >= 3  # the offline agent's set
        draft = s.state().draft
        for text in cell.suggestions:
            entry = cell.ask(text).result(120)
            wait_until(lambda: not cell.busy)
            assert entry["route"] == "chat" and entry["text"], (text, entry)
            assert "⚠️" not in entry["text"] and "❌" not in entry["text"], (text, entry)
            after = s.state().draft
            assert after != draft, f"{text!r} changed nothing: {entry['text']}"
            draft = after
    finally:
        s.close()


def test_stop_stops_waiting_reads_the_state_and_never_resends(
    server_factory: Callable[..., LocalServer], png: Path, comms: list[RecordingComm]
) -> None:
    server = server_factory(
        faults=Faults(never_silent=True), initial_credits=10_000, generation_delay=2.0
    )
    s = nw.connect(backend="local", api_url=server.url, resume=False)
    try:
        s.upload(png)
        before = s.state().draft
        cell = ChatCell(s)
        comm = comms[-1]
        assert request(cell, comm, "ready", have=0)["ok"]
        assert request(cell, comm, "send", text="make a video from my photos")["ok"]
        wait_until(lambda: any("🔧" in d.get("activity", "") for d in comm.custom("delta")))
        assert request(cell, comm, "stop")["stopped"] is True
        entry = cell._future.result(60) if cell._future else None
        assert entry is not None and entry["stopped"] is True
        assert "Stopped waiting" in entry["text"] and "not sent again" in entry["text"]
        assert "Nothing has changed in the project yet." in entry["text"]
        end = comm.custom("end")[-1]
        assert (
            end["length"] == len(entry["text"].encode("utf-16-le")) // 2 and end["stopped"] is True
        )
        wait_until(lambda: not cell.busy)
        assert request(cell, comm, "stop")["stopped"] is False  # nothing runs any more
        # The backend goes on with the one message it got and finishes it.
        wait_until(lambda: s.state().draft != before or None, timeout=60)
        users = [h for h in s.history if h["role"] == "user"]
        assert [h["text"] for h in users] == ["make a video from my photos"]
        assert s.history[-1]["stopped"] is True
    finally:
        s.close()


def test_history_survives_a_restart_and_new_starts_afresh(server: LocalServer) -> None:
    s = nw.connect(backend="local", api_url=server.url)
    sid = s.session_id
    ChatCell(s).ask("what can you do?").result(60)
    shown = [(h["role"], h["text"]) for h in s.history]
    s.close()  # the kernel goes away

    again = nw.connect(backend="local", api_url=server.url)
    try:
        assert again.session_id == sid
        cell = ChatCell(again)
        assert [(e["role"], e["text"]) for e in cell.transcript] == shown
        assert len(shown) == 2 and shown[1][1]
    finally:
        again.close()

    fresh = nw.connect(backend="local", api_url=server.url, new=True)
    try:
        assert fresh.session_id != sid and fresh.history == []
        assert ChatCell(fresh).transcript == []
    finally:
        fresh.close()
    # the record now names the fresh session, with its empty history
    last = nw.connect(backend="local", api_url=server.url)
    try:
        assert last.session_id == fresh.session_id and last.history == []
    finally:
        last.close()


def test_a_video_gets_a_first_frame_thumbnail_as_a_data_url(
    session: nw.Session, comms: list[RecordingComm], tmp_path: Path
) -> None:
    import imageio_ffmpeg

    clip = tmp_path / "clip.mp4"
    subprocess.run(
        [
            *(imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-f", "lavfi", "-i"),
            *("testsrc=size=320x240:rate=10:d=1", "-pix_fmt", "yuv420p", "-y", str(clip)),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    picker = UploadPicker(session)
    r = request(picker, comms[-1], "path", path=str(clip))
    assert r["ok"], r
    media_id = r["media"][0]["id"]
    thumb = wait_until(lambda: picker.thumbs.get(media_id))
    assert thumb.startswith("data:image/jpeg;base64,") and len(thumb) < 64_000
    assert "127.0.0.1" not in str(picker.thumbs)
