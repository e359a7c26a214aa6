"""kill -9 of the real `nemo-widgets serve` process at each step — a generation, an edit, an
upload, a render, inside each of the store's transactions (the charge included) — then a restart
on the same data dir: nothing frozen, total = available + frozen, an interrupted turn not charged
and its draft as before it, sessions and finished uploads intact, every render ending, the token
working and a new generation working.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from .crash_harness import (
    COSTS,
    FAST,
    ServerProcess,
    User,
    broken_invariants,
    half_upload,
    png_bytes,
    small_draft,
    wait_for,
)

CREDITS = 1000


@pytest.fixture
def server(server_process: Callable[..., ServerProcess]) -> ServerProcess:
    """The serve process each test kills and restarts (its own tests' variant of `server`)."""
    return server_process("--initial-credits", "1000")


def _restart(server: ServerProcess, user: User) -> None:
    if not server.running:
        server.start(*FAST)
        user.rebase(server.url)


def _after_restart(
    server: ServerProcess,
    user: User,
    balance: int,
    uploads: list[dict[str, Any]],
    renders: tuple[str, ...] = (),
) -> None:
    """(Restart,) check every invariant, then a new generation works (and is charged)."""
    _restart(server, user)
    assert broken_invariants(user, balance, uploads, list(renders)) == []
    events = user.chat("make a 2 second video")
    assert any("functionCall" in str(e) for e in events) and "error" not in events[-1]
    assert user.credits()["total"] == balance - COSTS["generate"]
    assert "Traceback" not in server.log_text()
    user.close()


def _user_with_upload(server: ServerProcess) -> tuple[User, dict[str, Any]]:
    user = User(server.url)
    return user, user.upload("shot.png", png_bytes(1))


def test_kill_during_a_generation(server: ServerProcess) -> None:
    server.start(*FAST, "--generation-delay", "60")
    user, up = _user_with_upload(server)
    user.chat("make a video", until="functionCall")  # in its 60 s first stage
    assert user.credits()["frozen"] == COSTS["generate"]
    server.kill()
    _restart(server, user)
    assert user.state()["draft"] == {}  # as before the turn, not half a video
    assert server.log_text().count("turns_released 1") == 1
    _after_restart(server, user, CREDITS, [up])


def test_kill_during_an_edit(server: ServerProcess) -> None:
    server.start(*FAST)
    user, up = _user_with_upload(server)
    user.chat("make a video")
    before = user.state()["draft"]
    server.kill()
    server.start(*FAST, "--step-delay", "60")
    user.rebase(server.url)
    user.chat('add title "Never"', until="functionCall")
    server.kill()
    _restart(server, user)
    assert user.state()["draft"] == before
    _after_restart(server, user, CREDITS - COSTS["generate"], [up])


def test_kill_during_an_upload(server: ServerProcess) -> None:
    server.start(*FAST)
    user, up = _user_with_upload(server)
    sock = half_upload(server.url, user)
    tmp = server.data_dir / "tmp"
    wait_for("the partial upload on disk", lambda: any(tmp.iterdir()))
    server.kill()
    sock.close()
    _restart(server, user)
    assert not any(tmp.iterdir())  # the partial file is gone
    assert [m["id"] for m in user.state()["video_infos"]] == [up["id"]]
    _after_restart(server, user, CREDITS, [up])


def test_kill_during_a_render(server: ServerProcess) -> None:
    server.start(*FAST)
    user, up = _user_with_upload(server)
    user.render(small_draft(up["id"], ms=30000, w=1280, h=720), "render_cut")
    wait_for("the render running", lambda: user.render_status("render_cut")["percent"] > 0)
    server.kill()
    assert not (server.data_dir / "renders" / "render_cut.mp4").exists()
    _restart(server, user)
    job = user.wait_render("render_cut")
    assert job["status"] == "completed", job  # resumed, not left "processing"
    assert user.http.get(job["output"]["url"]).content[4:8] == b"ftyp"
    _after_restart(server, user, CREDITS, [up], ("render_cut",))


def test_kill_after_the_charge_keeps_the_finished_turn(server: ServerProcess) -> None:
    server.start(*FAST)
    user, up = _user_with_upload(server)
    user.chat("make a video")
    user.chat('add title "Kept"', until="finishReason")  # the reply, after the charge
    server.kill()
    _restart(server, user)
    assert "Kept" in str(user.state()["draft"])  # the whole edit, charged
    _after_restart(server, user, CREDITS - COSTS["generate"] - COSTS["edit"], [up])


@pytest.mark.parametrize(
    ("point", "step"),
    [
        ("begin_turn", "chat"),  # the reservation of a generation
        ("finish_turn", "chat"),  # the draft and the charge (a credits change)
        ("session", "upload"),  # an upload's record, its file already moved in
        ("render:2", "render"),  # a render going from pending to processing
        ("render:3", "render"),  # a render's completion
    ],
)
def test_crash_inside_each_transaction(server: ServerProcess, point: str, step: str) -> None:
    """The server SIGKILLs itself between a transaction's statements and its commit."""
    server.start(*FAST)
    user, up = _user_with_upload(server)
    draft_before = user.state()["draft"]
    server.kill()
    server.env["NEMO_LOCAL_CRASH_AT"] = point
    server.start(*FAST)
    user.rebase(server.url)
    renders: tuple[str, ...] = ()
    try:
        if step == "chat":
            user.chat("make a video")
        elif step == "upload":
            user.upload("second.png", png_bytes(2))
        else:
            renders = ("render_tx",)
            user.render(small_draft(up["id"]), "render_tx")
            wait_for("the crash", lambda: user.render_status("render_tx")["status"] == "x")
    except Exception:  # the connection dies with the server: expected
        pass
    assert server.wait_exit() == -9
    assert f"crash point {point.split(':')[0]} reached" in server.log_text()
    del server.env["NEMO_LOCAL_CRASH_AT"]
    _restart(server, user)
    assert user.state()["draft"] == draft_before  # never half a turn
    assert [m["id"] for m in user.state()["video_infos"]] == [up["id"]]
    media = server.data_dir / "media" / user.sid
    assert sorted(p.name for p in media.iterdir()) == [f"{up['id']}.png"]  # no orphan file
    _after_restart(server, user, CREDITS, [up], renders)
