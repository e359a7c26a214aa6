"""The rule-based editing agent: `respond` decides a whole turn at once (see `respond`)."""

from __future__ import annotations

from .respond import COSTS, SILENT_RATE, respond
from .types import ToolCall, Turn

__all__ = ["COSTS", "SILENT_RATE", "ToolCall", "Turn", "respond"]
