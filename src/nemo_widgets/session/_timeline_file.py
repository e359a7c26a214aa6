"""The session's timeline as a file for a pro editor, its media downloaded beside it (or the
backend's URLs with `download=False`; a `.otioz` always carries its media)."""

from __future__ import annotations

import asyncio
import mimetypes
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .. import draft as _draft  # its pandas half loads on first use
from ..api import Media, _client
from ..draft import _otio, _otio_files, _read
from ._progress import ProgressArg

if TYPE_CHECKING:
    from ..api import State
    from ._host import Host


def _file_name(src: str, name: str, url: str, mime: Any, taken: set[str]) -> str:
    """The original name when it is free in the folder, else one made unique with the id."""
    name = name or url.split("?")[0].rsplit("/", 1)[-1] or src
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or "media"
    if "." not in name:  # editors pick the decoder by the extension
        name += (mimetypes.guess_extension(mime) if isinstance(mime, str) else None) or ""
    if name in taken:
        name = f"{Path(name).stem}_{src}{Path(name).suffix}"
    taken.add(name)
    return name


async def _media(
    session: Host,
    draft: Mapping[str, Any],
    state: State,
    folder: Path,
    download: bool,
    progress: ProgressArg,
) -> dict[str, _otio.MediaInfo]:
    """Where the editor finds each `src` the draft shows: a downloaded file, else its URL."""
    records = {Media.from_data(r).id: r for r in [*state.video_infos, *state.generated_media]}
    views = [
        _otio.SegmentView(seg, track.get("tt"))
        for track in _otio.listed(draft.get("t"))
        if isinstance(track, Mapping)
        for seg in _otio.listed(track.get("sg"))
        if isinstance(seg, Mapping)
    ]
    sent = 0  # one running count over all the files, for one bar

    def feed(done: int, total: int) -> None:
        if callable(progress):
            progress(sent + done, sent + total)

    out: dict[str, _otio.MediaInfo] = {}
    taken: set[str] = set()
    for src in dict.fromkeys(v.source for v in views if v.source and not v.is_text):
        rec = records.get(src, {})
        media = Media.from_data(rec)
        url = media.url or (src if src.startswith(("http://", "https://")) else None)
        if url is None:
            continue  # the writer reports it as missing media
        if download:
            dest = folder / _file_name(src, media.name, url, rec.get("mime"), taken)
            if not (media.size and dest.is_file() and dest.stat().st_size == media.size):
                folder.mkdir(parents=True, exist_ok=True)
                await _client.fetch(session.api, url, dest, feed)
                sent += dest.stat().st_size
            url = dest.absolute().as_uri()
        ms = media.duration * 1000 if media.duration and media.duration > 0 else None
        out[src] = _otio.MediaInfo(url, ms)
    return out


async def export_timeline(
    session: Host,
    path: str | os.PathLike[str],
    media_dir: str | os.PathLike[str] | None = None,
    *,
    draft: Any = None,
    download: bool = True,
    progress: ProgressArg = None,
) -> tuple[Path, list[warnings.WarningMessage]]:
    """Write the timeline (default: the session's draft) as `.otio`, `.otioz`, FCP `.xml`,
    `.fcpxml` or `.edl`, its media downloaded beside it; `draft.from_otio` brings it back."""
    dest = Path(path).expanduser().absolute()
    # a wrong suffix or a missing plugin fails before any download
    adapter = _otio_files.adapter_for(dest)
    state = await session.astate()
    working = session.edits.current()  # the backend's draft with the hand edits
    body: Any = working if draft is None else draft
    if type(body).__name__ == "DataFrame":
        body = _draft.frame_to_draft(body, working)
    body = _otio.as_draft(body)
    folder = Path(media_dir).expanduser() if media_dir else dest.with_name(f"{dest.stem}_media")
    media = await _media(session, body, state, folder, download or adapter == "otioz", progress)
    fps = None if _read.value_at(body, "m.fps") else state.canvas_config.get("fps")

    def write() -> tuple[Path, list[warnings.WarningMessage]]:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            written = _otio_files.write_timeline(body, dest, media=media, fps=fps)
        return written, list(seen)

    return await asyncio.to_thread(write)


def reissue(result: tuple[Path, list[warnings.WarningMessage]]) -> Path:
    """Show the writer's warnings where the caller is (the work ran on another thread)."""
    path, seen = result
    for w in seen:
        warnings.warn(w.message, w.category, stacklevel=3)
    return path
