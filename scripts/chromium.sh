#!/usr/bin/env bash
# Debian's Chromium for the browser tests (apps/*/test: playwright-core drives it headless; no
# browser is downloaded). Installs it with apt-get when missing and running as root, otherwise
# prints what to install. `npm test` runs this before the browser suite.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "chromium.sh: installing Debian's chromium for the browser tests"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  command -v chromium >/dev/null 2>&1 && exit 0
fi
echo "chromium.sh: Chromium is missing; install it: sudo apt-get install -y chromium" >&2
exit 1
