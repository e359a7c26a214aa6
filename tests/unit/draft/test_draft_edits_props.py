"""Property tests of hand edits: random edits, then random backend changes, then a rebase.

Every edit is re-applied or reported (never dropped silently); what is kept is what the draft
shows; the rules never let an accepted edit make a valid draft invalid."""

from __future__ import annotations

import copy
from typing import Any

from _draft_samples import format_doc
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets.draft import problems
from nemo_widgets.draft._edits import (
    Delete,
    Edit,
    EditRefused,
    Move,
    Reorder,
    Resize,
    SetText,
    SetVolume,
    apply,
    edits_between,
    rebase,
    replay,
)
from nemo_widgets.draft._read import read

REFS = ["seg_1", "seg_2", "seg_3", "seg_4", "seg_5", "seg_gone"]
ms = st.integers(-2000, 12000)
ref = st.sampled_from(REFS)
edit = st.one_of(
    st.builds(SetText, ref, st.text(max_size=8)),
    st.builds(Move, ref, ms),
    st.builds(Resize, ref, ms, st.integers(-100, 8000)),
    st.builds(SetVolume, ref, st.floats(-0.5, 1.5, allow_nan=False)),
    st.builds(Reorder, ref, st.integers(-1, 2)),
    st.builds(Delete, ref),
)


@st.composite
def backend_change(draw: Any, draft: dict[str, Any]) -> dict[str, Any]:
    """The agent's new draft: segments removed, retimed, reworded, added; `d` changed."""
    out = copy.deepcopy(draft)
    for _ in range(draw(st.integers(0, 4))):
        track = out["t"][draw(st.integers(0, len(out["t"]) - 1))]
        what = draw(st.sampled_from(["drop", "shift", "text", "add", "length"]))
        if what == "length":
            out["d"] = draw(st.integers(3000, 15000))
        elif what == "add":
            track["sg"].append({"id": f"new_{draw(st.integers(0, 9))}", "st": 9000, "d": 500})
        elif track["sg"]:
            seg = track["sg"][draw(st.integers(0, len(track["sg"]) - 1))]
            if what == "drop":
                track["sg"].remove(seg)
            elif what == "shift":
                seg["st"] = max(0, seg["st"] + draw(st.integers(-3000, 3000)))
            else:
                seg["txt"] = draw(st.text(max_size=5))
    return out


def accepted(base: dict[str, Any], edits: list[Edit]) -> tuple[dict[str, Any], list[Edit]]:
    draft, kept = base, []
    for e in edits:
        result = apply(draft, e)
        if not isinstance(result, EditRefused):
            draft, kept = result, [*kept, e]
    return draft, kept


@settings(max_examples=150, deadline=None)
@given(st.lists(edit, max_size=8), st.data())
def test_every_edit_is_reapplied_or_reported(edits: list[Edit], data: st.DataObject) -> None:
    base = format_doc()
    working, kept = accepted(base, edits)
    assert replay(base, kept) == (working, [])  # undo/redo replay gives the same draft
    new = data.draw(backend_change(base))
    draft, again, missed = rebase(kept, new)
    # each edit exactly once, in order, in one of the two lists; a reason for each one missed
    assert sorted(map(id, again + [m.edit for m in missed])) == sorted(map(id, kept))
    assert all(m.reason for m in missed)
    assert replay(new, again) == (draft, [])
    # what is kept shows: the last kept text edit of a segment still there is its text
    for e in reversed(again):
        if isinstance(e, SetText):
            later = [x for x in again[again.index(e) + 1 :] if x.ref == e.ref]
            if not any(isinstance(x, SetText | Delete) for x in later):
                seg = next(s for t in draft["t"] for s in t["sg"] if s.get("id") == e.ref)
                assert read(seg, "text") == e.text
    if new == base:
        assert missed == [] and draft == working


@settings(max_examples=150, deadline=None)
@given(st.lists(edit, max_size=10))
def test_accepted_edits_keep_a_valid_draft_valid(edits: list[Edit]) -> None:
    base = format_doc()
    assert problems(base) == []
    working, _ = accepted(base, edits)
    found = problems(working)
    assert found == [] or found == ["the draft has nothing to export yet: no track has segments"]
    assert format_doc() == base  # edits never change the draft they are given


@settings(max_examples=100, deadline=None)
@given(st.lists(edit, max_size=8))
def test_a_draft_edited_elsewhere_comes_back_as_edits_that_remake_it(edits: list[Edit]) -> None:
    base = format_doc()
    working, _ = accepted(base, edits)
    ops = edits_between(base, working)
    assert not isinstance(ops, EditRefused)
    assert replay(base, ops) == (working, [])
