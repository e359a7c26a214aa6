"""The one error tree: every failure the user should see is a `NemoError` (`.code`, `.hint`), a
subclass per contract code; no message holds the token (`redact()` scrubs the server's text)."""

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


def redact(text: str) -> str:
    """Replace anything shaped like a token in `text`."""
    return _TOKEN_RE.sub("[redacted]", text)


class NemoError(Exception):
    """A failure the user should see; `.hint` is the contract's advice (the catalog's `hint_key`
    in the session's language unless the raiser gives one)."""

    hint_key = ""
    default_hint = ""  # the hint in English (set from `hint_key`)

    def __init_subclass__(cls, hint_key: str = "", **kw: Any) -> None:
        super().__init_subclass__(**kw)
        cls.hint_key = hint_key or cls.hint_key  # the keyword, or a `hint_key` attribute
        if cls.hint_key:
            cls.default_hint = ui_text(cls.hint_key, "en", formats=SUPPORTED)

    def __init__(self, message: str, *, code: int | None = None, hint: str | None = None) -> None:
        self.message = redact(message)
        self.code = code
        if hint is None:  # a class with only an English `default_hint` keeps it
            hint = ui_text(self.hint_key, formats=SUPPORTED) if self.hint_key else self.default_hint
        self.hint = hint
        super().__init__(self.message)

    def __str__(self) -> str:
        return f"{self.message} — {self.hint}" if self.hint else self.message


class AuthError(NemoError, hint_key="hint.auth"):
    """1001: the token was refused, even after a fresh anonymous token."""


class SessionNotFound(NemoError, hint_key="hint.session_not_found"):
    """1002: the backend forgot the session."""


class NoCredits(NemoError, hint_key="hint.no_credits"):
    """2001: the balance is too low; an anonymous user gets the registration link as the hint."""

    def __init__(self, message: str, *, register_url: str | None = None, **kw: Any) -> None:
        self.register_url = register_url
        if register_url and "hint" not in kw:
            kw["hint"] = ui_text("hint.register", url=register_url)
        super().__init__(message, **kw)


class UnsupportedFile(NemoError, hint_key="hint.unsupported"):
    """4001: the file's type is not accepted (by extension or by content)."""


class FileTooLarge(NemoError, hint_key="hint.too_large"):
    """4002: the file is over 500 MB."""


class ExportBlocked(NemoError, hint_key="hint.export_blocked"):
    """HTTP 402: the plan does not allow export (anonymous and free tokens cannot render)."""


class RateLimited(NemoError, hint_key="hint.rate_limited"):
    """HTTP 429 after the one automatic retry (none for the 7-day anonymous-token quota)."""


class RenderFailed(NemoError, hint_key="hint.render_failed"):
    """A render job failed, and so did its one retry."""


class StreamTimeout(NemoError, hint_key="hint.stream_timeout"):
    """The chat stream went on too long without a reply (only heartbeats, or none at all)."""


class BackendUnavailable(NemoError, hint_key="hint.backend_unavailable"):
    """Connection refused, time-outs, 5xx after retries, bodies that are not the contract."""


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
