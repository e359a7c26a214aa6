"""Run a notebook from notebooks/ top to bottom in a real ipykernel (nbclient), in a temporary
directory, against the offline backend; then ask the same kernel for facts to check.

The records committed beside a notebook (`<stem>*.nemo.json`) are copied with it: a run reads
them from the checkout and any update lands in the temporary copy."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from notebook_helpers import Executed

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = ROOT / "notebooks"
CELL_TIMEOUT = 240


@pytest.fixture
def run_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Executed]:
    """`run_notebook(name, probe, cwd=None, records=True, edit=None)`: execute notebooks/<name>
    (in `cwd`, default a fresh folder; `records`: with its committed records beside it; `edit`
    changes the notebook first), then the probe cell, whose last line must print one JSON
    document; returns `Executed`."""
    # the kernel inherits the root conftest's private home (no NEMO_* of the machine)
    paths = (str(ROOT / "src"), os.environ.get("PYTHONPATH", ""))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in paths if p))
    monkeypatch.setenv("NEMO_CLIENT_ID", "00000000-0000-4000-8000-0000000000ab")
    monkeypatch.setenv("TQDM_DISABLE", "1")

    def run(
        name: str,
        probe: str,
        cwd: Path | None = None,
        records: bool = True,
        edit: Callable[[nbformat.NotebookNode], None] | None = None,
    ) -> Executed:
        cwd = cwd or tmp_path / "work"
        cwd.mkdir(exist_ok=True)
        shutil.copy(NOTEBOOKS / name, cwd / name)
        for record in NOTEBOOKS.glob(f"{Path(name).stem}*.nemo.json") if records else ():
            shutil.copy(record, cwd / record.name)
        nb = nbformat.read(cwd / name, as_version=4)
        if edit is not None:
            edit(nb)
        client = NotebookClient(
            nb,
            timeout=CELL_TIMEOUT,
            kernel_name="python3",
            resources={"metadata": {"path": str(cwd)}},
        )
        with client.setup_kernel(cwd=str(cwd)):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
            probe_cell = nbformat.v4.new_code_cell(probe)
            nb.cells.append(probe_cell)
            client.execute_cell(probe_cell, len(nb.cells) - 1)
            nb.cells.pop()
        streams = [o["text"] for o in probe_cell.outputs if o.get("output_type") == "stream"]
        assert streams, f"the probe printed nothing: {probe_cell.outputs}"
        return Executed(nb, cwd, json.loads("".join(streams).strip().splitlines()[-1]))

    return run
