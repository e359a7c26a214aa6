"""The bad-input matrix: the public API, the widgets' messages from the browser and the magics.

Every bad input must end in a clear, typed error (an exception for the API and the magics, an
error reply as data for the widgets), send nothing the backend would act on, and leave the
kernel and the session usable: each case is followed by a call that must succeed.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from IPython.core.error import UsageError
from IPython.core.interactiveshell import InteractiveShell
from IPython.utils.capture import capture_output
from reliability_helpers import (
    RENDER,
    RUN_SSE,
    UPLOAD,
    accepted_messages,
    titled,
)

import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from nemo_widgets.magics import register
from nemo_widgets.widgets import ChatCell, ExportPanel, UploadPicker
from polling import request, wait_until
from samples import tiny_draft
from widget_comm import RecordingComm


# -- the public API ------------------------------------------------------------------------------
def _files(tmp: Path) -> dict[str, Path]:
    (tmp / "folder").mkdir(parents=True)
    (tmp / "notes.txt").write_text("not media")
    (tmp / "empty.mp4").write_bytes(b"")
    (tmp / "fake.mp4").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)  # a PNG named .mp4
    (tmp / "noext").write_bytes(b"\xff\xd8\xff" + b"\0" * 64)
    return {p.name: p for p in tmp.iterdir()}


BAD_UPLOADS: list[tuple[str, Callable[[dict[str, Path]], list[Any]], type[Exception], str]] = [
    ("missing file", lambda f: ["nope/missing.png"], nw.NemoError, "no such file"),
    ("a directory", lambda f: [f["folder"]], nw.NemoError, "is a directory"),
    ("unsupported type", lambda f: [f["notes.txt"]], nw.UnsupportedFile, ".txt"),
    ("empty file", lambda f: [f["empty.mp4"]], nw.UnsupportedFile, "empty"),
    ("spoofed content", lambda f: [f["fake.mp4"]], nw.UnsupportedFile, "PNG"),
    ("no extension", lambda f: [f["noext"]], nw.UnsupportedFile, "no extension"),
    ("glob without match", lambda f: ["nowhere/*.png"], nw.NemoError, "no file matches"),
    ("ftp url", lambda f: ["ftp://example.com/a.mp4"], nw.NemoError, "not an http(s) URL"),
    ("url without host", lambda f: ["http://"], nw.NemoError, "malformed"),
    ("url with a bad port", lambda f: ["http://example.com:99999/a.mp4"], nw.NemoError, "port"),
    ("nothing", lambda f: [], nw.NemoError, "nothing to upload"),
    ("not a path", lambda f: [5], TypeError, ""),
]


@pytest.mark.parametrize(
    ("items", "error", "says"),
    [pytest.param(i, e, s, id=name) for name, i, e, s in BAD_UPLOADS],
)
def test_bad_upload_is_typed_sends_nothing_and_session_goes_on(
    items: Callable[[dict[str, Path]], list[Any]],
    error: type[Exception],
    says: str,
    server: LocalServer,
    session: nw.Session,
    png: Path,
    tmp_path: Path,
) -> None:
    files = _files(tmp_path / "inputs")
    with pytest.raises(error) as info:
        session.upload(*items(files))
    assert says in str(info.value)
    if isinstance(info.value, nw.NemoError):
        assert info.value.hint
    assert server.counts[UPLOAD] == 0  # refused before any request
    assert len(session.upload(png)) == 1


def test_unreachable_url_is_a_typed_error_from_the_backend(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    with pytest.raises(nw.NemoError, match="could not fetch"):
        session.upload("http://127.0.0.1:9/clip.mp4")
    assert session.state().video_infos == []
    assert len(session.upload(png)) == 1


def _bad_drafts(media_id: str, base: pd.DataFrame) -> dict[str, Any]:
    negative = tiny_draft(media_id)
    negative["t"][0]["sg"][0]["st"] = -5
    overlap = tiny_draft(media_id, ms=2000)
    overlap["t"][0]["sg"].append({**overlap["t"][0]["sg"][0], "id": "seg_2", "st": 500})
    df_neg = base.copy()
    df_neg.loc[0, "start"] = -1000
    df_text = base.copy()
    df_text["start"] = df_text["start"].astype(object)
    df_text.loc[0, "start"] = "soon"
    return {
        "a list": [1, 2],
        "a string": "draft",
        "empty dict": {},
        "tracks without segments": {"t": [{"tt": 0, "sg": []}]},
        "negative start": negative,
        "overlapping segments": overlap,
        "empty DataFrame": pd.DataFrame(),
        "DataFrame without columns it needs": pd.DataFrame({"a": [1]}),
        "DataFrame with a negative start": df_neg,
        "DataFrame with text in a time column": df_text,
    }


def test_bad_drafts_are_draft_errors_before_any_render(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    media_id = session.state().video_infos[0]["id"]
    for name, draft in _bad_drafts(media_id, session.timeline()).items():
        with pytest.raises(nw.DraftError) as info:
            session.export(draft)
        assert str(info.value) and info.value.hint, name
    assert server.counts[RENDER] == 0
    assert session.export(tiny_draft(media_id)).status == "completed"


def test_draft_with_unknown_media_is_refused_by_the_backend(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    media = session.upload(png)
    with pytest.raises(nw.NemoError, match="unknown media"):
        session.export(tiny_draft("med_unknown"))
    assert session.jobs and session.jobs[-1].status == "failed"
    assert session.export(tiny_draft(media[0].id)).status == "completed"


def test_unknown_quality_is_refused_before_the_request(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    media = session.upload(png)
    with pytest.raises((ValueError, nw.NemoError)):
        session.export(tiny_draft(media[0].id), quality="ultra")
    assert server.counts[RENDER] == 0


@pytest.mark.parametrize(
    ("text", "error"),
    [("", nw.NemoError), ("   \n ", nw.NemoError), (None, TypeError)],
    ids=["empty", "blank", "None"],
)
def test_bad_chat_message_is_typed_and_never_accepted(
    text: Any, error: type[Exception], server: LocalServer, session: nw.Session, png: Path
) -> None:
    with pytest.raises(error):
        session.chat(text)
    assert accepted_messages(server, session.session_id) == 0
    session.upload(png)
    assert "Timeline" in session.chat("make a video").text


@pytest.mark.parametrize(
    ("kwargs", "error", "says"),
    [
        ({"backend": "mars"}, ValueError, "'cloud' or 'local'"),
        ({"backend": "local", "bogus": 1}, TypeError, "unknown keyword"),
        ({"backend": "cloud", "api_url": "not a url"}, nw.BackendUnavailable, "protocol"),
        ({"backend": "cloud", "api_url": "http://127.0.0.1:9"}, nw.BackendUnavailable, "Connect"),
    ],
    ids=["unknown backend", "unknown option", "malformed api url", "nothing listening"],
)
def test_bad_connect_arguments_are_typed(
    kwargs: dict[str, Any], error: type[Exception], says: str, server: LocalServer
) -> None:
    with pytest.raises(error, match=says):
        nw.connect(**kwargs, max_retries=0)
    s = nw.connect(backend="local", api_url=server.url, resume=False)
    try:
        assert s.credits().available > 0
    finally:
        s.close()


# -- the widgets' messages from the browser ------------------------------------------------------
@pytest.fixture
def picker(
    comms: list[RecordingComm], session: nw.Session, tmp_path: Path
) -> Iterator[tuple[UploadPicker, RecordingComm]]:
    temp = tmp_path / "kernel-temp"
    temp.mkdir()
    w = UploadPicker(session, temp_dir=str(temp))
    w._receiver.max_chunk = 1024  # small chunks: many of them for a small file
    yield w, comms[-1]
    w.close()


def _upload(w: UploadPicker, comm: RecordingComm, data: bytes, name: str = "ok.png") -> str:
    start = request(w, comm, "upload_start", name=name, size=len(data))
    assert start["ok"], start
    uid = start["upload"]
    for seq, offset in enumerate(range(0, len(data), 1024)):
        chunk = data[offset : offset + 1024]
        answer = request(w, comm, "upload_chunk", [chunk], upload=uid, seq=seq, offset=offset)
        assert answer["ok"], answer
    assert request(w, comm, "upload_end", upload=uid)["ok"]
    return uid


def _then_usable(w: UploadPicker, comm: RecordingComm, png: Path, session: nw.Session) -> None:
    """A good transfer after a bad one reaches the backend: the widget and session still work."""
    before = len(session.state().video_infos)
    _upload(w, comm, png.read_bytes())
    wait_until(lambda: len(w.media) > before, 30, "the upload in the picker's media")
    assert len(session.state().video_infos) == before + 1


def _temp_files(w: UploadPicker) -> list[Path]:
    # os.walk, not rglob: a temp folder may be going away on the picker's thread
    return [Path(d, f) for d, _, files in os.walk(str(w._receiver.root)) for f in files]


CHUNK_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    # (case, what the browser sends after a good start and a good first chunk, error type, says)
    ("out-of-order chunk", {"seq": 2, "offset": 2048}, "TransferError", "expected chunk 1"),
    ("forged offset", {"seq": 1, "offset": 7}, "TransferError", "expected 1024"),
    ("replayed earlier chunk", {"seq": 0, "offset": 0, "size": 10}, "TransferError", "chunk 0"),
    ("chunk over the limit", {"seq": 1, "offset": 1024, "size": 4096}, "TransferError", "limit"),
    ("empty chunk", {"seq": 1, "offset": 1024, "size": 0}, "TransferError", "empty"),
    ("unknown upload id", {"upload": "u999"}, "TransferError", "unknown"),
    ("missing upload id", {"upload": None}, "TransferError", "unknown"),
    ("seq as text", {"seq": "1"}, "TransferError", "arrived"),
    ("no buffer", {"buffers": []}, "NemoError", "exactly one binary buffer"),
    ("two buffers", {"buffers": [b"a", b"b"]}, "NemoError", "exactly one binary buffer"),
]


@pytest.mark.parametrize(
    ("change", "error", "says"),
    [pytest.param(c, e, s, id=name) for name, c, e, s in CHUNK_CASES],
)
def test_bad_chunk_is_an_error_reply_and_drops_the_transfer(
    change: dict[str, Any],
    error: str,
    says: str,
    picker: tuple[UploadPicker, RecordingComm],
    session: nw.Session,
    png: Path,
) -> None:
    w, comm = picker
    data = bytes(range(256)) * 16  # 4 KB
    uid = request(w, comm, "upload_start", name="clip.png", size=len(data))["upload"]
    assert request(w, comm, "upload_chunk", [data[:1024]], upload=uid, seq=0, offset=0)["ok"]
    body: dict[str, Any] = {"upload": uid, "seq": 1, "offset": 1024}
    body.update({k: v for k, v in change.items() if k not in ("size", "buffers")})
    buffers = change.get("buffers", [b"x" * change.get("size", 1024)])
    answer = request(w, comm, "upload_chunk", buffers, **body)
    assert answer["ok"] is False
    assert answer["error"]["type"] == error and says in answer["error"]["message"], answer
    if error == "TransferError":
        assert answer["error"]["hint"] == "Upload the file again."
    again = request(w, comm, "upload_chunk", [data[1024:2048]], upload=uid, seq=1, offset=1024)
    if "upload" in change:
        # a chunk naming another transfer must not break this one: it goes on
        assert again["ok"] and w._receiver.open_count == 1
        assert request(w, comm, "upload_cancel", upload=uid)["cancelled"] is True
    else:
        # the transfer is gone with its temporary file; its next chunk is refused too
        assert again["ok"] is False
    assert w._receiver.open_count == 0 and _temp_files(w) == []
    _then_usable(w, comm, png, session)


START_CASES: list[tuple[str, dict[str, Any], str, str]] = [
    ("huge declared size", {"name": "big.mp4", "size": 10**12}, "FileTooLarge", "limit"),
    ("negative size", {"name": "a.mp4", "size": -1}, "TransferError", "positive"),
    ("size as text", {"name": "a.mp4", "size": "100"}, "TransferError", "positive"),
    ("size true", {"name": "a.mp4", "size": True}, "TransferError", "positive"),
    ("missing size", {"name": "a.mp4"}, "TransferError", "positive"),
    ("unsupported type", {"name": "run.exe", "size": 10}, "UnsupportedFile", ".exe"),
    ("missing name", {"size": 10}, "UnsupportedFile", "not accepted"),
    ("path in the name", {"name": "../../etc/passwd", "size": 10}, "UnsupportedFile", "passwd"),
]


@pytest.mark.parametrize(
    ("body", "error", "says"),
    [pytest.param(b, e, s, id=name) for name, b, e, s in START_CASES],
)
def test_bad_upload_start_is_refused_before_any_file(
    body: dict[str, Any],
    error: str,
    says: str,
    picker: tuple[UploadPicker, RecordingComm],
    session: nw.Session,
    png: Path,
) -> None:
    w, comm = picker
    answer = request(w, comm, "upload_start", **body)
    assert answer["ok"] is False and answer["error"]["type"] == error, answer
    assert says in answer["error"]["message"] and answer["error"]["hint"]
    assert w._receiver.open_count == 0 and _temp_files(w) == []
    _then_usable(w, comm, png, session)


def test_truncated_transfer_is_refused_at_the_end(
    picker: tuple[UploadPicker, RecordingComm], session: nw.Session, png: Path
) -> None:
    w, comm = picker
    uid = request(w, comm, "upload_start", name="short.png", size=4096)["upload"]
    assert request(w, comm, "upload_chunk", [b"\0" * 1024], upload=uid, seq=0, offset=0)["ok"]
    answer = request(w, comm, "upload_end", upload=uid)
    assert answer["ok"] is False and "1024 of 4096" in answer["error"]["message"]
    assert _temp_files(w) == [] and session.state().video_infos == []
    _then_usable(w, comm, png, session)


def test_chunk_past_the_declared_size_is_refused(
    picker: tuple[UploadPicker, RecordingComm], session: nw.Session, png: Path
) -> None:
    w, comm = picker
    uid = request(w, comm, "upload_start", name="tiny.png", size=100)["upload"]
    answer = request(w, comm, "upload_chunk", [b"\0" * 101], upload=uid, seq=0, offset=0)
    assert answer["ok"] is False and "declared size" in answer["error"]["message"]
    _then_usable(w, comm, png, session)


def test_forged_content_passes_the_chunks_but_is_refused_before_the_backend(
    picker: tuple[UploadPicker, RecordingComm], server: LocalServer, session: nw.Session, png: Path
) -> None:
    w, comm = picker
    _upload(w, comm, b"MZ" + b"\0" * 3000, name="movie.mp4")  # an executable named .mp4
    failed = wait_until(
        lambda: next((t for t in w.transfers if t.get("status") == "error"), None), 30
    )
    assert "movie.mp4" in failed["error"] and "not a media type" in failed["error"]
    assert server.counts[UPLOAD] == 0 and _temp_files(w) == []
    _then_usable(w, comm, png, session)


@pytest.mark.parametrize(
    ("kind", "body", "says"),
    [
        ("explode", {}, "unknown request 'explode'"),
        ("path", {"path": ""}, "No path given"),
        ("path", {"path": "/no/such/file.png"}, "no such file"),
        ("url", {"url": "javascript:alert(1)"}, "Not an http(s) URL"),
        ("url", {"url": "ftp://example.com/a.mp4"}, "Not an http(s) URL"),
        ("upload_end", {"upload": "u404"}, "unknown or finished upload"),
    ],
    ids=["unknown kind", "empty path", "missing path", "javascript url", "ftp url", "end unknown"],
)
def test_bad_picker_requests_are_error_replies(
    kind: str,
    body: dict[str, Any],
    says: str,
    picker: tuple[UploadPicker, RecordingComm],
    session: nw.Session,
    png: Path,
) -> None:
    w, comm = picker
    answer = request(w, comm, kind, **body)
    assert answer["ok"] is False and says in answer["error"]["message"], answer
    _then_usable(w, comm, png, session)


def test_messages_without_a_kind_are_ignored_and_the_widget_goes_on(
    picker: tuple[UploadPicker, RecordingComm], session: nw.Session, png: Path
) -> None:
    w, comm = picker
    sent = len(comm.sent)
    for content in ({}, {"id": "x"}, {"kind": 5, "id": "y"}, ["not", "a", "dict"], None):
        w._handle_custom_msg(content, [])
    assert len(comm.sent) == sent  # no reply, no crash: nothing to answer to
    _then_usable(w, comm, png, session)


def test_chat_widget_refuses_empty_and_double_sends(
    comms: list[RecordingComm], server: LocalServer, session: nw.Session, png: Path
) -> None:
    session.upload(png)
    cell = ChatCell(session)
    comm = comms[-1]
    try:
        empty = request(cell, comm, "send", text="   ")
        assert empty["ok"] is False and "Nothing to send" in empty["error"]["message"]
        missing = request(cell, comm, "send")
        assert missing["ok"] is False
        first = request(cell, comm, "send", text="make a video")
        assert first["ok"]
        second = request(cell, comm, "send", text="make a video")  # while the first streams
        assert second["ok"] is False and "still streaming" in second["error"]["message"]
        assert cell._future is not None
        entry = cell._future.result(60)
        assert "Timeline" in entry["text"]
        assert accepted_messages(server, session.session_id) == 1
        assert server.counts[RUN_SSE] == 1
        # and the next message goes through
        request(cell, comm, "send", text='add title "After"')
        assert "After" in cell._future.result(60)["text"]
    finally:
        cell.close()


def test_export_panel_refuses_an_unknown_quality_and_a_forged_fetch(
    comms: list[RecordingComm], server: LocalServer, session: nw.Session, png: Path
) -> None:
    panel = ExportPanel(session)
    comm = comms[-1]
    try:
        bad = request(panel, comm, "export", quality="ultra")
        assert bad["ok"] is False and "Unknown quality" in bad["error"]["message"]
        forged = request(panel, comm, "fetch", fetch="f1", job="render_../../etc/passwd")
        assert forged["ok"] is False and "no downloaded file" in forged["error"]["message"]
        empty = request(panel, comm, "export", quality="high")  # nothing to render yet
        assert empty["ok"] is False and empty["error"]["type"] == "DraftError"
        assert server.counts[RENDER] == 0
        titled(session, png)
        panel.quality = "high"
        done = request(panel, comm, "export", quality="high", timeout=120)
        assert done["ok"] and done["job"]["status"] == "completed", done
    finally:
        panel.close()


# -- the magics ----------------------------------------------------------------------------------
@pytest.fixture
def shell(comms: list[RecordingComm]) -> InteractiveShell:
    ip = InteractiveShell.instance()
    register(ip)
    return ip


@pytest.mark.parametrize(
    "line",
    [
        "bogus",
        "upload",
        "studio extra",
        "export --quality ultra",
        "connect mars",
        "credits --verbose",
        'upload "unclosed',
    ],
)
def test_bad_magic_lines_are_usage_errors_and_the_session_goes_on(
    line: str, shell: InteractiveShell, server: LocalServer, session: nw.Session
) -> None:
    with pytest.raises(UsageError, match="Usage:"):
        shell.run_line_magic("nemo", line)
    assert repr(shell.run_line_magic("nemo", "credits")).startswith("Credits:")


def test_empty_chat_cell_magic_is_a_usage_error(
    shell: InteractiveShell, server: LocalServer, session: nw.Session
) -> None:
    with pytest.raises(UsageError, match="empty"):
        shell.run_cell_magic("nemo", "", "  \n ")
    assert accepted_messages(server, session.session_id) == 0


def test_magic_upload_of_a_missing_file_prints_the_error(
    shell: InteractiveShell, server: LocalServer, session: nw.Session, png: Path
) -> None:
    with capture_output() as out:
        result = shell.run_line_magic("nemo", "upload /no/such/file.png")
    assert result is None and "❌" in out.stdout and "no such file" in out.stdout
    media = shell.run_line_magic("nemo", f"upload {png}")
    assert [m.name for m in media] == ["photo.png"] and repr(media).startswith("Media photo.png")
    assert server.counts[UPLOAD] == 1
