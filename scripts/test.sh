#!/usr/bin/env bash
# The whole test suite: installs what it needs (system packages, Python extras, the JS build),
# then lints, runs the JS unit tests, the Python unit + integration tests and the browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-system.sh --browser
python -m pip install -q -e '.[dev]'
(cd js && npm ci --no-audit --no-fund --loglevel=error && npm run build && npm test)
ruff check src tests benchmarks
ruff format --check src tests benchmarks
mypy
python -m pytest tests -m "not browser and not slow" -p no:cacheprovider "$@"
python -m pytest tests -m browser -p no:cacheprovider "$@"
