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


# The render phase of an export's bar: a percentage as the backend reports it, not bytes.
_RENDER_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}]"


@contextlib.contextmanager
def caller_progress(
    progress: ProgressArg,
    label: str,
    subscribe: Callable[[Callable[[str, Any], None]], Callable[[], None]] | None = None,
) -> Iterator[ProgressArg]:
    """A bar titled `progress.<label>` made now, in the caller's thread, when `progress` asks for
    one and tqdm is installed; yields the `progress` for the worker (a feed of bytes).

    With `subscribe` (the session's; its "job" events carry the polled percent), the bar is an
    export's: the render's percent ("render <id> (processing)"), then the download in bytes.
    """
    bar = None
    if progress is True or (progress is None and _watched()):
        try:
            from tqdm.auto import tqdm
        except ImportError:
            pass
        else:
            shape = {"total": 100, "bar_format": _RENDER_FORMAT} if subscribe else {"total": 0}
            desc = ui_text(f"progress.{label}")
            bar = tqdm(desc=desc, leave=False, unit="B", unit_scale=True, **shape)
    if bar is None:
        yield False if progress is True else progress
        return
    state = {"done": 0, "bytes": subscribe is None}

    def on_event(kind: str, payload: Any) -> None:
        if kind != "job" or state["bytes"]:
            return
        status = str(getattr(payload, "status", ""))
        key = f"export.phase.{status}"
        shown = ui_text(key) if key in TEXT else status
        what = ui_text("progress.render_job", id=getattr(payload, "id", ""), status=shown)
        bar.set_description_str(what, refresh=False)
        bar.n = min(100.0, max(0.0, float(getattr(payload, "percent", 0) or 0)))
        bar.refresh()

    def feed(done: int, total: int) -> None:
        if not state["bytes"]:
            state["bytes"] = True
            bar.set_description_str(ui_text("progress.download"), refresh=False)
            bar.bar_format = None
            bar.reset(total=total)
        elif bar.total != total:
            bar.total = total
        bar.update(done - state["done"])
        state["done"] = done
        if done >= total:
            bar.refresh()  # the last state is shown even when it came within one refresh interval

    unsubscribe = subscribe(on_event) if subscribe else lambda: None
    try:
        yield feed
    finally:
        unsubscribe()
        bar.close()
