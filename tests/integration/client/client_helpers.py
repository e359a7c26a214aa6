"""Helpers shared by the client integration tests."""

from __future__ import annotations

from nemo_widgets.local import LocalServer


def upload_count(server: LocalServer) -> int:
    """Upload requests the server has seen."""
    return sum(n for (method, path), n in server.counts.items() if "upload-video" in path)
