"""The typed error for a failed call, with the advice that depends on who the user is and where
the web app lives: 2001 (an anonymous user gets the registration link `?bind=<user_id>`, a
registered one the top-up text), 402 (register to unlock export) and a 429 on the anonymous-token
call (a 7-day quota, not congestion). Pure: no I/O, tested with tables."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlsplit

from .._text import ui_text
from ..errors import ExportBlocked, NemoError, NoCredits, RateLimited, redact
from ._request import Outcome, first, to_error

ANON_PATH = "/api/auth/anonymous-token"


def web_host(web_url: str) -> str:
    """`nemovideo.com` for `https://nemovideo.com`: how the vendor names the site in its texts."""
    return urlsplit(web_url).netloc or web_url


def register_url(web_url: str, user_id: str | None) -> str:
    """The registration link that keeps an anonymous user's projects (`?bind=<user_id>`)."""
    base = f"{web_url.rstrip('/')}/register"
    return f"{base}?bind={quote(user_id, safe='')}" if user_id else base


def error_for_outcome(
    outcome: Outcome,
    what: str,
    *,
    path: str,
    web_url: str,
    anonymous: bool,
    user_id: str | None = None,
    fallback_bind: str | None = None,
) -> NemoError:
    """The error for `outcome` of the call `what` on `path`. `user_id` is the caller's, when the
    backend told it; the error's own `user_id`/`bind_id`, then `fallback_bind`, fill in for it."""
    host = web_host(web_url)
    message = redact(outcome.message) or "request failed"
    if outcome.code == 2001:
        if anonymous:
            data: Any = first(outcome.data, "data")
            bind = user_id or first(data, "user_id", "userId", "bind_id", "bindId") or fallback_bind
            link = register_url(web_url, bind if isinstance(bind, str) else None)
            return NoCredits(f"{what}: {message}", register_url=link, code=2001)
        return NoCredits(
            f"{what}: {message}", code=2001, hint=ui_text("hint.no_credits_host", host=host)
        )
    if path == ANON_PATH and (outcome.status == 429 or outcome.code == 429):
        return RateLimited(
            f"{what}: refused (429): anonymous tokens are a quota of one per client id, and about "
            "ten per network, every 7 days",
            code=429,
            hint="Waiting minutes will not help: keep using the token you have, or set NEMO_TOKEN "
            f"to the token of a registered account (register at {host}).",
        )
    error = to_error(outcome, what)
    if isinstance(error, ExportBlocked):
        error.hint = ui_text("hint.export_blocked_host", host=host)
    return error
