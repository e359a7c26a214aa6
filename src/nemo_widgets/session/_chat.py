"""One chat message, start to finish: sent exactly once (a routed action never), and every way a
reply can end gives the user something to act on, never silence nor a second charge."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from contextlib import aclosing
from typing import Any

from .. import _display, _loop
from .._text import ui_text
from ..api._client import ChatStream
from ..draft import Change, diff_drafts, summarize
from ..errors import NemoError, StreamDropped
from ..events import (
    Changes,
    ChatTurn,
    End,
    Event,
    Notice,
    Offer,
    ReplyView,
    Routed,
    Text,
    join_texts,
)
from ._gui import CJK, translate
from ._host import Host
from ._record import Batch, record_turn
from ._routing import Route, route
from ._watchdog import Watchdog, drop_waits


@dataclasses.dataclass(frozen=True)
class Reply:
    """The answer to one chat message: the text shown, how it was routed, the raw events, the
    draft changes (for silent edits), and whether it was replayed from the record (no credits)."""

    text: str
    route: str  # "chat" | "export" | "credits" | "status" | "upload"
    events: Sequence[Event] = ()
    changes: Sequence[Any] = ()
    replayed: bool = False

    def __repr__(self) -> str:
        return f"{_display.reply_head(self)}\n{self.text}"

    def _repr_html_(self) -> str:
        return _display.html_block(_display.reply_head(self), self.text)


def _lost(session: Host) -> Notice:
    """What the reply says when the backend had lost the session (1002) and it went to a new one."""
    return Notice(ui_text("chat.lost", session.language))


async def run_chat(session: Host, text: str, refresh: bool = False) -> Reply:
    """The whole reply; with a record, a recorded turn is replayed unless `refresh`."""
    where = route(text)
    changes: list[Change] = []  # whole, where the `Changes` events carry only their sentences
    events = [ev async for batch in _turn(session, text, where, refresh, changes) for ev in batch]
    view = ReplyView.of(events)
    return Reply(view.text, where.action, tuple(events), tuple(changes), bool(view.mark))


def stream_chat(session: Host, text: str, refresh: bool = False) -> AsyncIterator[Event]:
    """The reply's events as they arrive, iterable from any event loop."""
    return _loop.aiter_on_loop(lambda: _turn(session, text, route(text), refresh, []))


async def run_retry(session: Host) -> Reply:
    """Send again a message dropped with no change seen (only on request: it may charge)."""
    text = session.chat_state.retryable  # cleared once the message is sent again
    if text is None:
        raise NemoError(ui_text("error.nothing_to_retry", session.language))
    return await run_chat(session, text)  # it was routed to the chat: it will be again


# Events travel in batches (one per network read) up to the public iterator, which hands them out
# one by one: a layer of async generators per event would cost more than the decoding.
async def _turn(
    session: Host, text: str, where: Route, refresh: bool, changes: list[Change]
) -> AsyncGenerator[Batch, None]:
    session.history.append({"role": "user", "text": text, "route": where.action})
    if where.action == "chat":
        source = record_turn(session, text, refresh, changes, lambda: _chat(session, text, changes))
    else:
        source = _routed(session, where)
    view = ReplyView()
    renewed = _lost(session)  # what `_chat` yields when the session was made anew
    lost = False
    try:
        # aclosing: a consumer that stops early closes every layer down to the HTTP stream now,
        # not whenever the garbage collector finalizes the inner generators
        async with aclosing(source):
            async for batch in source:
                for ev in batch:
                    view.add(ev)
                    session.emit("chat", ev)
                lost = lost or renewed in batch
                yield batch
    except NemoError as exc:
        session.history.append(
            {"role": "assistant", "text": str(exc), "route": where.action, "error": True}
        )
        session.save_history()
        raise
    if lost:  # whatever the reply, the user must hear it went to a new session
        said = Text(join_texts(renewed.text, view.text))
        view.add(said)
        session.emit("chat", said)
        yield [said]
    session.history.append({"role": "assistant", "text": view.text, "route": where.action})
    session.save_history()
    session.emit("chat", End())
    yield [End()]


async def _routed(session: Host, where: Route) -> AsyncGenerator[Batch, None]:
    """A routed action: the session does it; nothing goes to the chat stream."""
    action, lang = where.action, session.language
    payload: Any = None
    if action == "export":
        yield [Notice(ui_text("notice.exporting", lang))]
        job = payload = await session.aexport()
        said = ui_text("notice.exported", lang, where=job.path or job.url or job.id)
    elif action in ("credits", "status"):
        said, payload = await _look(session, action)
    elif action == "upload" and where.paths:
        yield [Notice(ui_text("notice.uploading", lang, n=len(where.paths)))]
        payload = await session.aupload(*where.paths)  # "~" is the upload's to expand
        said = ui_text("notice.uploaded", lang, names=", ".join(m.name for m in payload))
    else:  # upload without a file
        said = ui_text("offer.upload", lang)
    yield [Routed(action, said, payload), Text(said)]


