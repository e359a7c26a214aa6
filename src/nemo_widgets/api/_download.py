"""Streaming a rendered MP4 to disk: the job's URL first, then the download route; a partial
file never takes the destination's name."""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import BackendUnavailable, NemoError
from ._multipart import Progress, ProgressArg

if TYPE_CHECKING:
    from ._client import AsyncClient


log = logging.getLogger("nemo_widgets.api")


async def download(
    client: AsyncClient,
    job_id: str,
    dest: Path,
    url: str | None,
    progress: ProgressArg,
    hook: Callable[[int, int], Any] | None,
) -> Path:
    """See `AsyncClient.download`."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    routes = [u for u in (url, f"/api/render/proxy/{job_id}/download") if u]
    failure: NemoError | None = None
    for route in routes:
        try:
            await fetch(client, route, dest, progress, hook)
            return dest
        except NemoError as exc:
            log.debug("download route failed (%s), %d left", type(exc).__name__, len(routes))
            failure = exc
    assert failure is not None
    raise failure


async def fetch(
    client: AsyncClient,
    route: str,
    dest: Path,
    progress: ProgressArg,
    hook: Callable[[int, int], Any] | None,
) -> None:
    response = await client._call("GET", route, "download", stream="bytes")
    part = dest.with_name(f".{dest.name}.part")
    total = int(response.headers.get("content-length") or 0)
    bar = Progress(total, progress, hook)
    try:
        with open(part, "wb") as f:
            done = 0
            async for chunk in response.aiter_bytes(1 << 20):
                await asyncio.to_thread(f.write, chunk)
                done += len(chunk)
                bar.update(done)
        if total and done != total:
            raise BackendUnavailable(f"download: got {done} of {total} bytes")
        os.replace(part, dest)
    except httpx.TransportError as exc:
        raise BackendUnavailable(f"download broke off: {type(exc).__name__}") from None
    finally:
        await response.aclose()
        part.unlink(missing_ok=True)
