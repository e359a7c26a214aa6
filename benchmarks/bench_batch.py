"""Batch benchmark: the batch notebook's loop with overlapping renders vs one after another.

Three product photos, one instruction each (the notebook's), on one offline backend started in
this process with its default ("realistic") delays: each file gets a fresh session
(`connect(new=True)`), an upload, one chat instruction and a render.

    overlapped   `export(wait=False)` per file, then `job.wait()` for all at the end (the notebook)
    sequential   `export()` per file: each render is waited for before the next file starts

The two alternate `--reps` times; the median wall times are compared (target: overlapped
faster). Run: python benchmarks/bench_batch.py [--reps 2]; writes benchmarks/results/batch.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import nemo_widgets as nw  # noqa: E402
from nemo_widgets.local import LocalServer, make_sample_media  # noqa: E402

INSTRUCTIONS = [
    'Make a 4 second video with the title "晨光咖啡"',
    'Make a 16:9 video, 4 seconds, with the title "Bamboo Tea Set"',
    "做一个 4 秒的方形视频，标题“云朵枕头”",
]


def run(url: str, files: list[Path], out: Path, overlap: bool) -> float:
    started = time.monotonic()
    running = []
    for i, (path, text) in enumerate(zip(files, INSTRUCTIONS, strict=True)):
        s = nw.connect(backend="local", api_url=url, new=True)
        s.upload(path, progress=False)
        s.chat(text)
        dest = out / f"{'o' if overlap else 's'}{i}.mp4"
        if overlap:
            running.append((s, s.export(wait=False), dest))
        else:
            job = s.export(download_to=dest, progress=False)
            assert job.status == "completed", job
            s.close()
    for s, job, dest in running:
        job.wait(download_to=dest)
        assert job.status == "completed", job
        s.close()
    return time.monotonic() - started


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        os.environ["HOME"] = str(home)
        os.environ["XDG_CONFIG_HOME"] = str(home / ".config")
        os.chdir(home)
        files = [f for f in make_sample_media(home / "media") if f.suffix == ".jpg"][:3]
        server = LocalServer.start(data_dir=home / "data", initial_credits=100_000)
        times: dict[str, list[float]] = {"overlapped": [], "sequential": []}
        try:
            for _ in range(args.reps):
                for name in ("overlapped", "sequential"):
                    times[name].append(run(server.url, files, home, name == "overlapped"))
                    print(name, f"{times[name][-1]:.1f} s", flush=True)
        finally:
            server.stop()
    med = {k: statistics.median(v) for k, v in times.items()}
    ratio = med["sequential"] / med["overlapped"]
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    rows = "\n".join(
        f"| {k} | {med[k]:.1f} s | {', '.join(f'{t:.1f}' for t in v)} |" for k, v in times.items()
    )
    text = f"""## Batch: overlapping renders vs one after another (`bench_batch.py`)

`python benchmarks/bench_batch.py --reps {args.reps}` on {platform.machine()}, Python
{platform.python_version()}, {now}. The batch notebook's three files (upload, one instruction,
render 4 s videos) on one offline backend with its default delays; *overlapped* starts each
render with `export(wait=False)` and collects them with `job.wait()` at the end, *sequential*
waits for each `export()` before the next file.

| variant | median wall time | runs |
|---|---|---|
{rows}

Overlapped is **{ratio:.2f}×** as fast as sequential (target: > 1).
"""
    out = ROOT / "benchmarks" / "results" / "batch.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    return 0 if ratio > 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
