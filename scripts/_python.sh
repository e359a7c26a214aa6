# Sourced by demo.sh and test.sh: sets PY to the Python to install into and run with.
# A plain interpreter (pyenv, conda, a venv) is used as is; a distribution's "externally managed"
# Python (Debian 12+, Ubuntu 23.04+) refuses pip installs, so a .venv is made next to the code.
PY=${PYTHON:-$(command -v python3 || command -v python)}
if "$PY" - <<'CHECK'
import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED"))
sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)
CHECK
then
  if [[ ! -x .venv/bin/python ]]; then
    echo "this Python is externally managed: creating .venv"
    "$PY" -m venv .venv
  fi
  PY=.venv/bin/python
  export PATH="$PWD/.venv/bin:$PATH"
fi
