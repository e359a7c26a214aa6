"""The ExportPanel's Cancel against the real offline backend: the render stops, the panel says
so, and a new export can start at once."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import nemo_widgets as nw
from nemo_widgets.widgets import ExportPanel
from widget_comm import RecordingComm


def reply(w: ExportPanel, comm: RecordingComm, kind: str, **body: Any) -> dict[str, Any]:
    msg_id = f"m{len(comm.sent)}-{kind}"
    w._handle_custom_msg({"kind": kind, "id": msg_id, **body}, [])
    end = time.monotonic() + 60
    while True:
        found = next((m for m in comm.custom("reply") if m["id"] == msg_id), None)
        if found is not None:
            return found
        assert time.monotonic() < end, f"no reply to {kind}"
        time.sleep(0.01)


def long_draft(media_id: str) -> dict[str, Any]:
    ms = 1_200_000  # many seconds of rendering: still running when Cancel comes
    seg = {"id": "s1", "k": "image", "src": media_id, "st": 0, "d": ms}
    return {"d": ms, "m": {"w": 160, "h": 120, "fps": 10}, "t": [{"tt": 0, "sg": [seg]}]}


def test_cancel_button_stops_the_running_render(
    session: nw.Session, comms: list[RecordingComm], png: Path
) -> None:
    session.upload(png)
    media_id = session.state().video_infos[0]["id"]
    panel = ExportPanel(session)
    comm = comms[-1]
    nothing = reply(panel, comm, "cancel")
    assert not nothing["ok"] and nothing["error"]["message"] == "No render is running."
    job = session.export(long_draft(media_id), wait=False)
    assert panel.job is not None and panel.job["id"] == job.id  # the panel follows the session
    answer = reply(panel, comm, "cancel")
    assert answer["ok"], answer
    assert answer["job"]["status"] == "cancelled" and job.status == "cancelled"
    assert panel.job["status"] == "cancelled" and panel.jobs[-1]["status"] == "cancelled"
    assert "cancelled" in [u["status"] for u in comm.updates("job") if u]
    assert session.resume(job).status == "cancelled"  # the backend stopped it, not just the view