async def _look(session: Host, action: str) -> tuple[str, Any]:
    """A read-only action, done at once: the track summary ("status") or the balance."""
    if action == "status":
        state = await session.astate()
        return summarize(state.draft, session.language), state
    credits = await session.acredits()
    return ui_text("notice.credits", session.language, **dataclasses.asdict(credits)), credits


async def _chat(session: Host, text: str, changes: list[Change]) -> AsyncGenerator[Batch, None]:
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
            yield [_lost(session)]
        turn = ChatTurn()  # the one the stream decodes with, once it started
        try:
            async with session.api.open_chat(session.session_id, text) as stream:
                turn = stream.turn
                chat.retryable = None  # sent: a retry offered before is now moot
                async with aclosing(_watched(stream, session)) as batches:
                    async for batch in batches:
                        yield batch
            tail = _finish(session, before, turn, changes)
        except StreamDropped:
            chat.retryable = None  # sent (maybe), and then the stream or the wait for it broke
            tail = _after_drop(session, text, before, turn, changes)
        async with aclosing(tail) as events:
            async for ev in events:
                yield [ev]
    finally:
        chat.running = None


async def _watched(stream: ChatStream, session: Host) -> AsyncGenerator[Batch, None]:
    """The batches (no `End`) and watchdog notices; the read is a task (cancelling loses bytes)."""
    now = session.clock.now
    dog = Watchdog(session.options, now(), session.language)
    batches = aiter(stream)
    pending: asyncio.Future[Batch] | None = None
    try:
        while True:
            pending = pending or asyncio.ensure_future(anext(batches))
            wait = dog.deadline() - now()
            if wait > 0:
                await asyncio.wait((pending,), timeout=wait)
            if not pending.done():
                if notice := dog.silent(now()):
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
    session: Host, before: Any, turn: ChatTurn, changes: list[Change]
) -> AsyncGenerator[Event, None]:
    """After a complete stream: GUI translation, the actions it implies, or the silent edit."""
    shown = turn.text
    translation = translate(shown)
    errors = [f"⚠️ The backend reported an error: {e}" for e in turn.errors]
    if translation.text:
        said = join_texts(translation.text, "\n".join(errors))  # the backend failed after some text
    else:
        # A silent edit (no text, or only GUI instructions): the draft says what happened.
        changes += diff_drafts(before.draft, (await session.astate()).draft)
        if changes:
            yield Changes(tuple(c.sentence for c in changes))
        said = "\n".join(errors + [f"✅ {c.sentence}" for c in changes])
        said = said or "Nothing changed in the project."
    if said != shown:
        yield Text(said)  # the correction replaces what the deltas showed
    # what the client can do instead of a GUI instruction, in the reply's language
    lang = "zh" if CJK.search(shown) else "en"
    for action in translation.actions:
        if action not in ("status", "credits"):  # read-only ones are done, the others offered
            yield Offer(action, ui_text(f"offer.{action}", lang))
            continue
        line, payload = await _look(session, action)
        yield Routed(action, line, payload)
        said = join_texts(said, line)
        yield Text(said)


async def _after_drop(
    session: Host, text: str, before: Any, turn: ChatTurn, changes: list[Change]
) -> AsyncGenerator[Event, None]:
    """The stream broke: the message may still be running, so read the state instead."""
    yield Notice(ui_text("chat.drop_checking", session.language))
    partial = translate(turn.text).text
    waits = drop_waits(session.options)
    for attempt, wait in enumerate(waits):
        await session.clock.sleep(wait)
        try:
            after = await session.astate()
        except NemoError:
            continue  # the backend is still out of reach: that read found nothing
        changes += diff_drafts(before.draft, after.draft)
        if changes:
            yield Changes(tuple(c.sentence for c in changes))
            yield Text(join_texts(partial, "\n".join(f"✅ {c.sentence}" for c in changes)))
            return
        yield Notice(ui_text("chat.drop_no_change", session.language, n=attempt + 1, of=len(waits)))
    session.chat_state.retryable = text
    yield Text(join_texts(partial, ui_text("chat.drop_not_sent", session.language)))
    yield Offer("retry", ui_text("offer.retry", session.language))
