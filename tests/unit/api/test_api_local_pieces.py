"""Pure pieces of the session layer: upload checks, job records, progress reporting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nemo_widgets.api._multipart import Progress
from nemo_widgets.errors import InputError
from nemo_widgets.session._jobs import JobBook, RenderJob
from nemo_widgets.session._progress import caller_progress
from nemo_widgets.session._upload import resolve


def test_resolve_expands_home_and_globs_and_drops_duplicates(clean_env: Path) -> None:
    (clean_env / "clips").mkdir()
    for name in ("b.png", "a.png"):
        (clean_env / "clips" / name).write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 10)
    files, urls = resolve(["~/clips/*.png", str(clean_env / "clips/a.png"), "https://x.test/v.mp4"])
    assert [f.name for f in files] == ["a.png", "b.png"]
    assert urls == ["https://x.test/v.mp4"]
    with pytest.raises(InputError):
        resolve([])


def test_job_book_round_trip_and_damage(tmp_path: Path) -> None:
    book = JobBook(tmp_path / "jobs.json")
    assert book.load("k") is None
    book.save_job("k", {"id": "render_0"})  # no session recorded: nothing to attach it to
    book.save_session("k", "s1", "t1", "en")
    job = RenderJob(id="render_1", session_id="s1")
    book.save_job("k", job.to_record())
    job.status = "completed"
    book.save_job("k", job.to_record())  # updated in place, not appended
    book.save_job("k", RenderJob(id="render_2").to_record())
    rec = book.load("k")
    assert rec is not None and rec.session_id == "s1"
    assert [(j["id"], j["status"]) for j in rec.jobs] == [
        ("render_1", "completed"),
        ("render_2", "pending"),
    ]
    assert RenderJob.from_record({**rec.jobs[0], "unknown_key": 1}).status == "completed"
    book.save_session("k", "s2", "t2", "en")  # a new session starts with no jobs
    assert book.load("k").jobs == []  # type: ignore[union-attr]
    (tmp_path / "jobs.json").write_text("{not json")
    assert book.load("k") is None
    book.save_session("k", "s3", "t3", "zh")
    assert json.loads((tmp_path / "jobs.json").read_text())["k"]["session_id"] == "s3"


def test_job_book_keeps_the_newest_sessions(tmp_path: Path) -> None:
    book = JobBook(tmp_path / "jobs.json")
    for i in range(55):
        book.save_session(f"k{i}", f"s{i}", "", "en")
    kept = json.loads((tmp_path / "jobs.json").read_text())
    assert len(kept) == 50 and "k54" in kept and "k0" not in kept


def test_progress_reports_to_callback_and_hook() -> None:
    seen: list[tuple[int, int]] = []
    hooked: list[int] = []
    bar = Progress(10, lambda d, t: seen.append((d, t)), True, None, lambda d, t: hooked.append(d))
    bar.update(4)
    bar.update(10)
    assert seen == [(4, 10), (10, 10)] and hooked == [4, 10]  # True / None: no bar down here


def test_caller_progress_makes_the_bar_in_the_calling_thread(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with caller_progress(True, "download") as feed:
        assert callable(feed)
        feed(50, 200)  # as the worker thread would
        feed(200, 200)
    assert "download" in capsys.readouterr().err
    mine = [0]
    with caller_progress(lambda d, t: mine.__setitem__(0, d), "x") as same:
        assert callable(same) and same(3, 4) is None and mine == [3]
    with caller_progress(False, "x") as off, caller_progress(None, "x") as unseen:
        assert off is False and unseen is None  # pytest's stderr is not a terminal
