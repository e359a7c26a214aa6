"""One file streamed to disk through the request core (a rendered MP4, a timeline file)."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import BackendUnavailable
from ._multipart import Progress, ProgressArg

if TYPE_CHECKING:
    from ._client import AsyncClient


async def fetch(
    client: AsyncClient,
    route: str,
    dest: Path,
    progress: ProgressArg,
    hook: Callable[[int, int], Any] | None,
) -> None:
    """GET `route` into `dest` by way of a `.part` file, so a broken download leaves no `dest`."""
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
