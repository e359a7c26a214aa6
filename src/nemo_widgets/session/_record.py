"""`connect(record=...)`: the next recorded turn with this message and state is replayed, else the
run goes live and rewrites the rest; media go by content hash (`media:<sha256>`), not by id."""

from __future__ import annotations

import base64
import contextlib
import copy
import dataclasses
import hashlib
import json
import logging
import os
import warnings
from collections.abc import AsyncGenerator, Callable, Iterable, Mapping, Sequence
from contextlib import aclosing
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlsplit, urlunsplit

from .._text import ui_text
from ..api._auth import write_atomic
from ..draft import diff_drafts
from ..errors import RecordError, redact
from ..events import Changes, Event, Notice, Offer, Replayed, ReplyView, Text

if TYPE_CHECKING:
    from ._host import Host

FORMAT = "nemo_widgets.record"
VERSION = 1
NOTE = (
    "Recorded chat turns of a nemo_widgets notebook: running it again replays these replies "
    "(no call to the chat, no credits) and renders the same draft. To ask again, change the "
    "message, pass refresh=True to connect() or chat(), or delete this file."
)
_ID, _URL = "media:", "media-url:"


class Unmapped(LookupError):
    """A recorded draft names media that this session has not uploaded."""


@dataclasses.dataclass(frozen=True)
class Turn:
    """One recorded chat turn: the message, the state it was sent in, the reply, the result."""

    message: str
    before: str  # fingerprint()
    text: str
    draft: dict[str, Any]  # canonical(): media by content hash
    changes: tuple[str, ...] = ()
    offers: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        reply: dict[str, Any] = {"text": self.text, "changes": list(self.changes)}
        reply["offers"] = [list(o) for o in self.offers]
        return {"message": self.message, "before": self.before, "reply": reply, "draft": self.draft}

    @classmethod
    def from_json(cls, data: Any) -> Turn:
        """Read a stored turn; `ValueError` if it is not one."""
        reply = data["reply"]
        turn = cls(
            message=data["message"],
            before=data["before"],
            text=reply["text"],
            draft=data["draft"],
            changes=tuple(reply.get("changes", ())),
            offers=tuple((a, t) for a, t in reply.get("offers", ())),
        )
        fields = (turn.message, turn.before, turn.text, *turn.changes, *sum(turn.offers, ()))
        if not all(isinstance(s, str) for s in fields) or not isinstance(turn.draft, dict):
            raise ValueError("a turn holds strings and a draft object")
        return turn


@dataclasses.dataclass(frozen=True)
class Record:
    """The whole file: where it was made, the uploads it was made with, its turns in order."""

    uploads: tuple[dict[str, Any], ...] = ()
    turns: tuple[Turn, ...] = ()
    backend: str = ""  # "local" | "cloud": a record replays only on the kind that made it
    language: str = ""


def _strip_query(text: str) -> str:
    if "://" in text and ("?" in text or "#" in text):
        with contextlib.suppress(ValueError):
            return urlunsplit(urlsplit(text)._replace(query="", fragment=""))
    return text


def _strings(value: Any, change: Callable[[str], str]) -> Any:
    if isinstance(value, dict):
        return {k: _strings(v, change) for k, v in value.items()}
    if isinstance(value, list):
        return [_strings(v, change) for v in value]
    return change(value) if isinstance(value, str) else value


def canonical(draft: Any, ids: Mapping[str, str], urls: Mapping[str, str]) -> Any:
    """Media ids / URLs (-> sha256) as content tokens, other URLs without their query (keys)."""
    tokens = {k: _URL + v for k, v in urls.items()} | {k: _ID + v for k, v in ids.items()}
    return _strings(draft, lambda text: tokens.get(text) or _strip_query(text))


def restore(draft: Any, ids: Mapping[str, str], urls: Mapping[str, str]) -> Any:
    """A recorded draft in this session's ids / URLs (sha256 -> them); `Unmapped` if one lacks."""
    media = {_ID + k: v for k, v in ids.items()} | {_URL + k: v for k, v in urls.items()}

    def back(text: str) -> str:
        if text.startswith((_ID, _URL)) and text not in media:
            raise Unmapped(text)
        return media.get(text, text)

    return _strings(draft, back)


