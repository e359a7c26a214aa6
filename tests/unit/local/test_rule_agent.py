"""The rule-based agent as a pure function: English and Chinese instructions → draft changes."""

from __future__ import annotations

import copy
import itertools
from typing import Any

import pytest

from nemo_widgets.local.agent import COSTS, respond

MEDIA = [
    {"id": "med_a", "name": "a.jpg", "type": "image"},
    {"id": "med_v", "name": "clip.mp4", "type": "video", "duration_ms": 4000},
    {"id": "med_b", "name": "b.png", "type": "image"},
]
MUSIC = {"id": "med_m", "name": "song.mp3", "type": "audio", "duration_ms": 60000}


def _track(draft: dict[str, Any], nm: str) -> dict[str, Any] | None:
    return next((t for t in draft.get("t", []) if t["nm"] == nm), None)


def _valid(draft: dict[str, Any]) -> None:
    for t in draft["t"]:
        end = 0
        for s in sorted(t["sg"], key=lambda s: s["st"]):
            assert s["st"] >= 0 and s["d"] >= 0 and s["st"] >= end
            assert s["st"] + s["d"] <= draft["d"]
            end = s["st"] + s["d"]
    ids = [s["id"] for t in draft["t"] for s in t["sg"]]
    assert len(ids) == len(set(ids))


@pytest.fixture
def video() -> dict[str, Any]:
    return respond({}, MEDIA, "make a 10 second video", seed=1).draft


@pytest.mark.parametrize(
    ("message", "ratio", "size", "total"),
    [
        ("make a video", "9:16", (1080, 1920), 10000),
        ("create a 12 second 16:9 video", "16:9", (1920, 1080), 12000),
        ("make a square slideshow video of 9 seconds", "1:1", (1080, 1080), 9000),
        ("做一个15秒的横屏视频", "16:9", (1920, 1080), 15000),
        ("用这些素材制作一个竖屏短视频", "9:16", (1080, 1920), 10000),
    ],
    ids=["default", "en-16:9-12s", "en-square", "zh-landscape-15s", "zh-portrait"],
)
def test_generate(message: str, ratio: str, size: tuple[int, int], total: int) -> None:
    turn = respond({}, MEDIA, message, seed=5)
    d = turn.draft
    assert turn.kind == "generate" and COSTS[turn.kind] == 100
    assert (d["m"]["w"], d["m"]["h"], d["m"]["ratio"]) == (*size, ratio)
    assert d["d"] == total
    v = _track(d, "Video")
    assert v is not None and [s["src"] for s in v["sg"]] == ["med_a", "med_v", "med_b"]
    assert [s["k"] for s in v["sg"]] == ["image", "video", "image"]
    assert v["sg"][1]["d"] == 4000  # the clip keeps its length when images can fill the rest
    # stage 2: music (generated: no audio uploaded) and a title, by itself
    assert [c.name for c in turn.calls] == [
        "generate_video",
        "generate_music",
        "add_bgm",
        "add_title",
    ]
    assert [c.stage for c in turn.calls] == [1, 2, 2, 2]
    assert _track(turn.calls[0].draft, "BGM") is None  # stage 1 drafts have the video only
    assert turn.generated[0]["id"] == _track(d, "BGM")["sg"][0]["src"]  # type: ignore[index]
    assert turn.reply and turn.interim
    _valid(d)


def test_generate_uses_uploaded_music_and_asked_title_and_subtitles() -> None:
    turn = respond(
        {},
        [*MEDIA, MUSIC],
        "做一个带中文字幕的产品宣传短片，标题“城市之梦”，字幕：第一句；第二句；第三句",
        seed=3,
    )
    d = turn.draft
    assert _track(d, "BGM")["sg"][0]["src"] == "med_m"  # type: ignore[index]
    assert not turn.generated
    assert _track(d, "Title")["sg"][0]["txt"] == "城市之梦"  # type: ignore[index]
    subs = _track(d, "Subtitles")["sg"]  # type: ignore[index]
    assert [s["txt"] for s in subs] == ["第一句", "第二句", "第三句"]
    assert "点击导出按钮" in turn.reply
    _valid(d)


def test_subtitles_are_not_mistaken_for_a_title() -> None:
    turn = respond({}, MEDIA, "make a video with subtitles: first line; second line", seed=3)
    title = _track(turn.draft, "Title")["sg"][0]["txt"]  # type: ignore[index]
    assert not title.startswith("s") and "first line" not in title
    subs = _track(turn.draft, "Subtitles")["sg"]  # type: ignore[index]
    assert [s["txt"] for s in subs] == ["first line", "second line"]


def test_generate_without_visuals_asks_for_uploads() -> None:
    turn = respond({}, [MUSIC], "make a video", seed=1)
    assert turn.kind == "chat" and turn.draft == {} and "Upload" in turn.reply
    assert "上传" in respond({}, [], "做一个视频", seed=1).reply


