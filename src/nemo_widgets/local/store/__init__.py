"""Persistence of the offline backend: tokens, credits, sessions (draft, media lists), claim
tokens, chat turns and render jobs in one SQLite database (`nemo.db`, WAL) in the data dir; media
and rendered files sit beside it on disk, written to a temporary name and renamed when whole.

The records live in memory (`tokens`, `sessions`, `claims`, `renders`: reads never touch the
disk) and every change is written through by ONE writer thread (`_writer`), in order, each
write a transaction. A write method returns at once with a `Pending` handle: `await` it (on the
loop) or `.wait()` it (in a thread) when the answer depends on it being on disk; the app awaits
`barrier()` before any response starts (`routes.access`), so no client sees a state the disk lacks.

A chat turn is three transactions: `begin_turn` (reserve its cost, count the message),
`finish_turn` (its draft and generated media, the charge) or `abort_turn` (release). The draft a
turn changes step by step stays in memory until `finish_turn`, so a crash leaves the state
before the turn or after it, never between; start-up releases what a crash left reserved
(`_recover`). Layout of `root`:
    nemo.db (+ -wal, -shm)        the database;  server.lock  who serves this dir (`_lock`)
    renders/<id>.mp4              a render's output;  media/<sid>/<media_id>.<ext>  media files
    tmp/                          partial uploads (emptied at start-up)
"""

from __future__ import annotations

import copy
import dataclasses
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

from . import _db, _migrate, _recover
from ._db import StoreError
from ._lock import DataDirInUse, DataDirLock
from ._recover import MAX_RENDER_RESTARTS
from ._writer import Op, Pending, Writer

__all__ = [
    "MAX_RENDER_RESTARTS",
    "TOKEN_TTL",
    "DataDirInUse",
    "DataDirLock",
    "Pending",
    "Store",
    "StoreError",
    "Turn",
    "new_id",
]

TOKEN_TTL = 7 * 24 * 3600.0  # seconds an anonymous token lives


def new_id(prefix: str, nbytes: int = 8) -> str:
    """A random id like `sess_3f9a…`."""
    return f"{prefix}{secrets.token_hex(nbytes)}"


@dataclasses.dataclass
class Turn:
    """A running chat turn: its reservation and the session state it started from."""

    turn_id: str
    token: str
    session_id: str
    cost: int
    base: dict[str, Any]  # draft, canvas_config, generated_media before the turn
    ended: bool = False  # charged or released: nothing more to do

    def made(self, s: dict[str, Any]) -> set[str]:
        """Ids of the media this turn generated so far."""
        before = {m.get("id") for m in self.base["generated_media"] or []}
        return {str(m.get("id")) for m in s.get("generated_media") or []} - before

    def committed(self, s: dict[str, Any]) -> dict[str, Any]:
        """The session as it is without this turn's changes (uploads meanwhile included)."""
        made = self.made(s)
        files = {k: v for k, v in (s.get("media_files") or {}).items() if k not in made}
        return {**s, **self.base, "media_files": files}


