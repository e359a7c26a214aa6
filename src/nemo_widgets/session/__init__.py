"""The workflow layer: the `Session` held in kernel state and all it does (docs/architecture.md)."""

from __future__ import annotations

from ..api import Credits, Media, State
from ._chat import Reply
from ._connect import connect, current
from ._jobs import RenderJob
from ._session import Session

__all__ = ["Credits", "Media", "RenderJob", "Reply", "Session", "State", "connect", "current"]
