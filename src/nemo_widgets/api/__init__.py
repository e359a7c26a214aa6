"""The wire layer: `Client` (blocking) and `AsyncClient` over the NemoVideo HTTP contract."""

from __future__ import annotations

from ._client import DEFAULT_API_URL, AsyncClient
from ._models import Credits, Media, RenderStatus, State
from ._request import DEFAULT_WEB_URL
from ._retry import retry_delay
from ._sync import Client

__all__ = [
    "DEFAULT_API_URL",
    "DEFAULT_WEB_URL",
    "AsyncClient",
    "Client",
    "Credits",
    "Media",
    "RenderStatus",
    "State",
    "retry_delay",
]
