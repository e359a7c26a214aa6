"""Load: N concurrent sessions against ONE offline backend over loopback.

Each session is its own user (its own token): it uploads one image named after itself, sends 5
chat messages ("make a video", then 4 titles that carry its own marker) and renders one small
draft of its own upload. Every reply must match its own session's instruction and state (no lost
or crossed replies), no call may fail, and the whole run is bounded in time. The chat latency is
the wall time of `Session.chat` as a user's cell sees it (p50 / p95 / max).

Run: python benchmarks/bench_load.py [--sessions 20] [--messages 5]; writes
benchmarks/results/load.md. With `--compare-with /work/main/src` it also runs the same load on
another checkout's package (the JSON store of before issue 15), alternating old and new for
`--rounds` rounds, each in its own process, and reports the medians side by side. The test suite
runs `run_load` at a reduced size (tests/reliability/test_load.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
SRC = os.environ.get("NEMO_BENCH_SRC", str(ROOT / "src"))  # another checkout, for --compare-with
if sys.path[:1] != [SRC]:
    sys.path.insert(0, SRC)

import nemo_widgets as nw  # noqa: E402
from nemo_widgets.local import LocalServer  # noqa: E402

# The offline backend's own pacing, shortened so the run measures the client and the server's
# handling of concurrency, not the simulated agent's thinking time.
SERVER = {
    "heartbeat_interval": 0.2,
    "step_delay": 0.05,
    "generation_delay": 0.15,
    "chunk_delay": 0.0,
    "initial_credits": 100_000,
    "render_concurrency": 2,
}
CLIENT = {"poll_interval": 0.1, "drop_waits": (0.2, 0.5), "timeout": 60.0}
MARK = re.compile(r"S(\d+)-M(\d+)")
FILE = re.compile(r"shot_(\d+)\.png")


@dataclasses.dataclass
class LoadResult:
    """What a run did and found."""

    sessions: int
    messages: int
    wall: float = 0.0
    latencies: list[float] = dataclasses.field(default_factory=list)
    edit_latencies: list[float] = dataclasses.field(default_factory=list)  # the title messages
    errors: list[str] = dataclasses.field(default_factory=list)
    crossed: list[str] = dataclasses.field(default_factory=list)
    lost: list[str] = dataclasses.field(default_factory=list)
    uploads: int = 0
    renders: int = 0
    replies: int = 0
    silent: int = 0  # replies reported from the state (the stream had no text)
    posts: int = 0  # POST /run_sse the server saw
    accepted: int = 0  # messages the server accepted (and ran)
    requests: int = 0  # HTTP requests the server answered (all routes)

    @property
    def rps(self) -> float:
        """Requests per second over the whole run."""
        return self.requests / self.wall if self.wall else float("nan")

    def pct(self, q: float, edits: bool = False) -> float:
        """The q-quantile of the chat latencies (seconds): all messages, or the edits only."""
        values = self.edit_latencies if edits else self.latencies
        if not values:
            return float("nan")
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]

    @property
    def ok(self) -> bool:
        """No error, no crossed or lost reply, every message sent exactly once."""
        want = self.sessions * self.messages
        return (
            not (self.errors or self.crossed or self.lost)
            and self.replies == want
            and self.accepted == want
            and self.posts == want
        )


def _png(path: Path, i: int) -> Path:
    from PIL import Image

    Image.new("RGB", (64, 48), ((i * 37) % 256, (i * 91) % 256, 128)).save(path)
    return path


def _draft(media_id: str) -> dict[str, Any]:
    return {
        "d": 1000,
        "m": {"w": 160, "h": 120, "fps": 10, "ratio": "16:9"},
        "t": [
            {
                "id": "trk_v",
                "tt": 0,
                "sg": [{"id": "seg_1", "k": "image", "src": media_id, "st": 0, "d": 1000}],
            }
        ],
    }


def _title(state: Any) -> str | None:
    for track in state.draft.get("t", []):
        for seg in track.get("sg", []):
            if seg.get("k") == "title":
                return str(seg.get("txt"))
    return None


def _user(
    i: int,
    server: LocalServer,
    token: str,
    folder: Path,
    messages: int,
    start: threading.Barrier,
    result: LoadResult,
    lock: threading.Lock,
) -> None:
    """One user's whole session; every finding goes into `result`."""
    name = f"session {i}"
    s = None
    try:
        s = nw.connect(backend="local", api_url=server.url, token=token, resume=False, **CLIENT)
        image = _png(folder / f"shot_{i}.png", i)
        start.wait(60)
        media = s.upload(image)
        with lock:
            result.uploads += len(media)
        for k in range(messages):
            text = "make a video" if k == 0 else f'add title "S{i}-M{k}"'
            t0 = time.perf_counter()
            reply = s.chat(text)
            spent = time.perf_counter() - t0
            marks = {int(m.group(1)) for m in MARK.finditer(reply.text)}
            files = {int(m.group(1)) for m in FILE.finditer(reply.text)}
            with lock:
                result.latencies.append(spent)
                if k > 0:
                    result.edit_latencies.append(spent)
                result.replies += 1
                result.silent += bool(reply.changes)
                if marks - {i} or files - {i}:
                    result.crossed.append(f"{name} message {k}: {reply.text[:200]!r}")
                elif k == 0 and i not in files:
                    result.lost.append(f"{name} message 0 lacks its file: {reply.text[:200]!r}")
                elif k > 0 and f"S{i}-M{k}" not in reply.text:
                    result.lost.append(f"{name} message {k}: {reply.text[:200]!r}")
        job = s.export(_draft(media[0].id), download_to=folder / f"out_{i}")
        if job.status != "completed" or not job.path or job.session_id != s.session_id:
            raise RuntimeError(f"render ended {job.status}: {job.error}")
        if Path(job.path).read_bytes()[4:8] != b"ftyp":
            raise RuntimeError("the render is not an MP4")
        state = s.state()
        record = server.app.state.nemo.store.session(s.session_id)
        with lock:
            result.renders += 1
            result.accepted += int(record["messages"])
            if [m["id"] for m in state.video_infos] != [media[0].id]:
                result.crossed.append(f"{name}: state media {state.video_infos!r}")
            last = f"S{i}-M{messages - 1}" if messages > 1 else None
            if last and _title(state) != last:
                result.lost.append(f"{name}: final title {_title(state)!r}, wanted {last!r}")
    except Exception as exc:  # every failure is a finding, reported with its session
        with lock:
            result.errors.append(f"{name}: {type(exc).__name__}: {exc}")
    finally:
        if s is not None:
            s.close()


