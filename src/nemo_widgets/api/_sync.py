"""`Client`: the blocking facade. Each method runs the `AsyncClient` coroutine of the same name on
the package's background loop, so there is one implementation of every request."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import _loop
from .._options import Options
from ._client import AsyncClient
from ._models import Credits, Media, RenderStatus, State
from ._multipart import ProgressArg

__all__ = ["Client"]


class Client:
    """The NemoVideo API as blocking calls (works in scripts and inside running event loops)."""

    def __init__(
        self,
        api_url: str | None = None,
        token: str | None = None,
        *,
        options: Options | None = None,
        client_id: str | None = None,
        web_url: str | None = None,
    ) -> None:
        self.aio = AsyncClient(
            api_url, token, options=options, client_id=client_id, web_url=web_url
        )

    def __repr__(self) -> str:
        return f"Client({self.aio.api_url!r}, {self.aio.credentials!r})"

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connections."""
        _loop.run(self.aio.aclose())

    def anonymous_token(self) -> dict[str, Any]:
        """See `AsyncClient.anonymous_token`."""
        return _loop.run(self.aio.anonymous_token())

    def create_session(self, language: str = "en", task_name: str = "project") -> dict[str, str]:
        """See `AsyncClient.create_session`."""
        return _loop.run(self.aio.create_session(language, task_name))

    def claim_token(self, task_id: str, session_id: str) -> dict[str, Any]:
        """See `AsyncClient.claim_token`."""
        return _loop.run(self.aio.claim_token(task_id, session_id))

    def upload_files(
        self,
        session_id: str,
        paths: Sequence[str | os.PathLike[str]],
        progress: ProgressArg = None,
        hook: Callable[[int, int], Any] | None = None,
    ) -> list[Media]:
        """See `AsyncClient.upload_files`."""
        return _loop.run(self.aio.upload_files(session_id, paths, progress, hook))

    def upload_urls(self, session_id: str, urls: Sequence[str]) -> list[Media]:
        """See `AsyncClient.upload_urls`."""
        return _loop.run(self.aio.upload_urls(session_id, urls))

    def credits(self) -> Credits:
        """See `AsyncClient.credits`."""
        return _loop.run(self.aio.credits())

    def state(self, session_id: str) -> State:
        """See `AsyncClient.state`."""
        return _loop.run(self.aio.state(session_id))

    def render(
        self, job_id: str, session_id: str, draft: dict[str, Any], quality: str = "high"
    ) -> RenderStatus:
        """See `AsyncClient.render`."""
        return _loop.run(self.aio.render(job_id, session_id, draft, quality))

    def render_status(self, job_id: str) -> RenderStatus:
        """See `AsyncClient.render_status`."""
        return _loop.run(self.aio.render_status(job_id))

    def cancel_render(self, job_id: str) -> RenderStatus:
        """See `AsyncClient.cancel_render`."""
        return _loop.run(self.aio.cancel_render(job_id))

    def download(
        self,
        job_id: str,
        dest: str | os.PathLike[str],
        *,
        url: str | None = None,
        progress: ProgressArg = None,
    ) -> Path:
        """See `AsyncClient.download`."""
        return _loop.run(self.aio.download(job_id, dest, url=url, progress=progress))
