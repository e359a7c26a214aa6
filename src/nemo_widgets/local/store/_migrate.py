"""One-time migration of a data dir written by the JSON store (nemo-widgets up to 0.x: a
`tokens.json`, a `claims.json`, `sessions/<sid>.json`, `renders/<id>.json`) into the database.

Everything goes in in one transaction, marked in `meta`; the JSON files are then moved to
`legacy-json/` (kept, never read again). A file that cannot be read refuses the start with its
name: the JSON store read a damaged file as empty, which reset every token and balance.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

from . import _db

__all__ = ["LEGACY_DIR", "from_json"]

LEGACY_DIR = "legacy-json"
_MARK = "json_migrated_at"
log = logging.getLogger("nemo_widgets.local")


def _legacy_files(root: Path) -> list[Path]:
    files = [root / n for n in ("tokens.json", "claims.json") if (root / n).is_file()]
    files += sorted((root / "sessions").glob("*.json"))
    files += sorted((root / "renders").glob("*.json"))
    return files


def _read(path: Path, root: Path) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError) as e:
        raise _db.StoreError(
            f"cannot migrate the JSON data dir {root}: {path.relative_to(root)} is unreadable "
            f"({type(e).__name__}: {e}). Repair or remove that file, or start on another "
            "--data-dir; nothing was changed."
        ) from None


def _shape(path: Path, value: Any, key: str, root: Path) -> dict[str, Any]:
    if not isinstance(value, dict) or (key and key not in value):
        raise _db.StoreError(
            f"cannot migrate the JSON data dir {root}: {path.relative_to(root)} is not a record "
            f"of the JSON store (no {key!r}). Remove that file or use another --data-dir."
        )
    return value


def from_json(root: Path, conn: sqlite3.Connection) -> dict[str, int] | None:
    """Migrate `root`'s JSON files if there are any and this was not done; counts, or None."""
    files = _legacy_files(root)
    if not files:
        return None
    done = conn.execute("SELECT value FROM meta WHERE key = ?", (_MARK,)).fetchone()
    if done is None:
        counts = _copy(root, conn, files)
        log.info("migrated the JSON data dir %s: %s", root, counts)
    else:
        counts = None  # a crash came between the commit and the move: just move them
    _move_aside(root, files)
    return counts


def _copy(root: Path, conn: sqlite3.Connection, files: list[Path]) -> dict[str, int]:
    tokens = _shape(root / "tokens.json", _read_or(root / "tokens.json", root, {}), "", root)
    claims = _shape(root / "claims.json", _read_or(root / "claims.json", root, {}), "", root)
    sessions = [
        _shape(p, _read(p, root), "session_id", root) for p in files if p.parent.name == "sessions"
    ]
    renders = [_shape(p, _read(p, root), "id", root) for p in files if p.parent.name == "renders"]
    conn.execute("BEGIN IMMEDIATE")
    try:
        for tok, rec in tokens.items():
            rec = {**_shape(root / "tokens.json", rec, "client_id", root), "token": tok}
            rec.setdefault("frozen", 0)
            conn.execute(
                "INSERT OR REPLACE INTO tokens VALUES (?, ?, ?, ?, ?, ?, ?)",
                tuple(rec[k] for k in _db.TOKEN_COLUMNS),
            )
        for ct, rec in claims.items():
            conn.execute(
                "INSERT OR REPLACE INTO claims VALUES (?, ?, ?)",
                (ct, rec["session_id"], rec["expires_at"]),
            )
        for s in sessions:
            s.setdefault("canvas_config", {})
            conn.execute(
                "INSERT OR REPLACE INTO sessions VALUES (?, ?, ?, ?, ?, ?, ?)", _db.session_row(s)
            )
            conn.executemany(
                "INSERT OR REPLACE INTO media VALUES (?, ?, ?, ?, ?, ?)", _db.media_rows(s)
            )
        for job in renders:
            conn.execute(
                "INSERT OR REPLACE INTO renders VALUES (?, ?, ?, ?)",
                (job["id"], job.get("session_id", ""), job.get("status", "failed"), _db.dumps(job)),
            )
        conn.execute("INSERT INTO meta VALUES (?, ?)", (_MARK, str(time.time())))
    except (KeyError, TypeError, sqlite3.Error) as e:
        conn.execute("ROLLBACK")
        raise _db.StoreError(
            f"cannot migrate the JSON data dir {root}: a record lacks a field or has the wrong "
            f"type ({type(e).__name__}: {e}). Nothing was changed; use another --data-dir."
        ) from None
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    return {"tokens": len(tokens), "sessions": len(sessions), "renders": len(renders)}


def _read_or(path: Path, root: Path, default: Any) -> Any:
    return _read(path, root) if path.is_file() else default


def _move_aside(root: Path, files: list[Path]) -> None:
    legacy = root / LEGACY_DIR
    for p in files:
        dest = legacy / p.relative_to(root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(p), str(dest))
    sessions = root / "sessions"
    if sessions.is_dir() and not any(sessions.iterdir()):
        sessions.rmdir()
