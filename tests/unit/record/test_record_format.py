"""The record file (`_record`): media by content hash, the state fingerprint, the file format,
secrets never written, damaged and foreign files told apart."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from nemo_widgets._text import ui_text
from nemo_widgets.api._auth import write_atomic
from nemo_widgets.errors import RecordError
from nemo_widgets.session import _record
from nemo_widgets.session._record import Record, Turn, Unmapped

SHA_A, SHA_B = "a" * 64, "b" * 64
DRAFT = {
    "d": 6000,
    "m": {"w": 1080, "h": 1920, "x-future": [1, 2]},
    "t": [
        {"tt": 0, "sg": [{"id": "s1", "k": "image", "src": "med_1", "st": 0, "d": 3000}]},
        {"tt": 1, "sg": [{"id": "s2", "k": "audio", "src": "med_2", "st": 0, "d": 6000,
                          "url": "http://127.0.0.1:9/api/media/s/med_2?key=SECRETKEY"}]},
        {"tt": 7, "sg": [{"id": "s3", "k": "title", "txt": "城市之梦", "st": 0, "d": 2000,
                          "poster": "https://cdn.example/p.png?sig=abc#frag"}]},
    ],
}  # fmt: skip
IDS = {"med_1": SHA_A, "med_2": SHA_B}
URLS = {"http://127.0.0.1:9/api/media/s/med_2?key=SECRETKEY": SHA_B}

json_leaf = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    json_leaf,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)
plain_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


def test_media_become_content_tokens_and_other_urls_lose_their_query() -> None:
    canon = _record.canonical(DRAFT, IDS, URLS)
    dumped = json.dumps(canon)
    assert "med_1" not in dumped and "SECRETKEY" not in dumped and "sig=abc" not in dumped
    segs = [seg for track in canon["t"] for seg in track["sg"]]
    assert [s.get("src") for s in segs] == [f"media:{SHA_A}", f"media:{SHA_B}", None]
    assert segs[1]["url"] == f"media-url:{SHA_B}"
    assert segs[2]["poster"] == "https://cdn.example/p.png"
    assert canon["m"]["x-future"] == [1, 2]  # unknown keys are kept


def test_restore_maps_tokens_to_this_sessions_media() -> None:
    canon = _record.canonical(DRAFT, IDS, URLS)
    again = _record.restore(canon, {SHA_A: "med_9", SHA_B: "med_8"}, {SHA_B: "http://x/8?key=k"})
    segs = [seg for track in again["t"] for seg in track["sg"]]
    assert [s.get("src") for s in segs] == ["med_9", "med_8", None]
    assert segs[1]["url"] == "http://x/8?key=k"


def test_restore_refuses_media_this_session_has_not_uploaded() -> None:
    canon = _record.canonical(DRAFT, IDS, URLS)
    with pytest.raises(Unmapped):
        _record.restore(canon, {SHA_A: "med_9"}, {SHA_B: "u"})


@given(
    json_values, st.dictionaries(st.text(min_size=1, max_size=6), st.sampled_from([SHA_A, SHA_B]))
)
def test_canonical_then_restore_gives_the_draft_back(draft: Any, ids: dict[str, str]) -> None:
    # ids map one-to-one back only when each hash has one id: keep the first of each
    seen: dict[str, str] = {}
    for media_id, sha in ids.items():
        seen.setdefault(sha, media_id)
    ids = {v: k for k, v in seen.items()}
    canon = _record.canonical(draft, ids, {})
    if "://" in json.dumps(draft) or "media" in json.dumps(draft):
        return  # URLs lose their query, and strings that look like tokens are read as tokens
    assert _record.restore(canon, seen, {}) == draft


@given(st.lists(st.text(min_size=1, max_size=5), min_size=2, max_size=2, unique=True))
def test_the_fingerprint_ignores_which_ids_the_backend_gave(names: list[str]) -> None:
    first = {"t": [{"sg": [{"src": "med_1"}, {"src": "med_2"}]}]}
    second = {"t": [{"sg": [{"src": names[0]}, {"src": names[1]}]}]}
    fp1 = _record.fingerprint(_record.canonical(first, IDS, {}), [SHA_A, SHA_B])
    ids2 = {names[0]: SHA_A, names[1]: SHA_B}
    fp2 = _record.fingerprint(_record.canonical(second, ids2, {}), [SHA_A, SHA_B])
    assert fp1 == fp2


def test_the_fingerprint_sees_the_draft_and_the_uploads_and_their_order() -> None:
    canon = _record.canonical(DRAFT, IDS, URLS)
    base = _record.fingerprint(canon, [SHA_A, SHA_B])
    assert base != _record.fingerprint(canon, [SHA_B, SHA_A])
    assert base != _record.fingerprint(canon, [SHA_A])
    assert base != _record.fingerprint({**canon, "d": 6001}, [SHA_A, SHA_B])
    assert base == _record.fingerprint(json.loads(json.dumps(canon)), [SHA_A, SHA_B])


turns = st.builds(
    Turn,
    message=plain_text,
    before=st.text("0123456789abcdef", min_size=32, max_size=32),
    text=plain_text,
    draft=st.dictionaries(st.text(max_size=4), json_leaf, max_size=3),
    changes=st.lists(plain_text, max_size=3).map(tuple),
    offers=st.lists(st.tuples(st.sampled_from(["export", "chat"]), plain_text), max_size=2).map(
        tuple
    ),
)


@given(st.lists(turns, max_size=4))
def test_a_record_reads_back_what_was_written(items: list[Turn]) -> None:
    record = Record(({"sha256": SHA_A, "name": "a.jpg", "type": "image", "size": 3},), tuple(items),
                    "local", "en")  # fmt: skip
    text = _record.dumps(record)
    if "[redacted]" in text:
        return  # a generated text shaped like a token is scrubbed (checked below)
    assert _record.loads(text) == record
    doc = json.loads(text)
    assert doc["format"] == _record.FORMAT and doc["version"] == _record.VERSION
    assert "refresh=True" in doc["note"]
    assert text == json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n"


@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=8, max_size=40))
def test_no_form_of_the_token_is_ever_written(secret: str) -> None:
    forms = [secret, quote(secret, safe=""), base64.b64encode(secret.encode()).decode()]
    # text every record carries anyway (the marker, the format's note) says nothing of a token
    fixed = _record.dumps(Record(turns=(Turn("[redacted]", "0" * 32, "", {}),)))
    assume(not any(form in fixed for form in forms))
    echoed = " | ".join(forms)  # a backend that echoed the token in every form
    turn = Turn(echoed, "0" * 32, f"reply {echoed}", {"txt": echoed})
    text = _record.dumps(Record(turns=(turn,)), [secret])
    for form in forms:
        assert form not in text
        assert json.dumps(form, ensure_ascii=False)[1:-1] not in text


def test_token_shaped_text_is_scrubbed_even_without_knowing_it() -> None:
    turn = Turn("hi", "0" * 32, "your token is nmv_usr_abcdef123", {})
    assert "nmv_usr_abcdef123" not in _record.dumps(Record(turns=(turn,)))


@pytest.mark.parametrize(
    "text",
    [
        '{"cells": [], "nbformat": 4}',
        "[1, 2, 3]",
        '"a string"',
        '{"format": "something.else", "version": 1}',
    ],
    ids=["a-notebook", "a-list", "a-string", "another-format"],
)
def test_a_foreign_file_is_a_record_error(text: str) -> None:
    with pytest.raises(RecordError, match="not a nemo_widgets record"):
        _record.loads(text, where="promo.json")


def test_a_newer_version_is_a_record_error_naming_both_versions() -> None:
    with pytest.raises(RecordError, match="version 99"):
        _record.loads(json.dumps({"format": _record.FORMAT, "version": 99}))


@pytest.mark.parametrize(
    "text",
    [
        "",
        '{"format": "nemo_widgets.record", "version": 1, "turns": [',
        '<<<<<<< HEAD\n{"format": "nemo_widgets.record"}\n=======\n',
        '{"format": "nemo_widgets.record", "version": 1, "turns": [{"message": 1}]}',
        '{"format": "nemo_widgets.record", "version": 1, "turns": "no"}',
        '{"format": "nemo_widgets.record", "version": 1, "uploads": [{"name": "x"}]}',
    ],
    ids=["empty", "cut-short", "merge-conflict", "bad-turn", "turns-not-a-list", "no-hash"],
)
def test_a_damaged_record_is_a_value_error(text: str) -> None:
    with pytest.raises(ValueError) as info:
        _record.loads(text)
    assert not isinstance(info.value, RecordError)


@given(st.text(max_size=200) | json_values.map(json.dumps))
def test_reading_anything_ends_in_a_record_or_a_typed_refusal(text: str) -> None:
    try:
        result = _record.loads(text)
    except (RecordError, ValueError):
        return  # anything else escaping fails the test
    assert isinstance(result, Record)


@given(
    st.fixed_dictionaries(
        {"format": st.just(_record.FORMAT), "version": st.just(1)},
        optional={"turns": json_values, "uploads": json_values, "backend": json_values},
    )
)
def test_reading_a_shaped_but_wrong_record_never_crashes(doc: dict[str, Any]) -> None:
    try:
        result = _record.loads(json.dumps(doc))
    except ValueError:
        return  # a RecordError (or anything else) escaping fails the test
    assert all(isinstance(t, Turn) for t in result.turns)


def test_write_replaces_the_file_whole_and_leaves_no_temp(tmp_path: Path) -> None:
    path = tmp_path / "promo.nemo.json"
    path.write_text("old")
    write_atomic(path, "new\n")
    assert path.read_text() == "new\n"
    assert [p.name for p in tmp_path.iterdir()] == ["promo.nemo.json"]


@pytest.mark.parametrize(
    ("language", "mark"),
    [("en", "replayed · no credits spent"), ("zh", "重放 · 未消耗积分"),
     ("zh-CN", "重放 · 未消耗积分"), ("ja", "replayed · no credits spent")],
)  # fmt: skip
def test_the_replay_mark_speaks_the_sessions_language(language: str, mark: str) -> None:
    assert ui_text("chat.replayed", language) == mark
