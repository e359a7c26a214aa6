"""The chat history kept with the job record: plain fields only, bounded, kept per session."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets.session._jobs import KEEP_HISTORY, KEEP_TEXT, JobBook, history_record

_value = st.one_of(
    st.none(), st.booleans(), st.integers(), st.text(max_size=30), st.binary(max_size=8)
)
_entry = st.dictionaries(
    st.sampled_from(["role", "text", "route", "stopped", "error", "media", "token", "bytes"]),
    _value,
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_entry, st.integers(), st.none()), max_size=KEEP_HISTORY + 20))
def test_history_record_keeps_only_plain_bounded_fields(history: list[Any]) -> None:
    kept = history_record(history)
    assert len(kept) <= KEEP_HISTORY
    for entry in kept:
        assert set(entry) <= {"role", "text", "route", "stopped", "error"}
        assert isinstance(entry["text"], str) and len(entry["text"]) <= KEEP_TEXT
    json.dumps(kept)  # JSON-able: no bytes, no objects


def test_history_is_saved_loaded_and_dropped_with_a_new_session(tmp_path: Path) -> None:
    book = JobBook(tmp_path / "jobs.json")
    book.save_session("k", "s1", "t1", "en")
    long = "x" * (KEEP_TEXT + 5)
    book.save_history(
        "k",
        "s1",
        [{"role": "user", "text": "hi", "media": b"\x00"}, {"role": "assistant", "text": long}],
    )
    book.save_history("k", "other", [{"role": "user", "text": "not this session"}])  # ignored
    rec = book.load("k")
    assert rec is not None
    assert rec.history == [
        {"role": "user", "text": "hi"},
        {"role": "assistant", "text": long[:KEEP_TEXT]},
    ]
    book.save_session("k", "s1", "t1", "en")  # the same session again: history kept
    assert len(book.load("k").history) == 2  # type: ignore[union-attr]
    book.save_session("k", "s2", "t2", "en")  # a new session starts with none
    assert book.load("k").history == []  # type: ignore[union-attr]
