"""The envelope read leniently (`{"code", "data"}`, the render routes' `{"success", "data"}`) and
the typed error of a refusal: a body that is no envelope is a `NemoError` here, never further up."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from .._options import Options
from .._text import ui_text
from ..errors import BY_CODE, BackendUnavailable, NemoError, error_for
from . import _auth, _retry

DEFAULT_WEB_URL = "https://nemovideo.com"


def attribution_headers(options: Options, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The X-Skill-* headers sent on every request (missing ones make export fail with 402)."""
    return {
        "X-Skill-Source": options.skill_name,
        "X-Skill-Version": options.skill_version,
        "X-Skill-Platform": options.skill_platform or _auth.detect_platform(env),
    }


@dataclasses.dataclass(frozen=True)
class Outcome:
    """A parsed answer: `data` when `ok`, else the error `code` (envelope code or HTTP status)."""

    ok: bool
    status: int
    data: Any = None
    code: int | None = None
    message: str = ""
    envelope: bool = True


def _as_code(value: Any) -> int | None:
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _message(obj: Mapping[str, Any]) -> str:
    for key in ("message", "msg", "detail", "error"):
        value = obj.get(key)
        text = _message(value) if isinstance(value, Mapping) else value  # `"error": {"message"}`
        if isinstance(text, str) and text:
            return text
    return ""


def _envelope(status: int, obj: dict[str, Any], code: int | None, bare_ok: bool) -> Outcome:
    """`{"code", "data"}`, or (`code` None) the render routes' `{"success", "data"}`."""
    good = 200 <= status < 300
    if good and not code and obj.get("success") is not False:
        data = first(obj, "data", default={})
        if bare_ok and isinstance(data, dict):
            # one variant puts the render `status`/`output` beside `data`, not in it
            skip = ("success", "data") if code is None else ("code", "message", "data")
            data = {**{k: v for k, v in obj.items() if k not in skip}, **data}
        return Outcome(True, status, data)
    # `success: false` (with no code, or code 0 on a 2xx) is a refusal with a default text
    refused = code is None or (good and code == 0)
    if code is None:
        code = _as_code(first(obj.get("error"), "code"))
    if not good:
        code = code or status  # code 0 on an error status: trust the status
    # a refusal on a 2xx without a code is still the backend's clear answer: code stays None
    message = _message(obj) or ("request refused" if refused else "")
    return Outcome(False, status, obj, code or None, message)


def parse_body(status: int, body: bytes, *, bare_ok: bool = False) -> Outcome:
    """Parse a response body; `bare_ok` also takes a 2xx JSON object without the envelope."""
    try:
        obj = json.loads(body) if body.strip() else None
    except ValueError:  # UnicodeDecodeError too
        obj = None
    good = 200 <= status < 300
    if isinstance(obj, dict):
        code = _as_code(obj.get("code"))
        if code is not None or isinstance(obj.get("success"), bool):
            return _envelope(status, obj, code, bare_ok)
        if good and bare_ok:
            return Outcome(True, status, obj, envelope=False)
        if not good:
            return Outcome(False, status, obj, status, _message(obj), envelope=False)
    if good:
        kind = "an empty body" if not body.strip() else "a body that is not the JSON envelope"
        return Outcome(False, status, None, None, f"the backend answered {kind}", envelope=False)
    return Outcome(False, status, None, status, f"HTTP {status}", envelope=False)


def to_error(
    outcome: Outcome,
    what: str,
    *,
    path: str = "",
    web_url: str = DEFAULT_WEB_URL,
    anonymous: bool = False,
    user_id: str | None = None,
    fallback_bind: str | None = None,
) -> NemoError:
    """The typed error for a failed `outcome` of the call `what`, with the user's advice."""
    host = urlsplit(web_url).netloc or web_url  # how the vendor names the site in its texts
    text = f"{what}: {outcome.message or 'request failed'}"
    code, status = outcome.code, outcome.status
    if code == 2001 and anonymous:
        # the registration link binds the user's id, else the error's, else the session's
        ids = first(first(outcome.data, "data"), "user_id", "userId", "bind_id", "bindId")
        bind = user_id or ids or fallback_bind
        query = f"?bind={quote(bind, safe='')}" if isinstance(bind, str) and bind else ""
        return error_for(2001, text, register_url=f"{web_url.rstrip('/')}/register{query}")
    if code == 2001:
        return error_for(2001, text, hint=ui_text("hint.no_credits_host", host=host))
    if path == _retry.ANON_PATH and 429 in (status, code):
        return error_for(
            429,
            f"{what}: refused (429): anonymous tokens are a quota of one per client id, and about "
            "ten per network, every 7 days",
            hint="Waiting minutes will not help: keep using the token you have, or set NEMO_TOKEN "
            f"to the token of a registered account (register at {host}).",
        )
    if status == 429:  # the status decides, whatever code the body carries
        return error_for(429, text)
    if code is None and outcome.envelope and status < 500:
        return NemoError(text)  # `{"success": false, "error"}`: refused, not unreachable
    # the contract's codes keep their own class even on a 5xx status
    if code is None or (status >= 500 and code not in BY_CODE):
        return BackendUnavailable(text, code=code)
    if code == 402:
        return error_for(402, text, hint=ui_text("hint.export_blocked_host", host=host))
    return error_for(code, text)


def first(mapping: Any, *keys: str, default: Any = None) -> Any:
    """The first present, non-None value among `keys` (accepts both spellings of a field)."""
    values = (mapping.get(key) for key in keys) if isinstance(mapping, Mapping) else ()
    return next((value for value in values if value is not None), default)