class Store:
    """All persistent state of one server; thread-safe (render threads update jobs)."""

    def __init__(self, root: Path, token_ttl: float = TOKEN_TTL, initial_credits: int = 100):
        self.root = Path(root)
        self.token_ttl = token_ttl
        self.initial_credits = initial_credits
        self._lock = threading.RLock()
        for sub in ("renders", "media", "tmp"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        conn = _db.connect(self.root / _db.DB_NAME)
        try:
            _migrate.from_json(self.root, conn)
            self.recovered = _recover.at_start(self.root, conn)
            data = _db.load_all(conn)
        except BaseException:
            conn.close()
            raise
        self.tokens: dict[str, dict[str, Any]] = data["tokens"]
        self.claims: dict[str, dict[str, Any]] = data["claims"]
        self.sessions: dict[str, dict[str, Any]] = data["sessions"]
        self.renders: dict[str, dict[str, Any]] = data["renders"]
        self._saved_media = {m for s in self.sessions.values() for m in _media_ids(s)}
        self._turns: dict[str, Turn] = {}  # session id → its running turn
        self._writer = Writer(conn)

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

    # -- writing -----------------------------------------------------------------------------
    def barrier(self) -> Pending | None:
        """The last write, if it is not on disk yet (every earlier one is done before it)."""
        last = self._writer.last
        return None if last is None or last.done() else Pending(last)

    def close(self) -> None:
        """Finish the queued writes and close the database."""
        self._writer.close()

    def _token_op(self, rec: dict[str, Any]) -> Op:
        values = (rec["balance"], rec["frozen"], rec["expires_at"], rec["user_id"], rec["token"])

        def op(c: sqlite3.Connection) -> None:
            c.execute(
                "UPDATE tokens SET balance = ?, frozen = ?, expires_at = ?, user_id = ?"
                " WHERE token = ?",
                values,
            )

        return op

    def _session_ops(self, s: dict[str, Any], committed: bool) -> list[Op]:
        """Writes of a session's row and its new media; `committed`: whatever a running turn
        changed is left out (it is written by `finish_turn`)."""
        turn = None if committed else self._turns.get(s["session_id"])
        image = s if turn is None else turn.committed(s)
        new = _media_ids(image) - self._saved_media
        self._saved_media |= new
        row, media = _db.session_row(image), _db.media_rows(image, new)

        def op(c: sqlite3.Connection) -> None:
            c.execute(
                "INSERT INTO sessions (session_id, task_id, owner, messages, draft, canvas_config,"
                " extra) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (session_id) DO UPDATE SET"
                " messages = excluded.messages, draft = excluded.draft,"
                " canvas_config = excluded.canvas_config, extra = excluded.extra",
                row,
            )
            c.executemany("INSERT OR REPLACE INTO media VALUES (?, ?, ?, ?, ?, ?)", media)

        return [op]

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
        row = tuple(rec[k] for k in _db.TOKEN_COLUMNS)
        with self._lock:
            self.tokens[rec["token"]] = rec
            self._writer.submit(
                "token", [lambda c: c.execute("INSERT INTO tokens VALUES (?,?,?,?,?,?,?)", row)]
            )
        return rec

    def register(self, token: str) -> str:
        """Make a token's user a registered one (`usr_…`, no `anon_`): the texts a registered
        user is shown are tested through it. Returns the new user id."""
        with self._lock:
            rec = self.tokens[token]
            rec["user_id"] = "usr_" + rec["client_id"].replace("-", "")[:16]
            self._writer.submit("credits", [self._token_op(rec)])
            return str(rec["user_id"])

    def tokens_of(self, client_id: str) -> list[dict[str, Any]]:
        """Every token issued to a client id."""
        with self._lock:
            return [t for t in self.tokens.values() if t["client_id"] == client_id]

    def token(self, token: str) -> dict[str, Any] | None:
        """The record of a token (expired or not), or None."""
        return self.tokens.get(token)

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

    def save_session(self, s: dict[str, Any]) -> Pending:
        """Persist one session (what a running chat turn changed waits for `finish_turn`)."""
        with self._lock:
            return self._writer.submit("session", self._session_ops(s, committed=False))

    def snapshot(self, s: dict[str, Any]) -> dict[str, Any]:
        """A deep copy of a session's public state (safe to hand out)."""
        with self._lock:
            return {
                "draft": copy.deepcopy(s["draft"]),
                "video_infos": copy.deepcopy(s["video_infos"]),
                "canvas_config": copy.deepcopy(s["canvas_config"]),
                "generated_media": copy.deepcopy(s["generated_media"]),
            }

    # -- chat turns ----------------------------------------------------------------------------
    def begin_turn(self, token: str, s: dict[str, Any], cost: int) -> Turn:
        """Reserve a turn's cost and count the message, in one transaction."""
        with self._lock:
            rec = self.tokens[token]
            rec["frozen"] += cost
            s["messages"] = s.get("messages", 0) + 1
            base = {k: copy.deepcopy(s.get(k)) for k in _TURN_KEYS}
            turn = Turn(new_id("turn_"), token, s["session_id"], cost, base)
            ops = [self._token_op(rec), *self._session_ops(s, committed=False)]
            self._turns[s["session_id"]] = turn
            row = (turn.turn_id, turn.session_id, token, cost, time.time())
            ops.append(
                lambda c: c.execute(
                    "INSERT INTO turns VALUES (?, ?, ?, ?, 'running', ?, NULL)", row
                )
            )
            self._writer.submit("begin_turn", ops)
        return turn

    def finish_turn(self, turn: Turn, s: dict[str, Any]) -> Pending:
        """Charge a turn and write what it changed, in one transaction."""
        with self._lock:
            if turn.ended:
                raise RuntimeError(f"{turn.turn_id} already ended")
            turn.ended = True
            rec = self.tokens[turn.token]
            rec["balance"] -= turn.cost
            rec["frozen"] = max(0, rec["frozen"] - turn.cost)
            self._turns.pop(turn.session_id, None)
            ops = [self._token_op(rec), *self._session_ops(s, committed=True)]
            ops.append(_end_turn(turn, "charged"))
            return self._writer.submit("finish_turn", ops)

    def abort_turn(self, turn: Turn, s: dict[str, Any]) -> Pending | None:
        """Release a turn that did not finish and put the session back as it was before it
        (nothing to do, None, if it was charged or released already)."""
        with self._lock:
            if turn.ended:
                return None
            turn.ended = True
            rec = self.tokens[turn.token]
            rec["frozen"] = max(0, rec["frozen"] - turn.cost)
            if self._turns.get(turn.session_id) is turn:
                del self._turns[turn.session_id]
                s.update(turn.committed(s))
            return self._writer.submit("abort_turn", [self._token_op(rec), _end_turn(turn)])

    # -- claim tokens ------------------------------------------------------------------------
    def create_claim(self, session_id: str, ttl: float) -> dict[str, Any]:
        """A claim token for the browser link of a session."""
        rec: dict[str, Any] = {"claim_token": new_id("clm_", 16), "session_id": session_id}
        rec["expires_at"] = time.time() + ttl
        row = (rec["claim_token"], session_id, rec["expires_at"])
        with self._lock:
            self.claims[rec["claim_token"]] = rec
            self._writer.submit(
                "claim", [lambda c: c.execute("INSERT INTO claims VALUES (?, ?, ?)", row)]
            )
        return rec

    # -- render jobs -------------------------------------------------------------------------
    def save_render(self, job: dict[str, Any]) -> Pending:
        """Add or update a render job and persist it."""
        with self._lock:
            self.renders[job["id"]] = job
            row = (job["id"], job["session_id"], job["status"], _db.dumps(job))
            return self._writer.submit(
                "render",
                [lambda c: c.execute("INSERT OR REPLACE INTO renders VALUES (?, ?, ?, ?)", row)],
            )


_TURN_KEYS = ("draft", "canvas_config", "generated_media")


def _media_ids(s: dict[str, Any]) -> set[str]:
    ids = set(s.get("media_files") or {})
    for key in ("video_infos", "generated_media"):
        ids.update(str(m.get("id")) for m in s.get(key) or [])
    return ids


def _end_turn(turn: Turn, status: str = "released") -> Op:
    row = (status, time.time(), turn.turn_id)

    def op(c: sqlite3.Connection) -> None:
        c.execute("UPDATE turns SET status = ?, ended_at = ? WHERE turn_id = ?", row)

    return op
