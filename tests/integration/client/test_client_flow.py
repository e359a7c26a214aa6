"""upload → credits → state → export → MP4, connect() reuse, link, repr: all over loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from nemo_widgets.session._connect import LOCAL_CREDITS
from polling import wait_until
from samples import tiny_draft


def test_upload_credits_state_export_end_to_end(
    session: nw.Session, png: Path, tmp_path: Path
) -> None:
    events: list[tuple[str, Any]] = []
    session.subscribe(lambda kind, payload: events.append((kind, payload)))
    progress: list[tuple[int, int]] = []

    media = session.upload(png, progress=lambda done, total: progress.append((done, total)))
    assert [(m.name, m.type, m.size) for m in media] == [("photo.png", "image", png.stat().st_size)]
    assert progress[-1] == (png.stat().st_size, png.stat().st_size)

    credits = session.credits()
    assert credits == nw.Credits(available=100, frozen=0, total=100)
    state = session.state()
    assert session.last_state is state
    assert [v["id"] for v in state.video_infos] == [media[0].id]

    job = session.export(tiny_draft(media[0].id), download_to=tmp_path / "out")
    assert job.status == "completed" and job.percent == 100.0
    assert job.path == str(tmp_path / "out" / f"{job.id}.mp4")
    assert Path(job.path).read_bytes()[4:8] == b"ftyp"
    assert job.id.startswith("render_") and session.jobs == [job]

    kinds = [k for k, _ in events]
    for kind in ("upload", "credits", "state", "job", "download"):
        assert kind in kinds
    assert [p.status for k, p in events if k == "job"][-1] == "completed"
    assert "credits 100/100" in repr(session) and session.session_id in repr(session)


def test_export_of_an_edited_dataframe(
    session: nw.Session, server: LocalServer, png: Path, tmp_path: Path
) -> None:
    session.upload(png)
    session.chat("make a video from my photos")
    df = session.timeline()
    assert (df.track_type == "text").any()
    df.loc[df.track_type == "text", "text"] = "城市之梦"
    job = session.export(df, download_to=tmp_path)
    assert Path(str(job.path)).read_bytes()[4:8] == b"ftyp"
    rendered = json.dumps(server.app.state.nemo.store.renders[job.id], ensure_ascii=False)
    assert "城市之梦" in rendered  # the edited table is what was rendered


def test_export_refuses_an_empty_draft_before_any_render(
    session: nw.Session, server: LocalServer
) -> None:
    with pytest.raises(nw.DraftError):
        session.export()
    assert not [k for k in server.counts if k[1] == "/api/render/proxy/lambda"]


def test_identical_connect_reuses_the_live_session(server: LocalServer) -> None:
    a = nw.connect(backend="local", api_url=server.url)
    try:
        assert nw.connect(backend="local", api_url=server.url) is a
        assert nw.current() is a
        b = nw.connect(backend="local", api_url=server.url, language="zh")
        assert b is not a and nw.current() is b
        b.close()
    finally:
        a.close()
    with pytest.raises(nw.NemoError):
        nw.current()


def test_connect_local_starts_and_stops_its_own_backend(png: Path) -> None:
    s = nw.connect(backend="local")
    try:
        assert s.backend == "local" and s.server is not None and s.server.running
        assert s.upload(png)[0].name == "photo.png"
        # the in-process backend is generous: a notebook can generate and edit many times
        assert s.credits().available == LOCAL_CREDITS
    finally:
        s.close()
    assert not s.server.running


def test_link_is_a_claim_link_without_the_token(session: nw.Session, home: Path) -> None:
    import httpx

    link = session.link()
    assert link.startswith(f"{session.api_url}/workspace/claim?ct=clm_")
    tokens = (home / ".config/nemovideo/tokens.json").read_text()
    assert "nmv_" in tokens and "nmv_" not in link
    assert httpx.get(link).status_code == 200


def test_export_that_outlasts_its_polls_is_resumed(
    server: LocalServer, png: Path, tmp_path: Path
) -> None:
    # no polls allowed: export gives up at once, leaving the job running (as after 10 cloud polls)
    s = nw.connect(backend="local", api_url=server.url, max_polls=0)
    notices: list[str] = []
    s.subscribe(lambda kind, payload: notices.append(payload) if kind == "notice" else None)
    try:
        media = s.upload(png)
        job = s.export(tiny_draft(media[0].id), download_to=tmp_path)
        assert job.status in ("pending", "processing") and job.path is None
        assert any("resume" in n for n in notices)
        s.options.max_polls = 600
        s.options.poll_interval = 0.05
        assert s.resume() is job and job.status == "completed"
        assert Path(str(job.path)).read_bytes()[4:8] == b"ftyp"
    finally:
        s.close()


def test_sync_client_facade_speaks_every_endpoint(
    server: LocalServer, png: Path, tmp_path: Path
) -> None:
    from nemo_widgets.api import Client

    with Client(server.url) as api:
        ids = api.create_session("en")
        assert api.credits().available == 100
        media = api.upload_files(ids["session_id"], [png])
        assert api.state(ids["session_id"]).video_infos[0]["id"] == media[0].id
        assert api.claim_token(ids["task_id"], ids["session_id"])["claim_token"].startswith("clm_")
        submitted = api.render("render_42", ids["session_id"], tiny_draft(media[0].id))
        assert submitted.id == "render_42"
        status = wait_until(
            lambda: (s := api.render_status("render_42")).status in ("completed", "failed") and s
        )
        assert status.status == "completed"
        out = api.download("render_42", tmp_path / "r.mp4", url=status.url)
        assert out.read_bytes()[4:8] == b"ftyp"


def test_upload_by_url(session: nw.Session, server: LocalServer, png: Path) -> None:
    first = session.upload(png)[0]
    assert first.url is not None
    again = session.upload(first.url)  # the backend fetches it (here: from itself)
    assert len(again) == 1 and again[0].type == "image" and again[0].id != first.id
    assert len(session.state().video_infos) == 2
