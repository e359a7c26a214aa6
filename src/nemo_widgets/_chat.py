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
import weakref
from collections.abc import AsyncIterator
from typing import Any

import httpx

from . import _loop
from ._gui import OFFERS as _OFFERS
from ._gui import OFFERS_ZH as _OFFERS_ZH
from ._gui import translate
from ._replay import record_turn
from ._reply import Reply
from ._routing import Route, route
from ._text import ui_text
from .errors import BackendUnavailable, NemoError, StreamTimeout
from .events import Changes, ChatTurn, End, Event, Notice, Offer, Routed, Text

__all__ = ["STILL_WORKING", "has_retry", "run_chat", "run_retry", "stream_chat"]

STILL_WORKING = "⏳ Still working..."
_LOST = "The backend had lost this session: your message went to a new one."
_SEPARATOR = "\n\n"
_CJK = re.compile("[\u4e00-\u9fff]")

# Per-session bookkeeping kept here, so that the session object needs no chat internals.
_running: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()
_retryable: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


@dataclasses.dataclass
class _Outcome:
    """What the turn ends with, filled in while its events are produced."""

    route: str = "chat"
    text: str = ""
    note: str = ""  # something the user must hear whatever the reply (a lost session)
    changes: list[Any] = dataclasses.field(default_factory=list)
    refresh: bool = False  # asked to go live even if the record has this turn
    replayed: bool = False  # the reply came from the record (`_replay`)


async def run_chat(session: Any, text: str, refresh: bool = False) -> Reply:
    """Send one message (or run its routed action) and collect the whole reply."""
    return await _collect(session, text, route(text), refresh)


def stream_chat(session: Any, text: str, refresh: bool = False) -> AsyncIterator[Event]:
    """The reply's events as they arrive, iterable from any event loop."""
    out = _Outcome(refresh=refresh)
    return _loop.aiter_on_loop(lambda: _turn(session, text, out, route(text)))


def has_retry(session: Any) -> bool:
    """Whether a message whose stream dropped (with no change seen) can be sent again."""
    return session in _retryable


async def run_retry(session: Any) -> Reply:
    """Send the last dropped message once more: only ever on the user's explicit request."""
    text = _retryable.get(session)  # dropped from the record once the message is sent again
    if text is None:
        raise NemoError("There is no dropped message to send again.")
    return await _collect(session, text, Route("chat"))


async def _collect(session: Any, text: str, where: Route, refresh: bool = False) -> Reply:
    out = _Outcome(refresh=refresh)
    events = [ev async for batch in _turn(session, text, out, where) for ev in batch]
    return Reply(out.text, out.route, tuple(events), tuple(out.changes), out.replayed)


# -- the turn ---------------------------------------------------------------------------------
# Events travel in batches (one per network read) up to the public iterator, which hands them out
# one by one: a layer of async generators per event would cost more than the decoding.
Batch = list[Event]


async def _turn(session: Any, text: str, out: _Outcome, where: Route) -> AsyncIterator[Batch]:
    out.route = where.action
    session.history.append({"role": "user", "text": text, "route": where.action})
    if where.action == "chat":
        source = record_turn(session, text, out, lambda: _chat(session, text, out))
    else:
        source = _batched(_routed(session, where, out))
    emit = session._emit
    # Skipping the per-event call when nobody listens is worth it on long replies.
    observers = getattr(session, "_observers", True)
    try:
        async for batch in source:
            if observers:
                for ev in batch:
                    emit("chat", ev)
            yield batch
    except NemoError as exc:
        session.history.append(
            {"role": "assistant", "text": str(exc), "route": out.route, "error": True}
        )
        _keep_history(session)
        raise
    if out.note:
        out.text = _join(out.note, out.text)
        note: Batch = [Text(out.text)]
        if observers:
            emit("chat", note[0])
        yield note
    session.history.append({"role": "assistant", "text": out.text, "route": out.route})
    _keep_history(session)
    end = End()
    emit("chat", end)
    yield [end]


def _keep_history(session: Any) -> None:
    record = getattr(session, "_record_history", None)  # test doubles may have no record
    if record is not None:
        record()


