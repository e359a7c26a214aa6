"""The token never leaves Python memory: a whole session in a REAL kernel, through the widgets.

A notebook built with nbformat runs in a fresh ipykernel under nbclient, with a known token given
through NEMO_TOKEN: connect, the Studio, an upload through the picker's chunk protocol (as the
browser sends it), chat through the ChatCell's messages and `%%nemo`, the timeline, an export and
the claim link through the ExportPanel, then errors (a bad upload, a bad draft, and the token
expiring mid-session, shown with IPython's verbose tracebacks that print local variables). The
notebook is saved WITH its widget state (`Widget.get_manager_state()` from the kernel, in the
`application/vnd.jupyter.widget-state+json` metadata), and then the .ipynb, every message the
kernel sent (IOPub), every log line (DEBUG for nemo_widgets, httpx, httpcore and uvicorn, in the
kernel and in the server), every exception text and the files in the config dir are scanned for
the token, its base64 forms (at every alignment, so it is found inside any base64 blob) and its
URL-encoded forms. Zero hits, and the claim link carries only the claim token.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import re
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, quote_plus, urlsplit

import httpx
import nbformat
import pytest
from nbclient import NotebookClient

import nemo_widgets
from nemo_widgets.local import Faults, LocalServer

SRC = str(Path(nemo_widgets.__file__).resolve().parents[1])
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"

CELLS: list[tuple[str, dict[str, Any]]] = [
    (
        """
        import base64, json, logging, os, time, traceback
        handler = logging.FileHandler(os.environ["NEMO_TEST_LOG"], encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.DEBUG)
        for name in ("nemo_widgets", "httpx", "httpcore", "uvicorn", "comm", "ipykernel"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        errors = []
        """,
        {},
    ),
    (
        """
        %load_ext nemo_widgets
        import nemo_widgets as nw
        from nemo_widgets.widgets import Studio
        s = nw.connect(backend="local", api_url=os.environ["NEMO_TEST_URL"], resume=False,
                       poll_interval=0.05)
        studio = Studio(s)
        studio
        """,
        {},
    ),
    (
        # the browser's upload: start, three chunks, end (ids are numbered per picker: u1)
        """
        data = open(os.environ["NEMO_TEST_PNG"], "rb").read()
        up = studio.upload
        up._handle_custom_msg({"kind": "upload_start", "id": "s1", "name": "city.png",
                               "size": len(data)}, [])
        third = len(data) // 3 + 1
        for seq, offset in enumerate(range(0, len(data), third)):
            up._handle_custom_msg({"kind": "upload_chunk", "id": f"k{seq}", "upload": "u1",
                                   "seq": seq, "offset": offset}, [data[offset:offset + third]])
        up._handle_custom_msg({"kind": "upload_end", "id": "e1", "upload": "u1"}, [])
        deadline = time.monotonic() + 60
        while not up.media and time.monotonic() < deadline:
            time.sleep(0.05)
        print(up.media)
        """,
        {},
    ),
    (
        """
        chat = studio.chat
        chat._handle_custom_msg({"kind": "ready", "id": "r1", "have": 0}, [])
        chat._handle_custom_msg({"kind": "send", "id": "c1", "text": "make a video"}, [])
        print(chat._future.result(120)["text"])
        chat._handle_custom_msg({"kind": "send", "id": "c2", "text": 'add title "Secret Safe"'},
                                [])
        print(chat._future.result(120)["text"])
        """,
        {},
    ),
    ('%%nemo\nadd title "Cell Magic"', {}),
    (
        """
        studio.timeline.refresh().result(30)
        print(studio.timeline.summary)
        %nemo credits
        s.timeline()
        """,
        {},
    ),
    ("%nemo status", {}),
    (
        """
        ex = studio.export
        ex._handle_custom_msg({"kind": "export", "id": "x1", "quality": "high"}, [])
        job = ex._export.result(300)
        ex._handle_custom_msg({"kind": "link", "id": "l1"}, [])
        link = s.link()
        print(job, link)
        """,
        {},
    ),
    ("%nemo link", {}),
    (
        """
        for call in (lambda: s.upload("missing.png"), lambda: s.export([1])):
            try:
                call()
            except Exception as exc:
                errors.append("".join(traceback.format_exception(exc)))
        print("\\n".join(errors))
        print(repr(s), repr(s.api), repr(s.api.credentials), vars(s))
        """,
        {},
    ),
    # the server expires the token before this cell runs (see on_cell_start)
    ("%xmode Verbose\ns.credits()", {"nemo_expire": True, "tags": ["raises-exception"]}),
    (
        """
        %xmode Context
        try:
            s.chat('add title "Never"')
        except Exception as exc:
            errors.append("".join(traceback.format_exception(exc)))
            print(errors[-1])
        chat._handle_custom_msg({"kind": "send", "id": "c3", "text": 'add title "Never"'}, [])
        print(chat._future.result(60)["text"])
        %nemo credits
        """,
        {},
    ),
    (
        """
        import ipywidgets
        state = ipywidgets.Widget.get_manager_state(drop_defaults=False)
        with open(os.environ["NEMO_TEST_STATE"], "w", encoding="utf-8") as f:
            json.dump(state, f)
        with open(os.environ["NEMO_TEST_ERRORS"], "w", encoding="utf-8") as f:
            json.dump(errors, f)
        len(state["state"])
        """,
        {},
    ),
]


def secret_forms(token: str) -> dict[str, str]:
    """The token as it could appear: plain, URL-encoded, and base64 at each of the three byte
    alignments. Only the base64 groups made of the token's bytes alone are kept, so that the
    token is found inside any base64 blob (such as a widget buffer saved in the notebook)."""
    raw = token.encode()
    forms = {"plain": token, "url": quote(token, safe=""), "url+": quote_plus(token)}
    for pad in range(3):
        for name, enc in (("b64", base64.b64encode), ("b64url", base64.urlsafe_b64encode)):
            text = enc(b"\0" * pad + raw).decode()
            groups = [text[i : i + 4] for i in range(0, len(text), 4)]
            # the first group holds the prefix's bits (when there is one), the last one may hold
            # the bits of whatever follows the token
            forms[f"{name}@{pad}"] = "".join(groups[1 if pad else 0 : -1])
    return {k: v for k, v in forms.items() if len(v) >= 8}


class RecordingClient(NotebookClient):
    """nbclient, also keeping every IOPub message it reads (what a browser would get), the late
    ones too: a reply sent from the background loop after its cell ended has that cell's parent
    and nbclient drops it while it waits for the next cell's output."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.messages: list[dict[str, Any]] = []

    async def async_start_new_kernel_client(self) -> Any:
        kc = await super().async_start_new_kernel_client()
        read = kc.iopub_channel.get_msg

        async def get_msg(*args: Any, **kwargs: Any) -> Any:
            msg = await read(*args, **kwargs)
            self.messages.append(msg)
            return msg

        kc.iopub_channel.get_msg = get_msg
        return kc


@pytest.mark.timeout(600)
@pytest.mark.parametrize("mode", ["given", "anonymous"])
def test_token_never_leaves_memory_in_a_real_kernel(
    mode: str,
    server_factory: Any,
    png: Path,
    home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the server's own logs at DEBUG, captured for the scan
    server_log = tmp_path / "server.log"
    handler = logging.FileHandler(server_log, encoding="utf-8")
    handler.setLevel(logging.DEBUG)
    watched = [logging.getLogger(n) for n in ("uvicorn", "nemo_widgets", "httpx", "httpcore")]
    levels = [lg.level for lg in watched]
    for lg in watched:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    server: LocalServer = server_factory(
        faults=Faults(never_silent=True), log_level="debug", step_delay=0.02
    )
    try:
        if mode == "given":  # a known token, handed over as a user would: NEMO_TOKEN
            token = httpx.post(
                f"{server.url}/api/auth/anonymous-token", headers={"X-Client-Id": "secrets-test"}
            ).json()["data"]["token"]
            monkeypatch.setenv("NEMO_TOKEN", token)
        paths = {k: tmp_path / f"{k}.out" for k in ("log", "state", "errors")}
        for key, value in {
            "NEMO_TEST_URL": server.url,
            "NEMO_TEST_PNG": str(png),
            "NEMO_TEST_LOG": str(paths["log"]),
            "NEMO_TEST_STATE": str(paths["state"]),
            "NEMO_TEST_ERRORS": str(paths["errors"]),
            "PYTHONPATH": os.pathsep.join(filter(None, [SRC, os.environ.get("PYTHONPATH")])),
        }.items():
            monkeypatch.setenv(key, value)

        nb = nbformat.v4.new_notebook()
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3"}
        for source, meta in CELLS:
            cell = nbformat.v4.new_code_cell(textwrap.dedent(source).strip())
            cell.metadata.update(meta)
            nb.cells.append(cell)

        def on_cell_start(cell: Any, cell_index: int) -> None:
            if cell.metadata.get("nemo_expire"):
                server.faults.expire_tokens()  # every token issued so far

        client = RecordingClient(
            nb,
            timeout=300,
            kernel_name="python3",
            resources={"metadata": {"path": str(tmp_path)}},
            on_cell_start=on_cell_start,
        )
        client.execute()
    finally:
        for lg, level in zip(watched, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
        handler.close()

    # save WITH widget state, as JupyterLab's "save widget state" does
    state = json.loads(paths["state"].read_text(encoding="utf-8"))
    nb.metadata["widgets"] = {WIDGET_STATE: state}
    saved = tmp_path / "session.ipynb"
    nbformat.write(nb, saved)

    outputs = "\n".join(
        json.dumps(out, ensure_ascii=False) for c in nb.cells for out in c.get("outputs", [])
    )
    errors = json.loads(paths["errors"].read_text(encoding="utf-8"))
    kernel_log = paths["log"].read_text(encoding="utf-8")
    config = home / ".config"
    # every token the server issued in this run: the given one, or the anonymous one and its
    # renewal after the expiry
    tokens = list(server.app.state.nemo.store.tokens)
    assert len(tokens) == (1 if mode == "given" else 2)
    kept = config / "nemovideo" / "tokens.json"  # anonymous tokens are kept here, by design
    if mode == "anonymous":
        assert kept.stat().st_mode & 0o077 == 0  # readable by the user only
    scanned = {
        "notebook file": saved.read_text(encoding="utf-8"),
        "cell outputs": outputs,
        "iopub messages": "\n".join(
            json.dumps(m, default=str, ensure_ascii=False) for m in client.messages
        ),
        "kernel log": kernel_log,
        "server log": server_log.read_text(encoding="utf-8"),
        "exceptions": "\n".join(errors),
        "config files": "\n".join(
            p.read_text(encoding="utf-8", errors="replace")
            for p in config.rglob("*")
            if p.is_file() and p != kept
        ),
    }

    # the run really happened, and every channel carried something to scan
    assert "Secret Safe" in outputs and "Cell Magic" in outputs, outputs[-3000:]
    assert "HTTP Request: POST" in kernel_log and "/run_sse" in kernel_log
    if mode == "given":  # the expired token: a traceback (with local variables) and an error
        assert "AuthError" in outputs and "NEMO_TOKEN" in outputs
        assert len(errors) == 3 and "no such file" in errors[0] and "AuthError" in errors[2]
    else:  # renewed without a word, the chat went on
        assert len(errors) == 2 and "no such file" in errors[0] and "Never" in outputs
    models = state["state"].values()
    anywidgets = [m for m in models if m["model_name"] == "AnyModel"]
    assert len(anywidgets) >= 4
    transcripts = [m["state"].get("transcript") for m in anywidgets if "transcript" in m["state"]]
    assert transcripts and any("make a video" in json.dumps(t) for t in transcripts)
    assert any(m["state"].get("media") for m in anywidgets)  # the upload picker's media list
    customs = [
        m["content"]["data"]["content"]
        for m in client.messages
        if m["msg_type"] == "comm_msg" and m["content"]["data"].get("method") == "custom"
    ]
    replies = {c["id"]: c for c in customs if c.get("kind") == "reply"}
    assert replies["s1"]["ok"] and replies["s1"]["upload"] == "u1"
    assert all(replies[k]["ok"] for k in ("k0", "k1", "k2", "e1", "c1", "c2", "x1", "l1"))

    # zero hits, in every form
    hits = [
        f"{form} form of token {n} in the {where}"
        for n, token in enumerate(tokens)
        for where, text in scanned.items()
        for form, needle in secret_forms(token).items()
        if needle in text
    ]
    assert hits == []
    # a control: the same scan finds the token where it must be, in the server's own records
    server_tokens = json.dumps(server.app.state.nemo.store.tokens)
    blob = base64.b64encode(b"x" + server_tokens.encode()).decode()
    assert all(any(n in blob for n in secret_forms(t).values()) for t in tokens)

    # the claim link carries the claim token only
    link = replies["l1"]["url"]
    parts = urlsplit(link)
    assert parts.path == "/workspace/claim" and list(parse_qs(parts.query)) == ["ct"]
    assert parse_qs(parts.query)["ct"][0].startswith("clm_")
    printed = re.findall(r"/workspace/claim\?([^\s\"'<>\\]+)", outputs)
    assert printed and all(re.fullmatch(r"ct=clm_[0-9a-f]+", q) for q in printed), printed


def test_secret_forms_find_the_token_inside_base64_blobs() -> None:
    token = "nmv_usr_0123456789abcdef"
    forms = secret_forms(token)
    for pad in range(3):
        for prefix in (b"", b"x", b"xy", b"some widget buffer "):
            blob = base64.b64encode(prefix + b"\0" * pad + token.encode() + b" tail").decode()
            assert any(needle in blob for needle in forms.values()), (prefix, pad)
    assert forms["url"] == quote(token, safe="")
