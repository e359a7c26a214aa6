"""`export()` in a terminal: one bar that shows the render's percent while the backend renders,
then the download in bytes, each saying what it measures; a unique draft and render name Chinese
text, so the offline backend refuses a draft it cannot draw at once (no retry)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from nemo_widgets.local.render import fonts
from samples import tiny_draft


def test_the_export_bar_shows_the_render_then_the_download(
    session: nw.Session, png: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    media = session.upload(str(png), progress=False)
    capsys.readouterr()
    job = session.export(tiny_draft(media[0].id, ms=3000), download_to=tmp_path, progress=True)
    assert Path(job.path or "").stat().st_size > 0
    frames = re.split(r"[\r\n]", capsys.readouterr().err)
    renders = [f for f in frames if f.startswith(f"render {job.id}")]
    downloads = [f for f in frames if f.startswith("download")]
    assert renders and downloads, frames
    # the render phase is measured in percent, the download in bytes
    assert all(re.search(r"\d+%\|", f) for f in renders)
    assert not any(re.search(r"\d(?:\.\d+)?[kM]?B", f) for f in renders)
    assert re.search(r"\d(?:\.\d+)?[kM]?B", downloads[-1]), downloads[-1]
    assert frames.index(renders[0]) < frames.index(downloads[0])


def test_a_draft_no_font_can_draw_fails_at_once_with_a_pip_hint(
    server: LocalServer,
    session: nw.Session,
    png: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    media = session.upload(str(png), progress=False)
    draft = tiny_draft(media[0].id)
    title = {"id": "seg_t", "k": "title", "txt": "城市之梦", "st": 0, "d": 1000}
    draft["t"].append({"id": "trk_t", "tt": 7, "nm": "Text", "sg": [title]})
    monkeypatch.setenv("NEMO_WIDGETS_FONT", str(tmp_path / "gone.ttf"))
    fonts.forget()  # the server runs in this process: it searches again, and finds nothing
    try:
        with pytest.raises(nw.NemoError, match=r"no such file.*pip install noto-cjk-sans-otc"):
            session.export(draft, download_to=tmp_path, progress=False)
        assert len(session.jobs) == 1  # refused when submitted: never retried
        latin = tiny_draft(media[0].id)
        latin["t"].append({"id": "trk_t", "tt": 7, "sg": [{**title, "txt": "City dreams"}]})
        job = session.export(latin, download_to=tmp_path, progress=False)
        assert job.status == "completed"  # text without Chinese needs no CJK font
    finally:
        monkeypatch.delenv("NEMO_WIDGETS_FONT")
        fonts.forget()
