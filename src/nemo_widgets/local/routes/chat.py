"""`POST /run_sse`: the chat stream. The agent decides the turn at once (a pure function); a
background task then plays it out — tool calls, draft changes, generated music, text — at the
server's pace, while the response streams its events with heartbeats in between. The work
finishes even when the client goes away or a fault drops the stream, as on the real backend,
so a client can read the state afterwards. Credits are frozen while it runs, then charged.
"""

from __future__ import annotations

import asyncio
import copy
import dataclasses
import hashlib
import uuid
from collections.abc import AsyncIterator
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from .. import agent, media
from .._common import ApiError, Backend, ServerOptions, json_body
from ..store import Turn as Held
from . import sse as _sse

_FIELDS = {
    "app_name",
    "user_id",
    "session_id",
    "new_message",
    "streaming",
    "state_delta",
    "invocation_id",
}
_DONE = object()


def _seed(session_id: str, n: int, text: str) -> int:
    h = hashlib.sha256(f"{session_id}\n{n}\n{text}".encode()).digest()
    return int.from_bytes(h[:4], "big")


def _text_of(body: dict[str, Any]) -> str:
    msg = body.get("new_message")
    parts = msg.get("parts") if isinstance(msg, dict) else None
    if not isinstance(parts, list) or not parts:
        raise ApiError(422, 4000, "new_message.parts must be a non-empty list")
    texts = [p.get("text") for p in parts if isinstance(p, dict)]
    if not all(isinstance(t, str) for t in texts) or not texts:
        raise ApiError(422, 4000, "new_message.parts[] must carry text")
    text = "\n".join(t for t in texts if isinstance(t, str)).strip()
    if not text:
        raise ApiError(422, 4000, "the message is empty")
    return text


async def run_sse(request: Request) -> Response:
    """Answer one chat message as an event stream in the server's dialect."""
    nemo: Backend = request.app.state.nemo
    body = await json_body(request, _FIELDS, {"app_name", "user_id", "session_id", "new_message"})
    if body["app_name"] != "nemo_agent":
        raise ApiError(404, 1002, f"app not found: {body['app_name']}")
    rec = nemo.auth(request)
    s = nemo.session_of(rec, str(body["session_id"]))
    text = _text_of(body)
    sid = s["session_id"]
    if sid in nemo.busy:
        raise ApiError(409, 4009, "a message is still running in this session")
    silent_rate = 0.0 if nemo.faults.never_silent else nemo.options.silent_rate
    seed = _seed(sid, s["messages"], text)
    turn = agent.respond(s["draft"], s["video_infos"], text, seed, silent_rate=silent_rate)
    if turn.kind == "edit" and nemo.faults.take_silent():
        turn = dataclasses.replace(turn, reply="")
    cost = agent.COSTS[turn.kind]
    if rec["balance"] - rec["frozen"] < cost:
        raise ApiError(
            403,
            2001,
            f"not enough credits: this needs {cost}",
            {
                "needed": cost,
                "available": rec["balance"] - rec["frozen"],
                "bind_id": rec["user_id"],
            },
        )
    held = nemo.store.begin_turn(rec["token"], s, cost)  # reserved and counted, one write
    nemo.busy.add(sid)
    queue: asyncio.Queue[Any] = asyncio.Queue()
    # The vendor's backend streams text chunks whether asked or not (no source sends `streaming`).
    streaming = bool(body.get("streaming")) or nemo.options.dialect == "vendor"
    task = asyncio.create_task(_play(nemo, s, held, turn, cost, streaming, queue))
    nemo.tasks.add(task)
    task.add_done_callback(nemo.tasks.discard)
    return _sse.SSEResponse(_stream(nemo, queue))  # type: ignore[return-value]


async def _stream(nemo: Backend, queue: asyncio.Queue[Any]) -> AsyncIterator[bytes]:
    drop_after = nemo.faults.take_drop()
    dialect = nemo.options.dialect
    error_after = nemo.faults.error_stream_after
    sent = beats = 0
    loop = asyncio.get_running_loop()
    quiet_since = loop.time()
    while True:
        wait = max(0.0, quiet_since + nemo.options.heartbeat_interval - loop.time())
        try:  # short waits, so that a server shutting down ends the stream at once
            item = await asyncio.wait_for(queue.get(), min(max(wait, 0.01), 0.1))
        except asyncio.TimeoutError:
            if nemo.closing.is_set():
                yield _sse.encode(
                    {"error": "the server is shutting down", "errorCode": "UNAVAILABLE"}, dialect
                )
                return
            if loop.time() - quiet_since >= nemo.options.heartbeat_interval:
                yield _sse.heartbeat(beats, dialect)
                beats += 1
                quiet_since = loop.time()
            continue
        quiet_since = loop.time()
        if item is _DONE:
            return
        if drop_after is not None and sent >= drop_after:
            raise _sse.Drop()
        if error_after is not None and sent >= error_after and "error" not in item:
            yield _sse.encode(
                {
                    "error": nemo.faults.error_stream_message,
                    "errorCode": "INJECTED",
                    "invocationId": item.get("invocationId"),
                },
                dialect,
            )
            return
        yield _sse.encode(item, dialect)
        sent += 1
        if "error" in item:
            return


