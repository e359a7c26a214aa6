"""`POST /api/upload-video/nemo_agent/me/<sid>`: multipart `files` streamed to disk (the size limit
enforced while streaming, never the whole body in memory) or JSON `{"urls": [...]}` fetched over
http(s); every file checked by extension and by content, then probed. All files of one request are
accepted together or not at all. Also the media route that serves them back (with Range). The
vendor dialect answers `files[]` with a content hash (`vendor.upload_files`).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import anyio.to_thread
import httpx
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ...formats import FORMATS, extension
from .. import media as md
from .._common import ApiError, Backend, absolute, json_body, ok
from ..store import new_id
from . import vendor as _vendor

_HEAD = 64  # bytes kept for sniffing
_BY_MIME = {f.mime: ext for ext, f in FORMATS.items()} | {
    "image/jpg": "jpg",
    "audio/mp3": "mp3",
}


class _Incoming:
    """One file being received: its name, temp path, size so far and first bytes."""

    def __init__(self, name: str, path: Path):
        self.name, self.path, self.size, self.head = name, path, 0, b""
        self.fh = open(path, "wb")  # noqa: SIM115 - closed in close()

    def write(self, data: bytes) -> None:
        if len(self.head) < _HEAD:
            self.head += data[: _HEAD - len(self.head)]
        self.fh.write(data)
        self.size += len(data)

    def close(self) -> None:
        if not self.fh.closed:
            self.fh.close()

    def discard(self) -> None:
        self.close()
        self.path.unlink(missing_ok=True)


def _clean_name(raw: str) -> str:
    name = os.path.basename(raw.replace("\\", "/")).strip() or "file"
    return re.sub(r"[\x00-\x1f]", "", name)[:200]


def _too_large(name: str, limit: int) -> ApiError:
    return ApiError(413, 4002, f"{name!r} is larger than {limit} bytes")


class _Receiver:
    """python-multipart callbacks writing each file part to its own temp file."""

    def __init__(self, tmp: Path, limit: int):
        self.tmp, self.limit = tmp, limit
        self.files: list[_Incoming] = []
        self.cur: _Incoming | None = None
        self.error: ApiError | None = None
        self._field = self._value = b""
        self._headers: dict[bytes, bytes] = {}

    def callbacks(self) -> dict[str, Any]:
        return {
            "on_part_begin": self._begin,
            "on_header_field": self._hfield,
            "on_header_value": self._hvalue,
            "on_header_end": self._hend,
            "on_headers_finished": self._hdone,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self) -> None:
        self._headers, self.cur = {}, None

    def _hfield(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def _hvalue(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def _hend(self) -> None:
        self._headers[self._field.lower()] = self._value
        self._field = self._value = b""

    def _hdone(self) -> None:
        if self.error:
            return
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        filename = params.get(b"filename")
        if filename is None or params.get(b"name", b"files") not in (b"files", b"file"):
            return  # a plain form field: ignored
        name = _clean_name(filename.decode("utf-8", "replace"))
        if extension(name) not in FORMATS:
            self.error = ApiError(
                415, 4001, f"unsupported file type for {name!r}", {"supported": sorted(FORMATS)}
            )
            return
        self.cur = _Incoming(name, self.tmp / new_id("up_"))
        self.files.append(self.cur)

    def _data(self, data: bytes, start: int, end: int) -> None:
        if self.cur is None or self.error:
            return
        if self.cur.size + (end - start) > self.limit:
            self.error = _too_large(self.cur.name, self.limit)
            self.cur.close()
            return
        self.cur.write(data[start:end])

    def _end(self) -> None:
        if self.cur is not None:
            self.cur.close()
        self.cur = None


async def _receive_multipart(nemo: Backend, request: Request, ctype: str) -> list[_Incoming]:
    _, params = parse_options_header(ctype)
    boundary = params.get(b"boundary")
    if not boundary:
        raise ApiError(400, 4000, "multipart body without a boundary")
    rx = _Receiver(nemo.store.tmp_dir, nemo.options.max_upload_bytes)
    parser = MultipartParser(boundary, rx.callbacks())  # type: ignore[arg-type]
    drained, cap = 0, 2 * nemo.options.max_upload_bytes + (1 << 20)
    try:
        async for chunk in request.stream():
            if rx.error is None:
                try:
                    parser.write(chunk)
                except Exception:
                    rx.error = ApiError(400, 4000, "malformed multipart body")
            else:  # read (and drop) the rest so that the client gets the answer cleanly
                drained += len(chunk)
                if drained > cap:
                    break
        if rx.error is None:
            parser.finalize()
    except BaseException:
        for f in rx.files:
            f.discard()
        raise
    if rx.error is not None:
        for f in rx.files:
            f.discard()
        raise rx.error
    if not rx.files:
        raise ApiError(400, 4000, "no file in the multipart field 'files'")
    return rx.files


async def _fetch(nemo: Backend, url: str) -> _Incoming:
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ApiError(415, 4001, f"only http(s) URLs can be uploaded, not {url[:80]!r}")
    limit = nemo.options.max_upload_bytes
    name = _clean_name(unquote(parsed.path.rsplit("/", 1)[-1]))
    inc: _Incoming | None = None
    try:
        async with httpx.AsyncClient(timeout=nemo.options.url_timeout, follow_redirects=True) as c:  # noqa: SIM117
            async with c.stream("GET", url) as r:
                if r.status_code >= 400:
                    raise ApiError(400, 4004, f"fetching the URL answered HTTP {r.status_code}")
                if extension(name) not in FORMATS:
                    ext = _BY_MIME.get(r.headers.get("content-type", "").split(";")[0].strip())
                    name = f"{name.rsplit('.', 1)[0] or 'file'}.{ext}" if ext else name
                if extension(name) not in FORMATS:
                    raise ApiError(415, 4001, f"unsupported file type for {name!r}")
                if int(r.headers.get("content-length") or 0) > limit:
                    raise _too_large(name, limit)
                inc = _Incoming(name, nemo.store.tmp_dir / new_id("up_"))
                async for chunk in r.aiter_bytes():
                    if inc.size + len(chunk) > limit:
                        raise _too_large(name, limit)
                    inc.write(chunk)
                inc.close()
                return inc
    except ApiError:
        if inc is not None:
            inc.discard()
        raise
    except httpx.HTTPError as e:
        if inc is not None:
            inc.discard()
        raise ApiError(400, 4004, f"could not fetch the URL: {type(e).__name__}") from None


def _accept(nemo: Backend, s: dict[str, Any], inc: _Incoming) -> dict[str, Any]:
    """Check and probe one received file, move it into the session; its video_info."""
    try:
        ext, kind, mime = md.check_type(inc.name, inc.head)
        info = md.probe(inc.path, kind)
    except md.MediaError as e:
        raise ApiError(415, e.code, str(e), {"supported": sorted(FORMATS)}) from None
    mid = new_id("med_")
    dest = nemo.store.media_dir(s["session_id"]) / f"{mid}.{ext}"
    os.replace(inc.path, dest)
    return {
        "file": str(dest.relative_to(nemo.store.root)),  # popped by upload(), on the loop
        "id": mid,
        "name": inc.name,
        "type": kind,
        "mime": mime,
        "size": inc.size,
        "duration_ms": info["duration_ms"],
        "width": info["width"],
        "height": info["height"],
        "url": f"/api/media/{s['session_id']}/{mid}?key={s['media_key']}",
    }


async def upload(request: Request) -> Response:
    """Receive files (multipart) or URLs (JSON) into a session."""
    nemo: Backend = request.app.state.nemo
    rec = nemo.auth(request)
    s = nemo.session_of(rec, request.path_params["session_id"])
    ctype = request.headers.get("content-type", "")
    if ctype.lower().startswith("multipart/form-data"):
        files = await _receive_multipart(nemo, request, ctype)
    else:
        body = await json_body(request, {"urls", "source_type"}, {"urls"})
        urls = body["urls"]
        if not isinstance(urls, list) or not urls or not all(isinstance(u, str) for u in urls):
            raise ApiError(422, 4000, "urls must be a non-empty list of strings")
        files = []
        try:
            for u in urls:
                files.append(await _fetch(nemo, u))
        except BaseException:
            for f in files:
                f.discard()
            raise
    infos: list[dict[str, Any]] = []
    try:
        for f in files:
            infos.append(await anyio.to_thread.run_sync(_accept, nemo, s, f))
    except BaseException:
        for f in files:
            f.discard()
        for i in infos:
            (nemo.store.root / i["file"]).unlink(missing_ok=True)
        raise
    vendor = _vendor.is_vendor(nemo)
    hashes = []
    for i in infos:
        if vendor:
            hashes.append(await anyio.to_thread.run_sync(_sha256, nemo.store.root / i["file"]))
        s.setdefault("media_files", {})[i["id"]] = i.pop("file")
    s["video_infos"].extend(infos)
    nemo.store.save_session(s)
    shown = absolute({"video_infos": [dict(i) for i in infos]}, request)["video_infos"]
    if vendor:
        return ok(_vendor.upload_files(shown, hashes))
    return ok({"files": shown, "video_infos": shown, "session_id": s["session_id"]})


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


async def media(request: Request) -> Response:
    """GET /api/media/<sid>/<id>?key=…: an uploaded or generated file (Range supported)."""
    nemo: Backend = request.app.state.nemo
    s = nemo.store.session(request.path_params["session_id"])
    key = request.query_params.get("key")
    if s is None:
        raise ApiError(404, 1002, "session not found")
    if key != s.get("media_key"):
        nemo.session_of(nemo.auth(request), s["session_id"])
    rel = s.get("media_files", {}).get(request.path_params["media_id"])
    if rel is None or not (nemo.store.root / rel).is_file():
        raise ApiError(404, 4005, "media not found")
    path = nemo.store.root / rel
    known = FORMATS.get(extension(path.name))
    mime = known.mime if known else "application/octet-stream"
    return FileResponse(path, media_type=mime, headers={"Access-Control-Allow-Origin": "*"})
