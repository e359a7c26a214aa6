"""The shape of a model call's streamed chunks, to read the next chunks by their varying values.

ADK sends the chunks of one model call as copies of one event that differ in their text and in
a few top-level values: `timestamp` (refreshed per chunk) and, in ADK 1.x, `id`. Once a chunk
has been read in full, `learn` finds where its text lies in its bytes, and the values that
differ from the chunk read in full before it, and keeps the bytes around them (the pieces). A
later chunk made of the same pieces with one JSON value in each hole is the same event but for
those values, so `Shape.read` parses the holes only. Each hole must hold exactly one JSON value
of its kind (a string, or a number) and nothing else, so a look-alike fails and is read in full.

Why that is enough: JSON is context-free and a value token is atomic, so swapping one complete
value token for another leaves the rest of the parse as it was. `learn` checks that each hole is
exactly the value it stands for by parsing the chunk with probe values in the holes and
comparing with the event read in full, probes put in the same places.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from itertools import chain, pairwise, repeat
from typing import Any

__all__ = ["Shape", "learn"]

Loads = Callable[[bytes], Any]

_PREFIX = b"data: "
_SCALARS = frozenset((str, int, float))
# Where a string or number token ends when a shape is learnt; parsing the slice checks it.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|-?[0-9][0-9.eE+-]*')
_STRING_PROBE = (b'"\\u0001"', "\x01")
_NUMBER_PROBE = (b"0", 0)
_FAILURES = (ValueError, StopIteration, RecursionError)  # what a loads may raise on bad bytes
_QUOTE, _BACKSLASH = 34, 92
_NUMBER_STARTS = frozenset(b"-0123456789")
_DIGITS = frozenset(b"0123456789")
# One string or number token, lexically (no line break); parsing checks the rest.
_STRING_TOKEN = rb'("[^"\\\n]*(?:\\.[^"\\\n]*)*")'
_NUMBER_TOKEN = rb"(-?[0-9][0-9.eE+-]*)"
_TEXT, _STRING, _NUMBER = 0, 1, 2  # kinds of hole


class Shape:
    """The pieces of a chunk around its holes; `read` gives a fitting chunk's text, else None.

    A hole is read as one token: a string from its opening quote to its closing one, a number
    from its sign or first digit to its last digit. Nothing else fits (no white space around a
    value, so no line break either), and the token must parse.
    """

    __slots__ = ("first", "holes", "kinds", "last", "middle", "pattern", "start")

    def __init__(self, pieces: list[bytes], kinds: list[int]) -> None:
        self.first, self.last, self.start = pieces[0], pieces[-1], len(pieces[0])
        # (kind, the piece after the hole or None for the last hole, its first byte)
        after: list[bytes | None] = [*pieces[1:-1], None]
        self.holes = tuple(
            (kind, piece, piece[:1] if piece else b"")
            for kind, piece in zip(kinds, after, strict=True)
        )
        self.kinds, self.middle = tuple(kinds), tuple(pieces[1:-1])
        # whole messages one after another: the pieces, and a lexical token in each hole
        tokens = [_NUMBER_TOKEN if kind == _NUMBER else _STRING_TOKEN for kind in kinds]
        around = [*pieces[1:-1], self.last + b"\n\n"]
        pattern = b"".join(t + re.escape(p) for t, p in zip(tokens, around, strict=True))
        self.pattern = re.compile(re.escape(self.first) + pattern)

    def read(self, block: bytes, loads: Loads) -> str | None:
        if not (block.startswith(self.first) and block.endswith(self.last)):
            return None
        pos, stop, text = self.start, len(block) - len(self.last), None
        try:
            for kind, piece, mark in self.holes:
                if kind == _NUMBER:
                    end = stop if piece is None else block.find(mark, pos, stop)
                    if (
                        end <= pos
                        or block[pos] not in _NUMBER_STARTS
                        or block[end - 1] not in _DIGITS
                    ):
                        return None
                    loads(block[pos:end])
                else:
                    if block[pos] != _QUOTE:
                        return None
                    end = block.find(b'"', pos + 1, stop) + 1
                    if end <= 0:
                        return None
                    if block[end - 2] == _BACKSLASH:  # maybe an escaped quote: find what follows
                        end = stop if piece is None else block.find(piece, pos, stop)
                        if end <= pos or block[end - 1] != _QUOTE:
                            return None
                    value = loads(block[pos:end])
                    if kind == _TEXT:
                        text = value
                if piece is None:
                    if end != stop:
                        return None
                elif block.startswith(piece, end):
                    pos = end + len(piece)
                else:
                    return None
        except _FAILURES:
            return None
        return text

    def read_run(self, buf: bytes, loads: Loads) -> tuple[list[str], int]:
        """The texts of the whole messages in `buf` if every one fits, and their length in bytes;
        else nothing (then they are read one by one).

        Per message this runs no Python code. One regular expression cuts every message at its
        pieces, each value lexically one string or number token; putting the messages back
        together from the pieces and the values must give the buffer byte for byte; then each
        kind of value is parsed in one go, which checks every token.
        """
        cut = buf.rfind(b"\n\n") + 2
        if cut < 2 or not buf.startswith(self.first):
            return [], 0
        region = buf[:cut]
        found = self.pattern.findall(region)
        if not found:
            return [], 0
        columns = [found] if len(self.kinds) == 1 else list(zip(*found, strict=True))
        between = [repeat(piece) for piece in (*self.middle, self.last + b"\n\n")]
        messages = zip(repeat(self.first), *chain(*zip(columns, between, strict=True)))
        rebuilt = b"".join(chain.from_iterable(messages))
        if rebuilt != region:
            return [], 0
        texts: list[str] = []
        try:
            for kind, column in zip(self.kinds, columns, strict=True):
                parsed = loads(b"[" + b",".join(column) + b"]")
                if len(parsed) != len(found):
                    return [], 0
                if kind == _TEXT:
                    texts = parsed
        except _FAILURES:
            return [], 0
        return texts, cut


def learn(block: bytes, loads: Loads, previous: bytes | None = None) -> Shape | None:
    """The shape of `block`, a `data: ` line already read in full as a streamed text chunk.

    Its holes: the text, and each top-level string or number that differs from the chunk read
    in full before it (`previous`), such as ADK's per-chunk `timestamp`.
    """
    raw = block[len(_PREFIX) :]
    try:
        event = loads(raw)
        part = event["content"]["parts"][0]
        before = loads(previous[len(_PREFIX) :]) if previous is not None else None
    except (*_FAILURES, KeyError, TypeError, IndexError):
        return None
    text = _text_hole(raw, event, part, loads)
    if text is None:
        return None
    holes = [text]
    if isinstance(before, dict):
        for key, value in event.items():
            if key != "content" and value.__class__ in _SCALARS and before.get(key) != value:
                hole = _value_hole(raw, event, key, loads)
                if hole is not None and not _overlaps(hole, holes):
                    holes.append(hole)
    holes.sort()
    if len(holes) > 1 and not _fits(raw, holes, event, part, loads):
        holes = [text]  # each hole checked alone, not together: keep the one that matters
    pieces = [_PREFIX + raw[: holes[0][0]]]
    pieces += [raw[a[1] : b[0]] for a, b in pairwise(holes)]
    pieces.append(raw[holes[-1][1] :])
    kinds = [
        _TEXT if key is None else _STRING if isinstance(event[key], str) else _NUMBER
        for _, _, key in holes
    ]
    return Shape(pieces, kinds)


Hole = tuple[int, int, str | None]  # start, end, the top-level key (None: the text)


def _text_hole(raw: bytes, event: Any, part: Any, loads: Loads) -> Hole | None:
    """The text literal, looked up as the common encoders write it (UTF-8 or ASCII-escaped)."""
    text = part.get("text")
    if not isinstance(text, str):
        return None
    utf8 = json.dumps(text, ensure_ascii=False).encode(errors="surrogatepass")
    for literal in {utf8, json.dumps(text).encode()}:
        for key in (b'"text":', b'"text": '):
            at = raw.find(key + literal)
            while at >= 0:
                hole = (at + len(key), at + len(key) + len(literal), None)
                if _fits(raw, [hole], event, part, loads):
                    return hole
                at = raw.find(key + literal, at + 1)
    return None


def _value_hole(raw: bytes, event: Any, key: str, loads: Loads) -> Hole | None:
    """The token of a top-level string or number field, if it is certain."""
    for name in (f'"{key}":'.encode(), f'"{key}": '.encode()):
        at = raw.find(name)
        while at >= 0:
            token = _TOKEN.match(raw, at + len(name))
            if token is not None:
                hole = (token.start(), token.end(), key)
                if _fits(raw, [hole], event, None, loads):
                    return hole
            at = raw.find(name, at + 1)
    return None


def _overlaps(hole: Hole, holes: list[Hole]) -> bool:
    return any(hole[0] < h[1] and h[0] < hole[1] for h in holes)


def _fits(raw: bytes, holes: list[Hole], event: Any, part: Any, loads: Loads) -> bool:
    """Whether `raw` with probes in `holes` (sorted) reads as `event` with the probes in place."""
    out, pos, saved = [], 0, []
    for start, end, key in holes:
        target, name = (part, "text") if key is None else (event, key)
        value = target[name]
        literal, probe = _STRING_PROBE if isinstance(value, str) else _NUMBER_PROBE
        out += [raw[pos:start], literal]
        pos = end
        saved.append((target, name, value))
        target[name] = probe
    out.append(raw[pos:])
    try:
        return bool(loads(b"".join(out)) == event)
    except _FAILURES:
        return False
    finally:
        for target, name, value in reversed(saved):
            target[name] = value
