"""`%nemo` and `%%nemo`, registered by `%load_ext nemo_widgets`.

    %nemo connect [local|cloud] [--api-url URL] [--language en] [--record FILE [--refresh]]
    %nemo studio | upload PATH… | credits | status | export [--quality high] | link
    %%nemo [--no-wait]
    the cell body is a chat message; the reply streams into the cell's output

`%%nemo` shows the reply in a display handle updated in place from the cell's own thread, so it
also lands in the output under nbclient/papermill where no widget front-end exists; the cell
waits for the reply (interrupt to stop waiting: the reply still finishes in the background).
`--no-wait` shows a `ChatCell` instead and returns at once.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import shlex
import threading
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import HTML, display

from . import _loop
from . import events as ev
from ._export import QUALITIES
from .errors import NemoError

__all__ = ["NemoMagics", "register"]

USAGE = """Usage:
  %nemo connect [local|cloud] [--api-url URL] [--language LANG] [--record FILE [--refresh]]
                          --record: record chat turns there, replay them on a later run
  %nemo studio            the upload picker, chat, timeline and export panel
  %nemo upload PATH…      upload files (globs allowed) or URLs
  %nemo credits           the credit balance
  %nemo status            the track summary and the timeline table
  %nemo export [--quality high|medium|low]
  %nemo link              the link to open the project in the web editor
  %%nemo [--no-wait]      the cell body is a chat message; the reply streams below"""

_REFRESH = 0.25  # seconds between in-place updates of a %%nemo reply (the whole text each time)


class _Parser(argparse.ArgumentParser):
    """argparse that raises a UsageError instead of exiting the kernel."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{message}\n{USAGE}")


def _parse(args: list[str], *options: tuple[str, dict[str, Any]]) -> argparse.Namespace:
    parser = _Parser(prog="%nemo", add_help=False)
    for name, kw in options:
        parser.add_argument(name, **kw)
    return parser.parse_args(args)


@magics_class
class NemoMagics(Magics):
    """The `%nemo` line magic and the `%%nemo` cell magic."""

    @line_cell_magic
    def nemo(self, line: str, cell: str | None = None) -> Any:
        """Run a `%nemo` command, or send a `%%nemo` cell as a chat message."""
        try:
            args = shlex.split(line)
        except ValueError as exc:
            raise UsageError(f"{exc}\n{USAGE}") from None
        try:
            if cell is not None:
                return self._chat(args, cell)
            if not args or args[0] in ("help", "-h", "--help"):
                print(USAGE)
                return None
            command = getattr(self, f"_cmd_{args[0]}", None)
            if command is None:
                raise UsageError(f"Unknown command {args[0]!r}.\n{USAGE}")
            return command(args[1:])
        except NemoError as exc:
            # A user-facing failure: its message and hint, not a traceback.
            print(f"❌ {exc}")
            return None

    # -- commands ---------------------------------------------------------------------------------
    def _cmd_connect(self, args: list[str]) -> Any:
        from .session import connect

        ns = _parse(
            args,
            ("backend", {"nargs": "?", "default": "cloud", "choices": ["cloud", "local"]}),
            ("--api-url", {"default": None}),
            ("--language", {"default": "en"}),
            ("--record", {"default": None, "metavar": "FILE"}),
            ("--refresh", {"action": "store_true"}),
        )
        session = connect(
            backend=ns.backend,
            api_url=ns.api_url,
            language=ns.language,
            record=ns.record,
            refresh=ns.refresh,
        )
        print(f"Connected: {session!r}")
        return session

    def _cmd_studio(self, args: list[str]) -> Any:
        from .widgets import Studio

        _parse(args)
        return Studio(_session())

    def _cmd_upload(self, args: list[str]) -> Any:
        if not args:
            raise UsageError(f"%nemo upload needs at least one path or URL.\n{USAGE}")
        media = _session().upload(*args)
        for m in media:
            print(f"✅ {m.name} ({m.type}, {m.size:,} bytes) → {m.id}")
        return media

    def _cmd_credits(self, args: list[str]) -> Any:
        _parse(args)
        c = _session().credits()
        print(f"💳 Credits: {c.available} available, {c.frozen} reserved, {c.total} total")
        return c

    def _cmd_status(self, args: list[str]) -> Any:
        from .widgets import TimelineTable

        _parse(args)
        session = _session()
        session.state()
        return TimelineTable(session)

    def _cmd_export(self, args: list[str]) -> Any:
        from .widgets import ExportPanel

        ns = _parse(args, ("--quality", {"default": "high", "choices": QUALITIES}))
        session = _session()
        job = session.export(quality=ns.quality)
        print(f"🎬 {job.id}: {job.status} → {job.path or job.url}")
        return ExportPanel(session)

    def _cmd_link(self, args: list[str]) -> Any:
        _parse(args)
        url = _session().link()
        display(HTML(f'<a href="{html.escape(url)}" target="_blank">Open the project ↗</a>'))
        return None

    # -- %%nemo ----------------------------------------------------------------------------------
    def _chat(self, args: list[str], body: str) -> None:
        ns = _parse(args, ("--no-wait", {"action": "store_true"}))
        text = body.strip()
        if not text:
            raise UsageError(
                f"The %%nemo cell is empty: write the message below the magic.\n{USAGE}"
            )
        session = _session()
        if ns.no_wait:
            from .widgets import ChatCell

            cell = ChatCell(session)
            cell.ask(text)
            display(cell)
            return
        reply = _LiveReply()
        handle = display(reply.bundle(), raw=True, display_id=True)
        fut = _loop.submit(reply.consume(session, text))
        try:
            shown = -1
            while not fut.done():
                # Lock waits with a timeout stay interruptible by Ctrl-C (KeyboardInterrupt).
                concurrent.futures.wait([fut], timeout=_REFRESH)
                if reply.version != shown:
                    shown = reply.version
                    handle.update(reply.bundle(), raw=True)
        except KeyboardInterrupt:
            # The message is already sent: never send it again; the reply finishes by itself.
            fut.add_done_callback(lambda _f: handle.update(reply.bundle(), raw=True))
            print("Stopped waiting; the reply goes on and will appear above when it is done.")
            return
        handle.update(reply.bundle(), raw=True)
        if fut.exception() is not None:
            exc = fut.exception()
            print(f"❌ {exc}" if isinstance(exc, NemoError) else f"❌ {type(exc).__name__}: {exc}")