def fingerprint(draft: Any, media: Iterable[str]) -> str:
    """The state a message is sent in: the canonical draft and the uploads' hashes, in order."""
    basis = json.dumps({"draft": draft, "media": list(media)}, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def dumps(record: Record, secrets_: Iterable[str] = ()) -> str:
    """The file's text: sorted keys, indented, nothing that could be a token."""
    doc = {"format": FORMAT, "version": VERSION, "note": NOTE, **dataclasses.asdict(record)}
    doc["turns"] = [t.to_json() for t in record.turns]
    text = json.dumps(doc, sort_keys=True, indent=1, ensure_ascii=False) + "\n"
    for secret in filter(None, secrets_):  # plain, URL-encoded, base64 (with and without '=')
        b64 = base64.b64encode(secret.encode()).decode()
        urlsafe = base64.urlsafe_b64encode(secret.encode()).decode()
        forms = {secret, quote(secret, safe=""), b64, b64.rstrip("="), urlsafe, urlsafe.rstrip("=")}
        forms |= {json.dumps(f, ensure_ascii=False)[1:-1] for f in forms}  # as the file spells it
        for form in sorted(forms, key=len, reverse=True):  # longest first: one may hold another
            text = text.replace(form, "[redacted]")
    return redact(text)


def loads(text: str, where: str = "the record") -> Record:
    """`RecordError` for another kind or a newer version; `ValueError` for a damaged one of ours."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise ValueError(f"{where} is not valid JSON ({exc})") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise RecordError(
            f"{where} is not a nemo_widgets record",
            hint="Give connect(record=...) a file of its own, such as 'promo.nemo.json'.",
        )
    if not isinstance(version := doc.get("version"), int) or version > VERSION:
        raise RecordError(
            f"{where} has format version {version!r}; this nemo_widgets reads {VERSION}",
            hint="Upgrade nemo_widgets, or pass refresh=True to make a new record.",
        )
    try:
        uploads = tuple(dict(u) for u in doc.get("uploads", ()))
        if not all(isinstance(u.get("sha256"), str) for u in uploads):
            raise ValueError("an upload without its sha256")
        turns = tuple(Turn.from_json(t) for t in doc.get("turns", ()))
        return Record(uploads, turns, str(doc.get("backend", "")), str(doc.get("language", "")))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{where} is damaged ({type(exc).__name__}: {exc})") from None


log = logging.getLogger("nemo_widgets.record")
Batch = list[Event]


class RecordWarning(UserWarning):
    """A damaged record file: ignored, and replaced by the next recorded turn."""


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
        self.old = Record()
        self.live = refresh  # once True, every turn goes to the backend and is recorded
        self.turns: list[Turn] = []  # this run's: the replayed ones, then the live ones
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
            old = loads(self.path.read_text(encoding="utf-8"), where=self.path.name)
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
        canon = canonical(draft, self.ids, self.urls)
        return fingerprint(canon, [u["sha256"] for u in self.uploads])

    def view(self, state: Any) -> Any:
        """The session's state with the replayed draft as its draft (while there is one)."""
        self._raw = state.draft
        if self.draft is not None and self.live and state.draft != self._lagging:
            self.draft = None  # the backend made a draft of its own since: it is the timeline now
        if self.draft is None:
            return state
        return dataclasses.replace(state, draft=copy.deepcopy(self.draft))

    def replay(self, text: str, draft: dict[str, Any]) -> Turn | None:
        """The recorded turn for `text` in `draft`'s state (its draft: `self.draft`), or None."""
        if self.live or len(self.turns) >= len(self.old.turns):
            return None
        turn = self.old.turns[len(self.turns)]
        if turn.message != text or turn.before != self.fingerprint(draft):
            return None
        ids, urls = ({v: k for k, v in m.items()} for m in (self.ids, self.urls))
        try:
            self.draft = restore(turn.draft, ids, urls)
        except Unmapped:
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

    def add(self, turn: Turn) -> None:
        """Record a live turn and write the file (a disk that refuses costs the record only)."""
        self.turns.append(turn)
        record = Record(tuple(self.uploads), tuple(self.turns), self.backend, self.language)
        try:
            write_atomic(self.path, dumps(record, self.secrets()))
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
            shown: Batch = [Replayed(ui_text("chat.replayed", session.language))]
            if turn.changes:
                changes += diff_drafts(before.draft, rec.draft)
                shown.append(Changes(turn.changes))
            shown.append(Text(turn.text))
            yield shown + [Offer(action, offer) for action, offer in turn.offers]
            return
        if rec.diverge():
            yield [Notice(ui_text("chat.replay_behind", session.language))]
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
    after = canonical((await session.astate()).draft, rec.ids, rec.urls)
    rec.add(Turn(text, sent_in, view.text, after, tuple(view.changes), offers))
