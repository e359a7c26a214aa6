"""The offline backend's editing agent: deterministic, rule-based, English and Chinese.

`respond(draft, media, message, seed)` is a pure function: it returns a `Turn` with the new draft,
the reply text ('' for a silent edit), the tool calls it made (each with the draft right after
it, so the server can apply them step by step) and the media it wants generated. No I/O.

What it understands (see `reading.INTENTS`): make a video from the uploads (images become a
slideshow, clips keep their order; ratio 9:16 = 1080x1920 by default, 16:9, 1:1; a length in
seconds), then — the second stage of generation — background music and a title (and subtitles
when asked); add or change the title; subtitles from given lines spread over the video; background
music (an uploaded audio file, else a generated one) at a volume; change a volume; trim to N
seconds or cut a range; remove a track or a clip; reorder clips; change the aspect ratio.
Anything else gets a reply listing what it can do.

The draft (docs/draft-format.md). Draft keys: `d` total ms, `m` {`w`, `h`, `fps`, `ratio`},
`t` tracks. Track keys: `id` (`trk_v`, `trk_a`, `trk_t`, `trk_s`), `tt` (0 video, 1 audio,
7 text), `nm` (`Video`, `BGM`, `Title`, `Subtitles`), `sg`. Segment keys written here:
    id   `seg_<n>`, unique in the draft
    k    kind: `image` | `video` | `audio` | `title` | `subtitle`
    st   start on the timeline, ms          d    duration on the timeline, ms
    src  media id (upload `med_…` or generated `gen_…`) — image, video, audio
    nm   display name (file or music name) — image, video, audio
    in   in-point in the source, ms — video, audio
    v    volume 0–1 — video, audio
    txt  text — title, subtitle          pos  `center` (title) | `bottom` (subtitle)
    fs   font size px at the canvas size — title, subtitle
    c    colour `#rrggbb` — title, subtitle
Unknown keys in an incoming draft are kept.
"""

from __future__ import annotations

import copy
import dataclasses
import random
import re
from collections.abc import Callable
from typing import Any

from . import edits as ed
from . import reading as tx
from .generate import audio_len, generate
from .types import CANVAS, ToolCall, Turn

__all__ = ["COSTS", "SILENT_RATE", "ToolCall", "Turn", "respond"]

SILENT_RATE = 0.3  # share of edits that end the stream with no text
COSTS = {"generate": 100, "edit": 50, "chat": 0}  # credits per kind of turn


def respond(
    draft: dict[str, Any],
    media: list[dict[str, Any]],
    message: str,
    seed: int,
    silent_rate: float = SILENT_RATE,
) -> Turn:
    """The new draft, reply and tool calls for `message` (pure; `seed` decides silent edits)."""
    zh = tx.is_zh(message)
    intent = tx.intent(message)
    draft = copy.deepcopy(draft) if isinstance(draft, dict) else {}
    if intent == "generate":
        return generate(media, message, seed, zh)
    if intent == "export":
        return Turn(
            draft,
            tx.say(
                zh,
                "Click the Export button to render and download the video.",
                "点击导出按钮即可渲染并下载视频。",
            ),
        )
    if intent == "help":
        return Turn(draft, tx.say(zh, tx.CAPABILITIES_EN, tx.CAPABILITIES_ZH))
    if not ed.tracks(draft):
        return Turn(
            draft,
            tx.say(
                zh,
                'There is no video yet: upload images or clips, then say "make a video".',
                "还没有视频：请先上传图片或视频，然后说“做一个视频”。",
            ),
        )
    done = _EDITS[intent](draft, media, message, seed)
    if isinstance(done, tuple):  # could not do it: explain, charge nothing
        return Turn(draft, tx.say(zh, *done))
    call = ToolCall(done.name, done.args, {"status": "ok"}, copy.deepcopy(draft))
    reply = "" if random.Random(seed).random() < silent_rate else tx.say(zh, *done.reply)
    return Turn(draft, reply, (call,), "edit", done.generated)


