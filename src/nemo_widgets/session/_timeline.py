"""The Session's timeline views: the working draft (backend draft + hand edits) as a DataFrame,
its summary, and a timeline file for a pro editor. A part of `Session`, kept in its own module."""

from __future__ import annotations

import threading
from os import PathLike
from typing import TYPE_CHECKING, Any, cast

from .. import _loop
from .. import draft as _draft  # its pandas half loads on first use
from ..draft import summarize
from . import _timeline_file
from ._progress import ProgressArg, caller_progress
from ._working import WorkingDraft

if TYPE_CHECKING:
    from pathlib import Path

    import pandas as pd

    from ..api import State
    from ._session import Session

__all__ = ["TimelineViews"]


class TimelineViews:
    """`timeline()`, `edits`, `set_timeline()`, `discard_edits()`, `describe_edits()`,
    `summary()`, `export_timeline()` of a Session."""

    _edits: WorkingDraft | None = None
    _edits_lock = threading.Lock()  # one working draft per session, even when asked at once

    if TYPE_CHECKING:
        language: str

        def _known_state(self) -> State: ...

    def _as_session(self) -> Session:
        return cast("Session", self)

    def timeline(self) -> pd.DataFrame:
        """The working draft (the backend's with your hand edits) as a DataFrame."""
        self._known_state()
        return _draft.draft_to_frame(self.edits.current())

    # -- hand edits over the backend draft (`_working` does the work) --------------------------
    @property
    def edits(self) -> WorkingDraft:
        """The working draft: `.edits`, `.undo()`, `.redo()`, `.not_applied` after a rebase."""
        with self._edits_lock:
            if self._edits is None:
                self._edits = WorkingDraft(self._as_session())
            return self._edits

    def set_timeline(self, timeline: pd.DataFrame | dict[str, Any]) -> None:
        """Make a DataFrame edited in code (or a draft dict) the working draft, as hand edits."""
        self._known_state()
        self.edits.set(timeline)

    def discard_edits(self) -> None:
        """Drop every hand edit: the timeline is the backend's draft again."""
        self.edits.discard()

    def describe_edits(self) -> str:
        """Your hand edits as sentences to tell the chat ("I changed the text of subtitle 2 …")."""
        return self.edits.describe()

    def summary(self) -> str:
        """The one-line track summary (`nemo_widgets.draft.summarize`)."""
        return summarize(self._known_state().draft, self.language)

    # -- a timeline file for a pro editor (`_timeline_file` does the work) --------------------
    def export_timeline(
        self,
        path: str | PathLike[str],
        media_dir: str | PathLike[str] | None = None,
        *,
        draft: Any = None,
        download: bool = True,
        progress: ProgressArg = None,
    ) -> Path:
        """Write the timeline (default: the session's draft) as `.otio`, `.otioz`, FCP `.xml`,
        `.fcpxml` or `.edl`, its media downloaded beside it; `draft.from_otio` brings it back."""
        with caller_progress(progress, "media") as feed:
            job = _timeline_file.export_timeline(
                self._as_session(), path, media_dir, draft=draft, download=download, progress=feed
            )
            return _timeline_file.reissue(_loop.run(job))

    async def aexport_timeline(self, path: str | PathLike[str], **options: Any) -> Path:
        """Async twin of `export_timeline` (the same options)."""
        with caller_progress(options.pop("progress", None), "media") as feed:
            job = _timeline_file.export_timeline(self._as_session(), path, progress=feed, **options)
            return _timeline_file.reissue(await _loop.arun(job))
