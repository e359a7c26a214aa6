"""Each widget sends its view the strings of its areas, in the session's language."""

from __future__ import annotations

import pytest
from widget_fakes import FakeSession, RecordingComm

from nemo_widgets.widgets import ChatCell, ExportPanel, Studio, TimelineTable, UploadPicker


@pytest.mark.parametrize(
    ("cls", "key", "zh"),
    [
        (UploadPicker, "upload.drop", "把媒体文件拖到这里"),
        (ChatCell, "chat.send", "发送"),
        (TimelineTable, "timeline.empty", "时间线是空的：先上传媒体，再说说想怎么剪。"),
        (ExportPanel, "export.export", "导出"),
    ],
)
@pytest.mark.parametrize("language", ["zh", "zh-CN", "zh_TW", "zh-Hans"])
def test_labels_in_chinese(
    comms: list[RecordingComm], cls: type, key: str, zh: str, language: str
) -> None:
    session = FakeSession()
    session.language = language
    w = cls(session)
    assert w.labels[key] == zh and w.labels["common.cancel"] == "取消"
    assert comms[-1].opened["data"]["state"]["labels"][key] == zh  # sent with the first state
    w.close()


def test_labels_in_english_and_only_the_widgets_own(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    session.language = "en"
    w = ExportPanel(session)
    assert w.labels["export.export"] == "Export"
    assert not any(k.startswith(("chat.", "upload.", "timeline.")) for k in w.labels)
    w.close()


def test_studio_header_and_fallbacks_in_chinese(comms: list[RecordingComm]) -> None:
    session = FakeSession()
    session.language = "zh"
    studio = Studio(session)  # type: ignore[arg-type]
    header = studio.children[0].value
    assert "NemoVideo 工作台" in header and "会话" in header
    data = studio._repr_mimebundle_()
    text = data[0]["text/plain"] if isinstance(data, tuple) else data["text/plain"]
    assert "还没有媒体" in text and "还没有消息" in text and "还没有导出" in text
    studio.close()
