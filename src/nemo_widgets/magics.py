"""`%nemo` (each command returns the one thing it shows; `%nemo?` is the help, in the session's
language) and `%%nemo` (the cell, `{var}` filled, sent and shown in a compact `ChatCell`)."""

from __future__ import annotations

import argparse
import concurrent.futures
import html
import string
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

import nemo_widgets  # its widgets load on first use: `%load_ext` stays quick

from . import session as sessions
from ._display import MediaList
from ._text import ui_text
from .errors import NemoError
from .session._export import QUALITIES

__all__ = ["NemoMagics", "interpolate", "register"]

_REFRESH = 0.25  # seconds between checks of a %%nemo reply (Ctrl-C is seen in between)
_FORMATTER = string.Formatter()


def _usage() -> str:
    return f"{ui_text('magic.usage')}\n{ui_text('magic.commands')}"


def _fail(problem: str) -> UsageError:
    return UsageError(f"{problem}\n{_usage()}")


def interpolate(text: str, namespace: dict[str, Any]) -> str:
    """`{name…}` filled from `namespace` as jupyter-ai's `%%ai` does; the rest stays as typed."""
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
            else:
                out.append(format(_FORMATTER.convert_field(value, conversion), spec or ""))
    except ValueError:
        return text
    return "".join(out)


def _localize(lang: str | None = None) -> None:
    """`%nemo?` in the session's language: the arguments' help, description and commands."""
    func = NemoMagics.nemo
    func.decorators = [
        argument(name, help=ui_text(f"magic.arg.{name.strip('-').replace('-', '_')}", lang), **kw)
        for name, kw in reversed(_ARGUMENTS.items())
    ]
    func.argcmd_kwds = {
        "description": ui_text("magic.description", lang),
        "epilog": ui_text("magic.commands", lang),
    }
    func.__doc__ = None
    func.parser = construct_parser(func)


# the help of each is the catalog's `magic.arg.<name>`
_ARGUMENTS: dict[str, dict[str, Any]] = {
    "command": {"nargs": "?"},
    "args": {"nargs": "*"},
    "--api-url": {},
    "--language": {},
    "--quality": {},
    "--no-wait": {"action": "store_true"},
    "--record": {"metavar": "FILE"},
    "--refresh": {"action": "store_true"},
}
_CONNECT = ("api_url", "language", "record", "refresh")  # the flags `connect` passes on
# what a command takes besides its name (anything else is a usage error); the rest take nothing
_TAKES = {"connect": ("args", *_CONNECT), "upload": ("args",), "export": ("quality",)}


def _choose(command: str, value: str, choices: tuple[str, ...] | list[str]) -> str:
    if value not in choices:
        problem = ui_text("magic.choose", choices=", ".join(choices))
        raise _fail(ui_text("magic.bad_arg", command=f"{command} {value!r}", problem=problem))
    return value


def _no_extra(command: str, ns: argparse.Namespace, allowed: tuple[str, ...]) -> None:
    extra = list(ns.args) if "args" not in allowed else []
    for flag, value in vars(ns).items():
        if flag not in ("command", "args", *allowed) and value:
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
        except (UsageError, ValueError) as exc:  # ValueError: an unclosed quote
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
            _no_extra(ns.command, ns, _TAKES.get(ns.command, ()))
            return command(ns)
        except NemoError as exc:
            # A user-facing failure: its message and hint, not a traceback.
            print(f"❌ {exc}")
            return None

    def _cmd_connect(self, ns: argparse.Namespace) -> Any:
        if len(ns.args) > 1:
            raise _fail(ui_text("magic.extra", args=" ".join(ns.args[1:])))
        backend = _choose("connect", ns.args[0], ("cloud", "local")) if ns.args else "cloud"
        session = sessions.connect(backend=backend, **{n: getattr(ns, n) for n in _CONNECT})
        _localize(session.language)
        return session

    def _cmd_studio(self, ns: argparse.Namespace) -> Any:
        return nemo_widgets.Studio(_session())

    def _cmd_upload(self, ns: argparse.Namespace) -> Any:
        if not ns.args:
            raise _fail(ui_text("magic.upload_needs"))
        return MediaList(_session().upload(*ns.args))

    def _cmd_credits(self, ns: argparse.Namespace) -> Any:
        return _session().credits()

    def _cmd_status(self, ns: argparse.Namespace) -> Any:
        session = _session()
        session.state()
        return nemo_widgets.TimelineTable(session)

    def _cmd_export(self, ns: argparse.Namespace) -> Any:
        quality = _choose("export --quality", ns.quality or "high", QUALITIES)
        session = _session()
        session.export(quality=quality)
        return nemo_widgets.ExportPanel(session)  # it shows the job, its progress and the video

    def _cmd_link(self, ns: argparse.Namespace) -> Any:
        url = _session().link()
        label = html.escape(ui_text("magic.open_project"))
        return HTML(f'<a href="{html.escape(url)}" target="_blank">{label}</a>')

    def _chat(self, ns: argparse.Namespace, body: str) -> None:
        text = interpolate(body, self.shell.user_ns if self.shell is not None else {}).strip()
        if not text:
            raise _fail(ui_text("magic.empty_cell"))
        cell = nemo_widgets.ChatCell(_session(), compact=not ns.no_wait)
        fut = cell.ask(text)
        if ns.no_wait:
            display(cell)
            return
        handle = display(cell, display_id=True)
        try:
            while not fut.done():
                # Lock waits with a timeout stay interruptible by Ctrl-C (KeyboardInterrupt).
                concurrent.futures.wait([fut], timeout=_REFRESH)
        except KeyboardInterrupt:
            # The message is already sent: never send it again; the reply finishes by itself.
            print(ui_text("magic.stopped"))
            return
        handle.update(cell)  # the fallback (no front end) now carries the reply
        if (exc := fut.exception()) is not None:
            print(f"❌ {exc}" if isinstance(exc, NemoError) else f"❌ {type(exc).__name__}: {exc}")


def _session() -> Any:
    try:
        return sessions.current()
    except (LookupError, RuntimeError, NemoError) as exc:
        raise UsageError(f"{ui_text('magic.no_session')} ({exc})") from None


def register(ipython: Any) -> None:
    """Register `%nemo` / `%%nemo` on an IPython shell."""
    _localize()  # in the active language
    ipython.register_magics(NemoMagics)


_localize()