# -- edits -------------------------------------------------------------------------------------
Text = tuple[str, str]  # (English, Chinese): `respond` answers in the user's language


@dataclasses.dataclass(frozen=True)
class _Done:
    """An edit made on the draft: its tool call and what to say."""

    name: str
    args: dict[str, Any]
    reply: Text
    generated: tuple[dict[str, Any], ...] = ()  # media the server must make


def _text_edit(
    read: Callable[[str], Any],
    write: Callable[[dict[str, Any], Any], None],
    tool: str,
    key: str,
    ask: Text,
    done: Callable[[Any], Text],
) -> Callable[..., _Done | Text]:
    """A handler that reads one value from the message and writes it, or asks for it."""

    def handler(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done | Text:
        value = read(message)
        if not value:
            return ask
        write(draft, value)
        return _Done(tool, {key: value}, done(value))

    return handler


_title = _text_edit(
    tx.title_text,
    ed.set_title,
    "set_title",
    "text",
    (
        'What should the title say? e.g. title: "Summer Sale"',
        "标题要写什么？例如：标题：“夏日特惠”",
    ),
    lambda text: (
        f'Title set to "{text}". Open the timeline to preview it.',
        f"标题已设为“{text}”。打开时间线即可预览。",
    ),
)
_subtitles = _text_edit(
    tx.lines_of,
    ed.set_subtitles,
    "add_subtitles",
    "lines",
    (
        'Which lines? e.g. subtitles: "Hello"; "Welcome"',
        "字幕内容是什么？例如：字幕：第一句；第二句",
    ),
    lambda lines: (
        f"Added {len(lines)} subtitle(s) spread over the video. Preview them in the timeline.",
        f"已添加 {len(lines)} 条字幕，均匀分布在视频中。可在时间线中预览。",
    ),
)


def _bgm(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done:
    src, name = ed.pick_audio(media, message)
    generated: tuple[dict[str, Any], ...] = ()
    if src is None:
        src, name = f"gen_bgm_{seed % 10**8:08d}", "Lo-fi Chords"
        generated = ({"id": src, "name": name, "type": "audio", "duration_ms": draft["d"]},)
    old = ed.bgm(draft)
    vol = tx.volume(message)
    if vol is None:
        vol = old["sg"][0].get("v", 0.35) if old and old["sg"] else 0.35
    ed.set_bgm(draft, src, name, vol, audio_len(media, src))
    pct = round(vol * 100)
    return _Done(
        "add_bgm",
        {"src": src, "volume": vol},
        (f'Background music "{name}" added at {pct}%.', f"已添加背景音乐“{name}”，音量 {pct}%。"),
        generated,
    )


def _volume(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done | Text:
    music = ed.bgm(draft)
    want_video = re.search(r"video|original|clip|原声|视频|人声", message, re.I)
    target = "video" if (want_video or music is None) else "bgm"
    segs = music["sg"] if target == "bgm" and music else ed.video_segments(draft)
    segs = [s for s in segs if s.get("k") in ("video", "audio")]
    if not segs:
        return (
            "There is no sound to change yet: add background music first.",
            "还没有可调整的声音：请先添加背景音乐。",
        )
    old = float(segs[0].get("v", 1.0))
    vol = tx.volume(message)
    if vol is None:
        if re.search(r"mute|静音", message, re.I):
            vol = 0.0
        elif re.search(r"louder|up|大声|调高|增大", message, re.I):
            vol = min(1.0, old + 0.2)
        else:
            vol = max(0.0, old - 0.2)
    vol = round(vol, 2)
    for s in segs:
        s["v"] = vol
    en, cn = ("Music", "背景音乐") if target == "bgm" else ("Video sound", "视频原声")
    pct = round(vol * 100)
    return _Done(
        "set_volume",
        {"target": target, "volume": vol},
        (f"{en} volume set to {pct}%.", f"{cn}音量已调到 {pct}%。"),
    )


def _trim(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done | Text:
    secs = tx.seconds(message) or (float(tx.ordinals(message)[0]) if tx.ordinals(message) else None)
    if not secs or secs <= 0:
        return ('How long should it be? e.g. "trim to 8 seconds"', "要剪到多长？例如“剪到8秒”")
    ms = round(secs * 1000)
    if ms >= draft.get("d", 0):
        return (
            f"The video is already {draft.get('d', 0) / 1000:g} s long.",
            f"视频本来就只有 {draft.get('d', 0) / 1000:g} 秒。",
        )
    ed.trim(draft, ms)
    return _Done("trim", {"duration_ms": ms}, (f"Trimmed to {secs:g} s.", f"已剪到 {secs:g} 秒。"))


def _cut(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done | Text:
    m = tx.RANGE.search(message)
    assert m is not None
    a, b = round(float(m.group(1)) * 1000), round(float(m.group(2)) * 1000)
    b = min(b, draft.get("d", 0))
    if not 0 <= a < b:
        return ("That range is not inside the video.", "这个时间段不在视频范围内。")
    ed.cut(draft, a, b)
    return _Done(
        "cut_range",
        {"start_ms": a, "end_ms": b},
        (
            f"Cut {a / 1000:g}-{b / 1000:g} s; the video is now {draft['d'] / 1000:g} s.",
            f"已剪掉 {a / 1000:g}-{b / 1000:g} 秒，视频现在 {draft['d'] / 1000:g} 秒。",
        ),
    )


def _remove(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done | Text:
    name = ed.remove_track(draft, message)
    if name is None:
        return (
            "Which track? Open the timeline to see them: Video, BGM, Title, Subtitles.",
            "删除哪条轨道？打开时间线查看：视频、背景音乐、标题、字幕。",
        )
    return _Done(
        "remove_track", {"track": name}, (f"Removed the {name} track.", f"已删除{name}轨道。")
    )


def _remove_clip(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done | Text:
    nums = tx.ordinals(message)
    segs = ed.video_segments(draft)
    if not nums or not 1 <= nums[0] <= len(segs) or len(segs) < 2:
        return (f"Which clip (1-{len(segs)})?", f"删除第几个片段（1-{len(segs)}）？")
    ed.remove_clip(draft, nums[0] - 1)
    return _Done(
        "remove_clip",
        {"index": nums[0]},
        (f"Removed clip {nums[0]}.", f"已删除第 {nums[0]} 个片段。"),
    )


def _reorder(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done | Text:
    n = len(ed.video_segments(draft))
    order = ed.new_order(message, n)
    if order is None:
        return (
            f'Say the new order, e.g. "swap clip 1 and 2" or "order 2,1,3" (1-{n}).',
            f"请说明新顺序，例如“交换第1和第2个片段”或“顺序改为2,1,3”（1-{n}）。",
        )
    ed.reorder(draft, order)
    shown = ", ".join(str(i + 1) for i in order)
    return _Done(
        "reorder_clips",
        {"order": [i + 1 for i in order]},
        (
            f"Clips reordered: {shown}. Drag them in the timeline to fine-tune.",
            f"片段顺序已调整为：{shown}。",
        ),
    )


def _ratio(draft: dict[str, Any], media: Any, message: str, seed: int) -> _Done | Text:
    r = tx.ratio(message)
    if r is None:
        return ("Which aspect ratio: 9:16, 16:9 or 1:1?", "要哪种比例：9:16、16:9 还是 1:1？")
    w, h = CANVAS[r]
    draft.setdefault("m", {}).update(w=w, h=h, ratio=r)
    return _Done(
        "set_ratio",
        {"ratio": r},
        (f"Aspect ratio set to {r} ({w}x{h}).", f"比例已改为 {r}（{w}x{h}）。"),
    )


_EDITS: dict[str, Any] = {
    "title": _title,
    "subtitles": _subtitles,
    "bgm": _bgm,
    "volume": _volume,
    "trim": _trim,
    "cut": _cut,
    "remove": _remove,
    "remove_clip": _remove_clip,
    "reorder": _reorder,
    "ratio": _ratio,
}