class _LiveReply:
    """The reply of one `%%nemo` cell as it streams (written on the loop, read by the cell)."""

    def __init__(self) -> None:
        self.text = ""
        self.status = "⏳ Sending…"
        self.route = "chat"
        self.mark = ""  # "replayed · no credits spent" for a reply from the record
        self.version = 0
        self._lock = threading.Lock()

    async def consume(self, session: Any, message: str) -> None:
        try:
            async for event in session.stream(message):
                with self._lock:
                    if isinstance(event, ev.TextDelta):
                        self.text += event.text
                        self.status = ""
                    elif isinstance(event, ev.Text):
                        self.text = event.text
                    elif isinstance(event, ev.ToolCall):
                        self.status = f"🔧 {event.name or 'working'}…"
                    elif isinstance(event, ev.Notice):
                        self.status = event.text
                    elif isinstance(event, ev.Routed):
                        self.route = event.action
                    elif isinstance(event, ev.Offer):
                        self.text += f"\n\n_{event.text}_"
                    elif isinstance(event, ev.Replayed):
                        self.mark = event.text
                    elif isinstance(event, ev.End):
                        break
                    self.version += 1
        finally:
            with self._lock:
                self.status = ""
                self.version += 1

    def bundle(self) -> dict[str, str]:
        with self._lock:
            text, status, mark = self.text, self.status, self.mark
        shown = text or ("" if status else "(no reply)")
        if mark:
            shown, text = f"{shown}\n\n<small>🔁 {mark}</small>", f"{text}\n\n({mark})"
        if status:
            shown = f"{shown}\n\n*{status}*" if shown else f"*{status}*"
        return {"text/markdown": shown, "text/plain": text or status or "(no reply)"}


def _session() -> Any:
    from .session import current

    try:
        return current()
    except (LookupError, RuntimeError, NemoError) as exc:
        raise UsageError(
            f"No session yet: run `%nemo connect local` (or `connect`) first. ({exc})"
        ) from None


def register(ipython: Any) -> None:
    """Register `%nemo` / `%%nemo` on an IPython shell."""
    ipython.register_magics(NemoMagics)
