"""Browser upload benchmark: one file uploaded from Chromium through the UploadPicker vs the same
file through JupyterLab's own file-browser upload, in the same browser and the same run.

JupyterLab (tests/browser/conftest.py's `start_app`) runs a notebook whose kernel starts the
offline backend and shows an `UploadPicker`; headless Chromium (Playwright) then uploads:

    UploadPicker   the picker's file chooser: 4 MB binary chunks over the widget comm into a
                   temporary file in the kernel (timed until the "→ kernel" bar is gone), then
                   the kernel's upload to the offline backend (timed until the media shows)
    JupyterLab     the file browser's Upload button: JupyterLab's chunked PUTs to the contents
                   API (timed until the file on the server's disk has every byte)

The kernel's memory is read from /proc: its peak RSS mark is reset (clear_refs) before the
picker's upload and VmHWM read after it. The file is a WAV (a real header, sparse silence) the
backend accepts. Targets: throughput ratio picker/JupyterLab ≥ 0.5, kernel RSS growth ≤ 64 MB.
The picker accepts at most 500 MB per file (the contract's limit), so 1 GB cannot go through it.
Run: python benchmarks/bench_upload_browser.py [--mb 300]; writes
benchmarks/results/upload_browser.md.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import platform
import re
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests" / "browser"), str(ROOT / "benchmarks")]

from bench_upload import make_wav  # noqa: E402
from notebook_ui import NotebookUI  # noqa: E402
from playwright.sync_api import Error as PlaywrightError  # noqa: E402

from conftest import launch, start_app, stop  # noqa: E402

SETUP = """\
import os
import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from nemo_widgets.widgets import UploadPicker

server = LocalServer.start(data_dir="bench-data", initial_credits=10_000)
s = nw.connect(backend="local", api_url=server.url)
print("pid", os.getpid())
UploadPicker(s)"""


KERNEL = {"name": "python3", "display_name": "Python 3", "language": "python"}
LAB_UPLOAD = '.jp-FileBrowser [data-command="filebrowser:upload"], .jp-FileBrowser .jp-id-upload'


def status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=300)
    args = ap.parse_args()
    size = args.mb * 1_000_000
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        app = start_app("lab", home / "jupyter")
        try:
            nb = nbformat.v4.new_notebook()
            nb.metadata["kernelspec"] = KERNEL
            nb.cells = [nbformat.v4.new_code_cell(SETUP)]
            nbformat.write(nb, app.root / "bench.ipynb")
            source = home / "big.wav"
            make_wav(source, size)
            with sync_playwright() as pw:
                ctx = launch(pw, home / "profile", timeout_ms=60_000)
                page = ctx.pages[0] if ctx.pages else ctx.new_page()
                ui = NotebookUI(page, "lab")
                ui.open(app.url("lab/tree/bench.ipynb"))
                ui.run_all(timeout=180)
                page.locator(".nemo-upload").first.wait_for()
                out = page.locator(".jp-OutputArea-output").first.inner_text()
                pid = int(re.search(r"pid (\d+)", out).group(1))  # type: ignore[union-attr]
                picker = upload_picker(page, pid, source)
                print("picker", picker, flush=True)
                lab = upload_lab(page, app.root, source, size)
                print("jupyterlab", lab, flush=True)
                ctx.close()
        finally:
            stop(app.proc)
    ratio = picker["kernel_s"] and lab["seconds"] / picker["kernel_s"]
    mb_s = {k: size / 1e6 / v for k, v in (("picker", picker["kernel_s"]), ("lab", lab["seconds"]))}
    growth = picker["growth"] / 2**20
    both = size / 1e6 / picker["backend_s"]
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    title = "Upload from the browser: UploadPicker vs JupyterLab's upload"
    text = f"""## {title} (`bench_upload_browser.py`)

`python benchmarks/bench_upload_browser.py --mb {args.mb}` on {platform.machine()}, Python
{platform.python_version()}, {now}. One {size:,}-byte WAV uploaded from headless Chromium in the
same JupyterLab: through the `UploadPicker`'s file chooser (4 MB chunks over the widget comm into
the kernel), and through JupyterLab's own file-browser Upload (chunked PUTs to the contents API).
The picker takes at most 500 MB per file (the contract's limit), hence not 1 GB. One run of
each, the picker first; JupyterLab's time includes its large-file confirmation, clicked at once.

| contender | seconds | MB/s | kernel peak RSS growth |
|---|---|---|---|
| UploadPicker → kernel | {picker["kernel_s"]:.1f} | {mb_s["picker"]:.1f} | {growth:.1f} MB |
| UploadPicker → kernel → offline backend | {picker["backend_s"]:.1f} | {both:.1f} | |
| JupyterLab upload → server disk | {lab["seconds"]:.1f} | {mb_s["lab"]:.1f} | |

Throughput ratio (picker to kernel / JupyterLab): **{ratio:.2f}** (target ≥ 0.5); kernel RSS
growth **{growth:.1f} MB** (target ≤ 64 MB).
"""
    (ROOT / "benchmarks" / "results" / "upload_browser.md").write_text(text, encoding="utf-8")
    print(text)
    return 0 if ratio >= 0.5 and growth <= 64 else 1


def upload_picker(page, pid: int, source: Path) -> dict[str, float]:  # type: ignore[no-untyped-def]
    Path(f"/proc/{pid}/clear_refs").write_text("5")  # reset the peak RSS mark
    before = status(pid, "VmRSS")
    with page.expect_file_chooser() as chooser:
        page.locator(".nemo-upload .nemo-link").first.click()
    t0 = time.monotonic()
    chooser.value.set_files(str(source))
    page.locator(".nemo-transfer", has_text="→ kernel").first.wait_for(timeout=60_000)
    page.locator(".nemo-transfer", has_text="→ kernel").first.wait_for(
        state="detached", timeout=600_000
    )
    kernel_s = time.monotonic() - t0
    page.locator(".nemo-upload .nemo-media figcaption", has_text=source.name).wait_for(
        timeout=600_000
    )
    backend_s = time.monotonic() - t0
    return {"kernel_s": kernel_s, "backend_s": backend_s, "growth": status(pid, "VmHWM") - before}


def upload_lab(page, root: Path, source: Path, size: int) -> dict[str, float]:  # type: ignore[no-untyped-def]
    with page.expect_file_chooser() as chooser:
        page.locator(
            '.jp-FileBrowser [data-command="filebrowser:upload"], .jp-FileBrowser .jp-id-upload'
        ).first.click()
    t0 = time.monotonic()
    chooser.value.set_files(str(source))
    # JupyterLab asks before uploading a large file: answer as a user would (time counts)
    ok = page.locator(".jp-Dialog .jp-mod-accept")
    target = root / source.name
    while not (target.exists() and target.stat().st_size >= size):
        if time.monotonic() - t0 > 600:
            raise TimeoutError("JupyterLab's upload did not finish in 600 s")
        if ok.count():
            with contextlib.suppress(PlaywrightError):
                ok.first.click(timeout=2_000)
        page.wait_for_timeout(50)
    return {"seconds": time.monotonic() - t0}


if __name__ == "__main__":
    raise SystemExit(main())
