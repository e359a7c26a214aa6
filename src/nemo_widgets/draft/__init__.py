"""The draft as data: a typed model, a lossless DataFrame view, summary, diff, checks, OTIO.
Only `t`, `tt`, `sg`, `d`, `m` are published; other keys are the backend's and are kept."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ._diff import Change, diff_drafts
from ._model import Draft, Segment, Track
from ._otio import OtioWarning, to_otio
from ._otio_read import from_otio
from ._summary import summarize
from ._validate import problems, validate

if TYPE_CHECKING:
    from ._frame import COLUMNS, draft_to_frame
    from ._records import TimelineView, timeline_view
    from ._unframe import frame_to_draft

__all__ = [
    "COLUMNS",
    "Change",
    "Draft",
    "OtioWarning",
    "Segment",
    "TimelineView",
    "Track",
    "diff_drafts",
    "draft_to_frame",
    "frame_to_draft",
    "from_otio",
    "problems",
    "summarize",
    "timeline_view",
    "to_otio",
    "validate",
]

_LAZY = {
    "COLUMNS": "_frame",
    "TimelineView": "_records",
    "draft_to_frame": "_frame",
    "frame_to_draft": "_unframe",
    "timeline_view": "_records",
}


def __getattr__(name: str) -> Any:
    """Import the pandas-backed names on first use (`summarize`, `diff_drafts` stay light)."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
