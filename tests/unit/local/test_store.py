"""The SQLite store on its own: a chat turn's three transactions, what a reopened data dir (a
"crash": the writes so far on disk, the process gone) holds, and the start-up reconciliation.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets.local.store import MAX_RENDER_RESTARTS, Store


def _open(root: Path) -> Store:
    return Store(root, initial_credits=1000)


def _crash(store: Store) -> Store:
    """Every queued write lands (as the OS keeps them), nothing else runs: open it again."""
    store.close()
    return _open(store.root)


def _media(store: Store, s: dict[str, Any], kind: str, mid: str) -> None:
    path = store.media_dir(s["session_id"]) / f"{mid}.png"
    path.write_bytes(b"x")
    s["media_files"][mid] = str(path.relative_to(store.root))
    key = "video_infos" if kind == "upload" else "generated_media"
    s[key].append({"id": mid, "size": 1})


def test_abort_puts_the_turn_back_and_keeps_an_upload_made_meanwhile(tmp_path: Path) -> None:
    store = _open(tmp_path)
    tok = store.issue_token("c")["token"]
    s = store.create_session("c", "p", "en")
    turn = store.begin_turn(tok, s, 100)
    s["draft"] = {"t": [{"sg": [1]}]}
    _media(store, s, "generated", "gen_1")
    _media(store, s, "upload", "med_1")
    store.save_session(s)  # the upload's own write, while the turn runs
    assert store.token(tok)["frozen"] == 100
    store.abort_turn(turn, s)
    assert s["draft"] == {} and s["generated_media"] == []
    assert list(s["media_files"]) == ["med_1"]
    again = _crash(store)
    s2 = again.session(s["session_id"])
    assert (
        s2 is not None and s2["draft"] == {} and [m["id"] for m in s2["video_infos"]] == ["med_1"]
    )
    assert (again.token(tok)["balance"], again.token(tok)["frozen"]) == (1000, 0)
    assert s2["messages"] == 1  # the message was accepted, even though it did not finish
    again.close()


def test_a_crash_during_a_turn_releases_it_and_drops_its_files(tmp_path: Path) -> None:
    store = _open(tmp_path)
    tok = store.issue_token("c")["token"]
    s = store.create_session("c", "p", "en")
    store.begin_turn(tok, s, 100)
    s["draft"] = {"t": [{"sg": [1]}]}
    _media(store, s, "generated", "gen_1")
    store.save_session(s)  # a write during the turn must not carry the turn's changes
    again = _crash(store)
    assert again.recovered["turns_released"] == 1 and again.recovered["orphan_files"] == 1
    assert again.session(s["session_id"])["draft"] == {}  # type: ignore[index]
    assert again.token(tok)["frozen"] == 0 and again.token(tok)["balance"] == 1000
    again.close()


def test_unfinished_renders_are_resumed_then_failed_with_a_reason(tmp_path: Path) -> None:
    store = _open(tmp_path)
    s = store.create_session("c", "p", "en")
    store.save_render({"id": "r1", "session_id": s["session_id"], "status": "processing"})
    store.save_render({"id": "r2", "session_id": "sess_gone", "status": "pending"})
    for n in range(1, MAX_RENDER_RESTARTS + 2):
        store = _crash(store)
        r1, r2 = store.renders["r1"], store.renders["r2"]
        assert r2["status"] == "failed" and "no longer exists" in r2["error"]
        if n <= MAX_RENDER_RESTARTS:
            assert r1["status"] == "pending" and r1["restarts"] == n
        else:
            assert r1["status"] == "failed" and f"{n} times" in r1["error"]
    store.close()


STEPS = st.lists(st.sampled_from(["finish", "abort", "crash", "upload"]), max_size=12)


@settings(max_examples=40, deadline=None)
@given(steps=STEPS, costs=st.lists(st.sampled_from([0, 50, 100]), min_size=12, max_size=12))
def test_any_sequence_of_turns_and_crashes_leaves_before_or_after(
    steps: list[str], costs: list[int]
) -> None:
    """Each step runs one turn that ends as told (or a crash cuts it): after a reopen, the
    balance is what the finished turns cost, nothing is frozen, the draft is the last finished
    turn's, and every upload is there."""
    with tempfile.TemporaryDirectory() as tmp:
        store = _open(Path(tmp))
        tok = store.issue_token("c")["token"]
        sid = store.create_session("c", "p", "en")["session_id"]
        spent, draft, uploads = 0, {}, []
        for i, (step, cost) in enumerate(zip(steps, costs, strict=False)):
            s = store.session(sid)
            assert s is not None
            if step == "upload":
                _media(store, s, "upload", f"med_{i}")
                store.save_session(s)
                uploads.append(f"med_{i}")
                continue
            turn = store.begin_turn(tok, s, cost)
            s["draft"] = {"step": i}
            if step == "finish":
                store.finish_turn(turn, s)
                spent, draft = spent + cost, {"step": i}
            elif step == "abort":
                store.abort_turn(turn, s)
            store = _crash(store)
            s = store.session(sid)
            rec = store.token(tok)
            assert s is not None and rec is not None
            assert (rec["balance"], rec["frozen"], s["draft"]) == (1000 - spent, 0, draft)
            assert [m["id"] for m in s["video_infos"]] == uploads
        store.close()
