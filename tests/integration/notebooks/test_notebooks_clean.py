"""The committed notebooks carry no outputs, no execution counts and no widget state, and are
valid nbformat 4 files that name the python3 kernel."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[3]
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = {"quickstart.ipynb", "dataframe-editing.ipynb", "batch.ipynb", "colab.ipynb"}


def test_the_four_notebooks_exist() -> None:
    assert {p.name for p in NOTEBOOKS.glob("*.ipynb")} >= EXPECTED


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_committed_without_outputs_or_widget_state(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in nb.metadata, "widget state is saved in the notebook metadata"
    for i, cell in enumerate(nb.cells):
        where = f"{path.name} cell {i}"
        assert "widgets" not in cell.get("metadata", {}), f"{where}: widget state"
        assert not cell.get("attachments"), f"{where}: attachments"
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{where}: has outputs"
            assert cell.execution_count is None, f"{where}: has an execution count"
            assert "NEMO_TOKEN =" not in cell.source, f"{where}: sets a token"
    raw = path.read_text(encoding="utf-8")
    assert "nmv_" not in raw and "Bearer" not in raw, f"{path.name}: looks like a token"
    assert "application/vnd.jupyter.widget-state+json" not in raw


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_says_which_backend_it_uses(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert 'os.environ.get("NEMO_TOKEN")' in code
    assert "offline (no NEMO_TOKEN set)" in code


def test_committed_notebooks_are_what_the_generator_writes() -> None:
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", ROOT / "scripts/make_notebooks.py"
    )
    assert spec is not None and spec.loader is not None
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    for name in generator.NOTEBOOKS:
        committed = (NOTEBOOKS / name).read_text(encoding="utf-8")
        assert committed == nbformat.writes(generator.build(name)) + "\n", (
            f"{name} differs from scripts/make_notebooks.py: edit the generator and run it"
        )
