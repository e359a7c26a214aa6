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
# One string or number token, lexically (no line break); parsing it checks the rest.
_STRING_TOKEN = rb'("[^"\\\n]*(?:\\.[^"\\\n]*)*")'
_NUMBER_TOKEN = rb"(-?[0-9][0-9.eE+-]*)"
_TOKEN = re.compile(_STRING_TOKEN + b"|" + _NUMBER_TOKEN)  # where a value ends, when learning
_STRING_PROBE = (b'"\\u0001"', "\x01")
_NUMBER_PROBE = (b"0", 0)
_FAILURES = (ValueError, StopIteration, RecursionError)  # what a loads may raise on bad bytes
_TEXT, _STRING, _NUMBER = 0, 1, 2  # kinds of hole


class Shape:
    """The pieces of a chunk around its holes, and the pattern of a message that fits: the
    pieces with one string or number token (lexically) in each hole. Parsing the tokens then
    checks them, so a fitting message is the shape with its own values."""

    __slots__ = ("first", "kinds", "last", "message", "messages", "middle", "text")

    def __init__(self, pieces: list[bytes], kinds: list[int]) -> None:
        self.first, self.middle, self.last = pieces[0], tuple(pieces[1:-1]), pieces[-1]
        self.kinds, self.text = tuple(kinds), kinds.index(_TEXT)
        tokens = [_NUMBER_TOKEN if kind == _NUMBER else _STRING_TOKEN for kind in kinds]
        pattern = re.escape(self.first) + b"".join(
            t + re.escape(p) for t, p in zip(tokens, pieces[1:], strict=True)
        )
        self.message = re.compile(pattern)
        self.messages = re.compile(pattern + b"\n\n")  # one after another in a buffer

    def read(self, block: bytes, loads: Loads) -> str | None:
        """The text of one message (without its blank line) if it fits, else None."""
        # the ends first: most messages that do not fit differ there, and it is cheaper
        if not block.endswith(self.last) or (found := self.message.fullmatch(block)) is None:
            return None
        try:
            values = [loads(token) for token in found.groups()]
        except _FAILURES:
            return None
        return values[self.text]

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
        found = self.messages.findall(region)
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
