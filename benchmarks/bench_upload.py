"""Upload benchmark: `Session.upload` vs `curl -F files=@…` sending the same 500 MB file to the
same offline backend in one run.

The backend (nemo_widgets.local, uvicorn on loopback) runs in this process; each contender runs
in its own process so its memory can be measured alone:

    Session.upload   a fresh Python process: connect() to the backend, reset the peak-RSS mark
                     (/proc/self/clear_refs), time `session.upload(path, progress=callback)`,
                     then read VmHWM: the growth is the upload's own memory cost
    curl -F          `curl -F files=@path` with the same token, headers and session, and
                     `Expect:` emptied so curl does not wait for a 100-continue first

The file is a 500,000,000-byte WAV (a real header, then silence written sparse), so the backend
accepts and probes it like any upload. Contenders alternate, `--reps` times each; medians are
compared. Targets: throughput ≥ 0.7x curl's, client peak RSS growth ≤ 64 MB.
Run: python benchmarks/bench_upload.py [--mb 500] [--reps 3]; writes benchmarks/results/upload.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nemo_widgets.local import LocalServer  # noqa: E402

CLIENT = r"""
import json, sys, time
import nemo_widgets as nw

def rss(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0

s = nw.connect(backend="local", api_url=sys.argv[1])
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")  # reset VmHWM: measure the upload's peak, not the imports'
before = rss("VmRSS")
calls = [0]
def progress(done, total):
    calls[0] += 1
t0 = time.perf_counter()
media = s.upload(sys.argv[2], progress=progress)
seconds = time.perf_counter() - t0
peak = rss("VmHWM")
print(json.dumps({"seconds": seconds, "growth": peak - before, "before": before, "peak": peak,
                  "session": s.session_id, "size": media[0].size, "progress_calls": calls[0]}))
s.close()
"""


def make_wav(path: Path, size: int) -> None:
    """A valid PCM WAV of exactly `size` bytes: header, then sparse silence."""
    data = size - 44
    header = b"RIFF" + struct.pack("<I", size - 8) + b"WAVEfmt "
    header += struct.pack("<IHHIIHH", 16, 1, 2, 44100, 44100 * 4, 4, 16)
    header += b"data" + struct.pack("<I", data)
    with open(path, "wb") as f:
        f.write(header)
        f.truncate(size)


def run_ours(url: str, path: Path, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, "-c", CLIENT, url, str(path)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run_curl(url: str, path: Path, token: str, session: str) -> dict[str, float]:
    cmd = [
        "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
        "-H", f"Authorization: Bearer {token}",
        "-H", "X-Skill-Source: ai-video-maker-free-chinese",
        "-H", "X-Skill-Version: 1.9",
        "-H", "X-Skill-Platform: unknown",
        "-H", "Expect:",  # no 100-continue round trip: curl at its fastest
        "-F", f"files=@{path}",
        f"{url}/api/upload-video/nemo_agent/me/{session}",
    ]  # fmt: skip
    # the token goes to curl as an argument: acceptable for a throwaway local backend only
    code, seconds = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout.split()
    if code != "200":
        raise RuntimeError(f"curl upload answered HTTP {code}")
    return {"seconds": float(seconds)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=500.0, help="file size in MB (10^6 bytes)")
    parser.add_argument("--reps", type=int, default=3)
    args = parser.parse_args()
    if shutil.which("curl") is None:
        print("curl is not installed: the baseline cannot run", file=sys.stderr)
        return 1
    size = int(args.mb * 1_000_000)
    work = Path(tempfile.mkdtemp(prefix="nemo-bench-upload-"))
    try:
        home = work / "home"
        home.mkdir()
        env = {**os.environ, "HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")}
        env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
        for name in ("NEMO_TOKEN", "NEMO_CLIENT_ID", "SKILL_SOURCE"):
            env.pop(name, None)
        path = work / "big.wav"
        make_wav(path, size)
        server = LocalServer.start(data_dir=work / "data")
        ours: list[dict[str, float]] = []
        theirs: list[dict[str, float]] = []
        try:
            for rep in range(args.reps):
                ours.append(run_ours(server.url, path, env))
                cache = json.loads((home / ".config/nemovideo/tokens.json").read_text())
                token = next(iter(cache.values()))["token"]
                theirs.append(run_curl(server.url, path, token, str(ours[-1]["session"])))
                print(
                    f"rep {rep + 1}: ours {ours[-1]['seconds']:.2f} s, "
                    f"curl {theirs[-1]['seconds']:.2f} s, "
                    f"RSS growth {ours[-1]['growth'] / 1e6:.1f} MB",
                    flush=True,
                )
                for stored in (work / "data" / "media").rglob("*.wav"):
                    stored.unlink()  # keep the disk use at one copy
        finally:
            server.stop()
        ours_s = statistics.median(r["seconds"] for r in ours)
        curl_s = statistics.median(r["seconds"] for r in theirs)
        growth = max(r["growth"] for r in ours)
        ratio = curl_s / ours_s
        report(size, args.reps, ours, theirs, ours_s, curl_s, growth, ratio)
        ok = ratio >= 0.7 and growth <= 64e6
        print(f"throughput ratio {ratio:.2f} (target ≥ 0.7), peak RSS growth "
              f"{growth / 1e6:.1f} MB (target ≤ 64): {'PASS' if ok else 'FAIL'}")  # fmt: skip
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(
    size: int,
    reps: int,
    ours: list[dict[str, float]],
    theirs: list[dict[str, float]],
    ours_s: float,
    curl_s: float,
    growth: float,
    ratio: float,
) -> None:
    mb = size / 1e6
    lines = [
        "## Upload: `Session.upload` vs `curl -F`",
        "",
        f"{mb:.0f} MB WAV to the offline backend on loopback, median of {reps} alternating runs "
        f"({dt.date.today().isoformat()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}). Run: `python benchmarks/bench_upload.py`.",
        "",
        "| contender | median time | throughput | client peak RSS growth |",
        "|---|---|---|---|",
        f"| `Session.upload` (streamed multipart, progress callback) | {ours_s:.2f} s | "
        f"{mb / ours_s:.0f} MB/s | {growth / 1e6:.1f} MB (max of runs) |",
        f"| `curl -F files=@…` | {curl_s:.2f} s | {mb / curl_s:.0f} MB/s | — |",
        "",
        f"Throughput ratio ours/curl: **{ratio:.2f}** (target ≥ 0.7). "
        f"Peak RSS growth: **{growth / 1e6:.1f} MB** (target ≤ 64 MB). "
        f"Progress callbacks per upload: {int(ours[-1]['progress_calls'])}.",
        "",
        "Runs (s): ours " + ", ".join(f"{r['seconds']:.2f}" for r in ours)
        + "; curl " + ", ".join(f"{r['seconds']:.2f}" for r in theirs) + ".",
        "",
    ]  # fmt: skip
    out = ROOT / "benchmarks" / "results" / "upload.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines), encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    raise SystemExit(main())
