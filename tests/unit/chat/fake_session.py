"""A small stand-in for `Session` with a scripted `/run_sse`, for the unit tests of `_chat`."""

from __future__ import annotations

import contextlib
import copy
from collections.abc import AsyncIterator, Callable
from pathlib import PurePath
from typing import Any

import httpx

from nemo_widgets import Credits, Media, RenderJob, State
from nemo_widgets._options import Options
from nemo_widgets.api._client import ChatStream
from nemo_widgets.session._host import ChatState
from nemo_widgets.session._watchdog import Clock

Body = Callable[[], AsyncIterator[bytes]]

VIDEO_ONLY: dict[str, Any] = {
    "d": 10000,
    "t": [
        {
            "id": "trk_v",
            "tt": 0,
            "nm": "Video",
            "sg": [{"id": "seg_1", "k": "image", "nm": "a.jpg", "st": 0, "d": 10000}],
        }
    ],
}
WITH_TITLE: dict[str, Any] = copy.deepcopy(VIDEO_ONLY)
WITH_TITLE["t"] = [
    *VIDEO_ONLY["t"],
    {
        "id": "trk_t",
        "tt": 7,
        "nm": "Title",
        "sg": [{"id": "seg_2", "k": "title", "txt": "Urban Dreams", "st": 0, "d": 3000}],
    },
]


def state(draft: dict[str, Any]) -> State:
    """A state holding `draft`."""
    return State(draft=copy.deepcopy(draft), video_infos=[], canvas_config={}, generated_media=[])


def body_of(*chunks: bytes, then: BaseException | None = None) -> Body:
    """A response body sending `chunks`, then raising `then` (a dropped connection) if given."""

    async def body() -> AsyncIterator[bytes]:
        for chunk in chunks:
            yield chunk
        if then is not None:
            raise then

    return body


class FakeApi:
    """`open_chat` as the real client has it: counts POSTs, serves scripted bodies."""

    def __init__(self, bodies: list[Body], refuse: BaseException | None = None) -> None:
        self.bodies = list(bodies)
        self.posts: list[str] = []
        self.closed = 0
        self.refuse = refuse

    @contextlib.asynccontextmanager
    async def open_chat(self, session_id: str, text: str) -> AsyncIterator[ChatStream]:
        if self.refuse is not None:
            raise self.refuse  # before the stream, like a refused connection
        self.posts.append(text)
        response = httpx.Response(
            200, headers={"content-type": "text/event-stream"}, content=self.bodies.pop(0)()
        )
        try:
            yield ChatStream(response)  # the real decoding and error translation
        finally:
            self.closed += 1
            await response.aclose()


class FakeClock(Clock):
    """The loop's clock, but waits are recorded, not slept."""

    def __init__(self) -> None:
        self.slept: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)


class FakeSession:
    """A `Host` for `_chat`, with call records."""

    def __init__(
        self,
        bodies: list[Body] = (),  # type: ignore[assignment]
        drafts: list[dict[str, Any]] = (),  # type: ignore[assignment]
        options: Options | None = None,
        refuse: BaseException | None = None,
    ) -> None:
        self.api = FakeApi(list(bodies), refuse)
        self.session_id = "sess_1"
        self.language = "en"
        self.chat_state = ChatState()
        self.clock = FakeClock()
        self.recorder = None
        self.jobs: list[RenderJob] = []
        self.last_state: State | None = None
        self.options = options or Options(drop_waits=(0.0,), drop_max_reads=3)
        self.history: list[dict[str, Any]] = []
        self.emitted: list[tuple[str, Any]] = []
        self.calls: list[str] = []
        self.saved = 0  # save_history() calls
        self._drafts = list(drafts) or [VIDEO_ONLY]

    async def astate(self) -> State:
        self.calls.append("state")
        # Each read takes the next draft; the last one stays.
        draft = self._drafts.pop(0) if len(self._drafts) > 1 else self._drafts[0]
        return state(draft)

    def emit(self, kind: str, payload: Any) -> None:
        self.emitted.append((kind, payload))

    def save_history(self) -> None:
        self.saved += 1

    async def aexport(self) -> RenderJob:
        self.calls.append("export")
        return RenderJob(id="render_1", status="completed", path="/tmp/out.mp4")

    async def acredits(self) -> Credits:
        self.calls.append("credits")
        return Credits(available=80, frozen=20, total=100)

    async def aupload(self, *paths: str) -> list[Media]:
        self.calls.append("upload")
        return [
            Media(id=f"m{i}", name=PurePath(p).name, type="video", size=1)
            for i, p in enumerate(paths)
        ]
