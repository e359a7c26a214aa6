"""Run by a fresh venv's python (see test_wheel_fonts.py): export a draft with a Chinese title on
the in-process offline backend, then measure the title's pixels. Prints one JSON line.

argv: the working folder. The title area is compared with three references drawn like the
renderer draws them: the chosen face (real glyphs), the collection's first face (Japanese forms)
and private-use code points (the .notdef boxes every font draws for what it lacks).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import imageio_ffmpeg
import numpy as np
from PIL import Image

import nemo_widgets as nw
from nemo_widgets.local.render import cjk_font, text
from nemo_widgets.local.render.fonts import faces

TITLE = "直骨城市"  # 直 and 骨 differ most between the Chinese and the Japanese forms
CANVAS = (640, 360)
SIZE = 80


def ink(rgb: np.ndarray) -> np.ndarray:
    return np.asarray(rgb).max(axis=2) > 200  # white strokes on a navy picture


def placed(txt: str, face: object) -> np.ndarray:
    img = text.text_image(txt, canvas=CANVAS, size=SIZE, color=(255, 255, 255), pos="center",
                          face=face)  # type: ignore[arg-type]  # fmt: skip
    assert img is not None
    mask = np.zeros((CANVAS[1], CANVAS[0]), bool)
    rgba = np.asarray(img.image)
    part = (rgba[..., 3] > 128) & (rgba[..., :3].max(axis=2) > 200)
    mask[img.y : img.y + part.shape[0], img.x : img.x + part.shape[1]] = part
    return mask


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def main() -> None:
    work = Path(sys.argv[1])
    photo = work / "navy.png"
    Image.new("RGB", CANVAS, (0, 0, 128)).save(photo)
    session = nw.connect(backend="local")
    (media,) = session.upload(str(photo), progress=False)
    draft = {
        "d": 2000,
        "m": {"w": CANVAS[0], "h": CANVAS[1], "fps": 30},
        "t": [
            {"id": "v", "tt": 0, "sg": [
                {"id": "s1", "k": "image", "src": media.id, "st": 0, "d": 2000}]},
            {"id": "x", "tt": 7, "sg": [
                {"id": "t1", "k": "title", "txt": TITLE, "st": 0, "d": 2000, "pos": "center",
                 "fs": SIZE, "c": "#ffffff"}]},
        ],
    }  # fmt: skip
    job = session.export(draft=draft, download_to=work / "out.mp4", progress=False)
    png = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-ss", "1", "-i", str(job.path),
         "-frames:v", "1", "-f", "image2pipe", "-c:v", "png", "-"],
        capture_output=True, check=True,
    ).stdout  # fmt: skip
    frame = ink(Image.open(io.BytesIO(png)).convert("RGB"))
    session.close()

    face = cjk_font()
    first = faces(face.path)[0]
    real, japanese = placed(TITLE, face), placed(TITLE, first)
    text.drawable = lambda txt, _face: txt  # type: ignore[assignment]  # keep the boxes
    boxes = placed("\ue001\ue002\ue003\ue004", face)
    fc = shutil.which("fc-list")
    zh_fonts = subprocess.run([fc, ":lang=zh", "file"], capture_output=True, text=True).stdout
    print(json.dumps({
        "face": face.name,
        "face_path": str(face.path),
        "prefix": sys.prefix,
        "first_face": first.name,
        "system_zh_fonts": zh_fonts.split() if fc else [],
        "system_font_dirs": [d for d in ("/usr/share/fonts", "/usr/local/share/fonts")
                             if Path(d).is_dir() and any(Path(d).iterdir())],
        "ink": int(frame.sum()),
        "iou_real": iou(frame, real),
        "iou_japanese": iou(frame, japanese),
        "iou_boxes": iou(frame, boxes),
    }))  # fmt: skip


if __name__ == "__main__":
    main()
