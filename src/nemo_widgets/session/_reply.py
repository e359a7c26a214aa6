"""`Reply`: what one chat message gave (kept apart so that widgets and the chat flow share it)."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .. import _display

if TYPE_CHECKING:
    from ..events import Event

__all__ = ["Reply"]


@dataclasses.dataclass(frozen=True)
class Reply:
    """The answer to one chat message: the text shown, how it was routed, the raw events, the
    draft changes (for silent edits), and whether it was replayed from the record (no credits)."""

    text: str
    route: str  # "chat" | "export" | "credits" | "status" | "upload"
    events: Sequence[Event] = ()
    changes: Sequence[Any] = ()
    replayed: bool = False

    def __repr__(self) -> str:
        return f"{_display.reply_head(self)}\n{self.text}"

    def _repr_html_(self) -> str:
        return _display.html_block(_display.reply_head(self), self.text)
