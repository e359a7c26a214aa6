"""`UploadPicker`: files from the browser (in chunks to the kernel, see `_chunks`), the kernel's
disk or a URL, then to the backend through `Session.aupload` (the `transfers` trait)."""

from __future__ import annotations

import asyncio
import base64
import glob
import html
import itertools
import os
import shutil
import subprocess
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import traitlets

from .. import _loop
from ..errors import NemoError
from ..formats import EXTENSIONS, MAX_BYTES
from ..session import Media, Session, State
from ._base import STATIC, NemoWidget, list_trait, throttled
from ._chunks import MAX_CHUNK, ChunkReceiver, discard

__all__ = ["UploadPicker"]

_THUMB_MAX = 64_000  # a thumbnail data URL larger than this is not worth a trait sync


class UploadPicker(NemoWidget):
    """Drop zone, file dialog, path and URL fields; uploads go to the session."""

    _esm = STATIC / "upload.js"
    _areas = ("upload",)
    accept = traitlets.List(traitlets.Unicode(), list(EXTENSIONS)).tag(sync=True)
    max_size = traitlets.Int(MAX_BYTES).tag(sync=True)
    chunk_size = traitlets.Int(MAX_CHUNK).tag(sync=True)
    media = list_trait()
    transfers = list_trait()
    # media id -> a small JPEG data URL (`_thumbnail`): shown where the browser cannot reach the
    # kernel's 127.0.0.1, and after a page reload too
    thumbs = traitlets.Dict(value_trait=traitlets.Unicode()).tag(sync=True)

    def __init__(self, session: Session | None = None, *, temp_dir: str | None = None) -> None:
        super().__init__(session)
        self._receiver = ChunkReceiver(tuple(self.accept), self.max_size, self.chunk_size, temp_dir)
        self._ids = itertools.count(1)
        if self._session.last_state is not None:
            self._merge_media(_from_state(self._session.last_state))
        self._handlers.update(
            upload_start=self._on_start,
            upload_chunk=self._on_chunk,
            upload_end=self._on_end,
            upload_cancel=self._on_cancel,
            path=self._on_path,
            url=self._on_url,
        )
        self._follow("state", lambda state: self._merge_media(_from_state(state)))

    def add(self, *paths_or_urls: str) -> Future[Any]:
        """Upload files on the kernel's machine (globs allowed) or URLs; returns at once."""
        label = ", ".join(str(p) for p in paths_or_urls)
        return self._to_backend(label, list(paths_or_urls), size=0, temp=None)

    def _on_start(self, msg: dict[str, Any], _b: list[bytes]) -> dict[str, Any]:
        uid = self._receiver.start(str(msg.get("name", "")), msg.get("size"))
        return {"upload": uid, "chunk_size": self.chunk_size}

    def _on_chunk(self, msg: dict[str, Any], buffers: list[bytes]) -> dict[str, Any]:
        if len(buffers) != 1:
            self._receiver.cancel(str(msg.get("upload")))
            raise NemoError("a chunk must carry exactly one binary buffer")
        upload, seq, offset = msg.get("upload"), msg.get("seq"), msg.get("offset")
        return {"held": self._receiver.write(upload, seq, offset, buffers[0])}

    def _on_end(self, msg: dict[str, Any], _b: list[bytes]) -> dict[str, Any]:
        uid = str(msg.get("upload"))
        path = self._receiver.finish(uid)
        self._to_backend(path.name, [str(path)], size=path.stat().st_size, temp=path, uid=uid)
        return {"upload": uid}

    def _on_cancel(self, msg: dict[str, Any], _b: list[bytes]) -> dict[str, Any]:
        uid = str(msg.get("upload"))
        fut = self._running.get(uid)  # the backend leg, once the chunks are all in
        return {"cancelled": self._receiver.cancel(uid) | bool(fut and fut.cancel())}

    def _on_path(self, msg: dict[str, Any], _b: list[bytes]) -> Any:
        path = str(msg.get("path", "")).strip()
        if not path:
            raise self._error("error.no_path", "hint.type_path")
        return self._media(self.add(str(Path(path).expanduser()) if "://" not in path else path))

    def _on_url(self, msg: dict[str, Any], _b: list[bytes]) -> Any:
        url = str(msg.get("url", "")).strip()
        if not url.startswith(("http://", "https://")):
            raise self._error("error.not_url", "hint.paste_url", url=repr(url[:200]))
        return self._media(self.add(url))

    async def _media(self, fut: Future[Any]) -> dict[str, Any]:
        return {"media": await asyncio.wrap_future(fut)}

    def _to_backend(
        self, label: str, items: list[str], size: int, temp: Path | None, uid: str | None = None
    ) -> Future[Any]:
        uid = uid or f"k{next(self._ids)}"
        transfer = {"uid": uid, "name": label, "size": size, "sent": 0, "leg": "backend"}
        self.transfers = [*self.transfers, {**transfer, "status": "uploading"}]
        progress = throttled(lambda sent, total: self._update_transfer(uid, sent=sent, size=total))

        async def go() -> list[dict[str, Any]]:
            try:
                uploaded = await self._session.aupload(*items, progress=progress)
                media = [_media_dict(m) for m in uploaded]
                # made from the file still on this machine (the browser's is a temporary file)
                files = _local_files(items)
                for m in media:
                    path = files.get(str(m["name"]))
                    if path is None or m["type"] not in ("video", "image") or not m["id"]:
                        continue
                    if url := await asyncio.to_thread(_thumbnail, path):
                        self.thumbs = {**self.thumbs, str(m["id"]): url}
            finally:
                if temp is not None:
                    discard(temp)
            return media

        fut = _loop.submit(go())
        fut.add_done_callback(lambda f: self._backend_done(uid, f))
        self._running[uid] = fut
        return fut

    def _backend_done(self, uid: str, fut: Future[Any]) -> None:
        self._running.pop(uid, None)
        if fut.cancelled():
            self._update_transfer(uid, status="cancelled")
        elif fut.exception() is not None:
            self._update_transfer(uid, status="error", error=str(fut.exception()))
        else:
            self._merge_media(fut.result())
            # Finished transfers leave the list: the media list shows the result.
            self.transfers = [t for t in self.transfers if t["uid"] != uid]

    def _update_transfer(self, uid: str, **fields: Any) -> None:
        self.transfers = [{**t, **fields} if t["uid"] == uid else t for t in self.transfers]

    def _merge_media(self, items: list[dict[str, Any]]) -> None:
        seen = {_key(m): m for m in self.media}
        for m in items:
            if m.get("id") and m.get("url") in seen:  # the state names a file uploaded without one
                seen = {(m["id"] if k == m["url"] else k): v for k, v in seen.items()}
            seen[_key(m)] = {**seen.get(_key(m), {}), **m}
        self.media = list(seen.values())

    def close(self) -> None:
        """Drop open transfers and their temporary files, then close."""
        self._receiver.cancel_all()
        super().close()

    def _fallback(self) -> tuple[str, str]:
        if not self.media:
            return self._nothing("upload.no_media")
        lines = [
            f"{m['name']} ({m.get('type', '?')}, {m.get('size', 0)} bytes) {m['id']}"
            for m in self.media
        ]
        items = "".join(f"<li>{html.escape(line)}</li>" for line in lines)
        title = self._t("upload.media")
        return f"{title}:\n" + "\n".join(lines), f"<p>{html.escape(title)}</p><ul>{items}</ul>"


