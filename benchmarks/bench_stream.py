"""Chat stream benchmark: our decoder vs raw httpx-sse + json.loads, both dialects, one run.

One loopback Starlette/uvicorn app serves a `/run_sse` body per dialect of the contract: ADK
(streamed `partial` text chunks of one model call, each with its own timestamp, then the final
text) and the vendor's typed events (`{"type": "text", "content": …}` chunks with tool traffic
and heartbeats among them), in 64 KiB writes. Contenders alternate, `--reps` times each:

    httpx-sse + json.loads   `aconnect_sse` + `aiter_sse()`, one `json.loads` per event: the floor
                             any reader of this stream pays
    ChatTurn                 our decoder over the same response (`aiter_bytes` → `feed`)
    Session.stream           a whole chat turn as a notebook cell iterates it: routing, a state
                             read, the POST, decoding, GUI translation, the bridge between loops

Budget: the decoder at least 20,000 events/s (a fast model streams 20-200 events/s), measured on
the best run's CPU time (the machine is shared: wall time mostly measures the neighbours).
Run: python benchmarks/bench_stream.py [--events N] [--reps N]; writes benchmarks/results/stream.md.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import httpx_sse
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

import nemo_widgets as nw  # noqa: E402
from nemo_widgets.events import ChatTurn  # noqa: E402

CHUNK = 64 * 1024
BUDGET = 20_000  # events/s
WORDS = ["city ", "lights ", "at ", "night, ", "a ", "title ", "fades ", "in. "]
DIALECTS = ("adk", "vendor")


def _line(event: dict[str, object]) -> str:
    return "data: " + json.dumps(event, separators=(",", ":"), ensure_ascii=False) + "\n\n"


def make_body(n_events: int, dialect: str) -> bytes:
    """`n_events` SSE messages of one reply in the dialect's own shape."""
    words = [WORDS[i % len(WORDS)] for i in range(n_events - 1)]
    if dialect == "adk":
        lines = [
            _line(
                {
                    "content": {"parts": [{"text": w}], "role": "model"},
                    "partial": True,
                    "invocationId": "e-bench",
                    "author": "nemo_agent",
                    "actions": {"stateDelta": {}, "artifactDelta": {}},
                    "id": "ev-1",
                    "timestamp": 1764300000.5 + i / 1000,
                }
            )
            for i, w in enumerate(words)
        ]
        final = {"content": {"parts": [{"text": "".join(words)}], "role": "model"}, "id": "ev-1"}
        lines.append(_line(final))
    else:
        lines = []
        for i, w in enumerate(words):
            if i % 100 == 50:  # some tool traffic and keep-alives among the text
                lines.append(_line({"type": "tool_call", "name": "edit_multitrack", "args": {}}))
            elif i % 100 == 51:
                lines.append(_line({"type": "tool_result", "name": "edit_multitrack"}))
            elif i % 100 == 52:
                lines.append(_line({"type": "heartbeat"}))
            else:
                lines.append(_line({"type": "text", "content": w}))
        lines.append(_line({"type": "text", "content": "Done."}))
    return "".join(lines).encode()


def make_app(bodies: dict[str, bytes]) -> Starlette:
    """The few endpoints a session needs, and the stream (`/run_sse?dialect=…`)."""

    def ok(data: object) -> JSONResponse:
        return JSONResponse({"code": 0, "data": data})

    async def session(_: Request) -> Response:
        return ok({"task_id": "task_bench", "session_id": "sess_bench"})

    async def state(_: Request) -> Response:
        return ok({"state": {"draft": {}, "video_infos": [], "canvas_config": {}}})

    async def run_sse(request: Request) -> Response:
        body = bodies[request.query_params.get("dialect") or request.app.state.dialect]
        await request.body()

        async def chunks() -> AsyncIterator[bytes]:
            for i in range(0, len(body), CHUNK):
                yield body[i : i + CHUNK]

        return StreamingResponse(chunks(), media_type="text/event-stream")

    app = Starlette(
        routes=[
            Route("/api/tasks/me/with-session/nemo_agent", session, methods=["POST"]),
            Route("/api/state/nemo_agent/me/{sid}/latest", state, methods=["GET"]),
            Route("/run_sse", run_sse, methods=["POST"]),
        ]
    )
    app.state.dialect = "adk"
    return app


class Loopback:
    """uvicorn on 127.0.0.1, port 0, in a thread."""

    def __init__(self, app: Starlette) -> None:
        self.app = app
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self.thread = threading.Thread(
            target=lambda: self.server.run(sockets=[self.sock]), daemon=True
        )

    def __enter__(self) -> Loopback:
        self.thread.start()
        while not self.server.started:
            time.sleep(0.01)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


BODY = {"app_name": "nemo_agent", "user_id": "me", "session_id": "sess_bench"}


async def raw_sse(url: str) -> int:
    """The floor: httpx-sse's reader and one `json.loads` per event."""
    n = 0
    async with (
        httpx.AsyncClient(timeout=60) as client,
        httpx_sse.aconnect_sse(client, "POST", url, json=BODY) as source,
    ):
        async for sse in source.aiter_sse():
            json.loads(sse.data)
            n += 1
    return n