def test_images_fill_the_length_around_clips() -> None:
    d = respond({}, MEDIA, "make a 20 second video", seed=1).draft
    assert [s["d"] for s in d["t"][0]["sg"]] == [8000, 4000, 8000]
    d = respond({}, MEDIA, "make a 2 second video", seed=1).draft  # shorter than the clip
    assert sum(s["d"] for s in d["t"][0]["sg"]) == 2000 and d["d"] == 2000


def _edit(draft: dict[str, Any], message: str, media: list[dict[str, Any]] = MEDIA) -> Any:
    turn = respond(draft, media, message, seed=11, silent_rate=0.0)
    assert turn.kind == "edit", turn.reply
    _valid(turn.draft)
    return turn


@pytest.mark.parametrize(
    ("message", "text"),
    [
        ("change the title to Summer Sale", "Summer Sale"),
        ('add a title "Hello World"', "Hello World"),
        ("标题改成城市之梦", "城市之梦"),
        ("加标题：夏日特惠", "夏日特惠"),
    ],
    ids=["en-to", "en-quoted", "zh-改成", "zh-colon"],
)
def test_title(video: dict[str, Any], message: str, text: str) -> None:
    d = _edit(video, message).draft
    segs = _track(d, "Title")["sg"]  # type: ignore[index]
    assert [s["txt"] for s in segs] == [text]
    assert segs[0]["pos"] == "center" and segs[0]["st"] == 0


def test_title_added_when_missing(video: dict[str, Any]) -> None:
    no_title = copy.deepcopy(video)
    no_title["t"] = [t for t in no_title["t"] if t["nm"] != "Title"]
    d = _edit(no_title, "title: Fresh").draft
    seg = _track(d, "Title")["sg"][0]  # type: ignore[index]
    assert seg["txt"] == "Fresh" and seg["d"] == 3000 and seg["fs"] == 96


@pytest.mark.parametrize(
    ("message", "lines"),
    [
        ("subtitles: Hello; Welcome; Bye", ["Hello", "Welcome", "Bye"]),
        ('add captions "one" "two"', ["one", "two"]),
        ("字幕：欢迎来到城市；感受夜色；下次再见", ["欢迎来到城市", "感受夜色", "下次再见"]),
        ("加字幕：第一句，第二句", ["第一句", "第二句"]),
    ],
    ids=["en-semicolons", "en-quoted", "zh-semicolons", "zh-commas"],
)
def test_subtitles_spread_over_the_video(
    video: dict[str, Any], message: str, lines: list[str]
) -> None:
    d = _edit(video, message).draft
    segs = _track(d, "Subtitles")["sg"]  # type: ignore[index]
    assert [s["txt"] for s in segs] == lines
    assert segs[0]["st"] == 0 and segs[-1]["st"] + segs[-1]["d"] == d["d"]
    assert all(s["pos"] == "bottom" for s in segs)


def test_subtitles_without_lines_ask(video: dict[str, Any]) -> None:
    turn = respond(video, MEDIA, "add subtitles", seed=1)
    assert turn.kind == "chat" and turn.draft == video


def test_bgm_uploaded_or_generated_at_a_volume(video: dict[str, Any]) -> None:
    turn = _edit(video, "add background music at 30%", [*MEDIA, MUSIC])
    seg = _track(turn.draft, "BGM")["sg"][0]  # type: ignore[index]
    assert (seg["src"], seg["v"], seg["d"]) == ("med_m", 0.3, 10000)
    assert not turn.generated
    turn = _edit(video, "加背景音乐，音量50%")
    seg = _track(turn.draft, "BGM")["sg"][0]  # type: ignore[index]
    assert seg["v"] == 0.5 and seg["src"] == turn.generated[0]["id"]
    assert len([t for t in turn.draft["t"] if t["tt"] == 1]) == 1  # replaced, not added


@pytest.mark.parametrize(
    ("message", "target", "volume"),
    [
        ("set the music volume to 20%", "BGM", 0.2),
        ("背景音乐音量调到 60%", "BGM", 0.6),
        ("mute the original video sound", "Video", 0.0),
        ("make the music louder", "BGM", 0.55),
        ("视频原声小声一点", "Video", 0.8),
    ],
    ids=["en-music", "zh-music", "en-mute-video", "en-louder", "zh-quieter-video"],
)
def test_volume(video: dict[str, Any], message: str, target: str, volume: float) -> None:
    d = _edit(video, message).draft
    segs = [s for s in _track(d, target)["sg"] if s["k"] in ("audio", "video")]  # type: ignore[index]
    assert segs and all(s["v"] == pytest.approx(volume) for s in segs)


@pytest.mark.parametrize("message", ["trim to 6 seconds", "剪到6秒", "shorten it to 6s"])
def test_trim(video: dict[str, Any], message: str) -> None:
    d = _edit(video, message).draft
    assert d["d"] == 6000
    assert max(s["st"] + s["d"] for t in d["t"] for s in t["sg"]) == 6000


