"""nemo_widgets: edit video with AI from a Jupyter notebook."""

from __future__ import annotations

import importlib.metadata as _metadata
import typing as _typing

from .errors import (
    AuthError,
    BackendUnavailable,
    DraftError,
    ExportBlocked,
    FileTooLarge,
    InputError,
    NemoError,
    NoCredits,
    RateLimited,
    RecordError,
    RenderFailed,
    SessionNotFound,
    StreamTimeout,
    UnsupportedFile,
)
from .session import Credits, Media, RenderJob, Reply, Session, State, connect, current

if _typing.TYPE_CHECKING:
    from .widgets import ChatCell, ExportPanel, Studio, TimelineTable, UploadPicker

_WIDGETS = ("ChatCell", "ExportPanel", "Studio", "TimelineTable", "UploadPicker")


def _version() -> str:  # pyproject.toml holds the one version
    try:
        return _metadata.version("nemo-widgets")
    except _metadata.PackageNotFoundError:  # an uninstalled checkout has no metadata to read
        return "0+unknown"


__version__ = _version()

__all__ = [
    "AuthError",
    "BackendUnavailable",
    "ChatCell",
    "Credits",
    "DraftError",
    "ExportBlocked",
    "ExportPanel",
    "FileTooLarge",
    "InputError",
    "Media",
    "NemoError",
    "NoCredits",
    "RateLimited",
    "RecordError",
    "RenderFailed",
    "RenderJob",
    "Reply",
    "Session",
    "SessionNotFound",
    "State",
    "StreamTimeout",
    "Studio",
    "TimelineTable",
    "UnsupportedFile",
    "UploadPicker",
    "__version__",
    "connect",
    "current",
    "load_ipython_extension",
]


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext nemo_widgets`: register the `%nemo` and `%%nemo` magics."""
    from .magics import register

    register(ipython)


def __getattr__(name: str) -> _typing.Any:
    # widgets import anywidget and the front-end bundles: only when first asked for
    if name in _WIDGETS:
        from . import widgets

        return getattr(widgets, name)
    raise AttributeError(f"module 'nemo_widgets' has no attribute {name!r}")
