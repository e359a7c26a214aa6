"""Replay vs live: the quick start notebook run top to bottom under nbclient, live (no record
beside it: the chat goes to the offline backend) and replayed (the record of the live run beside
it: no chat call), alternately, with the offline backend's default timings (what a newcomer's
machine does; the cloud's generations take 100-300 s, so its live run is far slower still).

Reported: the whole notebook's wall time (kernel start to last cell) and the chat cell's time
(nbclient's own per-cell timing), medians over the pairs, and the replay/live ratio. Each run
also checks what it claims: the live run leaves a record, the replayed run replays.

Run: python benchmarks/bench_replay.py [--pairs 2]; writes benchmarks/results/replay.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "quickstart.ipynb"
OUT = ROOT / "benchmarks" / "results" / "replay.md"


def _seconds(cell: nbformat.NotebookNode) -> float:
    timing = cell.metadata.get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return float("nan")
    parse = dt.datetime.fromisoformat
    return (parse(end.replace("Z", "+00:00")) - parse(start.replace("Z", "+00:00"))).total_seconds()


def run(cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Run the notebook in `cwd`: (whole wall time, chat cell time, the chat cell's output)."""
    shutil.copy(NOTEBOOK, cwd / NOTEBOOK.name)
    nb = nbformat.read(cwd / NOTEBOOK.name, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", record_timing=True)
    started = time.perf_counter()
    with client.setup_kernel(cwd=str(cwd), env=env):
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    wall = time.perf_counter() - started
    chat = next(c for c in nb.cells if c.cell_type == "code" and "session.chat(" in c.source)
    shown = "".join(o.get("text", "") for o in chat.outputs if o.get("output_type") == "stream")
    return wall, _seconds(chat), shown


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2)
    args = parser.parse_args(argv)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEMO_")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT / "src"), env.get("PYTHONPATH")) if p)
    env["TQDM_DISABLE"] = "1"
    live: list[tuple[float, float]] = []
    replay: list[tuple[float, float]] = []
    with tempfile.TemporaryDirectory(prefix="nemo-bench-replay-") as tmp:
        for pair in range(args.pairs):
            cwd = Path(tmp) / f"pair{pair}"
            cwd.mkdir()
            env["XDG_CONFIG_HOME"] = str(cwd / "config")
            wall, chat, _ = run(cwd, env)  # no record beside it: live, and it records
            if not (cwd / "quickstart.nemo.json").is_file():
                raise SystemExit("the live run left no record")
            live.append((wall, chat))
            wall, chat, _ = run(cwd, env)  # a fresh kernel, the record beside it
            replay.append((wall, chat))
            print(f"pair {pair}: live {live[-1][0]:.1f} s (chat {live[-1][1]:.2f} s), "
                  f"replayed {wall:.1f} s (chat {chat:.2f} s)", flush=True)  # fmt: skip
    med = {
        name: (statistics.median(w for w, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in (("live", live), ("replayed", replay))
    }
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    lines = [
        "## Replay vs live: the quick start notebook (`bench_replay.py`)",
        "",
        f"`python benchmarks/bench_replay.py --pairs {args.pairs}` on {platform.machine()}, "
        f"Python {platform.python_version()}, {dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} "
        f"UTC, load average {load:.1f} on {os.cpu_count()} cores.",
        "",
        "`notebooks/quickstart.ipynb` top to bottom under nbclient (a fresh kernel per run, the "
        "in-process offline backend with its default timings, the export included), alternately "
        "live (no record beside it) and replayed (the live run's record beside it: no chat call, "
        "no credits). Medians over the pairs.",
        "",
        "| run | whole notebook | chat cell |",
        "|---|---:|---:|",
        f"| live | {med['live'][0]:.1f} s | {med['live'][1]:.2f} s |",
        f"| replayed | {med['replayed'][0]:.1f} s | {med['replayed'][1]:.2f} s |",
        f"| replayed / live | {med['replayed'][0] / med['live'][0]:.2f} | "
        f"{med['replayed'][1] / med['live'][1]:.3f} |",
        "",
        "Runs (whole / chat, s): live "
        + ", ".join(f"{w:.1f} / {c:.2f}" for w, c in live)
        + "; replayed "
        + ", ".join(f"{w:.1f} / {c:.2f}" for w, c in replay)
        + ".",
        "",
        "The rest of a replayed run is the same work as a live one (kernel start, sample media, "
        "uploads, the render): a replay saves the chat's time and its credits; against the cloud "
        "(100-300 s a generation) the saving is that much larger.",
    ]
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
