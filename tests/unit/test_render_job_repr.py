"""`job` as a cell's last line: status while it runs, a player once the video exists."""

from nemo_widgets import RenderJob


def test_running_job_shows_status_and_percent_without_a_player() -> None:
    out = RenderJob(id="render_1", status="processing", percent=42.4)._repr_html_()
    assert "render_1" in out and "processing" in out and "42%" in out
    assert "<video" not in out


def test_completed_job_plays_its_url_and_names_the_file() -> None:
    job = RenderJob(
        id="render_2",
        status="completed",
        percent=100,
        url="http://127.0.0.1:9/api/render/proxy/render_2/download?key=k&x=1",
        path="/tmp/out <1>.mp4",
    )
    out = job._repr_html_()
    assert '<video src="http://127.0.0.1:9/api/render/proxy/render_2/download?key=k&amp;x=1"' in out
    assert "/tmp/out &lt;1&gt;.mp4" in out


def test_failed_job_shows_the_error_escaped() -> None:
    out = RenderJob(id="r", status="failed", error="<boom>")._repr_html_()
    assert "&lt;boom&gt;" in out and "<video" not in out


def test_cancelled_job_is_done_and_its_record_holds_no_live_objects() -> None:
    import json

    job = RenderJob(id="render_1", status="cancelled", error="cancelled by the user")
    assert job.done and "cancelled by the user" in job._repr_html_()
    record = job.to_record()
    assert not any(k.startswith("_") for k in record)
    json.dumps(record)  # the record file stays plain JSON
    assert RenderJob.from_record(record) == job
