#!/usr/bin/env bash
# The whole test suite: installs what it needs (system packages, Python extras, the JS build),
# then lints, runs the JS unit tests, the Python unit + integration tests (the notebooks included)
# and the browser tests (JupyterLab and Notebook 7 in Debian's headless Chromium).
# Extra arguments go to both pytest runs (e.g. -x, -k quickstart).
set -euo pipefail
cd "$(dirname "$0")/.."
step() { printf '\n== %s (%s)\n' "$1" "$(date +%T)"; }

step "system packages"
bash scripts/install-system.sh --browser
source scripts/_python.sh
step "python packages"
"$PY" -m pip install -q -e '.[dev]'
step "javascript: build and unit tests"
(cd js && npm ci --no-audit --no-fund --loglevel=error && npm run build && npm test)
step "lint and types"
paths=(src tests scripts)
[[ -d benchmarks ]] && paths+=(benchmarks)
"$PY" -m ruff check "${paths[@]}"
"$PY" -m ruff format --check "${paths[@]}"
"$PY" -m mypy
step "unit and integration tests"
"$PY" -m pytest tests -m "not browser and not slow" -p no:cacheprovider "$@"
step "browser tests"
"$PY" -m pytest tests/browser -m browser -p no:cacheprovider "$@"
