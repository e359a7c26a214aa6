"""The agent's result types (see `agent`)."""

from __future__ import annotations

import dataclasses
from typing import Any

CANVAS = {"9:16": (1080, 1920), "16:9": (1920, 1080), "1:1": (1080, 1080)}
IMAGE_MS = 3000  # an image's share of a slideshow when no length is asked


@dataclasses.dataclass(frozen=True)
class ToolCall:
    """One tool use: the call, its result, and the draft right after it (stage 2 = automatic)."""

    name: str
    args: dict[str, Any]
    response: dict[str, Any]
    draft: dict[str, Any]
    stage: int = 1


@dataclasses.dataclass(frozen=True)
class Turn:
    """The agent's answer to one message."""

    draft: dict[str, Any]
    reply: str
    calls: tuple[ToolCall, ...] = ()
    kind: str = "chat"  # "generate" | "edit" | "chat": decides the cost
    generated: tuple[dict[str, Any], ...] = ()  # media the server must make: {"id","name",...}
    interim: str = ""  # said between the two stages of a generation

    @property
    def silent(self) -> bool:
        """An edit that ends with no text."""
        return self.kind == "edit" and not self.reply
