"""Request building and envelope parsing: pure functions shared by every endpoint.

The contract's envelope is `{"code": 0, "data": {...}}`; a non-zero `code` is an error whatever
the HTTP status. The render endpoints of the vendor's documents answer `{"success": true, "data"}`
or `{"success": false, "error": "…"}` instead (the vendor's documents disagree): both are read here.
Proxies answer HTML, servers crash mid-body: anything that is not an envelope becomes a
`NemoError` here, never a `JSONDecodeError` or `KeyError` further up.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .._options import Options
from ..errors import BackendUnavailable, NemoError, error_for, redact
from ._auth import detect_platform

# the contract's codes, which keep their own class even on a 5xx status
KNOWN_CODES = frozenset({1001, 1002, 2001, 4001, 4002, 402, 429})


def attribution_headers(options: Options, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """The X-Skill-* headers sent on every request (missing ones make export fail with 402)."""
    return {
        "X-Skill-Source": options.skill_name,
        "X-Skill-Version": options.skill_version,
        "X-Skill-Platform": options.skill_platform or detect_platform(env),
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
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _message(obj: Mapping[str, Any]) -> str:
    for key in ("message", "msg", "detail", "error"):
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Mapping):  # `"error": {"code", "message"}`
            nested = _message(value)
            if nested:
                return nested
    return ""


def _merged(obj: Mapping[str, Any], envelope_keys: tuple[str, ...]) -> Any:
    data = obj.get("data")
    data = data if data is not None else {}
    if isinstance(data, dict):
        # one variant puts the render `status`/`output` beside `data`, not in it
        extras = {k: v for k, v in obj.items() if k not in envelope_keys}
        data = {**extras, **data}
    return data


def _success_envelope(status: int, obj: Mapping[str, Any], bare_ok: bool) -> Outcome:
    """`{"success": true, "data"}` / `{"success": false, "error"}` (the vendor's render routes)."""
    good_status = 200 <= status < 300
    if obj["success"] is True and good_status:
        data = _merged(obj, ("success", "data")) if bare_ok else obj.get("data")
        return Outcome(True, status, data if data is not None else {})
    error = obj.get("error")
    code = _as_code(obj.get("code"))
    if code is None and isinstance(error, Mapping):
        code = _as_code(error.get("code"))
    if not good_status and code in (None, 0):
        code = status
    # a refusal on a 2xx without a code is still the backend's clear answer: code stays None
    return Outcome(False, status, obj, code or None, _message(obj) or "request refused")


def parse_body(status: int, body: bytes, *, bare_ok: bool = False) -> Outcome:
    """Parse a response body. `bare_ok` also accepts a JSON object without the envelope on a 2xx
    (the render routes answer a top-level `status` in one variant of the contract)."""
    try:
        obj = json.loads(body) if body.strip() else None
    except (ValueError, UnicodeDecodeError):
        obj = None
    good_status = 200 <= status < 300
    if isinstance(obj, dict):
        code = _as_code(obj.get("code"))
        if code is not None:
            if code == 0 and good_status and obj.get("success") is not False:
                if bare_ok:
                    return Outcome(True, status, _merged(obj, ("code", "message", "data")))
                data = obj.get("data")
                return Outcome(True, status, data if data is not None else {})
            if code == 0 and good_status:
                return _success_envelope(status, obj, bare_ok)
            # code 0 on an error status: trust the status
            return Outcome(False, status, obj, code or status, _message(obj))
        if isinstance(obj.get("success"), bool):
            return _success_envelope(status, obj, bare_ok)
        if good_status and bare_ok:
            return Outcome(True, status, obj, envelope=False)
        if not good_status:
            return Outcome(False, status, obj, status, _message(obj), envelope=False)
    if good_status:
        kind = "an empty body" if not body.strip() else "a body that is not the JSON envelope"
        return Outcome(False, status, None, None, f"the backend answered {kind}", envelope=False)
    return Outcome(False, status, None, status, f"HTTP {status}", envelope=False)


def to_error(outcome: Outcome, what: str, **kw: Any) -> NemoError:
    """The typed error for a failed outcome of the call named `what`."""
    message = redact(outcome.message) or "request failed"
    text = f"{what}: {message}"
    if outcome.status == 429:  # the status decides, whatever code the body carries
        return error_for(429, text, **kw)
    if outcome.code is None and outcome.envelope and outcome.status < 500:
        return NemoError(text)  # `{"success": false, "error"}`: refused, not unreachable
    if outcome.code is None or (outcome.status >= 500 and outcome.code not in KNOWN_CODES):
        return BackendUnavailable(text, code=outcome.code)
    return error_for(outcome.code, text, **kw)


def first(mapping: Any, *keys: str, default: Any = None) -> Any:
    """The first present, non-None value among `keys` (accepts both spellings of a field)."""
    if isinstance(mapping, Mapping):
        for key in keys:
            value = mapping.get(key)
            if value is not None:
                return value
    return default


def same_origin(url: str, base: str) -> bool:
    """Whether `url` (a path, or an absolute URL) goes to the API at `base` (gets the token)."""
    if not url.startswith(("http://", "https://")):
        return True
    a, b = urlsplit(url), urlsplit(base)
    return (a.scheme, a.netloc) == (b.scheme, b.netloc)


def streamable(content_type: str, kind: str) -> bool:
    """Whether a 2xx answer of this type is the stream (`"sse"`) or file (`"bytes"`) asked for."""
    if kind == "sse":
        return content_type.startswith("text/event-stream")
    return not content_type.startswith("application/json")  # an envelope error may come as 200
