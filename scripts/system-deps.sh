#!/usr/bin/env bash
# System packages the browser tests need, from Debian: Chromium, its driver, and a CJK font (without
# it Chinese renders as boxes in screenshots). Installs only what is missing; needs root or sudo.
set -euo pipefail
need=()
for pkg in chromium chromium-driver fonts-wqy-zenhei; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/system-deps.sh: install ${need[*]} with your system's package manager" >&2
  exit 1
fi
SUDO=$([ "$(id -u)" -eq 0 ] && echo "" || echo "sudo")
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
