"""UploadPicker's kernel side: the chunk protocol and its edge cases, and the backend leg."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from widget_fakes import FakeSession, RecordingComm, reply_to

from nemo_widgets import Media, State
from nemo_widgets.errors import BackendUnavailable
from nemo_widgets.widgets import UploadPicker
from polling import wait_until

DATA = bytes(range(256)) * 40  # 10,240 bytes


def call(
    w: UploadPicker,
    comm: RecordingComm,
    kind: str,
    buffers: list[bytes] | None = None,
    **body: object,
) -> dict:
    """Send a request as the view does and return the kernel's reply (sync handlers only)."""
    msg_id = f"m{len(comm.sent)}"
    w._handle_custom_msg({"kind": kind, "id": msg_id, **body}, buffers or [])
    answer = reply_to(comm, msg_id)
    assert answer is not None, f"no reply to {kind}"
    return answer


@pytest.fixture
def picker(
    comms: list[RecordingComm], tmp_path: Path
) -> tuple[UploadPicker, RecordingComm, FakeSession]:
    session = FakeSession()
    w = UploadPicker(session, temp_dir=str(tmp_path))
    w.chunk_size = 4096
    w._receiver.max_chunk = 4096
    return w, comms[-1], session


def temp_files(tmp_path: Path) -> list[Path]:
    # os.walk, not rglob: the picker may be removing a temp folder on another thread right now
    return [Path(d, f) for d, _, files in os.walk(tmp_path) for f in files]


def send_all(w: UploadPicker, comm: RecordingComm, data: bytes, name: str = "photo.png") -> str:
    start = call(w, comm, "upload_start", name=name, size=len(data), type="image/png")
    assert start["ok"], start
    uid = start["upload"]
    for seq, off in enumerate(range(0, len(data), 4096)):
        answer = call(
            w, comm, "upload_chunk", [data[off : off + 4096]], upload=uid, seq=seq, offset=off
        )
        assert answer == {
            "kind": "reply",
            "id": answer["id"],
            "ok": True,
            "held": min(len(data), off + 4096),
        }
    return uid


def test_chunks_arrive_whole_then_go_to_the_backend(picker, tmp_path: Path) -> None:
    w, comm, session = picker
    uid = send_all(w, comm, DATA)
    assert call(w, comm, "upload_end", upload=uid)["ok"]
    wait_until(lambda: bool(w.media))
    assert session.last_content == DATA
    assert session.uploaded[0][0].endswith("photo.png")
    assert w.media == [
        {"id": "med_1_0", "name": "photo.png", "type": "image", "size": len(DATA), "url": None}
    ]
    wait_until(lambda: w.transfers == [])
    assert temp_files(tmp_path) == []  # the temporary file is gone after the backend leg


def test_a_repeated_chunk_is_acknowledged_not_written_twice(picker) -> None:
    w, comm, session = picker
    uid = call(w, comm, "upload_start", name="a.png", size=6000, type="")["upload"]
    first = call(w, comm, "upload_chunk", [DATA[:4096]], upload=uid, seq=0, offset=0)
    again = call(w, comm, "upload_chunk", [DATA[:4096]], upload=uid, seq=0, offset=0)
    assert first["held"] == again["held"] == 4096
    assert (
        call(w, comm, "upload_chunk", [DATA[4096:6000]], upload=uid, seq=1, offset=4096)["held"]
        == 6000
    )
    assert call(w, comm, "upload_end", upload=uid)["ok"]
    wait_until(lambda: bool(w.media))
    assert session.last_content == DATA[:6000]


@pytest.mark.parametrize(
    ("seq", "offset", "chunk", "words"),
    [
        pytest.param(1, 4096, DATA[:4096], "expected chunk 0", id="out-of-order"),
        pytest.param(0, 100, DATA[:4096], "expected 0", id="forged-offset"),
        pytest.param(0, 0, b"", "empty", id="empty-chunk"),
        pytest.param(0, 0, DATA[:4097], "chunk limit", id="oversized-chunk"),
        pytest.param(0, 0, DATA[:4096] + b"", "past the declared size", id="past-declared-size"),
    ],
)
def test_bad_chunks_are_refused_and_the_temp_file_removed(
    picker, tmp_path: Path, seq: int, offset: int, chunk: bytes, words: str
) -> None:
    w, comm, _ = picker
    size = 100 if words == "past the declared size" else 10_000
    uid = call(w, comm, "upload_start", name="a.png", size=size, type="")["upload"]
    assert len(temp_files(tmp_path)) == 1
    answer = call(w, comm, "upload_chunk", [chunk], upload=uid, seq=seq, offset=offset)
    assert answer["ok"] is False
    assert answer["error"]["type"] == "TransferError" and words in answer["error"]["message"]
    assert temp_files(tmp_path) == [] and list(tmp_path.iterdir()) == []
    # The transfer is gone: later chunks are refused too.
    assert call(w, comm, "upload_chunk", [DATA[:10]], upload=uid, seq=0, offset=0)["ok"] is False


def test_a_truncated_upload_is_refused_at_the_end(picker, tmp_path: Path) -> None:
    w, comm, session = picker
    uid = call(w, comm, "upload_start", name="a.png", size=10_000, type="")["upload"]
    call(w, comm, "upload_chunk", [DATA[:4096]], upload=uid, seq=0, offset=0)
    answer = call(w, comm, "upload_end", upload=uid)
    assert answer["ok"] is False and "got 4096 of 10000 bytes" in answer["error"]["message"]
    assert temp_files(tmp_path) == [] and session.uploaded == []


