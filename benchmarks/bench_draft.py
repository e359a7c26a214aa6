"""A draft to a DataFrame and back, against plain pandas on the same segments, in one run.

    python benchmarks/bench_draft.py            # writes benchmarks/results/draft.md

Budgets (issue 12): `draft_to_frame(draft)` and `frame_to_draft(df, base=draft)` each within 3x
of `pandas.json_normalize(segments)` on the same 100,000 segments (the baseline gets the flat
segment list for free and checks nothing; ours walks the tracks, reads every value wherever the
draft keeps it and, on the way back, diffs every row against its base segment); a
1,000-segment round-trip well under 0.1 s. Ours and the baseline run alternately (the machine is
shared and its load drifts); medians of the per-pair ratios.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "src"))

from nemo_widgets.draft import draft_to_frame, frame_to_draft  # noqa: E402

N = 100_000
SMALL = 1_000
RUNS = 5
BUDGET_RATIO = 3.0
BUDGET_SMALL = 0.1  # seconds, for the 1,000-segment round-trip


def make_draft(n: int = N) -> dict[str, Any]:
    """A draft of `n` segments over four tracks, shaped like the offline backend's."""
    video, audio, titles = int(n * 0.4), int(n * 0.1), int(n * 0.1)
    subs = n - video - audio - titles

    def clips(count: int) -> list[dict[str, Any]]:
        return [
            {
                "id": f"seg_v{i}",
                "k": "video" if i % 3 else "image",
                "src": f"med_{i % 97}",
                "nm": f"clip{i}.mp4",
                "st": i * 1000,
                "d": 1000,
                "in": (i % 5) * 100,
                "v": 1.0,
            }
            for i in range(count)
        ]

    return {
        "d": video * 1000,
        "m": {"w": 1080, "h": 1920, "fps": 30, "ratio": "9:16"},
        "t": [
            {"id": "trk_v", "tt": 0, "nm": "Video", "sg": clips(video)},
            {
                "id": "trk_a",
                "tt": 1,
                "nm": "BGM",
                "sg": [
                    {
                        "id": f"seg_a{i}",
                        "k": "audio",
                        "src": "gen_lofi",
                        "nm": "Lo-fi",
                        "st": i * 4000,
                        "d": 4000,
                        "v": 0.35,
                    }
                    for i in range(audio)
                ],
            },
            {
                "id": "trk_t",
                "tt": 7,
                "nm": "Title",
                "sg": [
                    {
                        "id": f"seg_t{i}",
                        "k": "title",
                        "txt": f"标题 {i}",
                        "st": i * 4000,
                        "d": 3000,
                        "pos": "center",
                        "fs": 96,
                        "c": "#ffffff",
                    }
                    for i in range(titles)
                ],
            },
            {
                "id": "trk_s",
                "tt": 7,
                "nm": "Subtitles",
                "sg": [
                    {
                        "id": f"seg_s{i}",
                        "k": "subtitle",
                        "txt": f"第{i}句字幕",
                        "st": i * 1000,
                        "d": 1000,
                        "pos": "bottom",
                        "fs": 56,
                        "c": "#ffffff",
                        "fx": {"fade": i % 2},
                    }
                    for i in range(subs)
                ],
            },
        ],
    }


def paired(ours: Callable[[], Any], base: Callable[[], Any]) -> tuple[float, float, float]:
    """Ours and the baseline alternately: median seconds of each, median per-pair ratio."""
    ours_t, base_t = [], []
    for _ in range(RUNS):
        for fn, times in ((ours, ours_t), (base, base_t)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    ratios = [a / b for a, b in zip(ours_t, base_t, strict=True)]
    return statistics.median(ours_t), statistics.median(base_t), statistics.median(ratios)


def small_round_trip() -> float:
    """Median seconds of `frame_to_draft(draft_to_frame(d), base=d)` on 1,000 segments."""
    draft = make_draft(SMALL)
    times = []
    for _ in range(21):
        start = time.perf_counter()
        out = frame_to_draft(draft_to_frame(draft), base=draft)
        times.append(time.perf_counter() - start)
    assert json.dumps(out, sort_keys=True) == json.dumps(draft, sort_keys=True), "not lossless"
    return statistics.median(times)


def main() -> int:
    """Measure both directions side by side and write results/draft.md."""
    draft = make_draft()
    segments = [s for t in draft["t"] for s in t["sg"]]
    normalize = lambda: pd.json_normalize(segments)  # noqa: E731
    df = draft_to_frame(draft)
    out = frame_to_draft(df, base=draft)
    assert json.dumps(out, sort_keys=True) == json.dumps(draft, sort_keys=True), "not lossless"
    edited = df.copy()
    edited.loc[edited.track_type == "audio", "volume"] = 0.5  # 10 % of rows, one column
    edited.loc[edited.index % 100 == 0, "text"] = "改过的字幕"  # 1 % of rows
    assert frame_to_draft(edited, base=draft)["t"][1]["sg"][0]["v"] == 0.5
    rows = [
        ("draft_to_frame(draft)", *paired(lambda: draft_to_frame(draft), normalize)),
        (
            "frame_to_draft(df, base), untouched",
            *paired(lambda: frame_to_draft(df, base=draft), normalize),
        ),
        (
            "frame_to_draft(df, base), 11 % of rows edited",
            *paired(lambda: frame_to_draft(edited, base=draft), normalize),
        ),
    ]
    small = small_round_trip()
    worst = max(r for *_, r in rows)
    ok = worst <= BUDGET_RATIO
    lines = [
        "## Draft ↔ DataFrame (`bench_draft.py`)",
        "",
        f"{N:,} segments (4 tracks, 7-10 keys each, Chinese text, one nested key), baseline "
        f"`pandas.json_normalize(segments)`; {RUNS} alternating pairs, medians; Python "
        f"{platform.python_version()}, pandas {pd.__version__}; load average "
        f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (shared machine: compare ratios).",
        "",
        "| ours | ours s | json_normalize s | ours / json_normalize |",
        "|---|---:|---:|---:|",
        *[f"| {name} | {a:.3f} | {b:.3f} | {r:.2f} |" for name, a, b, r in rows],
        f"| round-trip of {SMALL:,} segments (draft → frame → draft) | {small:.4f} | | |",
        "",
        f"- 100,000 segments: {'meets' if ok else 'MISSES'} the budget (each direction within "
        f"{BUDGET_RATIO:.0f}x of json_normalize; worst {worst:.2f}x)",
        f"- {SMALL:,}-segment round-trip: {small * 1000:.1f} ms "
        f"({'meets' if small < BUDGET_SMALL else 'MISSES'} the budget of well under 0.1 s)",
        "- both round-trips are checked to be lossless in the same run",
        "",
    ]
    (HERE / "results").mkdir(exist_ok=True)
    (HERE / "results" / "draft.md").write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return 0  # a missed budget is reported in the results, not as a crash of the suite


if __name__ == "__main__":
    raise SystemExit(main())
