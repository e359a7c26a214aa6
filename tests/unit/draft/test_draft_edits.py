"""The rules of hand edits (`draft._edits`): what an edit may do, and what it refuses, with why."""

from __future__ import annotations

import copy

import pytest
from _draft_samples import format_doc

from nemo_widgets.draft import problems
from nemo_widgets.draft._edits import (
    Delete,
    EditRefused,
    Move,
    Reorder,
    Resize,
    SetDraft,
    SetText,
    SetVolume,
    apply,
    describe,
    edits_between,
    rebase,
    refs,
)


def seg(draft: dict, ref: str) -> dict:
    return next(s for t in draft["t"] for s in t["sg"] if s.get("id") == ref)


def test_a_text_edit_changes_only_the_wording_where_the_draft_keeps_it() -> None:
    base = format_doc()
    out = apply(base, SetText("seg_5", "新的字幕"))
    assert not isinstance(out, EditRefused)
    assert seg(out, "seg_5") == {**seg(base, "seg_5"), "txt": "新的字幕"}
    assert base == format_doc()  # the given draft is never changed
    vendor = {"t": [{"tt": 7, "sg": [{"id": "a", "m": {"text": "hi", "font": "x"}, "zz": 1}]}]}
    out = apply(vendor, SetText("a", "bye"))
    assert out["t"][0]["sg"][0] == {"id": "a", "m": {"text": "bye", "font": "x"}, "zz": 1}


@pytest.mark.parametrize(
    ("edit", "reason"),
    [
        (SetText("seg_2", "x"), "only a title or subtitle"),
        (Move("seg_2", -500), "before 0"),
        (Move("seg_2", 2000), "overlap product1.jpg"),
        (Move("seg_2", 7000), "past the end of the draft (10s)"),
        (Resize("seg_1", 0, 0), "duration above 0"),
        (Resize("seg_2", 1000, 6000), "media does not reach back"),
        (SetVolume("seg_3", 1.5), "between 0 and 1"),
        (Reorder("seg_1", 5), "position 6 is not on this track"),
        (Delete("seg_9"), "no longer in the draft"),
    ],
)
def test_an_invalid_edit_is_refused_with_its_reason(edit: object, reason: str) -> None:
    out = apply(format_doc(), edit)  # type: ignore[arg-type]
    assert isinstance(out, EditRefused) and reason in out.reason


def test_moves_trims_volume_reorder_and_delete() -> None:
    base = format_doc()
    moved = apply(base, Move("seg_4", 4000))
    assert (seg(moved, "seg_4")["st"], seg(moved, "seg_4")["d"]) == (4000, 3000)
    trimmed = apply(base, Resize("seg_2", 3500, 3000))  # the left edge moves the in-point along
    assert (seg(trimmed, "seg_2")["st"], seg(trimmed, "seg_2")["d"]) == (3500, 3000)
    assert seg(trimmed, "seg_2")["in"] == 2000
    assert seg(apply(base, SetVolume("seg_3", 0.8)), "seg_3")["v"] == 0.8
    swapped = apply(base, Reorder("seg_2", 0))
    assert [(s["id"], s["st"]) for s in swapped["t"][0]["sg"]] == [("seg_2", 0), ("seg_1", 4000)]
    gone = apply(base, Delete("seg_4"))
    assert refs(gone) == ["seg_1", "seg_2", "seg_3", "seg_5"] and problems(gone) == []


def test_a_segment_without_id_is_named_by_position_and_only_on_its_own_draft() -> None:
    draft = {"t": [{"tt": 7, "sg": [{"txt": "a", "st": 0, "d": 10}]}]}
    assert refs(draft) == ["#0.0"]
    edit = SetText("#0.0", "b")
    assert apply(draft, edit)["t"][0]["sg"][0]["txt"] == "b"
    _, kept, missed = rebase([edit], draft, same_base=True)
    assert kept == [edit] and not missed
    _, kept, missed = rebase([edit], draft)
    assert not kept and "no id" in missed[0].reason


def test_a_rebase_keeps_local_edits_over_the_agents_new_draft_and_reports_the_rest() -> None:
    edits = [SetText("seg_5", "mine"), Move("seg_4", 5000), SetDraft(format_doc())]
    agent = format_doc()
    agent["t"][3]["sg"][0]["c"] = "#ff0000"  # the agent recoloured my subtitle
    del agent["t"][2]["sg"][0]  # and removed the title I had moved
    draft, kept, missed = rebase(edits, agent)
    assert kept == [edits[0]]
    assert seg(draft, "seg_5")["txt"] == "mine" and seg(draft, "seg_5")["c"] == "#ff0000"
    assert [m.edit for m in missed] == edits[1:]
    assert "no longer in the draft" in str(missed[0]) and "replaces it" in missed[1].reason


def test_edits_read_as_sentences_for_the_chat() -> None:
    assert describe(SetText("seg_5", "新的字幕"), "subtitle 1") == (
        "I changed the text of subtitle 1 to '新的字幕'"
    )
    assert describe(Resize("x", 500, 1000)) == "I trimmed segment x to 0.5s–1.5s"
    assert describe(Delete("x"), "video 2") == "I deleted video 2"


def test_a_draft_edited_in_code_becomes_edits_by_segment_id() -> None:
    base = format_doc()
    new = copy.deepcopy(base)
    seg(new, "seg_5")["txt"] = "changed"
    seg(new, "seg_3")["v"] = 0.5
    seg(new, "seg_4")["fs"] = 80
    del new["t"][0]["sg"][0]
    ops = edits_between(base, new)
    assert not isinstance(ops, EditRefused)
    kinds = sorted(type(o).__name__ for o in ops)
    assert kinds == ["Delete", "SetKeys", "SetText", "SetVolume"]
    added = copy.deepcopy(base)
    added["t"].append({"tt": 7, "sg": []})
    assert edits_between(base, added) == [SetDraft(added)]
    overlap = copy.deepcopy(base)
    seg(overlap, "seg_2")["st"] = 1000
    refused = edits_between(base, overlap)
    assert isinstance(refused, EditRefused) and "overlap" in refused.reason


def test_a_refused_edit_in_code_skips_tracks_without_segments() -> None:
    old = {"t": [{"tt": 1}, {"tt": 0, "sg": [{"id": "a", "st": 0, "d": 1000}]}]}
    old["t"][1]["sg"].append({"id": "b", "st": 1000, "d": 1000})
    new = copy.deepcopy(old)
    new["t"][1]["sg"][1]["st"] = 500
    refused = edits_between(old, new)
    assert isinstance(refused, EditRefused) and "overlap" in refused.reason
