"""Write the notebooks in notebooks/ from the cell sources below (no outputs, no widget state).

    python scripts/make_notebooks.py          # rewrite notebooks/*.ipynb

This file is their source: edit the cells here and run it (tests/integration/notebooks/
test_notebooks_clean.py checks that the committed notebooks are exactly what it writes, and that
they carry no outputs).
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "notebooks"

CONNECT = """\
import os

import nemo_widgets as nw

# The cloud needs a token; without one, the offline backend that ships with the package is used.
backend = "cloud" if os.environ.get("NEMO_TOKEN") else "local"
print("Backend:", "NemoVideo cloud" if backend == "cloud" else "offline (no NEMO_TOKEN set)")
# record=: the chat turns recorded beside this notebook are replayed (see the note below)
session = nw.connect(backend=backend, record="{record}")
session"""


def connect(stem: str) -> str:
    """The connect cell of notebook `stem`, with its record beside it."""
    return CONNECT.replace("{record}", f"{stem}.nemo.json")


def record_note(where: str) -> str:
    """How the record beside a notebook works, and how to ask again."""
    return (
        f"**Recorded replies.** `record=` keeps each chat turn in {where}, committed beside "
        "this notebook: a run replays the recorded reply and timeline (marked *replayed · no "
        "credits spent*) instead of asking again, so the video is the documented one and no "
        "credits are spent. To ask again, change the message, pass `refresh=True` to "
        "`nw.connect(...)` or to `session.chat(...)`, or delete the file."
    )


MAKE_SAMPLES = """\
from nemo_widgets.local import make_sample_media

# three product images with Chinese and English text, and a 10 s music track
files = make_sample_media("media")"""
SAMPLES = MAKE_SAMPLES + "\n[f.name for f in files]"
UPLOAD = "media = session.upload(*files)\n[m.name for m in media]"

# the offline agent's vocabulary: portrait = 9:16, a length, the music's volume, caption lines
CHAT = """\
reply = session.chat(
    "Create a short promotional video from my pictures, 9 seconds, portrait, "
    "with my music at 40% and Chinese captions: "
    "晨光咖啡 唤醒每个早晨; 竹韵茶具 品味东方雅致; 云朵枕头 一夜好眠"
)
print(reply.text)"""

CREDITS_NOTE = (
    "Like the cloud, a new session starts with 100 credits: a generation costs 100, an edit 50, "
    "export is free. Editing the timeline as a DataFrame (see "
    "[dataframe-editing](dataframe-editing.ipynb)) costs nothing."
)


BATCH_LOOP = """\
import time

started = time.monotonic()
running = []  # (file, instruction, session, render job): the renders go on while we loop
for path, instruction in jobs.items():
    # a fresh session per file, each with its record (see the note above)
    s = nw.connect(backend=backend, new=True, record=f"batch-{path.stem}.nemo.json")
    s.upload(path, progress=False)
    s.chat(instruction)
    job = s.export(wait=False)  # start the render and go on with the next file at once
    running.append((path, instruction, s, job))
    print(f"{path.name}: render {job.id} started")"""

BATCH_COLLECT = """\
rows = []
for path, instruction, s, job in running:
    try:
        job.wait(download_to=f"batch-{path.stem}.mp4")  # most are done by now
        rows.append({
            "file": path.name,
            "instruction": instruction,
            "summary": s.summary(),
            "status": job.status,
            "video": job.path,
        })
    finally:
        s.close()
    print(f"{path.name}: {job.status}")
