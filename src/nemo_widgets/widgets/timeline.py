"""`TimelineTable`: the draft as a table plus track lanes, redrawn on the session's state events.

The rows travel as JSON records (times in integer ms, as in the frame; never media bytes); the
lanes are derived from the same frame so that a bar and its row share one index (`selected`).
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

import traitlets

from ._base import STATIC, NemoWidget, list_trait

if TYPE_CHECKING:
    import pandas as pd

    from ..session import Session, State

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

    def __init__(self, session: Session | None = None, *, max_rows: int = MAX_ROWS) -> None:
        super().__init__(session)
        self.max_rows = max_rows
        self._df: pd.DataFrame | None = None
        state = getattr(self._session, "last_state", None)
        if state is not None:
            self._show(state)
        else:
            self._show_draft({})
        self._observe_session(self._on_session)

    @property
    def df(self) -> pd.DataFrame:
        """The timeline as a DataFrame (a copy: edit it, then `session.export(draft=df)`)."""
        assert self._df is not None
        return self._df.copy()

    def refresh(self) -> Any:
        """Read the state again (on the background loop); the table follows. Returns a future."""
        return self._run(self._session.astate(), lambda _f: None)

    def _on_session(self, kind: str, payload: Any) -> None:
        if kind == "state":
            self._show(payload)

    def _show(self, state: State) -> None:
        self._show_draft(state.draft or {})

    def _show_draft(self, draft: dict[str, Any]) -> None:
        from ..draft import draft_to_frame

        df = draft_to_frame(draft)
        records = _records(df.head(self.max_rows))
        names = {
            i: t.get("nm") or self._t("timeline.track", n=i + 1)
            for i, t in enumerate(draft.get("t") or [])
            if isinstance(t, dict)
        }
        lanes: dict[int, dict[str, Any]] = {}
        for row, rec in enumerate(records):
            track = int(rec.get("track") or 0)
            lane = lanes.setdefault(
                track,
                {
                    "index": track,
                    "name": names.get(track) or self._t("timeline.track", n=track + 1),
                    "type": str(rec.get("track_type") or "other"),
                    "segments": [],
                },
            )
            start, end = rec.get("start") or 0, rec.get("end")
            lane["segments"].append(
                {
                    "row": row,
                    "start": start,
                    "end": end if end is not None else start,
                    "label": str(rec.get("label") or rec.get("kind") or ""),
                    "kind": str(rec.get("kind") or ""),
                }
            )
        ends = [int(s["end"]) for lane in lanes.values() for s in lane["segments"]]
        self._df = df
        with self.hold_sync():
            self.columns = [str(c) for c in df.columns]
            self.rows = records
            self.total_rows = len(df)
            self.tracks = [lanes[k] for k in sorted(lanes)]
            self.duration = int(max([int(draft.get("d") or 0), *ends]))
            self.summary = self._summary(draft)
            if self.selected >= len(records):
                self.selected = -1

    def _summary(self, draft: dict[str, Any]) -> str:
        if not draft.get("t"):
            return ""
        from ..draft import summarize

        return str(summarize(draft))

    def _fallback(self) -> tuple[str, str]:
        df = self._df
        title = self.summary or self._t("timeline.empty")
        if df is None or df.empty:
            return title, f"<p>{html.escape(title)}</p>"
        shown = df.head(50)
        more = f"<p><em>{len(df) - 50} more rows</em></p>" if len(df) > 50 else ""
        return (
            f"{title}\n{shown.to_string(max_colwidth=40)}",
            f"<p><strong>{html.escape(title)}</strong></p>{shown.to_html(max_rows=50)}{more}",
        )


def _records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: pandas' own JSON writer turns NA into null and Timedelta into ms."""
    out = json.loads(df.to_json(orient="records", force_ascii=False, default_handler=str))
    return out if isinstance(out, list) else []
