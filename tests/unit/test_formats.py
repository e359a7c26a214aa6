"""The one list of upload types and the one sniffer, used by the client and the offline backend."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from nemo_widgets.errors import UnsupportedFile
from nemo_widgets.formats import EXTENSIONS, FORMATS, extension, fits, sniff
from nemo_widgets.local.media import MediaError, check_type
from nemo_widgets.session._upload import check_file


def _img(fmt: str) -> bytes:
    b = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(b, fmt)
    return b.getvalue()


# first bytes of real files, named by the format they are
HEADS = {
    "mp4": b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41",
    "mp4-mp42": b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom",
    "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ",
    "mov-moov": b"\x00\x00\x6c\x2fmoov\x00\x00\x00\x6cmvhd",  # QuickTime before ftyp existed
    "mov-wide": b"\x00\x00\x00\x08wide\x00\x1e\x0b\x1fmdat",
    "mov-mdat": b"\x00\x1e\x0b\x27mdat\x00\x00\x00\x00",
    "mov-free": b"\x00\x00\x00\x10free\x00\x00\x00\x00\x00\x00\x00\x00",
    "mov-skip": b"\x00\x00\x00\x10skip\x00\x00\x00\x00\x00\x00\x00\x00",
    "m4a": b"\x00\x00\x00\x20ftypM4A \x00\x00\x02\x00M4A isomiso2",
    "avi": b"RIFF\x24\x00\x00\x00AVI LIST",
    "wav": b"RIFF\x24\x00\x00\x00WAVEfmt ",
    "webp": _img("WEBP")[:16],
    "webm": b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm",
    "mkv": b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x88matroska",
    "jpg": _img("JPEG")[:16],
    "png": _img("PNG")[:16],
    "gif": _img("GIF")[:16],
    "mp3-id3": b"ID3\x04\x00\x00\x00\x00\x00\x00",
    "mp3-frame": b"\xff\xfb\x90\x64\x00\x00",
    "aac": b"\xff\xf1\x50\x80\x02\x1f\xfc",
    "aac-adif": b"ADIF\x00\x00\x00\x00",
}
UNKNOWN = {
    "empty": b"",
    "text": b"hello world",
    "exe": b"MZ\x90\x00",
    "pdf": b"%PDF-1.7",
    "zip": b"PK\x03\x04",
    "riff-other": b"RIFF\x00\x00\x00\x00XXXX",
    "zeros": b"\x00\x00\x00\x00",
    "mpeg-layer-0": b"\xff\xe1\x00\x00",  # frame sync, reserved layer, not ADTS
}


@pytest.mark.parametrize("name", list(HEADS))
def test_sniff_tells_each_format(name: str) -> None:
    fmt = name.split("-")[0]
    assert sniff(HEADS[name]) == fmt
    assert fits(fmt, sniff(HEADS[name]))


@pytest.mark.parametrize("name", list(UNKNOWN))
def test_sniff_unknown(name: str) -> None:
    assert sniff(UNKNOWN[name]) is None


@pytest.mark.parametrize(
    ("ext", "head", "ok"),
    [
        ("mov", HEADS["mp4"], True),  # one container family
        ("mp4", HEADS["mov-moov"], True),
        ("m4a", HEADS["mp4"], True),
        ("mkv", HEADS["webm"], True),
        ("aac", HEADS["m4a"], True),  # an .m4a renamed .aac
        ("aac", HEADS["mp3-id3"], False),  # behind ID3 it cannot be told from mp3
        ("png", HEADS["jpg"], False),
        ("mp4", HEADS["png"], False),
        ("wav", HEADS["avi"], False),
        ("mp3", b"hello there", False),
        ("txt", HEADS["png"], False),
    ],
)
def test_fits(ext: str, head: bytes, ok: bool) -> None:
    assert fits(ext, sniff(head)) is ok


def test_extensions_and_aliases() -> None:
    assert extension("a.JPEG") == "jpg" and extension("clip.Final.MP4") == "mp4"
    assert extension("noext") == ""
    assert set(EXTENSIONS) == {*FORMATS, "jpeg"}
    assert {f.kind for f in FORMATS.values()} == {"video", "image", "audio"}


@given(st.binary(max_size=200))
def test_sniff_reads_only_the_first_64_bytes_and_names_an_accepted_format(head: bytes) -> None:
    fmt = sniff(head)
    assert fmt is None or fmt in FORMATS
    assert sniff(head[:64]) == fmt


@given(st.sampled_from(list(HEADS)), st.binary(max_size=64))
def test_what_follows_the_magic_does_not_change_the_answer(name: str, tail: bytes) -> None:
    fmt, longer = sniff(HEADS[name]), sniff(HEADS[name] + tail)
    if fmt == "mkv":  # a "webm" doctype may follow within the first 64 bytes
        assert longer in ("mkv", "webm")
    else:
        assert longer == fmt


@given(
    st.binary(min_size=4, max_size=4),
    st.sampled_from([b"moov", b"mdat", b"wide", b"free", b"skip"]),
)
def test_old_quicktime_atoms_are_mov_whatever_their_size(size: bytes, atom: bytes) -> None:
    fmt = sniff(size + atom + b"\x00" * 8)
    assert fmt == "mov" and fits("mov", fmt) and fits("mp4", fmt)


# -- the backend's check and the client's check use the one rule ---------------------------------
@pytest.mark.parametrize(
    ("name", "head", "kind"),
    [
        ("a.MP4", HEADS["mp4"], "video"),
        ("a.mov", HEADS["mp4"], "video"),
        ("a.m4a", HEADS["m4a"], "audio"),
        ("a.jpeg", HEADS["jpg"], "image"),
        ("a.mkv", HEADS["webm"], "video"),
        ("a.aac", HEADS["aac"], "audio"),
        ("a.mp3", HEADS["mp3-frame"], "audio"),
    ],
    ids=["upper-ext", "mov-iso-family", "m4a", "jpeg-alias", "ebml-family", "aac", "mp3"],
)
def test_check_type_accepts(name: str, head: bytes, kind: str) -> None:
    assert check_type(name, head)[1] == kind


@pytest.mark.parametrize(
    ("name", "head", "message"),
    [
        ("a.png", HEADS["jpg"], "spoofed"),
        ("a.mp4", HEADS["png"], "spoofed"),
        ("a.wav", HEADS["avi"], "spoofed"),
        ("a.txt", b"hello", "unsupported"),
        ("a.png", b"", "empty"),
        ("a.mp3", b"hello there", "not a recognised"),
        ("noext", HEADS["png"], "unsupported"),
    ],
    ids=["jpg-as-png", "png-as-mp4", "avi-as-wav", "txt", "empty", "text-as-mp3", "no-ext"],
)
def test_check_type_refuses(name: str, head: bytes, message: str) -> None:
    with pytest.raises(MediaError, match=message) as e:
        check_type(name, head)
    assert e.value.code == 4001


@pytest.mark.parametrize("ext", list(EXTENSIONS))
def test_client_and_backend_accept_the_same_files(ext: str, tmp_path: Path) -> None:
    for name, head in HEADS.items():
        path = tmp_path / f"{name}.{ext}"
        path.write_bytes(head + b"\x00" * 64)
        try:
            check_type(path.name, head)
            backend = True
        except MediaError:
            backend = False
        try:
            check_file(path)
            client = True
        except UnsupportedFile:
            client = False
        assert client == backend == fits(extension(path.name), sniff(head)), path.name
