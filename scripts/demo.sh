#!/usr/bin/env bash
# The main job: install the package with the offline backend, then run the demo
# (upload → chat → timeline → export) and leave out/demo.mp4.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh
python -m pip install -q -e '.[local]'
nemo-widgets demo --out "${1:-out}"