def run_load(
    sessions: int = 20, messages: int = 5, time_limit: float = 600.0, data_dir: Path | None = None
) -> LoadResult:
    """Run the load against one fresh offline backend; bounded by `time_limit` seconds."""
    result = LoadResult(sessions, messages)
    lock = threading.Lock()
    with tempfile.TemporaryDirectory(prefix="nemo-load-") as tmp:
        folder = Path(tmp)
        with LocalServer.start(data_dir=data_dir or folder / "data", **SERVER) as server:
            tokens = [
                httpx.post(
                    f"{server.url}/api/auth/anonymous-token",
                    headers={"X-Client-Id": f"load-user-{i}"},
                ).json()["data"]["token"]
                for i in range(sessions)
            ]
            start = threading.Barrier(sessions + 1)
            threads = [
                threading.Thread(
                    target=_user,
                    args=(i, server, tokens[i], folder, messages, start, result, lock),
                    name=f"load-{i}",
                    daemon=True,
                )
                for i in range(sessions)
            ]
            for t in threads:
                t.start()
            start.wait(60)
            t0 = time.perf_counter()
            deadline = time.monotonic() + time_limit
            for t in threads:
                t.join(max(0.0, deadline - time.monotonic()))
            result.wall = time.perf_counter() - t0
            stuck = [t.name for t in threads if t.is_alive()]
            if stuck:
                result.errors.append(f"still running after {time_limit:.0f} s: {stuck}")
            result.posts = server.count("POST", "/run_sse")
            result.requests = sum(server.counts.values())
    return result


def report(r: LoadResult, alone: LoadResult | None = None) -> str:
    """The markdown section for benchmarks/results/load.md (`alone`: the 1-session baseline)."""
    ms = 1000.0
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Load: concurrent sessions on one offline backend",
        "",
        f"{r.sessions} sessions at once (threads of one process, each its own user and token), "
        f"each: 1 upload, {r.messages} chat messages (make a video + titles), 1 render; one "
        f"offline backend over 127.0.0.1 (render concurrency {SERVER['render_concurrency']}, "
        f"agent step {SERVER['step_delay']} s, generation {SERVER['generation_delay']} s). "
        f"{os.cpu_count()} CPUs, CPython {platform.python_version()}; {stamp}.",
        "",
        "| measure | value |",
        "|---|---|",
        f"| chat messages answered | {r.replies} / {r.sessions * r.messages} |",
        f"| POST /run_sse seen / messages accepted by the server | {r.posts} / {r.accepted} |",
        f"| replies reported from the state (silent edits) | {r.silent} |",
        f"| uploads / renders completed | {r.uploads} / {r.renders} |",
        f"| errors | {len(r.errors)} |",
        f"| crossed replies (another session's marker, file or media) | {len(r.crossed)} |",
        f"| lost replies (own instruction missing) | {len(r.lost)} |",
        f"| chat latency p50 | {r.pct(0.5) * ms:.0f} ms |",
        f"| chat latency p95 | **{r.pct(0.95) * ms:.0f} ms** |",
        f"| chat latency max | {max(r.latencies, default=float('nan')) * ms:.0f} ms |",
        f"| edit messages only: p50 / p95 | {r.pct(0.5, True) * ms:.0f} / "
        f"{r.pct(0.95, True) * ms:.0f} ms |",
        f"| wall time of the whole run | {r.wall:.1f} s |",
        f"| requests answered per second (all routes) | {r.rps:.0f} |",
        "",
        f"- verdict: **{'pass' if r.ok else 'FAIL'}** (zero errors, zero lost or crossed replies, "
        "every message posted and accepted exactly once)",
    ]
    if alone is not None:
        lines.insert(
            -2,
            f"| baseline: one session alone, p50 / p95 | {alone.pct(0.5) * ms:.0f} / "
            f"{alone.pct(0.95) * ms:.0f} ms (p95 under load: "
            f"{r.pct(0.95) / alone.pct(0.95):.1f}x) |",
        )
    lines += [f"- {e}" for e in (r.errors + r.crossed + r.lost)[:20]]
    return "\n".join(lines) + "\n"


