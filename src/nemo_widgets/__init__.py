"""nemo_widgets: edit video with AI from a Jupyter notebook."""

from __future__ import annotations

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
    RenderFailed,
    SessionNotFound,
    StreamTimeout,
    UnsupportedFile,
)
from .session import Credits, Media, RenderJob, Reply, Session, State, connect, current

__version__ = "0.1.0"

__all__ = [
    "AuthError",
    "BackendUnavailable",
    "Credits",
    "DraftError",
    "ExportBlocked",
    "FileTooLarge",
    "InputError",
    "Media",
    "NemoError",
    "NoCredits",
    "RateLimited",
    "RenderFailed",
    "RenderJob",
    "Reply",
    "Session",
    "SessionNotFound",
    "State",
    "StreamTimeout",
    "UnsupportedFile",
    "__version__",
    "connect",
    "current",
    "load_ipython_extension",
]


def load_ipython_extension(ipython: object) -> None:
    """`%load_ext nemo_widgets`: register the `%nemo` and `%%nemo` magics."""
    from .magics import register

    register(ipython)
