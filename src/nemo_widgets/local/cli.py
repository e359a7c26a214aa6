"""The `nemo-widgets` command: `serve` runs the offline backend, `demo` runs the demo."""

from __future__ import annotations

import argparse
import dataclasses
import logging
import signal
import sys
import threading
from collections.abc import Sequence

from .. import __version__
from .faults import Faults
from .server import LocalServer
from .store import StoreError

__all__ = ["main"]

# LocalServer.start's timings and limits: option → (type, help); passed on only when given
_TUNING: dict[str, tuple[type, str | None]] = {
    "heartbeat_interval": (float, None),
    "step_delay": (float, "seconds one edit step takes"),
    "generation_delay": (float, "seconds a generation's first stage takes"),
    "silent_rate": (float, "share of edits with no reply text"),
    "max_upload_bytes": (int, None),
    "initial_credits": (int, None),
    "render_concurrency": (int, None),
    "token_ttl": (float, "seconds a token lives (default 7 days)"),
}


def _serve(args: argparse.Namespace) -> int:
    fail_next: dict[str, int] = {}
    for spec in args.fail:
        name, _, times = spec.partition(":")
        fail_next[name] = fail_next.get(name, 0) + int(times or 1)
    knobs = {f.name for f in dataclasses.fields(Faults)}  # the fault flags are named as its fields
    faults = Faults(**{k: v for k, v in vars(args).items() if k in knobs}, fail_next=fail_next)
    opts = {n: getattr(args, n) for n in _TUNING if getattr(args, n) is not None}
    # the server's own lines (one per request at INFO) on stderr; the token is never in them
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    own = logging.getLogger("nemo_widgets.local")
    own.addHandler(handler)
    own.setLevel(args.log_level.upper())
    own.propagate = False
    try:
        server = LocalServer.start(
            port=args.port,
            data_dir=args.data_dir,
            faults=faults,
            host=args.host,
            log_level=args.log_level,
            dialect=args.dialect,
            **opts,
        )
    except StoreError as e:  # another server on this data dir, a damaged database...
        print(f"nemo-widgets serve: {e}", file=sys.stderr)
        return 3
    print(f"nemo-widgets offline backend on {server.url} (data: {server.data_dir})", flush=True)
    done = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            if not server.running:
                return 1
    finally:
        server.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `nemo-widgets`."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["demo"]:  # everything after `demo` belongs to the demo's own parser
        from .demo import main as demo_main  # written separately; imported only when asked

        return int(demo_main(argv[1:]) or 0)
    parser = argparse.ArgumentParser(prog="nemo-widgets", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("serve", help="run the offline backend (needs the 'local' extra)")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (0 = any free port)")
    p.add_argument("--data-dir", default=None, help="where to keep state (default: temp dir)")
    p.add_argument("--log-level", default="info")
    p.add_argument(
        "--dialect",
        choices=("adk", "vendor"),
        default="adk",
        help="adk: ADK chat events and {code, data}; vendor: typed events, {success, data} renders",
    )
    t = p.add_argument_group("timings and limits")
    for name, (kind, text) in _TUNING.items():
        t.add_argument(f"--{name.replace('_', '-')}", type=kind, help=text)
    f = p.add_argument_group("fault injection")
    f.add_argument(
        "--drop-stream-after", type=int, metavar="N", help="drop every chat stream after N events"
    )
    f.add_argument(
        "--error-stream-after",
        type=int,
        metavar="N",
        help="send an error event after N chat events",
    )
    f.add_argument(
        "--fail",
        action="append",
        default=[],
        metavar="ENDPOINT[:K]",
        help="answer 5xx to the next K (default 1) calls of ENDPOINT (repeatable)",
    )
    f.add_argument("--fail-status", type=int, default=503)
    f.add_argument("--fail-html", action="store_true", help="answer injected 5xx with HTML")
    f.add_argument("--latency", type=float, default=0.0, help="seconds added to every response")
    f.add_argument("--fail-next-render", type=int, default=0, metavar="N")
    f.add_argument(
        "--silent-next", type=int, default=0, metavar="N", help="the next N edits end with no text"
    )
    sub.add_parser("demo", help="upload → chat → timeline → export on the offline backend")
    return _serve(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
