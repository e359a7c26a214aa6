"""One chat message, start to finish: route it, stream the reply, and never leave the user in
silence or charged twice.

    route ─┬─ export / credits / status / upload → the session action, no POST to /run_sse
           └─ chat → state before → ONE POST /run_sse → ChatTurn events → GUI translation
                     ├─ text          → the reply (GUI instructions become actions)
                     ├─ no text       → silent edit: diff the drafts, "✅ <change>" or "nothing
                     │                  changed"
                     └─ stream drops  → never re-send: wait, read the state, report the change,
                                        else report the failure and offer a retry (`retry_last`)

Everything here runs on the package's background loop; `stream_chat` bridges the events to the
caller's loop. Events also go to the session's observers as ("chat", event).
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import re
from collections.abc import AsyncIterator
from typing import Any

from .. import _loop
from .._text import ui_text
from ..api._stream import ChatStream
from ..draft import diff_drafts, summarize
from ..errors import NemoError, StreamDropped
from ..events import Changes, ChatTurn, End, Event, Notice, Offer, Routed, Text
from ._gui import OFFERS, OFFERS_ZH, translate
from ._host import Host
from ._replay import record_turn
from ._reply import Reply
from ._routing import Route, route
from ._watchdog import Watchdog, drop_waits

__all__ = ["has_retry", "run_chat", "run_retry", "stream_chat"]

_LOST = "The backend had lost this session: your message went to a new one."
_SEPARATOR = "\n\n"
_CJK = re.compile("[\u4e00-\u9fff]")


@dataclasses.dataclass
class _Outcome:
    """What the turn ends with, filled in while its events are produced."""

    route: str = "chat"
    text: str = ""
    note: str = ""  # something the user must hear whatever the reply (a lost session)
    changes: list[Any] = dataclasses.field(default_factory=list)
    refresh: bool = False  # asked to go live even if the record has this turn
    replayed: bool = False  # the reply came from the record (`_replay`)


async def run_chat(session: Host, text: str, refresh: bool = False) -> Reply:
    """Send one message (or run its routed action) and collect the whole reply."""
    return await _collect(session, text, route(text), refresh)


def stream_chat(session: Host, text: str, refresh: bool = False) -> AsyncIterator[Event]:
    """The reply's events as they arrive, iterable from any event loop."""
    out = _Outcome(refresh=refresh)
    return _loop.aiter_on_loop(lambda: _turn(session, text, out, route(text)))


def has_retry(session: Host) -> bool:
    """Whether a message whose stream dropped (with no change seen) can be sent again."""
    return session.chat_state.retryable is not None


async def run_retry(session: Host) -> Reply:
    """Send the last dropped message once more: only ever on the user's explicit request."""
    text = session.chat_state.retryable  # cleared once the message is sent again
    if text is None:
        raise NemoError("There is no dropped message to send again.")
    return await _collect(session, text, Route("chat"))


async def _collect(session: Host, text: str, where: Route, refresh: bool = False) -> Reply:
    out = _Outcome(refresh=refresh)
    events = [ev async for batch in _turn(session, text, out, where) for ev in batch]
    return Reply(out.text, out.route, tuple(events), tuple(out.changes), out.replayed)


# -- the turn ---------------------------------------------------------------------------------
# Events travel in batches (one per network read) up to the public iterator, which hands them out
# one by one: a layer of async generators per event would cost more than the decoding.
Batch = list[Event]


async def _turn(session: Host, text: str, out: _Outcome, where: Route) -> AsyncIterator[Batch]:
    out.route = where.action
    session.history.append({"role": "user", "text": text, "route": where.action})
    if where.action == "chat":
        source = record_turn(session, text, out, lambda: _chat(session, text, out))
    else:
        source = _routed(session, where, out)
    try:
        async for batch in source:
            for ev in batch:
                session.emit("chat", ev)
            yield batch
    except NemoError as exc:
        session.history.append(
            {"role": "assistant", "text": str(exc), "route": out.route, "error": True}
        )
        session.save_history()
        raise
    if out.note:
        out.text = _join(out.note, out.text)
        session.emit("chat", Text(out.text))
        yield [Text(out.text)]
    session.history.append({"role": "assistant", "text": out.text, "route": out.route})
    session.save_history()
    session.emit("chat", End())
    yield [End()]


async def _routed(session: Host, where: Route, out: _Outcome) -> AsyncIterator[Batch]:
    """A routed action: the session does it; nothing goes to the chat stream."""
    action = where.action
    payload: Any = None
    lang = session.language
    if action == "export":
        yield [Notice(ui_text("notice.exporting", lang))]
        job = payload = await session.aexport()
        out.text = ui_text("notice.exported", lang, where=job.path or job.url or job.id)
    elif action == "credits":
        payload = await session.acredits()
        out.text = _credits_text(payload, lang)
    elif action == "status":
        out.text, payload = await _summary(session)
    elif action == "upload" and where.paths:
        yield [Notice(ui_text("notice.uploading", lang, n=len(where.paths)))]
        paths = [p if "://" in p else os.path.expanduser(p) for p in where.paths]
        payload = await session.aupload(*paths)
        out.text = ui_text("notice.uploaded", lang, names=", ".join(m.name for m in payload))
    else:  # upload without a file
        out.text = OFFERS["upload"]
    yield [Routed(action, out.text, payload), Text(out.text)]


def _credits_text(c: Any, lang: str | None = None) -> str:
    return ui_text("notice.credits", lang, available=c.available, frozen=c.frozen, total=c.total)


async def _summary(session: Host) -> tuple[str, Any]:
    """The one-line track summary of the latest state."""
    state = await session.astate()
    return summarize(state.draft, session.language), state


