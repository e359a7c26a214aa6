"""A comm that records what a widget would send to the browser (tests and the chat benchmark).

with recording() as comms:
    cell = ChatCell(session)
comms[-1].custom("delta")          # the custom messages of that kind
rebuild_reply(comms[-1].custom("delta"))   # the reply as a view shows it
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import comm as comm_module

from nemo_widgets.widgets._coalesce import utf16_len


def rebuild_reply(deltas: Iterable[dict[str, Any]]) -> str:
    """The reply as a view rebuilds it from ChatCell's `delta` messages, as js/chat.ts does;
    each must start where the text so far ends (its `offset`, in UTF-16 units)."""
    text = ""
    for d in deltas:
        text = d.get("replace", text)
        if d["offset"] != utf16_len(text):
            raise ValueError(f"a delta starts at {d['offset']}, the text ends at {utf16_len(text)}")
        text += d["text"]
    return text


class RecordingComm:
    """Stands in for the kernel's comm and keeps every message sent to the browser."""

    def __init__(self, **kwargs: Any) -> None:
        self.comm_id = kwargs.get("comm_id") or f"comm{id(self)}"
        self.kernel = object()  # ipywidgets only sends when a kernel is attached
        self.opened = kwargs
        self.sent: list[tuple[dict[str, Any], list[bytes]]] = []
        self.closed = False
        self._lock = threading.Lock()

    def send(self, data: Any = None, metadata: Any = None, buffers: Any = None) -> None:
        with self._lock:
            self.sent.append((data, [bytes(b) for b in buffers or []]))

    def on_msg(self, callback: Callable[..., Any]) -> None:
        """Messages from the browser are injected with the widget's `_handle_custom_msg`."""
        self.callback = callback

    def close(self, *args: Any, **kwargs: Any) -> None:
        self.closed = True

    def custom(self, kind: str | None = None) -> list[dict[str, Any]]:
        """Custom messages sent (optionally of one kind)."""
        return [m for m, _ in self.buffers(kind)]

    def buffers(self, kind: str | None) -> list[tuple[dict[str, Any], list[bytes]]]:
        """Custom messages (optionally of one kind) with their buffers."""
        with self._lock:
            sent = [(d["content"], b) for d, b in self.sent if d.get("method") == "custom"]
        return [(m, b) for m, b in sent if kind is None or m.get("kind") == kind]

    def updates(self, key: str) -> list[Any]:
        """Values of trait `key` sent as state updates."""
        with self._lock:
            return [
                d["state"][key]
                for d, _ in self.sent
                if d.get("method") == "update" and key in d["state"]
            ]


@contextlib.contextmanager
def recording(factory: Callable[..., Any] = RecordingComm) -> Iterator[list[Any]]:
    """Widgets created inside get a comm made by `factory` (listed in creation order)."""
    made: list[Any] = []
    original = comm_module.create_comm

    def create_comm(**kwargs: Any) -> Any:
        made.append(factory(**kwargs))
        return made[-1]

    comm_module.create_comm = create_comm
    try:
        yield made
    finally:
        comm_module.create_comm = original
