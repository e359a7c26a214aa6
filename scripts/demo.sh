#!/usr/bin/env bash
# The main job: install the package with the offline backend, then run the demo
# (sample media → upload → chat → timeline → export) and leave out/demo.mp4 (or $1/demo.mp4).
# Changes on the system: python3-venv from apt only if the distribution's Python needs it
# (scripts/install-system.sh); `pip install -e .[local]` into $PYTHON, else python3, or into a
# .venv/ here when that Python is externally managed (scripts/_python.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
source scripts/_python.sh
echo "installing nemo-widgets[local] into $("$PY" -c 'import sys; print(sys.prefix)') (a minute the first time)"
# pip's own lines, one per package, show the progress; the noise of satisfied requirements does not
show() { awk '/^(Collecting|Processing|Downloading|Building|Installing|Successfully)/ { print "  " $0; fflush() }'; }
if [[ -f src/nemo_widgets/static/chat.js ]] || command -v npm >/dev/null; then
  "$PY" -m pip install --progress-bar off -e '.[local]' | show
else
  # no Node.js to build the widget bundles: the demo runs in a terminal and needs none of them
  SKIP_JUPYTER_BUILDER=1 "$PY" -m pip install --progress-bar off -e '.[local]' | show
fi
"$PY" -m nemo_widgets demo --out="${1:-out}"
