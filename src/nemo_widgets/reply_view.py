"""`ReplyView`: the one fold of a reply's events into what the user sees, so that the chat widget,
the demo and the tests agree, whether the events came from the backend, a route or the record."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from . import events as ev

__all__ = ["ReplyView"]

_SEPARATOR = "\n\n"  # between the reply and a line of the client's own


@dataclasses.dataclass
class ReplyView:
    """What the user sees of one reply: `add` its events in order (or `ReplyView.of(events)`)."""

    text: str = ""  # a TextDelta appends, a Text replaces (a final that differs corrects it)
    # a Routed before any text makes the reply a card; one after it (GUI translation) does not
    route: str = "chat"
    activity: ev.ToolCall | ev.StreamError | None = None  # the tool running, the last error
    notice: str = ""  # a status line, not part of the message; text clears it and `activity`
    offers: list[ev.Offer] = dataclasses.field(default_factory=list)
    mark: str = ""  # a reply from the record: nothing was sent, no credits spent
    changes: list[str] = dataclasses.field(default_factory=list)
    errors: list[str] = dataclasses.field(default_factory=list)
    ended: bool = False
    streamed: bool = False  # whether any text came

    @classmethod
    def of(cls, events: Iterable[ev.Event]) -> ReplyView:
        view = cls()
        for event in events:
            view.add(event)
        return view

    def add(self, event: ev.Event) -> str | None:
        """Fold one event in: the text it appended ("" if none), or None if it replaced `text`."""
        if isinstance(event, ev.TextDelta | ev.Text):
            self.streamed, self.activity, self.notice = True, None, ""
            before = self.text
            self.text = before + event.text if isinstance(event, ev.TextDelta) else event.text
            return self.text[len(before) :] if self.text.startswith(before) else None
        if isinstance(event, ev.ToolCall | ev.StreamError):
            self.activity = event
        if isinstance(event, ev.StreamError):
            self.errors.append(event.message)
        elif isinstance(event, ev.Notice):
            self.notice = event.text
        elif isinstance(event, ev.Routed) and not self.streamed:
            self.route = event.action
        elif isinstance(event, ev.Offer):
            self.offers.append(event)
        elif isinstance(event, ev.Replayed):
            self.mark = event.text
        elif isinstance(event, ev.Changes):
            self.changes.extend(event.sentences)
        elif isinstance(event, ev.End):
            self.ended = True
        return ""

    def with_line(self, line: str) -> ev.Text:
        """The text with a line of the client's own under it (an error, what a stop found)."""
        return ev.Text(self.text + _SEPARATOR + line if self.text else line)
