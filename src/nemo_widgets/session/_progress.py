"""The tqdm bars (tqdm is optional) of uploads, downloads and exports, made on the caller's thread:
since ipykernel 7 one made on the loop's thread has no cell to land in; the worker gets a feed."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

from .._display import word
from .._text import ui_text
from ..api._multipart import ProgressArg


def _watched() -> bool:
    """A person is looking: stderr is a terminal, or this runs in a kernel's shell."""
    # ipykernel being imported is not enough (a test run or a library may import it): ask for
    # the running shell, which only a kernel has
    ipython = sys.modules.get("IPython")
    in_kernel = ipython is not None and hasattr(ipython.get_ipython(), "kernel")
    return in_kernel or getattr(sys.stderr, "isatty", lambda: False)()


@contextlib.contextmanager
def caller_progress(
    progress: ProgressArg,
    label: str,
    subscribe: Callable[[Callable[[str, Any], None]], Callable[[], None]] | None = None,
) -> Iterator[ProgressArg]:
    """The worker's `progress`: a bar's feed if wanted (with `subscribe`: render %, then bytes)."""
    rendering = subscribe is not None
    bar: Any = None
    if progress is True or (progress is None and _watched()):
        # an export's render phase is a percentage as the backend reports it, not bytes
        percent = {"total": 100, "bar_format": "{desc}: {percentage:3.0f}%|{bar}| [{elapsed}]"}
        shape = percent if rendering else {"total": 0}
        with contextlib.suppress(ImportError):
            from tqdm.auto import tqdm

            desc = ui_text(f"progress.{label}")
            bar = tqdm(desc=desc, leave=False, unit="B", unit_scale=True, **shape)
    if bar is None:
        yield False if progress is True else progress
        return

    def on_event(kind: str, job: Any) -> None:
        if kind == "job" and rendering:
            phase = word("export.phase", job.status)
            what = ui_text("progress.render_job", id=job.id, status=phase)
            bar.set_description_str(what, refresh=False)
            bar.n = job.percent
            bar.refresh()

    def feed(done: int, total: int) -> None:
        nonlocal rendering
        if rendering:
            rendering = False
            bar.set_description_str(ui_text("progress.download"), refresh=False)
            bar.bar_format = None
            bar.reset(total=total)
        bar.total = total
        bar.update(done - bar.n)
        if done >= total:
            bar.refresh()  # the last state is shown even when it came within one refresh interval

    unsubscribe = subscribe(on_event) if subscribe else lambda: None
    try:
        yield feed
    finally:
        unsubscribe()
        bar.close()
