"""Who we are to the backend: token (never in a repr, log, error or URL), client id, platform; an
anonymous one is kept in `tokens.json` (0600): one per client id per 7 days, so kernels reuse it."""

from __future__ import annotations

import contextlib
import datetime
import hashlib
import json
import os
import secrets
import time
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import Any

RENEW_MARGIN = 300.0  # seconds before `expires_at` when an anonymous token is renewed
DEFAULT_TTL = 6 * 24 * 3600.0  # assumed life of a token whose answer gives none (7 days, less)


def token_expiry(expires_at: Any, expires_in: Any, now: float) -> float | None:
    """Epoch seconds from `expires_at` (ISO-8601, epoch s or ms) or `expires_in`, else None."""
    if isinstance(expires_at, str) and expires_at.strip():
        with contextlib.suppress(ValueError):  # epoch seconds or ms as text: the rule below
            return token_expiry(float(expires_at), None, now)
        with contextlib.suppress(ValueError):
            when = datetime.datetime.fromisoformat(expires_at.strip().replace("Z", "+00:00"))
            # no zone given: the vendor's examples are UTC ("…Z")
            return when.replace(tzinfo=when.tzinfo or datetime.timezone.utc).timestamp()
        return None
    if isinstance(expires_at, (int, float)) and not isinstance(expires_at, bool):
        return float(expires_at) / 1000.0 if expires_at > 1e11 else float(expires_at)
    if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool):
        return now + float(expires_in)
    return None


def config_dir() -> Path:
    """`$XDG_CONFIG_HOME/nemovideo`, else `~/.config/nemovideo` (HOME honoured, for tests)."""
    env = os.environ
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base) / "nemovideo"


def read_json(path: Path) -> dict[str, Any]:
    """A file's JSON object; {} when the file is missing, damaged or holds something else."""
    with contextlib.suppress(OSError, ValueError):
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    return {}


def write_atomic(path: Path, text: str, mode: int = 0o666) -> None:
    """Replace the file with `text` at once: a crash leaves the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def load_client_id(*, renew: bool = False) -> str:
    """`NEMO_CLIENT_ID`, else the stored id, else a new stored UUID (always new with `renew`)."""
    if not renew and os.environ.get("NEMO_CLIENT_ID"):
        return os.environ["NEMO_CLIENT_ID"].strip()
    path = config_dir() / "client_id"
    if not renew:
        with contextlib.suppress(OSError, ValueError):  # missing, unreadable or not a UUID
            stored = path.read_text(encoding="utf-8").strip()
            uuid.UUID(stored)
            return stored
    new = str(uuid.uuid4())
    with contextlib.suppress(OSError):  # a read-only home works, with a new id per process
        write_atomic(path, new + "\n")
    return new


def detect_platform(env: Mapping[str, str] | None = None, install_path: str | None = None) -> str:
    """`SKILL_SOURCE`, else the skill host found from where the package is installed."""
    env = os.environ if env is None else env
    if env.get("SKILL_SOURCE"):
        return env["SKILL_SOURCE"]
    where = Path(install_path or __file__).resolve().as_posix()
    home = Path(env.get("HOME") or Path.home()).resolve().as_posix()
    hosts = {"clawhub": ".clawhub/", "cursor": ".cursor/skills/"}
    return next((h for h, d in hosts.items() if where.startswith(f"{home}/{d}")), "unknown")


def _expiry(rec: Any) -> float:
    value = rec.get("expires_at") if isinstance(rec, dict) else None
    return float(value) if isinstance(value, (int, float)) else 0.0


TOKENS_KEPT = 20  # tokens.json entries (the offline backend on port 0 makes a new key per run)


def load_token(key: str, client_id: str) -> dict[str, Any] | None:
    """The stored `token`, `expires_at`, `user_id` unless expired (one expiring is renewed)."""
    rec = read_json(config_dir() / "tokens.json").get(key)
    if not isinstance(rec, dict) or rec.get("client_id") != client_id:
        return None
    return rec if isinstance(rec.get("token"), str) and _expiry(rec) > time.time() else None


def save_token(
    key: str, client_id: str, token: str, expires_at: float | None, user_id: str | None
) -> None:
    """Store an anonymous token (best effort: a read-only home costs a new token next run)."""
    path = config_dir() / "tokens.json"
    data = read_json(path)
    now = time.time()
    data[key] = {
        "client_id": client_id,
        "token": token,
        "expires_at": now + DEFAULT_TTL if expires_at is None else expires_at,
        "user_id": user_id,
    }
    newest = sorted(data.items(), key=lambda kv: _expiry(kv[1]))[-TOKENS_KEPT:]
    with contextlib.suppress(OSError):
        write_atomic(path, json.dumps({k: v for k, v in newest if _expiry(v) > now}), mode=0o600)


class Credentials:
    """The bearer token (given, or anonymous and renewable) and the client id."""

    def __init__(
        self, token: str | None = None, client_id: str | None = None, cache_key: str | None = None
    ) -> None:
        self.__token = token or None
        self.anonymous = not token  # only anonymous tokens are renewed behind the user's back
        self._client_id = client_id
        self.cache_key = cache_key  # None: keep anonymous tokens in memory only
        self.generation = 0  # bumped on every new token, so concurrent 1001s renew only once
        self.user_id: str | None = None  # from the token (or session) answer: `anon_…` or not
        self.expires_at: float | None = None  # epoch seconds, when the answer says

    def held(self) -> bool:
        """Whether a token is held, after taking a live stored anonymous one if none was."""
        if self.__token is None and self.anonymous and self.cache_key is not None:
            rec = load_token(self.cache_key, self.client_id)
            if rec is not None:
                self.__token = rec["token"]
                self.expires_at = float(rec["expires_at"])
                self.user_id = rec.get("user_id") or self.user_id
                self.generation += 1
        return self.__token is not None

    @property
    def is_anonymous(self) -> bool:
        """An `anon_…` user id; without one, a token the user gave is a registered account's."""
        return self.user_id.startswith("anon_") if self.user_id else self.anonymous

    def due(self, now: float) -> bool:
        """Whether the held anonymous token is close enough to its `expires_at` to renew now."""
        if not self.anonymous or self.__token is None or self.expires_at is None:
            return False
        return now >= self.expires_at - RENEW_MARGIN

    @property
    def client_id(self) -> str:
        """The client id, read or created on first use."""
        if self._client_id is None:
            self._client_id = load_client_id()
        return self._client_id

    def renew_client_id(self) -> None:
        """A fresh client id (after HTTP 400 on the anonymous-token call)."""
        self._client_id = load_client_id(renew=True)

    def set_token(self, token: str, expires_at: float | None = None) -> None:
        """Hold a new token (and store it, when anonymous and a cache key is set)."""
        self.__token = token
        self.expires_at = expires_at
        self.generation += 1
        if self.anonymous and self.cache_key is not None:
            save_token(self.cache_key, self.client_id, token, expires_at, self.user_id)

    def header(self) -> dict[str, str]:
        """The Authorization header, or nothing before a token is held."""
        return {"Authorization": f"Bearer {self.__token}"} if self.__token else {}

    def fingerprint(self) -> str:
        """A stable, non-reversible name for this identity (for cache keys and file names)."""
        basis = self.__token if not self.anonymous and self.__token else f"anon:{self.client_id}"
        return hashlib.sha256(basis.encode()).hexdigest()[:16]

    def __repr__(self) -> str:
        kind = "anonymous" if self.anonymous else "given"
        return f"Credentials({kind}, token={'set' if self.__token else 'none'})"