async def _play(
    nemo: Backend,
    s: dict[str, Any],
    held: Held,
    turn: agent.Turn,
    cost: int,
    streaming: bool,
    queue: asyncio.Queue[Any],
) -> None:
    opts, store = nemo.options, nemo.store
    inv = f"e-{uuid.uuid4()}"
    put = queue.put_nowait
    charged = False
    try:
        for g in turn.generated:
            await generate_music(nemo, s, g)
        stage = 1
        for i, call in enumerate(turn.calls):
            if call.stage == 2 and stage == 1:
                stage = 2
                if turn.interim:  # the first stage's own model turn
                    await _say(turn.interim, inv, streaming, opts, put)
            call_id = f"adk-{uuid.uuid4()}"
            put(
                _sse.event(
                    inv, [{"functionCall": {"id": call_id, "name": call.name, "args": call.args}}]
                )
            )
            first_gen = turn.kind == "generate" and i == 0
            await asyncio.sleep(opts.generation_delay if first_gen else opts.step_delay)
            s["draft"] = copy.deepcopy(call.draft)
            m = call.draft.get("m") or {}
            if m:
                s["canvas_config"] = {
                    "width": m.get("w", 1080),
                    "height": m.get("h", 1920),
                    "ratio": m.get("ratio", "9:16"),
                    "fps": m.get("fps", 30),
                }
            put(
                _sse.event(
                    inv,
                    [
                        {
                            "functionResponse": {
                                "id": call_id,
                                "name": call.name,
                                "response": call.response,
                            }
                        }
                    ],
                    role="user",
                )
            )
        if not turn.calls:
            await asyncio.sleep(opts.step_delay / 2)
        if turn.draft and turn.kind != "chat":
            s["draft"] = copy.deepcopy(turn.draft)
        await store.finish_turn(held, s)  # the draft and the charge: one write, on disk
        charged = True
        if turn.reply:
            await _say(turn.reply, inv, streaming, opts, put)
    except asyncio.CancelledError:
        raise
    except Exception as e:  # the stream reports it; the server keeps serving
        put({"error": f"{type(e).__name__}: {e}", "errorCode": "INTERNAL", "invocationId": inv})
    finally:
        if not charged:
            store.abort_turn(held, s)  # released, and the session back as before the turn
        nemo.busy.discard(s["session_id"])
        put(_DONE)


async def _say(text: str, inv: str, streaming: bool, opts: ServerOptions, put: Any) -> None:
    """One model turn's text: deltas then the whole text (streaming), else one event."""
    size, delay = max(1, opts.chunk_chars), opts.chunk_delay
    event_id = str(uuid.uuid4())
    if streaming:
        for i in range(0, len(text), size):
            put(_sse.event(inv, [{"text": text[i : i + size]}], partial=True, event_id=event_id))
            if delay:
                await asyncio.sleep(delay)
        put(_sse.event(inv, [{"text": text}], partial=False, event_id=event_id, finish=True))
    else:
        put(_sse.event(inv, [{"text": text}], finish=True))


async def generate_music(nemo: Backend, s: dict[str, Any], g: dict[str, Any]) -> None:
    """Make a generated music file and list it in `generated_media` (once per id)."""
    if any(m["id"] == g["id"] for m in s["generated_media"]):
        return
    path = nemo.store.media_dir(s["session_id"]) / f"{g['id']}.wav"
    dur = max(1000, int(g.get("duration_ms") or 10000))
    await anyio.to_thread.run_sync(media.generate_bgm, path, dur)
    rel = str(path.relative_to(nemo.store.root))
    s.setdefault("media_files", {})[g["id"]] = rel
    s["generated_media"].append(
        {
            "id": g["id"],
            "name": g["name"],
            "type": "audio",
            "mime": "audio/wav",
            "duration_ms": dur,
            "size": path.stat().st_size,
            "url": f"/api/media/{s['session_id']}/{g['id']}?key={s.setdefault('media_key', '')}",
        }
    )