def _diff(before: Any, after: Any) -> list[Any]:
    return list(diff_drafts(before.draft, after.draft))


async def _chat(session: Host, text: str, out: _Outcome) -> AsyncIterator[Batch]:
    """The message goes to the backend exactly once; every way the stream can end is handled."""
    chat = session.chat_state
    if chat.running is not None:
        lang = session.language
        raise NemoError(
            ui_text("error.still_working", lang), hint=ui_text("hint.wait_no_resend", lang)
        )
    chat.running = text
    try:
        sid = session.session_id
        before = await session.astate()
        if session.session_id != sid:  # the read met 1002 and the session made a new one
            out.note = _LOST
            yield [Notice(_LOST)]
        turn = ChatTurn()  # the one the stream decodes with, once it started
        try:
            async with session.api.open_chat(session.session_id, text) as stream:
                turn = stream.turn
                chat.retryable = None  # sent: a retry offered before is now moot
                async for batch in _watched(stream, session):
                    yield batch
        except StreamDropped:
            chat.retryable = None  # sent (maybe), and then the stream or the wait for it broke
            async for ev in _after_drop(session, text, before, turn, out):
                yield [ev]
            return
        async for ev in _finish(session, before, turn, out):
            yield [ev]
    finally:
        chat.running = None


async def _watched(stream: ChatStream, session: Host) -> AsyncIterator[Batch]:
    """The stream's batches, with the watchdog's notices and time-outs (without `End`, which
    comes last, later).

    The read runs in its own task and is waited for with a time-out, so a notice can be given
    while a read is pending without cancelling it (cancelling would lose bytes).
    """
    now = session.clock.now
    dog = Watchdog(session.options, now())
    batches = aiter(stream)
    pending: asyncio.Future[Batch] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(anext(batches))
            wait = dog.deadline() - now()
            if wait > 0:
                await asyncio.wait((pending,), timeout=wait)
            if not pending.done():
                notice = dog.silent(now())
                if notice is not None:
                    yield [notice]
                continue
            done, pending = pending, None
            try:
                batch = done.result()
            except StopAsyncIteration:
                return
            dog.saw(batch, now())
            shown: Batch = [ev for ev in batch if not isinstance(ev, End)]
            if shown:
                yield shown
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            await asyncio.wait((pending,))  # let the read unwind before the body is closed
        await batches.aclose()


async def _finish(
    session: Host, before: Any, turn: ChatTurn, out: _Outcome
) -> AsyncIterator[Event]:
    """After a complete stream: GUI translation, the actions it implies, or the silent edit."""
    shown = turn.text
    translation = translate(shown) if shown else None
    if translation is not None and translation.text:
        out.text = translation.text
        if turn.errors:  # the backend failed after some text: say so under it
            out.text = _join(out.text, "\n".join(_error_lines(turn.errors)))
        if out.text != shown:
            yield Text(out.text)  # the correction replaces what the deltas showed
    else:
        # A silent edit (no text, or only GUI instructions): the draft says what happened.
        async for ev in _report_changes(session, before, turn.errors, out):
            yield ev
    offers = OFFERS_ZH if _CJK.search(shown) else OFFERS
    for action in translation.actions if translation else ():
        async for ev in _suggested(session, action, out, offers):
            yield ev


async def _report_changes(
    session: Host, before: Any, errors: list[str], out: _Outcome
) -> AsyncIterator[Event]:
    after = await session.astate()
    changes = _diff(before, after)
    out.changes = changes
    lines = _error_lines(errors)
    if changes:
        sentences = tuple(c.sentence for c in changes)
        yield Changes(sentences)
        lines += [f"✅ {s}" for s in sentences]
    elif not errors:
        lines.append("Nothing changed in the project.")
    out.text = "\n".join(lines)
    yield Text(out.text)


async def _suggested(
    session: Host, action: str, out: _Outcome, offers: dict[str, str]
) -> AsyncIterator[Event]:
    """A GUI instruction's action: read-only ones are done at once, others are offered."""
    if action == "status":
        said, payload = await _summary(session)
    elif action == "credits":
        payload = await session.acredits()
        said = _credits_text(payload, session.language)
    else:
        yield Offer(action, offers[action])
        return
    yield Routed(action, said, payload)
    out.text = _join(out.text, said)
    yield Text(out.text)


async def _after_drop(
    session: Host, text: str, before: Any, turn: ChatTurn, out: _Outcome
) -> AsyncIterator[Event]:
    """The stream broke: the message may still be running, so read the state instead."""
    yield Notice("⚠️ The connection dropped. Not sending again (no double charge): checking...")
    partial = translate(turn.text).text if turn.text else ""
    waits = drop_waits(session.options)
    for attempt, wait in enumerate(waits):
        await session.clock.sleep(wait)
        try:
            after = await session.astate()
        except NemoError:
            continue  # the backend is still out of reach: that read found nothing
        changes = _diff(before, after)
        if changes:
            out.changes = changes
            sentences = tuple(c.sentence for c in changes)
            yield Changes(sentences)
            out.text = _join(partial, "\n".join(f"✅ {s}" for s in sentences))
            yield Text(out.text)
            return
        yield Notice(f"⏳ No change yet ({attempt + 1}/{len(waits)})...")
    session.chat_state.retryable = text
    out.text = _join(
        partial,
        "❌ The connection dropped and the project has not changed. Your message was not sent "
        "again; run session.retry_last() to send it once more.",
    )
    yield Text(out.text)
    yield Offer("retry", OFFERS["retry"])


def _error_lines(errors: list[str]) -> list[str]:
    return [f"⚠️ The backend reported an error: {e}" for e in errors]


def _join(a: str, b: str) -> str:
    return a + _SEPARATOR + b if a and b else a or b
