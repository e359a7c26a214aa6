"""Short displays (a `repr` line, a small HTML block) of what a cell's last line shows: `Reply`,
`State`, `Session`, `Credits`, `Media`; never a whole draft or a reply's streamed events."""

from __future__ import annotations

import html
from typing import Any

from ._text import TEXT, ui_lang, ui_text
from .draft import summarize

_MAX_SUMMARY = 160  # characters of the summary line a State shows


def word(prefix: str, value: str, lang: str | None = None) -> str:
    """The catalog's word for `value` (a status, a type), else `value` as it came."""
    key = f"{prefix}.{value}"
    return ui_text(key, lang) if key in TEXT else value


def _size(n: int) -> str:
    if n < 1_000_000:
        return f"{max(1, round(n / 1000))} KB" if n else "0 KB"
    return f"{n / 1e6:.1f} MB"


def html_block(line: str, body: str = "") -> str:
    """`line` as a muted heading, then `body` (text, kept as typed) — both escaped."""
    head = f'<div class="nemo-repr" style="opacity:.75;font-size:90%">{html.escape(line)}</div>'
    tail = f'<div class="nemo-repr-body" style="white-space:pre-wrap">{html.escape(body)}</div>'
    return head + tail if body else head


def credits_line(c: Any) -> str:
    """`Credits: 99,900 available · 100 reserved · 100,000 total`."""
    return ui_text(
        "repr.credits", available=f"{c.available:,}", frozen=f"{c.frozen:,}", total=f"{c.total:,}"
    )


def media_line(m: Any) -> str:
    """`Media clip.mp4 · video · 1.2 MB · 5.0 s · 1920×1080 · m_1`."""
    duration = f"{m.duration:.1f} s" if m.duration is not None else ""
    frame = f"{m.width}×{m.height}" if m.width and m.height else ""
    parts = (m.name or "?", word("repr.type", m.type or "?"), _size(m.size), duration, frame, m.id)
    return f"{ui_text('repr.media')} " + " · ".join(p for p in parts if p)


def state_line(st: Any) -> str:
    """`State 5529… · 2 media · Timeline (2 tracks): 1. Video: … ` (the summary cut short)."""
    try:
        summary = str(summarize(st.draft, ui_lang(None)))
    except Exception:  # a draft the summary cannot read still gets a display
        summary = ""
    if len(summary) > _MAX_SUMMARY:
        summary = summary[: _MAX_SUMMARY - 1] + "…"
    count = ui_text("repr.media_count", n=len(st.video_infos))
    return " · ".join(p for p in (ui_text("repr.state"), st.session_id, count, summary) if p)


def reply_head(r: Any) -> str:
    """`Reply · chat · 2 changes`: what the reply is, without its text."""
    changes = ui_text("repr.changes", n=len(r.changes)) if r.changes else ""
    return " · ".join(p for p in (ui_text("repr.reply"), word("repr.route", r.route), changes) if p)


def session_line(s: Any) -> str:
    """`<Session local · 5529… · task 88… · credits 99900/100000 · 1 renders (last: completed)>`."""
    parts = [s.backend, s.session_id or "-", f"{ui_text('repr.task')} {s.task_id or '-'}"]
    parts.append(ui_text("repr.language", language=s.language))
    if (c := s.last_credits) is not None:
        parts.append(ui_text("repr.credits_of", available=c.available, total=c.total))
    if s.jobs:
        status = word("export.phase", s.jobs[-1].status)
        parts.append(ui_text("repr.jobs", n=len(s.jobs), status=status))
    if s.closed:
        parts.append(ui_text("common.closed"))
    return f"<{ui_text('repr.session')} {' · '.join(parts)}>"


class MediaList(list[Any]):
    """The media of one upload: a list, shown one file a line."""

    def __repr__(self) -> str:
        return "\n".join(media_line(m) for m in self) or "[]"

    def _repr_html_(self) -> str:
        return "".join(html_block(media_line(m)) for m in self)
