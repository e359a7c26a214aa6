"""Draft operations of the rule-based agent: pure functions that change a draft in place."""

from __future__ import annotations

import re
from typing import Any

from . import reading as tx

TITLE_MS = 3000


def tracks(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The draft's tracks that have segments."""
    return [t for t in draft.get("t") or [] if isinstance(t, dict) and t.get("sg")]


def _named(draft: dict[str, Any], nm: str) -> dict[str, Any] | None:
    for t in draft.get("t") or []:
        if t.get("nm") == nm:
            return t
    return None


def bgm(draft: dict[str, Any]) -> dict[str, Any] | None:
    """The music track (named BGM, else the first audio track)."""
    found = _named(draft, "BGM")
    if found is None:
        found = next((t for t in draft.get("t") or [] if t.get("tt") == 1), None)
    return found


def video_segments(draft: dict[str, Any]) -> list[dict[str, Any]]:
    """The segments of the first video track."""
    t = next((t for t in draft.get("t") or [] if t.get("tt") == 0), None)
    return t["sg"] if t else []


def _next_seg(draft: dict[str, Any]) -> str:
    n = 0
    for t in draft.get("t") or []:
        for s in t.get("sg") or []:
            m = re.fullmatch(r"seg_(\d+)", str(s.get("id", "")))
            if m:
                n = max(n, int(m.group(1)))
    return f"seg_{n + 1}"


def _font(draft: dict[str, Any], base: int) -> int:
    m = draft.get("m") or {}
    return round(base * min(m.get("w", 1080), m.get("h", 1920)) / 1080)


def _put_track(draft: dict[str, Any], track: dict[str, Any]) -> None:
    ts = draft.setdefault("t", [])
    for i, t in enumerate(ts):
        if t.get("nm") == track["nm"]:
            ts[i] = track
            return
    ts.append(track)


def fit(natural: list[int], is_image: list[bool], secs: float | None) -> list[int]:
    """Segment lengths (ms) for a slideshow of `natural` lengths fitted to `secs` if given."""
    if not secs:
        return list(natural)
    total = round(secs * 1000)
    video = sum(d for d, img in zip(natural, is_image, strict=False) if not img)
    n_img = sum(is_image)
    if n_img and total - video >= 500 * n_img:
        share = (total - video) // n_img
        out = [share if img else d for d, img in zip(natural, is_image, strict=False)]
    else:
        scale = total / max(1, sum(natural))
        out = [max(1, int(d * scale)) for d in natural]
    out[-1] += total - sum(out)  # exact total
    return out


def pick_audio(media: list[dict[str, Any]], message: str) -> tuple[str | None, str]:
    """An uploaded audio file (the one named in the message, else the first), or (None, '')."""
    audio = [m for m in media if m.get("type") == "audio"]
    for m in audio:
        stem = str(m.get("name", "")).rsplit(".", 1)[0].lower()
        if stem and stem in message.lower():
            return m["id"], m["name"]
    if audio:
        return audio[0]["id"], audio[0]["name"]
    return None, ""


def set_bgm(draft: dict[str, Any], src: str, name: str, vol: float, length: int | None) -> None:
    """Put one music segment over the whole video at volume `vol`."""
    d = draft.get("d", 0) if not length else min(draft.get("d", 0), length)
    old = bgm(draft)
    seg_id = old["sg"][0]["id"] if old and old.get("sg") else _next_seg(draft)
    seg = {"id": seg_id, "k": "audio", "src": src, "nm": name, "st": 0, "d": d, "in": 0}
    seg["v"] = round(vol, 2)
    track = {"id": old.get("id", "trk_a") if old else "trk_a", "tt": 1, "nm": "BGM", "sg": [seg]}
    if old is not None:
        draft["t"][draft["t"].index(old)] = track
    else:
        _put_track(draft, track)


def set_title(draft: dict[str, Any], text: str) -> None:
    """Set the title's text, adding a 3 s centred title when there is none."""
    t = _named(draft, "Title")
    if t and t.get("sg"):
        for s in t["sg"]:
            s["txt"] = text
        return
    seg = {"id": _next_seg(draft), "k": "title", "txt": text, "st": 0}
    seg.update(d=min(TITLE_MS, draft.get("d", 0)), pos="center", fs=_font(draft, 96), c="#ffffff")
    _put_track(draft, {"id": "trk_t", "tt": 7, "nm": "Title", "sg": [seg]})


def default_lines(n: int, zh: bool) -> list[str]:
    """Subtitle lines when a generation asks for subtitles without giving them."""
    en = ["Welcome", "Take a closer look", "Made with care", "Thanks for watching"]
    cn = ["欢迎观看", "细节一览", "用心打造", "感谢观看"]
    pool = cn if zh else en
    n = max(2, min(n, len(pool)))
    return [*pool[: n - 1], pool[-1]]


def set_subtitles(draft: dict[str, Any], lines: list[str]) -> None:
    """Replace the subtitles with `lines`, spread evenly over the video."""
    total = draft.get("d", 0)
    n = len(lines)
    each = total // n if n else 0
    first = int(_next_seg(draft)[4:])
    old = _named(draft, "Subtitles")
    if old:
        first = max(first, 1)
    sg = []
    for i, line in enumerate(lines):
        d = each if i < n - 1 else total - each * (n - 1)
        sg.append(
            {
                "id": f"seg_{first + i}",
                "k": "subtitle",
                "txt": line,
                "st": i * each,
                "d": d,
                "pos": "bottom",
                "fs": _font(draft, 56),
                "c": "#ffffff",
            }
        )
    _put_track(
        draft,
        {"id": old.get("id", "trk_s") if old else "trk_s", "tt": 7, "nm": "Subtitles", "sg": sg},
    )


def _end(draft: dict[str, Any]) -> int:
    return max((s["st"] + s["d"] for t in tracks(draft) for s in t["sg"]), default=0)


def trim(draft: dict[str, Any], ms: int) -> None:
    """Cut everything after `ms`."""
    for t in draft.get("t") or []:
        kept = []
        for s in t.get("sg") or []:
            if s["st"] < ms:
                s["d"] = min(s["d"], ms - s["st"])
                kept.append(s)
        t["sg"] = kept
    draft["d"] = ms


def cut(draft: dict[str, Any], a: int, b: int) -> None:
    """Remove [a, b) from every track and close the gap (video clips are split around it)."""
    gap = b - a
    n = int(_next_seg(draft)[4:])
    for t in draft.get("t") or []:
        out = []
        for s in t.get("sg") or []:
            st, end = s["st"], s["st"] + s["d"]
            if end <= a:
                out.append(s)
            elif st >= b:
                s["st"] = st - gap
                out.append(s)
            elif t.get("tt") == 0 and st < a and end > b:  # split a clip around the cut
                tail = dict(s, id=f"seg_{n}", st=a, d=end - b)
                n += 1
                if "in" in s or s.get("k") == "video":
                    tail["in"] = s.get("in", 0) + (b - st)
                s["d"] = a - st
                out += [s, tail]
            else:  # overlaps one side or lies inside: keep what is outside the range
                keep_head = max(0, a - st)
                keep_tail = max(0, end - b)
                if keep_head + keep_tail == 0:
                    continue
                if keep_head == 0 and (s.get("k") in ("video", "audio")):
                    s["in"] = s.get("in", 0) + (b - st)
                s["st"] = min(st, a)
                s["d"] = keep_head + keep_tail
                out.append(s)
        t["sg"] = out
    draft["d"] = max(0, draft.get("d", 0) - gap)


def remove_track(draft: dict[str, Any], message: str) -> str | None:
    """Remove the track the message names; its name, or None."""
    ts = draft.get("t") or []
    nums = re.findall(r"(?:track|轨道?)\s*(\d+)|第\s*(\d+)\s*(?:条|个)?\s*轨", message, re.I)
    for a, b in nums:
        i = int(a or b) - 1
        if 0 <= i < len(ts):
            return str(ts.pop(i).get("nm", f"#{i + 1}"))
    for nm, pat in tx.TRACK_WORDS:
        if pat.search(message):
            t = _named(draft, nm) or (bgm(draft) if nm == "BGM" else None)
            if t is not None:
                ts.remove(t)
                if nm == "Video":
                    draft["d"] = _end(draft)
                return nm
    return None


def _restack(draft: dict[str, Any], segs: list[dict[str, Any]]) -> None:
    st = 0
    for s in segs:
        s["st"] = st
        st += s["d"]


def remove_clip(draft: dict[str, Any], index: int) -> None:
    """Remove one clip of the video track and close the gap."""
    segs = video_segments(draft)
    segs.pop(index)
    _restack(draft, segs)
    new_d = sum(s["d"] for s in segs)
    if new_d < draft.get("d", 0):
        trim(draft, new_d)


def new_order(message: str, n: int) -> list[int] | None:
    """The new clip order (0-based) asked for, or None."""
    if re.search(r"reverse|倒序|反过来", message, re.I):
        return list(range(n))[::-1]
    nums = [k for k in tx.ordinals(message) if 1 <= k <= n]
    if sorted(nums) == list(range(1, n + 1)) and n > 1:
        return [k - 1 for k in nums]
    if len(nums) >= 2:
        a, b = nums[0] - 1, nums[1] - 1
        order = list(range(n))
        if re.search(r"swap|exchange|交换|互换|调换", message, re.I):
            order[a], order[b] = order[b], order[a]
        else:  # move clip a to position b
            order.insert(b, order.pop(a))
        return order
    return None


def reorder(draft: dict[str, Any], order: list[int]) -> None:
    """Put the video clips in `order` and lay them end to end."""
    segs = video_segments(draft)
    segs[:] = [segs[i] for i in order]
    _restack(draft, segs)
