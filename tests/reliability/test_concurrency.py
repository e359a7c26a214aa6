"""Two things at once on one session: a second message while one runs is refused before it is
sent (a double charge otherwise); exports queue; a blocking call from an observer (which runs on
the background loop) is refused instead of hanging."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from reliability_helpers import RENDER, RUN_SSE, accepted_messages, titled

import nemo_widgets as nw
from nemo_widgets.local import LocalServer
from samples import tiny_draft


def test_two_messages_at_once_send_one(server: LocalServer, session: nw.Session, png: Path) -> None:
    titled(session, png)
    sent, posts = accepted_messages(server, session.session_id), server.counts[RUN_SSE]

    async def both() -> list[object]:
        return await asyncio.gather(
            session.achat('add title "First"'),
            session.achat('add title "Second"'),
            return_exceptions=True,
        )

    results = asyncio.run(both())
    replies = [r for r in results if isinstance(r, nw.Reply)]
    refused = [r for r in results if isinstance(r, nw.NemoError)]
    assert len(replies) == 1 and len(refused) == 1, results
    assert "Still working" in str(refused[0]) and "charged twice" in str(refused[0])
    assert accepted_messages(server, session.session_id) == sent + 1
    assert server.counts[RUN_SSE] == posts + 1
    assert "Third" in session.chat('add title "Third"').text  # the guard is released


def test_messages_from_two_threads_send_one(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    titled(session, png)
    sent = accepted_messages(server, session.session_id)
    barrier = threading.Barrier(2)
    outcomes: list[object] = []

    def user(text: str) -> None:
        barrier.wait(10)
        try:
            outcomes.append(session.chat(text))
        except nw.NemoError as exc:
            outcomes.append(exc)

    threads = [threading.Thread(target=user, args=(f'add title "T{i}"',)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sum(isinstance(o, nw.Reply) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, nw.NemoError) for o in outcomes) == 1, outcomes
    assert accepted_messages(server, session.session_id) == sent + 1


def test_two_exports_at_once_both_complete(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    media = session.upload(png)

    async def both() -> list[nw.RenderJob]:
        return list(
            await asyncio.gather(
                session.aexport(tiny_draft(media[0].id)),
                session.aexport(tiny_draft(media[0].id, ms=2000)),
            )
        )

    jobs = asyncio.run(both())
    assert [j.status for j in jobs] == ["completed", "completed"]
    assert jobs[0].id != jobs[1].id and jobs[0].path != jobs[1].path
    assert server.counts[RENDER] == 2


def test_a_blocking_call_from_an_observer_is_refused_not_hung(
    server: LocalServer, session: nw.Session, png: Path
) -> None:
    seen: list[str] = []

    def observer(kind: str, payload: object) -> None:
        if kind == "state" and not seen:
            try:
                session.credits()  # observers run on the background loop: this must not block
            except RuntimeError as exc:
                seen.append(str(exc))

    session.subscribe(observer)
    session.upload(png)
    assert session.state() is not None  # came back: no deadlock
    assert seen and "background loop" in seen[0]
