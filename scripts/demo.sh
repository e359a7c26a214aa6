#!/usr/bin/env bash
# The main job: install the package with the offline backend, then run the demo
# (sample media → upload → chat → timeline → export) and leave out/demo.mp4 (or $1/demo.mp4).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
source scripts/_python.sh
if [[ -f src/nemo_widgets/static/chat.js ]] || command -v npm >/dev/null; then
  "$PY" -m pip install -q -e '.[local]'
else
  # no Node.js to build the widget bundles: the demo runs in a terminal and needs none of them
  SKIP_JUPYTER_BUILDER=1 "$PY" -m pip install -q -e '.[local]'
fi
"$PY" -m nemo_widgets.cli demo --out="${1:-out}"
