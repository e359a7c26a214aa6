"""What a ChatCell says after Stop: the client stopped waiting, never re-sent, and a fresh read
of the state tells what the message has changed so far (the backend may still finish it)."""

from __future__ import annotations

from typing import Any

from ..draft import diff_drafts, summarize
from ..errors import NemoError

__all__ = ["after_stop", "record_stopped"]

# (en, zh) — the lang helper's table takes these over (keys in the report).
_TEXT = {
    "stopped": (
        "⏹ Stopped waiting. The message was not sent again; the backend may still finish it.",
        "⏹ 已停止等待。消息没有重新发送，后台可能仍会完成这次请求。",
    ),
    "unchanged": ("Nothing has changed in the project yet.", "项目暂时没有变化。"),
    "unreadable": ("Could not read the project's state: {error}", "无法读取项目状态：{error}"),
}


def _say(session: Any, key: str, **fields: str) -> str:
    zh = str(getattr(session, "language", "en") or "").lower().startswith("zh")
    return _TEXT[key][1 if zh else 0].format(**fields)


async def after_stop(session: Any, before: Any) -> str:
    """The stopped reply's last lines: the stop itself, then the changes the state shows."""
    lines = [_say(session, "stopped")]
    try:
        after = await session.astate()
    except NemoError as exc:
        lines.append(_say(session, "unreadable", error=str(exc)))
        return "\n".join(lines)
    if before is None:  # no earlier state to compare with: say where the project stands
        lines.append(summarize(after.draft))
        return "\n".join(lines)
    changes = list(diff_drafts(before.draft, after.draft))
    lines += [f"✅ {c.sentence}" for c in changes] or [_say(session, "unchanged")]
    return "\n".join(lines)


def record_stopped(session: Any, entry: dict[str, Any]) -> None:
    """Keep the stopped reply in the session's history (the chat turn could not: it was closed)."""
    history = getattr(session, "history", None)
    if history is None:
        return
    history.append({k: entry[k] for k in ("role", "text", "route", "stopped") if k in entry})
    save = getattr(session, "save_history", None)  # test doubles may keep no record
    if save is not None:
        save()
