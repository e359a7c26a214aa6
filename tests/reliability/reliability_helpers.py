"""Constants and helpers of the reliability suite (its fixtures: conftest.py, here and at the
root)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nemo_widgets as nw
from nemo_widgets.local import LocalServer

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


def titled(session: nw.Session, png: Path) -> None:
    """Upload one image and make a video with a title: a session with a real draft."""
    session.upload(png)
    reply = session.chat("make a video")
    assert reply.route == "chat" and "Timeline" in reply.text, reply.text
