"""What every widget shares: the session, the bundle paths and the `kind`/`id` protocol (a reply
is `{"kind": "reply", "id", "ok", ...}`; an error travels as data, never as a traceback)."""

from __future__ import annotations

import html
import logging
import math
import threading
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from .. import _loop
from .. import session as sessions
from .._text import labels_for, ui_lang, ui_text
from ..errors import NemoError

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent.parent / "static"

# A handler answers with a dict, a coroutine (run on the background loop) or a future, or raises.
Handler = Callable[[dict[str, Any], list[bytes]], Any]
_PROGRESS_INTERVAL = 0.1  # seconds between two progress updates of one transfer (trait syncs)


class NemoWidget(anywidget.AnyWidget):
    """Base of the widgets: a session, one intent dispatcher, replies and cleanup."""

    _css = STATIC / "styles.css"
    _areas: tuple[str, ...] = ()  # the `_text` areas whose strings this widget's view shows
    # The view's strings in the session's language (`_text.labels_for`), read by `js/lib/text.ts`.
    labels = traitlets.Dict().tag(sync=True)

    def __init__(self, session: sessions.Session | None = None, **kwargs: Any) -> None:
        self._session = session if session is not None else sessions.current()
        super().__init__(labels=labels_for(self.lang, *self._areas), **kwargs)
        self._handlers: dict[str, Handler] = {}
        self._send_lock = threading.RLock()
        self._stops: list[Callable[[], None]] = []  # undone on close: observers of the session
        self._running: dict[str, Future[Any]] = {}  # cancelled on close: transfers, video fetches
        self.on_msg(self._dispatch)

    @property
    def session(self) -> sessions.Session:
        """The session this widget is a view of."""
        return self._session

    @property
    def lang(self) -> str:
        """The session's UI language ("en" or "zh")."""
        return ui_lang(self._session.language)

    def _t(self, key: str, **fields: object) -> str:
        return ui_text(key, self.lang, **fields)

    def _error(self, key: str, hint: str, **fields: object) -> NemoError:
        return NemoError(self._t(key, **fields), hint=self._t(hint, **fields))

    def _dispatch(self, _widget: object, content: Any, buffers: list[Any]) -> None:
        if not isinstance(content, dict) or not isinstance(content.get("kind"), str):
            return
        msg_id = content.get("id")
        # Under the send lock: what a handler answers at once (a snapshot) stays in order with
        # the messages the background loop sends.
        with self._send_lock:
            try:
                handler = self._handlers.get(content["kind"])
                if handler is None:
                    raise NemoError(f"unknown request {content['kind']!r}")
                result = handler(content, [bytes(b) for b in buffers or []])
            except Exception as exc:
                result = exc
            if not isinstance(result, Coroutine | Future):
                self._reply(msg_id, result)
                return
        fut = _loop.submit(result) if isinstance(result, Coroutine) else result
        fut.add_done_callback(lambda done: self._reply(msg_id, done))

    def _reply(self, msg_id: Any, answer: Any) -> None:
        """Answer request `msg_id` with a dict's (or a done future's) fields, or with an error."""
        if isinstance(answer, Future) and answer.cancelled():
            answer = NemoError(self._t("error.cancelled"))
        elif isinstance(answer, Future):
            answer = answer.exception() or answer.result()
        if not isinstance(answer, BaseException):
            self._post({"kind": "reply", "id": msg_id, "ok": True, **(answer or {})})
            return
        if isinstance(answer, NemoError):
            error = {"type": type(answer).__name__, "message": answer.message, "hint": answer.hint}
        else:  # still shown to the user, without a traceback in the page
            log.warning("widget request failed", exc_info=answer)
            name = type(answer).__name__
            error = {"type": name, "message": str(answer) or name, "hint": ""}
        self._post({"kind": "reply", "id": msg_id, "ok": False, "error": error})

    def _post(self, content: dict[str, Any], buffers: list[bytes] | None = None) -> None:
        """Safe from the background thread (ipykernel ≥ 6); one lock keeps the messages in order."""
        with self._send_lock:
            self.send(content, buffers)

    def _follow(self, kind: str, show: Callable[[Any], None]) -> None:
        """Call `show(payload)` for each session event of `kind` until the widget closes."""
        self._stops.append(self._session.subscribe(lambda k, got: show(got) if k == kind else None))

    def close(self) -> None:
        """Stop observing the session, cancel what runs for the view, and close the widget."""
        while self._stops:
            self._stops.pop()()
        for fut in list(self._running.values()):
            fut.cancel()
        super().close()

    def _fallback(self) -> tuple[str, str]:
        """(text, HTML) shown where no widget front-end runs (nbconvert, GitHub, a terminal)."""
        raise NotImplementedError

    def _nothing(self, key: str) -> tuple[str, str]:
        """The fallback of a widget with nothing to show yet: its name and the `_text` line."""
        line = f"{type(self).__name__}: {self._t(key)}"
        return line, f"<p><em>{html.escape(line)}</em></p>"

    def _repr_mimebundle_(self, **kwargs: Any) -> tuple[dict[str, Any], dict[str, Any]] | None:
        if (bundle := super()._repr_mimebundle_(**kwargs)) is None:
            return None
        text, markup = self._fallback()
        return {**bundle[0], "text/plain": text, "text/html": markup}, bundle[1]


def throttled(show: Callable[[int, int], None]) -> Callable[[int, int], None]:
    """`show(done, total)` at most once per `_PROGRESS_INTERVAL` (a trait sync), and the last."""
    last = -math.inf

    def progress(done: int, total: int) -> None:
        nonlocal last
        if done >= total or time.monotonic() - last >= _PROGRESS_INTERVAL:
            last = time.monotonic()
            show(done, total)

    return progress


def list_trait() -> traitlets.List:
    return traitlets.List(traitlets.Dict()).tag(sync=True)