@pytest.mark.parametrize(
    ("name", "size", "error"),
    [
        pytest.param("huge.mp4", 501 * 1024 * 1024, "FileTooLarge", id="huge-declared-size"),
        pytest.param("tool.exe", 10, "UnsupportedFile", id="unsupported-type"),
        pytest.param("a.png", -5, "TransferError", id="negative-size"),
        pytest.param("a.png", "10", "TransferError", id="size-not-a-number"),
    ],
)
def test_start_checks_type_and_size_before_any_byte(
    picker, tmp_path: Path, name: str, size: object, error: str
) -> None:
    w, comm, _ = picker
    answer = call(w, comm, "upload_start", name=name, size=size, type="")
    assert answer["ok"] is False and answer["error"]["type"] == error
    assert list(tmp_path.iterdir()) == []


def test_path_parts_of_a_name_are_dropped(picker, tmp_path: Path) -> None:
    w, comm, _ = picker
    call(w, comm, "upload_start", name="../../etc/evil.png", size=10, type="")
    (made,) = temp_files(tmp_path)
    assert made.name == "evil.png" and made.is_relative_to(tmp_path)


def test_a_chunk_without_its_buffer_or_for_an_unknown_upload(picker, tmp_path: Path) -> None:
    w, comm, _ = picker
    uid = call(w, comm, "upload_start", name="a.png", size=10, type="")["upload"]
    assert call(w, comm, "upload_chunk", [], upload=uid, seq=0, offset=0)["ok"] is False
    assert temp_files(tmp_path) == []
    unknown = call(w, comm, "upload_chunk", [b"x"], upload="u999", seq=0, offset=0)
    assert unknown["ok"] is False and "unknown" in unknown["error"]["message"]


def test_cancel_in_the_browser_leg_removes_the_file(picker, tmp_path: Path) -> None:
    w, comm, session = picker
    uid = call(w, comm, "upload_start", name="a.png", size=10_000, type="")["upload"]
    call(w, comm, "upload_chunk", [DATA[:4096]], upload=uid, seq=0, offset=0)
    assert call(w, comm, "upload_cancel", upload=uid)["cancelled"] is True
    assert temp_files(tmp_path) == [] and session.uploaded == []


def test_cancel_in_the_backend_leg(picker, tmp_path: Path) -> None:
    import asyncio

    w, comm, session = picker
    session.gate = asyncio.Event()  # never set: the backend leg hangs until cancelled
    uid = send_all(w, comm, DATA[:5000])
    call(w, comm, "upload_end", upload=uid)
    wait_until(lambda: bool(session.uploaded))
    assert w.transfers[0]["status"] == "uploading"
    assert call(w, comm, "upload_cancel", upload=uid)["cancelled"] is True
    wait_until(lambda: w.transfers[0]["status"] == "cancelled")
    wait_until(lambda: temp_files(tmp_path) == [])


def test_a_backend_failure_is_shown_on_the_transfer(picker, tmp_path: Path) -> None:
    w, comm, session = picker
    session.upload_error = BackendUnavailable("backend down")
    uid = send_all(w, comm, DATA[:100])
    call(w, comm, "upload_end", upload=uid)
    wait_until(lambda: w.transfers and w.transfers[0]["status"] == "error")
    assert "backend down" in w.transfers[0]["error"]
    assert temp_files(tmp_path) == []


def test_path_and_url_fields(picker, tmp_path: Path) -> None:
    w, comm, session = picker
    f = tmp_path / "clip.png"
    f.write_bytes(b"\x89PNG....")
    w._handle_custom_msg({"kind": "path", "id": "p1", "path": str(f)}, [])
    wait_until(lambda: reply_to(comm, "p1") is not None)
    assert reply_to(comm, "p1")["media"][0]["name"] == "clip.png"
    assert session.uploaded == [(str(f),)]
    bad = call(w, comm, "url", url="ftp://example.com/a.mp4")
    assert bad["ok"] is False and "http" in bad["error"]["message"]
    assert call(w, comm, "path", path="  ")["ok"] is False


def test_media_follow_the_session_state_and_no_bytes_in_traits(picker) -> None:
    w, _comm, session = picker
    info = {
        "id": "med_9",
        "name": "a.jpg",
        "type": "image",
        "mime": "image/jpeg",
        "size": 5,
        "url": "http://127.0.0.1:1/m/a.jpg",
    }
    session.emit("state", State({}, [info], {}, []))
    assert w.media == [
        {
            "id": "med_9",
            "name": "a.jpg",
            "type": "image",
            "size": 5,
            "url": "http://127.0.0.1:1/m/a.jpg",
        }
    ]
    data, _ = w._repr_mimebundle_()
    assert "a.jpg" in data["text/plain"] and "med_9" in data["text/html"]
    state = w.get_state()
    assert all(not isinstance(v, (bytes, bytearray, memoryview)) for v in state.values())


def test_uploads_without_ids_stay_apart_until_the_state_names_them(picker) -> None:
    from nemo_widgets.widgets.upload import _media_dict

    w, _comm, session = picker
    a = Media("", "a.png", "image", 0, "http://h/m/a?key=k")
    b = Media("", "b.png", "image", 0, "http://h/m/b?key=k")
    w._merge_media([_media_dict(a), _media_dict(b)])  # the vendor's files[]: no ids
    assert [m["name"] for m in w.media] == ["a.png", "b.png"]
    info = {"id": "med_a", "name": "a.png", "type": "image", "size": 3, "url": a.url}
    session.emit("state", State({}, [info], {}, []))
    assert [(m["id"], m["name"]) for m in w.media] == [("med_a", "a.png"), ("", "b.png")]
