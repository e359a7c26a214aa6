"""Bad input to upload(): each a typed error with a clear message, and no request sent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from client_helpers import upload_count

import nemo_widgets as nw
from nemo_widgets.errors import InputError
from nemo_widgets.local import LocalServer


def _cases(tmp: Path) -> list[tuple[str, type[nw.NemoError], str]]:
    (tmp / "folder").mkdir()
    (tmp / "empty.mp4").write_bytes(b"")
    (tmp / "notes.txt").write_text("hello")
    (tmp / "fake.jpg").write_bytes(b"%PDF-1.7\n" + b"x" * 100)
    (tmp / "png_named.mp4").write_bytes(b"\x89PNG\r\n\x1a\n" + b"x" * 100)
    with open(tmp / "huge.mp4", "wb") as f:  # sparse: 501 MB on paper, nothing on disk
        f.write(b"\0\0\0\x18ftypisom")
        f.truncate(501_000_000)
    return [
        (str(tmp / "missing.mp4"), InputError, "no such file"),
        (str(tmp / "folder"), InputError, "is a directory"),
        (str(tmp / "nothing-*.png"), InputError, "no file matches"),
        (str(tmp / "empty.mp4"), nw.UnsupportedFile, "is empty"),
        (str(tmp / "notes.txt"), nw.UnsupportedFile, ".txt files are not accepted"),
        (str(tmp / "fake.jpg"), nw.UnsupportedFile, "not a media type"),
        (str(tmp / "png_named.mp4"), nw.UnsupportedFile, "content is PNG"),
        (str(tmp / "huge.mp4"), nw.FileTooLarge, "limit is 500 MB"),
        ("http://", InputError, "malformed URL"),
        ("https://exa mple.com/a.mp4", InputError, "malformed URL"),
        ("ftp://example.com/a.mp4", InputError, "not an http(s) URL"),
        ("https://example.com:99999/a.mp4", InputError, "bad port"),
    ]


def test_each_bad_input_is_a_typed_error_and_sends_nothing(
    session: nw.Session, server: LocalServer, tmp_path: Path, png: Path
) -> None:
    for item, cls, words in _cases(tmp_path):
        with pytest.raises(cls) as info:
            session.upload(item)
        assert words in str(info.value), item
        assert info.value.hint, item
        # a bad item among good ones fails the whole call before anything is sent
        with pytest.raises(cls):
            session.upload(png, item)
    assert upload_count(server) == 0


def test_globs_and_several_files_go_in_one_request(
    session: nw.Session, server: LocalServer, tmp_path: Path, png: Path
) -> None:
    from PIL import Image

    shots = tmp_path / "shots"
    shots.mkdir()
    for i in range(3):
        Image.new("RGB", (32, 32), (i * 60, 0, 0)).save(shots / f"s{i}.jpg")
    media = session.upload(str(shots / "*.jpg"), png, png)
    assert [m.name for m in media] == ["s0.jpg", "s1.jpg", "s2.jpg", "photo.png"]
    assert upload_count(server) == 1


def test_a_chinese_session_is_told_in_chinese(
    server: LocalServer, client_options: dict[str, Any], tmp_path: Path
) -> None:
    zh = nw.connect(
        backend="local", api_url=server.url, resume=False, language="zh-CN", **client_options
    )
    try:
        for item, cls, _words in _cases(tmp_path):
            with pytest.raises(cls) as info:
                zh.upload(item)
            assert re.search("[\u4e00-\u9fff]", info.value.message), info.value.message
            assert re.search("[\u4e00-\u9fff]", info.value.hint), info.value.hint
    finally:
        zh.close()
    assert upload_count(server) == 0
