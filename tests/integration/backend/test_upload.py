"""Uploads: multipart streamed to disk, URL uploads, type checks, size limit, media URLs."""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from .conftest import Api, jpg, png


def test_several_files_in_one_request(api: Api, media_dir: Path) -> None:
    r = api.upload(
        ("a.png", png()),
        ("b.jpeg", jpg()),
        ("clip.mp4", (media_dir / "clip.mp4").read_bytes()),
        ("music.wav", (media_dir / "music.wav").read_bytes()),
    )
    assert r.status_code == 200, r.text
    files = r.json()["data"]["files"]
    assert [f["type"] for f in files] == ["image", "image", "video", "audio"]
    a, b, clip, music = files
    assert (a["width"], a["height"]) == (320, 240) and a["mime"] == "image/png"
    assert b["mime"] == "image/jpeg"
    assert abs(clip["duration_ms"] - 2000) <= 100 and (clip["width"], clip["height"]) == (320, 240)
    assert abs(music["duration_ms"] - 3000) <= 50
    assert all(f["id"].startswith("med_") and f["size"] > 0 for f in files)
    st = api.state()
    assert [v["id"] for v in st["video_infos"]] == [f["id"] for f in files]
    # the media URL works without the bearer (for <video>) and supports Range
    got = httpx.get(clip["url"], headers={"Range": "bytes=0-9"})
    assert got.status_code == 206 and len(got.content) == 10
    assert got.headers["accept-ranges"] == "bytes"
    assert got.content == (media_dir / "clip.mp4").read_bytes()[:10]
    bad = httpx.get(clip["url"].split("?")[0] + "?key=wrong")
    assert bad.status_code == 401 and bad.json()["code"] == 1001


def test_unicode_file_name(api: Api) -> None:
    r = api.upload(("产品图.png", png()))
    assert r.json()["data"]["files"][0]["name"] == "产品图.png"


@pytest.mark.parametrize(
    ("name", "data", "why"),
    [
        ("empty.png", b"", "empty"),
        ("fake.png", jpg(), "spoofed"),
        ("fake.mp4", png(), "spoofed"),
        ("notes.txt", b"hello", "unsupported"),
        ("script.exe", b"MZ\x90\x00", "unsupported"),
        ("noext", png(), "unsupported"),
        ("junk.mp3", b"\x00" * 200, "not a recognised"),
        ("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "cannot read"),
    ],
    ids=[
        "empty",
        "jpg-as-png",
        "png-as-mp4",
        "txt",
        "exe",
        "no-extension",
        "junk-mp3",
        "broken-png",
    ],
)
def test_refused_files_are_4001(api: Api, name: str, data: bytes, why: str) -> None:
    r = api.upload(("ok.png", png()), (name, data))
    assert r.status_code == 415, r.text
    assert r.json()["code"] == 4001
    assert why in r.json()["message"]
    assert api.state()["video_infos"] == []  # all or nothing
    assert api.upload(("ok.png", png())).json()["code"] == 0  # keeps serving


def test_oversize_upload_is_4002_while_streaming(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(max_upload_bytes=100_000)
    api = Api(server)
    r = api.upload(("big.png", png(size=(64, 64)) + b"\x00" * 100_001))
    assert (r.status_code, r.json()["code"]) == (413, 4002)
    assert not list((server.data_dir / "tmp").iterdir())  # the partial file is gone
    assert api.upload(("small.png", png())).json()["code"] == 0
    api.close()


def _streamed_body(boundary: str, size: int) -> Iterator[bytes]:
    yield (
        f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
        f'filename="huge.mp4"\r\nContent-Type: video/mp4\r\n\r\n'
    ).encode()
    yield b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    sent = 24
    block = b"\x00" * (1 << 20)
    while sent < size:
        n = min(len(block), size - sent)
        yield block[:n]
        sent += n
    yield f"\r\n--{boundary}--\r\n".encode()


def _rss_peak_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1 << 20) if sys.platform == "darwin" else peak / 1024


def test_default_limit_500mb_plus_one_streams_without_holding_memory(api: Api) -> None:
    limit = 500 * 1000 * 1000
    before = _rss_peak_mb()
    boundary = "nemoBoundary42"
    r = api.post(
        f"/api/upload-video/nemo_agent/me/{api.sid}",
        content=_streamed_body(boundary, limit + 1),
        headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
        timeout=120,
    )
    assert (r.status_code, r.json()["code"]) == (413, 4002)
    assert _rss_peak_mb() - before < 150  # server and client share this process: no 500 MB copy
    assert not list((api.server.data_dir / "tmp").iterdir())
    assert api.upload(("small.png", png())).json()["code"] == 0


def test_url_upload(api: Api, media_dir: Path) -> None:
    first = api.upload(("clip.mp4", (media_dir / "clip.mp4").read_bytes())).json()["data"]["files"][
        0
    ]
    r = api.post(
        f"/api/upload-video/nemo_agent/me/{api.sid}",
        json={"urls": [first["url"]], "source_type": "url"},
    )
    assert r.status_code == 200, r.text
    got = r.json()["data"]["files"][0]
    assert got["type"] == "video" and got["size"] == first["size"]
    assert len(api.state()["video_infos"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"urls": ["ftp://example.invalid/a.mp4"]}, 415, 4001),
        ({"urls": ["file:///etc/passwd"]}, 415, 4001),
        ({"urls": ["http://127.0.0.1:9/a.mp4"]}, 400, 4004),
        ({"urls": []}, 422, 4000),
        ({"urls": "http://x/a.mp4"}, 422, 4000),
        ({"urls": ["http://x/a.mp4"], "extra": 1}, 422, 4000),
    ],
    ids=["ftp", "file", "refused", "empty-list", "not-a-list", "unknown-field"],
)
def test_bad_url_uploads(api: Api, body: dict[str, object], status: int, code: int) -> None:
    r = api.post(f"/api/upload-video/nemo_agent/me/{api.sid}", json=body)
    assert (r.status_code, r.json()["code"]) == (status, code), r.text
    assert api.upload(("ok.png", png())).json()["code"] == 0


