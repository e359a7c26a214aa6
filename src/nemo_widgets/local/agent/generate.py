"""The agent's two-stage generation: the video from the uploads, then music and a title."""

from __future__ import annotations

import copy
import re
from typing import Any

from . import edits as ed
from . import reading as tx
from .types import CANVAS, IMAGE_MS, ToolCall, Turn


def generate(media: list[dict[str, Any]], message: str, seed: int, zh: bool) -> Turn:
    visuals = [m for m in media if m.get("type") in ("image", "video")]
    if not visuals:
        return Turn(
            {},
            tx.say(
                zh,
                "Upload some images or video clips first, then ask me to make the video.",
                "请先上传图片或视频素材，再让我做视频。",
            ),
        )
    ratio = tx.ratio(message) or "9:16"
    w, h = CANVAS[ratio]
    secs = tx.seconds(message)
    natural = [
        IMAGE_MS if m["type"] == "image" else int(m.get("duration_ms") or IMAGE_MS) for m in visuals
    ]
    lengths = ed.fit(natural, [m["type"] == "image" for m in visuals], secs)
    segs, st = [], 0
    for i, (m, d) in enumerate(zip(visuals, lengths, strict=False), start=1):
        seg: dict[str, Any] = {"id": f"seg_{i}", "k": m["type"], "src": m["id"], "nm": m["name"]}
        seg.update(st=st, d=d)
        if m["type"] == "video":
            seg.update({"in": 0, "v": 1.0})
        segs.append(seg)
        st += d
    draft: dict[str, Any] = {
        "d": st,
        "m": {"w": w, "h": h, "fps": 30, "ratio": ratio},
        "t": [{"id": "trk_v", "tt": 0, "nm": "Video", "sg": segs}],
    }
    calls = [
        ToolCall(
            "generate_video",
            {"media": [m["id"] for m in visuals], "ratio": ratio, "duration_ms": st},
            {"status": "ok", "segments": len(segs), "duration_ms": st, "width": w, "height": h},
            copy.deepcopy(draft),
        )
    ]
    # stage 2: music and title, by itself
    generated: list[dict[str, Any]] = []
    src, name = ed.pick_audio(media, message)
    if src is None:
        src, name = f"gen_bgm_{seed % 10**8:08d}", "Lo-fi Chords"
        generated.append({"id": src, "name": name, "type": "audio", "duration_ms": st})
        calls.append(
            ToolCall(
                "generate_music",
                {"style": "lo-fi chords", "duration_ms": st},
                {"status": "ok", "id": src, "name": name},
                copy.deepcopy(draft),
                2,
            )
        )
    vol = tx.volume(message)
    ed.set_bgm(draft, src, name, 0.35 if vol is None else vol, audio_len(media, src))
    calls.append(
        ToolCall(
            "add_bgm",
            {"src": src, "volume": 0.35 if vol is None else round(vol, 2)},
            {"status": "ok"},
            copy.deepcopy(draft),
            2,
        )
    )
    title = (tx.title_text(message) if re.search(r"\btitle\b|标题", message, re.I) else None) or (
        tx.say(zh, "My Video", "精彩短片")
    )
    ed.set_title(draft, title)
    calls.append(ToolCall("add_title", {"text": title}, {"status": "ok"}, copy.deepcopy(draft), 2))
    extra = ""
    if re.search(r"subtitle|caption|字幕", message, re.I):
        lines = tx.lines_of(message) or ed.default_lines(len(segs), zh)
        ed.set_subtitles(draft, lines)
        calls.append(
            ToolCall("add_subtitles", {"lines": lines}, {"status": "ok"}, copy.deepcopy(draft), 2)
        )
        extra = tx.say(zh, f" and {len(lines)} subtitles", f"，以及 {len(lines)} 条字幕")
    n, secs_s = len(segs), f"{st / 1000:g}"
    interim = tx.say(
        zh,
        f"I've put your {n} file(s) into a {secs_s} s {ratio} video. Now adding music and a title…",
        f"已用 {n} 个素材生成 {secs_s} 秒的 {ratio} 视频，正在添加背景音乐和标题…",
    )
    reply = tx.say(
        zh,
        f'Your video is ready: {n} clip(s), {secs_s} s, {ratio}, with background music "{name}" '
        f'and the title "{title}"{extra}. Open the timeline to preview it, then click the Export '
        "button to download.",
        f"视频已完成：{n} 个片段，{secs_s} 秒，{ratio}，背景音乐“{name}”，标题“{title}”{extra}。"
        "打开时间线预览，然后点击导出按钮下载。",
    )
    return Turn(draft, reply, tuple(calls), "generate", tuple(generated), interim)


def audio_len(media: list[dict[str, Any]], src: str) -> int | None:
    for m in media:
        if m.get("id") == src:
            return m.get("duration_ms")
    return None
