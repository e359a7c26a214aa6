"""Record and replay of chat turns, the session's half: the next recorded turn with this message
and state is replayed (no chat call); else the run goes live and rewrites the turns after it."""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import logging
import os
import warnings
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from contextlib import aclosing
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api._auth import write_atomic
from ..draft import diff_drafts
from ..events import Changes, Event, Notice, Offer, Replayed, ReplyView, Text
from . import _record

if TYPE_CHECKING:
    from ._host import Host


log = logging.getLogger("nemo_widgets.record")
MARKS = {"en": "replayed · no credits spent", "zh": "重放 · 未消耗积分"}
_BEHIND = (
    "ℹ️ The backend has not seen the replayed turns (a record cannot send it a draft): this "
    "message goes live from the uploaded media. To edit the recorded video live, re-run the "
    "notebook with connect(..., refresh=True)."
)
Batch = list[Event]


class RecordWarning(UserWarning):
    """A damaged record file: ignored, and replaced by the next recorded turn."""


def mark_for(language: str) -> str:
    return MARKS["zh"] if language.lower().startswith("zh") else MARKS["en"]


class Recorder:
    """One run's way through a record file: what matched so far, and what to write back."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        refresh: bool = False,
        backend: str = "local",
        language: str = "en",
    ) -> None:
        self.path = Path(path).expanduser().absolute()
        self.backend, self.language = backend, language
        self.old = _record.Record()
        self.live = refresh  # once True, every turn goes to the backend and is recorded
        self.turns: list[_record.Turn] = []  # this run's: the replayed ones, then the live ones
        self.uploads: list[dict[str, Any]] = []  # this run's, in order, as the file lists them
        self.ids: dict[str, str] = {}  # this run's media ids -> sha256
        self.urls: dict[str, str] = {}  # this run's media URLs -> sha256
        self.draft: dict[str, Any] | None = None  # the replayed draft, while the backend lags
        self._raw: Any = None  # the backend's own draft, as last read
        self._lagging: Any = None  # the backend's draft when the run went live after a replay
        self.secrets: Callable[[], Iterable[str]] = tuple
        if refresh or not self.path.exists():
            return
        try:
            old = _record.loads(self.path.read_text(encoding="utf-8"), where=self.path.name)
            if (old.backend, old.language) != (self.backend, self.language):
                made = f"the {old.backend or '?'} backend in {old.language or '?'}"
                now = f"the {self.backend} backend in {self.language}"
                raise ValueError(f"{self.path.name} was made on {made}, this session is on {now}")
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            message = f"{exc}: not replaying it; this run's turns will replace it"
            log.warning("%s", message)
            warnings.warn(message, RecordWarning, stacklevel=3)
        else:
            self.old = old

    def uploaded(self, media: Sequence[Any]) -> None:
        """Note uploads (a changed file has another hash: the next turn will not match)."""
        for m in media:
            # URL uploads: a hash of what the backend says it fetched
            sha = m.sha256 or hashlib.sha256(f"fetched|{m.name}|{m.size}".encode()).hexdigest()
            self.uploads.append({"sha256": sha, "name": m.name, "type": m.type, "size": m.size})
            if m.id:
                self.ids[m.id] = sha
            if m.url:
                self.urls[m.url] = sha

    def fingerprint(self, draft: dict[str, Any]) -> str:
        canonical = _record.canonical(draft, self.ids, self.urls)
        return _record.fingerprint(canonical, [u["sha256"] for u in self.uploads])

    def view(self, state: Any) -> Any:
        """The session's state with the replayed draft as its draft (while there is one)."""
        self._raw = state.draft
        if self.draft is not None and self.live and state.draft != self._lagging:
            self.draft = None  # the backend made a draft of its own since: it is the timeline now
        if self.draft is None:
            return state
        return dataclasses.replace(state, draft=copy.deepcopy(self.draft))

    def replay(self, text: str, draft: dict[str, Any]) -> _record.Turn | None:
        """The recorded turn for `text` in `draft`'s state (its draft: `self.draft`), or None."""
        if self.live or len(self.turns) >= len(self.old.turns):
            return None
        turn = self.old.turns[len(self.turns)]
        if turn.message != text or turn.before != self.fingerprint(draft):
            return None
        ids, urls = ({v: k for k, v in m.items()} for m in (self.ids, self.urls))
        try:
            self.draft = _record.restore(turn.draft, ids, urls)
        except _record.Unmapped:
            return None  # names a file this run has not uploaded
        self.turns.append(turn)
        return turn

    def diverge(self) -> bool:
        """From here on everything is live; True if a replayed draft is the timeline."""
        self.live = True
        # the replayed draft stays the timeline until the backend's own draft changes (a question
        # such as "what can you do?" keeps it; an edit replaces it with the backend's)
        self._lagging = copy.deepcopy(self._raw)
        return self.draft is not None

    def add(self, turn: _record.Turn) -> None:
        """Record a live turn and write the file (a disk that refuses costs the record only)."""
        self.turns.append(turn)
        record = _record.Record(tuple(self.uploads), tuple(self.turns), self.backend, self.language)
        try:
            write_atomic(self.path, _record.dumps(record, self.secrets()))
        except OSError as exc:
            log.warning("could not write the record %s: %s", self.path, exc)


async def record_turn(
    session: Host,
    text: str,
    refresh: bool,
    changes: list[Any],
    live: Callable[[], AsyncGenerator[Batch, None]],
) -> AsyncGenerator[Batch, None]:
    """One chat turn through the session's record, if any; replayed changes go to `changes`."""
    rec = session.recorder
    if rec is not None:
        before = await session.astate()
        turn = None if refresh else rec.replay(text, before.draft)
        if turn is not None:
            await session.astate()  # observers see the replayed draft as the session's state
            shown: Batch = [Replayed(mark_for(session.language))]
            if turn.changes:
                changes += diff_drafts(before.draft, rec.draft)
                shown.append(Changes(turn.changes))
            shown.append(Text(turn.text))
            yield shown + [Offer(action, offer) for action, offer in turn.offers]
            return
        if rec.diverge():
            yield [Notice(_BEHIND)]
            before = await session.astate()
        sent_in = rec.fingerprint(before.draft)
    view = ReplyView()
    async with aclosing(live()) as batches:
        async for batch in batches:
            for ev in batch:
                view.add(ev)
            yield batch
    offers = tuple((o.action, o.text) for o in view.offers)
    if rec is None or any(action == "retry" for action, _ in offers):
        return  # no record, or the stream dropped: nothing to freeze
    after = _record.canonical((await session.astate()).draft, rec.ids, rec.urls)
    rec.add(_record.Turn(text, sent_in, view.text, after, tuple(view.changes), offers))
