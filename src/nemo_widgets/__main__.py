"""`nemo-widgets` / `python -m nemo_widgets`: the offline backend's commands (`local/cli.py`)."""

import sys


def main() -> int:
    try:
        from .local.cli import main as run  # the `local` extra: loaded only here
    except ImportError as e:
        if sys.argv[1:] == ["--version"]:
            from . import __version__

            print(f"nemo-widgets {__version__}")
            return 0
        print(
            f"the offline backend needs: pip install 'nemo-widgets[local]' ({e})", file=sys.stderr
        )
        return 2
    return run()


if __name__ == "__main__":
    sys.exit(main())
