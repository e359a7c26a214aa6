"""The editable timeline's kernel side on the offline backend: edits from the view reach
`session.timeline()` and the render; a chat turn rebases them; what it cannot keep is told."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest

import nemo_widgets as nw
from nemo_widgets.session._working import EditsNotReapplied
from nemo_widgets.widgets import TimelineTable
from polling import request
from widget_comm import RecordingComm


def subtitle_refs(w: TimelineTable) -> list[str]:
    return [ref for ref, row in zip(w.refs, w.rows, strict=False) if row["kind"] == "subtitle"]


def test_edits_survive_a_chat_turn_and_reach_the_render(
    session: nw.Session, comms: list[RecordingComm], png: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    session.upload(png)
    session.chat("make a video with subtitles")
    w = TimelineTable(session)
    comm = comms[-1]
    second = subtitle_refs(w)[1]
    assert request(w, comm, "edit", op="text", ref=second, value="我的字幕")["ok"]
    refused = request(w, comm, "edit", op="start", ref=second, value="-1s")
    assert refused["ok"] is False and "before 0" in refused["error"]["message"]
    df = session.timeline()
    assert "我的字幕" in set(df.text) and w.edit_count == 1

    session.chat("change the title to Night City")  # the agent's new draft: the edit is rebased
    df = session.timeline()
    assert "我的字幕" in set(df.text) and "Night City" in set(df.text)
    assert session.edits.not_applied == [] and w.notice == ""
    assert "I changed the text of subtitle 2 to '我的字幕'" in session.describe_edits()

    sent: list[dict[str, Any]] = []
    real = session.api.render

    async def spy(job_id: str, sid: str, body: dict[str, Any], quality: str) -> Any:
        sent.append(body)
        return await real(job_id, sid, body, quality)

    monkeypatch.setattr(session.api, "render", spy)
    job = session.export(quality="low")
    assert job.status == "completed"
    assert any(s.get("txt") == "我的字幕" for t in sent[0]["t"] for s in t["sg"])

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        session.chat("subtitles: one; two")  # new subtitle segments: my edit has nowhere to go
    assert any(issubclass(c.category, EditsNotReapplied) for c in caught)
    assert [m.edit.ref for m in session.edits.not_applied] == [second]
    assert "could not be re-applied" in w.notice and "我的字幕" in w.notice
    assert "我的字幕" not in set(session.timeline().text)


def test_a_frame_edited_in_code_joins_the_working_draft(
    session: nw.Session, comms: list[RecordingComm], png: Path
) -> None:
    session.upload(png)
    session.chat("make a video with subtitles")
    w = TimelineTable(session)
    df = session.timeline()
    df.loc[df.kind == "subtitle", "text"] = "from pandas"
    session.set_timeline(df)
    assert set(w.df[w.df.kind == "subtitle"].text) == {"from pandas"}
    assert request(w, comms[-1], "edit", op="undo")["ok"]
    assert len(session.edits.edits) == len(subtitle_refs(w)) - 1
    session.discard_edits()
    assert "from pandas" not in set(session.timeline().text) and w.edit_count == 0