def _key(m: dict[str, Any]) -> str:
    # the vendor's upload answer (`files[]`) has no ids: its files are known by their URL
    return str(m.get("id") or m.get("url") or m.get("name") or "")


def _media_dict(m: Media | dict[str, Any]) -> dict[str, Any]:
    get = m.get if isinstance(m, dict) else lambda k: getattr(m, k, None)
    return {k: get(k) for k in ("id", "name", "type", "size", "url")}


def _from_state(state: State) -> list[dict[str, Any]]:
    return [_media_dict(v) for v in state.video_infos if isinstance(v, dict) and "id" in v]


def _thumbnail(path: str | os.PathLike[str], width: int = 160) -> str | None:
    """The first frame of `path` as a JPEG data URL, or None; runs ffmpeg (off the event loop)."""
    try:
        import imageio_ffmpeg  # the `local` extra

        exe: str | None = str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError):
        exe = shutil.which("ffmpeg")
    if exe is None:
        return None
    cmd = [exe, "-v", "error", "-nostdin", "-i", str(path), "-frames:v", "1"]
    cmd += ["-vf", f"scale='min({width},iw)':-2", "-q:v", "6", "-f", "image2pipe"]
    cmd += ["-vcodec", "mjpeg", "-"]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if done.returncode or not done.stdout.startswith(b"\xff\xd8") or len(done.stdout) > _THUMB_MAX:
        return None
    return "data:image/jpeg;base64," + base64.b64encode(done.stdout).decode("ascii")


def _local_files(items: list[str]) -> dict[str, Path]:
    """The files on this machine that `items` (paths, globs or URLs) name, by file name."""
    paths = [Path(p) for i in items if "://" not in i for p in glob.glob(os.path.expanduser(i))]
    return {p.name: p for p in reversed(paths) if p.is_file()}  # reversed: the first one named
