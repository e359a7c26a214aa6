"""The quick start run twice under nbclient against ONE offline backend on loopback whose token
pays for one generation only: the second run replays the recorded turn (no chat POST, by the
server's own count), shows the same timeline and renders it; a changed message goes live and
rewrites the record; the record never holds the token. And the record committed beside the
notebook makes a newcomer's offline run replay with no chat at all."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import httpx
import nbformat
import pytest
from notebook_helpers import Executed, ffprobe

from nemo_widgets.local import LocalServer

pytestmark = pytest.mark.timeout(900)

RUN_SSE = ("POST", "/run_sse")
PROBE = """
import json
_df = session.timeline()
print(json.dumps({
    "rows": _df[["track_type", "kind", "start", "duration", "text"]].astype(str).values.tolist(),
    "summary": session.summary(), "replayed": reply.replayed, "job": job.status,
    "credits": session.credits().available, "backend": session.backend,
    "posts": session.server.count("POST", "/run_sse") if session.server else None,
}, ensure_ascii=False))
"""


def token_for(server: LocalServer, client: str) -> str:
    """A new token of `server` (its starting credits: one generation)."""
    answer = httpx.post(
        f"{server.url}/api/auth/anonymous-token",
        headers={"X-Client-Id": f"00000000-0000-4000-8000-{client:0>12}"},
    )
    return str(answer.json()["data"]["token"])


def errors(run: Executed) -> list[str]:
    return [
        str(out.get("evalue"))
        for cell in run.nb.cells
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]


def test_a_second_run_spends_no_chat_and_gives_the_same_video(
    run_notebook: Callable[..., Executed],
    server_factory: Callable[..., LocalServer],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    server = server_factory(initial_credits=100)
    token = token_for(server, "1")
    monkeypatch.setenv("NEMO_API_URL", server.url)
    monkeypatch.setenv("NEMO_TOKEN", token)
    cwd = tmp_path / "nb"
    record = cwd / "quickstart.nemo.json"

    first = run_notebook("quickstart.ipynb", PROBE, cwd=cwd, records=False)
    assert errors(first) == []
    assert first.probe["backend"] == "cloud" and not first.probe["replayed"]
    assert server.count(*RUN_SSE) == 1 and first.probe["credits"] == 0
    assert record.is_file()
    (cwd / "quickstart.mp4").unlink()

    second = run_notebook("quickstart.ipynb", PROBE, cwd=cwd, records=False)
    assert errors(second) == []
    assert second.probe["replayed"]
    assert server.count(*RUN_SSE) == 1, "the second run sent a chat message"
    assert second.probe["rows"] == first.probe["rows"]  # texts, durations, order
    assert second.probe["summary"] == first.probe["summary"]
    assert second.probe["job"] == "completed"
    info = ffprobe(cwd / "quickstart.mp4")
    assert info["codec"] == "h264" and abs(info["duration"] - 9.0) <= 0.2, info

    text = record.read_text()
    for form in (token, quote(token, safe=""), base64.b64encode(token.encode()).decode()):
        assert form not in text
    assert "key=" not in text

    # a changed message goes live (on a token with credits again) and rewrites the record
    monkeypatch.setenv("NEMO_TOKEN", token_for(server, "2"))

    def six_seconds(nb: nbformat.NotebookNode) -> None:
        chat = [c for c in nb.cells if c.cell_type == "code" and "session.chat(" in c.source]
        assert len(chat) == 1
        chat[0].source = chat[0].source.replace("9 seconds", "6 seconds")

    third = run_notebook("quickstart.ipynb", PROBE, cwd=cwd, records=False, edit=six_seconds)
    assert errors(third) == []
    assert not third.probe["replayed"] and server.count(*RUN_SSE) == 2
    turns = json.loads(record.read_text())["turns"]
    assert len(turns) == 1 and "6 seconds" in turns[0]["message"]
    assert "6s" in third.probe["summary"] or "0-6s" in third.probe["summary"]


def test_the_committed_record_makes_the_first_offline_run_free(
    run_notebook: Callable[..., Executed],
) -> None:
    run = run_notebook("quickstart.ipynb", PROBE)
    assert errors(run) == []
    assert run.probe["backend"] == "local" and run.probe["replayed"]
    assert run.probe["posts"] == 0
    assert run.probe["job"] == "completed"
    committed = Path(__file__).resolve().parents[3] / "notebooks" / "quickstart.nemo.json"
    assert (run.cwd / "quickstart.nemo.json").read_text() == committed.read_text()
