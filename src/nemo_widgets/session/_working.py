"""The working draft (`session.edits`): the backend's draft with the hand edits on top, rebased on
each new state; an edit that cannot be re-applied is reported, never dropped silently."""

from __future__ import annotations

import threading
import warnings
from typing import TYPE_CHECKING, Any

from .. import draft as _draft  # its pandas half loads on first use
from ..draft import _edits
from ..draft._edits import Edit, EditRefused
from ..draft._summary import track_name
from ..errors import DraftError

if TYPE_CHECKING:
    from ._host import Host


class EditsNotReapplied(UserWarning):
    """Some hand edits could not be re-applied on the agent's new draft."""


class WorkingDraft:
    """The hand edits of one session over its backend draft (thread-safe); changes emit "edits"."""

    def __init__(self, session: Host) -> None:
        self._session = session
        self._lock = threading.RLock()
        self._state: Any = None
        self.base: dict[str, Any] = {}
        self.draft: dict[str, Any] = {}
        self.edits: list[Edit] = []
        self._redo: list[Edit] = []
        self.not_applied: list[_edits.NotApplied] = []  # from the last rebase, until the next one
        self._sync()
        session.subscribe(self._on_session)

    def __repr__(self) -> str:
        return f"<WorkingDraft {len(self.edits)} edits, {len(self.not_applied)} not re-applied>"

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def _on_session(self, kind: str, payload: Any) -> None:
        if kind == "state":
            self._sync(payload)

    def _sync(self, state: Any = None) -> None:
        """Rebase on the given state, else the session's latest, if it is a new one."""
        with self._lock:
            state = state or self._session.last_state
            if state is None or state is self._state:
                return
            self._state = state
            new = _draft.Draft.of(state.draft).to_dict()
            same = new == self.base
            self.base = new
            self.draft, self.edits, missed = _edits.rebase(self.edits, new, same_base=same)
            if not same:
                self._redo = []
                self.not_applied = missed
        if missed:
            message = f"{len(missed)} of your edits could not be re-applied on the new draft: "
            message += "; ".join(map(str, missed))
            warnings.warn(message, EditsNotReapplied, stacklevel=2)
            self._session.emit("notice", message)
        self._session.emit("edits", self)

    def current(self) -> dict[str, Any]:
        """The working draft (the backend's when there are no edits)."""
        self._sync()
        return self.draft

    def _make(self, edits: list[Edit], keep_redo: bool = False) -> EditRefused | None:
        """Make `edits` on the working draft, all or none; the first refusal, if any."""
        with self._lock:
            draft, missed = _edits.replay(self.draft, edits)
            if missed:
                return EditRefused(missed[0].reason)
            self.draft = draft
            self.edits += edits
            if not keep_redo:
                self._redo = []
        self._session.emit("edits", self)
        return None

    def edit(self, edit: Edit) -> EditRefused | None:
        """Make one edit; its refusal (with the reason) when the rules say no."""
        with self._lock:
            self._sync()
            return self._make([edit])

    def undo(self) -> bool:
        """Take back the last edit; False when there is none."""
        with self._lock:
            if not self.edits:
                return False
            self._redo.append(self.edits.pop())
            self.draft, self.edits, _ = _edits.rebase(self.edits, self.base, same_base=True)
        self._session.emit("edits", self)
        return True

    def redo(self) -> bool:
        """Make again the last edit taken back; False when there is none (or it is refused)."""
        with self._lock:
            return bool(self._redo) and self._make([self._redo.pop()], keep_redo=True) is None

    def dismiss(self) -> None:
        """Forget the report of the edits the last rebase could not re-apply."""
        with self._lock:
            self.not_applied = []
        self._session.emit("edits", self)

    def discard(self) -> None:
        """Drop every hand edit: the working draft is the backend's again."""
        with self._lock:
            self.edits, self._redo, self.not_applied = [], [], []
            self.draft = self.base
        self._session.emit("edits", self)

    def set(self, value: Any) -> None:
        """Join a DataFrame edited in code (or a draft dict) to the working draft, as edits."""
        if type(value).__name__ == "DataFrame":
            value = _draft.frame_to_draft(value, self.current())
        with self._lock:
            ops = _edits.edits_between(self.current(), value)
            refused = self._make(ops) if isinstance(ops, list) and ops else ops
        if isinstance(refused, EditRefused):
            raise DraftError(f"set_timeline: {refused.reason}")

    def describe(self) -> str:
        """The edits in the first person, one a line, to tell the chat ("" when none)."""
        # ref -> "subtitle 2": the segment's kind (or track name) and its place in its track
        model = _draft.Draft.of(self.base)
        names = {
            ref: f"{seg.kind or track_name(model.items[t], t)} {j + 1}"
            for ref, t, j, seg in _edits.placed(model)
        }
        return "\n".join(_edits.describe(e, names.get(e.ref, "")) for e in self.edits)
