"""In a real ipykernel: the chat streams from the background thread while other cells run, and
`%%nemo` leaves the final reply in the notebook's output under nbclient (no widget front-end)."""

from __future__ import annotations

import os
import queue
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest
from jupyter_client.manager import start_new_kernel
from nbclient import NotebookClient

import nemo_widgets
from nemo_widgets.local import LocalServer
from widget_comm import rebuild_reply

SRC = str(Path(nemo_widgets.__file__).resolve().parents[1])


@pytest.fixture
def kernel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The kernel imports this checkout's package."""
    monkeypatch.setenv(
        "PYTHONPATH", os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")]))
    )


def test_reply_streams_while_a_blocking_cell_runs(
    server: LocalServer, png: Path, kernel_env: None
) -> None:
    km, kc = start_new_kernel(kernel_name="python3")
    try:
        setup = f"""
import nemo_widgets as nw
from nemo_widgets.widgets import ChatCell
s = nw.connect(backend="local", api_url={server.url!r}, resume=False)
s.upload({str(png)!r})
cell = ChatCell(s)
cell._handle_custom_msg({{"kind": "ready", "id": "r1", "have": 0}}, [])
started = cell.ask("make a video from my photos")
"""
        reply = kc.execute_interactive(setup, timeout=60)
        assert reply["content"]["status"] == "ok", reply
        t0 = time.monotonic()
        blocking = kc.execute("import time; time.sleep(2.5); 'slept'")
        busy_from = busy_to = None
        deltas: list[dict[str, Any]] = []
        during = 0
        end = None
        deadline = time.monotonic() + 120
        while end is None or busy_to is None:
            assert time.monotonic() < deadline, "no end of reply"
            try:
                msg = kc.get_iopub_msg(timeout=1)
            except queue.Empty:
                continue
            parent = msg["parent_header"].get("msg_id")
            if msg["msg_type"] == "status" and parent == blocking:
                if msg["content"]["execution_state"] == "busy":
                    busy_from = time.monotonic()
                elif busy_from is not None:
                    busy_to = time.monotonic()
            if msg["msg_type"] == "comm_msg" and msg["content"]["data"].get("method") == "custom":
                content = msg["content"]["data"]["content"]
                if content["kind"] == "delta":
                    deltas.append(content)
                    during += busy_from is not None and busy_to is None
                elif content["kind"] == "end":
                    end = content
        assert busy_to is not None and busy_to - t0 >= 2.0  # the blocking cell really blocked
        assert during > 0, "no delta reached the browser while the other cell ran"
        text = rebuild_reply(deltas)
        assert text and end["length"] == len(text.encode("utf-16-le")) // 2
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_cell_magic_output_under_nbclient(server: LocalServer, png: Path, kernel_env: None) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_code_cell("%load_ext nemo_widgets"),
        nbformat.v4.new_code_cell(f"%nemo connect local --api-url {server.url}"),
        nbformat.v4.new_code_cell(f"%nemo upload {png}"),
        nbformat.v4.new_code_cell("%%nemo\nmake a video from my photos"),
        nbformat.v4.new_code_cell("%nemo credits"),
        nbformat.v4.new_code_cell("%nemo frobnicate"),
    ]
    client = NotebookClient(nb, timeout=180, kernel_name="python3", allow_errors=True)
    client.execute()
    chat = nb.cells[3].outputs
    shown = [o for o in chat if o.get("output_type") == "display_data"]
    assert len(shown) == 1, chat
    final = shown[0]["data"]["text/plain"]
    assert final and "Sending" not in final and "⏳" not in final
    # each command shows one thing: its result, not a printed line and the object again
    for cell, words in ((2, "Media city.png · image"), (4, "Credits: ")):
        outputs = [o for o in nb.cells[cell].outputs if o["output_type"] != "display_data"]
        assert [o["output_type"] for o in outputs] == ["execute_result"], outputs  # (a bar aside)
        assert outputs[0]["data"]["text/plain"].startswith(words)
    # IPython shows a UsageError as a short message on stderr, without a traceback.
    error = nb.cells[5].outputs[0]
    assert error["output_type"] == "stream" and error["name"] == "stderr"
    assert "UsageError: Unknown command 'frobnicate'" in error["text"]
