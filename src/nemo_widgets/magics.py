"""`%nemo` and `%%nemo`, registered by `%load_ext nemo_widgets`.

    %nemo connect [local|cloud] [--api-url URL] [--language zh] [--record FILE [--refresh]]
    %nemo studio | upload PATH… | credits | status | export [--quality high] | link
    %%nemo [--no-wait]
    the cell body is a chat message ({var} filled from the notebook); the reply streams below

Each command returns the one thing it shows (a Session, Credits, the uploaded media, a widget);
`%nemo?` is the full help, built by IPython's `magic_arguments` in the session's language.

`%%nemo` shows the reply in a display handle updated in place from the cell's own thread, so it
also lands in the output under nbclient/papermill where no widget front-end exists; the cell
waits for the reply (interrupt to stop waiting: the reply still finishes in the background).
`--no-wait` shows a `ChatCell` instead and returns at once.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import string
import threading
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class
from IPython.core.magic_arguments import (
    argument,
    construct_parser,
    magic_arguments,
    parse_argstring,
)
from IPython.display import HTML, display

from . import _loop
from . import events as ev
from ._export import QUALITIES
from ._text import active_lang, ui_text
from .errors import NemoError

__all__ = ["NemoMagics", "interpolate", "register"]

_REFRESH = 0.25  # seconds between in-place updates of a %%nemo reply (the whole text each time)
_FORMATTER = string.Formatter()


def _usage(lang: str | None = None) -> str:
    return f"{ui_text('magic.usage', lang)}\n{ui_text('magic.commands', lang)}"


def _fail(problem: str) -> UsageError:
    return UsageError(f"{problem}\n{_usage()}")


def interpolate(text: str, namespace: dict[str, Any]) -> str:
    """`{name}` (and `{name.attr}`, `{name[0]}`, `{name!r:>8}`) replaced from `namespace`, as
    jupyter-ai's `%%ai` does: `{{`/`}}` are literal braces, a name the namespace lacks stays as
    typed, and text that is not a format string (a stray brace) is sent unchanged."""
    out: list[str] = []
    try:
        for literal, field, spec, conversion in _FORMATTER.parse(text):
            out.append(literal)
            if field is None:
                continue
            try:
                value, _ = _FORMATTER.get_field(field, (), namespace)
            except (KeyError, AttributeError, IndexError, TypeError, ValueError):
                conv = f"!{conversion}" if conversion else ""
                out.append(f"{{{field}{conv}{':' + spec if spec else ''}}}")
                continue
            value = _FORMATTER.convert_field(value, conversion)
            out.append(format(value, spec or ""))
    except ValueError:
        return text
    return "".join(out)


def _localize(lang: str | None = None) -> None:
    """`%nemo?` in the session's language: the arguments' help, description and commands."""
    func = NemoMagics.nemo
    func.decorators = [
        argument(name, **{**kw, "help": ui_text(key, lang)})
        for name, key, kw in reversed(_ARGUMENTS)
    ]
    func.argcmd_kwds = {
        "description": ui_text("magic.description", lang),
        "epilog": ui_text("magic.commands", lang),
    }
    func.__doc__ = None
    func.parser = construct_parser(func)


_ARGUMENTS: list[tuple[str, str, dict[str, Any]]] = [
    ("command", "magic.arg.command", {"nargs": "?"}),
    ("args", "magic.arg.args", {"nargs": "*"}),
    ("--api-url", "magic.arg.api_url", {"default": None}),
    ("--language", "magic.arg.language", {"default": None}),
    ("--quality", "magic.arg.quality", {"default": None}),
    ("--no-wait", "magic.arg.no_wait", {"action": "store_true"}),
    ("--record", "magic.arg.record", {"default": None, "metavar": "FILE"}),
    ("--refresh", "magic.arg.refresh", {"action": "store_true"}),
]


def _choose(command: str, value: str, choices: tuple[str, ...] | list[str]) -> str:
    if value not in choices:
        problem = ui_text("magic.choose", choices=", ".join(choices))
        raise _fail(ui_text("magic.bad_arg", command=f"{command} {value!r}", problem=problem))
    return value


def _no_extra(command: str, ns: argparse.Namespace, allowed: tuple[str, ...] = ()) -> None:
    extra = list(ns.args) if "args" not in allowed else []
    for flag in ("api_url", "language", "quality", "no_wait", "record", "refresh"):
        if flag not in allowed and getattr(ns, flag):
            extra.append("--" + flag.replace("_", "-"))
    if extra:
        problem = ui_text("magic.extra", args=" ".join(extra))
        raise _fail(ui_text("magic.bad_arg", command=command, problem=problem))


@magics_class
class NemoMagics(Magics):
    """The `%nemo` line magic and the `%%nemo` cell magic."""

    @magic_arguments()
    @line_cell_magic
    def nemo(self, line: str, cell: str | None = None) -> Any:
        try:
            ns = parse_argstring(self.nemo, line)
        except UsageError as exc:
            raise _fail(str(exc)) from None
        except ValueError as exc:  # an unclosed quote
            raise _fail(str(exc)) from None
        try:
            if cell is not None:
                if ns.command is not None:
                    ns.args.insert(0, ns.command)
                _no_extra("%%nemo", ns, ("no_wait",))
                return self._chat(ns, cell)
            if ns.command in (None, "help"):
                print(_usage())
                return None
            command = getattr(self, f"_cmd_{ns.command}", None)
            if command is None:
                raise _fail(ui_text("magic.unknown", command=repr(ns.command)))
            return command(ns)
        except NemoError as exc:
            # A user-facing failure: its message and hint, not a traceback.
            print(f"❌ {exc}")
            return None

    # -- commands (each returns the one thing it shows) --------------------------------------------
    def _cmd_connect(self, ns: argparse.Namespace) -> Any:
        from .session import connect

        _no_extra("connect", ns, ("args", "api_url", "language", "record", "refresh"))
        if len(ns.args) > 1:
            raise _fail(ui_text("magic.extra", args=" ".join(ns.args[1:])))
        backend = _choose("connect", ns.args[0], ("cloud", "local")) if ns.args else "cloud"
        session = connect(
            backend=backend,
            api_url=ns.api_url,
            language=ns.language,
            record=ns.record,
            refresh=ns.refresh,
        )
        _localize(session.language)
        return session

    def _cmd_studio(self, ns: argparse.Namespace) -> Any:
        from .widgets import Studio

        _no_extra("studio", ns)
        return Studio(_session())

    def _cmd_upload(self, ns: argparse.Namespace) -> Any:
        from ._display import MediaList

        _no_extra("upload", ns, ("args",))
        if not ns.args:
            raise _fail(ui_text("magic.upload_needs"))
        return MediaList(_session().upload(*ns.args))

    def _cmd_credits(self, ns: argparse.Namespace) -> Any:
        _no_extra("credits", ns)
        return _session().credits()

    def _cmd_status(self, ns: argparse.Namespace) -> Any:
        from .widgets import TimelineTable

        _no_extra("status", ns)
        session = _session()
        session.state()
        return TimelineTable(session)

    def _cmd_export(self, ns: argparse.Namespace) -> Any:
        from .widgets import ExportPanel

        _no_extra("export", ns, ("quality",))
        quality = _choose("export --quality", ns.quality or "high", QUALITIES)
        session = _session()
        session.export(quality=quality)
        return ExportPanel(session)  # it shows the job, its progress and the video

    def _cmd_link(self, ns: argparse.Namespace) -> Any:
        _no_extra("link", ns)
        url = _session().link()
        label = html.escape(ui_text("magic.open_project"))
        return HTML(f'<a href="{html.escape(url)}" target="_blank">{label}</a>')

    # -- %%nemo ----------------------------------------------------------------------------------
    def _chat(self, ns: argparse.Namespace, body: str) -> None:
        text = interpolate(body, self.shell.user_ns if self.shell is not None else {}).strip()
        if not text:
            raise _fail(ui_text("magic.empty_cell"))
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
            print(ui_text("magic.stopped"))
            return
        handle.update(reply.bundle(), raw=True)
        if fut.exception() is not None:
            exc = fut.exception()
            print(f"❌ {exc}" if isinstance(exc, NemoError) else f"❌ {type(exc).__name__}: {exc}")


class _LiveReply:
    """The reply of one `%%nemo` cell as it streams (written on the loop, read by the cell)."""

    def __init__(self) -> None:
        self.text = ""
        self.status = ui_text("magic.sending")
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
                        name = event.name or ui_text("chat.working")
                        self.status = ui_text("chat.tool", name=name)
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
        none = ui_text("chat.no_reply")
        shown = text or ("" if status else none)
        if mark:
            shown, text = f"{shown}\n\n<small>🔁 {mark}</small>", f"{text}\n\n({mark})"
        if status:
            shown = f"{shown}\n\n*{status}*" if shown else f"*{status}*"
        return {"text/markdown": shown, "text/plain": text or status or none}


def _session() -> Any:
    from .session import current

    try:
        return current()
    except (LookupError, RuntimeError, NemoError) as exc:
        raise UsageError(f"{ui_text('magic.no_session')} ({exc})") from None


def register(ipython: Any) -> None:
    """Register `%nemo` / `%%nemo` on an IPython shell."""
    _localize(active_lang())
    ipython.register_magics(NemoMagics)


_localize()