@pytest.mark.parametrize("message", ["cut 2-4s", "remove from 2 to 4 seconds", "剪掉2到4秒"])
def test_cut_range_closes_the_gap(video: dict[str, Any], message: str) -> None:
    d = _edit(video, message).draft
    assert d["d"] == 8000
    v = _track(d, "Video")["sg"]  # type: ignore[index]
    # a.jpg 0-3 s loses 2-3 s; the clip (3-7 s) loses its first second and starts at 2 s
    assert [(s["src"], s["st"], s["d"]) for s in v] == [
        ("med_a", 0, 2000),
        ("med_v", 2000, 3000),
        ("med_b", 5000, 3000),
    ]
    assert v[1]["in"] == 1000


def test_cut_splits_a_clip_around_the_range() -> None:
    d = respond({}, [MEDIA[1]], "make a video", seed=1).draft
    d = _edit(d, "cut 1-2s", [MEDIA[1]]).draft
    v = _track(d, "Video")["sg"]  # type: ignore[index]
    assert [(s["st"], s["d"], s.get("in")) for s in v] == [(0, 1000, 0), (1000, 2000, 2000)]


@pytest.mark.parametrize(
    ("message", "gone"),
    [
        ("remove the title", "Title"),
        ("删除背景音乐", "BGM"),
        ("delete track 2", "BGM"),
        ("去掉字幕", "Subtitles"),
    ],
    ids=["en-title", "zh-bgm", "en-number", "zh-subtitles"],
)
def test_remove_track(video: dict[str, Any], message: str, gone: str) -> None:
    video = _edit(video, "subtitles: a; b").draft
    d = _edit(video, message).draft
    assert _track(d, gone) is None and _track(d, "Video") is not None


@pytest.mark.parametrize(
    ("message", "order"),
    [
        ("swap clip 1 and 3", ["med_b", "med_v", "med_a"]),
        ("reverse the clips", ["med_b", "med_v", "med_a"]),
        ("reorder clips 2, 3, 1", ["med_v", "med_b", "med_a"]),
        ("交换第一和第二个片段", ["med_v", "med_a", "med_b"]),
        ("move clip 3 to position 1", ["med_b", "med_a", "med_v"]),
    ],
    ids=["swap", "reverse", "explicit", "zh-swap", "move"],
)
def test_reorder(video: dict[str, Any], message: str, order: list[str]) -> None:
    d = _edit(video, message).draft
    v = _track(d, "Video")["sg"]  # type: ignore[index]
    assert [s["src"] for s in v] == order
    assert v[0]["st"] == 0 and all(a["st"] + a["d"] == b["st"] for a, b in itertools.pairwise(v))


def test_aspect_ratio_change(video: dict[str, Any]) -> None:
    d = _edit(video, "改成横屏").draft
    assert (d["m"]["w"], d["m"]["h"], d["m"]["ratio"]) == (1920, 1080, "16:9")


@pytest.mark.parametrize("message", ["what's the weather?", "你好", "make it pop ✨"])
def test_anything_else_lists_capabilities(video: dict[str, Any], message: str) -> None:
    turn = respond(video, MEDIA, message, seed=1)
    assert turn.kind == "chat" and COSTS["chat"] == 0
    assert turn.draft == video and not turn.calls
    assert ("subtitles" in turn.reply) or ("字幕" in turn.reply)


def test_export_request_answers_in_gui_terms(video: dict[str, Any]) -> None:
    assert "Export button" in respond(video, MEDIA, "export it", seed=1).reply
    assert "点击导出按钮" in respond(video, MEDIA, "导出", seed=1).reply


def test_edit_without_a_video_explains() -> None:
    turn = respond({}, MEDIA, "change the title to X", seed=1)
    assert turn.kind == "chat" and "make a video" in turn.reply


def test_silence_is_deterministic_and_about_30_percent(video: dict[str, Any]) -> None:
    runs = [respond(video, MEDIA, "title: X", seed=s) for s in range(400)]
    again = [respond(video, MEDIA, "title: X", seed=s) for s in range(400)]
    assert [t.silent for t in runs] == [t.silent for t in again]
    share = sum(t.silent for t in runs) / len(runs)
    assert 0.22 < share < 0.38
    silent = next(t for t in runs if t.silent)
    assert (
        silent.reply == "" and silent.calls and _track(silent.draft, "Title")["sg"][0]["txt"] == "X"
    )  # type: ignore[index]


def test_input_draft_is_not_mutated_and_unknown_keys_survive(video: dict[str, Any]) -> None:
    video["x_custom"] = {"keep": True}
    video["t"][0]["sg"][0]["fx"] = "glow"
    before = copy.deepcopy(video)
    d = _edit(video, "swap clip 1 and 2").draft
    assert video == before
    assert d["x_custom"] == {"keep": True}
    assert any(s.get("fx") == "glow" for s in d["t"][0]["sg"])
