"""What a timeline view shows: the frame's first rows with their refs, a lane per track with a
bar per segment (a bar and its row share one index), the summary, the table as text and HTML."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ._edits import refs
from ._frame import draft_to_frame
from ._model import Draft, Segment
from ._summary import summarize, track_name


@dataclass(frozen=True)
class TimelineView:
    """The frame, the rows sent to the browser with their refs, the lanes, length (ms), summary."""

    df: pd.DataFrame
    rows: list[dict[str, Any]]
    refs: list[str]
    lanes: list[dict[str, Any]]
    duration: int
    summary: str

    def table(self, title: str, limit: int = 50) -> tuple[str, str]:
        """`title` and the first `limit` rows, as plain text and as HTML."""
        df = self.df
        if df.empty:
            return title, f"<p>{html.escape(title)}</p>"
        shown = df.head(limit)
        more = f"<p><em>{len(df) - limit} more rows</em></p>" if len(df) > limit else ""
        return (
            f"{title}\n{shown.to_string(max_colwidth=40)}",
            f"<p><strong>{html.escape(title)}</strong></p>{shown.to_html(max_rows=limit)}{more}",
        )


def records(df: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-safe rows: pandas' own JSON writer turns NA into null and Timedelta into ms."""
    try:
        text = df.to_json(orient="records", force_ascii=False, default_handler=str)
    except (OverflowError, TypeError, ValueError):  # a value pandas cannot write (a huge int)
        cells = df.astype(object).where(df.notna(), None).to_dict("records")
        text = json.dumps(cells, ensure_ascii=False, default=str)
    return list(json.loads(text))  # orient="records" always writes a list


def _ms(value: float | None) -> int:
    return round(value or 0)


def _bar(row: int, seg: Segment) -> dict[str, Any]:
    start, kind = _ms(seg.start), seg.kind or ""
    stop = start + _ms(seg.duration)
    return {"row": row, "start": start, "end": stop, "label": str(seg.label or kind), "kind": kind}


def timeline_view(draft: Any, max_rows: int, language: str = "en") -> TimelineView:
    """Everything the widget shows for `draft`, with at most `max_rows` rows and bars; track
    names and the summary in `language`."""
    model = Draft.of(draft)
    df = draft_to_frame(model)
    lanes: list[dict[str, Any]] = []
    row, end = 0, _ms(model.duration)
    for t, track in enumerate(model.items):
        bars = [_bar(row + i, s) for i, s in enumerate(track.items[: max(0, max_rows - row)])]
        end = max([end, *(b["end"] for b in bars)])
        row += len(track.items)
        if bars:
            name = track_name(track, t, language)
            lanes.append({"index": t, "name": name, "type": track.type_label, "segments": bars})
    return TimelineView(
        df=df,
        rows=records(df.head(max_rows)),
        refs=refs(draft)[:max_rows],
        lanes=lanes,
        duration=end,
        summary=summarize(model, language) if model.items else "",
    )
