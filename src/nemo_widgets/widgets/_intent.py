"""The timeline's edit intents from the browser (`{"kind": "edit", "op", "ref", ...}`) as
`draft._edits` edits; a refusal is raised as a `DraftError` carrying the reason, shown in place.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..draft import _edits as E
from ..draft._read import is_number, read
from ..errors import DraftError

if TYPE_CHECKING:
    from ..session._working import WorkingDraft

_TIME = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(ms|s)?\s*$")


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
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise DraftError(f"{what}: {str(value)[:20]!r} is not a number") from None
    if not is_number(out):
        raise DraftError(f"{what}: {str(value)[:20]!r} is not a number")
    return out


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


def perform(wd: WorkingDraft, msg: dict[str, Any]) -> dict[str, Any]:
    """Do what the browser asked; the reply says how many edits the working draft holds."""
    op = str(msg.get("op", ""))
    if op == "undo":
        wd.undo()
    elif op == "redo":
        wd.redo()
    elif op == "discard":
        wd.discard()
    elif op == "dismiss":
        wd.dismiss()
    else:
        refused = wd.edit(_edit(wd, op, str(msg.get("ref", "")), msg))
        if refused is not None:
            raise DraftError(refused.reason)
    return {"edits": len(wd.edits)}
