"""The session's timeline as a file for a pro editor, its media downloaded beside it (the backend's
URLs, with `download=False`; a `.otioz` always carries its media) so that the editor finds them."""

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
from ..api._client import fetch
from ..draft._otio import MediaInfo, SegmentView, as_draft, mapping
from ..draft._otio_files import adapter_for, write_timeline
from ..errors import DraftError
from ._progress import ProgressArg

if TYPE_CHECKING:
    from ..api import State
    from ._host import Host


_URL_KEYS = ("url", "cdn_url", "cdnUrl", "source_url", "download_url")


def _records(state: State) -> dict[str, dict[str, Any]]:
    """Media records by id, uploads and generated alike."""
    out: dict[str, dict[str, Any]] = {}
    for rec in [*state.video_infos, *state.generated_media]:
        if isinstance(rec, Mapping):
            mid = rec.get("id", rec.get("media_id"))
            if isinstance(mid, (str, int)):
                out[str(mid)] = dict(rec)
    return out


def _duration_ms(rec: Mapping[str, Any]) -> float | None:
    # "duration": the vendor's upload answer, in seconds
    for key, scale in (("duration_ms", 1), ("duration", 1000)):
        value = rec.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value) * scale
    return None


def _file_name(src: str, rec: Mapping[str, Any], url: str, taken: set[str]) -> str:
    """The original name when it is free in the folder, else one made unique with the id."""
    raw = rec.get("name", rec.get("filename"))
    name = raw if isinstance(raw, str) and raw else url.split("?")[0].rsplit("/", 1)[-1] or src
    name = re.sub(r'[\\/:*?"<>|\x00-\x1f]', "_", name).strip(". ") or "media"
    if "." not in name.strip("."):  # editors pick the decoder by the extension
        mime = rec.get("mime")
        ext = mimetypes.guess_extension(mime) if isinstance(mime, str) else None
        name += ext or ""
    if name in taken:
        stem, dot, ext = name.rpartition(".")
        name = f"{stem}_{src}.{ext}" if dot else f"{name}_{src}"
    taken.add(name)
    return name


def _sources(draft: Mapping[str, Any]) -> list[str]:
    seen: dict[str, None] = {}
    for track in draft.get("t") or []:
        if isinstance(track, Mapping) and isinstance(track.get("sg"), list):
            for seg in track["sg"]:
                if isinstance(seg, Mapping):
                    view = SegmentView(seg, track.get("tt"))
                    if view.source and not view.is_text:
                        seen[view.source] = None
    return list(seen)


async def _media(
    session: Host,
    draft: Mapping[str, Any],
    state: State,
    folder: Path,
    download: bool,
    progress: ProgressArg,
) -> dict[str, MediaInfo]:
    records = _records(state)
    sent = 0  # one running count over all the files, for one bar

    def feed(done: int, total: int) -> None:
        if callable(progress):
            progress(sent + done, sent + total)

    out: dict[str, MediaInfo] = {}
    taken: set[str] = set()
    for src in _sources(draft):
        rec = records.get(src, {})
        found = (str(rec[k]) for k in _URL_KEYS if isinstance(rec.get(k), str) and rec[k])
        url = next(found, src if src.startswith(("http://", "https://")) else None)
        if url is None:
            continue  # the writer reports it as missing media
        if not download:
            out[src] = MediaInfo(url, _duration_ms(rec))
            continue
        dest = folder / _file_name(src, rec, url, taken)
        size = rec.get("size")
        if not (dest.is_file() and isinstance(size, int) and dest.stat().st_size == size):
            folder.mkdir(parents=True, exist_ok=True)
            await fetch(session.api, url, dest, feed if callable(progress) else progress, None)
            sent += dest.stat().st_size
        out[src] = MediaInfo(dest.absolute().as_uri(), _duration_ms(rec))
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
    """Write the timeline file; the path and the warnings to show on the caller's thread."""
    dest = Path(path).expanduser().absolute()
    adapter = adapter_for(dest)  # a wrong suffix fails before any download
    state = await session.astate()
    working = session.edits.current()  # the backend's draft with the hand edits
    body: Any = working if draft is None else draft
    if type(body).__name__ == "DataFrame":
        body = _draft.frame_to_draft(body, working)
    body = as_draft(body)
    if not isinstance(body, Mapping):
        raise DraftError(f"a draft is a dict of the compact format, not {type(body).__name__}")
    folder = Path(media_dir).expanduser() if media_dir else dest.with_name(f"{dest.stem}_media")
    media = await _media(session, body, state, folder, download or adapter == "otioz", progress)
    meta = mapping(body.get("m"))
    fps = None if meta.get("fps") else state.canvas_config.get("fps")

    def write() -> tuple[Path, list[warnings.WarningMessage]]:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            written = write_timeline(body, dest, media=media, fps=fps)
        return written, list(seen)

    return await asyncio.to_thread(write)


def reissue(result: tuple[Path, list[warnings.WarningMessage]]) -> Path:
    """Show the writer's warnings where the caller is (the work ran on another thread)."""
    path, seen = result
    for w in seen:
        warnings.warn(w.message, w.category, stacklevel=3)
    return path
