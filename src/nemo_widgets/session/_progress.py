"""The tqdm bars of uploads, downloads and exports (tqdm is optional), made on the caller's
thread: one made on the loop's thread has, since ipykernel 7, no cell to land in; the worker gets
a callback that feeds it."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .._text import TEXT, ui_text
from ..api._multipart import ProgressArg

# `progress=` (ProgressArg) everywhere: a callable(done, total), True (a bar), False (nothing),
# None (a bar when someone is watching: a terminal or a notebook kernel)


def _watched() -> bool:
    """A person is looking: stderr is a terminal, or this runs in a kernel's shell."""
    if getattr(sys.stderr, "isatty", lambda: False)():
        return True
    # ipykernel being imported is not enough (a test run or a library may import it): ask for
    # the running shell, which only a kernel has
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


def _bar(progress: ProgressArg, label: str, **kw: Any) -> Any:
    """A tqdm bar titled `progress.<label>` when `progress` asks for one and tqdm is installed,
    else None."""
    if not (progress is True or (progress is None and _watched())):
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(desc=ui_text(f"progress.{label}"), leave=False, **kw)


@contextlib.contextmanager
def caller_progress(progress: ProgressArg, label: str) -> Iterator[ProgressArg]:
    """A byte bar made now, in the caller's thread; yields the `progress` for the worker."""
    bar = _bar(progress, label, total=0, unit="B", unit_scale=True)
    if bar is None:
        yield False if progress is True else progress
        return
    done_so_far = [0]

    def feed(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - done_so_far[0])
        done_so_far[0] = done

    try:
        yield feed
    finally:
        bar.close()


# The render phase of an export's bar: a percentage as the backend reports it, not bytes.
_RENDER_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}]"


@contextlib.contextmanager
def export_progress(
    progress: ProgressArg, subscribe: Callable[[Callable[[str, Any], None]], Callable[[], None]]
) -> Iterator[ProgressArg]:
    """One bar for an export, made in the caller's thread: the render's percent, then download.

    `subscribe` is the session's: its "job" events carry the polled percent. The bar says what
    it measures ("render <id> (processing)" in percent, then "download" in bytes). A callable
    `progress` keeps getting the download's bytes only. Yields the `progress` for the worker.
    """
    bar = _bar(progress, "render", total=100, bar_format=_RENDER_FORMAT)
    if bar is None:
        yield False if progress is True else progress
        return
    state = {"done": 0, "downloading": False}

    def on_event(kind: str, payload: Any) -> None:
        if kind != "job" or state["downloading"]:
            return
        status = str(getattr(payload, "status", ""))
        key = f"export.phase.{status}"
        shown = ui_text(key) if key in TEXT else status
        what = ui_text("progress.render_job", id=getattr(payload, "id", ""), status=shown)
        bar.set_description_str(what, refresh=False)
        bar.n = min(100.0, max(0.0, float(getattr(payload, "percent", 0) or 0)))
        bar.refresh()

    def feed(done: int, total: int) -> None:
        if not state["downloading"]:
            state["downloading"] = True
            bar.set_description_str(ui_text("progress.download"), refresh=False)
            bar.bar_format = None
            bar.unit, bar.unit_scale = "B", True
            bar.reset(total=total)
        elif bar.total != total:
            bar.total = total
        bar.update(done - state["done"])
        state["done"] = done
        if done >= total:
            bar.refresh()  # the last state is shown even when it came within one refresh interval

    unsubscribe = subscribe(on_event)
    try:
        yield feed
    finally:
        unsubscribe()
        bar.close()
