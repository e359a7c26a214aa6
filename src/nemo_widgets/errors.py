"""The one error tree of nemo_widgets.

    NemoError                 any failure the user should see; `.code`, `.hint`
    ├── AuthError             1001: bad or expired token (after the one automatic retry)
    ├── SessionNotFound       1002: the backend forgot the session
    ├── NoCredits             2001: balance too low; `.register_url` for anonymous users
    ├── UnsupportedFile       4001: type not accepted (by extension or by content)
    ├── FileTooLarge          4002: over 500 MB
    ├── ExportBlocked         HTTP 402: the plan does not allow export
    ├── RateLimited           HTTP 429: after the one automatic retry (none for the 7-day
    │                         anonymous-token quota)
    ├── RenderFailed          a render job failed twice
    ├── StreamTimeout         the chat stream sent only heartbeats for too long
    ├── BackendUnavailable    connection refused, time-outs, 5xx after retries, non-envelope bodies
    │   └── StreamDropped     the chat stream broke after the message may have been delivered
    ├── DraftError            a draft that cannot be read, written or exported
    ├── RecordError           a `connect(record=...)` file of another kind or a newer version
    └── InputError            (also a ValueError) a path or URL that cannot be uploaded at all

No message ever contains the token: messages are built from codes, paths and server messages,
and `redact()` scrubs anything token-shaped from server text before it is used.
"""

from __future__ import annotations

import re
from typing import Any

from ._text import ui_text
from .formats import SUPPORTED

__all__ = [
    "AuthError",
    "BackendUnavailable",
    "DraftError",
    "ExportBlocked",
    "FileTooLarge",
    "InputError",
    "NemoError",
    "NoCredits",
    "RateLimited",
    "RecordError",
    "RenderFailed",
    "SessionNotFound",
    "StreamDropped",
    "StreamTimeout",
    "UnsupportedFile",
    "error_for",
    "redact",
]

_TOKEN_RE = re.compile(r"(nmv_[A-Za-z0-9_\-]+|Bearer\s+\S+)")


def _hint(key: str, lang: str | None = None) -> str:
    fields = {"formats": SUPPORTED} if key == "hint.unsupported" else {}
    return ui_text(key, lang, **fields)


def redact(text: str) -> str:
    """Replace anything shaped like a token in `text`."""
    return _TOKEN_RE.sub("[redacted]", text)


class NemoError(Exception):
    """A failure the user should see, with the contract's advice in `.hint`: the `_text` string
    `hint_key` in the session's language unless the raiser gives one."""

    hint_key = ""
    default_hint = ""  # the hint in English (set from `hint_key`)

    def __init_subclass__(cls, hint_key: str = "", **kw: Any) -> None:
        """`class X(NemoError, hint_key="hint.x")` (or a `hint_key` attribute) names the hint."""
        super().__init_subclass__(**kw)
        if hint_key:
            cls.hint_key = hint_key
        if hint_key or "hint_key" in cls.__dict__:
            cls.default_hint = _hint(cls.hint_key, "en")

    def __init__(self, message: str, *, code: int | None = None, hint: str | None = None) -> None:
        self.message = redact(message)
        self.code = code
        if hint is None:  # a class with only an English `default_hint` keeps it
            hint = _hint(self.hint_key) if self.hint_key else self.default_hint
        self.hint = hint
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class AuthError(NemoError, hint_key="hint.auth"):
    """The token was refused (1001) even after a fresh anonymous token."""


class SessionNotFound(NemoError, hint_key="hint.session_not_found"):
    """The backend does not know the session (1002)."""


class NoCredits(NemoError, hint_key="hint.no_credits"):
    """The balance is too low for the request (2001): an anonymous user gets the registration
    link (the vendor's wording), a registered one the top-up text."""

    def __init__(self, message: str, *, register_url: str | None = None, **kw: Any) -> None:
        self.register_url = register_url
        if register_url and "hint" not in kw:
            kw["hint"] = ui_text("hint.register", url=register_url)
        super().__init__(message, **kw)


class UnsupportedFile(NemoError, hint_key="hint.unsupported"):
    """The file's type is not accepted (4001)."""


class FileTooLarge(NemoError, hint_key="hint.too_large"):
    """The file is over the 500 MB limit (4002)."""


class ExportBlocked(NemoError, hint_key="hint.export_blocked"):
    """Export refused by the plan (HTTP 402): not a credits problem (anonymous and free tokens
    lack the render scope)."""


class RateLimited(NemoError, hint_key="hint.rate_limited"):
    """Too many requests (HTTP 429), still refused after waiting once."""


class RenderFailed(NemoError, hint_key="hint.render_failed"):
    """A render job failed, and so did its one retry."""


class StreamTimeout(NemoError, hint_key="hint.stream_timeout"):
    """The chat stream went on too long without any text."""


class BackendUnavailable(NemoError, hint_key="hint.backend_unavailable"):
    """The backend could not be reached or answered something that is not the contract."""


class StreamDropped(BackendUnavailable):
    """The chat connection broke after the message was sent: it may still be running."""


class DraftError(NemoError, hint_key="hint.draft"):
    """A draft that cannot be read, written or exported."""


class RecordError(NemoError, hint_key="hint.record"):
    """A `connect(record=...)` file that is not a record this version can read."""


class InputError(NemoError, ValueError, hint_key="hint.input"):
    """A path or URL that cannot be uploaded at all (missing, a directory, malformed)."""


BY_CODE: dict[int, type[NemoError]] = {
    1001: AuthError,
    1002: SessionNotFound,
    2001: NoCredits,
    4001: UnsupportedFile,
    4002: FileTooLarge,
    402: ExportBlocked,
    429: RateLimited,
}


def error_for(code: int, message: str, **kw: Any) -> NemoError:
    """The typed error for a contract error code (or HTTP status), `NemoError` for others."""
    return BY_CODE.get(code, NemoError)(message, code=code, **kw)
