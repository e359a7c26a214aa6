"""Constants and helpers of the reliability suite (fixtures are in conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nemo_widgets as nw
from nemo_widgets.local import LocalServer

# server timings that keep a chat turn well under a second (heartbeats and chunks still happen)
FAST_SERVER = {
    "heartbeat_interval": 0.05,
    "step_delay": 0.05,
    "generation_delay": 0.15,
    "chunk_delay": 0.0,
    "url_timeout": 5.0,
    "initial_credits": 100_000,
}
# client timings: the contract's rules, with seconds instead of minutes
FAST_CLIENT: dict[str, Any] = {
    "poll_interval": 0.05,
    "drop_waits": (0.05, 0.1),
    "drop_max_reads": 5,
    "rate_limit_wait": 0.2,
    "timeout": 10.0,
}
RUN_SSE = ("POST", "/run_sse")
STATE = ("GET", "/api/state/nemo_agent/me/{session_id}/latest")
CREDITS = ("GET", "/api/credits/balance/simple")
UPLOAD = ("POST", "/api/upload-video/nemo_agent/me/{session_id}")
RENDER = ("POST", "/api/render/proxy/lambda")


def open_session(server: LocalServer, **kw: Any) -> nw.Session:
    """A new session on `server` with fast client timings (never re-attached)."""
    return nw.connect(backend="local", api_url=server.url, resume=False, **{**FAST_CLIENT, **kw})


def accepted_messages(server: LocalServer, session_id: str) -> int:
    """Chat messages the server accepted (and ran, and would charge) for a session."""
    record = server.app.state.nemo.store.session(session_id)
    assert record is not None, f"the server does not know {session_id}"
    return int(record["messages"])


def small_draft(media_id: str, ms: int = 1000) -> dict[str, Any]:
    """A one-image draft on a small canvas: renders in well under a second."""
    return {
        "d": ms,
        "m": {"w": 160, "h": 120, "fps": 10, "ratio": "16:9"},
        "t": [
            {
                "id": "trk_v",
                "tt": 0,
                "nm": "Video",
                "sg": [{"id": "seg_1", "k": "image", "src": media_id, "st": 0, "d": ms}],
            }
        ],
    }


def titled(session: nw.Session, png: Path) -> None:
    """Upload one image and make a video with a title: a session with a real draft."""
    session.upload(png)
    reply = session.chat("make a video")
    assert reply.route == "chat" and "Timeline" in reply.text, reply.text
