#!/usr/bin/env bash
# Make sure a headless Chromium is available for the browser tests (Debian's chromium and
# chromium-driver).  Idempotent and quiet: does nothing when /usr/bin/chromium exists, runs
# apt-get update only when the package is not known yet, and never fails the caller: without
# root or network the browser tests skip with a reason instead.
set -uo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "scripts/browser.sh: no apt-get; install Chromium yourself (browser tests will skip)" >&2
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "scripts/browser.sh: not root and no passwordless sudo; cannot install chromium (browser tests will skip)" >&2
    exit 0
  fi
fi
export DEBIAN_FRONTEND=noninteractive
apt_install() {
  $SUDO apt-get install -y -qq --no-install-recommends chromium chromium-driver >/dev/null 2>&1
}
if ! apt-cache show chromium >/dev/null 2>&1 || ! apt_install; then
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  if ! apt_install; then
    echo "scripts/browser.sh: apt-get could not install chromium (browser tests will skip)" >&2
    exit 0
  fi
fi
if [ ! -x /usr/bin/chromium ]; then
  echo "scripts/browser.sh: chromium installed but /usr/bin/chromium is missing" >&2
fi
exit 0
