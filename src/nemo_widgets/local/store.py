"""Persistence of the offline backend: tokens, sessions (with their drafts and media lists), claim
tokens and render jobs, as JSON files in the data dir, each written atomically (temp file +
`os.replace`); media and rendered files sit beside them on disk. A restarted server reads them back.

Layout of `root`:
    tokens.json              {token: {client_id, user_id, issued_at, expires_at, balance, frozen}}
    claims.json              {claim_token: {session_id, expires_at}}
    sessions/<sid>.json      one session: ids, owner, language, draft, video_infos, ...
    renders/<id>.json        one render job; renders/<id>.mp4 its output
    media/<sid>/<media_id>.<ext>   uploads and generated media
    tmp/                     partial uploads (removed when done)
"""

from __future__ import annotations

import copy
import json
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Any

__all__ = ["TOKEN_TTL", "Store", "new_id"]

TOKEN_TTL = 7 * 24 * 3600.0  # seconds an anonymous token lives


def new_id(prefix: str, nbytes: int = 8) -> str:
    """A random id like `sess_3f9a…`."""
    return f"{prefix}{secrets.token_hex(nbytes)}"


def _write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(data, f, ensure_ascii=False, separators=(",", ":"))
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def _read_json(path: Path, default: Any) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except FileNotFoundError:
        return default
    except (OSError, ValueError):
        return default  # a damaged file is treated as missing rather than killing the server


class Store:
    """All persistent state of one server; thread-safe (render threads update jobs)."""

    def __init__(self, root: Path, token_ttl: float = TOKEN_TTL, initial_credits: int = 100):
        self.root = Path(root)
        self.token_ttl = token_ttl
        self.initial_credits = initial_credits
        self._lock = threading.RLock()
        for sub in ("sessions", "renders", "media", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self.tokens: dict[str, dict[str, Any]] = _read_json(self.root / "tokens.json", {})
        self.claims: dict[str, dict[str, Any]] = _read_json(self.root / "claims.json", {})
        self.sessions: dict[str, dict[str, Any]] = {}
        for p in (self.root / "sessions").glob("*.json"):
            s = _read_json(p, None)
            if isinstance(s, dict) and "session_id" in s:
                self.sessions[s["session_id"]] = s
        self.renders: dict[str, dict[str, Any]] = {}
        for p in (self.root / "renders").glob("*.json"):
            j = _read_json(p, None)
            if isinstance(j, dict) and "id" in j:
                self.renders[j["id"]] = j

    # -- paths -------------------------------------------------------------------------------
    @property
    def tmp_dir(self) -> Path:
        """Where partial uploads are written."""
        return self.root / "tmp"

    def media_dir(self, session_id: str) -> Path:
        """The folder of one session's media files."""
        d = self.root / "media" / session_id
        d.mkdir(parents=True, exist_ok=True)
        return d

    def render_path(self, job_id: str) -> Path:
        """Where a render job's MP4 goes."""
        return self.root / "renders" / f"{job_id}.mp4"

    # -- tokens ------------------------------------------------------------------------------
    def issue_token(self, client_id: str, now: float | None = None) -> dict[str, Any]:
        """A new anonymous token with the starting credits."""
        now = time.time() if now is None else now
        rec: dict[str, Any] = {
            "token": new_id("nmv_usr_", 16),
            "client_id": client_id,
            # anonymous users are recognised by the `anon_` prefix (the vendor's rule)
            "user_id": "anon_" + client_id.replace("-", "")[:16],
            "issued_at": now,
            "expires_at": now + self.token_ttl,
            "balance": self.initial_credits,
            "frozen": 0,
        }
        with self._lock:
            self.tokens[rec["token"]] = rec
            self._save_tokens()
        return rec

    def register(self, token: str) -> str:
        """Make a token's user a registered one (`usr_…`, no `anon_`): for tests of the texts a
        registered user is shown. Returns the new user id."""
        with self._lock:
            rec = self.tokens[token]
            rec["user_id"] = "usr_" + rec["client_id"].replace("-", "")[:16]
            self._save_tokens()
            return str(rec["user_id"])

    def tokens_of(self, client_id: str) -> list[dict[str, Any]]:
        """Every token issued to a client id."""
        with self._lock:
            return [t for t in self.tokens.values() if t["client_id"] == client_id]

    def token(self, token: str) -> dict[str, Any] | None:
        """The record of a token (expired or not), or None."""
        return self.tokens.get(token)

    def update_credits(self, token: str, balance_delta: int = 0, frozen_delta: int = 0) -> None:
        """Change a token's balance and frozen amount, and persist."""
        with self._lock:
            rec = self.tokens[token]
            rec["balance"] = rec["balance"] + balance_delta
            rec["frozen"] = max(0, rec["frozen"] + frozen_delta)
            self._save_tokens()

    def expire_all_tokens(self) -> None:
        """Make every stored token expired (persisted, unlike the fault knob)."""
        with self._lock:
            now = time.time()
            for rec in self.tokens.values():
                rec["expires_at"] = min(rec["expires_at"], now - 1)
            self._save_tokens()

    def _save_tokens(self) -> None:
        _write_json(self.root / "tokens.json", self.tokens)

    # -- sessions ----------------------------------------------------------------------------
    def create_session(
        self, owner: str, task_name: str, language: str, session_id: str | None = None
    ) -> dict[str, Any]:
        """A new, empty editing session owned by a client id (`session_id` given by the vendor
        dialect, which uses numeric strings)."""
        s: dict[str, Any] = {
            "session_id": session_id or new_id("sess_"),
            "task_id": new_id("task_"),
            "owner": owner,
            "task_name": task_name,
            "language": language,
            "created_at": time.time(),
            "messages": 0,
            "draft": {},
            "video_infos": [],
            "canvas_config": {"width": 1080, "height": 1920, "ratio": "9:16", "fps": 30},
            "generated_media": [],
            "media_key": new_id("", 12),  # opens media URLs without the bearer (<video>)
            "media_files": {},  # media id → file path relative to root
        }
        with self._lock:
            self.sessions[s["session_id"]] = s
            self.save_session(s)
        return s

    def session(self, session_id: str) -> dict[str, Any] | None:
        """A session, or None."""
        return self.sessions.get(session_id)

    def save_session(self, s: dict[str, Any]) -> None:
        """Persist one session."""
        with self._lock:
            _write_json(self.root / "sessions" / f"{s['session_id']}.json", s)

    def snapshot(self, s: dict[str, Any]) -> dict[str, Any]:
        """A deep copy of a session's public state (safe to hand out)."""
        with self._lock:
            return {
                "draft": copy.deepcopy(s["draft"]),
                "video_infos": copy.deepcopy(s["video_infos"]),
                "canvas_config": copy.deepcopy(s["canvas_config"]),
                "generated_media": copy.deepcopy(s["generated_media"]),
            }

    # -- claim tokens ------------------------------------------------------------------------
    def create_claim(self, session_id: str, ttl: float) -> dict[str, Any]:
        """A claim token for the browser link of a session."""
        rec: dict[str, Any] = {"claim_token": new_id("clm_", 16), "session_id": session_id}
        rec["expires_at"] = time.time() + ttl
        with self._lock:
            self.claims[rec["claim_token"]] = rec
            _write_json(self.root / "claims.json", self.claims)
        return rec

    # -- render jobs -------------------------------------------------------------------------
    def save_render(self, job: dict[str, Any]) -> None:
        """Add or update a render job and persist it."""
        with self._lock:
            self.renders[job["id"]] = job
            _write_json(self.root / "renders" / f"{job['id']}.json", job)
