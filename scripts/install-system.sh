#!/usr/bin/env bash
# System packages the project needs: a CJK font for rendered text, ffmpeg's ffprobe for checks,
# and (with --browser) Debian's Chromium for the browser tests. Installs only what is missing.
set -euo pipefail
want=()
fc-list 2>/dev/null | grep -qi "wqy\|noto sans cjk" || want+=(fonts-wqy-zenhei fontconfig)
command -v ffprobe >/dev/null || want+=(ffmpeg)
if [[ "${1:-}" == "--browser" ]]; then
  command -v chromium >/dev/null || want+=(chromium)
fi
if ((${#want[@]})); then
  SUDO=""; [[ $(id -u) == 0 ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
fi
