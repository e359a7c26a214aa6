"""Progress of uploads and downloads: a user callback, observer events and an optional tqdm bar."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

from .._text import TEXT, ui_text

__all__ = ["Progress", "ProgressArg", "caller_progress", "export_progress"]

# `progress=` everywhere: a callable(done, total), True (a bar), False (nothing), None (a bar when
# someone is watching: a terminal or a notebook kernel)
ProgressArg = Callable[[int, int], Any] | bool | None


def _watched() -> bool:
    """A person is looking: stderr is a terminal, or this runs in a kernel's shell."""
    if getattr(sys.stderr, "isatty", lambda: False)():
        return True
    # ipykernel being imported is not enough (a test run or a library may import it): ask for
    # the running shell, which only a kernel has
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    return shell is not None and hasattr(shell, "kernel")


class Progress:
    """Reports `done` of `total` bytes to everyone interested; cheap to call per chunk."""

    def __init__(
        self,
        progress: ProgressArg,
        label: str,
        total: int,
        hook: Callable[[int, int], Any] | None = None,
    ) -> None:
        self.total = total
        self.done = 0
        self._callback = progress if callable(progress) else None
        self._hook = hook
        self._bar: Any = None
        if progress is True or (progress is None and _watched()):
            try:
                from tqdm.auto import tqdm
            except ImportError:
                pass
            else:
                desc = ui_text(f"progress.{label}")
                self._bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True, leave=False)

    def update(self, done: int) -> None:
        """`done` bytes of `total` are through."""
        if self._bar is not None:
            self._bar.update(done - self.done)
        self.done = done
        if self._callback is not None:
            self._callback(done, self.total)
        if self._hook is not None:
            self._hook(done, self.total)

    def close(self) -> None:
        """The transfer ended (well or not)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def caller_progress(progress: ProgressArg, label: str) -> tuple[ProgressArg, Callable[[], None]]:
    """Make the tqdm bar now, in the caller's thread, and hand back a callback that feeds it.

    A bar made on the background loop's thread would be displayed from that thread, and since
    ipykernel 7 such output has no cell to land in. Returns (progress for the worker, close).
    """
    if not (progress is True or (progress is None and _watched())):
        return progress, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return False, lambda: None
    bar = tqdm(total=0, desc=ui_text(f"progress.{label}"), unit="B", unit_scale=True, leave=False)
    state = {"done": 0}

    def feed(done: int, total: int) -> None:
        if bar.total != total:
            bar.total = total
        bar.update(done - state["done"])
        state["done"] = done

    return feed, bar.close


# The render phase of an export's bar: a percentage as the backend reports it, not bytes.
_RENDER_FORMAT = "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}]"


def export_progress(
    progress: ProgressArg, subscribe: Callable[[Callable[[str, Any], None]], Callable[[], None]]
) -> tuple[ProgressArg, Callable[[], None]]:
    """One bar for an export, made in the caller's thread: the render's percent, then download.

    `subscribe` is the session's: its "job" events carry the polled percent. The bar says what
    it measures ("render <id> (processing)" in percent, then "download" in bytes). A callable
    `progress` keeps getting the download's bytes only. Returns (progress for the worker, close).
    """
    if not (progress is True or (progress is None and _watched())):
        return progress, lambda: None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return False, lambda: None
    bar = tqdm(total=100, desc=ui_text("progress.render"), bar_format=_RENDER_FORMAT, leave=False)
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

    def close() -> None:
        unsubscribe()
        bar.close()

    return feed, close
