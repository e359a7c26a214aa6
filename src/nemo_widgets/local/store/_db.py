"""The offline backend's SQLite database: schema, opening (WAL), reading everything back, and the
row shapes of a session. One file, `nemo.db`, in the data dir; only the store's writer thread
writes to it (see `store.Writer`).

Tables: `tokens` (credits are `balance` and `frozen` there), `claims`, `sessions` (the draft is a
column), `media` (upload and generated-media metadata; the files stay files), `turns` (one row
per chat message: its reservation and whether it was charged), `renders` (one row per job) and
`meta` (schema version, migration marks).
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["DB_NAME", "SCHEMA_VERSION", "StoreError", "connect", "dumps", "load_all"]

DB_NAME = "nemo.db"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (
    token TEXT PRIMARY KEY,
    client_id TEXT NOT NULL,
    user_id TEXT NOT NULL,
    issued_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    balance INTEGER NOT NULL,
    frozen INTEGER NOT NULL DEFAULT 0 CHECK (frozen >= 0)
);
CREATE INDEX IF NOT EXISTS tokens_by_client ON tokens (client_id);
CREATE TABLE IF NOT EXISTS claims (
    claim_token TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    expires_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS sessions (
    session_id TEXT PRIMARY KEY,
    task_id TEXT NOT NULL,
    owner TEXT NOT NULL,
    messages INTEGER NOT NULL DEFAULT 0,
    draft TEXT NOT NULL,
    canvas_config TEXT NOT NULL,
    extra TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS media (
    media_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    origin TEXT NOT NULL CHECK (origin IN ('upload', 'generated', 'file')),
    path TEXT NOT NULL,
    info TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS media_by_session ON media (session_id, seq);
CREATE TABLE IF NOT EXISTS turns (
    turn_id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    token TEXT NOT NULL,
    cost INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('running', 'charged', 'released')),
    started_at REAL NOT NULL,
    ended_at REAL
);
CREATE INDEX IF NOT EXISTS turns_running ON turns (status) WHERE status = 'running';
CREATE TABLE IF NOT EXISTS renders (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    status TEXT NOT NULL,
    job TEXT NOT NULL
);
"""
# session keys with their own column or table; every other key goes into `extra` (so a field
# another module adds to a session is kept without a schema change)
SESSION_COLUMNS = ("session_id", "task_id", "owner", "messages", "draft", "canvas_config")
SESSION_MEDIA = ("video_infos", "generated_media", "media_files")
TOKEN_COLUMNS = ("token", "client_id", "user_id", "issued_at", "expires_at", "balance", "frozen")


class StoreError(RuntimeError):
    """The data dir cannot be used (damaged database, unreadable legacy files, in use...)."""


def dumps(value: Any) -> str:
    """Compact JSON, as stored in the text columns."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def connect(path: Path) -> sqlite3.Connection:
    """Open (or create) the database in WAL mode with the schema; StoreError if it is damaged."""
    try:
        conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    except sqlite3.Error as e:
        raise StoreError(f"cannot open the database {path}: {e}") from None
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        # FULL: every commit is on disk before the answer that depends on it goes out, as the
        # JSON store's fsync per write was; it costs the writer thread, not the event loop
        conn.execute("PRAGMA synchronous=FULL")
        conn.execute("PRAGMA foreign_keys=OFF")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(check)
        conn.executescript(_SCHEMA)
        row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        if row is None:
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        elif int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                f"{path} was written by a newer nemo-widgets (schema {row[0]}, this one reads "
                f"{SCHEMA_VERSION}): upgrade nemo-widgets or use another --data-dir"
            )
    except sqlite3.DatabaseError as e:
        conn.close()
        raise StoreError(
            f"the database {path} is damaged ({e}); the server does not start on it rather than "
            "lose its tokens and balances. Move it aside (or restore a copy) to start."
        ) from None
    except BaseException:
        conn.close()
        raise
    return conn


def session_row(s: dict[str, Any]) -> tuple[Any, ...]:
    """The `sessions` row of a session (its media are rows of `media`)."""
    extra = {k: v for k, v in s.items() if k not in SESSION_COLUMNS and k not in SESSION_MEDIA}
    return (
        s["session_id"],
        s["task_id"],
        s["owner"],
        int(s.get("messages", 0)),
        dumps(s.get("draft", {})),
        dumps(s.get("canvas_config", {})),
        dumps(extra),
    )


def media_rows(s: dict[str, Any], ids: set[str] | None = None) -> list[tuple[Any, ...]]:
    """`media` rows of a session (all, or those in `ids`): video_infos, generated, bare files."""
    files: dict[str, str] = s.get("media_files") or {}
    rows: list[tuple[Any, ...]] = []
    seen: set[str] = set()
    for origin, key in (("upload", "video_infos"), ("generated", "generated_media")):
        for seq, info in enumerate(s.get(key) or []):
            mid = str(info.get("id"))
            seen.add(mid)
            if ids is None or mid in ids:
                row = (mid, s["session_id"], seq, origin, files.get(mid, ""), dumps(info))
                rows.append(row)
    for mid, rel in files.items():  # a file with no listed info (kept so that renders find it)
        if mid not in seen and (ids is None or mid in ids):
            rows.append((mid, s["session_id"], 0, "file", rel, "{}"))
    return rows


def load_all(conn: sqlite3.Connection) -> dict[str, dict[str, dict[str, Any]]]:
    """Every table as dicts of records, shaped as the store keeps them in memory."""
    tokens = {
        r[0]: dict(zip(TOKEN_COLUMNS, r, strict=True))
        for r in conn.execute(f"SELECT {', '.join(TOKEN_COLUMNS)} FROM tokens")
    }
    claims = {
        r[0]: {"claim_token": r[0], "session_id": r[1], "expires_at": r[2]}
        for r in conn.execute("SELECT claim_token, session_id, expires_at FROM claims")
    }
    sessions: dict[str, dict[str, Any]] = {}
    for sid, task_id, owner, messages, draft, canvas, extra in conn.execute(
        "SELECT session_id, task_id, owner, messages, draft, canvas_config, extra FROM sessions"
    ):
        s = {**json.loads(extra), "session_id": sid, "task_id": task_id, "owner": owner}
        s.update(messages=messages, draft=json.loads(draft), canvas_config=json.loads(canvas))
        s.update(video_infos=[], generated_media=[], media_files={})
        sessions[sid] = s
    for sid, mid, origin, path, info in conn.execute(
        "SELECT session_id, media_id, origin, path, info FROM media ORDER BY session_id, seq"
    ):
        owner_s = sessions.get(sid)
        if owner_s is None:
            continue
        if path:
            owner_s["media_files"][mid] = path
        if origin != "file":
            key = "video_infos" if origin == "upload" else "generated_media"
            owner_s[key].append(json.loads(info))
    renders = {r[0]: json.loads(r[1]) for r in conn.execute("SELECT id, job FROM renders")}
    return {"tokens": tokens, "claims": claims, "sessions": sessions, "renders": renders}
