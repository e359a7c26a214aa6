"""The workflow layer: the `Session` held in kernel state and all it does (docs/architecture.md)."""

from __future__ import annotations

from ..api import Credits, Media, State
from ._chat import Reply
from ._connect import connect, current
from ._export import QUALITIES
from ._jobs import RenderJob
from ._session import Session
from ._working import WorkingDraft

__all__ = [
    "QUALITIES",
    "Credits",
    "Media",
    "RenderJob",
    "Reply",
    "Session",
    "State",
    "WorkingDraft",
    "connect",
    "current",
]
