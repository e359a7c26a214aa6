#!/usr/bin/env bash
# System packages the project needs, installed only when missing; never downloads a browser any
# other way. Rendering needs none: imageio-ffmpeg ships ffmpeg and the `local` extra ships a
# Chinese font (Noto Sans CJK). What is left:
#   always       python3-venv, when the distribution's Python refuses pip installs and has no venv
#   --browser    Debian's Chromium, Node.js for the widget bundles, and the fonts Chromium draws
#                the widgets' Chinese text and emoji status icons with
set -euo pipefail
want=()
# a distribution's own Python refuses pip installs: scripts/_python.sh then makes a venv
if command -v python3 >/dev/null && python3 - <<'CHECK' 2>/dev/null; then want+=(python3-venv); fi
import os, sys, sysconfig
managed = os.path.exists(os.path.join(sysconfig.get_paths()["stdlib"], "EXTERNALLY-MANAGED"))
try:
    import ensurepip  # noqa: F401  (what `python3 -m venv` needs; Debian ships it separately)
except ImportError:
    sys.exit(0 if managed and sys.prefix == sys.base_prefix else 1)
sys.exit(1)
CHECK
if [[ "${1:-}" == "--browser" ]]; then
  fonts=$(fc-list 2>/dev/null || true)  # read once: `fc-list | grep -q` fails under pipefail
  command -v chromium >/dev/null || [[ -x /usr/bin/chromium ]] || want+=(chromium)
  command -v npm >/dev/null || want+=(nodejs npm)
  grep -qi "wqy\|noto sans cjk" <<<"$fonts" || want+=(fonts-wqy-zenhei fontconfig)
  # the widgets' status icons are emoji: without a colour emoji font Chromium draws boxes
  grep -qi "color emoji" <<<"$fonts" || want+=(fonts-noto-color-emoji)
fi
if ((${#want[@]})); then
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  echo "installing system packages: ${want[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi
