"""The sync API inside a running event loop (a Jupyter kernel) and the async API from another loop
(top-level await) or from the package's own loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

import nemo_widgets as nw
from nemo_widgets import _loop
from nemo_widgets.local import LocalServer


def test_sync_calls_from_inside_a_running_loop(server: LocalServer, png: Path) -> None:
    async def cell() -> tuple[int, str]:
        # what a notebook cell does: plain calls while the kernel's loop is running
        s = nw.connect(backend="local", api_url=server.url)
        try:
            return s.credits().available, s.upload(png)[0].name
        finally:
            s.close()

    assert asyncio.run(cell()) == (100, "photo.png")


def test_async_api_with_top_level_await_style(server: LocalServer, png: Path) -> None:
    s = nw.connect(backend="local", api_url=server.url)

    async def cell() -> tuple[int, int, str]:
        credits, media = await asyncio.gather(s.acredits(), s.aupload(png))
        assert media[0].name == "photo.png"
        state = await s.astate()
        link = await s.alink()
        await s.aclose()
        return credits.total, len(state.video_infos), link

    total, n, link = asyncio.run(cell())
    assert (total, n) == (100, 1) and "ct=clm_" in link
    assert s.closed


def test_async_api_awaited_on_the_background_loop_itself(server: LocalServer) -> None:
    s = nw.connect(backend="local", api_url=server.url)

    async def inside() -> int:
        assert _loop.on_loop()  # e.g. the chat helper awaiting session methods
        return (await s.acredits()).available + len((await s.astate()).video_infos)

    try:
        assert _loop.run(inside()) == 100
    finally:
        s.close()
