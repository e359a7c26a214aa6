"""`TimelineTable`: the working draft as rows and lanes of one `draft.timeline_view` (a bar and
its row share an index); the view's edit intents become `draft._edits` edits."""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any

import traitlets

from .. import _loop
from .. import draft as drafts  # its pandas-backed names load on first use
from ..draft import _edits as E
from ..draft._read import is_number, read
from ..errors import DraftError
from ..session import WorkingDraft
from ._base import STATIC, NemoWidget, list_trait

if TYPE_CHECKING:
    import pandas as pd

    from ..draft import TimelineView
    from ..session import Session

__all__ = ["TimelineTable"]

MAX_ROWS = 2000  # rows sent to the browser; `.df` always has them all
_TIME = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(ms|s)?\s*$")
_MOVES = ("undo", "redo", "discard", "dismiss")  # the working draft's own history moves


def ms(value: Any, what: str) -> int:
    """A time typed in a cell (ms; "3.5s" for seconds) as integer ms."""
    if is_number(value):
        return round(value)
    found = _TIME.match(str(value)) if isinstance(value, str) else None
    if found is None:
        raise DraftError(f"{what}: {str(value)[:20]!r} is not a time (ms, or seconds as 3.5s)")
    number = float(found.group(1))
    return round(number * 1000 if found.group(2) == "s" else number)


def _number(value: Any, what: str) -> float:
    with contextlib.suppress(TypeError, ValueError):
        if is_number(out := float(value)):
            return out
    raise DraftError(f"{what}: {str(value)[:20]!r} is not a number")


def _edit(wd: WorkingDraft, op: str, ref: str, msg: dict[str, Any]) -> E.Edit:
    if op == "text":
        return E.SetText(ref, str(msg.get("value", "")))
    if op == "volume":
        return E.SetVolume(ref, _number(msg.get("value"), "volume"))
    if op in ("start", "move"):
        return E.Move(ref, ms(msg.get("value", msg.get("start")), "start"))
    if op in ("duration", "end"):
        if (where := E.locate(wd.draft, ref)) is None:
            raise DraftError("that segment is no longer in the draft")
        start = round(read(wd.draft["t"][where[0]]["sg"][where[1]], "start") or 0)
        value = ms(msg.get("value"), op)
        return E.Resize(ref, start, value if op == "duration" else value - start)
    if op == "trim":
        return E.Resize(ref, ms(msg.get("start"), "start"), ms(msg.get("duration"), "duration"))
    if op == "reorder":
        return E.Reorder(ref, int(_number(msg.get("index"), "position")))
    if op == "delete":
        return E.Delete(ref)
    raise DraftError(f"unknown edit {op!r}")


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
    _view: TimelineView  # drawn in __init__, redrawn on every change of the working draft

    def __init__(self, session: Session | None = None, *, max_rows: int = MAX_ROWS) -> None:
        super().__init__(session)
        self.max_rows = max_rows
        self._follow("edits", self._on_edits)
        self._on_edits(self.edits)
        self._handlers["edit"] = self._on_edit

    @property
    def edits(self) -> WorkingDraft:
        """The session's working draft this table shows and edits."""
        return self._session.edits

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

    def _on_edit(self, msg: dict[str, Any], _b: list[bytes]) -> dict[str, Any]:
        wd, op = self.edits, str(msg.get("op", ""))
        if op in _MOVES:
            getattr(wd, op)()
        elif (refused := wd.edit(_edit(wd, op, str(msg.get("ref", "")), msg))) is not None:
            raise DraftError(refused.reason)
        return {"edits": len(wd.edits)}

    @property
    def df(self) -> pd.DataFrame:
        """The timeline as a DataFrame (a copy: edit it, then `session.set_timeline(df)`)."""
        return self._view.df.copy()

    def refresh(self) -> Any:
        """Read the state again (on the background loop); the table follows. Returns a future."""
        return _loop.submit(self._session.astate())

    def _fallback(self) -> tuple[str, str]:
        title = self.summary or self._t("timeline.empty")
        return self._view.table(title)
