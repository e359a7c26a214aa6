"""Every notebook runs top to bottom in a real kernel against the offline backend (no NEMO_TOKEN)
and leaves what it promises: H.264 MP4s of the draft's size and length, an editor's timeline,
a table."""

from __future__ import annotations

from pathlib import Path

import pytest
from notebook_helpers import Executed, ffprobe

pytestmark = pytest.mark.timeout(600)

# the probe runs in the notebook's kernel after the last cell and prints one JSON line
DRAFT_PROBE = """
import json
_s = session.state()
print(json.dumps({"backend": session.backend, "draft": _s.draft,
                  "jobs": [j.status for j in session.jobs]}, ensure_ascii=False))
"""


def check_video(path: Path, draft: dict) -> dict:
    """The MP4 exists, is H.264 and has the draft's canvas and duration (±0.2 s)."""
    assert path.is_file() and path.stat().st_size > 10_000, f"no video at {path}"
    info = ffprobe(path)
    assert info["codec"] == "h264", info
    assert (info["width"], info["height"]) == (draft["m"]["w"], draft["m"]["h"]), info
    assert abs(info["duration"] - draft["d"] / 1000) <= 0.2, (info, draft["d"])
    return info


def no_errors(run: Executed) -> None:
    for i, cell in enumerate(run.nb.cells):
        for out in cell.get("outputs", []):
            assert out.get("output_type") != "error", f"cell {i}: {out.get('evalue')}"


def test_quickstart(run_notebook) -> None:
    run = run_notebook("quickstart.ipynb", DRAFT_PROBE)
    no_errors(run)
    assert "offline (no NEMO_TOKEN set)" in run.text()
    assert run.probe["backend"] == "local"
    assert run.has_widget_view(), "the Studio cell displayed no widget"
    draft = run.probe["draft"]
    kinds = {seg["k"] for track in draft["t"] for seg in track["sg"]}
    assert {"image", "audio", "title", "subtitle"} <= kinds
    assert "Timeline (" in run.text()
    info = check_video(run.cwd / "quickstart.mp4", draft)
    assert (info["width"], info["height"]) == (1080, 1920)
    assert run.probe["jobs"][-1] == "completed"


def test_dataframe_editing(run_notebook) -> None:
    probe = """
import json
import opentimelineio as otio
_t = otio.adapters.read_from_file("edited.xml")
print(json.dumps({"draft": edited, "back": back, "rows": len(df),
                  "xml_clips": [c.name for c in _t.find_clips()],
                  "job": job.status}, ensure_ascii=False))
"""
    run = run_notebook("dataframe-editing.ipynb", probe)
    no_errors(run)
    edited = run.probe["draft"]
    texts = [seg.get("txt") for track in edited["t"] for seg in track["sg"]]
    assert "晨光咖啡 温暖每个早晨" in texts and "晨光咖啡 唤醒每个早晨" not in texts
    volumes = [seg["v"] for track in edited["t"] if track["tt"] == 1 for seg in track["sg"]]
    assert volumes == [0.25]
    titles = [seg for track in edited["t"] for seg in track["sg"] if seg.get("k") == "title"]
    assert [t["d"] for t in titles] == [5000]
    assert run.probe["job"] == "completed"
    check_video(run.cwd / "edited.mp4", edited)
    # the FCP XML round trip: the first picture came back one second shorter and last
    pictures = edited["t"][0]["sg"]
    assert "晨光咖啡 温暖每个早晨" in run.probe["xml_clips"]  # the texts travel as generators
    back = run.probe["back"]
    first, *rest = pictures
    assert [s["id"] for s in back["t"][0]["sg"]] == [s["id"] for s in [*rest, first]]
    assert back["t"][0]["sg"][-1]["d"] == first["d"] - 1000
    assert back["t"][1:] == edited["t"][1:]  # the other tracks exactly as they were
    assert (run.cwd / "edited_media").is_dir()


def test_batch(run_notebook) -> None:
    probe = """
import json
print(results.to_json(orient="records", force_ascii=False))
"""
    run = run_notebook("batch.ipynb", probe)
    no_errors(run)
    rows = run.probe
    assert [r["file"] for r in rows] == ["product1.jpg", "product2.jpg", "product3.jpg"]
    assert all(r["status"] == "completed" for r in rows), rows
    sizes = []
    for row in rows:
        info = ffprobe(Path(row["video"]) if Path(row["video"]).is_absolute()
                       else run.cwd / row["video"])  # fmt: skip
        assert info["codec"] == "h264"
        assert abs(info["duration"] - 4.0) <= 0.2, info
        sizes.append((info["width"], info["height"]))
    assert sizes == [(1080, 1920), (1920, 1080), (1080, 1080)]


def test_colab_outside_colab(run_notebook) -> None:
    run = run_notebook("colab.ipynb", DRAFT_PROBE)
    no_errors(run)
    assert "Not in Colab: nothing to install" in run.text()
    assert run.has_widget_view()
    check_video(run.cwd / "colab.mp4", run.probe["draft"])
