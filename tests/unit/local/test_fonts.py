"""The font lookup: the packaged Noto face chosen by name, the override, Latin text without a CJK
font, and characters no face draws (emoji) left out instead of drawn as boxes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nemo_widgets.errors import NemoError
from nemo_widgets.local.render import check, fonts, text_image
from nemo_widgets.local.render.fonts import (
    FONT_PACKAGE,
    Face,
    FontNotFound,
    cjk_font,
    drawable,
    face_for,
    faces,
    has_glyphs,
    needs_cjk,
)

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def fresh_search(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("NEMO_WIDGETS_FONT", raising=False)
    fonts.forget()
    yield
    fonts.forget()


@pytest.fixture
def no_fonts(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine with no CJK font at all: no package, no system file, no fontconfig."""
    monkeypatch.setattr(fonts, "_packaged", list)
    monkeypatch.setattr(fonts, "_KNOWN", ())
    monkeypatch.setattr(fonts, "_fontconfig_candidates", list)


def packaged_collection() -> Path:
    import noto_cjk_sans_otc

    return Path(noto_cjk_sans_otc.FONT_PATH)


def test_the_packaged_collection_comes_first_and_its_sc_face_is_chosen_by_name() -> None:
    ttc = packaged_collection()
    all_faces = faces(ttc)
    assert all_faces[0].name == "Noto Sans CJK JP"  # what "index 0" used to give
    face = cjk_font()
    assert face.path == ttc
    assert face.name == "Noto Sans CJK SC"
    assert all_faces[face.index] == face and face.index != 0


@pytest.mark.parametrize(
    ("names", "chosen"),
    [
        (["Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK SC", "Noto Sans CJK TC"], 2),
        (["Noto Sans Mono CJK SC", "Noto Sans CJK SC"], 1),
        (["WenQuanYi Zen Hei", "WenQuanYi Zen Hei Sharp", "WenQuanYi Zen Hei Mono"], 0),
        (["PingFang HK", "PingFang TC", "PingFang SC"], 2),
        (["Source Han Sans JP", "Source Han Sans"], 1),
        (["Microsoft YaHei UI", "Microsoft JhengHei"], 0),
    ],
    ids=lambda v: "/".join(v) if isinstance(v, list) else str(v),
)
def test_simplified_chinese_faces_rank_first(names: list[str], chosen: int) -> None:
    ranked = sorted((Face(Path("x.ttc"), i, n) for i, n in enumerate(names)), key=fonts._rank)
    assert ranked[0].index == chosen


def test_the_override_names_a_file_and_its_face_is_still_chosen_by_name(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("NEMO_WIDGETS_FONT", str(tmp_path / "gone.ttf"))
    with pytest.raises(FontNotFound, match="no such file"):
        cjk_font()
    fonts.forget()
    (tmp_path / "x.ttf").write_bytes(b"not a font")
    monkeypatch.setenv("NEMO_WIDGETS_FONT", str(tmp_path / "x.ttf"))
    with pytest.raises(FontNotFound, match="cannot draw Chinese"):
        cjk_font()
    fonts.forget()
    monkeypatch.setenv("NEMO_WIDGETS_FONT", str(packaged_collection()))
    assert cjk_font().name == "Noto Sans CJK SC"


@pytest.mark.usefixtures("no_fonts")
def test_no_font_at_all_is_a_nemo_error_whose_hint_is_a_pip_command() -> None:
    with pytest.raises(FontNotFound) as info:
        cjk_font()
    assert isinstance(info.value, NemoError)
    assert info.value.hint == f"pip install {FONT_PACKAGE}"
    title = {"id": "t1", "k": "title", "txt": "城市之梦", "st": 0, "d": 1000}
    assert check({"d": 1000, "t": [{"tt": 7, "sg": [title]}]}) == str(info.value)


def test_the_font_package_is_the_one_the_local_extra_pins() -> None:
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    local = project["optional-dependencies"]["local"]
    assert any(req.startswith(f"{FONT_PACKAGE}==") for req in local), local


@pytest.mark.usefixtures("no_fonts")
def test_latin_text_needs_no_cjk_font() -> None:
    latin = {"id": "t1", "k": "title", "txt": "Sale -50%", "st": 0, "d": 1000}
    assert check({"d": 1000, "t": [{"tt": 7, "sg": [latin]}]}) is None
    assert face_for("Hello") is None  # Pillow's built-in face
    img = text_image("Hello", canvas=(640, 360), size=48, color=(255, 255, 255), pos="center",
                     face=None)  # fmt: skip
    assert img is not None and (np.asarray(img.image)[..., 3] > 200).sum() > 300
    with pytest.raises(FontNotFound):
        face_for("你好")


def test_emoji_no_face_draws_are_left_out_not_boxed() -> None:
    face = cjk_font()
    assert drawable("城市😀之梦 🎉 go", face) == "城市之梦 go"
    kw = {"canvas": (640, 360), "size": 64, "color": (255, 255, 255), "pos": "center", "face": face}
    with_emoji, plain = text_image("城市😀之梦", **kw), text_image("城市之梦", **kw)  # type: ignore[arg-type]
    assert with_emoji is not None and plain is not None
    assert np.array_equal(np.asarray(with_emoji.image), np.asarray(plain.image))
    assert text_image("😀🎉\ufe0f", **kw) is None  # type: ignore[arg-type]


_ALPHABET = st.sampled_from([*"城市之梦中文 abcXYZ 123，。!?", "😀", "🎉", "\ufe0f", "\ue001"])


@settings(max_examples=60, deadline=None)
@given(st.text(_ALPHABET, max_size=20))
def test_drawable_keeps_exactly_what_the_face_draws(text: str) -> None:
    face = cjk_font()
    kept = drawable(text, face)
    assert has_glyphs(face, kept)
    assert drawable(kept, face) == kept
    real = [c for c in text if not c.isspace() and has_glyphs(face, c)]
    assert [c for c in kept if not c.isspace()] == real


@given(st.text(st.characters(max_codepoint=0x2000)))
def test_only_cjk_characters_need_a_cjk_font(text: str) -> None:
    assert not needs_cjk(text)
    assert needs_cjk(text + "中") and needs_cjk("ひらがな") and needs_cjk("한국어")
