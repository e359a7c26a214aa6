"""The workflow layer: the `Session` held in kernel state and everything it does.

_session        Session: lifecycle, upload, credits, state, export, chat (sync + async)
_connect        connect(), current(): the registry, the in-process offline backend
_host           Host, the protocol the helpers see a Session through; per-session chat state
_chat           one message: routing, the stream, GUI translation, silent edits, drops
_watchdog       the pure timing rules (still-working notice, time-outs, drop waits), Clock
_routing, _gui  where a message goes; the web-editor talk translated for a notebook
_upload         every upload check before the first byte
_export, _jobs  render jobs: submit, poll, download; their record on disk
_working        the working draft (hand edits over the backend's draft)
_timeline, _timeline_file   the draft as a DataFrame, a summary, a file for a pro editor
_record, _replay            connect(record=...): the file format, the replay of turns
_progress       tqdm bars, made on the caller's thread
_observers, _reply          what observers follow; what one message gave
"""

from __future__ import annotations

from ..api import Credits, Media, State
from ._connect import connect, current, forget
from ._jobs import RenderJob
from ._reply import Reply
from ._session import Session

__all__ = [
    "Credits",
    "Media",
    "RenderJob",
    "Reply",
    "Session",
    "State",
    "connect",
    "current",
    "forget",
]
