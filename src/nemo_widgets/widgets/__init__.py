"""The notebook widgets: thin anywidget views over a `Session` (every rule stays in the session);
`Studio(session)` shows the upload picker, chat, timeline and export panel of one session."""

from __future__ import annotations

from .chat import ChatCell
from .export import ExportPanel
from .studio import Studio
from .timeline import TimelineTable
from .upload import UploadPicker

__all__ = ["ChatCell", "ExportPanel", "Studio", "TimelineTable", "UploadPicker"]
