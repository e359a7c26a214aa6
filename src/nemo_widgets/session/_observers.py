"""Observers of a Session: the widgets and progress bars follow it through `subscribe`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

__all__ = ["Observable", "Observer"]

log = logging.getLogger("nemo_widgets.session")

# Observer callback: (kind, payload). Kinds: "state" (State), "job" (RenderJob),
# "upload" (dict: name, sent, total), "download" (dict: id, sent, total), "chat" (Event),
# "credits" (Credits), "notice" (str).
Observer = Callable[[str, Any], None]


class Observable:
    """Something observers follow: `subscribe(observer)`; `emit(kind, payload)` tells them."""

    def __init__(self) -> None:
        self._observers: list[Observer] = []

    def subscribe(self, observer: Observer) -> Callable[[], None]:
        """Call `observer(kind, payload)` on every change; returns the unsubscribe function."""
        self._observers.append(observer)

        def unsubscribe() -> None:
            if observer in self._observers:
                self._observers.remove(observer)

        return unsubscribe

    def emit(self, kind: str, payload: Any) -> None:
        """Tell every observer; an observer's failure is logged, never raised into the workflow."""
        for observer in list(self._observers):
            try:
                observer(kind, payload)
            except Exception:
                log.exception("observer %r failed on %r", observer, kind)
