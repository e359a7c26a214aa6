"""TimelineTable's edit intents (kernel side): the view's `edit` requests change the session's
working draft, refusals come back as data with the reason, a new backend draft is rebased and
what it could not keep is told (trait, warning, attribute)."""

from __future__ import annotations

import copy
import warnings
from typing import Any

import pytest
from test_widget_timeline import DRAFT, state
from widget_fakes import FakeSession, RecordingComm

from nemo_widgets.errors import DraftError
from nemo_widgets.session._working import EditsNotReapplied
from nemo_widgets.widgets import TimelineTable
from nemo_widgets.widgets.timeline import ms


def edit(w: TimelineTable, comm: RecordingComm, **body: Any) -> dict[str, Any]:
    msg_id = f"e{len(comm.sent)}"
    w._handle_custom_msg({"kind": "edit", "id": msg_id, **body}, [])
    return next(m for m in comm.custom("reply") if m["id"] == msg_id)


def test_edits_change_the_working_draft_and_undo_redo(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    session.last_state = state(copy.deepcopy(DRAFT))
    w = TimelineTable(session)
    comm = comms[-1]
    assert w.refs == ["seg_1", "seg_2", "seg_3", "seg_4"]
    assert edit(w, comm, op="text", ref="seg_4", value="新标题")["ok"]
    assert edit(w, comm, op="duration", ref="seg_2", value="2.5s")["edits"] == 2
    assert w.rows[3]["text"] == "新标题" and w.rows[1]["duration"] == 2500 and w.edit_count == 2
    assert edit(w, comm, op="undo")["ok"] and w.rows[1]["duration"] == 4000 and w.can_redo
    assert edit(w, comm, op="redo")["ok"] and w.rows[1]["duration"] == 2500
    start = w.rows[1]["start"]
    assert edit(w, comm, op="end", ref="seg_2", value=start + 3000)["ok"]
    assert w.rows[1]["duration"] == 3000 and w.rows[1]["end"] == start + 3000
    assert edit(w, comm, op="undo")["ok"] and w.rows[1]["duration"] == 2500
    refused = edit(w, comm, op="move", ref="seg_2", start=1000)
    assert refused["ok"] is False and "overlap product1.jpg" in refused["error"]["message"]
    bad = edit(w, comm, op="start", ref="seg_2", value="soon")
    assert bad["ok"] is False and "is not a time" in bad["error"]["message"]
    assert edit(w, comm, op="delete", ref="seg_1")["ok"] and w.total_rows == 3
    assert edit(w, comm, op="discard")["ok"] and w.total_rows == 4 and w.edit_count == 0


def test_a_new_backend_draft_rebases_and_tells_what_it_could_not_keep(
    comms: list[RecordingComm],
) -> None:
    session = FakeSession()
    session.last_state = state(copy.deepcopy(DRAFT))
    w = TimelineTable(session)
    comm = comms[-1]
    edit(w, comm, op="text", ref="seg_4", value="mine")
    edit(w, comm, op="volume", ref="seg_3", value="0.8")
    agent = copy.deepcopy(DRAFT)
    agent["t"][1]["sg"] = []  # the agent removed the music I had turned up
    agent["t"][2]["sg"][0]["c"] = "#ff0000"
    with pytest.warns(EditsNotReapplied, match="set the volume of segment seg_3 to 80%"):
        session.emit("state", state(agent))
    assert w.rows[-1]["text"] == "mine" and w.edit_count == 1
    assert "1 edit(s) could not be re-applied" in w.notice
    assert [m.edit.ref for m in w.edits.not_applied] == ["seg_3"]
    assert edit(w, comm, op="dismiss")["ok"] and w.notice == ""
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the same draft again: nothing to report
        session.emit("state", state(copy.deepcopy(agent)))
    assert w.rows[-1]["text"] == "mine"


@pytest.mark.parametrize(
    ("typed", "out"), [(1500, 1500), ("1500", 1500), ("2.5s", 2500), (" 3 ms", 3)]
)
def test_times_typed_in_a_cell(typed: Any, out: int) -> None:
    assert ms(typed, "start") == out


def test_a_time_that_is_not_one_is_refused() -> None:
    with pytest.raises(DraftError, match="is not a time"):
        ms("1:00", "start")
