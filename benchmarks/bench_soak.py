"""Soak: N users work against one real `nemo-widgets serve` process that is SIGKILLed at random
moments and started again on the same data dir, for a bounded time.

Each user (its own token and session) loops over: a generation, a titled edit, an upload, a
render. After every kill the server is restarted and, before the users go on, every user's
invariants are checked (`tests/integration/backend/crash_harness.py`): total = available +
frozen, nothing frozen, the balance exactly what the finished turns cost, a turn the kill cut
either charged with its draft change or not charged with the draft as before (never between),
every finished upload listed and readable, every acknowledged render ending, the token working,
the partial-upload folder empty, no traceback in the log.

Run: python benchmarks/bench_soak.py [--users 10] [--seconds 120] [--seed 1]; writes
benchmarks/results/soak.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import importlib.util
import os
import platform
import random
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
HARNESS = ROOT / "tests" / "integration" / "backend" / "crash_harness.py"


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("crash_harness", HARNESS)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["crash_harness"] = module
    spec.loader.exec_module(module)
    return module


h = _harness()


@dataclasses.dataclass
class Worker:
    """One user and what it knows for sure about its own state."""

    index: int
    user: Any
    balance: int
    uploads: list[dict[str, Any]] = dataclasses.field(default_factory=list)
    renders: list[str] = dataclasses.field(default_factory=list)  # acknowledged, not seen ending
    cut_turn: tuple[int, Any] | None = None  # (cost, draft before) of a turn a kill cut
    busy: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    n: int = 0


class Soak:
    """The run: users, the killer, the checks and the counts."""

    def __init__(self, users: int, seconds: float, seed: int, folder: Path):
        self.rng = random.Random(seed)
        self.seconds = seconds
        self.credits = 1_000_000
        self.server = h.ServerProcess(
            folder / "data", folder / "serve.log", "--initial-credits", str(self.credits)
        )
        self.server.start(*h.FAST)
        self.running = threading.Event()
        self.stop = threading.Event()
        self.counts: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.broken: list[str] = []
        self.workers = []
        for i in range(users):
            user = h.User(self.server.url, f"soak-{i}")
            w = Worker(i, user, self.credits)
            w.uploads.append(user.upload(f"first_{i}.png", h.png_bytes(i)))
            self.workers.append(w)

    def count(self, key: str, n: int = 1) -> None:
        with self.lock:
            self.counts[key] += n

    def _op(self, w: Worker) -> None:
        """One random step of one user; a kill in the middle is recorded, not raised."""
        kind = self.rng.choice(["generate", "edit", "edit", "upload", "render"])
        w.n += 1
        try:
            if kind in ("generate", "edit"):
                cost = h.COSTS[kind]
                before = w.user.state()["draft"]
                if kind == "edit" and not before.get("t"):
                    kind, cost = "generate", h.COSTS["generate"]
                w.cut_turn = (cost, before)
                text = "make a video" if kind == "generate" else f'add title "U{w.index}-{w.n}"'
                events = w.user.chat(text)
                if events and "error" in events[-1]:
                    raise RuntimeError(f"chat error event: {events[-1]}")
                w.cut_turn, w.balance = None, w.balance - cost
            elif kind == "upload":
                w.uploads.append(w.user.upload(f"u{w.index}_{w.n}.png", h.png_bytes(w.n)))
            else:
                job_id = f"render_{w.index}_{w.n}"
                w.user.render(h.small_draft(w.uploads[0]["id"]), job_id)
                w.renders.append(job_id)
            self.count(f"{kind} done")
        except (httpx.HTTPError, OSError, AssertionError):  # the server died under it
            if self.running.is_set():
                self.broken.append(f"user {w.index}: {kind} failed with the server up")
            self.count(f"{kind} cut by a kill")

    def _user_loop(self, w: Worker) -> None:
        while not self.stop.is_set():
            if not self.running.wait(0.2):
                continue
            with w.busy:
                if self.stop.is_set():  # the final check has begun
                    return
                self._op(w)

    def _check(self, w: Worker) -> None:
        """After a restart: resolve a cut turn, then every invariant of this user."""
        w.user.rebase(self.server.url)
        if w.cut_turn is not None:
            cost, before = w.cut_turn
            total, draft = w.user.credits()["total"], w.user.state()["draft"]
            if total == w.balance and draft == before:
                self.count("cut turns: not charged, draft as before")
            elif total == w.balance - cost and draft != before:
                self.count("cut turns: finished and charged before the kill")
                w.balance = total
            else:
                self.broken.append(
                    f"user {w.index}: cut turn left balance {total} (had {w.balance}, cost "
                    f"{cost}), draft {'changed' if draft != before else 'unchanged'}"
                )
            w.cut_turn = None
        known = {u["id"] for u in w.uploads}
        for m in w.user.state()["video_infos"]:  # one whose answer a kill cut: must be whole
            if m["id"] not in known:
                w.uploads.append({"id": m["id"], "size": m["size"]})
                self.count("cut uploads kept (committed before the kill)")
        bad = h.broken_invariants(w.user, w.balance, w.uploads, w.renders)
        for job_id in w.renders:
            self.count(f"renders {w.user.render_status(job_id)['status']}")
        w.renders = []
        self.broken += [f"user {w.index}: {b}" for b in bad]

    def _check_all(self, kill: bool) -> None:
        """Stop the users (and kill -9 the server, and restart it), check, let them go on."""
        self.running.clear()
        if kill:
            self.server.kill()
        for w in self.workers:  # every user's step ended (failed) before the checks
            w.busy.acquire()
        if kill:
            self.server.start(*h.FAST)
            self.count("restarts")
            if any((self.server.data_dir / "tmp").iterdir()):
                self.broken.append("partial uploads left after start-up")
        for w in self.workers:
            self._check(w)
            w.busy.release()
        self.running.set()

    def run(self) -> None:
        threads = [threading.Thread(target=self._user_loop, args=(w,)) for w in self.workers]
        for t in threads:
            t.start()
        end = time.monotonic() + self.seconds
        self.running.set()
        try:
            while time.monotonic() < end:
                time.sleep(self.rng.uniform(0.5, 3.0))
                self._check_all(kill=True)
            self.stop.set()
            self._check_all(kill=False)  # what the users did since the last kill
        finally:
            self.stop.set()
            self.running.set()
            for t in threads:
                t.join(120)
            self.server.stop()
        log = self.server.log_text()
        if "Traceback" in log:
            self.broken.append("a traceback in the server log")
        for key in ("turns_released", "credits_released", "renders_resumed", "orphan_files"):
            self.count(f"start-up: {key}", sum(int(n) for n in re.findall(rf"{key} (\d+)", log)))
        self.count("requests logged", len(re.findall(r" INFO (GET|POST|HEAD) ", log)))


def report(s: Soak, users: int, seconds: float, wall: float) -> str:
    when = f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC"
    about = (
        f"{users} users (each its own token and session: generations, edits, uploads, "
        f"renders) against one `nemo-widgets serve` process for {seconds:.0f} s; SIGKILL every "
        f"0.5-3 s, restart on the same data dir, every invariant checked for every user before "
        f"they go on. {os.cpu_count()} CPUs, CPython {platform.python_version()}; {when}; "
        f"wall {wall:.0f} s."
    )
    lines = [
        "## Soak: random kill -9 of the offline backend (`bench_soak.py`)",
        "",
        about,
        "",
        "| count | value |",
        "|---|---|",
    ]
    lines += [f"| {k} | {v} |" for k, v in sorted(s.counts.items())]
    lines += [
        f"| invariant violations | **{len(s.broken)}** |",
        "",
        f"- verdict: **{'pass' if not s.broken else 'FAIL'}**",
    ]
    return "\n".join([*lines, *(f"- {b}" for b in s.broken[:20])]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="nemo-soak-") as tmp:
        t0 = time.monotonic()
        soak = Soak(args.users, args.seconds, args.seed, Path(tmp))
        soak.run()
        text = report(soak, args.users, args.seconds, time.monotonic() - t0)
    out = Path(__file__).resolve().parent / "results" / "soak.md"
    out.write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {out}")
    return 0 if not soak.broken else 1


if __name__ == "__main__":
    raise SystemExit(main())
