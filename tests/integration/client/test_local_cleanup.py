"""`connect(backend="local")` keeps its data in a temp folder, removed when the interpreter ends
even if the session is never closed: in a script and in a Jupyter kernel; a process killed
outright has its folder removed by the next `connect(backend="local")`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from jupyter_client.manager import start_new_kernel

import nemo_widgets as nw

ROOT = Path(__file__).resolve().parents[3]
SNIPPET = (
    "import nemo_widgets as nw\n"
    "s = nw.connect(backend='local')\n"
    "print('DATA', s.server.data_dir, flush=True)\n"
)


def _env() -> dict[str, str]:
    paths = [str(ROOT / "src"), os.environ.get("PYTHONPATH", "")]
    return {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in paths if p)}


def test_a_script_that_never_closes_leaves_no_temp_folder(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", SNIPPET],
        capture_output=True, text=True, env=_env(), cwd=tmp_path, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    data = Path(done.stdout.split("DATA ", 1)[1].split()[0])
    assert data.name.startswith("nemo-local-")
    assert not data.exists()


def test_a_kernel_shut_down_leaves_no_temp_folder(tmp_path: Path) -> None:
    km, kc = start_new_kernel(kernel_name="python3", env=_env(), cwd=str(tmp_path))
    lines: list[str] = []
    try:
        reply = kc.execute_interactive(
            SNIPPET,
            timeout=120,
            output_hook=lambda msg: lines.append(msg["content"].get("text", "")),
        )
        assert reply["content"]["status"] == "ok", reply["content"]
        data = Path("".join(lines).split("DATA ", 1)[1].split()[0])
        assert data.is_dir()  # alive while the kernel is
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)  # what Jupyter does on "shut down" and before a restart
    assert not data.exists()


def test_the_folder_of_a_killed_process_is_removed_by_the_next_connect(tmp_path: Path) -> None:
    code = SNIPPET + "import time\ntime.sleep(120)\n"
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, env=_env(), cwd=tmp_path
    )
    try:
        assert proc.stdout is not None
        data = Path(proc.stdout.readline().split("DATA ", 1)[1].strip())
    finally:
        proc.kill()  # SIGKILL: no exit handler runs, as with a kernel killed outright
        proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()
    assert data.is_dir()
    session = nw.connect(backend="local", resume=False)
    own = session.server.data_dir
    try:
        assert not data.exists()
        assert own.is_dir() and own.name.startswith(f"nemo-local-{os.getpid()}-")
    finally:
        session.close()
    assert not own.exists()
