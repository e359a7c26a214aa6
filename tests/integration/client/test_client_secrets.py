"""The token stays out of reprs, logs (every logger at DEBUG, httpx and httpcore included),
errors and URLs during a whole session over a real socket."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

import nemo_widgets as nw
from nemo_widgets.local import LocalServer


def test_token_never_leaks_during_a_session(
    server: LocalServer, png: Path, home: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    s = nw.connect(backend="local", api_url=server.url)
    s.subscribe(lambda kind, payload: texts.append(f"{kind} {payload!r}"))
    try:
        s.upload(png)
        s.credits()
        s.state()
        texts.append(s.link())
        server.faults.expire_tokens()
        s.credits()  # renewed: a second token to look for
        server.faults.fail("state", times=9)
        with pytest.raises(nw.BackendUnavailable) as info:
            s.state()
        texts += [str(info.value), repr(info.value), repr(s), repr(s.api), str(vars(s))]
    finally:
        s.close()
    tokens = [
        v["token"]
        for v in json.loads((home / ".config/nemovideo/tokens.json").read_text()).values()
    ]
    server_tokens = list(server.app.state.nemo.store.tokens)
    assert len(server_tokens) == 2 and tokens[0] in server_tokens
    texts.append(caplog.text)
    assert "HTTP Request" in caplog.text or "send_request_headers" in caplog.text  # logs were on
    for token in server_tokens:
        for text in texts:
            assert token not in text