async def _batched(source: AsyncIterator[Event]) -> AsyncIterator[Batch]:
    async for ev in source:
        yield [ev]


async def _routed(session: Any, where: Route, out: _Outcome) -> AsyncIterator[Event]:
    """A routed action: the session does it; nothing goes to the chat stream."""
    action = where.action
    payload: Any = None
    lang = getattr(session, "language", None)
    if action == "export":
        yield Notice(ui_text("notice.exporting", lang))
        job = payload = await session.aexport()
        out.text = ui_text("notice.exported", lang, where=job.path or job.url or job.id)
    elif action == "credits":
        payload = await session.acredits()
        out.text = _credits_text(payload, lang)
    elif action == "status":
        out.text, payload = await _summary(session)
    elif action == "upload" and where.paths:
        yield Notice(ui_text("notice.uploading", lang, n=len(where.paths)))
        paths = [p if "://" in p else os.path.expanduser(p) for p in where.paths]
        payload = await session.aupload(*paths)
        out.text = ui_text("notice.uploaded", lang, names=", ".join(m.name for m in payload))
    else:  # upload without a file
        out.text = _OFFERS["upload"]
    yield Routed(action, out.text, payload)
    yield Text(out.text)


def _credits_text(c: Any, lang: str | None = None) -> str:
    return ui_text("notice.credits", lang, available=c.available, frozen=c.frozen, total=c.total)


async def _summary(session: Any) -> tuple[str, Any]:
    """The one-line track summary of the latest state."""
    from .draft import summarize  # the draft layer loads pandas: only when needed

    state = await session.astate()
    return summarize(state.draft, getattr(session, "language", "en")), state


def _diff(before: Any, after: Any) -> list[Any]:
    from .draft import diff_drafts

    return list(diff_drafts(before.draft, after.draft))


async def _chat(session: Any, text: str, out: _Outcome) -> AsyncIterator[Batch]:
    """The message goes to the backend exactly once; every way the stream can end is handled."""
    if session in _running:
        lang = getattr(session, "language", None)
        raise NemoError(
            ui_text("error.still_working", lang), hint=ui_text("hint.wait_no_resend", lang)
        )
    _running[session] = text
    try:
        sid = session.session_id
        before = await session.astate()
        if session.session_id != sid:  # the read met 1002 and the session made a new one
            out.note = _LOST
            yield [Notice(_LOST)]
        turn = ChatTurn()
        started = dropped = False
        try:
            async with session._api.open_chat(session.session_id, text) as response:
                started = True
                _retryable.pop(session, None)  # sent: a retry offered before is now moot
                async for batch in _read(response, turn, session.options):
                    yield batch
        except (httpx.TransportError, BackendUnavailable) as exc:
            if started and isinstance(exc, httpx.TimeoutException):
                # No byte for the read time-out (= heartbeat_timeout): as heartbeats only.
                raise StreamTimeout(
                    f"The backend stopped answering mid-reply ({type(exc).__name__})."
                ) from exc
            if not started and not _maybe_delivered(exc):
                raise  # refused before it was sent: the typed error says what to do
            _retryable.pop(session, None)
            dropped = True  # sent, and then the stream (or the wait for it) broke
        if dropped:
            async for ev in _after_drop(session, text, before, turn, out):
                yield [ev]
            return
        yield [ev for ev in turn.close() if not isinstance(ev, End)]  # End comes last, later
        async for ev in _finish(session, before, turn, out):
            yield [ev]
    finally:
        _running.pop(session, None)


# Transport failures that happen only before a request leaves: the message was not delivered.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)


def _maybe_delivered(exc: BaseException) -> bool:
    """Whether a failure before the stream started may come after the message was delivered
    (a time-out waiting for the response headers, say): then it must not be offered for resending
    as if nothing happened."""
    cause = exc if isinstance(exc, httpx.TransportError) else exc.__cause__
    return isinstance(cause, httpx.TransportError) and not isinstance(cause, _NOT_SENT)