def test_url_upload_checks_content(api: Api) -> None:
    up = api.upload(("a.png", png())).json()["data"]["files"][0]
    # no extension in the URL's path: the type comes from Content-Type, then the content
    r = api.post(f"/api/upload-video/nemo_agent/me/{api.sid}", json={"urls": [up["url"]]})
    assert r.json()["data"]["files"][0]["type"] == "image"
    missing = up["url"].split("?")[0] + "x?key=nope"
    r = api.post(f"/api/upload-video/nemo_agent/me/{api.sid}", json={"urls": [missing]})
    assert r.json()["code"] in (4001, 4004)


def test_upload_errors(api: Api) -> None:
    r = api.post(
        f"/api/upload-video/nemo_agent/me/{api.sid}",
        content=b"garbage",
        headers={"Content-Type": "application/json"},
    )
    assert (r.status_code, r.json()["code"]) == (422, 4000)
    r = api.post(
        f"/api/upload-video/nemo_agent/me/{api.sid}",
        content=b"x",
        headers={"Content-Type": "multipart/form-data"},
    )
    assert r.json()["code"] == 4000
    r = api.post(f"/api/upload-video/nemo_agent/me/{api.sid}", files={"other": ("a.png", png())})
    assert (r.status_code, r.json()["code"]) == (400, 4000)  # no file in the field 'files'
    r = api.post(
        f"/api/upload-video/nemo_agent/me/{api.sid}",
        data={"note": "no file"},
        files={"files": ("a.png", png())},
    )
    assert r.json()["code"] == 0
    assert api.upload(("a.png", png()), sid="sess_nope").json()["code"] == 1002
    r = httpx.post(
        f"{api.server.url}/api/upload-video/nemo_agent/me/{api.sid}",
        files={"files": ("a.png", png())},
    )
    assert r.json()["code"] == 1001
    assert os.listdir(api.server.data_dir / "tmp") == []


def test_url_fetch_times_out(server_factory) -> None:  # type: ignore[no-untyped-def]
    server = server_factory(url_timeout=0.3)
    api = Api(server)
    url = api.upload(("a.png", png())).json()["data"]["files"][0]["url"]
    server.faults.latency = 0.6  # the server fetching from itself waits longer than its time-out
    r = api.post(f"/api/upload-video/nemo_agent/me/{api.sid}", json={"urls": [url]}, timeout=10)
    server.faults.latency = 0.0
    assert (r.status_code, r.json()["code"]) == (400, 4004)
    assert "Timeout" in r.json()["message"]
    api.close()
