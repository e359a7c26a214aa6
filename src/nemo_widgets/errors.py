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
    ├── DraftError            a draft that cannot be read, written or exported
    ├── RecordError           a `connect(record=...)` file of another kind or a newer version
    └── InputError            (also a ValueError) a path or URL that cannot be uploaded at all

No message ever contains the token: messages are built from codes, paths and server messages,
and `redact()` scrubs anything token-shaped from server text before it is used.
"""

from __future__ import annotations

import re
from typing import Any

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
    "StreamTimeout",
    "UnsupportedFile",
    "error_for",
    "redact",
]

SUPPORTED_FORMATS = "mp4, mov, avi, webm, mkv, jpg, png, gif, webp, mp3, wav, m4a, aac"
_TOKEN_RE = re.compile(r"(nmv_[A-Za-z0-9_\-]+|Bearer\s+\S+)")


def redact(text: str) -> str:
    """Replace anything shaped like a token in `text`."""
    return _TOKEN_RE.sub("[redacted]", text)


class NemoError(Exception):
    """A failure the user should see, with the contract's advice in `.hint`."""

    default_hint = ""

    def __init__(self, message: str, *, code: int | None = None, hint: str | None = None) -> None:
        self.message = redact(message)
        self.code = code
        self.hint = self.default_hint if hint is None else hint
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class AuthError(NemoError):
    """The token was refused (1001) even after a fresh anonymous token."""

    default_hint = "Check NEMO_TOKEN, or unset it to use a free anonymous token."


class SessionNotFound(NemoError):
    """The backend does not know the session (1002)."""

    default_hint = "A new session was needed: run connect() again."


class NoCredits(NemoError):
    """The balance is too low for the request (2001): an anonymous user gets the registration
    link (the vendor's wording), a registered one the top-up text."""

    default_hint = "Top up at nemovideo.com."

    def __init__(self, message: str, *, register_url: str | None = None, **kw: Any) -> None:
        self.register_url = register_url
        if register_url and "hint" not in kw:
            kw["hint"] = (
                "Your free credits are used up! Register to get 100 more credits, and your "
                f"project history will be preserved: {register_url}"
            )
        super().__init__(message, **kw)


class UnsupportedFile(NemoError):
    """The file's type is not accepted (4001)."""

    default_hint = f"Supported formats: {SUPPORTED_FORMATS}."


class FileTooLarge(NemoError):
    """The file is over the 500 MB limit (4002)."""

    default_hint = "Compress or trim it below 500 MB."


class ExportBlocked(NemoError):
    """Export refused by the plan (HTTP 402): not a credits problem (anonymous and free tokens
    lack the render scope)."""

    default_hint = "Register at nemovideo.com to unlock export."


class RateLimited(NemoError):
    """Too many requests (HTTP 429), still refused after waiting once."""

    default_hint = "Wait a minute and try again."


class RenderFailed(NemoError):
    """A render job failed, and so did its one retry."""

    default_hint = "Check the draft (session.summary()) and export again."


class StreamTimeout(NemoError):
    """The chat stream went on too long without any text."""

    default_hint = "The edit may still finish: check session.summary() before sending again."


class BackendUnavailable(NemoError):
    """The backend could not be reached or answered something that is not the contract."""

    default_hint = "Check your connection or the backend URL, then try again."


class DraftError(NemoError):
    """A draft that cannot be read, written or exported."""

    default_hint = "Fix the named track and segment, then try again."


class RecordError(NemoError):
    """A `connect(record=...)` file that is not a record this version can read."""

    default_hint = "Give connect(record=...) a file of its own, or pass refresh=True."


class InputError(NemoError, ValueError):
    """A path or URL that cannot be uploaded at all (missing, a directory, malformed)."""

    default_hint = "Give existing media files, globs such as 'shots/*.jpg', or http(s) URLs."


_BY_CODE: dict[int, type[NemoError]] = {
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
    return _BY_CODE.get(code, NemoError)(message, code=code, **kw)
