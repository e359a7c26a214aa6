"""The draft as data: a typed model, a lossless DataFrame view, summary, diff, checks, OTIO.

    df = draft_to_frame(draft)                 # one row per segment, times in integer ms
    df.loc[df.track_type == "text", "text"] = "城市之梦"
    edited = frame_to_draft(df, base=draft)    # untouched rows come back exactly as they were
    summarize(edited); diff_drafts(draft, edited); validate(edited); to_otio(edited)
    back = from_otio(cut_made_in_an_editor, base=edited)  # trims, moves, deletions

Only `t`, `tt`, `sg`, `d` and `m` are published; every other key is the backend's and is kept.
Values are read wherever a draft keeps them (`_read.py`), a value of a foreign kind is kept, never
refused; only a draft that is not an object, or whose `t` or `sg` is not a list of objects, is a
`DraftError`. pandas is imported lazily (`_LAZY`), so `summarize` and `diff_drafts` stay light.
"""

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
    """Import the pandas-backed names on first use."""
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
