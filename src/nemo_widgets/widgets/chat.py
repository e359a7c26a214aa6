"""`ChatCell`: a chat whose reply streams in as paced, appended deltas (`append`, `delta` and
`end` messages: js/chat.ts); a live view's finished reply is not sent again."""

from __future__ import annotations

import asyncio
import contextlib
import html
import time
from concurrent.futures import Future
from typing import Any

import traitlets

from .. import _loop
from .. import events as ev
from .._text import TEXT
from ..draft import diff_drafts, summarize
from ..errors import NemoError
from ..session import Session
from ._base import STATIC, NemoWidget, list_trait
from ._coalesce import DeltaCoalescer, utf16_len

__all__ = ["ChatCell"]


class ChatCell(NemoWidget):
    """A chat with the session: transcript, streamed reply, tool activity, input box."""

    _esm = STATIC / "chat.js"
    _areas = ("chat",)
    transcript = list_trait()
    busy = traitlets.Bool(False).tag(sync=True)
    placeholder = traitlets.Unicode("").tag(sync=True)  # empty: `chat.placeholder` in the labels
    suggestions = traitlets.List(traitlets.Unicode()).tag(sync=True)
    compact = traitlets.Bool(False).tag(sync=True)  # the exchange only (`%%nemo`): no input box

    def __init__(
        self, session: Session | None = None, *, max_rate: float = 30.0, compact: bool = False
    ) -> None:
        super().__init__(session, compact=compact)
        self.max_rate = max_rate
        self._ready = False
        self._live: dict[str, Any] | None = None  # what has been sent of the running reply
        self._future: Future[dict[str, Any]] | None = None
        self._consumer: asyncio.Task[None] | None = None  # reads the stream, on the loop
        self.transcript = [_from_history(h) for h in self._session.history]
        self._handlers.update(
            ready=self._on_ready,
            send=lambda msg, _b: self.ask(str(msg.get("text", ""))) and {},
            stop=lambda _m, _b: {"stopped": self.stop()},
        )

    @traitlets.default("suggestions")
    def _suggestions(self) -> list[str]:
        # A default, read as the widget opens: in its first message, not in one more after it.
        # The offline agent's suggestions are phrasings it acts on (tests send each one to it);
        # none holds a routing keyword (export, credits, upload…): each goes to the chat.
        backend = "local" if self._session.backend == "local" else "cloud"
        return [self._t(k) for k in TEXT if k.startswith(f"suggest.{backend}.")]

    def ask(self, text: str) -> Future[dict[str, Any]]:
        """Send `text` and return at once; the future gives the reply's transcript entry."""
        text = text.strip()
        if not text:
            raise self._error("error.nothing_to_send", "hint.type_message")
        if self.busy:
            # Never send while a reply runs: the backend would charge twice for one request.
            raise self._error("error.still_streaming", "hint.wait_then_send")
        self.busy = True
        entry = _entry("user", text, "chat")
        self._add(entry, {"kind": "append", "index": len(self.transcript), "entry": entry})
        self._future = fut = _loop.submit(self._turn(text, len(self.transcript), time.monotonic()))
        fut.add_done_callback(lambda _f: setattr(self, "busy", False))
        return fut

    def stop(self) -> bool:
        """Stop waiting for the running reply (True if one ran): the message is not sent again and
        may still finish; the reply ends as stopped, with what a fresh state read shows changed."""
        consumer = self._consumer
        if consumer is None or consumer.done():
            return False
        _loop.get_loop().call_soon_threadsafe(consumer.cancel)
        return True

    def _on_ready(self, msg: dict[str, Any], _buffers: list[bytes]) -> dict[str, Any]:
        # Answered under the send lock (`_dispatch`): no delta slips in between snapshot and reply.
        have, entries = msg.get("have"), list(self.transcript)
        self._ready = True
        live = dict(self._live) if self._live else None
        if isinstance(have, int) and 0 <= have <= len(entries):
            return {"live": live, "missing": entries[have:]}
        return {"live": live, "transcript": entries}

    async def _turn(self, text: str, turn: int, appended: float) -> dict[str, Any]:
        co = DeltaCoalescer(self.max_rate)
        co.mark(appended)  # the user's message went at `appended`: it counts against the rate
        view = ev.ReplyView()  # the reply as the view will show it (sent + queued)
        stopped = False
        before: Any = None  # the state before the message (read by the chat turn first)
        changed = asyncio.Event()
        self._live = {"turn": turn, "text": "", "activity": "", "notice": ""}
        co.status("activity", "", time.monotonic())  # opens the reply bubble at once

        async def consume() -> None:
            nonlocal stopped, before
            seen = False
            try:
                async for event in self._session.stream(text):
                    if not seen:
                        seen, before = True, self._session.last_state
                    if isinstance(event, ev.End):
                        break
                    self._show(view, event, co)
                    changed.set()
            except asyncio.CancelledError:  # `stop` (a cancelled turn goes on raising in `pace`)
                stopped = True  # the stream is closed; the turn reads the state below
                if not seen:
                    before = self._session.last_state
            except Exception as exc:  # shown in the reply: the user must see why it stopped
                err = str(exc) if isinstance(exc, NemoError) else f"{type(exc).__name__}: {exc}"
                self._show(view, view.with_line(f"⚠️ {err}"), co)
                view.route = view.route if view.route != "chat" else "error"

        async def pace() -> None:  # send what waits, at the pace, until the stream has finished
            while co.pending or not task.done():
                wait = co.due(time.monotonic(), final=task.done())
                if wait is not None and wait <= 0:
                    self._flush(co)
                    continue
                changed.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(changed.wait(), wait)  # None: until something changes

        self._consumer = task = asyncio.ensure_future(consume())
        task.add_done_callback(lambda _t: changed.set())
        try:
            await pace()
        finally:
            task.cancel()
            self._consumer = None
        if stopped:
            self._show(view, view.with_line(await self._after_stop(before)), co)
        offer = view.offers[-1].text if view.offers else None
        text = view.text or self._t("chat.no_reply")
        entry = _entry("assistant", text, view.route, offer=offer, mark=view.mark, stopped=stopped)
        if not view.text:
            co.add(text, time.monotonic())
        await pace()
        await asyncio.sleep(co.slot(time.monotonic()))  # the end message keeps the pace too
        if stopped:  # the chat turn, closed, could not keep the stopped reply
            kept = ("role", "text", "route", "stopped")
            self._session.history.append({k: entry[k] for k in kept})
            self._session.save_history()
        end = {"kind": "end", "turn": turn, "length": utf16_len(entry["text"])}
        end.update({k: entry[k] for k in ("route", "offer", "mark", "stopped") if k in entry})
        with self._send_lock:
            self._live = None
            self._add(entry, end)
        return entry

    async def _after_stop(self, before: Any) -> str:
        """The stop, then what a fresh read of the state shows changed (or why it cannot)."""
        stopped = self._t("stop.stopped")
        try:
            after = await self._session.astate()
        except NemoError as exc:
            return f"{stopped}\n{self._t('stop.unreadable', error=str(exc))}"
        if before is None:  # no earlier state to compare with: say where the project stands
            return f"{stopped}\n{summarize(after.draft, self._session.language)}"
        changes = [f"✅ {c.sentence}" for c in diff_drafts(before.draft, after.draft)]
        return "\n".join([stopped, *(changes or [self._t("stop.unchanged")])])

    def _show(self, view: ev.ReplyView, event: ev.Event, co: DeltaCoalescer) -> None:
        """Fold one event into the view and queue what it changed on screen."""
        was, now = (view.activity, view.notice), time.monotonic()
        if (more := view.add(event)) is None:
            co.replace(view.text, now)
        else:
            co.add(more, now)
        if (what := view.activity) is not was[0]:
            if isinstance(what, ev.ToolCall):
                line = self._t("chat.tool", name=what.name or self._t("chat.working"))
            else:
                line = f"⚠️ {what.message}" if what is not None else ""
            co.status("activity", line, now)
        if view.notice != was[1]:
            co.status("notice", view.notice, now)

    def _flush(self, co: DeltaCoalescer) -> None:
        with self._send_lock:
            body, live = co.take(time.monotonic()), self._live
            assert live is not None  # a turn runs
            live["text"] = body.get("replace", live["text"]) + body["text"]
            live.update({k: body[k] for k in ("activity", "notice") if k in body})
            if self._ready:
                self._post({"kind": "delta", "turn": live["turn"], **body})

    def _add(self, entry: dict[str, Any], message: dict[str, Any]) -> None:
        """Add `entry` to the transcript: a live view gets `message`, not the whole list again."""
        with self._send_lock:
            if self._ready:
                self.transcript.append(entry)  # in place: no trait sync, the view has it
                self._post(message)
            else:
                self.transcript = [*self.transcript, entry]

    def _fallback(self) -> tuple[str, str]:
        entries = list(self.transcript)
        if self._live:
            entries.append(_entry("assistant", self._live["text"] + " …", "chat"))
        if not entries:
            return self._nothing("chat.empty")
        who = {"user": self._t("chat.you"), "assistant": self._t("chat.assistant")}
        lines, rows = [], []
        for e in entries:
            name, mark, route = who.get(e["role"], e["role"]), e.get("mark"), e.get("route", "chat")
            lines.append(f"{name}: {e['text']}" + (f" ({mark})" if mark else ""))
            rows.append(
                f"<p><strong>{html.escape(name)}</strong>"
                f"{' [' + html.escape(route) + ']' if route != 'chat' else ''}: "
                f"<span style='white-space:pre-wrap'>{html.escape(e['text'])}</span>"
                f"{' <small>' + html.escape(mark) + '</small>' if mark else ''}</p>"
            )
        return "\n\n".join(lines), f"<div class='nemo-chat-fallback'>{''.join(rows)}</div>"


def _from_history(h: dict[str, Any]) -> dict[str, Any]:
    return _entry(
        h.get("role", "assistant"), h.get("text", ""), h.get("route"), stopped=h.get("stopped")
    )


def _entry(role: str, text: str, route: str | None, **extra: Any) -> dict[str, Any]:
    """A transcript entry; `offer`, `mark` (a reply from the record) and `stopped` when set."""
    entry = {"role": role, "text": text, "route": route or "chat"}
    return entry | {k: v for k, v in extra.items() if v}