def _summary(r: LoadResult) -> dict[str, Any]:
    return {"p50": r.pct(0.5), "p95": r.pct(0.95), "rps": r.rps, "wall": r.wall, "ok": r.ok}


def _child(src: str, args: argparse.Namespace) -> dict[str, Any]:
    """One run of the load in a fresh process on the package in `src`."""
    cmd = [sys.executable, __file__, "--json", "--sessions", str(args.sessions)]
    cmd += ["--messages", str(args.messages), "--time-limit", str(args.time_limit)]
    env = {**os.environ, "NEMO_BENCH_SRC": src, "PYTHONPATH": src}
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0, 1):
        raise RuntimeError(f"the run on {src} failed:\n{done.stderr[-3000:]}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def compare(old_src: str, args: argparse.Namespace) -> str:
    """Old and new store, alternating, `args.rounds` rounds each: a markdown table of medians."""
    runs: dict[str, list[dict[str, Any]]] = {"old": [], "new": []}
    for _ in range(args.rounds):
        runs["old"].append(_child(old_src, args))
        runs["new"].append(_child(str(ROOT / "src"), args))
    med = {
        k: {m: statistics.median(r[m] for r in v) for m in ("p50", "p95", "rps")}
        for k, v in runs.items()
    }
    ms = 1000.0
    lines = [
        "",
        f"Store before/after issue 15 (JSON files vs SQLite), the same load ({args.sessions} "
        f"sessions), {args.rounds} rounds alternating old and new, each in its own process; "
        "medians (old = `--compare-with` checkout):",
        "",
        "| store | chat p50 | chat p95 | requests/s | all runs passed |",
        "|---|---|---|---|---|",
    ]
    for k, name in (("old", "JSON files (before)"), ("new", "SQLite (this checkout)")):
        ok = all(r["ok"] for r in runs[k])
        lines.append(
            f"| {name} | {med[k]['p50'] * ms:.0f} ms | {med[k]['p95'] * ms:.0f} ms | "
            f"{med[k]['rps']:.0f} | {'yes' if ok else 'NO'} |"
        )
    ratio = {m: med["new"][m] / med["old"][m] for m in ("p50", "p95", "rps")}
    lines.append(
        f"| new / old | {ratio['p50']:.2f}x | {ratio['p95']:.2f}x | {ratio['rps']:.2f}x | |"
    )
    worse = ratio["p50"] > 1.1 or ratio["p95"] > 1.1 or ratio["rps"] < 1 / 1.1
    lines += ["", f"- regression beyond 10 %: **{'YES' if worse else 'no'}**"]
    return "\n".join(lines) + "\n"


def main() -> int:
    """Run at full size and write benchmarks/results/load.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=600.0)
    parser.add_argument("--compare-with", metavar="SRC", help="another checkout's src folder")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="one run, its summary as JSON")
    args = parser.parse_args()
    home = tempfile.mkdtemp(prefix="nemo-load-home-")  # the run's tokens and records stay out
    os.environ["XDG_CONFIG_HOME"] = home  # of the user's config dir
    if args.json:
        r = run_load(args.sessions, args.messages, args.time_limit)
        print(json.dumps(_summary(r)))
        return 0 if r.ok else 1
    alone = run_load(1, args.messages, args.time_limit)  # the baseline: no concurrency
    result = run_load(args.sessions, args.messages, args.time_limit)
    text = report(result, alone)
    if args.compare_with:
        text += compare(args.compare_with, args)
    out = Path(__file__).resolve().parent / "results" / "load.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {out}")
    return 0 if result.ok and alone.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