async def _read(response: httpx.Response, turn: ChatTurn, options: Any) -> AsyncIterator[Batch]:
    """Decode the body as it arrives, with the still-working notices and the time-outs.

    The read runs in its own task and is waited for with a time-out, so a notice can be given
    while a read is pending without cancelling it (cancelling would lose bytes).
    """
    loop = asyncio.get_running_loop()
    start = last_real = notice_from = loop.time()
    chunks = response.aiter_bytes()
    pending: asyncio.Future[bytes] | None = None
    try:
        while True:
            if pending is None:
                pending = asyncio.ensure_future(chunks.__anext__())
            notice_at = notice_from + options.still_working_interval
            quiet_at = last_real + options.heartbeat_timeout
            end_at = start + options.overall_timeout
            wait = min(notice_at, quiet_at, end_at) - loop.time()
            if wait > 0:
                await asyncio.wait((pending,), timeout=wait)
            if not pending.done():
                now = loop.time()
                if now >= end_at:
                    raise StreamTimeout(
                        f"No complete reply after {options.overall_timeout:.0f} s in all."
                    )
                if now >= quiet_at:
                    raise StreamTimeout(
                        f"Only heartbeats for {options.heartbeat_timeout:.0f} s: no progress."
                    )
                if now >= notice_at:
                    notice_from = now
                    yield [Notice(STILL_WORKING)]
                continue
            done, pending = pending, None
            try:
                chunk = done.result()
            except StopAsyncIteration:
                return
            texts, heartbeats = turn.texts, turn.heartbeats
            events = turn.feed(chunk)
            if events:
                if turn.texts != texts:
                    last_real = notice_from = loop.time()
                elif turn.heartbeats - heartbeats != len(events):  # more than keep-alives
                    last_real = loop.time()
                yield events
    finally:
        if pending is not None and not pending.done():
            pending.cancel()
            await asyncio.wait((pending,))  # let the read unwind before the body is closed
        await response.aclose()


async def _finish(session: Any, before: Any, turn: ChatTurn, out: _Outcome) -> AsyncIterator[Event]:
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
    offers = _OFFERS_ZH if _CJK.search(shown) else _OFFERS
    for action in translation.actions if translation else ():
        async for ev in _suggested(session, action, out, offers):
            yield ev


async def _report_changes(
    session: Any, before: Any, errors: list[str], out: _Outcome
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
    session: Any, action: str, out: _Outcome, offers: dict[str, str]
) -> AsyncIterator[Event]:
    """A GUI instruction's action: read-only ones are done at once, others are offered."""
    if action == "status":
        summary, state = await _summary(session)
        yield Routed("status", summary, state)
        out.text = _join(out.text, summary)
        yield Text(out.text)
    elif action == "credits":
        credits = await session.acredits()
        said = _credits_text(credits, getattr(session, "language", None))
        yield Routed("credits", said, credits)
        out.text = _join(out.text, said)
        yield Text(out.text)
    else:
        yield Offer(action, offers[action])


async def _after_drop(
    session: Any, text: str, before: Any, turn: ChatTurn, out: _Outcome
) -> AsyncIterator[Event]:
    """The stream broke: the message may still be running, so read the state instead."""
    options = session.options
    yield Notice("⚠️ The connection dropped. Not sending again (no double charge): checking...")
    waits = tuple(options.drop_waits) or (0.0,)
    partial = translate(turn.text).text if turn.text else ""
    for attempt in range(max(1, options.drop_max_reads)):
        await asyncio.sleep(waits[min(attempt, len(waits) - 1)])
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
        yield Notice(f"⏳ No change yet ({attempt + 1}/{options.drop_max_reads})...")
    _retryable[session] = text
    out.text = _join(
        partial,
        "❌ The connection dropped and the project has not changed. Your message was not sent "
        "again; run session.retry_last() to send it once more.",
    )
    yield Text(out.text)
    yield Offer("retry", _OFFERS["retry"])


def _error_lines(errors: list[str]) -> list[str]:
    return [f"⚠️ The backend reported an error: {e}" for e in errors]


def _join(a: str, b: str) -> str:
    return a + _SEPARATOR + b if a and b else a or b