async def decoder(url: str) -> int:
    """Ours: the same response through `ChatTurn`, counting the typed events it gives."""
    turn = ChatTurn()
    n = 0
    async with (
        httpx.AsyncClient(timeout=60) as client,
        client.stream("POST", url, json=BODY) as response,
    ):
        async for chunk in response.aiter_bytes():
            n += len(turn.feed(chunk))
    return n + len(turn.close())


async def through_session(session: nw.Session) -> int:
    """A whole chat turn: every event `Session.stream` yields for one message."""
    n = 0
    async for _ in session.stream("write the story of the city"):
        n += 1
    return n


def timed(make: Callable[[], Awaitable[int]]) -> tuple[float, float, int]:
    """Wall time, CPU time of the whole process (all threads, the server's too), count."""
    wall, cpu = time.perf_counter(), time.process_time()

    async def main() -> int:
        return await make()

    count = asyncio.run(main())  # a fresh loop, as a script or a notebook cell would have
    return time.perf_counter() - wall, time.process_time() - cpu, count


def main(argv: list[str] | None = None) -> int:
    """Run the contenders alternately and write the report."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=20_000)
    ap.add_argument("--reps", type=int, default=3)
    args = ap.parse_args(argv)
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="bench-stream-")  # no records left
    bodies = {d: make_body(args.events, d) for d in DIALECTS}
    cpus: dict[tuple[str, str], list[float]] = {}
    walls: dict[tuple[str, str], list[float]] = {}
    counts: dict[tuple[str, str], int] = {}
    with Loopback(make_app(bodies)) as server:
        session = nw.connect(backend="cloud", api_url=server.url, token="nmv_bench", resume=False)
        runs: dict[tuple[str, str], Callable[[], Awaitable[int]]] = {}
        for d in DIALECTS:
            url = f"{server.url}/run_sse?dialect={d}"
            runs[d, RAW] = lambda url=url: raw_sse(url)
            runs[d, OURS] = lambda url=url: decoder(url)
            runs[d, TURN] = lambda: through_session(session)
        for key, make in runs.items():  # warm-up: imports, connections
            server.app.state.dialect = key[0]
            timed(make)
        for _ in range(args.reps):
            for key, make in runs.items():
                server.app.state.dialect = key[0]  # what Session.stream's POST is answered
                wall, cpu, counts[key] = timed(make)
                walls.setdefault(key, []).append(wall)
                cpus.setdefault(key, []).append(cpu)
        session.close()
    write_report(args, bodies, walls, cpus, counts)
    return 0


RAW, OURS, TURN = "httpx-sse + json.loads", "ChatTurn (our decoder)", "Session.stream (whole turn)"


def write_report(
    args: argparse.Namespace,
    bodies: dict[str, bytes],
    walls: dict[tuple[str, str], list[float]],
    cpus: dict[tuple[str, str], list[float]],
    counts: dict[tuple[str, str], int],
) -> None:
    """Print the table and write benchmarks/results/stream.md."""
    n = args.events
    rate = {key: n / min(t) for key, t in cpus.items()}
    wall = {key: n / min(t) for key, t in walls.items()}
    rows = [
        f"| {d} | {name} | {rate[d, name]:,.0f} | {rate[d, name] / rate[d, RAW]:.2f}x | "
        f"{wall[d, name]:,.0f} | {counts[d, name]:,} |"
        for d in DIALECTS
        for name in (RAW, OURS, TURN)
    ]
    worst = min(rate[d, OURS] for d in DIALECTS)
    sizes = ", ".join(f"{d} {len(b) / 1e6:.1f} MB" for d, b in bodies.items())
    now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    text = "\n".join(
        [
            "## Chat stream: our decoder vs httpx-sse + json.loads (`bench_stream.py`)",
            "",
            f"A {n:,}-message `/run_sse` body per dialect ({sizes}) from a loopback "
            "Starlette/uvicorn app in 64 KiB writes: ADK (partial text chunks with their own "
            "timestamps, then the final text) and the vendor's typed events (text chunks, with a "
            f"tool call, its result and a heartbeat every 100 messages). {args.reps} alternating "
            f"runs each after a warm-up; {os.cpu_count()} CPUs (load average "
            f"{os.getloadavg()[0]:.1f} at the end: the machine is shared), CPython "
            f"{platform.python_version()}, httpx {httpx.__version__}, httpx-sse "
            f"{httpx_sse.__version__}; {now}.",
            "",
            "| dialect | contender | events/s, best CPU | vs httpx-sse + json.loads | best wall "
            "| events seen |",
            "|---|---|---|---|---|---|",
            *rows,
            "",
            f"- Budget: the decoder at least {BUDGET:,} events/s (100x a fast model): slowest "
            f"dialect **{worst:,.0f}** events/s ({'met' if worst >= BUDGET else 'MISSED'}).",
            "- The decoder frames with httpx-sse's own line and message decoders and parses each "
            "message with one `json.loads`; what it adds is reading the event (text, tools, "
            "heartbeats, errors) into typed events.",
            "- CPU time is the whole process's (all threads, the loopback server's included, the "
            "same for every contender); the best run is the one least disturbed by the other "
            "processes on this shared machine. `Session.stream` counts the events it yields (its "
            "typed events, plus the final `Text` and `End`), not SSE messages.",
            "",
        ]
    )
    out = ROOT / "benchmarks" / "results" / "stream.md"
    out.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    sys.exit(main())
