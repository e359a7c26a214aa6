"""Make the records committed beside the notebooks (`notebooks/*.nemo.json`) afresh.

    python scripts/record_notebooks.py                 # every notebook
    python scripts/record_notebooks.py quickstart.ipynb

Each notebook runs top to bottom in a real kernel (nbclient) in a temporary folder, against the
offline backend (no NEMO_* variables), with no record beside it: every chat goes live and is
recorded; the records it leaves are copied into notebooks/. The offline agent leaves about 30 % of
edits silent at random, so a record freezes one run: look at the replies before committing.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"


def record(name: str) -> list[Path]:
    """Run notebooks/<name> live in a temporary folder; copy its records back; their paths."""
    with tempfile.TemporaryDirectory(prefix="nemo-record-") as tmp:
        cwd = Path(tmp)
        nb = nbformat.read(NOTEBOOKS / name, as_version=4)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p
        )
        env["XDG_CONFIG_HOME"] = str(cwd / "config")  # a private client id and job book
        env["TQDM_DISABLE"] = "1"
        client = NotebookClient(nb, timeout=600, kernel_name="python3")
        with client.setup_kernel(cwd=str(cwd), env=env):
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        made = []
        for path in sorted(cwd.glob("*.nemo.json")):
            made.append(Path(shutil.copy(path, NOTEBOOKS / path.name)))
        return made


def main(names: list[str]) -> int:
    for name in names or sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")):
        for path in record(name):
            print("recorded", path.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
