"""`TimelineTable`: the session's working draft as a table plus track lanes.

Rows and lanes come from one `draft.timeline_view`, so a bar and its row share one index
(`selected`). The browser sends edit intents (`_intent.py`); a refusal comes back with its reason.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import traitlets

from .. import draft as drafts  # its pandas-backed names load on first use
from ..session._working import WorkingDraft
from ._base import STATIC, NemoWidget, list_trait
from ._intent import perform

if TYPE_CHECKING:
    import pandas as pd

    from ..draft import TimelineView
    from ..session import Session

__all__ = ["TimelineTable"]

MAX_ROWS = 2000  # rows sent to the browser; `.df` always has them all


class TimelineTable(NemoWidget):
    """The session's timeline: summary, track lanes and the DataFrame's rows."""

    _esm = STATIC / "timeline.js"
    _areas = ("timeline",)
    rows = list_trait()
    columns = traitlets.List(traitlets.Unicode()).tag(sync=True)
    tracks = list_trait()
    duration = traitlets.Int(0).tag(sync=True)
    summary = traitlets.Unicode("").tag(sync=True)
    total_rows = traitlets.Int(0).tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    refs = traitlets.List(traitlets.Unicode()).tag(sync=True)  # the segment of each row
    edit_count = traitlets.Int(0).tag(sync=True)
    can_redo = traitlets.Bool(False).tag(sync=True)
    notice = traitlets.Unicode("").tag(sync=True)  # edits a new backend draft could not keep

    def __init__(self, session: Session | None = None, *, max_rows: int = MAX_ROWS) -> None:
        super().__init__(session)
        self.max_rows = max_rows
        self._view: TimelineView | None = None
        self._working = self._session.edits
        self._stop_edits = self._working.listen(self._on_edits)
        self._on_edits(self._working)
        self._handlers["edit"] = lambda msg, _b: perform(self._working, msg)

    @property
    def edits(self) -> WorkingDraft:
        """The session's working draft this table shows and edits."""
        return self._working

    def _on_edits(self, wd: WorkingDraft) -> None:
        self._view = view = drafts.timeline_view(wd.draft, self.max_rows, self.lang)
        with self.hold_sync():
            self.refs = view.refs
            self.columns = [str(c) for c in view.df.columns]
            self.rows = view.rows
            self.total_rows = len(view.df)
            self.tracks = view.lanes
            self.duration = view.duration
            self.summary = view.summary
            if self.selected >= len(view.rows):
                self.selected = -1
            self.edit_count = len(wd.edits)
            self.can_redo = wd.can_redo
            missed = "; ".join(str(m) for m in wd.not_applied)
            n = len(wd.not_applied)
            self.notice = self._t("timeline.not_applied", n=n, edits=missed) if n else ""

    @property
    def df(self) -> pd.DataFrame:
        """The timeline as a DataFrame (a copy: edit it, then `session.set_timeline(df)`)."""
        assert self._view is not None
        return self._view.df.copy()

    def refresh(self) -> Any:
        """Read the state again (on the background loop); the table follows. Returns a future."""
        return self._run(self._session.astate())

    def close(self) -> None:
        """Stop following the working draft and close."""
        self._stop_edits()
        super().close()

    def _fallback(self) -> tuple[str, str]:
        title = self.summary or self._t("timeline.empty")
        assert self._view is not None  # drawn in __init__
        return self._view.table(title)
