"""`%nemo` and `%%nemo`, registered by `%load_ext nemo_widgets`.

    %nemo connect [local|cloud] [--api-url URL] [--language en]
    %nemo studio | upload PATH… | credits | status | export [--quality high] | link
    %%nemo [--no-wait]
    the cell body is a chat message; the reply streams into the cell's output

`%%nemo` shows the exchange in a compact `ChatCell` (input box hidden), so a reply is rendered by
the same Markdown rules as in the Studio's chat (js/lib/markdown.ts), not by JupyterLab's; the
cell waits for the reply (interrupt to stop waiting: the reply still finishes in the background)
and then refreshes the display, so that the widget's static fallback (plain text and escaped
HTML) holds the reply under nbclient/papermill where no widget front-end exists. `--no-wait`
shows a full `ChatCell` and returns at once.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.display import HTML, display

from ._export import QUALITIES
from .errors import NemoError

__all__ = ["NemoMagics", "register"]

USAGE = """Usage:
  %nemo connect [local|cloud] [--api-url URL] [--language LANG]
  %nemo studio            the upload picker, chat, timeline and export panel
  %nemo upload PATH…      upload files (globs allowed) or URLs
  %nemo credits           the credit balance
  %nemo status            the track summary and the timeline table
  %nemo export [--quality high|medium|low]
  %nemo link              the link to open the project in the web editor
  %%nemo [--no-wait]      the cell body is a chat message; the reply streams below"""

_REFRESH = 0.25  # seconds between checks of a %%nemo reply (Ctrl-C is seen in between)


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
        )
        session = connect(backend=ns.backend, api_url=ns.api_url, language=ns.language)
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
        from .widgets import ChatCell

        cell = ChatCell(session, compact=True)
        fut = cell.ask(text)
        handle = display(cell, display_id=True)
        try:
            while not fut.done():
                # Lock waits with a timeout stay interruptible by Ctrl-C (KeyboardInterrupt).
                concurrent.futures.wait([fut], timeout=_REFRESH)
        except KeyboardInterrupt:
            # The message is already sent: never send it again; the reply finishes by itself.
            print("Stopped waiting; the reply goes on and will appear above when it is done.")
            return
        if handle is not None:
            handle.update(cell)  # the fallback (no front end) now carries the reply
        if fut.exception() is not None:
            exc = fut.exception()
            print(f"❌ {exc}" if isinstance(exc, NemoError) else f"❌ {type(exc).__name__}: {exc}")


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
