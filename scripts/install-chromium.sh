#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the browser tests, when missing.
# Idempotent: does nothing (and needs no network) when both are already there.
# Needs root, as in CI; elsewhere run it with sudo.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo -n bash "$0" "$@"
  fi
  echo "install-chromium.sh: run as root (or with sudo) to install chromium" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive DEBCONF_NOWARNINGS=yes
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null
# fonts so labels and the legend render with real glyphs in screenshots
apt-get install -y -qq --no-install-recommends fonts-dejavu-core >/dev/null || true

# the wrapper script prints a harmless shell warning on some kernels; keep it out
/usr/bin/chromium --version 2>/dev/null
