"""Start-up reconciliation: what a server that died (kill -9, OOM, power) left half done is put
in order before the next one serves. Chat turns still marked running are released, never
charged (so nothing stays frozen); unfinished renders are queued again, or failed with a reason
when their session is gone or they were interrupted too often; partial uploads and media files no
record points to (a crash between the file's rename and its record) are removed.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from pathlib import Path
from typing import Any

__all__ = ["MAX_RENDER_RESTARTS", "at_start"]

MAX_RENDER_RESTARTS = 3  # a render that was running when the server died this often fails
log = logging.getLogger("nemo_widgets.local")


def at_start(root: Path, conn: sqlite3.Connection) -> dict[str, int]:
    """Reconcile the database and the files of `root`; counts of what was done."""
    done = {
        "turns_released": 0,
        "credits_released": 0,
        "renders_resumed": 0,
        "renders_failed": 0,
        "partial_files": 0,
        "orphan_files": 0,
    }
    now = time.time()
    conn.execute("BEGIN IMMEDIATE")
    try:
        row = conn.execute(
            "SELECT COUNT(*), COALESCE(SUM(cost), 0) FROM turns WHERE status = 'running'"
        ).fetchone()
        done["turns_released"] = row[0]
        conn.execute(
            "UPDATE turns SET status = 'released', ended_at = ? WHERE status = 'running'", (now,)
        )
        # nothing runs before this server starts, so no credits are reserved either
        frozen = conn.execute("SELECT COALESCE(SUM(frozen), 0) FROM tokens").fetchone()[0]
        done["credits_released"] = int(frozen)
        conn.execute("UPDATE tokens SET frozen = 0 WHERE frozen != 0")
        sessions = {r[0] for r in conn.execute("SELECT session_id FROM sessions")}
        unfinished = conn.execute(
            "SELECT id, job FROM renders WHERE status IN ('pending', 'processing')"
        ).fetchall()
        for job_id, text in unfinished:
            job = _again(json.loads(text), sessions, now)
            done["renders_failed" if job["status"] == "failed" else "renders_resumed"] += 1
            conn.execute(
                "UPDATE renders SET status = ?, job = ? WHERE id = ?",
                (job["status"], json.dumps(job, ensure_ascii=False), job_id),
            )
        known = {Path(r[0]).as_posix() for r in conn.execute("SELECT path FROM media")}
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    done["partial_files"] = _remove(p for p in (root / "tmp").glob("*") if p.is_file())
    done["partial_files"] += _remove((root / "renders").glob(".*.part.mp4"))
    media = (p for p in (root / "media").glob("*/*") if p.is_file())
    done["orphan_files"] = _remove(p for p in media if p.relative_to(root).as_posix() not in known)
    if any(done.values()):
        log.info("start-up reconciliation: %s", ", ".join(f"{k} {v}" for k, v in done.items()))
    return done


def _again(job: dict[str, Any], sessions: set[str], now: float) -> dict[str, Any]:
    """An interrupted render job: pending again, or failed with the reason."""
    restarts = int(job.get("restarts", 0)) + 1
    job.update(restarts=restarts, percent=0)
    if job.get("session_id") not in sessions:
        why = "its session no longer exists"
    elif restarts > MAX_RENDER_RESTARTS:
        why = f"the server stopped during this render {restarts} times; it is not retried again"
    else:
        job["status"] = "pending"
        return job
    job.update(status="failed", error=f"render interrupted: {why}", finished_at=now)
    return job


def _remove(paths: Any) -> int:
    n = 0
    for p in paths:
        p.unlink(missing_ok=True)
        n += 1
    return n
