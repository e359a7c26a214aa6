"""`Studio`: the upload picker, chat, timeline and export panel on one session."""

from __future__ import annotations

import html
from typing import Any

import ipywidgets

from .. import session as sessions
from .._display import word
from .._text import ui_text
from .chat import ChatCell
from .export import ExportPanel
from .timeline import TimelineTable
from .upload import UploadPicker

__all__ = ["Studio"]


class Studio(ipywidgets.VBox):
    """The four widgets together: composed by ipywidgets, so no extra bundle is needed."""

    def __init__(self, session: sessions.Session | None = None) -> None:
        self.session = session = session if session is not None else sessions.current()
        self.upload = UploadPicker(session)
        self.chat = ChatCell(session)
        self.timeline = TimelineTable(session)
        self.export = ExportPanel(session)
        lang = session.language
        backend = word("studio.backend", session.backend, lang)
        header = ipywidgets.HTML(
            f"<b>{html.escape(ui_text('studio.title', lang))}</b> · {html.escape(backend)} · "
            f"{html.escape(ui_text('studio.session', lang))} "
            f"<code>{html.escape(session.session_id)}</code>"
        )
        columns = [
            ipywidgets.VBox(parts, layout=ipywidgets.Layout(flex="1 1 420px", min_width="320px"))
            for parts in ([self.upload, self.chat], [self.timeline, self.export])
        ]
        body = ipywidgets.HBox(columns, layout=ipywidgets.Layout(flex_flow="row wrap"))
        # Spacing comes from the shared stylesheet (Layout has no flex gap).
        body.add_class("nemo-studio-body")
        super().__init__([header, body])
        self.add_class("nemo-studio")

    @property
    def parts(self) -> tuple[UploadPicker, ChatCell, TimelineTable, ExportPanel]:
        """The four widgets."""
        return self.upload, self.chat, self.timeline, self.export

    def close(self) -> None:
        """Close the four widgets and the layout."""
        for part in self.parts:
            part.close()
        super().close()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any] | None:
        data = super()._repr_mimebundle_(**kwargs)  # ipywidgets 8: the data dict alone
        if data is None:
            return None
        texts, htmls = zip(*(p._fallback() for p in self.parts), strict=True)
        return {**data, "text/plain": "\n\n".join(texts), "text/html": "".join(htmls)}
