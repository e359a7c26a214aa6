"""A kernel restart: a second connect() in a fresh process finds the recorded job, finishes it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import nemo_widgets as nw
from nemo_widgets.local import LocalServer

FIRST = """
import json, sys
import nemo_widgets as nw
s = nw.connect(**json.loads(sys.argv[1]))
media = s.upload(sys.argv[2])
draft = {"d": 1000, "m": {"w": 160, "h": 120, "fps": 10, "ratio": "16:9"}, "t": [{"id": "v",
         "tt": 0, "sg": [{"id": "g", "k": "image", "src": media[0].id, "st": 0, "d": 1000}]}]}
job = s.export(draft, wait=False)
print(json.dumps({"job": job.id, "session": s.session_id}))
"""  # the process ends here, with the render unfinished and never polled

SECOND = """
import json, sys
import nemo_widgets as nw
s = nw.connect(**json.loads(sys.argv[1]))
job = s.jobs[-1]
found = {"job": job.id, "session": s.session_id, "status": job.status}
job.wait(download_to=sys.argv[2])
print(json.dumps({**found, "done": job.status, "path": job.path}))
s.close()
"""


def _run(script: str, *args: str) -> dict[str, str]:
    src = str(Path(nw.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.parametrize("where", ["shared-server", "own-backend-in-data-dir"])
def test_second_connect_in_a_fresh_process_finds_the_job(
    where: str, server: LocalServer, png: Path, tmp_path: Path
) -> None:
    if where == "shared-server":
        kw: dict[str, str] = {"backend": "local", "api_url": server.url}
    else:  # the backend dies with the first process and restarts in the second
        kw = {"backend": "local", "data_dir": str(tmp_path / "data")}
    first = _run(FIRST, json.dumps(kw), str(png))
    second = _run(SECOND, json.dumps(kw), str(tmp_path / "out"))
    assert (second["job"], second["session"]) == (first["job"], first["session"])
    assert second["status"] in ("pending", "processing", "completed")
    assert second["done"] == "completed"
    assert Path(second["path"]).read_bytes()[4:8] == b"ftyp"


def test_resume_false_starts_afresh(server: LocalServer, png: Path, tmp_path: Path) -> None:
    kw = {"backend": "local", "api_url": server.url}
    first = _run(FIRST, json.dumps(kw), str(png))
    s = nw.connect(**kw, resume=False)
    try:
        assert s.session_id != first["session"] and s.jobs == []
    finally:
        s.close()