print(f"all {len(rows)} in {time.monotonic() - started:.1f} s")"""


def quickstart() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# nemo_widgets: quick start\n\n"
            "Upload pictures or clips, describe the video you want in a chat (English or "
            "Chinese), look at the timeline, export an MP4 — without leaving the notebook.\n\n"
            "Run the cells from the top. With no `NEMO_TOKEN` set, everything runs on the "
            "**offline backend** on this machine: no account, no network."
        ),
        new_code_cell(connect("quickstart")),
        new_markdown_cell(record_note("`quickstart.nemo.json`")),
        new_markdown_cell("Some sample media to play with:"),
        new_code_cell(SAMPLES),
        new_markdown_cell(
            "## The Studio\n\n"
            "Upload files (drop them, pick them, or give a path), chat with the editor, watch the "
            "timeline fill in, and export. The reply streams in while the kernel stays free.\n\n"
            "(`%load_ext nemo_widgets` then `%nemo studio` does the same.)"
        ),
        new_code_cell("from nemo_widgets.widgets import Studio\n\nStudio(session)"),
        new_markdown_cell(
            "## The same, from code\n\n"
            "Every Studio action is a method; these calls wait for their result, so the notebook "
            "runs top to bottom (the Studio above follows along)."
        ),
        new_code_cell(UPLOAD),
        new_markdown_cell(
            "Ask for the video. The offline agent understands simple instructions in English or "
            'Chinese (ask it "What can you do?"). ' + CREDITS_NOTE
        ),
        new_code_cell(CHAT),
        new_code_cell("print(session.summary())\nsession.timeline()"),
        new_code_cell('job = session.export(download_to="quickstart.mp4")\njob'),
        new_code_cell(
            "from IPython.display import Video\n\n"
            'Video("quickstart.mp4", width=270)  # served by Jupyter from the notebook\'s folder'
        ),
        new_markdown_cell(
            "Next: [editing the timeline with pandas](dataframe-editing.ipynb) · "
            "[batch processing](batch.ipynb) · [running in Colab](colab.ipynb)"
        ),
    ]


def dataframe_editing() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# Edit the draft as a DataFrame\n\n"
            "The editor's draft is a timeline of tracks and segments. `session.timeline()` gives "
            "it as a pandas DataFrame — one row per segment — that you can filter, plot and edit; "
            "`session.export(draft=df)` renders your edited table."
        ),
        new_code_cell(connect("dataframe-editing")),
        new_markdown_cell(record_note("`dataframe-editing.nemo.json`")),
        new_code_cell(MAKE_SAMPLES + "\nmedia = session.upload(*files)"),
        new_code_cell(CHAT),
        new_markdown_cell("## Explore"),
        new_code_cell("df = session.timeline()\ndf"),
        new_code_cell(
            "# times are integer milliseconds: seconds of material per kind of track\n"
            'df.groupby("track_type", observed=True)["duration"].sum() / 1000'
        ),
        new_code_cell('df[df.track_type == "text"][["kind", "start", "end", "text"]]'),
        new_markdown_cell(
            "## Edit\n\n"
            "Plain pandas: reword a subtitle, lower the music, keep the title on screen longer."
        ),
        new_code_cell(
            'df.loc[df.text == "晨光咖啡 唤醒每个早晨", "text"] = "晨光咖啡 温暖每个早晨"\n'
            'df.loc[df.track_type == "audio", "volume"] = 0.25\n'
            'df.loc[df.kind == "title", "duration"] = 5000\n'
            'df[["track_type", "kind", "start", "duration", "text", "volume"]]'
        ),
        new_code_cell(
            "from nemo_widgets.draft import frame_to_draft, summarize\n\n"
            "edited = frame_to_draft(df, base=session.state().draft)\n"
            "print(summarize(edited))"
        ),
        new_markdown_cell("## Render the edited draft"),
        new_code_cell('job = session.export(draft=df, download_to="edited.mp4")\njob'),
        new_markdown_cell(
            "## Round trip through a pro editor\n\n"
            "`session.export_timeline` writes the cut for an editor, with its media downloaded "
            "beside it: `.otio`, `.otioz` (media inside), FCP 7 `.xml` (Premiere Pro, DaVinci "
            "Resolve), `.fcpxml` (Final Cut Pro) or `.edl` (needs the `otio` extra). Open "
            "`edited.xml` in the editor, refine the cut, export XML again; `from_otio` brings the "
            "trims, moves and deletions back onto the draft."
        ),
        new_code_cell('path = session.export_timeline("edited.xml", draft=edited)\npath'),
        new_code_cell(
            "import opentimelineio as otio\n\n"
            "# standing in for the editor: the first picture one second shorter, and last\n"
            "timeline = otio.adapters.read_from_file(path)\n"
            'video = next(t for t in timeline.tracks if t.kind == "Video")\n'
            "first = video.find_clips()[0]\n"
            "video.remove(first)\n"
            "one_second = otio.opentime.from_seconds(1, first.duration().rate)\n"
            "first.source_range = otio.opentime.TimeRange(\n"
            "    first.source_range.start_time, first.source_range.duration - one_second\n"
            ")\n"
            "video.insert(video.index(video.find_clips()[-1]) + 1, first)\n"
            "otio.adapters.write_to_file(timeline, path)"
        ),
        new_code_cell(
            "from nemo_widgets.draft import diff_drafts, from_otio\n\n"
            "back = from_otio(path, base=edited)  # clips matched by name, the rest kept\n"
            "for change in diff_drafts(edited, back):\n"
            "    print(change)\n"
            "print(summarize(back))"
        ),
    ]


def batch() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# Batch: one instruction per file\n\n"
            "Each file gets its own session, its own instruction and its own render; the results "
            "end up in one table. (On the cloud every generation costs about 100 credits.)"
        ),
        new_code_cell(
            "import os\n\n"
            "import nemo_widgets as nw\n\n"
            'backend = "cloud" if os.environ.get("NEMO_TOKEN") else "local"\n'
            'print("Backend:", "NemoVideo cloud" if backend == "cloud" else '
            '"offline (no NEMO_TOKEN set)")'
        ),
        new_code_cell(
            "from nemo_widgets.local import make_sample_media\n\n"
            'images = [f for f in make_sample_media("media") if f.suffix == ".jpg"]\n'
            "jobs = {\n"
            "    images[0]: 'Make a 4 second video with the title \"晨光咖啡\"',\n"
            "    images[1]: 'Make a 16:9 video, 4 seconds, with the title \"Bamboo Tea Set\"',\n"
            '    images[2]: "做一个 4 秒的方形视频，标题“云朵枕头”",\n'
            "}"
        ),
        new_markdown_cell(record_note("one file per input (`batch-product1.nemo.json`, …)")),
        new_markdown_cell(
            "## Start every render without waiting\n\n"
            "`export(wait=False)` returns the render job as soon as the backend has it, so the "
            "next file's upload and instruction overlap the renders already running. Each "
            "session stays open until its job is collected (a job is followed by its session); "
            "`connect(new=True)` makes a fresh session for every file."
        ),
        new_code_cell(BATCH_LOOP),
        new_markdown_cell(
            "## Collect the renders\n\n"
            "`job.wait()` polls a job to its end and downloads it; jobs that finished while the "
            "loop above ran are only downloaded. (One after another instead: `s.export()` in the "
            "loop waits for each render before the next file starts; "
            "`benchmarks/bench_batch.py` measures both.)"
        ),
        new_code_cell(BATCH_COLLECT),
        new_code_cell("import pandas as pd\n\nresults = pd.DataFrame(rows)\nresults"),
    ]


def colab() -> list[nbformat.NotebookNode]:
    return [
        new_markdown_cell(
            "# nemo_widgets in Google Colab\n\n"
            "Colab needs three things the other notebooks take for granted:\n\n"
            "1. **Install** the package with the offline backend: one `pip install`; ffmpeg and "
            "the Chinese font (Noto Sans CJK) come with it, so there is no `apt` step.\n"
            "2. **Widgets**: anywidget turns on Colab's custom widget manager by itself.\n"
            "3. **Files and video**: the Studio's upload picker sends files in small chunks "
            "(Colab drops large widget messages), and the export panel plays the video through "
            "Colab's kernel port proxy, because the browser cannot reach a server on the kernel's "
            "machine directly. Files already in the Colab VM can be uploaded by path."
        ),
        new_code_cell(
            "import sys\n\n"
            'IN_COLAB = "google.colab" in sys.modules\n'
            "if IN_COLAB:\n"
            "    # nemo-widgets is not on PyPI yet: upload a wheel built by `python -m build`\n"
            '    # and set PACKAGE = "nemo_widgets-<version>-py3-none-any.whl[local]".\n'
            '    PACKAGE = "nemo-widgets[local]"\n'
            '    !pip install -q "$PACKAGE"\n'
            'print("Colab" if IN_COLAB else "Not in Colab: nothing to install")'
        ),
        new_code_cell(connect("colab")),
        new_markdown_cell(record_note("`colab.nemo.json`")),
        new_markdown_cell(
            "Put your media in the VM (the Files pane, `google.colab.files.upload()`, or Drive), "
            "or use the samples:"
        ),
        new_code_cell(MAKE_SAMPLES + "\n" + UPLOAD),
        new_code_cell("from nemo_widgets.widgets import Studio\n\nStudio(session)"),
        new_code_cell(CHAT),
        new_code_cell(
            'job = session.export(download_to="colab.mp4")\n'
            "if IN_COLAB:\n"
            "    from google.colab import files as colab_files\n\n"
            "    colab_files.download(job.path)  # save it to your computer\n"
            "job"
        ),
    ]


NOTEBOOKS = {
    "quickstart.ipynb": quickstart,
    "dataframe-editing.ipynb": dataframe_editing,
    "batch.ipynb": batch,
    "colab.ipynb": colab,
}


def build(name: str) -> nbformat.NotebookNode:
    """The notebook `name`, with stable cell ids and the python3 kernel."""
    nb = new_notebook(cells=NOTEBOOKS[name]())
    nb.metadata = {
        "kernelspec": {
            "name": "python3",
            "display_name": "Python 3 (ipykernel)",
            "language": "python",
        },
        "language_info": {"name": "python"},
    }
    stem = name.removesuffix(".ipynb")
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"{stem}-{i:02d}"
    nbformat.validate(nb)
    return nb


def main() -> int:
    OUT.mkdir(exist_ok=True)
    for name in NOTEBOOKS:
        nbformat.write(build(name), OUT / name)
        print("wrote", OUT / name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
