"""The ExportPanel's Cancel against the real offline backend: the render stops, the panel says
so, and a new export can start at once."""

from __future__ import annotations

from pathlib import Path

import nemo_widgets as nw
from nemo_widgets.widgets import ExportPanel
from polling import request
from samples import tiny_draft
from widget_comm import RecordingComm

LONG_MS = 1_200_000  # many seconds of rendering: still running when Cancel comes


def test_cancel_button_stops_the_running_render(
    session: nw.Session, comms: list[RecordingComm], png: Path
) -> None:
    session.upload(png)
    media_id = session.state().video_infos[0]["id"]
    panel = ExportPanel(session)
    comm = comms[-1]
    nothing = request(panel, comm, "cancel")
    assert not nothing["ok"] and nothing["error"]["message"] == "No render is running."
    job = session.export(tiny_draft(media_id, ms=LONG_MS), wait=False)
    assert panel.job is not None and panel.job["id"] == job.id  # the panel follows the session
    answer = request(panel, comm, "cancel")
    assert answer["ok"], answer
    assert answer["job"]["status"] == "cancelled" and job.status == "cancelled"
    assert panel.job["status"] == "cancelled" and panel.jobs[-1]["status"] == "cancelled"
    assert "cancelled" in [u["status"] for u in comm.updates("job") if u]
    assert session.resume(job).status == "cancelled"  # the backend stopped it, not just the view
