"""The record file of `connect(record=...)` (pure, diffable JSON); media are named by content hash
(`media:<sha256>`): the same files uploaded again match, whatever ids a later session gives."""

from __future__ import annotations

import base64
import contextlib
import dataclasses
import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ..errors import RecordError, redact

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
